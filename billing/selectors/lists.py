"""The staff list of invoices: queryset and filters (``django-filter``)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import Invoice
from .invoices import invoices_with_amounts


def staff_invoice_queryset():
    """Every invoice and credit note, drafts first then newest, with amounts paid and
    credited (two subqueries) and their organisation — one query."""
    return invoices_with_amounts(Invoice.objects.select_related("organisation")).order_by(
        "-status", "-issued_on", "-number", "-pk")


class InvoiceFilter(django_filters.FilterSet):
    """Search (number, organisation), kind, status, year of issue."""

    search = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Invoice.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Invoice.Status.choices)
    year = django_filters.NumberFilter(label=_("Year"), field_name="issued_on",
                                       lookup_expr="year")

    class Meta:
        model = Invoice
        fields = ["search", "kind", "status", "year"]

    def filter_search(self, queryset, name, value):
        """Number or organisation name containing ``value``."""
        return queryset.filter(Q(number__icontains=value)
                               | Q(organisation__name__icontains=value))
