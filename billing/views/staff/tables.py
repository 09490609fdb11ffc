"""The staff table of invoices (``django-tables2``)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ...models import Invoice


class InvoiceTable(tables.Table):
    """Number (to its page), kind, organisation, status, dates, total, paid, left to pay."""

    number = tables.Column(verbose_name=_("Number"), default=_("draft"), linkify=(
        "billing:staff_invoice_detail", {"pk": tables.A("pk")}), order_by=("number",))
    kind = tables.Column(verbose_name=_("Kind"))
    organisation = tables.Column(verbose_name=_("Organisation"),
                                 accessor="organisation__name")
    status = tables.Column(verbose_name=_("Status"))
    issued_on = tables.DateColumn(verbose_name=_("Issued on"), short=True)
    due_on = tables.DateColumn(verbose_name=_("Due on"), short=True)
    total_gross = tables.Column(verbose_name=_("Total incl. VAT (EUR)"),
                                attrs={"td": {"class": "text-end"}})
    amount_paid = tables.Column(verbose_name=_("Paid (EUR)"), orderable=False,
                                attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Invoice
        fields = ["number", "kind", "organisation", "status", "issued_on", "due_on",
                  "total_gross", "amount_paid"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No invoice matches.")
