"""Redis stopped and frozen, SMTP down and silent — against gunicorn and a Celery worker
running the production settings (see conftest.py).

Members submit requests and staff approve agreements while the fault lasts: every page
answers within 3 s, every change is saved, and once the server is back every
notification is delivered exactly once. The recovery times are printed (``RECOVERY``).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from algoric.notifications.models import Notification
from algoric.notifications.tasks import notification_sweep

from ..factories import (
    FeeScheduleFactory,
    OrganisationFactory,
    OrganisationMemberFactory,
    TermsTemplateFactory,
)
from ..worker.conftest import _database_url, producer_broker, wait_for
from .conftest import (
    PAGE_BUDGET,
    Browser,
    SilentSmtp,
    SmtpSink,
    portal_env,
    record_recovery,
    running_portal,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(420),
              pytest.mark.usefixtures("public_pages")]


# --- The scene ---------------------------------------------------------------------------

def scene(*, drafts: int, agreements: int):
    """An organisation allowed to compute with a project whose PI has ``drafts`` draft
    requests ready to submit, and ``agreements`` other organisations each with a submitted
    agreement for staff to approve."""
    from members.models import Agreement, Membership
    from projects.models import (
        Project,
        ProjectMember,
        ResourceRequest,
        ResourceRequestCell,
        ResourceRequestRow,
    )
    from resources.models import Resource, ResourcePrice

    terms = TermsTemplateFactory()
    FeeScheduleFactory()
    today = timezone.localdate()
    org = OrganisationFactory()
    pi = OrganisationMemberFactory(organisation=org, role="representative").user
    Membership.objects.create(organisation=org, year=today.year, fee=250, status="paid",
                              paid_on=today, payment_reference="VIR-1")
    Agreement.objects.create(number=f"AG-{today.year}-7001", organisation=org, kind=org.kind,
                             terms=terms, status="active", starts_on=today,
                             ends_on=today + dt.timedelta(days=364))
    resource = Resource.objects.create(name="CPU panne", kind="cpu",
                                       capacity_per_year=Decimal(1_000_000),
                                       watts_per_core=Decimal("10"), order=1)
    ResourcePrice.objects.create(resource=resource, organisation_kind=org.kind,
                                 price_per_unit=Decimal("0.01"))
    project = Project.objects.create(
        title="Projet panne", acronym="PANNE", summary="Résumé.", field="earth",
        organisation=org, starts_on=dt.date(today.year, 1, 1),
        ends_on=dt.date(today.year + 1, 12, 31), slurm_account="panne", status="active")
    ProjectMember.objects.create(project=project, user=pi, role="pi")
    requests_ = []
    for _ in range(drafts):
        request = ResourceRequest.objects.create(project=project, status="draft",
                                                 justification="Pour la science.",
                                                 created_by=pi)
        row = ResourceRequestRow.objects.create(request=request, resource=resource)
        ResourceRequestCell.objects.create(row=row, year=today.year, requested=Decimal(1000))
        requests_.append(request)
    submitted = []
    for index in range(agreements):
        other = OrganisationFactory()
        OrganisationMemberFactory(organisation=other, role="representative")
        submitted.append(Agreement.objects.create(
            number=f"AG-{today.year}-71{index:02d}", organisation=other, kind=other.kind,
            terms=terms, status="submitted", signatory_name="Anne Le Goff",
            signatory_title="Gérante"))
    return pi, requests_, submitted


def act(member: Browser, staff: Browser, requests_, agreements, *, pages=True) -> None:
    """Submit each request (member) and approve each agreement (staff), and read a few
    pages; every answer must be a redirect (the change done) or a page."""
    for request in requests_:
        response = member.post(f"/requests/{request.pk}/submit/")
        assert response.status_code == 302, (response.status_code, response.text[:500])
    for agreement in agreements:
        response = staff.post(f"/staff/agreements/{agreement.pk}/approve/", {"note": ""})
        assert response.status_code == 302, (response.status_code, response.text[:500])
    if pages:
        for browser, path in ((member, "/projects/"), (member, "/"), (staff, "/staff/"),
                              (staff, "/staff/projects/"), (member, "/accounts/login/")):
            assert browser.get(path).status_code in {200, 302}, path


def warm_up(*browsers: Browser) -> None:
    """Load each gunicorn process's code and templates before anything is timed."""
    for browser in browsers:
        for path in ("/", "/projects/", "/staff/", "/accounts/login/") * 3:
            browser.get(path)
        browser.timings.clear()


def assert_fast(*browsers: Browser) -> float:
    slowest = max((b.slowest() for b in browsers if b.timings), key=lambda t: t[1])
    assert slowest[1] < PAGE_BUDGET, f"{slowest[0]} took {slowest[1]:.2f} s"
    return slowest[1]


def assert_saved(requests_, agreements) -> None:
    from members.models import Agreement
    from projects.models import ResourceRequest

    assert set(ResourceRequest.objects.filter(pk__in=[r.pk for r in requests_])
               .values_list("status", flat=True)) == {"submitted"}
    assert set(Agreement.objects.filter(pk__in=[a.pk for a in agreements])
               .values_list("status", flat=True)) == {"approved"}


def deliver_all(sink: SmtpSink, since, broker_url: str, *, timeout: float = 120) -> float:
    """Sweep every 2 s (what beat does every minute) until every notification created
    since ``since`` is sent and received; the seconds it took."""
    started = time.monotonic()

    def done():
        with producer_broker(broker_url):
            notification_sweep(now=timezone.now() + dt.timedelta(seconds=10))
        pending = Notification.objects.filter(created_at__gte=since).exclude(status="sent")
        return not pending.exists() and sink.count() >= Notification.objects.filter(
            created_at__gte=since).count()

    assert wait_for(done, timeout=timeout, interval=2.0), list(
        Notification.objects.filter(created_at__gte=since).values_list(
            "event", "status", "attempts", "last_error"))
    return time.monotonic() - started


def assert_once(sink: SmtpSink, since) -> None:
    """Each notification arrived once: as many messages per address as notifications."""
    time.sleep(2)  # a duplicate, if any, has the time to arrive
    expected = Counter(Notification.objects.filter(created_at__gte=since)
                       .values_list("email", flat=True))
    received = Counter(address for rcpt, _m in sink.messages for address in rcpt)
    assert received == expected, (received, expected)


# --- Redis -------------------------------------------------------------------------------

@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_redis_down_pages_answer_changes_are_saved_and_mail_arrives_once(
        fault, staff_with_mfa, private_redis_server, smtp_sink, fault_var_dir, tmp_path):
    redis = private_redis_server
    pi, requests_, agreements = scene(drafts=4, agreements=4)
    env = portal_env(var_dir=fault_var_dir, database_url=_database_url(), broker_url=redis.url,
                     email_url=f"smtp://127.0.0.1:{smtp_sink.port}")
    with running_portal(tmp_path, env) as portal:
        member, staff = Browser(portal, pi), Browser(portal, staff_with_mfa)
        # With Redis up: the control.
        since = timezone.now()
        act(member, staff, requests_[:1], agreements[:1])
        deliver_all(smtp_sink, since, redis.url, timeout=60)
        member.timings.clear()
        staff.timings.clear()
        smtp_sink.messages.clear()

        since = timezone.now()
        if fault == "stopped":
            redis.stop()
        else:
            os.killpg(redis.process.pid, signal.SIGSTOP)
        try:
            act(member, staff, requests_[1:], agreements[1:])
            slowest = assert_fast(member, staff)
            assert_saved(requests_, agreements)
            sent_during = Notification.objects.filter(created_at__gte=since, status="sent")
            assert not sent_during.exists()
        finally:
            if fault == "stopped":
                redis.start()
            else:
                os.killpg(redis.process.pid, signal.SIGCONT)
        back = time.monotonic()
        took = deliver_all(smtp_sink, since, redis.url)
        record_recovery(f"Redis {fault}", "every notification delivered after Redis is back "
                        f"(slowest page during the fault {slowest:.2f} s)",
                        time.monotonic() - back)
        assert_once(smtp_sink, since)
        assert took < 120


# --- SMTP --------------------------------------------------------------------------------

@pytest.mark.parametrize("fault", ["down", "silent"])
def test_smtp_down_or_silent_requests_succeed_and_mail_arrives_once_back(
        fault, staff_with_mfa, private_redis_server, fault_var_dir, tmp_path):
    redis = private_redis_server
    pi, requests_, agreements = scene(drafts=3, agreements=3)
    sink = SmtpSink()
    silent = SilentSmtp(port=sink.port) if fault == "silent" else None
    if silent:
        silent.start()
    env = portal_env(var_dir=fault_var_dir, database_url=_database_url(), broker_url=redis.url,
                     email_url=f"smtp://127.0.0.1:{sink.port}")
    try:
        with running_portal(tmp_path, env) as portal:
            member, staff = Browser(portal, pi), Browser(portal, staff_with_mfa)
            warm_up(member, staff)
            since = timezone.now()
            act(member, staff, requests_[:1], agreements[:1])  # warms the PDF code up too
            member.timings.clear()
            staff.timings.clear()
            act(member, staff, requests_[1:], agreements[1:])
            slowest = assert_fast(member, staff)
            assert_saved(requests_, agreements)
            # The worker tries, fails (refused, or times out after EMAIL_TIMEOUT), retries.
            assert wait_for(lambda: Notification.objects.filter(
                created_at__gte=since, attempts__gte=1).exists(), timeout=60)
            assert not Notification.objects.filter(created_at__gte=since,
                                                   status="sent").exists()
            if silent:
                silent.stop()
            sink.start()
            back = time.monotonic()
            deliver_all(sink, since, redis.url, timeout=180)
            record_recovery(f"SMTP {fault}", "every notification delivered after SMTP is back "
                            f"(slowest page during the fault {slowest:.2f} s)",
                            time.monotonic() - back)
            assert_once(sink, since)
    finally:
        sink.stop()
        if silent:
            silent.stop()


def test_queuing_never_waits_for_a_send_in_progress(private_redis_server):
    """A worker holds a notification's row while it talks to a hung SMTP server (up to
    ``EMAIL_TIMEOUT``); queuing that notification again from a request (or the sweeper)
    returns at once instead of waiting for the row. Found by the worker-killed email test:
    a member's submit took 10 s behind a worker stuck on a silent SMTP server."""
    import threading

    from django.db import connection, transaction

    from algoric.notifications.services import notify
    from algoric.notifications.tasks import notification_enqueue

    from ..factories import UserFactory

    user = UserFactory()
    with producer_broker(private_redis_server.url):
        notification = notify(event="welcome", recipient=user)
    held, release = threading.Event(), threading.Event()

    def worker_sending():
        try:
            with transaction.atomic():
                list(Notification.objects.select_for_update().filter(pk=notification.pk))
                held.set()
                release.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=worker_sending)
    thread.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        with producer_broker(private_redis_server.url):
            assert notification_enqueue(notification_id=notification.pk) is True
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        thread.join(timeout=30)
