"""The audit trail: security events, staff actions, rollback, the staff page, read-only."""

import datetime as dt
import re
from decimal import Decimal
from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from algoric.pages.services import page_update
from members.models import Agreement
from members.services import agreement_approve, agreement_reject
from members.services.fees import fee_schedule_set
from resources.services.clusters import cluster_create, cluster_rotate_token

from ..factories import PASSWORD, PageFactory, UserFactory
from ..members.test_staff_views import active, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_pdf")]
SECURITY = AuditEvent.Category.SECURITY
STAFF = AuditEvent.Category.STAFF
IP = "203.0.113.5"
STRONG = "Another-Strong-pass-2026"


def events(action: str):
    return AuditEvent.objects.filter(action=action)


# --- Security events ------------------------------------------------------------------------

def test_login_success_is_recorded_with_the_client_address(client, member):
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD},
                REMOTE_ADDR=IP)
    event = events("login.succeeded").get()
    assert event.category == SECURITY
    assert event.actor == member and event.actor_label == member.email
    assert event.ip == IP and len(event.request_id) >= 8


def test_failed_login_keeps_the_typed_login_and_no_password(client, member):
    client.post(reverse("account_login"), {"login": member.email, "password": "Wrong-pass-26!"},
                REMOTE_ADDR=IP)
    client.post(reverse("account_login"), {"login": "ghost@example.org",
                                           "password": "Wrong-pass-26!"}, REMOTE_ADDR=IP)
    failed = events("login.failed")
    assert sorted(failed.values_list("actor_label", flat=True)) == [
        "ghost@example.org", member.email]
    assert all(event.actor is None and event.ip == IP for event in failed)
    assert "Wrong-pass" not in str(list(failed.values_list("detail", flat=True)))


def test_logout_is_recorded(client, member):
    client.force_login(member)
    client.post(reverse("account_logout"), REMOTE_ADDR=IP)
    event = events("logout").get()
    assert event.actor == member and event.ip == IP


def test_password_change_is_recorded(client):
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("account_change_password"),
                           {"oldpassword": PASSWORD, "password1": STRONG, "password2": STRONG},
                           REMOTE_ADDR=IP)
    assert response.status_code == HTTPStatus.FOUND
    event = events("password.changed").get()
    assert event.actor == user and event.ip == IP


def test_mfa_changes_are_recorded(member):
    request = RequestFactory().post("/", REMOTE_ADDR=IP)
    request.user = member
    authenticator = Authenticator(user=member, type=Authenticator.Type.TOTP, data={})
    authenticator_added.send(sender=Authenticator, request=request, user=member,
                             authenticator=authenticator)
    authenticator_removed.send(sender=Authenticator, request=request, user=member,
                               authenticator=authenticator)
    assert list(AuditEvent.objects.filter(actor=member).order_by("id")
                .values_list("action", "ip", "detail")) == [
        ("mfa.added", IP, {"type": "totp"}), ("mfa.removed", IP, {"type": "totp"})]


def test_denied_access_is_recorded(client, member):
    client.force_login(member)
    response = client.get(reverse("members:staff_dashboard"), REMOTE_ADDR=IP)
    assert response.status_code == HTTPStatus.FORBIDDEN
    event = events("access.denied").get()
    assert event.actor == member and event.ip == IP
    assert event.detail["path"] == reverse("members:staff_dashboard")


def test_staff_without_mfa_sent_to_enrol_is_recorded(client, staff):
    client.force_login(staff)
    response = client.get(reverse("members:staff_dashboard"))
    assert response.status_code == HTTPStatus.FOUND
    assert events("access.staff_mfa_required").get().actor == staff


def test_rate_limited_logins_are_recorded(client, member):
    url = reverse("account_login")
    codes = [client.post(url, {"login": member.email, "password": f"Wrong-{i}-pass-2026"},
                         REMOTE_ADDR=IP).status_code for i in range(6)]
    assert codes[-1] == HTTPStatus.TOO_MANY_REQUESTS
    assert events("access.rate_limited").filter(ip=IP).exists()


def test_not_found_is_recorded_for_signed_in_users_only(client, member):
    client.get("/no-such-page/")
    assert not events("access.not_found").exists()
    client.force_login(member)
    client.get("/no-such-page/")
    assert events("access.not_found").get().actor == member


def test_agreement_download_is_recorded(client, organisation, staff_with_mfa, no_pdf,  # noqa: F811
                                        monkeypatch):
    from members.services import agreement_pdf

    monkeypatch.setattr(agreement_pdf, "agreement_pdf_for_download",
                        lambda **kwargs: b"%PDF-1.4 test", raising=False)
    agreement = agreement_approve(agreement=submitted(organisation), actor=staff_with_mfa)
    client.force_login(organisation.plain_member)
    response = client.get(reverse("members:agreement_pdf", args=[agreement.pk]), REMOTE_ADDR=IP)
    assert response.status_code == HTTPStatus.OK
    event = events("agreement.downloaded").get()
    assert event.actor == organisation.plain_member and event.ip == IP
    assert event.target_label == str(agreement) and event.detail == {"file": "agreement"}


# --- Staff actions --------------------------------------------------------------------------

def test_staff_decision_is_recorded_with_who_what_and_where(client, organisation,
                                                            staff_with_mfa, no_pdf):  # noqa: F811
    agreement = submitted(organisation)
    client.force_login(staff_with_mfa)
    response = client.post(reverse("members:staff_agreement_reject", args=[agreement.pk]),
                           {"reason": "Statuts manquants."}, REMOTE_ADDR=IP)
    assert response.status_code == HTTPStatus.FOUND
    event = events("agreement.rejected").get()
    assert event.category == STAFF and event.actor == staff_with_mfa and event.ip == IP
    assert (event.target_type, event.target_id) == ("members.agreement", str(agreement.pk))
    assert event.detail == {"reason": "Statuts manquants."}


def test_staff_services_record_their_actions(organisation, staff_with_mfa, no_pdf):  # noqa: F811
    active(organisation, staff_with_mfa)
    fee_schedule_set(year=2030, amounts={"sme": Decimal("300")}, actor=staff_with_mfa)
    page = PageFactory()
    page_update(page=page, data={"title_fr": "Nouveau titre"}, version=page.version,
                actor=staff_with_mfa)
    cluster = cluster_create(name="ouessant", actor=staff_with_mfa)
    cluster_rotate_token(cluster=cluster, actor=staff_with_mfa)
    actions = set(AuditEvent.objects.filter(actor=staff_with_mfa).values_list("action",
                                                                               flat=True))
    assert {"agreement.approved", "agreement.countersigned", "fee_schedule.set",
            "page.updated", "cluster.created", "cluster.token_rotated"} <= actions
    fee = events("fee_schedule.set").get()
    assert fee.detail == {"year": 2030, "amounts": {"sme": "300.00"}}


def test_a_rolled_back_action_records_nothing(organisation, staff_with_mfa, no_pdf):  # noqa: F811
    agreement = submitted(organisation)
    with pytest.raises(RuntimeError), transaction.atomic():
        agreement_reject(agreement=agreement, actor=staff_with_mfa, reason="Non.")
        raise RuntimeError("the caller's transaction fails after the decision")
    assert not events("agreement.rejected").exists()
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.SUBMITTED


def test_a_refused_action_records_nothing(organisation, staff_with_mfa, no_pdf):  # noqa: F811
    agreement = submitted(organisation)
    with pytest.raises(Exception):  # noqa: B017 (ValidationError: no reason)
        agreement_reject(agreement=agreement, actor=staff_with_mfa, reason=" ")
    assert not AuditEvent.objects.filter(category=STAFF).exists()


# --- The staff page -------------------------------------------------------------------------

@pytest.fixture
def some_events(member, staff_with_mfa):
    made = [
        audit_record(action="login.failed", category=SECURITY, actor_label="ghost@example.org"),
        audit_record(action="agreement.approved", actor=staff_with_mfa),
        audit_record(action="agreement.rejected", actor=staff_with_mfa),
        audit_record(action="login.succeeded", category=SECURITY, actor=member),
    ]
    AuditEvent.objects.filter(pk=made[0].pk).update(ip="198.51.100.9")
    AuditEvent.objects.filter(pk=made[3].pk).update(
        created_at=timezone.now() - dt.timedelta(days=40))
    return made


def listed(response) -> list[str]:
    return [event.action for event in response.context["events"]]


def test_staff_page_lists_and_filters(client, staff_with_mfa, some_events):
    client.force_login(staff_with_mfa)
    url = reverse("audit:list")
    assert url == "/staff/audit/"
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert "ghost@example.org" in page.content.decode()
    # The four events above and the staff member's own login; viewing is not an event.
    assert listed(page) == ["login.succeeded", "agreement.rejected", "agreement.approved",
                            "login.failed", "login.succeeded"]
    assert listed(client.get(url, {"category": "security"})) == [
        "login.succeeded", "login.failed", "login.succeeded"]
    assert sorted(listed(client.get(url, {"action": "agreement."}))) == [
        "agreement.approved", "agreement.rejected"]
    assert listed(client.get(url, {"actor": "GHOST@"})) == ["login.failed"]
    assert listed(client.get(url, {"ip": "198.51.100.9"})) == ["login.failed"]
    # The day the old event falls on in the centre's time zone (40 days may cross a DST change).
    old = timezone.localdate(AuditEvent.objects.get(pk=some_events[3].pk).created_at)
    assert listed(client.get(url, {"date_from": old, "date_to": old})) == ["login.succeeded"]
    recent = listed(client.get(url, {"date_from": timezone.localdate()}))
    assert recent.count("login.succeeded") == 1  # the staff member's own, not the old one


def test_staff_page_refuses_bad_filters_with_a_message(client, staff_with_mfa, some_events):
    client.force_login(staff_with_mfa)
    response = client.get(reverse("audit:list"), {"ip": "not-an-address",
                                                  "date_from": "2026-13-45"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert listed(response) == []
    response = client.get(reverse("audit:list"), {"date_from": "2026-05-02",
                                                  "date_to": "2026-05-01"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_staff_page_paginates(client, staff_with_mfa):
    for i in range(55):
        audit_record(action=f"test.event{i}", actor=staff_with_mfa)
    client.force_login(staff_with_mfa)
    first = client.get(reverse("audit:list"), {"action": "test."})
    second = client.get(reverse("audit:list"), {"action": "test.", "page": 2})
    assert len(listed(first)) == 50 and len(listed(second)) == 5
    assert "action=test." in first.content.decode()


def test_staff_page_is_linked_from_the_staff_nav(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    assert reverse("audit:list") in client.get(reverse("members:staff_dashboard")).content.decode()


def test_members_and_anonymous_cannot_see_the_trail(client, member, staff):
    url = reverse("audit:list")
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(member)
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    client.force_login(staff)
    assert client.get(url)["Location"] == reverse("mfa_activate_totp")


def test_the_page_has_no_way_to_change_events(client, staff_with_mfa, some_events):
    client.force_login(staff_with_mfa)
    body = client.get(reverse("audit:list")).content.decode()
    forms = re.findall(r"<form[^>]*>", body)
    posts = [tag for tag in forms if 'method="post"' in tag]
    # Only the menu's logout button posts anything (the language switch is a link).
    assert len(posts) == 1
    assert reverse("account_logout") in posts[0]
    assert client.post(reverse("audit:list")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- Append-only --------------------------------------------------------------------------

def test_admin_is_read_only(client, staff_with_mfa, some_events):
    client.force_login(staff_with_mfa)
    event = some_events[1]
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == HTTPStatus.OK
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == HTTPStatus.FORBIDDEN
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert client.get(change).status_code == HTTPStatus.OK  # view only
    client.post(change, {"action": "forged"})
    assert AuditEvent.objects.get(pk=event.pk).action == "agreement.approved"
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_saving_an_existing_event_raises(some_events):
    event = AuditEvent.objects.get(pk=some_events[0].pk)
    event.action = "forged"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "login.failed"


def test_purge_deletes_only_events_past_their_retention(db, settings):
    import datetime as dt

    from django.utils import timezone

    from algoric.audit.models import AuditEvent
    from algoric.audit.services import audit_purge, audit_record

    settings.AUDIT_RETENTION_DAYS = 365
    old = audit_record(action="login.failed", category=AuditEvent.Category.SECURITY,
                       actor_label="old@example.org")
    recent = audit_record(action="login.failed", category=AuditEvent.Category.SECURITY,
                          actor_label="recent@example.org")
    AuditEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=366))
    assert audit_purge() == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert settings.CELERY_BEAT_SCHEDULE["audit-purge"]["task"] == (
        "algoric.audit.tasks.purge_audit_events")
