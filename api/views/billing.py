"""Invoices: those of the organisations the caller represents (``read``), one invoice,
its Factur-X PDF (a file download like the reports'), and the staff's list of every
invoice and credit note (``staff``).

Read through ``billing.selectors.invoices`` as on the pages: a representative sees their
organisations' issued invoices, never drafts (404 for anyone else's, as the page); the
PDF of a draft is refused (403, as the page).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from billing.models import Invoice
from billing.selectors.invoices import (
    invoice_for_user,
    invoices_of_representative,
    invoices_with_amounts,
)
from billing.selectors.lists import InvoiceFilter, staff_invoice_queryset
from billing.services.documents import invoice_pdf_for_download
from members.views.agreements import download_response

from ..serializers.billing import InvoiceSerializer
from .base import ApiView, ListApiView, id_filter


class InvoiceListFilter(filters.FilterSet):
    organisation = id_filter("organisation_id")
    kind = filters.ChoiceFilter(choices=Invoice.Kind.choices)
    status = filters.ChoiceFilter(choices=Invoice.Status.choices)
    year = filters.NumberFilter(field_name="issued_on", lookup_expr="year", min_value=2000,
                                max_value=2100, decimal_places=0)

    class Meta:
        model = Invoice
        fields = ["organisation", "kind", "status", "year"]


class InvoiceList(ListApiView):
    """The issued invoices and credit notes of the organisations the caller represents,
    newest first (``?organisation=``, ``kind``, ``status``, ``year`` of issue)."""

    model = Invoice

    serializer_class = InvoiceSerializer
    filterset_class = InvoiceListFilter
    ordering_fields = ["issued_on", "due_on", "number", "total_gross"]
    ordering = ["-issued_on", "-number"]

    def rows(self):
        return invoices_of_representative(user=self.request.user)

    @extend_schema(tags=["billing"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InvoiceDetail(ApiView):
    """One invoice or credit note (its organisation's representatives; every one for
    staff with the ``staff`` scope)."""

    @extend_schema(responses=InvoiceSerializer, tags=["billing"])
    def get(self, request, pk: int):
        invoice = invoice_for_user(user=request.user, pk=pk)
        invoice = invoices_with_amounts(Invoice.objects.select_related("organisation")).get(
            pk=invoice.pk)
        return Response(InvoiceSerializer(invoice, context={"request": request}).data)


class InvoicePdf(ApiView):
    """The Factur-X PDF of an issued invoice or credit note, as an attachment (made first
    if it is not there yet); 403 for a draft."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              403: OpenApiResponse(description="A draft"),
                              404: OpenApiResponse(description="Not found")},
                   tags=["billing"])
    def get(self, request, pk: int):
        invoice = invoice_for_user(user=request.user, pk=pk)
        if invoice.is_draft:
            raise PermissionDenied
        with transaction.atomic():
            content = invoice_pdf_for_download(invoice=invoice)
        audit_record(action="invoice.downloaded", category=AuditEvent.Category.SECURITY,
                     target=invoice, actor=request.user,
                     detail={"file": "invoice", "via": "api"})
        return download_response(content, filename=f"{invoice.number}.pdf")


class StaffInvoiceFilter(InvoiceFilter):
    """The staff page's filters (``search``: number or organisation, ``kind``,
    ``status``, ``year`` of issue, 2000–2100)."""

    year = filters.NumberFilter(field_name="issued_on", lookup_expr="year", min_value=2000,
                                max_value=2100, decimal_places=0)

    class Meta(InvoiceFilter.Meta):
        pass


class StaffInvoiceList(ListApiView):
    """Every invoice and credit note, drafts first then newest (staff)."""

    model = Invoice
    staff_only = True

    serializer_class = InvoiceSerializer
    filterset_class = StaffInvoiceFilter
    ordering_fields = ["issued_on", "due_on", "number", "total_gross", "created_at"]
    ordering = ["-status", "-issued_on", "-number", "-pk"]

    def rows(self):
        return staff_invoice_queryset()

    @extend_schema(tags=["staff"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
