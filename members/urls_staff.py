"""Staff pages of the members app (dashboard, decisions, payments, fees, terms)."""

from django.urls import path

from .views import staff

app_name = "staff"

urlpatterns = [
    path("", staff.dashboard, name="dashboard"),
    path("organisations/", staff.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", staff.organisation_review, name="organisation_review"),
    path("organisations/<int:pk>/memberships/open/", staff.membership_open_view,
         name="membership_open"),
    path("memberships/<int:pk>/payment/", staff.membership_payment, name="membership_payment"),
    path("memberships/<int:pk>/waive/", staff.membership_waive_view, name="membership_waive"),
    path("agreements/<int:pk>/", staff.agreement_review, name="agreement_review"),
    path("agreements/<int:pk>/approve/", staff.agreement_approve_view, name="agreement_approve"),
    path("agreements/<int:pk>/request-changes/", staff.agreement_request_changes_view,
         name="agreement_request_changes"),
    path("agreements/<int:pk>/reject/", staff.agreement_reject_view, name="agreement_reject"),
    path("agreements/<int:pk>/countersign/", staff.agreement_countersign_view,
         name="agreement_countersign"),
    path("agreements/<int:pk>/terminate/", staff.agreement_terminate_view,
         name="agreement_terminate"),
    path("fees/", staff.fee_schedule, name="fee_schedule"),
    path("terms/", staff.terms_list, name="terms_list"),
    path("terms/new/", staff.terms_new, name="terms_new"),
    path("terms/<int:pk>/", staff.terms_edit, name="terms_edit"),
    path("terms/<int:pk>/publish/", staff.terms_publish_view, name="terms_publish"),
]
