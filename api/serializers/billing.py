"""Shapes of invoices and credit notes (amounts in EUR, as decimal strings)."""

from django.urls import reverse
from rest_framework import serializers

from billing.models import Invoice
from billing.selectors.invoices import ZERO


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice or credit note with what was paid and credited and what is left to pay
    (``amount_due``: 0 for a credit note); ``pdf_url``: its Factur-X PDF through the API
    (``null`` for a draft)."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    amount_paid = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    amount_credited = serializers.DecimalField(max_digits=12, decimal_places=2,
                                               read_only=True)
    amount_due = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = ["id", "number", "kind", "status", "organisation", "organisation_name",
                  "credited_invoice", "period_start", "period_end", "issued_on", "due_on",
                  "paid_on", "total_net", "total_vat", "total_gross", "amount_paid",
                  "amount_credited", "amount_due", "pdf_url"]
        read_only_fields = fields

    def get_amount_due(self, invoice) -> str:
        """EUR left to pay, a decimal string like the other amounts."""
        if invoice.is_draft or invoice.kind == Invoice.Kind.CREDIT_NOTE:
            return str(ZERO)
        return str(max(invoice.total_gross - invoice.amount_paid - invoice.amount_credited,
                       ZERO))

    def get_pdf_url(self, invoice) -> str | None:
        if invoice.is_draft:
            return None
        path = reverse("api:invoice_pdf", kwargs={"pk": invoice.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
