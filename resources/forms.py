"""Forms of the staff catalogue pages: a resource with its prices, and its active switch."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from members.models import OrganisationKind

from .models import Resource
from .selectors.catalogue import trim_decimal
from .services.catalogue import RESOURCE_FIELDS


def _number(step: str = "any") -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": step, "min": "0"})


class ResourceForm(forms.Form):
    """A resource's fields (explicit list :data:`~resources.services.catalogue.RESOURCE_FIELDS`)
    and one price per organisation kind.

    It is a plain form, not a model form: the write and its checks (power figures per
    kind, prices, unique name) belong to :func:`~resources.services.catalogue.resource_save`.
    ``cleaned_data["data"]`` holds the resource fields and ``cleaned_data["prices"]``
    ``{kind: Decimal | None}`` for every kind (a blank price removes it).
    ``seen_updated_at`` carries the resource's ``updated_at`` as loaded, so that a
    save over someone else's newer save is refused.
    """

    seen_updated_at = forms.DateTimeField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, resource: Resource | None = None,
                 prices: dict[str, Decimal] | None = None, **kwargs):
        if resource is not None and "initial" not in kwargs:
            initial = {field: getattr(resource, field) for field in RESOURCE_FIELDS}
            initial.update({f"price_{kind}": price for kind, price in (prices or {}).items()})
            initial = {key: trim_decimal(value) if isinstance(value, Decimal) else value
                       for key, value in initial.items()}  # 12, not 12.00
            initial["seen_updated_at"] = resource.updated_at.isoformat()
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        model_fields = forms.fields_for_model(Resource, fields=RESOURCE_FIELDS, widgets={
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "capacity_per_year": _number(),
            "watts_per_core": _number(),
            "memory_gb_per_core": _number(),
            "watts_per_gpu": _number(),
        })
        for name in ("capacity_per_year", "watts_per_core", "memory_gb_per_core",
                     "watts_per_gpu"):
            model_fields[name].validators.append(
                MinValueValidator(Decimal(0), message=_("This cannot be negative.")))
        model_fields["description_fr"].help_text = _(
            "Plain text, shown on the public hardware page.")
        model_fields["description_en"].help_text = _(
            "Plain text. Left blank, the French description is shown in English too.")
        model_fields["watts_per_core"].help_text = _(
            "Required for a CPU resource: the power drawn by one core under load, in watts. "
            "For recycled hardware without a measurement, take the processor's TDP divided "
            "by its number of cores. Every CPU request then gets an energy estimate "
            "(Green Algorithms method).")
        model_fields["memory_gb_per_core"].help_text = _(
            "CPU resources: the memory per core, in GB, counted at 0.3725 W per GB. "
            "Leave blank to leave memory out of the estimate.")
        model_fields["watts_per_gpu"].help_text = _(
            "Required for a GPU resource: the power drawn by one GPU, in watts (its TDP).")
        model_fields["slurm_partition"].help_text = _(
            "The partition jobs on this resource run in; shown on the public page.")
        model_fields["order"].help_text = _("Smaller numbers come first in the catalogue.")
        model_fields["is_active"].help_text = _(
            "Projects may ask for it. Closing it leaves the allocations already granted.")
        model_fields["is_public"].help_text = _(
            "Listed on the public hardware page while it can be requested.")
        self.fields.update(model_fields)
        for kind, label in OrganisationKind.choices:
            self.fields[f"price_{kind}"] = forms.DecimalField(
                label=label, required=False, min_value=Decimal(0), max_digits=10,
                decimal_places=4, widget=_number(),
                error_messages={"min_value": _("A price cannot be negative (0 means free).")},
            )

    def resource_fields(self, *names: str):
        """The bound fields ``names``, for laying out the template."""
        return [self[name] for name in names]

    def price_fields(self):
        """The bound price fields, in the order of the organisation kinds."""
        return [self[f"price_{kind}"] for kind in OrganisationKind.values]

    def clean(self):
        cleaned = super().clean()
        cleaned["data"] = {field: cleaned.get(field) for field in RESOURCE_FIELDS}
        cleaned["prices"] = {kind: cleaned.get(f"price_{kind}")
                             for kind in OrganisationKind.values}
        return cleaned


class ActiveForm(forms.Form):
    """Open or close a resource to new requests (``is_active``: ``1`` or ``0``)."""

    is_active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")],
                                       coerce=lambda value: value == "1")
