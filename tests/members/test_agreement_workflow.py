"""The agreement workflow: every transition allowed and refused, numbers, reminders."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from pypdf import PdfWriter

from algoric.notifications.models import Notification
from members import services
from members.models import Agreement, AgreementEvent
from members.selectors import representatives
from members.services.agreement_signing import add_one_year
from members.services.agreements import ALLOWED, agreement_number_next

pytestmark = pytest.mark.django_db
Status = Agreement.Status


def pdf_upload(name="signed.pdf"):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def rep_of(agreement):
    """The first representative of the agreement's organisation."""
    return representatives(agreement.organisation)[0]


def advance(agreement, reviewer, to):
    """Take an agreement through the real services up to status ``to``."""
    rep = rep_of(agreement)
    steps = [
        (Status.SUBMITTED, lambda a: services.agreement_submit(agreement=a, actor=rep)),
        (Status.APPROVED, lambda a: services.agreement_approve(agreement=a, actor=reviewer)),
        (Status.SIGNED, lambda a: services.agreement_upload_signed(agreement=a, actor=rep,
                                                                   uploaded=pdf_upload())),
        (Status.ACTIVE, lambda a: services.agreement_countersign(agreement=a, actor=reviewer)),
    ]
    for status, step in steps:
        if agreement.status == to:
            break
        agreement = step(agreement)
        assert agreement.status == status
    return agreement


def test_numbers_are_sequential_per_year_and_never_reused(organisation):
    with transaction.atomic():
        first = agreement_number_next(year=2031)
        second = agreement_number_next(year=2031)
        other_year = agreement_number_next(year=2032)
    assert (first, second, other_year) == ("AG-2031-0001", "AG-2031-0002", "AG-2032-0001")
    agreement = services.agreement_create(organisation=organisation,
                                          actor=organisation.representative)
    number = agreement.number
    agreement.delete()
    again = services.agreement_create(organisation=organisation,
                                      actor=organisation.representative)
    assert again.number != number


def test_draft_records_terms_kind_and_history(draft, organisation):
    assert draft.status == Status.DRAFT
    assert draft.kind == organisation.kind
    assert draft.terms.is_published and draft.terms.kind == organisation.kind
    assert draft.number.startswith(f"AG-{timezone.localdate().year}-")
    event = draft.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "draft",
                                                                 organisation.representative)


def test_only_one_agreement_in_progress(draft, organisation):
    with pytest.raises(ValidationError, match="déjà en cours|already in progress"):
        services.agreement_create(organisation=organisation, actor=organisation.representative)


def test_only_representatives_start_and_submit(draft, organisation):
    for person in (organisation.referent, organisation.plain_member):
        with pytest.raises(PermissionDenied):
            services.agreement_submit(agreement=draft, actor=person)
    assert Agreement.objects.get(pk=draft.pk).status == Status.DRAFT


def test_submit_requires_signatory(organisation):
    agreement = services.agreement_create(organisation=organisation,
                                          actor=organisation.representative)
    services.agreement_update_draft(agreement=agreement, actor=organisation.representative,
                                    data={"signatory_name": "", "signatory_title": ""})
    with pytest.raises(ValidationError, match="signe|sign"):
        services.agreement_submit(agreement=Agreement.objects.get(pk=agreement.pk),
                                  actor=organisation.representative)


def test_full_workflow_notifies_and_records_history(draft, reviewer, organisation,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        active = advance(draft, reviewer, Status.ACTIVE)
    assert active.starts_on == timezone.localdate()
    assert active.ends_on == add_one_year(active.starts_on) - dt.timedelta(days=1)
    assert [(e.from_status, e.to_status) for e in active.events.all()] == [
        ("", "draft"), ("draft", "submitted"), ("submitted", "approved"),
        ("approved", "signed"), ("signed", "active")]
    events = {(n.event, n.email) for n in Notification.objects.all()}
    assert ("agreement_submitted", reviewer.email) in events
    assert ("agreement_signed", reviewer.email) in events
    rep = organisation.representative.email
    for event in ("agreement_approved", "agreement_activated"):
        assert (event, rep) in events
    assert active.signed_pdf.name.startswith("agreements/signed/")
    assert all(m.to for m in mail.outbox)


VERBS = {
    Status.SUBMITTED: lambda a, staff: services.agreement_submit(
        agreement=a, actor=rep_of(a)),
    Status.APPROVED: lambda a, staff: services.agreement_approve(agreement=a, actor=staff),
    Status.DRAFT: lambda a, staff: services.agreement_request_changes(
        agreement=a, actor=staff, note="Précisez le signataire."),
    Status.REJECTED: lambda a, staff: services.agreement_reject(
        agreement=a, actor=staff, reason="Hors du périmètre de l'association."),
    Status.SIGNED: lambda a, staff: services.agreement_upload_signed(
        agreement=a, actor=rep_of(a), uploaded=pdf_upload()),
    Status.ACTIVE: lambda a, staff: services.agreement_countersign(agreement=a, actor=staff),
    Status.TERMINATED: lambda a, staff: services.agreement_terminate(
        agreement=a, actor=staff, reason="Fin d'activité."),
}


@pytest.mark.parametrize("start", list(Status))
@pytest.mark.parametrize("target", list(VERBS))
def test_every_transition_is_allowed_or_refused_by_the_table(draft, reviewer, start, target):
    dates = {"starts_on": timezone.localdate(), "ends_on": timezone.localdate()} \
        if start == Status.ACTIVE else {}
    Agreement.objects.filter(pk=draft.pk).update(status=start, **dates)
    agreement = Agreement.objects.get(pk=draft.pk)
    events_before = AgreementEvent.objects.count()
    if target in ALLOWED[start]:
        result = VERBS[target](agreement, reviewer)
        assert result.status == target
        assert AgreementEvent.objects.count() == events_before + 1
    else:
        with pytest.raises(ValidationError):
            VERBS[target](agreement, reviewer)
        assert Agreement.objects.get(pk=draft.pk).status == start
        assert AgreementEvent.objects.count() == events_before


def test_staff_decisions_refused_to_members(draft, organisation):
    submitted = services.agreement_submit(agreement=draft, actor=organisation.representative)
    with pytest.raises(PermissionDenied):
        services.agreement_approve(agreement=submitted, actor=organisation.representative)
    assert Agreement.objects.get(pk=draft.pk).status == Status.SUBMITTED


def test_request_changes_and_reject_need_a_note(draft, reviewer, organisation):
    submitted = services.agreement_submit(agreement=draft, actor=organisation.representative)
    with pytest.raises(ValidationError):
        services.agreement_request_changes(agreement=submitted, actor=reviewer, note="  ")
    with pytest.raises(ValidationError):
        services.agreement_reject(agreement=submitted, actor=reviewer, reason="")
    back = services.agreement_request_changes(agreement=submitted, actor=reviewer,
                                              note="Le titre du signataire manque.")
    assert back.status == Status.DRAFT
    assert back.events.last().note == "Le titre du signataire manque."


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.pdf", b"<html><script>alert(1)</script></html>", "PDF"),
        ("half.pdf", b"%PDF-1.7\n<html><body>not really</body></html>", "PDF"),
        ("big.pdf", b"0" * (10 * 1024 * 1024 + 1), "10 Mo|10 MB"),
    ],
)
def test_upload_refuses_what_is_not_a_small_pdf(draft, reviewer, organisation, name, content,
                                                message):
    approved = advance(draft, reviewer, Status.APPROVED)
    with pytest.raises(ValidationError, match=message):
        services.agreement_upload_signed(agreement=approved, actor=organisation.representative,
                                         uploaded=SimpleUploadedFile(name, content))
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED and not approved.signed_pdf


def test_upload_stores_under_generated_name_and_sanitises_display_name(draft, reviewer,
                                                                       organisation):
    approved = advance(draft, reviewer, Status.APPROVED)
    signed = services.agreement_upload_signed(
        agreement=approved, actor=organisation.representative,
        uploaded=pdf_upload("../../etc/<script>passwd.pdf"))
    assert signed.signed_pdf.name.startswith("agreements/signed/")
    assert ".." not in signed.signed_pdf.name and "passwd" not in signed.signed_pdf.name
    assert "/" not in signed.signed_filename and "<" not in signed.signed_filename


def test_one_active_agreement_per_organisation_is_a_database_constraint(draft, reviewer):
    active = advance(draft, reviewer, Status.ACTIVE)
    other = Agreement.objects.create(number="AG-2099-0001", organisation=active.organisation,
                                     kind=active.kind, terms=active.terms)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=other.pk).update(
            status=Status.ACTIVE, starts_on=active.starts_on, ends_on=active.ends_on)


def test_renewal_copies_into_a_draft_and_replaces_the_old_one(draft, reviewer, organisation):
    active = advance(draft, reviewer, Status.ACTIVE)
    renewal = services.agreement_renew(agreement=active, actor=organisation.representative)
    assert renewal.status == Status.DRAFT and renewal.renewed_from == active
    assert renewal.signatory_name == active.signatory_name
    assert renewal.number != active.number
    renewed = advance(renewal, reviewer, Status.ACTIVE)
    active.refresh_from_db()
    assert active.status == Status.EXPIRED
    assert renewed.status == Status.ACTIVE


def test_terminate_ends_the_agreement(draft, reviewer):
    active = advance(draft, reviewer, Status.ACTIVE)
    terminated = services.agreement_terminate(agreement=active, actor=reviewer,
                                              reason="Dissolution de la société.")
    assert terminated.status == Status.TERMINATED
    assert terminated.ends_on == timezone.localdate()


def test_daily_expiry_and_reminders_are_sent_once_each(draft, reviewer, organisation,
                                                       django_capture_on_commit_callbacks):
    active = advance(draft, reviewer, Status.ACTIVE)
    end = active.ends_on
    with django_capture_on_commit_callbacks(execute=True):
        assert services.agreements_send_expiry_reminders(today=end - dt.timedelta(days=90)) == 0
        sent = [services.agreements_send_expiry_reminders(today=end - dt.timedelta(days=d))
                for d in (60, 59, 45, 30, 29, 10, 7, 6, 1)]
    assert sent == [1, 0, 0, 1, 0, 0, 1, 0, 0]
    reminders = Notification.objects.filter(event="agreement_expiring")
    assert reminders.count() == 3
    assert {n.email for n in reminders} == {organisation.representative.email}
    assert services.agreements_expire(today=end) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.agreements_expire(today=end + dt.timedelta(days=1)) == 1
        assert services.agreements_expire(today=end + dt.timedelta(days=2)) == 0
    assert Agreement.objects.get(pk=active.pk).status == Status.EXPIRED
    assert Notification.objects.filter(event="agreement_expired").count() == 1


def test_missed_reminder_runs_send_only_the_most_urgent(draft, reviewer):
    active = advance(draft, reviewer, Status.ACTIVE)
    assert services.agreements_send_expiry_reminders(
        today=active.ends_on - dt.timedelta(days=5)) == 1
    assert Notification.objects.get(event="agreement_expiring").dedupe_key.split(":")[2] == "7"


def test_notifications_are_in_the_recipients_language(draft, reviewer, organisation,
                                                      django_capture_on_commit_callbacks):
    organisation.representative.language = "en"
    organisation.representative.save()
    with django_capture_on_commit_callbacks(execute=True):
        advance(draft, reviewer, Status.APPROVED)
    approved = Notification.objects.get(event="agreement_approved")
    assert "approved" in approved.subject and approved.language == "en"
    reviewer_mail = Notification.objects.get(event="agreement_submitted")
    assert "soumise" in reviewer_mail.subject.lower() or "soumis" in reviewer_mail.subject.lower()


def test_a_new_agreement_cannot_start_beside_an_active_one(draft, reviewer, organisation):
    advance(draft, reviewer, Status.ACTIVE)
    with pytest.raises(ValidationError, match="renouvel|renew"):
        services.agreement_create(organisation=organisation, actor=organisation.representative)
