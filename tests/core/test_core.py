"""algoric.core: the workflow transition, the staff check and the registries."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import timezone, translation

from algoric.core import registries
from algoric.core.staff import is_verified_staff, require_staff, staff_context
from algoric.core.workflow import TransitionError, transition
from members.models import Membership, MembershipEvent
from members.services import agreement_approve
from projects.models import RequestEvent
from tests.factories import (
    AgreementFactory,
    MembershipFactory,
    ResourceRequestFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALLOWED = {"pending": {"paid", "lapsed"}, "lapsed": {"paid"}, "paid": set()}


@pytest.fixture
def membership():
    return MembershipFactory()


def test_transition_writes_the_status_the_fields_and_one_event(membership):
    actor = UserFactory()
    before = membership.updated_at
    done = transition(membership, to="paid", actor=actor, allowed=ALLOWED,
                      event_model=MembershipEvent, note="virement 42",
                      fields={"paid_on": dt.date(2026, 3, 1), "payment_reference": "VIR-42"})
    assert done.previous == "pending"
    fresh = Membership.objects.get(pk=membership.pk)
    assert (fresh.status, fresh.paid_on, fresh.payment_reference) == (
        "paid", dt.date(2026, 3, 1), "VIR-42")
    assert fresh.updated_at >= before  # auto_now fields are set by the UPDATE too
    assert done.instance == fresh and done.instance.status == "paid"
    event = MembershipEvent.objects.get(membership=membership)
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        actor, "pending", "paid", "virement 42")


def test_transition_refuses_what_the_table_forbids_and_changes_nothing(membership):
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        transition(membership, to="waived", actor=None, allowed=ALLOWED,
                   event_model=MembershipEvent)
    assert "cannot become" in refused.value.messages[0]
    assert "waived" in refused.value.messages[0]
    assert Membership.objects.get(pk=membership.pk).status == "pending"
    assert not MembershipEvent.objects.exists()


def test_transition_uses_the_callers_refusal_message(membership):
    with pytest.raises(TransitionError, match="no way back"):
        transition(membership, to="waived", actor=None, allowed=ALLOWED,
                   event_model=MembershipEvent, refusal=lambda locked, to: "no way back")


def test_transition_checks_the_version_the_actor_saw():
    request = ResourceRequestFactory()
    REQUEST_ALLOWED = {"draft": {"submitted"}}  # noqa: N806
    with translation.override("en"), pytest.raises(TransitionError,
                                                    match="changed since you opened it"):
        transition(request, to="submitted", actor=None, allowed=REQUEST_ALLOWED,
                   event_model=RequestEvent, version_field="version",
                   expected_version=request.version + 1)
    done = transition(request, to="submitted", actor=None, allowed=REQUEST_ALLOWED,
                      event_model=RequestEvent, version_field="version",
                      expected_version=request.version)
    assert done.instance.version == request.version + 1


def test_the_staff_check_needs_a_signed_in_staff_member_with_totp():
    staff = StaffFactory()
    assert not is_verified_staff(None)
    assert not is_verified_staff(AnonymousUser())
    assert not is_verified_staff(UserFactory())
    assert not is_verified_staff(staff)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP,
                                 data={"secret": "x"}, created_at=timezone.now())
    assert is_verified_staff(staff)


def test_templates_read_the_staff_check_lazily(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = StaffFactory()
    with django_assert_num_queries(0):
        context = staff_context(request)
    with django_assert_num_queries(1):
        assert not context["is_verified_staff"]


def test_registries_replace_a_second_registration(monkeypatch):
    monkeypatch.setattr(registries, "_DASHBOARD", {})
    first = registries.DashboardSection(template="x.html", context=lambda request: {"n": 1})
    second = registries.DashboardSection(template="x.html", context=lambda request: {"n": 2},
                                         order=1)
    registries.register_dashboard_section(first)
    registries.register_dashboard_section(second)
    assert registries.dashboard_sections(None) == [{"template": "x.html", "context": {"n": 2}}]


def test_the_apps_fill_the_registries_when_ready():
    assert {"projects", "resource_requests", "request_comments"} <= set(
        registries.personal_data_sections())
    assert "clusters" in registries.health_checks()
    templates = [section["template"] for section in registries.dashboard_sections(
        RequestFactory().get("/"))]
    assert templates == ["resources/staff/_dashboard_clusters.html",
                         "projects/staff/_dashboard_requests.html",
                         "billing/staff/_dashboard_billing.html"]  # by their order
    assert [name for name, _builder in registries.demo_builders()] == ["training", "billing"]
    assert len(registries.deletion_blocker_checks()) >= 1
    assert len(registries.deletion_hooks()) >= 1


def test_a_staff_service_refuses_staff_without_totp():
    """The services use the same check as the pages: no decision by an unverified
    staff account, whoever calls the service (admin, command, API)."""
    agreement = AgreementFactory(status="submitted")
    with pytest.raises(PermissionDenied):
        require_staff(StaffFactory())
    with pytest.raises(PermissionDenied):
        agreement_approve(agreement=agreement, actor=StaffFactory())
    agreement.refresh_from_db()
    assert agreement.status == "submitted"
    require_staff(StaffFactory(mfa=True))
