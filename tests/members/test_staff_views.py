"""Staff pages of the members app: access, agreement decisions, payments, fees, terms."""

import datetime as dt
import io
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from members.models import (
    Agreement,
    AgreementEvent,
    FeeSchedule,
    Membership,
    OrganisationKind,
    TermsTemplate,
)
from members.services import (
    agreement_approve,
    agreement_countersign,
    agreement_create,
    agreement_submit,
    agreement_update_draft,
    agreement_upload_signed,
    membership_open,
    organisation_access_status,
)
from members.services.access import AccessStatus
from members.services.agreement_signing import add_one_year
from members.services.fees import fee_schedule_set
from members.services.terms import terms_create_version, terms_publish, terms_update

from ..factories import OrganisationFactory, OrganisationMemberFactory, TermsTemplateFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_pdf")]


# --- Helpers and fixtures ----------------------------------------------------------------

def blank_pdf() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("signed.pdf", buffer.getvalue(), content_type="application/pdf")


def draft(organisation) -> Agreement:
    agreement = agreement_create(organisation=organisation, actor=organisation.representative)
    return agreement_update_draft(agreement=agreement, actor=organisation.representative,
                                  data={"signatory_name": "Anne Le Goff",
                                        "signatory_title": "Gérante"})


def submitted(organisation) -> Agreement:
    return agreement_submit(agreement=draft(organisation), actor=organisation.representative)


def signed(organisation, staff_user) -> Agreement:
    agreement = agreement_approve(agreement=submitted(organisation), actor=staff_user)
    return agreement_upload_signed(agreement=agreement, uploaded=blank_pdf(),
                                   actor=organisation.representative)


def active(organisation, staff_user) -> Agreement:
    return agreement_countersign(agreement=signed(organisation, staff_user), actor=staff_user)


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def terms_v1():
    return TermsTemplate.objects.get(kind=OrganisationKind.SME, version=1)


# --- Every staff URL: who may see it -----------------------------------------------------

def page_urls(organisation, agreement, terms) -> list[str]:
    return [
        reverse("members:staff_dashboard"),
        reverse("members:staff_organisation_list"),
        reverse("members:staff_organisation_review", args=[organisation.pk]),
        reverse("members:staff_agreement_review", args=[agreement.pk]),
        reverse("members:staff_fee_schedule"),
        reverse("members:staff_terms_list"),
        reverse("members:staff_terms_edit", args=[terms.pk]),
        reverse("members:staff_terms_new") + "?kind=sme",
    ]


def action_urls(organisation, agreement, membership, terms) -> list[str]:
    return [
        *(reverse(f"members:staff_agreement_{verb}", args=[agreement.pk])
          for verb in ("approve", "request_changes", "reject", "countersign", "terminate")),
        reverse("members:staff_membership_payment", args=[membership.pk]),
        reverse("members:staff_membership_waive", args=[membership.pk]),
        reverse("members:staff_membership_open", args=[organisation.pk]),
        reverse("members:staff_terms_publish", args=[terms.pk]),
    ]


@pytest.fixture
def objects(organisation, terms_v1):
    agreement = submitted(organisation)
    membership = membership_open(organisation=organisation, year=timezone.localdate().year)
    return organisation, agreement, membership, terms_v1


def test_staff_pages_send_anonymous_visitors_to_login(client, objects):
    organisation, agreement, membership, terms = objects
    for url in page_urls(organisation, agreement, terms) + action_urls(*objects):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_staff_pages_are_forbidden_to_members(client, objects):
    organisation, agreement, membership, terms = objects
    client.force_login(organisation.representative)
    for url in page_urls(organisation, agreement, terms):
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN, url
    for url in action_urls(*objects):
        assert client.post(url, {"note": "x", "reason": "x"}).status_code == \
            HTTPStatus.FORBIDDEN, url
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SUBMITTED


def test_staff_without_mfa_are_sent_to_enrol(client, staff, objects):
    organisation, agreement, membership, terms = objects
    client.force_login(staff)
    for url in page_urls(organisation, agreement, terms):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"] == reverse("mfa_activate_totp"), url


def test_staff_with_mfa_see_every_page(staff_client, objects):
    organisation, agreement, membership, terms = objects
    for url in page_urls(organisation, agreement, terms):
        assert staff_client.get(url).status_code == HTTPStatus.OK, url


def test_get_on_an_action_url_is_405(staff_client, objects):
    for url in action_urls(*objects):
        assert staff_client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED, url


def test_unknown_objects_are_404(staff_client):
    for url in (reverse("members:staff_agreement_review", args=[999999]),
                reverse("members:staff_organisation_review", args=[999999]),
                reverse("members:staff_terms_edit", args=[999999]),
                reverse("members:staff_terms_new") + "?kind=nonsense"):
        assert staff_client.get(url).status_code == HTTPStatus.NOT_FOUND, url


# --- Dashboard and lists -----------------------------------------------------------------

def second_organisation():
    organisation = OrganisationFactory()
    organisation.representative = OrganisationMemberFactory(
        organisation=organisation, role="representative").user
    return organisation


def test_dashboard_lists_what_waits(staff_client, organisation, staff_with_mfa):
    waiting = submitted(organisation)
    membership_open(organisation=organisation, year=timezone.localdate().year)
    to_countersign = signed(second_organisation(), staff_with_mfa)
    ending = agreement_countersign(
        agreement=signed(second_organisation(), staff_with_mfa), actor=staff_with_mfa,
        starts_on=timezone.localdate() - dt.timedelta(days=340))
    response = staff_client.get(reverse("members:staff_dashboard"))
    body = response.content.decode()
    assert response.context["data"]["counts"] == {"to_review": 1, "to_countersign": 1,
                                                  "unpaid": 1, "expiring": 1}
    for agreement in (waiting, to_countersign, ending):
        assert reverse("members:staff_agreement_review", args=[agreement.pk]) in body
    assert reverse("members:staff_organisation_review", args=[organisation.pk]) in body
    for url in (reverse("members:staff_fee_schedule"), reverse("members:staff_terms_list"),
                reverse("members:staff_organisation_list"), reverse("pages:staff_list")):
        assert url in body


def test_organisation_list_shows_access_status(staff_client, organisation):
    body = staff_client.get(reverse("members:staff_organisation_list")).content.decode()
    assert organisation.name in body and organisation.siret in body
    assert "badge text-bg-danger" in body  # no membership, no agreement: blocked
    found = staff_client.get(reverse("members:staff_organisation_list"), {"q": organisation.siret})
    assert organisation.name in found.content.decode()
    other = staff_client.get(reverse("members:staff_organisation_list"), {"kind": "lab"})
    assert organisation.name not in other.content.decode()


def test_staff_pages_escape_organisation_names(staff_client, organisation):
    organisation.name = '<script>alert("x")</script>'
    organisation.save()
    submitted(organisation)
    for url in (reverse("members:staff_dashboard"), reverse("members:staff_organisation_list"),
                reverse("members:staff_organisation_review", args=[organisation.pk])):
        body = staff_client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in body, url


# --- Agreement decisions -----------------------------------------------------------------

def test_review_page_shows_the_decisions_of_a_submitted_agreement(staff_client, organisation):
    agreement = submitted(organisation)
    body = staff_client.get(reverse("members:staff_agreement_review",
                                    args=[agreement.pk])).content \
        .decode()
    for verb in ("approve", "request_changes", "reject"):
        assert reverse(f"members:staff_agreement_{verb}", args=[agreement.pk]) in body
    assert reverse("members:staff_agreement_countersign", args=[agreement.pk]) not in body
    assert "Anne Le Goff" in body and organisation.siret in body


def test_staff_approve_a_submitted_agreement(staff_client, organisation, no_pdf,
                                             django_capture_on_commit_callbacks):
    agreement = submitted(organisation)
    events = agreement.events.count()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("members:staff_agreement_approve",
                                             args=[agreement.pk]),
                                     {"note": "Tout est en ordre."})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("members:staff_agreement_review", args=[agreement.pk])
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.APPROVED
    assert agreement.events.count() == events + 1
    assert agreement.events.last().note == "Tout est en ordre."
    assert len(no_pdf) == 1
    assert [message.to for message in mail.outbox] == [[organisation.representative.email]]


def test_approving_a_draft_is_refused_and_changes_nothing(staff_client, organisation):
    agreement = draft(organisation)
    events = agreement.events.count()
    response = staff_client.post(reverse("members:staff_agreement_approve", args=[agreement.pk]),
                                 {})
    assert response.status_code == HTTPStatus.CONFLICT
    assert any("Nothing was changed" in text or "Rien" in text for text in texts(response))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.events.count() == events


def test_request_changes_needs_a_note(staff_client, organisation):
    agreement = submitted(organisation)
    events = agreement.events.count()
    url = reverse("members:staff_agreement_request_changes", args=[agreement.pk])
    response = staff_client.post(url, {"note": "  "})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert texts(response)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SUBMITTED
    assert agreement.events.count() == events
    response = staff_client.post(url, {"note": "Précisez le titre du signataire."})
    assert response.status_code == HTTPStatus.FOUND
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.events.last().note == "Précisez le titre du signataire."


def test_reject_with_a_reason(staff_client, organisation):
    agreement = submitted(organisation)
    url = reverse("members:staff_agreement_reject", args=[agreement.pk])
    assert staff_client.post(url, {"reason": ""}).status_code == HTTPStatus.BAD_REQUEST
    response = staff_client.post(url, {"reason": "Hors du champ de l'association."})
    assert response.status_code == HTTPStatus.FOUND
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.REJECTED


def test_countersign_a_signed_agreement(staff_client, organisation, staff_with_mfa):
    agreement = signed(organisation, staff_with_mfa)
    review = staff_client.get(reverse("members:staff_agreement_review", args=[agreement.pk]))
    assert reverse("members:staff_agreement_countersign",
                   args=[agreement.pk]) in review.content.decode()
    start = timezone.localdate() + dt.timedelta(days=3)
    response = staff_client.post(reverse("members:staff_agreement_countersign",
                                         args=[agreement.pk]),
                                 {"starts_on": start.isoformat()})
    assert response.status_code == HTTPStatus.FOUND
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.starts_on == start
    assert agreement.ends_on == add_one_year(start) - dt.timedelta(days=1)


def test_countersign_needs_a_date(staff_client, organisation, staff_with_mfa):
    agreement = signed(organisation, staff_with_mfa)
    response = staff_client.post(reverse("members:staff_agreement_countersign",
                                         args=[agreement.pk]),
                                 {"starts_on": "not a date"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED


def test_terminate_an_active_agreement(staff_client, organisation, staff_with_mfa):
    agreement = active(organisation, staff_with_mfa)
    url = reverse("members:staff_agreement_terminate", args=[agreement.pk])
    assert staff_client.post(url, {"reason": ""}).status_code == HTTPStatus.BAD_REQUEST
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    response = staff_client.post(url, {"reason": "Cessation d'activité."})
    assert response.status_code == HTTPStatus.FOUND
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.TERMINATED
    assert agreement.events.last().note == "Cessation d'activité."


def test_a_decision_on_an_agreement_already_decided_is_refused(staff_client, organisation):
    agreement = submitted(organisation)
    staff_client.post(reverse("members:staff_agreement_reject", args=[agreement.pk]),
                      {"reason": "Non."})
    events = AgreementEvent.objects.filter(agreement=agreement).count()
    response = staff_client.post(reverse("members:staff_agreement_approve", args=[agreement.pk]),
                                 {})
    assert response.status_code == HTTPStatus.CONFLICT
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.REJECTED
    assert AgreementEvent.objects.filter(agreement=agreement).count() == events


# --- Memberships -------------------------------------------------------------------------

def test_record_payment_then_access_is_allowed(staff_client, organisation, staff_with_mfa,
                                               django_capture_on_commit_callbacks):
    active(organisation, staff_with_mfa)
    membership = membership_open(organisation=organisation, year=timezone.localdate().year)
    assert not organisation_access_status(organisation=organisation).allowed
    page = staff_client.get(reverse("members:staff_organisation_review", args=[organisation.pk]))
    assert reverse("members:staff_membership_payment",
                   args=[membership.pk]) in page.content.decode()
    paid_on = timezone.localdate()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("members:staff_membership_payment", args=[membership.pk]),
            {"paid_on": paid_on.isoformat(), "reference": "VIR-2026-0042"},
        )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("members:staff_organisation_review",
                                           args=[organisation.pk])
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PAID
    assert membership.paid_on == paid_on
    assert membership.payment_reference == "VIR-2026-0042"
    status = organisation_access_status(organisation=organisation)
    assert isinstance(status, AccessStatus) and status.allowed
    assert [message.to for message in mail.outbox] == [[organisation.representative.email]]


def test_payment_without_reference_is_refused(staff_client, organisation):
    membership = membership_open(organisation=organisation, year=timezone.localdate().year)
    response = staff_client.post(reverse("members:staff_membership_payment", args=[membership.pk]),
                                 {"paid_on": timezone.localdate().isoformat(), "reference": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert texts(response)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert membership.paid_on is None and membership.payment_reference == ""


def test_payment_in_the_future_is_refused(staff_client, organisation):
    membership = membership_open(organisation=organisation, year=timezone.localdate().year)
    future = timezone.localdate() + dt.timedelta(days=5)
    response = staff_client.post(reverse("members:staff_membership_payment", args=[membership.pk]),
                                 {"paid_on": future.isoformat(), "reference": "CHQ 1"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_paying_twice_is_refused(staff_client, organisation):
    membership = membership_open(organisation=organisation, year=timezone.localdate().year)
    url = reverse("members:staff_membership_payment", args=[membership.pk])
    data = {"paid_on": timezone.localdate().isoformat(), "reference": "CHQ 1"}
    assert staff_client.post(url, data).status_code == HTTPStatus.FOUND
    again = staff_client.post(url, {**data, "reference": "CHQ 2"})
    assert again.status_code == HTTPStatus.CONFLICT
    membership.refresh_from_db()
    assert membership.payment_reference == "CHQ 1"


def test_waive_needs_a_note(staff_client, organisation):
    membership = membership_open(organisation=organisation, year=timezone.localdate().year)
    url = reverse("members:staff_membership_waive", args=[membership.pk])
    assert staff_client.post(url, {"note": ""}).status_code == HTTPStatus.BAD_REQUEST
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert staff_client.post(url, {"note": "Partenaire fondateur"}).status_code == \
        HTTPStatus.FOUND
    membership.refresh_from_db()
    assert membership.status == Membership.Status.WAIVED


def test_staff_open_a_membership(staff_client, organisation):
    year = timezone.localdate().year
    response = staff_client.post(reverse("members:staff_membership_open", args=[organisation.pk]),
                                 {"year": year})
    assert response.status_code == HTTPStatus.FOUND
    membership = Membership.objects.get(organisation=organisation, year=year)
    assert membership.fee == Decimal("250.00")
    assert membership.status == Membership.Status.PENDING


def test_opening_a_membership_without_a_fee_is_refused(staff_client, organisation):
    response = staff_client.post(reverse("members:staff_membership_open", args=[organisation.pk]),
                                 {"year": 2031})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Membership.objects.filter(organisation=organisation, year=2031).exists()


# --- Fee schedule ------------------------------------------------------------------------

def test_fee_schedule_shows_three_years(staff_client):
    year = timezone.localdate().year
    FeeSchedule.objects.create(kind="lab", year=year + 1, amount=Decimal("120.00"))
    body = staff_client.get(reverse("members:staff_fee_schedule")).content.decode()
    for shown in (year - 1, year, year + 1):
        assert str(shown) in body
    assert "120" in body


def test_staff_set_the_fees_of_a_year(staff_client, staff_with_mfa):
    response = staff_client.post(reverse("members:staff_fee_schedule"), {
        "year": 2030, "amount_sme": "300", "amount_lab": "150.50", "amount_individual": "0",
    })
    assert response.status_code == HTTPStatus.FOUND
    fees = dict(FeeSchedule.objects.filter(year=2030).values_list("kind", "amount"))
    assert fees == {"sme": Decimal("300.00"), "lab": Decimal("150.50"),
                    "individual": Decimal("0.00")}
    assert FeeSchedule.objects.get(year=2030, kind="sme").updated_by == staff_with_mfa
    staff_client.post(reverse("members:staff_fee_schedule"), {"year": 2030, "amount_sme": "320"})
    assert FeeSchedule.objects.get(year=2030, kind="sme").amount == Decimal("320.00")
    assert FeeSchedule.objects.filter(year=2030).count() == 3


def test_negative_fee_is_refused(staff_client):
    response = staff_client.post(reverse("members:staff_fee_schedule"),
                                 {"year": 2030, "amount_sme": "-1", "amount_lab": "100"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not FeeSchedule.objects.filter(year=2030).exists()


def test_fee_year_out_of_range_is_refused(staff_client):
    response = staff_client.post(reverse("members:staff_fee_schedule"), {"year": 1999,
                                                                         "amount_sme": "1"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not FeeSchedule.objects.filter(year=1999).exists()


def test_fee_schedule_set_service_checks_its_input(staff_with_mfa, member):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        fee_schedule_set(year=2030, amounts={"sme": Decimal("-5")}, actor=staff_with_mfa)
    with pytest.raises(ValidationError):
        fee_schedule_set(year=2019, amounts={"sme": Decimal("5")}, actor=staff_with_mfa)
    with pytest.raises(ValidationError):
        fee_schedule_set(year=2030, amounts={"company": Decimal("5")}, actor=staff_with_mfa)
    with pytest.raises(PermissionDenied):
        fee_schedule_set(year=2030, amounts={"sme": Decimal("5")}, actor=member)
    assert not FeeSchedule.objects.filter(year__in=[2019, 2030]).exists()
    assert fee_schedule_set(year=2030, amounts={"sme": Decimal("5"), "lab": Decimal("7.5")},
                            actor=staff_with_mfa) == 2


# --- Terms -------------------------------------------------------------------------------

def test_staff_create_a_new_terms_version(staff_client, terms_v1):
    top = TermsTemplate.objects.filter(kind="sme").order_by("-version").first().version
    latest = TermsTemplate.objects.get(kind="sme", version=top)
    page = staff_client.get(reverse("members:staff_terms_new") + "?kind=sme")
    assert page.context["form"].initial["body_fr"] == latest.body_fr
    response = staff_client.post(reverse("members:staff_terms_new") + "?kind=sme", {
        "title_fr": "Convention v2", "title_en": "Agreement v2",
        "body_fr": "## Article 1\n\nNouveau texte.", "body_en": "## Article 1\n\nNew text.",
    })
    assert response.status_code == HTTPStatus.FOUND
    created = TermsTemplate.objects.get(kind="sme", version=top + 1)
    assert response["Location"] == reverse("members:staff_terms_edit", args=[created.pk])
    assert not created.is_published and created.title_en == "Agreement v2"


def test_terms_preview_renders_markdown_without_saving(staff_client, staff_with_mfa, terms_v1):
    version = terms_create_version(kind="sme", data=None, actor=staff_with_mfa)
    before = version.body_fr
    response = staff_client.post(reverse("members:staff_terms_edit", args=[version.pk]), {
        "title_fr": "T", "title_en": "T", "body_fr": "**gras** <script>x()</script>",
        "body_en": "*italic*", "preview": "1",
    })
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<strong>gras</strong>" in body and "<em>italic</em>" in body
    assert "<script>x()</script>" not in body
    version.refresh_from_db()
    assert version.body_fr == before


def test_staff_edit_and_publish_an_unused_version(staff_client, staff_with_mfa, terms_v1):
    version = terms_create_version(kind="sme", data=None, actor=staff_with_mfa)
    assert version.body_fr == TermsTemplate.objects.filter(kind="sme").exclude(
        pk=version.pk).order_by("-version").first().body_fr.strip()
    edit = staff_client.get(reverse("members:staff_terms_edit", args=[version.pk]))
    seen = edit.context["form"]["seen_updated_at"].value()
    response = staff_client.post(reverse("members:staff_terms_edit", args=[version.pk]), {
        "title_fr": "Convention", "title_en": "Agreement", "body_fr": "Texte modifié.",
        "body_en": "Changed text.", "seen_updated_at": seen,
    })
    assert response.status_code == HTTPStatus.FOUND
    version.refresh_from_db()
    assert version.body_fr == "Texte modifié." and version.updated_by == staff_with_mfa
    response = staff_client.post(reverse("members:staff_terms_publish", args=[version.pk]))
    assert response.status_code == HTTPStatus.FOUND
    version.refresh_from_db()
    assert version.is_published


def test_a_stale_terms_edit_is_refused(staff_client, staff_with_mfa, terms_v1):
    version = terms_create_version(kind="sme", data=None, actor=staff_with_mfa)
    seen = staff_client.get(reverse("members:staff_terms_edit", args=[version.pk])) \
        .context["form"]["seen_updated_at"].value()
    terms_update(terms=version, actor=staff_with_mfa,
                 data={"title_fr": "A", "title_en": "A", "body_fr": "Premier.",
                       "body_en": "First."})
    response = staff_client.post(reverse("members:staff_terms_edit", args=[version.pk]), {
        "title_fr": "B", "title_en": "B", "body_fr": "Second.", "body_en": "Second.",
        "seen_updated_at": seen,
    })
    assert response.status_code == HTTPStatus.CONFLICT
    version.refresh_from_db()
    assert version.body_fr == "Premier."


def test_editing_terms_used_by_an_agreement_is_refused(staff_client, organisation, terms_v1):
    agreement = draft(organisation)
    used = agreement.terms
    page = staff_client.get(reverse("members:staff_terms_edit", args=[used.pk])).content.decode()
    assert reverse("members:staff_terms_new") + "?kind=sme" in page
    assert 'name="body_fr"' not in page
    response = staff_client.post(reverse("members:staff_terms_edit", args=[used.pk]), {
        "title_fr": "Pirate", "title_en": "Pirate", "body_fr": "Changé.", "body_en": "Changed.",
    })
    assert response.status_code == HTTPStatus.CONFLICT
    used.refresh_from_db()
    assert used.body_fr != "Changé."


def test_terms_services(staff_with_mfa, member, organisation, terms_v1):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        terms_create_version(kind="sme", data=None, actor=member)
    with pytest.raises(ValidationError):
        terms_create_version(kind="company", data=None, actor=staff_with_mfa)
    used = draft(organisation).terms
    with pytest.raises(ValidationError):
        terms_update(terms=used, data={"title_fr": "x", "title_en": "x", "body_fr": "x",
                                       "body_en": "x"}, actor=staff_with_mfa)
    top = TermsTemplate.objects.filter(kind="sme").order_by("-version").first().version
    new = terms_create_version(kind="sme", data=None, actor=staff_with_mfa)
    assert new.version == top + 1
    with pytest.raises(ValidationError):
        terms_update(terms=new, data={"title_fr": "", "title_en": "x", "body_fr": "x",
                                      "body_en": "x"}, actor=staff_with_mfa)
    terms_publish(terms=new, actor=staff_with_mfa)
    with pytest.raises(ValidationError):
        terms_publish(terms=new, actor=staff_with_mfa)
    first_lab = TermsTemplateFactory(kind="lab", version=50, is_published=False)
    assert terms_create_version(kind="lab", data=None, actor=staff_with_mfa).version == \
        first_lab.version + 1
