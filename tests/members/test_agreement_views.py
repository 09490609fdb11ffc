"""Member pages of agreements: start, signatory, submit, upload, downloads, renewal."""

import io
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfWriter

from algoric.notifications.models import Notification
from members import services
from members.models import Agreement

pytestmark = pytest.mark.django_db
Status = Agreement.Status


def en(name, *args):
    """The English URL of ``name`` (the page then answers in English)."""
    with translation.override("en"):
        return reverse(name, args=args)


def text(response) -> str:
    return response.content.decode()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def with_people(agreement, organisation):
    """``agreement`` whose ``organisation`` is the fixture's, which knows its people
    (``.representative``, ``.referent``, ``.plain_member``)."""
    agreement.organisation = organisation
    return agreement


@pytest.fixture
def approved(draft, organisation, reviewer):
    submitted = services.agreement_submit(agreement=draft, actor=organisation.representative)
    return with_people(services.agreement_approve(agreement=submitted, actor=reviewer),
                       organisation)


@pytest.fixture
def signed(approved, organisation):
    agreement = services.agreement_upload_signed(
        agreement=approved, actor=organisation.representative,
        uploaded=upload("signed.pdf", pdf_bytes()),
    )
    return with_people(agreement, organisation)


# --- The workflow through the pages -----------------------------------------------------

def test_representative_starts_edits_and_submits_and_staff_are_notified(
    client, organisation, reviewer, django_capture_on_commit_callbacks
):
    client.force_login(organisation.representative)
    response = client.post(en("members:agreement_create", organisation.pk))
    agreement = organisation.agreements.get()
    assert response["Location"] == en("members:agreement_detail", agreement.pk)

    response = client.get(en("members:agreement_edit", agreement.pk))
    assert response.status_code == HTTPStatus.OK
    response = client.post(en("members:agreement_edit", agreement.pk),
                           {"signatory_name": "Annaïg Le Floch", "signatory_title": "Gérante"})
    assert response["Location"] == en("members:agreement_detail", agreement.pk)
    agreement.refresh_from_db()
    assert (agreement.signatory_name, agreement.signatory_title) == ("Annaïg Le Floch", "Gérante")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("members:agreement_submit", agreement.pk), follow=True)
    assert "has been submitted" in text(response)
    agreement.refresh_from_db()
    assert agreement.status == Status.SUBMITTED
    assert Notification.objects.filter(event="agreement_submitted", recipient=reviewer).exists()
    assert reviewer.email in [address for message in mail.outbox for address in message.to]
    assert "the association reviews it" in text(response)


def test_signatory_form_requires_name_and_title(client, organisation):
    agreement = services.agreement_create(organisation=organisation,
                                          actor=organisation.representative)
    client.force_login(organisation.representative)
    response = client.post(en("members:agreement_edit", agreement.pk),
                           {"signatory_name": "", "signatory_title": ""})
    assert response.status_code == HTTPStatus.OK
    assert set(response.context["form"].errors) == {"signatory_name", "signatory_title"}


def test_submit_without_signatory_title_shows_the_reason(client, organisation):
    agreement = services.agreement_create(organisation=organisation,
                                          actor=organisation.representative)
    client.force_login(organisation.representative)
    response = client.post(en("members:agreement_submit", agreement.pk), follow=True)
    assert "Give the name and title of the person who will sign" in text(response)
    agreement.refresh_from_db()
    assert agreement.status == Status.DRAFT


def test_submitted_agreement_cannot_be_edited_or_submitted_again(client, draft):
    rep = draft.organisation.representative
    services.agreement_submit(agreement=draft, actor=rep)
    client.force_login(rep)
    response = client.get(en("members:agreement_edit", draft.pk), follow=True)
    assert "Only a draft agreement can be edited." in text(response)
    response = client.post(en("members:agreement_submit", draft.pk), follow=True)
    assert "cannot become" in text(response)
    assert Agreement.objects.get(pk=draft.pk).events.count() == 2


@pytest.mark.parametrize("who", ["referent", "plain_member"])
def test_referent_and_member_get_403_on_submit_edit_and_upload(client, draft, approved, who):
    # ``approved`` is ``draft`` moved on; start a fresh draft to submit.
    organisation = draft.organisation
    person = getattr(organisation, who)
    client.force_login(person)
    assert client.post(en("members:agreement_upload", approved.pk),
                       {"signed_pdf": upload("s.pdf", pdf_bytes())}).status_code == \
        HTTPStatus.FORBIDDEN
    assert client.post(en("members:agreement_submit", approved.pk)).status_code == \
        HTTPStatus.FORBIDDEN
    assert client.get(en("members:agreement_edit", approved.pk)).status_code == \
        HTTPStatus.FORBIDDEN
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


@pytest.mark.parametrize("who", ["referent", "plain_member"])
def test_referent_and_member_see_the_agreement_without_representative_buttons(
    client, draft, who
):
    client.force_login(getattr(draft.organisation, who))
    response = client.get(en("members:agreement_detail", draft.pk))
    assert response.status_code == HTTPStatus.OK
    body = text(response)
    assert draft.number in body
    for name in ("agreement_edit", "agreement_submit", "agreement_upload", "agreement_renew"):
        assert en(f"members:{name}", draft.pk) not in body
    assert "Only the organisation&#x27;s representatives" in body or \
        "Only the organisation's representatives" in body


def test_detail_shows_history_and_next_step(client, approved, reviewer):
    client.force_login(approved.organisation.representative)
    response = client.get(en("members:agreement_detail", approved.pk))
    body = text(response)
    assert "approved, to sign" in body
    assert "upload the signed PDF here" in body
    events = response.context["events"]
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "draft"), ("draft", "submitted"), ("submitted", "approved")]
    assert reviewer.display_name in body
    assert 'accept="application/pdf' in body
    assert en("members:agreement_pdf", approved.pk) in body


def test_changes_requested_note_is_shown_to_the_representative(client, draft, reviewer):
    rep = draft.organisation.representative
    submitted = services.agreement_submit(agreement=draft, actor=rep)
    services.agreement_request_changes(agreement=submitted, actor=reviewer,
                                       note="Le titre du signataire <b>manque</b>.")
    client.force_login(rep)
    body = text(client.get(en("members:agreement_detail", draft.pk)))
    assert "Changes requested by the association:" in body
    assert "Le titre du signataire &lt;b&gt;manque&lt;/b&gt;." in body


def test_rejection_reason_is_shown(client, draft, reviewer):
    rep = draft.organisation.representative
    submitted = services.agreement_submit(agreement=draft, actor=rep)
    services.agreement_reject(agreement=submitted, actor=reviewer, reason="Hors périmètre.")
    client.force_login(rep)
    body = text(client.get(en("members:agreement_detail", draft.pk)))
    assert "Reason given by the association:" in body
    assert "Hors périmètre." in body


def test_staff_see_the_agreement_page(client, draft, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.get(en("members:agreement_detail", draft.pk))
    assert response.status_code == HTTPStatus.OK
    assert en("members:agreement_submit", draft.pk) not in text(response)


# --- Uploading the signed copy ----------------------------------------------------------

def test_upload_of_a_real_pdf_signs_the_agreement(client, approved, reviewer,
                                                  django_capture_on_commit_callbacks):
    client.force_login(approved.organisation.representative)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("members:agreement_upload", approved.pk),
                               {"signed_pdf": upload("convention signée.pdf", pdf_bytes())},
                               follow=True)
    assert "the signed agreement has been received" in text(response)
    approved.refresh_from_db()
    assert approved.status == Status.SIGNED
    assert approved.signed_pdf.name.startswith("agreements/signed/")
    assert Notification.objects.filter(event="agreement_signed", recipient=reviewer).exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("signed.pdf", b"<html><body><script>alert(1)</script></body></html>",
     "not a readable PDF"),
    ("signed.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>", "not a readable PDF"),
    ("big.pdf", b"0" * (11 * 1024 * 1024), "too large"),
], ids=["html-renamed-pdf", "pdf-header-then-html", "eleven-megabytes"])
def test_bad_upload_is_refused_with_a_message_and_nothing_changes(client, approved, name,
                                                                  content, message):
    client.force_login(approved.organisation.representative)
    response = client.post(en("members:agreement_upload", approved.pk),
                           {"signed_pdf": upload(name, content)}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert message in text(response)
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert not approved.signed_pdf
    assert approved.events.count() == 3


def test_upload_without_a_file_is_refused(client, approved):
    client.force_login(approved.organisation.representative)
    response = client.post(en("members:agreement_upload", approved.pk), follow=True)
    assert "Choose the signed PDF file." in text(response)
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


def test_path_like_file_name_is_stored_under_a_generated_name(client, approved):
    client.force_login(approved.organisation.representative)
    response = client.post(en("members:agreement_upload", approved.pk),
                           {"signed_pdf": upload("../../etc/passwd.pdf", pdf_bytes())},
                           follow=True)
    approved.refresh_from_db()
    assert approved.status == Status.SIGNED
    assert approved.signed_pdf.name.startswith("agreements/signed/")
    assert ".." not in approved.signed_pdf.name and "passwd" not in approved.signed_pdf.name
    assert approved.signed_filename == "passwd.pdf"
    body = text(response)
    assert "passwd.pdf" in body
    assert "../" not in body.split('id="agreement-details-title"')[1].split("</section>")[0]


def test_upload_before_approval_is_refused(client, draft):
    client.force_login(draft.organisation.representative)
    response = client.post(en("members:agreement_upload", draft.pk),
                           {"signed_pdf": upload("signed.pdf", pdf_bytes())}, follow=True)
    assert "only once the agreement is approved" in text(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# --- Downloads --------------------------------------------------------------------------

def assert_private_pdf_download(response, filename):
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "no-store, private"
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_representative_downloads_the_draft_pdf(client, draft):
    client.force_login(draft.organisation.representative)
    response = client.get(en("members:agreement_pdf", draft.pk))
    content = assert_private_pdf_download(response, f"{draft.number}.pdf")
    assert content.startswith(b"%PDF-")


def test_referent_downloads_the_approved_pdf(client, approved):
    client.force_login(approved.organisation.referent)
    response = client.get(en("members:agreement_pdf", approved.pk))
    content = assert_private_pdf_download(response, f"{approved.number}.pdf")
    with approved.pdf.open("rb") as stored:
        assert content == stored.read()


def test_signed_copy_download_has_private_attachment_headers(client, signed):
    client.force_login(signed.organisation.representative)
    response = client.get(en("members:agreement_signed_pdf", signed.pk))
    content = assert_private_pdf_download(response, f"{signed.number}-signed.pdf")
    assert content == pdf_bytes() or content.startswith(b"%PDF-")
    body = text(client.get(en("members:agreement_detail", signed.pk)))
    assert en("members:agreement_signed_pdf", signed.pk) in body


def test_signed_copy_of_an_unsigned_agreement_answers_404(client, approved):
    client.force_login(approved.organisation.representative)
    response = client.get(en("members:agreement_signed_pdf", approved.pk))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_member_cannot_download_other_orgs_agreement(client, signed, other_organisation):
    client.force_login(other_organisation.representative)
    for name in ("agreement_detail", "agreement_edit", "agreement_pdf", "agreement_signed_pdf"):
        assert client.get(en(f"members:{name}", signed.pk)).status_code == \
            HTTPStatus.NOT_FOUND, name
    for name in ("agreement_submit", "agreement_upload", "agreement_renew", "agreement_edit"):
        assert client.post(en(f"members:{name}", signed.pk)).status_code == \
            HTTPStatus.NOT_FOUND, name
    signed.refresh_from_db()
    assert signed.status == Status.SIGNED


def test_anonymous_download_goes_to_login(client, signed):
    response = client.get(en("members:agreement_signed_pdf", signed.pk))
    assert response.status_code == HTTPStatus.FOUND
    assert "/accounts/login/" in response["Location"]


# --- Renewal ----------------------------------------------------------------------------

def test_representative_renews_an_active_agreement(client, signed, reviewer):
    active = services.agreement_countersign(agreement=signed, actor=reviewer)
    client.force_login(signed.organisation.representative)
    body = text(client.get(en("members:agreement_detail", active.pk)))
    assert en("members:agreement_renew", active.pk) in body
    response = client.post(en("members:agreement_renew", active.pk))
    renewal = Agreement.objects.get(renewed_from=active)
    assert response["Location"] == en("members:agreement_detail", renewal.pk)
    assert renewal.status == Status.DRAFT
    assert renewal.signatory_name == active.signatory_name


def test_renewing_a_signed_agreement_is_refused(client, signed):
    client.force_login(signed.organisation.representative)
    response = client.post(en("members:agreement_renew", signed.pk), follow=True)
    assert "Only an active or expired agreement can be renewed." in text(response)
    assert not Agreement.objects.filter(renewed_from=signed).exists()
