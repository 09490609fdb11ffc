"""Every model of the portal has a factory in ``tests/factories.py``, and each factory
saves a row that passes ``full_clean()`` (field validators, choices, ``Meta.constraints``).

The models are read from the app registry when the tests are collected: a model added
without a factory makes ``test_every_model_has_a_factory`` fail with its name.
"""

import inspect

import factory
import pytest
from django.apps import apps

from . import factories

#: Apps of the portal by label; every app under ``algoric/`` counts too.
PORTAL_APPS = ("members", "resources", "projects", "training", "billing", "api")


def portal_models() -> list:
    """The concrete models of the portal's apps (not proxies, not abstract ones)."""
    return [model
            for config in apps.get_app_configs()
            if config.label in PORTAL_APPS or config.name.startswith("algoric.")
            for model in config.get_models()
            if not model._meta.proxy]


def model_factories() -> list[type[factory.django.DjangoModelFactory]]:
    """The model factories defined in ``tests/factories.py``."""
    return [value for _name, value in inspect.getmembers(factories, inspect.isclass)
            if issubclass(value, factory.django.DjangoModelFactory)
            and value.__module__ == factories.__name__ and value._meta.model is not None]


MODELS = portal_models()
FACTORIES = model_factories()


def test_the_registry_lists_the_portal_models():
    """The discovery itself works: the apps are found and each gives its models."""
    labels = {model._meta.app_label for model in MODELS}
    assert {"members", "resources", "projects", "audit", "notifications", "pages"} <= labels
    assert len(MODELS) >= 31


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_model_has_a_factory(model):
    built_by = [f for f in FACTORIES if f._meta.model is model]
    assert built_by, (f"No factory in tests/factories.py builds {model._meta.label} "
                      f"({model.__module__}.{model.__name__}): add one.")


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_factory_saves_a_valid_row(factory_class):
    model = factory_class._meta.model
    first, second = factory_class(), factory_class()

    for made in (first, second):
        assert made.pk is not None and model.objects.filter(pk=made.pk).exists()
        made.refresh_from_db()
        made.full_clean()
    if not factory_class._meta.django_get_or_create:
        assert first.pk != second.pk  # unique fields come from sequences
