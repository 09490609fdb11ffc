"""Routes of the API, under ``/api/v1/`` (namespace ``api``; not translated: one URL per
endpoint whatever the language), and the token pages of the profile
(:data:`token_page_patterns`, namespace ``api_tokens``, inside ``i18n_patterns``)."""

from django.urls import path, re_path

from .views import (
    billing,
    catalogue,
    members,
    outputs,
    projects,
    reports,
    requests,
    schema,
    staff,
    tokens,
    training,
)
from .views.base import NotFoundView

app_name = "api"

urlpatterns = [
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    path("docs/", schema.DocsView.as_view(), name="docs"),
    # Members
    path("me/", members.MeView.as_view(), name="me"),
    path("organisations/", members.OrganisationList.as_view(), name="organisation_list"),
    path("organisations/<int:pk>/", members.OrganisationDetail.as_view(),
         name="organisation_detail"),
    path("organisations/<int:pk>/members/", members.OrganisationMemberList.as_view(),
         name="organisation_members"),
    path("organisations/<int:pk>/memberships/", members.OrganisationMembershipList.as_view(),
         name="organisation_memberships"),
    path("organisations/<int:pk>/agreements/", members.OrganisationAgreementList.as_view(),
         name="organisation_agreements"),
    # Projects, requests, usage
    path("projects/", projects.ProjectList.as_view(), name="project_list"),
    path("projects/<int:pk>/", projects.ProjectDetail.as_view(), name="project_detail"),
    path("projects/<int:pk>/members/", projects.ProjectMemberList.as_view(),
         name="project_members"),
    path("projects/<int:pk>/members/<int:member_pk>/", projects.ProjectMemberDetail.as_view(),
         name="project_member_detail"),
    path("projects/<int:pk>/allocations/", projects.ProjectAllocationList.as_view(),
         name="project_allocations"),
    path("projects/<int:pk>/usage/", projects.ProjectUsage.as_view(), name="project_usage"),
    path("projects/<int:pk>/requests/", requests.ProjectRequestCreate.as_view(),
         name="project_request_create"),
    path("projects/<int:pk>/outputs/", outputs.ProjectOutputList.as_view(),
         name="project_outputs"),
    path("projects/<int:pk>/outputs/<int:output_pk>/", outputs.ProjectOutputDetail.as_view(),
         name="project_output_detail"),
    path("requests/", requests.RequestList.as_view(), name="request_list"),
    path("requests/<int:pk>/", requests.RequestDetail.as_view(), name="request_detail"),
    path("requests/<int:pk>/submit/", requests.RequestSubmit.as_view(), name="request_submit"),
    path("requests/<int:pk>/withdraw/", requests.RequestWithdraw.as_view(),
         name="request_withdraw"),
    # Reports
    path("reports/", reports.ReportList.as_view(), name="report_list"),
    path("reports/<int:pk>/", reports.ReportDetail.as_view(), name="report_detail"),
    path("reports/<int:pk>/files/<str:key>/", reports.ReportDownload.as_view(),
         name="report_download"),
    # Invoices
    path("invoices/", billing.InvoiceList.as_view(), name="invoice_list"),
    path("invoices/<int:pk>/", billing.InvoiceDetail.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", billing.InvoicePdf.as_view(), name="invoice_pdf"),
    # Public
    path("catalogue/", catalogue.CatalogueList.as_view(), name="catalogue"),
    path("statistics/", catalogue.PublicStatisticsView.as_view(), name="statistics"),
    # Agenda and training
    path("agenda/", training.AgendaList.as_view(), name="agenda"),
    path("agenda/sessions/<int:pk>/", training.SessionDetail.as_view(), name="session_detail"),
    path("agenda/sessions/<int:pk>/register/", training.SessionRegister.as_view(),
         name="session_register"),
    path("agenda/events/<int:pk>/", training.EventDetail.as_view(), name="event_detail"),
    path("training/registrations/", training.RegistrationList.as_view(),
         name="registration_list"),
    path("training/registrations/<int:pk>/cancel/", training.RegistrationCancel.as_view(),
         name="registration_cancel"),
    # Staff
    path("staff/organisations/", staff.StaffOrganisationList.as_view(),
         name="staff_organisation_list"),
    path("staff/memberships/", staff.StaffMembershipList.as_view(),
         name="staff_membership_list"),
    path("staff/memberships/<int:pk>/payment/", staff.StaffMembershipPayment.as_view(),
         name="staff_membership_payment"),
    path("staff/agreements/<int:pk>/approve/", staff.StaffAgreementApprove.as_view(),
         name="staff_agreement_approve"),
    path("staff/agreements/<int:pk>/countersign/", staff.StaffAgreementCountersign.as_view(),
         name="staff_agreement_countersign"),
    path("staff/requests/", staff.StaffRequestList.as_view(), name="staff_request_list"),
    path("staff/requests/<int:pk>/review/", staff.StaffRequestStartReview.as_view(),
         name="staff_request_review"),
    path("staff/requests/<int:pk>/decide/", staff.StaffRequestDecide.as_view(),
         name="staff_request_decide"),
    path("staff/requests/<int:pk>/reject/", staff.StaffRequestReject.as_view(),
         name="staff_request_reject"),
    path("staff/requests/<int:pk>/return/", staff.StaffRequestReturn.as_view(),
         name="staff_request_return"),
    path("staff/allocations/", staff.StaffAllocationList.as_view(),
         name="staff_allocation_list"),
    path("staff/allocations/<int:pk>/suspend/", staff.StaffAllocationSuspend.as_view(),
         name="staff_allocation_suspend"),
    path("staff/allocations/<int:pk>/resume/", staff.StaffAllocationResume.as_view(),
         name="staff_allocation_resume"),
    path("staff/accounting-imports/", staff.StaffAccountingImportList.as_view(),
         name="staff_import_list"),
    path("staff/accounting-imports/<int:pk>/", staff.StaffAccountingImportDetail.as_view(),
         name="staff_import_detail"),
    path("staff/outputs/", outputs.StaffOutputList.as_view(), name="staff_output_list"),
    path("staff/invoices/", billing.StaffInvoiceList.as_view(), name="staff_invoice_list"),
    # Anything else under /api/v1/: a JSON 404, not the site's page.
    re_path(r"^", NotFoundView.as_view(), name="not_found"),
]

#: The token pages of the profile (translated URLs, sessions and CSRF like every page).
token_page_patterns = ([
    path("account/api-tokens/new/", tokens.token_create, name="create"),
    path("account/api-tokens/<int:pk>/revoke/", tokens.token_revoke_view, name="revoke"),
], "api_tokens")
