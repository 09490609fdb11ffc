"""Two staff members deciding the same agreement at once, on two real connections."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections

from algoric.notifications.models import Notification
from members import services
from members.models import Agreement, AgreementEvent, OrganisationMember

from ..factories import (
    FeeScheduleFactory,
    OrganisationFactory,
    OrganisationMemberFactory,
    StaffFactory,
    TermsTemplateFactory,
)


def run_at_once(*calls, timeout=30):
    """Run each callable in its own thread (own database connection), released together.

    Returns one ``("ok", value)`` or ``("error", exception)`` per call.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=timeout)
            results[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert all(not t.is_alive() for t in threads), "a decision hung"
    return results


@pytest.fixture
def submitted(transactional_db):
    TermsTemplateFactory()
    FeeScheduleFactory()
    organisation = OrganisationFactory()
    rep = OrganisationMemberFactory(organisation=organisation,
                                    role=OrganisationMember.Role.REPRESENTATIVE).user
    agreement = services.agreement_create(organisation=organisation, actor=rep)
    services.agreement_update_draft(agreement=agreement, actor=rep,
                                    data={"signatory_name": "Soizic Le Gall",
                                          "signatory_title": "Présidente"})
    return services.agreement_submit(agreement=Agreement.objects.get(pk=agreement.pk),
                                     actor=rep)


def test_two_staff_deciding_at_once_give_exactly_one_decision(submitted):
    first, second = StaffFactory(mfa=True), StaffFactory(mfa=True)
    events_before = AgreementEvent.objects.filter(agreement=submitted).count()
    results = run_at_once(
        lambda: services.agreement_approve(agreement=submitted, actor=first),
        lambda: services.agreement_reject(agreement=submitted, actor=second,
                                          reason="Dossier incomplet."),
    )
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    if connection.vendor == "postgresql":
        assert isinstance(error, ValidationError)  # the loser is told, not crashed
    else:  # SQLite serialises writers: the loser is refused or finds the database locked
        assert isinstance(error, ValidationError | OperationalError)
    winner = next(value for kind, value in results if kind == "ok")
    stored = Agreement.objects.get(pk=submitted.pk)
    assert stored.status == winner.status
    assert AgreementEvent.objects.filter(agreement=submitted).count() == events_before + 1
    decision_events = {"agreement_approved", "agreement_rejected"}
    assert Notification.objects.filter(event__in=decision_events).count() == 1


def test_double_submitted_approval_by_the_same_person_counts_once(submitted):
    staff = StaffFactory(mfa=True)
    results = run_at_once(
        lambda: services.agreement_approve(agreement=submitted, actor=staff),
        lambda: services.agreement_approve(agreement=submitted, actor=staff),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    assert AgreementEvent.objects.filter(agreement=submitted, to_status="approved").count() == 1
