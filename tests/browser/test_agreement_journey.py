"""An organisation's way to the centre in a real browser, on the French site.

A member creates an SME (a wrong SIRET first; this year's membership opens with it),
invites a colleague as referent (who accepts in a second browser) and starts an
agreement; staff (logged in with a TOTP code, in a third browser) approve it; the
representative downloads the PDF and uploads a signed copy; staff countersign it and
record the membership payment; the organisation may then use the centre.

Screenshots are written to ``var/screenshots/agreement-NN-<what>.png``. Strings the
pages show are looked up through ``gettext`` in French: while the French catalogue is
being completed the English source shows, and the test lists those strings in a
warning instead of failing on them.
"""

import re
import subprocess
import time
import warnings
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, trans_real

from algoric.notifications.models import Notification
from members.models import (
    Agreement,
    FeeSchedule,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    TermsTemplate,
)
from members.validators import validate_siret
from tests.browser.support import _CSP_LISTENER, TIMEOUT_MS, PageProblems, watch_page
from tests.factories import PASSWORD, StaffFactory, TermsTemplateFactory, UserFactory

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

ORG_NAME = "Océan Numérique SAS"
BAD_SIRET = "73282932000075"  # fails the Luhn check
GOOD_SIRET = "73282932000074"
PAYMENT_REFERENCE = "VIR-2026-0042"
TOTP_PERIOD = 30

INVITATION_LINK_RE = re.compile(r"https?://[^\s\"'<>]+?(/invitations/[^\s\"'<>/]+/)")


# --- Helpers -------------------------------------------------------------------------------

class French:
    """Looks strings up in the French catalogue and remembers the untranslated ones."""

    def __init__(self):
        self.untranslated: set[str] = set()

    def __call__(self, source: str) -> str:
        with translation.override("fr"):
            text = gettext(source)
        # A French word may equal the English one ("active"): only a missing entry counts.
        catalog = getattr(trans_real.translation("fr"), "_catalog", None)
        if text == source and (catalog is None or source not in catalog):
            self.untranslated.add(source)
        return text


def _url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def _path(page) -> str:
    return urlsplit(page.url).path


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"agreement-{number:02d}-{what}.png"), full_page=True)


def _click_and_wait(page, locator) -> None:
    """Click something that submits a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state()


def _current_totp(secret: str) -> str:
    """The TOTP code of ``secret``, valid for at least 4 more seconds (waits if needed)."""
    remaining = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if remaining < 4:
        time.sleep(remaining + 0.2)
    return str(hotp_value(secret, int(time.time()) // TOTP_PERIOD)).zfill(6)


def _log_in(page, live_server, email: str, *, next_path: str | None = None) -> None:
    """Fill the French login form (reached directly, or through a ``next`` redirect)."""
    if next_path is None:
        page.goto(_url(live_server, "/accounts/login/"))
    assert _path(page) == "/accounts/login/", page.url
    form = page.locator("form:has([name='password'])")
    form.locator("input[name='login']").fill(email)
    form.locator("input[name='password']").fill(PASSWORD)
    _click_and_wait(page, form.locator("button[type='submit']"))


def _status_badge(page):
    """The status badge next to an agreement's title (member and staff pages)."""
    return page.locator("main h1 ~ span .badge, main h1 .badge").first


@pytest.fixture
def open_page(request, chromium, screenshot_dir):
    """Open more browser contexts (one per person), recording problems like ``browser_page``.

    Call it with a short name; the page it returns has ``page.problems``. When the test
    fails, each page is saved as ``FAILED-<test name>-<name>.png``.
    """
    opened = []

    def _open(name: str):
        context = chromium.new_context(
            viewport={"width": 1280, "height": 900},
            locale="fr-FR",
            timezone_id="Europe/Paris",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        problems = PageProblems()
        context.expose_function(
            "__algoricReportCsp", lambda report: problems.csp_violations.append(report)
        )
        context.add_init_script(_CSP_LISTENER)
        page = context.new_page()
        watch_page(page, problems)
        page.problems = problems
        opened.append((name, context, page))
        return page

    try:
        yield _open
        report = getattr(request.node, "_report_call", None)
        if report is not None and report.failed:
            for name, _context, page in opened:
                page.screenshot(
                    path=str(screenshot_dir / f"FAILED-{request.node.name}-{name}.png"),
                    full_page=True,
                    timeout=TIMEOUT_MS,
                )
                print(f"Browser problems of {name}:\n{page.problems.summary()}")
    finally:
        for _name, context, _page in opened:
            context.close()


@pytest.fixture
def people(transactional_db):
    """The representative-to-be, her colleague and a staff member with TOTP; the SME terms
    and this year's SME fee."""
    if not TermsTemplate.objects.filter(kind=OrganisationKind.SME, is_published=True).exists():
        TermsTemplateFactory()  # the data migration's rows are gone after a flush
    FeeSchedule.objects.update_or_create(
        kind=OrganisationKind.SME, year=timezone.localdate().year,
        defaults={"amount": "250.00"},
    )
    member = UserFactory(email="maelle.lefloch@example.org", first_name="Maëlle",
                         last_name="Le Floc'h", language="fr")
    colleague = UserFactory(email="gwenael.ropars@example.org", first_name="Gwenaël",
                            last_name="Ropars", language="fr")
    staff = StaffFactory(email="soizic.staff@example.org", first_name="Soizic",
                         last_name="Guégan", language="fr")
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    staff.totp_secret = secret
    return member, colleague, staff


# --- The journey ---------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_sme_joins_signs_agreement_and_may_use_the_centre(
    live_server, public_pages, people, browser_page, open_page, screenshot_dir, tmp_path
):
    fr = French()
    member, colleague, staff = people
    year = timezone.localdate().year
    rep = browser_page

    # 2. The member logs in, opens "My organisations" and creates the SME.
    _log_in(rep, live_server, member.email)
    expect(rep.locator("html")).to_have_attribute("lang", "fr")
    nav_link = rep.locator("nav.member-bar a.nav-link[href='/organisations/']")
    expect(nav_link).to_have_text(fr("My organisations"))
    _click_and_wait(rep, nav_link)
    assert _path(rep) == "/organisations/"
    expect(rep.locator("main h1")).to_have_text(fr("Your organisations"))
    _click_and_wait(rep, rep.locator("main a[href='/organisations/new/']").first)
    assert _path(rep) == "/organisations/new/"
    expect(rep.locator("main h1")).to_have_text(fr("Create an organisation"))

    form = rep.locator("main form[method='post']")
    form.locator("#id_kind").select_option(OrganisationKind.SME.value)
    form.locator("#id_name").fill(ORG_NAME)
    form.locator("#id_siret").fill(BAD_SIRET)
    form.locator("#id_address").fill("12 quai Éric Tabarly\nParc du Golfe")
    form.locator("#id_postal_code").fill("56000")
    form.locator("#id_city").fill("Vannes")
    form.locator("#id_contact_email").fill("contact@ocean-numerique.example")
    form.locator("#id_language").select_option("fr")
    _click_and_wait(rep, form.locator("button[type='submit']"))
    assert _path(rep) == "/organisations/new/"
    with translation.override("fr"), pytest.raises(ValidationError) as siret_error:
        validate_siret(BAD_SIRET)
    fr("This SIRET number is not valid (its check digit does not match).")
    expect(rep.locator("#id_siret")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(rep.locator("main .invalid-feedback")).to_contain_text(siret_error.value.messages[0])
    expect(rep.locator("main .alert-danger")).to_contain_text(
        fr("The organisation could not be saved: correct the fields marked below.")
    )
    expect(rep.locator("#id_name")).to_have_value(ORG_NAME)  # what she typed is kept
    assert not Organisation.objects.exists()
    _shot(rep, screenshot_dir, 1, "siret-error")

    rep.locator("#id_siret").fill(GOOD_SIRET)
    _click_and_wait(rep, rep.locator("main form[method='post'] button[type='submit']"))
    organisation = Organisation.objects.get(siret=GOOD_SIRET)
    assert organisation.name == ORG_NAME and organisation.kind == OrganisationKind.SME
    assert (organisation.postal_code, organisation.city) == ("56000", "Vannes")
    org_path = f"/organisations/{organisation.pk}/"
    assert _path(rep) == org_path
    expect(rep.locator("main h1")).to_have_text(ORG_NAME)
    expect(rep.locator("main .alert-success").first).to_contain_text(
        fr("The organisation has been created. You are its representative.")
    )
    expect(rep.locator("section[aria-labelledby='access-title'] .alert-warning")).to_contain_text(
        fr("The organisation's projects cannot use the centre yet.")
    )
    assert OrganisationMember.objects.get(organisation=organisation, user=member).role == (
        OrganisationMember.Role.REPRESENTATIVE
    )
    _shot(rep, screenshot_dir, 2, "organisation-created")

    # 3. She invites her colleague as referent; he accepts in his own browser.
    rep.locator("#id_invite_email").fill(colleague.email)
    rep.locator("#id_invite_role").select_option(OrganisationMember.Role.REFERENT.value)
    _click_and_wait(rep, rep.locator(f"form[action='{org_path}invite/'] button[type='submit']"))
    assert _path(rep) == org_path
    with translation.override("fr"):
        sent_text = gettext("An invitation has been sent to %(email)s.") % {
            "email": colleague.email}
    fr("An invitation has been sent to %(email)s.")
    expect(rep.locator("main .alert-success").first).to_contain_text(sent_text)

    notification = Notification.objects.get(event="organisation_invitation",
                                            email=colleague.email)
    match = INVITATION_LINK_RE.search(notification.body)
    assert match, f"no invitation link in:\n{notification.body}"
    invitation_path = match.group(1)
    assert any(match.group(0) in message.body for message in mail.outbox
               if colleague.email in message.to), "the invitation was not emailed"

    mate = open_page("colleague")
    mate.goto(_url(live_server, invitation_path))  # anonymous: sent to the login page
    assert _path(mate) == "/accounts/login/", mate.url
    expect(mate.locator("main .alert-info").first).to_contain_text(
        fr("Sign in to accept the invitation. No account yet? Sign up with the address the "
           "invitation was sent to, confirm it, then follow the invitation link again.")
    )
    _log_in(mate, live_server, colleague.email, next_path=invitation_path)
    assert _path(mate) == invitation_path, mate.url
    with translation.override("fr"):
        join_title = gettext("Join %(name)s") % {"name": ORG_NAME}
    expect(mate.locator("main h1")).to_have_text(join_title)
    role_label = fr("computing and data referent")
    expect(mate.locator("main dl")).to_contain_text(role_label)
    _shot(mate, screenshot_dir, 3, "invitation")
    _click_and_wait(mate, mate.locator("main form:not([action]) button[type='submit']"))
    assert _path(mate) == org_path
    colleague_row = mate.locator("section[aria-labelledby='people-title'] tbody tr",
                                 has_text=colleague.email)
    expect(colleague_row).to_contain_text(capfirst(role_label))
    expect(mate.locator("main h1 + p")).to_contain_text(role_label)
    assert OrganisationMember.objects.get(organisation=organisation, user=colleague).role == (
        OrganisationMember.Role.REFERENT
    )
    _shot(mate, screenshot_dir, 4, "colleague-joined")

    # 4. The representative sees him; the membership awaits payment; she starts the agreement.
    rep.reload()
    expect(
        rep.locator("section[aria-labelledby='people-title'] tbody tr", has_text=colleague.email)
        .locator("select[name='role']")
    ).to_have_value(OrganisationMember.Role.REFERENT.value)
    # Creating the organisation opened this year's membership (the fee is known).
    membership = Membership.objects.get(organisation=organisation, year=year)
    assert membership.status == Membership.Status.PENDING and membership.fee == 250
    expect(rep.locator("section[aria-labelledby='memberships-title'] tbody")).to_contain_text(
        fr("awaiting payment")
    )

    _click_and_wait(rep, rep.locator(f"form[action='{org_path}agreements/new/'] "
                                     "button[type='submit']"))
    agreement = Agreement.objects.get(organisation=organisation)
    assert agreement.number.startswith(f"AG-{year}-")
    agreement_path = f"/agreements/{agreement.pk}/"
    assert _path(rep) == agreement_path
    expect(_status_badge(rep)).to_have_text(fr("draft"))

    _click_and_wait(rep, rep.locator(f"main a[href='{agreement_path}edit/']"))
    rep.locator("#id_signatory_name").fill("Maëlle Le Floc'h")
    rep.locator("#id_signatory_title").fill("Présidente")
    _click_and_wait(rep, rep.locator("main form[method='post'] button[type='submit']"))
    assert _path(rep) == agreement_path
    expect(rep.locator("main dl")).to_contain_text("Maëlle Le Floc'h, Présidente")
    _click_and_wait(rep, rep.locator(f"form[action='{agreement_path}submit/'] "
                                     "button[type='submit']"))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SUBMITTED
    expect(_status_badge(rep)).to_have_text(fr("submitted"))
    history = rep.locator("section[aria-labelledby='history-title'] tbody tr")
    expect(history).to_have_count(agreement.events.count())
    expect(history.last).to_contain_text(fr("submitted"))
    _shot(rep, screenshot_dir, 5, "agreement-submitted")

    # 5. Staff log in with a TOTP code, find the agreement to review and approve it.
    desk = open_page("staff")
    _log_in(desk, live_server, staff.email)
    assert _path(desk) == "/accounts/2fa/authenticate/", desk.url
    code_form = desk.locator("form:has([name='code'])")
    code_form.locator("input[name='code']").fill(_current_totp(staff.totp_secret))
    # (its "Cancel" button submits another form, through its ``form`` attribute)
    _click_and_wait(desk, code_form.locator("button[type='submit']:not([form])"))
    assert _path(desk) == "/account/profile/", desk.url
    _click_and_wait(desk, desk.locator("nav.member-bar a.nav-link[href='/staff/']"))
    expect(desk.locator("main h1")).to_have_text(fr("Staff: to do"))
    to_review = desk.locator("section[aria-labelledby='to-review']")
    expect(to_review.locator("tbody tr", has_text=agreement.number)).to_contain_text(ORG_NAME)
    _shot(desk, screenshot_dir, 6, "staff-dashboard")
    _click_and_wait(desk, to_review.locator(f"a[href='/staff/agreements/{agreement.pk}/']"))
    expect(_status_badge(desk)).to_have_text(fr("submitted"))
    expect(desk.locator("main")).to_contain_text("Maëlle Le Floc'h, Présidente")
    _shot(desk, screenshot_dir, 7, "staff-review")
    _click_and_wait(desk, desk.locator(f"form[action='/staff/agreements/{agreement.pk}/approve/'] "
                                       "button[type='submit']"))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.APPROVED
    expect(_status_badge(desk)).to_have_text(fr("approved, to sign"))
    _shot(desk, screenshot_dir, 8, "staff-approved")

    # 6. The representative downloads the agreement, then uploads the signed copy.
    rep.reload()
    expect(_status_badge(rep)).to_have_text(fr("approved, to sign"))
    with rep.expect_download() as download_info:
        rep.locator(f"main a[href='{agreement_path}agreement.pdf']").click()
    download = download_info.value
    assert download.suggested_filename == f"{agreement.number}.pdf"
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    content = pdf_path.read_bytes()
    # Chromium turns the navigation into a download and reports the navigation request
    # as aborted: that is the download itself, not a failure.
    pdf_url = f"{agreement_path}agreement.pdf: net::ERR_ABORTED"
    rep.problems.failed_requests[:] = [
        entry for entry in rep.problems.failed_requests if not entry.endswith(pdf_url)
    ]
    assert content.startswith(b"%PDF"), content[:20]
    from pypdf import PdfReader, PdfWriter

    text = "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(content)).pages)
    assert "AG-" in text and agreement.number in text, text[:500]
    assert ORG_NAME in text, text[:500]
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
         str(screenshot_dir / "agreement-09-pdf-page1")],
        check=True, timeout=15, capture_output=True,
    )
    assert (screenshot_dir / "agreement-09-pdf-page1.png").stat().st_size > 0

    signed_path = tmp_path / "convention-signee.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    with signed_path.open("wb") as handle:
        writer.write(handle)
    rep.locator("#id_signed_pdf").set_input_files(str(signed_path))
    _click_and_wait(rep, rep.locator(f"form[action='{agreement_path}upload/'] "
                                     "button[type='submit']"))
    assert _path(rep) == agreement_path
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED
    assert agreement.signed_filename == "convention-signee.pdf"
    expect(_status_badge(rep)).to_have_text(fr("signed, to countersign"))
    expect(rep.locator(f"main a[href='{agreement_path}signed.pdf']")).to_be_visible()
    _shot(rep, screenshot_dir, 10, "agreement-signed")

    # 7. Staff countersign it, then record the membership payment.
    _click_and_wait(desk, desk.locator("nav.member-bar a.nav-link[href='/staff/']"))
    to_countersign = desk.locator("section[aria-labelledby='to-countersign']")
    _click_and_wait(desk, to_countersign.locator(f"a[href='/staff/agreements/{agreement.pk}/']"))
    starts_on = desk.locator("form[action$='/countersign/'] input[name='starts_on']")
    expect(starts_on).to_have_value(timezone.localdate().isoformat())
    _click_and_wait(desk, desk.locator(
        f"form[action='/staff/agreements/{agreement.pk}/countersign/'] button[type='submit']"
    ))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.starts_on == timezone.localdate()
    expect(_status_badge(desk)).to_have_text(fr("active"))
    _shot(desk, screenshot_dir, 11, "staff-countersigned")

    staff_org_path = f"/staff/organisations/{organisation.pk}/"
    _click_and_wait(desk, desk.locator(f"main a[href='{staff_org_path}']").first)
    assert _path(desk) == staff_org_path
    payment = desk.locator(f"form[action='/staff/memberships/{membership.pk}/payment/']")
    payment.locator("input[name='paid_on']").fill(timezone.localdate().isoformat())
    payment.locator("input[name='reference']").fill(PAYMENT_REFERENCE)
    _click_and_wait(desk, payment.locator("button[type='submit']"))
    assert _path(desk) == staff_org_path
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PAID
    assert (membership.paid_on, membership.payment_reference) == (
        timezone.localdate(), PAYMENT_REFERENCE)
    row = desk.locator("section[aria-labelledby='memberships'] tbody tr", has_text=str(year))
    expect(row).to_contain_text(PAYMENT_REFERENCE)
    expect(row).to_contain_text(fr("paid"))
    expect(desk.locator("section[aria-labelledby='access']")).to_contain_text(
        fr("Access allowed"))
    _shot(desk, screenshot_dir, 12, "staff-payment-recorded")

    # 8. The representative's organisation page now says it may use the centre.
    rep.goto(_url(live_server, org_path))
    access = rep.locator("section[aria-labelledby='access-title']")
    expect(access.locator(".alert-success")).to_contain_text(
        fr("The organisation's projects may use the centre.")
    )
    expect(access.locator(".alert-warning")).to_have_count(0)
    expect(access).to_contain_text(agreement.number)
    _shot(rep, screenshot_dir, 13, "organisation-may-use-centre")

    # Nothing went wrong in any of the three browsers.
    for name, page in (("representative", rep), ("colleague", mate), ("staff", desk)):
        problems = page.problems
        for kind in ("csp_violations", "page_errors", "console_errors", "failed_requests",
                     "error_responses"):
            assert not getattr(problems, kind), f"{name}: {problems.summary()}"

    if fr.untranslated:
        warnings.warn(
            "Shown in English on the French site (not translated yet): "
            + "; ".join(sorted(fr.untranslated)),
            stacklevel=1,
        )
