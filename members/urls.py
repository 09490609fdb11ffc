"""Routes of the members app: profile, organisations, invitations, memberships and
agreements, and the staff pages (``/staff/``: dashboard, decisions, payments, fees, terms;
named ``staff_…``).

Included at the site root inside ``i18n_patterns`` (French without prefix, English under ``/en/``).
"""

from django.urls import path

from .views import agreements, invitations, organisations, personal_data, profile, staff

app_name = "members"

urlpatterns = [
    path("account/profile/", profile.profile, name="profile"),
    path("account/my-data/", personal_data.personal_data, name="personal_data"),
    path("account/my-data/download/", personal_data.personal_data_download,
         name="personal_data_download"),
    path("account/delete/", personal_data.account_delete, name="account_delete"),
    # Organisations
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create_view,
         name="organisation_create"),
    path("organisations/<int:pk>/", organisations.organisation_detail,
         name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisations.organisation_edit,
         name="organisation_edit"),
    path("organisations/<int:pk>/invite/", organisations.organisation_invite,
         name="organisation_invite"),
    path("organisations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
         organisations.organisation_invitation_revoke, name="invitation_revoke"),
    path("organisations/<int:pk>/members/<int:member_pk>/role/",
         organisations.organisation_member_role, name="member_role"),
    path("organisations/<int:pk>/members/<int:member_pk>/remove/",
         organisations.organisation_member_remove_view, name="member_remove"),
    path("organisations/<int:pk>/leave/", organisations.organisation_leave,
         name="organisation_leave"),
    path("organisations/<int:pk>/memberships/open/", organisations.organisation_membership_open,
         name="membership_open"),
    path("organisations/<int:pk>/agreements/new/", organisations.organisation_agreement_create,
         name="agreement_create"),
    # Invitations
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    # Agreements
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", agreements.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/submit/", agreements.agreement_submit_view,
         name="agreement_submit"),
    path("agreements/<int:pk>/upload/", agreements.agreement_upload, name="agreement_upload"),
    path("agreements/<int:pk>/renew/", agreements.agreement_renew_view, name="agreement_renew"),
    path("agreements/<int:pk>/agreement.pdf", agreements.agreement_pdf, name="agreement_pdf"),
    path("agreements/<int:pk>/signed.pdf", agreements.agreement_signed_pdf,
         name="agreement_signed_pdf"),
    # Staff pages
    path("staff/", staff.dashboard, name="staff_dashboard"),
    path("staff/organisations/", staff.organisation_list, name="staff_organisation_list"),
    path("staff/organisations/<int:pk>/", staff.organisation_review,
         name="staff_organisation_review"),
    path("staff/organisations/<int:pk>/memberships/open/", staff.membership_open_view,
         name="staff_membership_open"),
    path("staff/memberships/<int:pk>/payment/", staff.membership_payment,
         name="staff_membership_payment"),
    path("staff/memberships/<int:pk>/waive/", staff.membership_waive_view,
         name="staff_membership_waive"),
    path("staff/agreements/<int:pk>/", staff.agreement_review, name="staff_agreement_review"),
    path("staff/agreements/<int:pk>/approve/", staff.agreement_approve_view,
         name="staff_agreement_approve"),
    path("staff/agreements/<int:pk>/request-changes/", staff.agreement_request_changes_view,
         name="staff_agreement_request_changes"),
    path("staff/agreements/<int:pk>/reject/", staff.agreement_reject_view,
         name="staff_agreement_reject"),
    path("staff/agreements/<int:pk>/countersign/", staff.agreement_countersign_view,
         name="staff_agreement_countersign"),
    path("staff/agreements/<int:pk>/terminate/", staff.agreement_terminate_view,
         name="staff_agreement_terminate"),
    path("staff/fees/", staff.fee_schedule, name="staff_fee_schedule"),
    path("staff/terms/", staff.terms_list, name="staff_terms_list"),
    path("staff/terms/new/", staff.terms_new, name="staff_terms_new"),
    path("staff/terms/<int:pk>/", staff.terms_edit, name="staff_terms_edit"),
    path("staff/terms/<int:pk>/publish/", staff.terms_publish_view, name="staff_terms_publish"),
]
