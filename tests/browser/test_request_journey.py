"""A project's way to computing time in a real browser, on the French site.

The representative of an SME allowed to use the centre (paid membership, active
agreement) creates a project and becomes its PI, adds a colleague (who sees the
project in a second browser), fills a three-year request for CPU, GPU and disk and
sees the live totals, cost and energy estimates, saves and submits it. Staff (logged
in with a TOTP code, in a third browser) find it on their dashboard and in the queue,
start the review, ask a question, lower one cell and approve. The PI then sees the
request partially approved, the question, the allocation table and the notification.

Screenshots are written to ``var/screenshots/request-NN-<what>.png``. Strings the pages
show are looked up in French through the agreement journey's :class:`French` helper:
English source strings still waiting for their translation are listed in a warning.
"""

import datetime as dt
import re
import warnings
from decimal import ROUND_HALF_UP, Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from algoric.notifications.models import Notification
from members.models import (
    Agreement,
    FeeSchedule,
    Membership,
    OrganisationKind,
    OrganisationMember,
    TermsTemplate,
)
from projects.models import (
    Allocation,
    Project,
    ProjectMember,
    RequestComment,
    ResourceRequest,
    ResourceRequestCell,
)
from resources.models import Resource, ResourceKind, ResourcePrice
from tests.browser.test_agreement_journey import (  # noqa: F401 (open_page is a fixture)
    French,
    _click_and_wait,
    _current_totp,
    _log_in,
    _path,
    open_page,
)
from tests.factories import OrganisationFactory, StaffFactory, TermsTemplateFactory, UserFactory

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

ORG_NAME = "Marées et Courants SARL"
TITLE = "Houle et submersion du golfe du Morbihan"
ACRONYM = "HouleGolfe"
SUMMARY = ("Simulation de la houle et des submersions marines dans le golfe du Morbihan "
           "(SWAN et SCHISM couplés), pour les communes riveraines.")
STAFF_QUESTION = "Pouvez-vous préciser le besoin GPU ?"
DECISION_NOTE = ("Accordé en partie : 1 000 heures GPU la troisième année, "
                 "à revoir sur justification de l'usage.")

#: Amounts typed in the request table, per resource name, for the three years. "150 000"
#: is typed with a space, as people write it in French.
TYPED = {
    "CPU": ("100000", "150 000", "150000"),
    "GPU": ("0", "2000", "2000"),
    "Disque": ("5", "5", "5"),
}
ASKED = {
    "CPU": (Decimal(100_000), Decimal(150_000), Decimal(150_000)),
    "GPU": (Decimal(0), Decimal(2_000), Decimal(2_000)),
    "Disque": (Decimal(5), Decimal(5), Decimal(5)),
}
ROW_JUSTIFICATIONS = {
    "CPU": "Trois campagnes de simulations SWAN/SCHISM (maillage à 20 m, 64 cœurs par run).",
    "GPU": "Portage GPU du modèle de vagues à partir de la deuxième année.",
    "Disque": "Sorties horaires des champs de houle et de niveau d'eau.",
}
OVERALL_JUSTIFICATION = ("Cartographier l'aléa de submersion pour 12 communes du golfe "
                         "sur trois ans, tempête par tempête.")

#: Hand-computed estimate: 400 000 × 0.01 + 4 000 × 0.5 + 15 × 20 EUR.
EXPECTED_COST_EUR = Decimal("6300")
#: Per year: 100 000 × 0.01 + 5 × 20; then 150 000 × 0.01 + 2 000 × 0.5 + 5 × 20 (twice).
EXPECTED_YEAR_COST_EUR = (Decimal("1100"), Decimal("2600"), Decimal("2600"))
#: After the decision (GPU year 3 lowered from 2 000 to 1 000 GPU-hours at 0.5 EUR).
EXPECTED_GRANTED_COST_EUR = Decimal("5800")

SPACES = re.compile(r"[\s\u00a0\u202f]+")


# --- Helpers -------------------------------------------------------------------------------

def _url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"request-{number:02d}-{what}.png"), full_page=True)


def _number(text: str) -> Decimal:
    """A number as a French or English page shows it ("6 300,00", "11 015,3", "6300.00")."""
    cleaned = SPACES.sub("", text).replace("€", "").replace("kWh", "").replace("kg", "")
    return Decimal(cleaned.replace(",", "."))


def _flat(text: str) -> str:
    """``text`` with every kind of space (normal, no-break, narrow no-break) removed."""
    return SPACES.sub("", text)


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _row(table, name: str):
    """The row of ``table`` whose header cell starts with the resource ``name`` (not the
    justification rows under it, which may mention the resource)."""
    return table.locator("tbody tr").filter(
        has=table.page.locator("th[scope='row']", has_text=re.compile(rf"^{re.escape(name)}")))


def _status_badge(page):
    """The status badge next to a request's title (applicant and staff pages)."""
    return page.locator("main h1 ~ span.fs-5 .badge").first


def _staff_log_in(page, live_server, staff) -> None:
    """Log a staff member in with their password, then their TOTP code."""
    _log_in(page, live_server, staff.email)
    assert _path(page) == "/accounts/2fa/authenticate/", page.url
    code_form = page.locator("form:has([name='code'])")
    code_form.locator("input[name='code']").fill(_current_totp(staff.totp_secret))
    _click_and_wait(page, code_form.locator("button[type='submit']:not([form])"))
    assert _path(page) == "/account/profile/", page.url


def _expected_energy_kwh() -> Decimal:
    """Green Algorithms by hand: PUE × W / 1000 kWh per unit, for 400 000 core-hours at
    12 W per core + 4 GB × 0.3725 W/GB, and 4 000 GPU-hours at 300 W."""
    pue = Decimal(str(settings.ENERGY_PUE))
    per_core_hour = pue * (Decimal(12) + Decimal(4) * Decimal("0.3725")) / 1000
    per_gpu_hour = pue * Decimal(300) / 1000
    return Decimal(400_000) * per_core_hour + Decimal(4_000) * per_gpu_hour


@pytest.fixture
def world(transactional_db):
    """An SME allowed to use the centre, its representative (the PI-to-be), a colleague,
    a staff member with TOTP and the resource catalogue (CPU, GPU, disk) priced for SMEs."""
    today = timezone.localdate()
    terms = TermsTemplate.objects.filter(kind=OrganisationKind.SME, is_published=True).first()
    if terms is None:
        terms = TermsTemplateFactory()  # the data migration's rows are gone after a flush
    FeeSchedule.objects.update_or_create(kind=OrganisationKind.SME, year=today.year,
                                         defaults={"amount": "250.00"})
    organisation = OrganisationFactory(name=ORG_NAME, city="Vannes", postal_code="56000")
    pi = UserFactory(email="maelle.lefloch@example.org", first_name="Maëlle",
                     last_name="Le Floc'h", language="fr")
    OrganisationMember.objects.create(organisation=organisation, user=pi,
                                      role=OrganisationMember.Role.REPRESENTATIVE)
    colleague = UserFactory(email="gwenael.ropars@example.org", first_name="Gwenaël",
                            last_name="Ropars", language="fr")
    OrganisationMember.objects.create(organisation=organisation, user=colleague,
                                      role=OrganisationMember.Role.MEMBER)
    Membership.objects.create(organisation=organisation, year=today.year, fee=Decimal("250"),
                              status=Membership.Status.PAID, paid_on=today,
                              payment_reference="VIR-1")
    Agreement.objects.create(number=f"AG-{today.year}-0042", organisation=organisation,
                             kind=organisation.kind, terms=terms,
                             status=Agreement.Status.ACTIVE, starts_on=today,
                             ends_on=today + dt.timedelta(days=365))
    staff = StaffFactory(email="soizic.staff@example.org", first_name="Soizic",
                         last_name="Guégan", language="fr")
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    staff.totp_secret = secret

    cpu = Resource.objects.create(
        name="CPU", kind=ResourceKind.CPU, capacity_per_year=Decimal(2_000_000),
        slurm_cluster="algoric", slurm_partition="cpu", watts_per_core=Decimal(12),
        memory_gb_per_core=Decimal(4), order=1,
        description_fr="Nœuds de calcul bi-processeurs recyclés.")
    gpu = Resource.objects.create(
        name="GPU", kind=ResourceKind.GPU, capacity_per_year=Decimal(40_000),
        slurm_cluster="algoric", slurm_partition="gpu", watts_per_gpu=Decimal(300), order=2)
    disk = Resource.objects.create(name="Disque", kind=ResourceKind.DISK,
                                   capacity_per_year=Decimal(200), order=3)
    for resource, price in ((cpu, "0.01"), (gpu, "0.5"), (disk, "20")):
        ResourcePrice.objects.create(resource=resource, organisation_kind=OrganisationKind.SME,
                                     price_per_unit=Decimal(price))
    return {"organisation": organisation, "pi": pi, "colleague": colleague, "staff": staff,
            "resources": {"CPU": cpu, "GPU": gpu, "Disque": disk}}


# --- The journey ---------------------------------------------------------------------------

def test_pi_requests_three_years_of_resources_and_staff_grant_them_in_part(
    live_server, public_pages, world, browser_page, open_page, screenshot_dir,  # noqa: F811
):
    fr = French()
    organisation, pi, colleague, staff = (world["organisation"], world["pi"],
                                          world["colleague"], world["staff"])
    resources = world["resources"]
    year = timezone.localdate().year
    years = [year, year + 1, year + 2]
    lead = browser_page

    # 2. The PI logs in, opens "My projects" and creates the project.
    _log_in(lead, live_server, pi.email)
    expect(lead.locator("html")).to_have_attribute("lang", "fr")
    nav_link = lead.locator("nav.member-bar a.nav-link[href='/projects/']")
    expect(nav_link).to_have_text(fr("My projects"))
    _click_and_wait(lead, nav_link)
    assert _path(lead) == "/projects/"
    expect(lead.locator("main h1")).to_have_text(fr("Your projects"))
    _click_and_wait(lead, lead.locator(
        f"main a[href='/projects/new/?organisation={organisation.pk}']"))
    assert _path(lead) == "/projects/new/"
    expect(lead.locator("main h1")).to_have_text(fr("New project"))

    form = lead.locator("main form[method='post']")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_acronym").fill(ACRONYM)
    form.locator("#id_summary").fill(SUMMARY)
    form.locator("#id_summary_is_public").check()
    form.locator("#id_field").select_option("earth")
    form.locator("#id_starts_on").fill(dt.date(year, 1, 1).isoformat())
    form.locator("#id_ends_on").fill(dt.date(year + 2, 12, 31).isoformat())
    form.locator("#id_open_science_statement").fill(
        "Code et cartes d'aléa publiés sous licence libre (CeCILL, Etalab 2.0).")
    _click_and_wait(lead, form.locator("button[type='submit']"))

    project = Project.objects.get(acronym=ACRONYM)
    assert (project.title, project.organisation, project.field) == (TITLE, organisation, "earth")
    assert project.summary_is_public and project.status == Project.Status.DRAFT
    assert project.years == years
    assert project.pi == pi
    assert project.slurm_account == "houlegolfe"
    project_path = f"/projects/{project.pk}/"
    assert _path(lead) == project_path
    expect(lead.locator("main h1")).to_contain_text(ACRONYM)
    expect(lead.locator("main h1")).to_contain_text(TITLE)
    with translation.override("fr"):
        created_text = gettext("Project %(acronym)s has been created: you are its PI. Add its "
                               "people, then request resources.") % {"acronym": ACRONYM}
    fr("Project %(acronym)s has been created: you are its PI. Add its people, then request "
       "resources.")
    expect(lead.locator("main .alert-success").first).to_contain_text(created_text)
    expect(lead.locator("section[aria-labelledby='access-title'] .alert-success")).to_contain_text(
        fr("Resource requests may be submitted."))
    expect(lead.locator("section[aria-labelledby='sheet-title']")).to_contain_text(
        capfirst(fr("earth, ocean and climate sciences")))
    expect(lead.locator("section[aria-labelledby='sheet-title'] code")).to_have_text(
        "houlegolfe")
    _shot(lead, screenshot_dir, 1, "project-created")

    # 3. She adds her colleague as a member; he appears in the people table.
    lead.locator("#id_member_email").fill(colleague.email)
    lead.locator("#id_member_role").select_option(ProjectMember.Role.MEMBER.value)
    _click_and_wait(lead, lead.locator(
        f"form[action='{project_path}members/add/'] button[type='submit']"))
    assert _path(lead) == project_path
    with translation.override("fr"):
        added_text = gettext("%(person)s has been added to the project as %(role)s.") % {
            "person": colleague.display_name, "role": str(ProjectMember.Role.MEMBER.label)}
    fr("%(person)s has been added to the project as %(role)s.")
    expect(lead.locator("main .alert-success").first).to_contain_text(added_text)
    people = lead.locator("section[aria-labelledby='people-title'] tbody tr")
    expect(people).to_have_count(2)
    colleague_row = people.filter(has_text=colleague.email)
    expect(colleague_row).to_contain_text("Gwenaël Ropars")
    expect(colleague_row.locator("select[name='role']")).to_have_value(
        ProjectMember.Role.MEMBER.value)
    expect(people.filter(has_text=pi.email)).to_contain_text(
        capfirst(fr("principal investigator")))
    assert ProjectMember.objects.get(project=project, user=colleague).role == (
        ProjectMember.Role.MEMBER)
    assert Notification.objects.filter(event="project_member_added",
                                       recipient=colleague).count() == 1
    _shot(lead, screenshot_dir, 2, "member-added")

    # The colleague sees the project in his own browser, without the lead's actions.
    mate = open_page("colleague")
    _log_in(mate, live_server, colleague.email)
    _click_and_wait(mate, mate.locator("nav.member-bar a.nav-link[href='/projects/']"))
    project_row = mate.locator("main tbody tr", has_text=ACRONYM)
    expect(project_row).to_contain_text(capfirst(fr("member")))
    _click_and_wait(mate, project_row.locator(f"a[href='{project_path}']"))
    expect(mate.locator("main h1")).to_contain_text(ACRONYM)
    expect(mate.locator(f"form[action='{project_path}requests/new/']")).to_have_count(0)
    expect(mate.locator("#id_member_email")).to_have_count(0)
    expect(mate.locator("nav.member-bar a[href='/account/notifications/'] .badge")).to_contain_text(
        "1")
    _shot(mate, screenshot_dir, 3, "colleague-project")

    # 4. She starts a new request and fills the table; the totals follow her typing.
    kinds = lead.locator(f"form[action='{project_path}requests/new/']")
    kinds.locator("#id_request_kind").select_option(ResourceRequest.Kind.NEW.value)
    _click_and_wait(lead, kinds.locator("button[type='submit']"))
    resource_request = ResourceRequest.objects.get(project=project)
    assert resource_request.kind == ResourceRequest.Kind.NEW
    assert resource_request.status == ResourceRequest.Status.DRAFT
    request_path = f"/requests/{resource_request.pk}/"
    assert _path(lead) == f"{request_path}edit/"
    expect(lead.locator("main h1")).to_contain_text(ACRONYM)
    header = lead.locator("table[data-request-table] thead th")
    expect(header).to_have_text([fr("Resource"), *map(str, years), fr("Total")])

    total_cost = lead.locator("[data-total='cost_eur']")
    total_energy = lead.locator("[data-total='energy_kwh']")
    expect(total_cost).to_have_text(re.compile(r"^0[,.]00$"))  # nothing typed yet
    estimate_url = f"{request_path}estimate/"
    with lead.expect_response(lambda response: response.url.endswith(estimate_url)
                              and response.request.method == "POST") as estimate_info:
        for name, amounts in TYPED.items():
            for column, amount in zip(years, amounts, strict=True):
                lead.locator(f"#id_amount-{resources[name].pk}-{column}").fill(amount)
    assert estimate_info.value.ok
    for name, text in ROW_JUSTIFICATIONS.items():
        lead.locator(f"#id_justification-{resources[name].pk}").fill(text)
    lead.locator("#id_justification").fill(OVERALL_JUSTIFICATION)

    expect(total_cost).to_have_text(re.compile(r"^6[\s\u00a0\u202f]?300[,.]00$"))
    assert _number(total_cost.inner_text()) == EXPECTED_COST_EUR
    for column, expected in zip(years, EXPECTED_YEAR_COST_EUR, strict=True):
        assert _number(lead.locator(f"[data-year-cost='{column}']").inner_text()) == expected
    expected_kwh = _expected_energy_kwh()
    assert _tenth(expected_kwh) == Decimal("11015.3")  # with the default PUE of 1.67
    assert _number(total_energy.inner_text()) == _tenth(expected_kwh)
    expect(lead.locator("td:has([data-total='energy_kwh'])")).to_contain_text("kWh")
    co2e_kg = expected_kwh * Decimal(str(settings.ENERGY_CARBON_INTENSITY_G_PER_KWH)) / 1000
    assert _number(lead.locator("[data-total='co2e_kg']").inner_text()) == _tenth(co2e_kg)
    row_totals = {name: _number(lead.locator(f"[data-row-total='{resource.pk}']").inner_text())
                  for name, resource in resources.items()}
    assert row_totals == {name: sum(amounts) for name, amounts in ASKED.items()}
    expect(lead.locator("[data-live-status]")).to_contain_text("kWh")
    expect(lead.locator("[data-table-errors]")).to_be_hidden()
    # Only the script computed this: nothing was saved and the page did not change.
    assert _path(lead) == f"{request_path}edit/"
    assert not resource_request.rows.exists()
    _shot(lead, screenshot_dir, 4, "request-table-estimates")

    _click_and_wait(lead, lead.locator("main form button[name='save']"))
    assert _path(lead) == request_path
    expect(lead.locator("main .alert-success").first).to_contain_text(fr("Draft saved."))
    resource_request.refresh_from_db()
    assert resource_request.justification == OVERALL_JUSTIFICATION
    saved = {(cell.row.resource.name, cell.year): cell.requested for cell in
             ResourceRequestCell.objects.filter(row__request=resource_request)
             .select_related("row__resource")}
    assert saved == {(name, column): amount for name, amounts in ASKED.items()
                     for column, amount in zip(years, amounts, strict=True)}
    assert {row.resource.name: row.justification
            for row in resource_request.rows.select_related("resource")} == ROW_JUSTIFICATIONS
    request_table = lead.locator("section[aria-labelledby='table-title'] table")
    expect(request_table.locator("tfoot tr").first.locator("td").last).to_have_text(
        re.compile(r"^6[\s\u00a0\u202f]?300[,.]00\s*€$"))

    _click_and_wait(lead, lead.locator(f"form[action='{request_path}submit/'] "
                                       "button[type='submit']"))
    assert _path(lead) == request_path
    resource_request.refresh_from_db()
    assert resource_request.status == ResourceRequest.Status.SUBMITTED
    assert resource_request.submitted_at is not None
    expect(_status_badge(lead)).to_have_text(fr("submitted"))
    expect(lead.locator("main .alert-success").first).to_contain_text(
        fr("Request submitted. The Algoric team will review it; you will be notified of their "
           "comments and decision."))
    expect(lead.locator(f"form[action='{request_path}submit/']")).to_have_count(0)
    assert Notification.objects.filter(event="request_submitted", recipient=staff).count() == 1
    _shot(lead, screenshot_dir, 5, "request-submitted")

    # 5. Staff log in with a TOTP code and find the request on the dashboard and the queue.
    desk = open_page("staff")
    _staff_log_in(desk, live_server, staff)
    _click_and_wait(desk, desk.locator("nav.member-bar a.nav-link[href='/staff/']"))
    expect(desk.locator("main h1")).to_have_text(fr("Staff: to do"))
    review_path = f"/staff/projects/requests/{resource_request.pk}/"
    waiting = desk.locator("section[aria-labelledby='requests-waiting']")
    expect(waiting.locator("h2 .badge").first).to_have_text("1")
    dashboard_row = waiting.locator("tbody tr", has_text=ACRONYM)
    expect(dashboard_row).to_contain_text(ORG_NAME)
    expect(dashboard_row.locator(f"a[href='{review_path}']")).to_have_text(ACRONYM)
    _shot(desk, screenshot_dir, 6, "staff-dashboard")

    _click_and_wait(desk, desk.locator("main nav a.nav-link[href='/staff/projects/']"))
    expect(desk.locator("main h1")).to_have_text(fr("Resource requests"))
    queue_row = desk.locator("main table").first.locator("tbody tr", has_text=ACRONYM)
    expect(queue_row).to_contain_text(TITLE)
    expect(queue_row).to_contain_text(ORG_NAME)
    expect(queue_row.locator(".badge")).to_have_text(fr("submitted"))
    _shot(desk, screenshot_dir, 7, "staff-queue")
    _click_and_wait(desk, queue_row.locator(f"a[href='{review_path}']"))
    assert _path(desk) == review_path

    # Staff start the review, ask their question, lower GPU year 3 and approve.
    expect(_status_badge(desk)).to_have_text(fr("submitted"))
    expect(desk.locator("main")).to_contain_text(OVERALL_JUSTIFICATION)
    _click_and_wait(desk, desk.locator(f"form[action='{review_path}start-review/'] "
                                       "button[type='submit']"))
    resource_request.refresh_from_db()
    assert resource_request.status == ResourceRequest.Status.UNDER_REVIEW
    expect(_status_badge(desk)).to_have_text(fr("under review"))

    comment_form = desk.locator(f"form[action='{review_path}comment/']")
    comment_form.locator("textarea[name='body']").fill(STAFF_QUESTION)
    _click_and_wait(desk, comment_form.locator("button[type='submit']"))
    assert _path(desk) == review_path
    expect(desk.locator("main .alert-success").first).to_contain_text(
        fr("Comment sent to the applicants."))
    expect(desk.locator("section[aria-labelledby='comments'] ol li")).to_contain_text(
        STAFF_QUESTION)
    comment = RequestComment.objects.get(request=resource_request)
    assert comment.from_staff and comment.author == staff and comment.body == STAFF_QUESTION
    assert Notification.objects.filter(event="request_comment", recipient=pi).count() == 1

    decision = desk.locator(f"form[action='{review_path}decide/']")
    gpu_year3 = decision.locator(f"#id_granted-{resources['GPU'].pk}-{year + 2}")
    expect(gpu_year3).to_have_value("2000")  # pre-filled with what was asked
    expect(decision.locator(f"#id_granted-{resources['CPU'].pk}-{year}")).to_have_value("100000")
    gpu_year3.fill("1000")
    decision.locator("textarea[name='note']").fill(DECISION_NOTE)
    _shot(desk, screenshot_dir, 8, "staff-review-before-approval")
    _click_and_wait(desk, decision.locator("button[type='submit']"))
    assert _path(desk) == review_path
    resource_request.refresh_from_db()
    assert resource_request.status == ResourceRequest.Status.PARTIALLY_APPROVED
    assert resource_request.decided_by == staff
    assert resource_request.decision_note == DECISION_NOTE
    granted = {(cell.row.resource.name, cell.year): cell.granted for cell in
               ResourceRequestCell.objects.filter(row__request=resource_request)
               .select_related("row__resource")}
    expected_granted = dict(saved)
    expected_granted[("GPU", year + 2)] = Decimal(1000)
    assert granted == expected_granted
    allocations = {(allocation.resource.name, allocation.year): allocation.amount
                   for allocation in Allocation.objects.filter(project=project)
                   .select_related("resource")}
    assert allocations == {key: amount for key, amount in expected_granted.items() if amount}
    assert all(allocation.status == Allocation.Status.ACTIVE
               for allocation in Allocation.objects.filter(project=project))
    gpu_allocation = Allocation.objects.get(project=project, resource=resources["GPU"],
                                            year=year + 2)
    assert (gpu_allocation.starts_on, gpu_allocation.ends_on) == (
        dt.date(year + 2, 1, 1), dt.date(year + 2, 12, 31))
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE  # the first allocation activates it
    expect(_status_badge(desk)).to_have_text(fr("partially approved"))
    with translation.override("fr"):
        decided_text = gettext("Decision recorded: %(status)s. The allocations are created and "
                               "the PI and managers are notified.") % {
            "status": str(ResourceRequest.Status.PARTIALLY_APPROVED.label)}
    fr("Decision recorded: %(status)s. The allocations are created and the PI and managers are "
       "notified.")
    expect(desk.locator("main .alert-success").first).to_contain_text(decided_text)
    expect(desk.locator(f"form[action='{review_path}decide/']")).to_have_count(0)
    expect(desk.locator("section[aria-labelledby='decision']")).to_contain_text(DECISION_NOTE)
    staff_gpu_row = _row(desk.locator("section[aria-labelledby='allocations'] table"), "GPU")
    assert _flat(staff_gpu_row.locator("td").nth(2).locator(".fw-semibold").inner_text()) == (
        "1000")
    _shot(desk, screenshot_dir, 9, "staff-review-approved")

    # 6. The PI sees the decision, the question, the allocations and the notification.
    lead.reload()
    expect(_status_badge(lead)).to_have_text(fr("partially approved"))
    decision_card = lead.locator("section[aria-labelledby='decision-title']")
    expect(decision_card).to_contain_text(DECISION_NOTE)
    comments = lead.locator("section[aria-labelledby='comments'] ol li")
    expect(comments).to_have_count(1)
    expect(comments.first).to_contain_text(STAFF_QUESTION)
    expect(comments.first).to_contain_text(fr("Algoric staff"))
    expect(comments.first).to_contain_text("Soizic Guégan")
    request_table = lead.locator("section[aria-labelledby='table-title'] table")
    lowered = request_table.locator("tbody td.table-warning")
    expect(lowered.first).to_be_visible()
    gpu_cell = _row(request_table, "GPU").locator("td").nth(2)
    expect(gpu_cell).to_have_class(re.compile(r"\btable-warning\b"))
    assert _flat(gpu_cell.locator(".fw-semibold").inner_text()) == "1000"
    granted_cost = request_table.locator("tfoot tr").first.locator("td").last
    expect(granted_cost).to_contain_text("€")
    assert _number(granted_cost.inner_text()) == EXPECTED_GRANTED_COST_EUR  # on what was granted
    _shot(lead, screenshot_dir, 10, "pi-request-partially-approved")

    _click_and_wait(lead, decision_card.locator(f"a[href='{project_path}#allocations']"))
    assert _path(lead) == project_path
    allocation_table = lead.locator("section#allocations table")
    expect(allocation_table.locator("thead th")).to_have_text(
        [fr("Resource"), *map(str, years), fr("Total")])
    gpu_row = _row(allocation_table, "GPU")
    gpu_cells = gpu_row.locator("td")
    expect(gpu_cells).to_have_count(4)
    expect(gpu_cells.nth(0)).to_have_text("—")  # nothing asked (0) in year 1
    assert _flat(gpu_cells.nth(1).inner_text()).startswith("2000")
    assert _flat(gpu_cells.nth(2).inner_text()).startswith("1000")
    expect(gpu_cells.nth(2)).to_contain_text(fr("GPU-hours"))
    expect(gpu_cells.nth(2)).to_contain_text(capfirst(fr("active")))
    assert _flat(gpu_cells.nth(3).inner_text()).startswith("3000")
    cpu_row = _row(allocation_table, "CPU")
    assert _flat(cpu_row.locator("td").nth(3).inner_text()).startswith("400000")
    expect(lead.locator("section[aria-labelledby='requests-title'] tbody tr")).to_contain_text(
        capfirst(fr("partially approved")))
    unread = Notification.objects.filter(recipient=pi, in_inbox=True,
                                         read_at__isnull=True).count()
    assert unread == 2  # the staff question and the decision
    inbox_link = lead.locator("nav.member-bar a.nav-link[href='/account/notifications/']")
    expect(inbox_link.locator(".badge")).to_contain_text(str(unread))
    _shot(lead, screenshot_dir, 11, "pi-project-allocations")

    decided = Notification.objects.get(event="request_decided", recipient=pi)
    assert ACRONYM in decided.subject and decided.language == "fr"
    assert DECISION_NOTE in decided.body
    assert any(message.subject == decided.subject for message in mail.outbox
               if pi.email in message.to), "the decision was not emailed to the PI"
    _click_and_wait(lead, inbox_link)
    assert _path(lead) == "/account/notifications/"
    expect(lead.locator("main h1")).to_have_text(fr("Notifications"))
    cards = lead.locator("main article.card")
    expect(cards).to_have_count(unread)
    expect(cards.first).to_contain_text(decided.subject)  # newest first
    expect(cards.first).to_contain_text(DECISION_NOTE)
    expect(cards.first.locator(".badge")).to_have_text(fr("new"))
    expect(cards.nth(1)).to_contain_text(STAFF_QUESTION)
    _shot(lead, screenshot_dir, 12, "pi-notifications")

    # Nothing went wrong in any of the three browsers. The live totals cancel a request
    # still running when the applicant types again (AbortController): Chromium reports
    # the cancelled estimate request as aborted; that is the script's intent.
    aborted = f"{estimate_url}: net::ERR_ABORTED"
    lead.problems.failed_requests[:] = [
        entry for entry in lead.problems.failed_requests
        if not (entry.startswith("POST ") and entry.endswith(aborted))]
    for name, page in (("PI", lead), ("colleague", mate), ("staff", desk)):
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
