"""Writes on the resource catalogue: resources and their prices, by staff only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from members.models import OrganisationKind

from ..models import Resource, ResourceKind, ResourcePrice

#: The resource fields staff may set through :func:`resource_save` (no mass assignment).
RESOURCE_FIELDS = (
    "name", "kind", "description_fr", "description_en", "capacity_per_year",
    "slurm_cluster", "slurm_partition", "watts_per_core", "memory_gb_per_core",
    "watts_per_gpu", "is_public", "is_active", "order",
)
#: The power figures each kind uses for its energy estimate
#: (``resources.selectors.estimates``); the others are cleared on save, since they would
#: never be used.
POWER_FIELDS = {
    ResourceKind.CPU: ("watts_per_core", "memory_gb_per_core"),
    ResourceKind.GPU: ("watts_per_gpu",),
}
#: Every power figure, in W or GB.
ALL_POWER_FIELDS = ("watts_per_core", "memory_gb_per_core", "watts_per_gpu")
#: The largest price per unit stored (``max_digits=10, decimal_places=4``), EUR.
PRICE_MAX = Decimal("999999.9999")
PRICE_QUANTUM = Decimal("0.0001")


class StaleResourceError(ValidationError):
    """The resource was saved by someone else after the editor loaded it."""


def power_figure_errors(*, kind: str, watts_per_core, watts_per_gpu) -> dict[str, str]:
    """The missing power figures of a resource of ``kind``: ``{field: message}``.

    A CPU resource needs its power per core (W) and a GPU resource its power per
    GPU (W), so that every request for compute time gets an energy estimate (Green
    Algorithms, see ``resources.energy``). Memory per core is optional (blank
    counts no memory power). Other kinds need none.
    """
    errors = {}
    if kind == ResourceKind.CPU and watts_per_core in (None, ""):
        errors["watts_per_core"] = _(
            "A CPU resource needs its power per core, in watts, for the energy estimate.")
    if kind == ResourceKind.GPU and watts_per_gpu in (None, ""):
        errors["watts_per_gpu"] = _(
            "A GPU resource needs its power per GPU, in watts, for the energy estimate.")
    return errors


def _clean_prices(prices: dict[str, object]) -> tuple[dict[str, Decimal | None], dict]:
    """Convert and check ``prices``; return ``(clean prices, errors keyed price_<kind>)``."""
    clean: dict[str, Decimal | None] = {}
    errors: dict[str, list[str]] = {}
    for kind, value in prices.items():
        key = f"price_{kind}"
        if kind not in OrganisationKind.values:
            errors.setdefault("__all__", []).append(
                _("Unknown kind of organisation: %(kind)s.") % {"kind": kind})
            continue
        if value is None or value == "":
            clean[kind] = None
            continue
        try:
            amount = Decimal(str(value).strip())
        except (InvalidOperation, TypeError, ValueError):
            errors[key] = [_("Enter a price in euros, for example 0.02.")]
            continue
        if not amount.is_finite():
            errors[key] = [_("Enter a price in euros, for example 0.02.")]
        elif amount < 0:
            errors[key] = [_("A price cannot be negative (0 means free).")]
        elif amount > PRICE_MAX or amount != amount.quantize(PRICE_QUANTUM):
            errors[key] = [_("Enter a price below 1,000,000 euros with at most four "
                             "decimal places.")]
        else:
            clean[kind] = amount.quantize(PRICE_QUANTUM)
    return clean, errors


@transaction.atomic
def resource_save(*, resource: Resource | None, data: dict, prices: dict[str, Decimal | None],
                  actor, seen_updated_at: dt.datetime | None = None) -> Resource:
    """Create a resource (``resource=None``) or update ``resource``, with its prices.

    Args:
        resource: the resource to update, or ``None`` to create one.
        data: the resource's fields, keyed by the names in :data:`RESOURCE_FIELDS`
            (other keys are ignored; fields left out keep their value, or the model
            default on creation). Units: ``capacity_per_year`` in the kind's unit
            (core-hours, GPU-hours, TB or virtual machines) per year, ≥ 0;
            ``watts_per_core`` and ``watts_per_gpu`` in W, ``memory_gb_per_core`` in
            GB, each ≥ 0 or ``None``.
        prices: ``{organisation kind: price per unit in EUR or None}``. A price is
            ≥ 0 with four decimal places at most (0 means free); ``None`` removes the
            price for that kind (the kind cannot be served until one is set). Kinds
            left out keep their price.
        actor: the staff member making the change.
        seen_updated_at: ``resource.updated_at`` as the editor loaded it; when given
            and the resource has been saved since, nothing is written.

    A CPU resource needs ``watts_per_core`` and a GPU resource ``watts_per_gpu``
    (:func:`power_figure_errors`); power figures the kind does not use are cleared.
    The resource and all its prices are written in one transaction, or nothing is.

    Returns the saved resource. Raises ``PermissionDenied`` for a non-staff actor,
    :class:`StaleResourceError` for a stale edit and ``ValidationError`` (a dict
    keyed by resource field names, ``price_<kind>`` or ``__all__``) for bad data.
    """
    require_staff(actor)
    if resource is None:
        instance = Resource()
    else:
        instance = Resource.objects.select_for_update().filter(pk=resource.pk).first()
        if instance is None:
            raise ValidationError(_("This resource no longer exists."))
        if seen_updated_at is not None and instance.updated_at != seen_updated_at:
            raise StaleResourceError(_(
                "Someone saved this resource while you were editing it. Your changes were "
                "not saved: reload the page, then make them again."))
    for field in RESOURCE_FIELDS:
        if field in data:
            value = data[field]
            if isinstance(value, str):
                value = value.strip()
                if field in ALL_POWER_FIELDS and not value:
                    value = None
            setattr(instance, field, value)

    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if "capacity_per_year" not in errors and instance.capacity_per_year is not None \
            and instance.capacity_per_year < 0:
        errors["capacity_per_year"] = [_("The capacity cannot be negative.")]
    for field in ALL_POWER_FIELDS:
        value = getattr(instance, field)
        if field not in errors and value is not None and value < 0:
            errors[field] = [_("A power or memory figure cannot be negative.")]
    if "kind" not in errors:
        used = POWER_FIELDS.get(ResourceKind(instance.kind), ())
        for field in ALL_POWER_FIELDS:
            if field not in used:
                setattr(instance, field, None)
                errors.pop(field, None)
        for field, message in power_figure_errors(
                kind=instance.kind, watts_per_core=instance.watts_per_core,
                watts_per_gpu=instance.watts_per_gpu).items():
            errors.setdefault(field, []).append(message)
    clean_prices, price_errors = _clean_prices(prices)
    for key, messages in price_errors.items():
        errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a resource of the same name was saved meanwhile
        raise ValidationError({"name": [_("A resource with this name already exists.")]}) \
            from exc
    for kind, amount in clean_prices.items():
        if amount is None:
            ResourcePrice.objects.filter(resource=instance, organisation_kind=kind).delete()
        else:
            ResourcePrice.objects.update_or_create(
                resource=instance, organisation_kind=kind,
                defaults={"price_per_unit": amount})
    audit_record(action="resource.created" if resource is None else "resource.updated",
                 actor=actor, target=instance,
                 detail={"fields": sorted(data), "prices": prices})
    return instance


@transaction.atomic
def resource_set_active(*, resource: Resource, is_active: bool, actor) -> Resource:
    """Open (``is_active=True``) or close ``resource`` to new requests.

    Allocations already granted on it are not touched. Setting the state it already
    has changes nothing (a double click is harmless). Returns the resource as saved.
    Raises ``PermissionDenied`` for a non-staff actor.
    """
    require_staff(actor)
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    if locked.is_active != is_active:
        locked.is_active = is_active
        locked.save(update_fields=["is_active", "updated_at"])
        audit_record(action="resource.opened" if is_active else "resource.closed",
                     actor=actor, target=locked)
    return locked
