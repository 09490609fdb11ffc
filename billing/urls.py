"""Routes of billing: an organisation's invoices, the PDFs, quotes; the staff pages
(``/staff/billing/``, named ``staff_…``). Included at the site root inside
``i18n_patterns``."""

from django.urls import path

from .views import documents
from .views.staff import invoices as staff_invoices

app_name = "billing"

urlpatterns = [
    path("organisations/<int:pk>/invoices/", documents.organisation_invoices,
         name="organisation_invoices"),
    path("invoices/<int:pk>/pdf/", documents.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/receipt/", documents.receipt_pdf, name="receipt_pdf"),
    path("requests/<int:pk>/quote/", documents.quote_request, name="quote_request"),
    path("quotes/<int:pk>/pdf/", documents.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/accept/", documents.quote_accept_view, name="quote_accept"),
    # Staff
    path("staff/billing/", staff_invoices.invoice_list, name="staff_invoice_list"),
    path("staff/billing/new/", staff_invoices.invoice_create, name="staff_invoice_create"),
    path("staff/billing/exports/", staff_invoices.exports, name="staff_exports"),
    path("staff/billing/<int:pk>/", staff_invoices.invoice_detail,
         name="staff_invoice_detail"),
    path("staff/billing/<int:pk>/lines/", staff_invoices.invoice_add_line,
         name="staff_invoice_add_line"),
    path("staff/billing/<int:pk>/issue/", staff_invoices.invoice_issue,
         name="staff_invoice_issue"),
    path("staff/billing/<int:pk>/payments/", staff_invoices.invoice_payment,
         name="staff_invoice_payment"),
    path("staff/billing/<int:pk>/credit/", staff_invoices.invoice_credit,
         name="staff_invoice_credit"),
]
