"""Every URL of the portal, attacked by four roles.

The URL configuration is walked (``get_resolver()``), so a new view cannot be forgotten:
each pattern must have an entry in :data:`URLS` (how to build its arguments from the
fixture world, and who may see it), or :func:`test_every_url_pattern_is_known` fails.

For each URL, as anonymous, as a member of another organisation, as a plain member of
the victim organisation (without the role the action needs) and as staff without MFA,
a GET and a POST must answer what the access rule says (login redirect, 404, 403, 405,
the MFA enrolment page), never a 5xx, never a page with the victim's private text
(:data:`MARKER`), and the POST must change nothing in the database.
"""

from __future__ import annotations

import hashlib
import re
from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import MARKER

pytestmark = pytest.mark.django_db

# --- Who may see what ---------------------------------------------------------------------

PUBLIC = "public"        # anyone; private text never shown
AUTH = "auth"            # any signed-in person, about themselves
OBJ = "obj"              # an object of the victim organisation, seen by all its members
LEAD = "lead"            # an action of the victim's representative or PI only
TOKEN = "token"          # a link with a signed token (tested forged)
STAFF = "staff"          # staff with MFA only
ADMIN = "admin"          # the Django admin
API = "api"              # the accounting push and /api/v1/ (bearer token; a session is not one)


def _w(attr, field="pk"):
    return lambda w: getattr(getattr(w, attr), field)


FORGED = "eyJpbnZpdGF0aW9uIjoxfQ:forged:signature"

#: URL name -> (access class, {kwarg: builder(world)}).
URLS: dict[str, tuple[str, dict]] = {
    "healthz": (PUBLIC, {}),
    "set_language": (PUBLIC, {}),
    "accounting_api": (API, {}),
    # allauth
    "account_login": (PUBLIC, {}),
    "account_logout": (AUTH, {}),
    "account_inactive": (PUBLIC, {}),
    "account_signup": (PUBLIC, {}),
    "account_reauthenticate": (AUTH, {}),
    "account_email": (AUTH, {}),
    "account_email_verification_sent": (PUBLIC, {}),
    "account_change_password": (AUTH, {}),
    "account_set_password": (AUTH, {}),
    "account_reset_password": (PUBLIC, {}),
    "account_confirm_login_code": (PUBLIC, {}),
    "account_confirm_email": (PUBLIC, {"key": lambda w: "forged-key"}),
    "account_reset_password_from_key_done": (PUBLIC, {}),
    "account_reset_password_from_key": (PUBLIC, {"uidb36": lambda w: "1",
                                                 "key": lambda w: "forged-key"}),
    "account_reset_password_done": (PUBLIC, {}),
    "mfa_index": (AUTH, {}),
    "mfa_authenticate": (PUBLIC, {}),
    "mfa_reauthenticate": (AUTH, {}),
    "mfa_activate_totp": (AUTH, {}),
    "mfa_deactivate_totp": (AUTH, {}),
    "mfa_view_recovery_codes": (AUTH, {}),
    "mfa_generate_recovery_codes": (AUTH, {}),
    "mfa_download_recovery_codes": (AUTH, {}),
    # notifications
    "notifications:inbox": (AUTH, {}),
    "notifications:mark_all_read": (AUTH, {}),
    # staff: requests
    "projects:staff_request_queue": (STAFF, {}),
    "projects:staff_project_list": (STAFF, {}),
    "projects:staff_allocation_list": (STAFF, {}),
    "projects:staff_request_review": (STAFF, {"pk": _w("request")}),
    "projects:staff_request_start_review": (STAFF, {"pk": _w("request")}),
    "projects:staff_request_decide": (STAFF, {"pk": _w("request")}),
    "projects:staff_request_reject": (STAFF, {"pk": _w("request")}),
    "projects:staff_request_return": (STAFF, {"pk": _w("request")}),
    "projects:staff_request_comment": (STAFF, {"pk": _w("request")}),
    "projects:staff_allocation_suspend": (STAFF, {"pk": _w("allocation")}),
    "projects:staff_allocation_resume": (STAFF, {"pk": _w("allocation")}),
    "projects:staff_allocation_detail": (STAFF, {"pk": _w("allocation")}),
    "projects:staff_allocation_reduce": (STAFF, {"pk": _w("allocation")}),
    "projects:staff_allocation_transfer": (STAFF, {"pk": _w("allocation")}),
    "projects:staff_extension_approve": (STAFF, {"pk": _w("extension")}),
    "projects:staff_extension_refuse": (STAFF, {"pk": _w("extension")}),
    # staff: resources, accounting, usage, audit
    "resources:staff_list": (STAFF, {}),
    "resources:staff_create": (STAFF, {}),
    "resources:staff_edit": (STAFF, {"pk": _w("resource")}),
    "resources:staff_toggle_active": (STAFF, {"pk": _w("resource")}),
    "resources:accounting:list": (STAFF, {}),
    "resources:accounting:detail": (STAFF, {"pk": _w("accounting_import")}),
    "resources:accounting:progress": (STAFF, {"pk": _w("accounting_import")}),
    "resources:accounting:cluster_list": (STAFF, {}),
    "resources:accounting:cluster_token": (STAFF, {"pk": _w("cluster")}),
    "projects:staff_usage_dashboard": (STAFF, {}),
    "projects:staff_unmatched_accounts": (STAFF, {}),
    "projects:staff_alias_create": (STAFF, {}),
    "projects:staff_alias_delete": (STAFF, {"pk": _w("alias")}),
    "audit:list": (STAFF, {}),
    # staff: organisations, memberships, agreements, fees, terms
    "members:staff_dashboard": (STAFF, {}),
    "members:staff_organisation_list": (STAFF, {}),
    "members:staff_organisation_review": (STAFF, {"pk": _w("org")}),
    "members:staff_membership_open": (STAFF, {"pk": _w("org")}),
    "members:staff_membership_payment": (STAFF, {"pk": _w("membership")}),
    "members:staff_membership_waive": (STAFF, {"pk": _w("membership")}),
    "members:staff_agreement_review": (STAFF, {"pk": _w("agreement")}),
    "members:staff_agreement_approve": (STAFF, {"pk": _w("agreement")}),
    "members:staff_agreement_request_changes": (STAFF, {"pk": _w("agreement")}),
    "members:staff_agreement_reject": (STAFF, {"pk": _w("agreement")}),
    "members:staff_agreement_countersign": (STAFF, {"pk": _w("agreement")}),
    "members:staff_agreement_terminate": (STAFF, {"pk": _w("agreement")}),
    "members:staff_fee_schedule": (STAFF, {}),
    "members:staff_terms_list": (STAFF, {}),
    "members:staff_terms_new": (STAFF, {}),
    "members:staff_terms_edit": (STAFF, {"pk": _w("terms")}),
    "members:staff_terms_publish": (STAFF, {"pk": _w("terms")}),
    # members
    "members:profile": (AUTH, {}),
    "members:personal_data": (AUTH, {}),
    "members:personal_data_download": (AUTH, {}),
    "members:account_delete": (AUTH, {}),
    "members:organisation_list": (AUTH, {}),
    "members:organisation_create": (AUTH, {}),
    "members:organisation_detail": (OBJ, {"pk": _w("org")}),
    "members:organisation_edit": (LEAD, {"pk": _w("org")}),
    "members:organisation_invite": (LEAD, {"pk": _w("org")}),
    "members:invitation_revoke": (LEAD, {"pk": _w("org"), "invitation_pk": _w("invitation")}),
    "members:member_role": (LEAD, {"pk": _w("org"), "member_pk": _w("org_member")}),
    "members:member_remove": (LEAD, {"pk": _w("org"), "member_pk": _w("org_member")}),
    "members:organisation_leave": (OBJ, {"pk": _w("org")}),
    "members:membership_open": (LEAD, {"pk": _w("org")}),
    "members:agreement_create": (LEAD, {"pk": _w("org")}),
    "members:invitation_accept": (TOKEN, {"token": lambda w: FORGED}),
    "members:agreement_detail": (OBJ, {"pk": _w("agreement")}),
    "members:agreement_edit": (LEAD, {"pk": _w("agreement")}),
    "members:agreement_submit": (LEAD, {"pk": _w("agreement")}),
    "members:agreement_upload": (LEAD, {"pk": _w("agreement")}),
    "members:agreement_renew": (LEAD, {"pk": _w("agreement")}),
    "members:agreement_pdf": (OBJ, {"pk": _w("agreement")}),
    "members:agreement_signed_pdf": (OBJ, {"pk": _w("agreement")}),
    # projects and requests
    "projects:project_list": (AUTH, {}),
    "projects:project_create": (AUTH, {}),
    "projects:project_detail": (OBJ, {"pk": _w("project")}),
    "projects:project_edit": (LEAD, {"pk": _w("project")}),
    "projects:project_close": (LEAD, {"pk": _w("project")}),
    "projects:project_member_add": (LEAD, {"pk": _w("project")}),
    "projects:project_member_role": (LEAD, {"pk": _w("project"),
                                            "member_pk": _w("project_member")}),
    "projects:project_member_remove": (LEAD, {"pk": _w("project"),
                                              "member_pk": _w("project_member")}),
    "projects:project_invitation_revoke": (LEAD, {"pk": _w("project"),
                                                  "invitation_pk": _w("project_invitation")}),
    "projects:invitation_accept": (TOKEN, {"token": lambda w: FORGED}),
    "projects:public_list": (PUBLIC, {}),
    "projects:public_detail": (PUBLIC, {"pk": _w("project")}),
    "projects:public_statistics": (PUBLIC, {}),
    "projects:request_create": (LEAD, {"pk": _w("project")}),
    "projects:request_detail": (OBJ, {"pk": _w("request")}),
    "projects:request_edit": (LEAD, {"pk": _w("request")}),
    "projects:request_estimate": (OBJ, {"pk": _w("request")}),
    "projects:request_submit": (LEAD, {"pk": _w("request")}),
    "projects:request_withdraw": (LEAD, {"pk": _w("request")}),
    "projects:request_comment": (OBJ, {"pk": _w("request")}),
    "projects:request_renew": (LEAD, {"pk": _w("project")}),
    "projects:activity_report_edit": (LEAD, {"pk": _w("request")}),
    "projects:allocation_extension_create": (LEAD, {"pk": _w("allocation")}),
    "projects:allocation_extension_withdraw": (LEAD, {"pk": _w("extension")}),
    "projects:project_usage": (OBJ, {"pk": _w("project")}),
    "projects:reports:project_list": (OBJ, {"pk": _w("project")}),
    "projects:reports:detail": (OBJ, {"pk": _w("report")}),
    "projects:reports:progress": (OBJ, {"pk": _w("report")}),
    "projects:reports:download": (OBJ, {"pk": _w("report"), "key": lambda w: "pdf-fr"}),
    "projects:reports:staff_list": (STAFF, {}),
    "projects:reports:staff_generate": (STAFF, {}),
    "projects:outputs:add": (OBJ, {"pk": _w("project")}),
    "projects:outputs:bibtex": (OBJ, {"pk": _w("project")}),
    "projects:outputs:hal": (OBJ, {"pk": _w("project")}),
    "projects:outputs:remove": (LEAD, {"pk": _w("project"), "output_pk": _w("output")}),
    "projects:outputs:staff_list": (STAFF, {}),
    # the REST API: a session is not a token (401); tests/api checks the tokens
    "api:me": (API, {}),
    "api:organisation_agreements": (API, {"pk": _w("org")}),
    "api:organisation_detail": (API, {"pk": _w("org")}),
    "api:organisation_list": (API, {}),
    "api:organisation_members": (API, {"pk": _w("org")}),
    "api:organisation_memberships": (API, {"pk": _w("org")}),
    "api:project_allocations": (API, {"pk": _w("project")}),
    "api:project_detail": (API, {"pk": _w("project")}),
    "api:project_list": (API, {}),
    "api:project_members": (API, {"pk": _w("project")}),
    "api:project_member_detail": (API, {"pk": _w("project"),
                                        "member_pk": _w("project_member")}),
    "api:project_request_create": (API, {"pk": _w("project")}),
    "api:project_usage": (API, {"pk": _w("project")}),
    "api:project_extensions": (API, {"pk": _w("project")}),
    "api:extension_detail": (API, {"pk": _w("extension")}),
    "api:extension_withdraw": (API, {"pk": _w("extension")}),
    "api:staff_extension_list": (API, {}),
    "api:staff_extension_approve": (API, {"pk": _w("extension")}),
    "api:staff_extension_refuse": (API, {"pk": _w("extension")}),
    "api:project_outputs": (API, {"pk": _w("project")}),
    "api:project_output_detail": (API, {"pk": _w("project"), "output_pk": _w("output")}),
    "api:project_output_imports": (API, {"pk": _w("project")}),
    "api:project_output_import_detail": (API, {"pk": _w("project"),
                                                "import_pk": _w("output_import")}),
    "api:staff_output_list": (API, {}),
    "api:report_detail": (API, {"pk": _w("report")}),
    "api:report_download": (API, {"pk": _w("report"), "key": lambda w: "pdf-fr"}),
    "api:report_list": (API, {}),
    "api:request_detail": (API, {"pk": _w("request")}),
    "api:request_list": (API, {}),
    "api:request_submit": (API, {"pk": _w("request")}),
    "api:request_withdraw": (API, {"pk": _w("request")}),
    "api:staff_agreement_approve": (API, {"pk": _w("agreement")}),
    "api:staff_agreement_countersign": (API, {"pk": _w("agreement")}),
    "api:staff_allocation_list": (API, {}),
    "api:staff_allocation_resume": (API, {"pk": _w("allocation")}),
    "api:staff_allocation_suspend": (API, {"pk": _w("allocation")}),
    "api:staff_import_detail": (API, {"pk": _w("accounting_import")}),
    "api:staff_import_list": (API, {}),
    "api:staff_membership_list": (API, {}),
    "api:staff_membership_payment": (API, {"pk": _w("membership")}),
    "api:staff_organisation_list": (API, {}),
    "api:staff_request_decide": (API, {"pk": _w("request")}),
    "api:staff_request_list": (API, {}),
    "api:staff_request_reject": (API, {"pk": _w("request")}),
    "api:staff_request_return": (API, {"pk": _w("request")}),
    "api:staff_request_review": (API, {"pk": _w("request")}),
    "api:catalogue": (PUBLIC, {}),
    "api:statistics": (PUBLIC, {}),
    "api:agenda": (PUBLIC, {}),
    "api:session_detail": (PUBLIC, {"pk": _w("session")}),
    "api:event_detail": (PUBLIC, {"pk": _w("event")}),
    "api:session_register": (API, {"pk": _w("session")}),
    "api:registration_list": (API, {}),
    "api:invoice_list": (API, {}),
    "api:invoice_detail": (API, {"pk": _w("invoice")}),
    "api:invoice_pdf": (API, {"pk": _w("invoice")}),
    "api:staff_invoice_list": (API, {}),
    "api:registration_cancel": (API, {"pk": _w("registration")}),
    "api:trainer_session_create": (API, {"pk": _w("session", "course_id")}),
    "api:staff_course_list": (API, {}),
    "api:staff_course_detail": (API, {"pk": _w("session", "course_id")}),
    "api:staff_session_create": (API, {"pk": _w("session", "course_id")}),
    "api:staff_session_detail": (API, {"pk": _w("session")}),
    "api:staff_event_list": (API, {}),
    "api:staff_event_detail": (API, {"pk": _w("event")}),
    "api:schema": (PUBLIC, {}),
    "api:docs": (PUBLIC, {}),
    "api:not_found": (PUBLIC, {}),
    # the token section of the profile page
    "api_tokens:create": (AUTH, {}),
    "api_tokens:revoke": (OBJ, {"pk": _w("api_token")}),
    # public pages
    "pages:home": (PUBLIC, {}),
    "pages:missions": (PUBLIC, {}),
    "resources:hardware": (PUBLIC, {}),
    "pages:join": (PUBLIC, {}),
    "pages:legal": (PUBLIC, {}),
    "pages:privacy": (PUBLIC, {}),
    "pages:staff_list": (STAFF, {}),
    "pages:staff_edit": (STAFF, {"slug": _w("page", "slug")}),
    # training: the public agenda, the attendee's, the trainer's and the staff's pages
    "training:agenda": (PUBLIC, {}),
    "training:agenda_ics": (PUBLIC, {}),
    "training:session_detail": (PUBLIC, {"pk": _w("session")}),
    "training:event_detail": (PUBLIC, {"pk": _w("event")}),
    "training:session_register": (AUTH, {"pk": _w("session")}),
    "training:my_registrations": (AUTH, {}),
    "training:registration_cancel": (LEAD, {"pk": _w("registration")}),
    "training:registration_certificate": (LEAD, {"pk": _w("registration")}),
    "training:registration_feedback": (LEAD, {"pk": _w("registration")}),
    "training:trainer_sessions": (AUTH, {}),
    "training:trainer_session": (LEAD, {"pk": _w("session")}),
    "training:trainer_session_edit": (LEAD, {"pk": _w("session")}),
    "training:trainer_attendance": (LEAD, {"pk": _w("session")}),
    "training:trainer_course_logins": (LEAD, {"pk": _w("session")}),
    "training:trainer_session_create": (LEAD, {"pk": _w("session", "course_id")}),
    "training:staff_training": (STAFF, {}),
    "training:staff_trainer_revoke": (STAFF, {"pk": _w("trainer")}),
    "training:staff_course_account": (STAFF, {"pk": _w("session")}),
    "training:staff_course_create": (STAFF, {}),
    "training:staff_course_edit": (STAFF, {"pk": _w("session", "course_id")}),
    "training:staff_session_create": (STAFF, {"pk": _w("session", "course_id")}),
    "training:staff_session_edit": (STAFF, {"pk": _w("session")}),
    "training:staff_event_create": (STAFF, {}),
    "training:staff_event_edit": (STAFF, {"pk": _w("event")}),
    # billing: invoices for representatives, quotes for them and the project's leads
    "billing:organisation_invoices": (LEAD, {"pk": _w("org")}),
    "billing:invoice_pdf": (LEAD, {"pk": _w("invoice")}),
    "billing:receipt_pdf": (LEAD, {"pk": _w("invoice")}),
    "billing:quote_request": (LEAD, {"pk": _w("request")}),
    "billing:quote_pdf": (LEAD, {"pk": _w("quote")}),
    "billing:quote_accept": (LEAD, {"pk": _w("quote")}),
    "billing:staff_invoice_list": (STAFF, {}),
    "billing:staff_invoice_create": (STAFF, {}),
    "billing:staff_exports": (STAFF, {}),
    "billing:staff_invoice_detail": (STAFF, {"pk": _w("invoice")}),
    "billing:staff_invoice_add_line": (STAFF, {"pk": _w("invoice")}),
    "billing:staff_invoice_issue": (STAFF, {"pk": _w("invoice")}),
    "billing:staff_invoice_payment": (STAFF, {"pk": _w("invoice")}),
    "billing:staff_invoice_credit": (STAFF, {"pk": _w("invoice")}),
}


# --- Walking the URL configuration --------------------------------------------------------

def url_patterns() -> list[tuple[str, str]]:
    """Every (route, name) of the URL configuration; ``name`` is ``namespace:name`` (empty
    name after the namespace for the admin's unnamed patterns)."""
    found = []

    def walk(resolver, prefix, namespace):
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                ns = namespace + (f"{item.namespace}:" if item.namespace else "")
                walk(item, prefix + str(item.pattern), ns)
            elif isinstance(item, URLPattern):
                found.append((prefix + str(item.pattern), namespace + (item.name or "")))

    walk(get_resolver(), "", "")
    return found


def is_admin(route: str) -> bool:
    return route.startswith("admin/")


def test_every_url_pattern_is_known():
    """A new view must be added to :data:`URLS` (who may see it, how to build its URL)."""
    unknown = sorted({name or route for route, name in url_patterns()
                      if not is_admin(route) and name not in URLS})
    assert not unknown, (
        "URL patterns without an entry in tests/security/test_url_access.py URLS "
        f"(add how to build their arguments and who may see them): {unknown}")
    stale = sorted(set(URLS) - {name for _route, name in url_patterns()})
    assert not stale, f"entries of URLS that no longer exist: {stale}"


_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def admin_path(route: str) -> str:
    """A concrete path for an admin route: ``object_id`` is the first object of the model
    (or 1), ``app_label`` the first label of the pattern, ``content_type_id`` a real id."""
    model = None
    parts = route.split("/")
    if len(parts) > 3:
        try:
            model = apps.get_model(parts[1], parts[2])
        except (LookupError, ValueError):
            model = None

    def value(name, choices=""):
        if name in {"object_id", "id"}:
            first = model.objects.order_by("pk").first() if model else None
            return str(first.pk) if first else "1"
        if name == "content_type_id":
            return str(ContentType.objects.get_for_model(apps.get_model("members", "User")).pk)
        if name == "app_label":
            return choices.split("|")[0]
        if name == "url":
            return "no-such-page"
        raise AssertionError(f"admin route {route!r}: no value for {name!r}")

    path = _GROUP.sub(lambda m: value(m.group(1), m.group(2)), route)
    path = _CONVERTER.sub(lambda m: value(m.group(1)), path)
    return "/" + path.replace("^", "").replace("$", "")


# --- The attack ----------------------------------------------------------------------------

ROLES = ("anonymous", "other_org", "plain_member", "staff_nomfa")


def client_for(role: str, world) -> Client:
    client = Client()
    user = {"other_org": world.outsider, "plain_member": world.plain,
            "staff_nomfa": world.staff_nomfa}.get(role)
    if user is not None:
        client.force_login(user)
    return client


#: The tables an attacker's POST could change (what the access rule protects).
GUARDED = (
    "members.Organisation", "members.OrganisationMember", "members.Invitation",
    "members.Membership", "members.Agreement", "members.TermsTemplate", "members.FeeSchedule",
    "projects.Project", "projects.ProjectMember", "projects.ProjectInvitation",
    "projects.ResourceRequest", "projects.ResourceRequestCell", "projects.RequestComment",
    "projects.Allocation", "projects.AllocationExtension", "projects.AllocationGrant",
    "projects.ActivityReport", "projects.AccountAlias", "projects.UsageReport",
    "projects.ResearchOutput",
    "resources.Resource", "resources.Cluster", "resources.AccountingImport", "pages.Page",
    "api.PersonalAccessToken",
    "billing.Invoice", "billing.InvoiceLine", "billing.Payment", "billing.Quote",
    "mfa.Authenticator", "account.EmailAddress", "training.Session", "training.Registration",
    "training.Trainer", "training.CourseLogin", "training.Feedback", "training.Course",
    "training.Event",
)


def fingerprint() -> str:
    """A digest of every row of the :data:`GUARDED` tables, and of the people."""
    digest = hashlib.sha256()
    for label in GUARDED:
        for row in apps.get_model(label).objects.order_by("pk").values_list():
            digest.update(repr((label, row)).encode())
    for row in apps.get_model("members.User").objects.order_by("pk").values_list(
            "pk", "email", "password", "is_staff", "is_superuser", "is_active"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def is_login_redirect(response) -> bool:
    return (response.status_code == HTTPStatus.FOUND
            and "/accounts/login/" in response["Location"])


def is_mfa_redirect(response) -> bool:
    return (response.status_code == HTTPStatus.FOUND
            and "/accounts/2fa/" in response["Location"])


def is_admin_login_redirect(response) -> bool:
    return (response.status_code == HTTPStatus.FOUND
            and ("/admin/login/" in response["Location"]
                 or "/accounts/login/" in response["Location"]))


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def check(kind: str, role: str, method: str, response) -> str | None:
    """Why ``response`` breaks the access rule, or ``None`` when it is right."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if role == "anonymous":
        if kind in {AUTH, OBJ, LEAD, TOKEN, STAFF}:
            ok = is_login_redirect(response) or (kind == AUTH
                                                 and status in {302, 400, 403, 405})
            return None if ok else f"expected a login redirect, got {status}"
        if kind == ADMIN:
            return None if is_admin_login_redirect(response) else f"got {status}"
        if kind == API:
            return None if status in {401, 405} else f"expected 401/405, got {status}"
        return None
    if kind == STAFF:
        if role == "staff_nomfa":
            return None if is_mfa_redirect(response) else f"expected the MFA page, got {status}"
        return None if status == HTTPStatus.FORBIDDEN else f"expected 403, got {status}"
    if kind == ADMIN:
        if role == "staff_nomfa":
            return None if is_mfa_redirect(response) else f"expected the MFA page, got {status}"
        return None if is_admin_login_redirect(response) else f"expected admin login, {status}"
    if kind == API:
        return None if status in {401, 405} else f"expected 401/405, got {status}"
    if kind == TOKEN:
        return None if status in {400, 404} else f"expected 400/404, got {status}"
    if kind in {OBJ, LEAD}:
        if role == "plain_member" and kind == OBJ:
            return None
        # 405 (wrong method) reveals nothing; a 302 back with a message is checked by the
        # database fingerprint (the action must not have happened).
        allowed = {404, 405}
        if role != "other_org":
            allowed |= {403}
        if role == "plain_member" and method == "POST":
            allowed |= {302}
        if status in allowed or (role == "staff_nomfa" and is_mfa_redirect(response)):
            return None
        return f"expected {sorted(allowed)}, got {status}"
    return None


def attack(path: str, kind: str, world) -> list[str]:
    """GET and POST ``path`` as every role; the list of broken rules. The POSTs of the
    attackers must leave the :data:`GUARDED` tables as they were."""
    problems = []
    before = fingerprint()
    for role in ROLES:
        client = client_for(role, world)
        for method in ("GET", "POST"):
            if role == "plain_member" and kind in {OBJ, AUTH, PUBLIC} and method == "POST":
                continue  # the victim's own members may act on these
            if role != "anonymous" and kind in {AUTH, PUBLIC} and method == "POST":
                continue  # acting on one's own account is allowed
            response = client.generic(method, path)
            why = check(kind, role, method, response)
            if why:
                problems.append(f"{role} {method} {path}: {why}")
            if (kind != PUBLIC and role != "plain_member") or kind == TOKEN:
                text = "" if 300 <= response.status_code < 400 else body(response)
                if MARKER.lower() in text.lower():
                    problems.append(f"{role} {method} {path}: private text in the page")
    if before != fingerprint():
        problems.append(f"{path}: an attacker's request changed the database")
    return problems


NAMED = sorted({name for route, name in url_patterns()
                if not is_admin(route) and name in URLS})


@pytest.mark.parametrize("name", NAMED)
def test_url_refuses_attackers(name, world):
    kind, builders = URLS[name]
    path = reverse(name, kwargs={key: build(world) for key, build in builders.items()})
    problems = attack(path, kind, world)
    assert not problems, "\n".join(problems)


def test_public_pages_show_no_private_text(world):
    """The public pages (project list and details, statistics, home) never show the
    victim's private project, to anyone."""
    for name, (kind, builders) in URLS.items():
        if kind != PUBLIC or name in {"set_language"}:
            continue
        path = reverse(name, kwargs={key: build(world) for key, build in builders.items()})
        for role in ROLES:
            response = client_for(role, world).get(path)
            assert response.status_code < 500, (role, path)
            assert MARKER.lower() not in body(response).lower(), (role, path)


ADMIN_ROUTES = sorted({route for route, _name in url_patterns() if is_admin(route)})


def test_admin_is_registered():
    assert admin.site._registry and ADMIN_ROUTES


@pytest.mark.parametrize("route", ADMIN_ROUTES)
def test_admin_url_refuses_attackers(route, world):
    path = admin_path(route)
    problems = [p for p in attack(path, ADMIN, world)
                if not (route in {"admin/login/", "admin/logout/", "admin/jsi18n/"}
                        and "staff_nomfa" not in p)]
    assert not problems, "\n".join(problems)
