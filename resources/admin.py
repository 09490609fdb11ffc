"""Django admin of the resource catalogue: resources with their prices inline.

The staff catalogue pages (``resources:list``) are the usual way to edit the
catalogue; the admin applies the same checks (non-negative figures and prices,
power figures required by kind) so that it cannot store what those pages refuse.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import Resource, ResourcePrice
from .services.catalogue import power_figure_errors

NON_NEGATIVE = MinValueValidator(Decimal(0), message=_("This cannot be negative."))


class ResourcePriceForm(forms.ModelForm):
    """One price of the inline, refused below 0 with a readable message."""

    class Meta:
        model = ResourcePrice
        fields = ["organisation_kind", "price_per_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_per_unit"].validators.append(
            MinValueValidator(Decimal(0), message=_("A price cannot be negative (0 means free).")))


class ResourcePriceInline(admin.TabularInline):
    """The prices of a resource, one per kind of organisation."""

    model = ResourcePrice
    form = ResourcePriceForm
    extra = 0


class ResourceAdminForm(forms.ModelForm):
    """A resource, with the checks of :func:`resources.services.catalogue.resource_save`."""

    class Meta:
        model = Resource
        fields = [
            "name", "kind", "description_fr", "description_en", "capacity_per_year",
            "slurm_cluster", "slurm_partition", "watts_per_core", "memory_gb_per_core",
            "watts_per_gpu", "is_public", "is_active", "order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("capacity_per_year", "watts_per_core", "memory_gb_per_core",
                     "watts_per_gpu"):
            self.fields[name].validators.append(NON_NEGATIVE)

    def clean(self):
        cleaned = super().clean()
        for field, message in power_figure_errors(
                kind=cleaned.get("kind"), watts_per_core=cleaned.get("watts_per_core"),
                watts_per_gpu=cleaned.get("watts_per_gpu")).items():
            self.add_error(field, message)
        return cleaned


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """The catalogue in the admin, prices inline."""

    form = ResourceAdminForm
    inlines = [ResourcePriceInline]
    list_display = ["name", "kind", "capacity_per_year", "slurm_partition", "is_public",
                    "is_active", "order"]
    list_filter = ["kind", "is_public", "is_active"]
    search_fields = ["name", "slurm_cluster", "slurm_partition"]
    ordering = ["order", "kind", "name"]
    readonly_fields = ["created_at", "updated_at"]
