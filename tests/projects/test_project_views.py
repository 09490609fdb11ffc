"""Member pages of projects (fiche projet), their people and invitations, and the public
project pages."""

import datetime as dt
import re
from decimal import Decimal
from http import HTTPStatus
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from algoric.notifications.models import Notification
from members.models import OrganisationKind
from projects.models import Allocation, Project, ProjectInvitation, ProjectMember
from projects.selectors.projects import project_role
from projects.services import projects as project_services
from resources.models import Resource

from ..factories import (
    OrganisationFactory,
    OrganisationMemberFactory,
    ProjectMemberFactory,
    ResourceFactory,
    UserFactory,
    allow,
)

pytestmark = pytest.mark.django_db
Role = ProjectMember.Role
YEAR = timezone.localdate().year


def en(name, *args):
    """The English URL of ``name``: the pages then answer in English."""
    with translation.override("en"):
        return reverse(name, args=args)


def text(response) -> str:
    return response.content.decode()


def project_data(**overrides):
    data = {
        "title": "Écoulements côtiers du golfe du Morbihan",
        "acronym": "ÉcoFlot 2",
        "summary": "Simulation des courants de marée et de la submersion.",
        "summary_is_public": "on",
        "field": "earth",
        "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR + 2}-12-31",
        "dmp_url": "https://dmp.opidor.fr/plans/1234",
        "open_science_statement": "Code sous licence GPL-3.0, données sur Zenodo.",
        "slurm_account": "",
    }
    data.update(overrides)
    return data


def create_project(organisation, actor=None, **overrides):
    """A project of ``organisation`` made by ``project_create`` on purpose, as the pages make
    it: ``actor`` (the representative unless given) becomes its PI, and an empty Slurm
    account is proposed from the acronym. ``overrides`` change the form data."""
    values = {
        "title": "Houle et submersion", "acronym": "HouleGolfe", "summary": "La houle.",
        "summary_is_public": False, "field": "earth", "starts_on": dt.date(YEAR, 1, 1),
        "ends_on": dt.date(YEAR + 2, 12, 31), "dmp_url": "", "open_science_statement": "",
    }
    values.update(overrides)
    return project_services.project_create(
        organisation=organisation, actor=actor or organisation.representative, data=values)


@pytest.fixture
def project(organisation):
    """A project of ``organisation`` made by ``project_create`` (:func:`create_project`):
    its PI is the representative (``project.pi_user``); a manager (``project.manager``,
    from outside) and the organisation's plain member (``project.member``) are added as
    plain rows."""
    project = create_project(organisation)
    project.pi_user = organisation.representative
    project.manager = ProjectMemberFactory(project=project, role=Role.MANAGER).user
    project.member = organisation.plain_member
    ProjectMemberFactory(project=project, user=project.member, role=Role.MEMBER)
    return project


@pytest.fixture
def cpu(db):
    return ResourceFactory(name="Cluster CPU", capacity_per_year=2_000_000, slurm_cluster="",
                           slurm_partition="", watts_per_core=Decimal("10"),
                           memory_gb_per_core=None, order=1)


def allocate(project, resource, year, amount, status="active", reason=""):
    return Allocation.objects.create(
        project=project, resource=resource, year=year, amount=Decimal(amount),
        starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31), status=status,
        suspended_reason=reason)


# --- Creating a project --------------------------------------------------------------------

def test_creator_becomes_pi_and_slurm_account_is_proposed_from_the_acronym(client, organisation):
    client.force_login(organisation.representative)
    url = en("projects:project_create") + f"?organisation={organisation.pk}"
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert organisation.name in text(response)
    assert "Leave it empty and a name is made from the acronym" in text(response)

    response = client.post(url, project_data())
    project = Project.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == en("projects:project_detail", project.pk)
    assert project.slurm_account == "ecoflot_2"
    assert project.organisation == organisation
    assert project.status == Project.Status.DRAFT
    assert project_role(project=project, user=organisation.representative) == Role.PI


def test_project_list_shows_my_projects_with_my_role_and_a_new_project_button(
    client, project, organisation
):
    client.force_login(project.manager)
    OrganisationMemberFactory(organisation=organisation, user=project.manager)
    response = client.get(en("projects:project_list"))
    assert response.status_code == HTTPStatus.OK
    body = text(response)
    assert "HouleGolfe" in body and "Houle et submersion" in body
    assert "Manager" in body
    assert f"{YEAR}–{YEAR + 2}" in body
    assert f"?organisation={organisation.pk}" in body


def test_end_date_before_start_is_refused_on_the_field(client, organisation):
    client.force_login(organisation.representative)
    url = en("projects:project_create") + f"?organisation={organisation.pk}"
    response = client.post(url, project_data(starts_on=f"{YEAR}-06-01",
                                             ends_on=f"{YEAR}-01-01"))
    assert response.status_code == HTTPStatus.OK
    assert "The end date must be after the start date." in text(response)
    assert "ecoflot_2" in text(response)  # the proposed account is shown after an error
    assert not Project.objects.exists()


def test_project_longer_than_six_years_is_refused_by_the_service(client, organisation):
    client.force_login(organisation.representative)
    url = en("projects:project_create") + f"?organisation={organisation.pk}"
    response = client.post(url, project_data(ends_on=f"{YEAR + 6}-12-31"))
    assert response.status_code == HTTPStatus.OK
    assert "A project spans at most 6 calendar years." in text(response)
    assert not Project.objects.exists()


def test_taken_or_malformed_slurm_account_is_refused(client, organisation):
    create_project(organisation, slurm_account="houle")
    client.force_login(organisation.representative)
    url = en("projects:project_create") + f"?organisation={organisation.pk}"
    response = client.post(url, project_data(slurm_account="houle"))
    assert response.status_code == HTTPStatus.OK
    assert "This Slurm account name is taken." in text(response)
    response = client.post(url, project_data(slurm_account="1-Bad Name"))
    assert response.status_code == HTTPStatus.OK
    assert "Use 2 to 30 lower-case letters" in text(response)
    assert Project.objects.count() == 1


def test_creating_for_an_organisation_i_am_not_in_is_404(client, organisation):
    other = OrganisationFactory()
    client.force_login(organisation.representative)
    for value in (str(other.pk), "999999", "abc"):
        url = en("projects:project_create") + f"?organisation={value}"
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND
        assert client.post(url, project_data()).status_code == HTTPStatus.NOT_FOUND
    assert not Project.objects.exists()


def test_create_page_asks_which_organisation_when_i_am_in_several(client, organisation):
    second = OrganisationMemberFactory(user=organisation.representative).organisation
    client.force_login(organisation.representative)
    response = client.get(en("projects:project_create"))
    assert response.status_code == HTTPStatus.OK
    assert "Which organisation is the project for?" in text(response)
    assert organisation.name in text(response) and second.name in text(response)
    assert 'name="title"' not in text(response)


def test_create_page_without_organisation_sends_people_to_their_organisations(client, member):
    client.force_login(member)
    response = client.get(en("projects:project_create"))
    assert response.status_code == HTTPStatus.OK
    assert "you do not belong to any yet" in text(response)


def test_anonymous_is_sent_to_login(client, project):
    for url in (en("projects:project_list"), en("projects:project_detail", project.pk),
                en("projects:project_create")):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert urlparse(response["Location"]).path == en("account_login")


# --- Access ----------------------------------------------------------------------------------

def test_another_users_project_answers_404_on_every_project_url(client, project, member):
    client.force_login(member)
    target = project.members.get(user=project.member)
    pk = project.pk
    for url in (en("projects:project_detail", pk), en("projects:project_edit", pk)):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
    posts = [
        (en("projects:project_edit", pk), project_data()),
        (en("projects:project_close", pk), {"confirm": "on"}),
        (en("projects:project_member_add", pk), {"email": "x@example.org", "role": "member"}),
        (en("projects:project_member_role", pk, target.pk), {"role": "manager"}),
        (en("projects:project_member_remove", pk, target.pk), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == HTTPStatus.NOT_FOUND, url
    project.refresh_from_db()
    assert project.title == "Houle et submersion"
    assert project.status == Project.Status.DRAFT
    assert project.members.count() == 3
    assert not ProjectInvitation.objects.exists()
    target.refresh_from_db()
    assert target.role == Role.MEMBER


def test_member_of_another_project_cannot_touch_its_people_through_mine(client, project,
                                                                       organisation):
    outsider = OrganisationMemberFactory(role="representative")
    other = create_project(outsider.organisation, actor=outsider.user, acronym="Autre")
    foreign = other.members.get()
    client.force_login(project.pi_user)
    assert client.post(en("projects:project_member_remove", project.pk, foreign.pk)
                       ).status_code == HTTPStatus.NOT_FOUND
    assert client.post(en("projects:project_member_role", project.pk, foreign.pk),
                       {"role": "member"}).status_code == HTTPStatus.NOT_FOUND
    assert other.members.count() == 1


def test_plain_member_gets_403_on_people_actions_and_sees_no_management_buttons(
    client, project
):
    manager = project.members.get(user=project.manager)
    client.force_login(project.member)
    response = client.get(en("projects:project_detail", project.pk))
    assert response.status_code == HTTPStatus.OK
    body = text(response)
    assert "Add to the project" not in body
    assert en("projects:project_member_remove", project.pk, manager.pk) not in body
    assert en("projects:project_member_role", project.pk, manager.pk) not in body
    assert en("projects:project_edit", project.pk) not in body
    assert en("projects:project_close", project.pk) not in body
    assert en("projects:request_create", project.pk) not in body
    assert "Leave the project" in body

    pk = project.pk
    forbidden = [
        (en("projects:project_member_add", pk), {"email": "x@example.org", "role": "member"}),
        (en("projects:project_member_role", pk, manager.pk), {"role": "member"}),
        (en("projects:project_member_remove", pk, manager.pk), {}),
        (en("projects:project_close", pk), {"confirm": "on"}),
        (en("projects:project_edit", pk), project_data()),
    ]
    for url, data in forbidden:
        assert client.post(url, data).status_code == HTTPStatus.FORBIDDEN, url
    assert client.get(en("projects:project_edit", pk)).status_code == HTTPStatus.FORBIDDEN
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER
    assert project.members.count() == 3
    assert not ProjectInvitation.objects.exists()
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT


def test_get_on_every_post_only_url_answers_405(client, project):
    target = project.members.get(user=project.member)
    client.force_login(project.pi_user)
    pk = project.pk
    for url in (en("projects:project_close", pk), en("projects:project_member_add", pk),
                en("projects:project_member_role", pk, target.pk),
                en("projects:project_member_remove", pk, target.pk)):
        assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED, url
    assert project.members.count() == 3
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT


# --- The project page ------------------------------------------------------------------------

def test_project_page_shows_the_sheet_people_and_the_access_reasons(client, project):
    client.force_login(project.pi_user)
    response = client.get(en("projects:project_detail", project.pk))
    assert response.status_code == HTTPStatus.OK
    body = text(response)
    for expected in ("HouleGolfe", "Houle et submersion", "Earth, ocean and climate sciences",
                     "<code>houlegolfe</code>", "Principal investigator", "Manager",
                     "Resource requests cannot be submitted yet.",
                     f"No membership for {YEAR}.", "No active agreement.",
                     "Add to the project", "Start a request", "Close the project"):
        assert expected in body, expected
    # the PI cannot be removed nor leave: no button on their row
    pi_member = project.members.get(role=Role.PI)
    assert en("projects:project_member_remove", project.pk, pi_member.pk) not in body


def test_project_page_says_requests_may_be_submitted_when_allowed(client, project):
    allow(project.organisation)
    client.force_login(project.pi_user)
    body = text(client.get(en("projects:project_detail", project.pk)))
    assert "Resource requests may be submitted." in body
    assert "No active agreement." not in body


def test_allocation_table_shows_amounts_units_statuses_and_totals(client, project, cpu):
    disk = Resource.objects.create(name="Stockage", kind="disk", capacity_per_year=100, order=2)
    allocate(project, cpu, YEAR, "100000")
    allocate(project, cpu, YEAR + 1, "150000", status="suspended", reason="Usage abusif")
    allocate(project, disk, YEAR, "5.5", status="expired")
    client.force_login(project.member)
    body = text(client.get(en("projects:project_detail", project.pk)))
    assert "Cluster CPU" in body and "Stockage" in body
    assert "100,000" in body and "150,000" in body
    assert "250,000" in body  # the CPU row total
    assert "5.5" in body
    assert "core-hours" in body and "TB" in body
    for status in ("Active", "Suspended", "Expired"):
        assert f">{status}</span>" in body, status
    for year in (YEAR, YEAR + 1, YEAR + 2):
        assert f">{year}</th>" in body


def test_project_page_lists_its_requests_with_links(client, project):
    from projects.services.requests import request_create

    resource_request = request_create(project=project, kind="new",
                                      actor=project.pi_user)
    client.force_login(project.member)
    body = text(client.get(en("projects:project_detail", project.pk)))
    assert en("projects:request_detail", resource_request.pk) in body
    assert "New project" in body and "Draft" in body


def test_request_kinds_offer_emergency_only_to_public_bodies(client, project):
    client.force_login(project.pi_user)
    body = text(client.get(en("projects:project_detail", project.pk)))
    assert 'value="new"' in body and 'value="supplement"' in body
    assert 'value="emergency"' not in body

    town = OrganisationFactory(kind=OrganisationKind.PUBLIC_BODY, siret="")
    mayor = OrganisationMemberFactory(organisation=town, role="representative").user
    flood = create_project(town, actor=mayor, acronym="Crue56")
    client.force_login(mayor)
    body = text(client.get(en("projects:project_detail", flood.pk)))
    assert 'value="emergency"' in body


# --- People --------------------------------------------------------------------------------

def test_lead_adds_an_existing_user_at_once_and_they_are_notified(
    client, project, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="yann@example.org")
    client.force_login(project.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("projects:project_member_add", project.pk),
                               {"email": "Yann@Example.org", "role": "manager"}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "has been added to the project as manager" in text(response)
    assert project.members.get(user=colleague).role == Role.MANAGER
    assert not ProjectInvitation.objects.exists()
    assert Notification.objects.filter(recipient=colleague, event="project_member_added").exists()
    assert [m.to for m in mail.outbox] == [["yann@example.org"]]


def test_adding_someone_already_in_the_project_is_refused_with_a_message(client, project):
    client.force_login(project.pi_user)
    response = client.post(en("projects:project_member_add", project.pk),
                           {"email": project.member.email, "role": "manager"}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "This person is already in the project." in text(response)
    assert project.members.get(user=project.member).role == Role.MEMBER


def test_bad_email_or_role_is_refused_with_a_message(client, project):
    client.force_login(project.pi_user)
    for data in ({"email": "not-an-email", "role": "member"},
                 {"email": "x@example.org", "role": "pi"}):
        response = client.post(en("projects:project_member_add", project.pk), data, follow=True)
        assert response.status_code == HTTPStatus.OK
        assert "alert-danger" in text(response)
    assert project.members.count() == 3
    assert not ProjectInvitation.objects.exists()


def invitation_link() -> str:
    match = re.search(r"https?://\S+/project-invitations/\S+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return urlparse(match.group(0)).path


def test_unknown_email_gets_an_invitation_that_a_new_user_accepts_once(
    client, project, django_capture_on_commit_callbacks
):
    client.force_login(project.pi_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("projects:project_member_add", project.pk),
                               {"email": "gaelle@example.org", "role": "member"}, follow=True)
    assert "an invitation has been sent" in text(response)
    assert "gaelle@example.org" in text(response)  # listed among the open invitations
    assert [m.to for m in mail.outbox] == [["gaelle@example.org"]]
    path = invitation_link()

    newcomer = UserFactory(email="gaelle@example.org")  # signed up with that verified address
    client.force_login(newcomer)
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert "HouleGolfe" in text(response)
    response = client.post(path)
    assert response.status_code == HTTPStatus.FOUND
    assert urlparse(response["Location"]).path.endswith(f"/projects/{project.pk}/")
    assert project.members.get(user=newcomer).role == Role.MEMBER

    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "already been used" in text(response)
    assert project.members.filter(user=newcomer).count() == 1


def test_forged_or_expired_invitation_token_answers_400(
    client, project, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    for token in ("eyJpbnZpdGF0aW9uIjoxfQ:1tForged:abcdefghijklmnopqrstuvwxyz0", "nonsense"):
        url = en("projects:invitation_accept", token)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == HTTPStatus.BAD_REQUEST
            assert "not valid or has expired" in text(response)

    invitation = project_services.project_member_add(
        project=project, email="expired@example.org", role="member",
        actor=project.pi_user)
    token = project_services.invitation_token(invitation)
    ProjectInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(en("projects:invitation_accept", token))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "not valid or has expired" in text(response)
    assert not project.members.filter(user=member).exists()


def test_invitation_for_another_address_is_refused(client, project):
    invitation = project_services.project_member_add(
        project=project, email="gaelle@example.org", role="member", actor=project.pi_user)
    path = en("projects:invitation_accept", project_services.invitation_token(invitation))
    someone_else = UserFactory(email="someone.else@example.org")
    client.force_login(someone_else)
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert "but you are signed in as someone.else@example.org" in text(response)
    response = client.post(path)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This invitation was sent to gaelle@example.org" in text(response)
    assert not project.members.filter(user=someone_else).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_anonymous_invitation_link_goes_to_login_and_back(client, project):
    invitation = project_services.project_member_add(
        project=project, email="gaelle@example.org", role="member", actor=project.pi_user)
    path = en("projects:invitation_accept", project_services.invitation_token(invitation))
    response = client.get(path)
    assert response.status_code == HTTPStatus.FOUND
    login = urlparse(response["Location"])
    assert login.path == en("account_login")
    assert parse_qs(login.query)["next"] == [path]


def test_pi_cannot_be_removed(client, project):
    pi_member = project.members.get(role=Role.PI)
    for actor in (project.manager, project.pi_user):
        client.force_login(actor)
        response = client.post(en("projects:project_member_remove", project.pk, pi_member.pk),
                               follow=True)
        assert response.status_code == HTTPStatus.OK
        assert "The PI cannot be removed." in text(response)
    assert project.members.filter(pk=pi_member.pk, role=Role.PI).exists()


def test_lead_removes_a_member_and_a_member_may_leave(client, project):
    client.force_login(project.manager)
    target = project.members.get(user=project.member)
    response = client.post(en("projects:project_member_remove", project.pk, target.pk),
                           follow=True)
    assert "has been removed from the project" in text(response)
    assert not project.members.filter(user=project.member).exists()

    me = project.members.get(user=project.manager)
    response = client.post(en("projects:project_member_remove", project.pk, me.pk))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == en("projects:project_list")
    assert not project.members.filter(user=project.manager).exists()
    # once out, the project answers 404
    assert client.get(en("projects:project_detail", project.pk)).status_code == \
        HTTPStatus.NOT_FOUND


def test_lead_changes_a_role_and_only_the_pi_hands_over(client, project):
    target = project.members.get(user=project.member)
    client.force_login(project.manager)
    response = client.post(en("projects:project_member_role", project.pk, target.pk),
                           {"role": "manager"}, follow=True)
    assert "is now manager" in text(response)
    target.refresh_from_db()
    assert target.role == Role.MANAGER

    response = client.post(en("projects:project_member_role", project.pk, target.pk),
                           {"role": "pi"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    target.refresh_from_db()
    assert target.role == Role.MANAGER

    client.force_login(project.pi_user)
    response = client.post(en("projects:project_member_role", project.pk, target.pk),
                           {"role": "pi"})
    assert response.status_code == HTTPStatus.FOUND
    target.refresh_from_db()
    assert target.role == Role.PI
    assert project.members.get(user=project.pi_user).role == Role.MANAGER


def test_unknown_role_is_refused_with_a_message(client, project):
    target = project.members.get(user=project.member)
    client.force_login(project.pi_user)
    response = client.post(en("projects:project_member_role", project.pk, target.pk),
                           {"role": "owner"}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "alert-danger" in text(response)
    target.refresh_from_db()
    assert target.role == Role.MEMBER


# --- Editing and closing -------------------------------------------------------------------

def edit_data(project, **overrides):
    data = {field: getattr(project, field) for field in
            ("title", "acronym", "summary", "field", "dmp_url", "open_science_statement",
             "slurm_account")}
    data.update(starts_on=project.starts_on.isoformat(), ends_on=project.ends_on.isoformat())
    if project.summary_is_public:
        data["summary_is_public"] = "on"
    data.update(overrides)
    return data


def test_manager_edits_the_sheet_and_may_change_the_slurm_account_before_allocation(
    client, project
):
    client.force_login(project.manager)
    response = client.get(en("projects:project_edit", project.pk))
    assert response.status_code == HTTPStatus.OK
    assert 'value="houlegolfe"' in text(response)
    response = client.post(en("projects:project_edit", project.pk),
                           edit_data(project, title="Houle, marées et submersion",
                                     slurm_account="houle-golfe"))
    assert response.status_code == HTTPStatus.FOUND
    project.refresh_from_db()
    assert project.title == "Houle, marées et submersion"
    assert project.slurm_account == "houle-golfe"


def test_slurm_account_is_fixed_once_an_allocation_exists(client, project, cpu):
    allocate(project, cpu, YEAR, "1000")
    client.force_login(project.pi_user)
    response = client.get(en("projects:project_edit", project.pk))
    assert re.search(r'<input[^>]*name="slurm_account"[^>]*disabled', text(response))
    assert "Fixed: resources have been allocated to this account." in text(response)
    response = client.post(en("projects:project_edit", project.pk),
                           edit_data(project, title="Nouveau titre", slurm_account="autre"))
    assert response.status_code == HTTPStatus.FOUND
    project.refresh_from_db()
    assert project.title == "Nouveau titre"
    assert project.slurm_account == "houlegolfe"


def test_edit_refuses_dates_that_drop_an_allocated_year(client, project, cpu):
    allocate(project, cpu, YEAR + 2, "1000")
    client.force_login(project.pi_user)
    response = client.post(en("projects:project_edit", project.pk),
                           edit_data(project, ends_on=f"{YEAR + 1}-12-31"))
    assert response.status_code == HTTPStatus.OK
    assert "The dates must keep every year that has an allocation." in text(response)
    project.refresh_from_db()
    assert project.ends_on.year == YEAR + 2


def test_pi_closes_the_project_after_confirming(client, project):
    client.force_login(project.manager)
    assert client.post(en("projects:project_close", project.pk),
                       {"confirm": "on"}).status_code == HTTPStatus.FORBIDDEN
    client.force_login(project.pi_user)
    response = client.post(en("projects:project_close", project.pk), follow=True)
    assert "Tick the box to confirm" in text(response)
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT
    response = client.post(en("projects:project_close", project.pk), {"confirm": "on"},
                           follow=True)
    assert "is closed" in text(response)
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    body = text(response)
    assert "Start a request" not in body and "Add to the project" not in body


def test_a_closed_project_takes_no_one_and_keeps_its_roles(client, project):
    from projects.models import ProjectMember

    client.force_login(project.pi_user)
    client.post(en("projects:project_close", project.pk), {"confirm": "on"})
    colleague = ProjectMember.objects.get(project=project, user=project.manager)
    newcomer = UserFactory()
    response = client.post(en("projects:project_member_add", project.pk),
                           {"email": newcomer.email, "role": "member"}, follow=True)
    assert "The project is closed" in text(response)
    response = client.post(en("projects:project_member_role", project.pk, colleague.pk),
                           {"role": "member"}, follow=True)
    assert "The project is closed" in text(response)
    colleague.refresh_from_db()
    assert colleague.role == ProjectMember.Role.MANAGER
    assert not project.members.filter(user=newcomer).exists()
    # Leaving stays possible.
    client.force_login(project.manager)
    client.post(en("projects:project_member_remove", project.pk, colleague.pk))
    assert not project.members.filter(user=project.manager).exists()


def test_staff_may_see_and_edit_any_project(client, project, staff_with_mfa):
    client.force_login(staff_with_mfa)
    assert client.get(en("projects:project_detail", project.pk)).status_code == HTTPStatus.OK
    response = client.post(en("projects:project_edit", project.pk),
                           edit_data(project, title="Revu par l'équipe"))
    assert response.status_code == HTTPStatus.FOUND
    project.refresh_from_db()
    assert project.title == "Revu par l'équipe"


# --- Public pages --------------------------------------------------------------------------

def test_public_pages_show_only_public_summaries_of_non_draft_projects(client, organisation):
    shown = create_project(organisation, acronym="Publique", summary_is_public=True,
                         summary="Des courants visibles de tous.",
                         open_science_statement="Données sous CC-BY-4.0.")
    private = create_project(organisation, acronym="Privee", summary_is_public=False)
    draft = create_project(organisation, acronym="Brouillon", summary_is_public=True)
    Project.objects.filter(pk__in=[shown.pk, private.pk]).update(status=Project.Status.ACTIVE)

    response = client.get(en("projects:public_list"))
    assert response.status_code == HTTPStatus.OK
    body = text(response)
    assert "Publique" in body
    assert "Privee" not in body and "Brouillon" not in body

    response = client.get(en("projects:public_detail", shown.pk))
    assert response.status_code == HTTPStatus.OK
    body = text(response)
    for expected in ("Publique", "Houle et submersion", "Earth, ocean and climate sciences",
                     organisation.name, f"{YEAR}–{YEAR + 2}", "Des courants visibles de tous.",
                     "Données sous CC-BY-4.0."):
        assert expected in body, expected
    assert shown.slurm_account not in body
    for hidden in (private, draft):
        assert client.get(en("projects:public_detail", hidden.pk)).status_code == \
            HTTPStatus.NOT_FOUND
    assert client.get(en("projects:public_detail", 999999)).status_code == HTTPStatus.NOT_FOUND


def test_public_project_list_is_paginated_newest_first(client, organisation, settings):
    from projects.views.public import PUBLIC_PROJECTS_PER_PAGE

    per_page = PUBLIC_PROJECTS_PER_PAGE
    projects = [create_project(organisation, acronym=f"Pub{index:02d}", summary_is_public=True,
                               starts_on=dt.date(YEAR, 1, 1) + dt.timedelta(days=index))
                for index in range(per_page + 2)]
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(status=Project.Status.ACTIVE)
    newest_first = [f"Pub{index:02d}" for index in reversed(range(per_page + 2))]

    first = text(client.get(en("projects:public_list")))
    assert all(acronym in first for acronym in newest_first[:per_page])
    assert not any(acronym in first for acronym in newest_first[per_page:])
    assert "Page 1 of 2" in first and "Older projects" in first
    second = client.get(en("projects:public_list") + "?page=2")
    assert second.status_code == HTTPStatus.OK
    body = text(second)
    assert all(acronym in body for acronym in newest_first[per_page:])
    assert "Page 2 of 2" in body and "Newer projects" in body
    # A page out of range or not a number shows a page, never an error.
    for page in ("99", "abc", "-1"):
        assert client.get(en("projects:public_list") + f"?page={page}").status_code == \
            HTTPStatus.OK


def test_public_project_text_is_escaped(client, organisation):
    shown = create_project(organisation, acronym="XSS", summary_is_public=True,
                         summary="<script>alert(1)</script>")
    Project.objects.filter(pk=shown.pk).update(status=Project.Status.ACTIVE)
    for url in (en("projects:public_list"), en("projects:public_detail", shown.pk)):
        body = text(client.get(url))
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;" in body


def test_leads_revoke_invitations_and_the_link_stops_working(client, db):
    from django.utils import timezone

    from projects.models import Project, ProjectInvitation, ProjectMember
    from projects.services.projects import invitation_token

    from ..factories import OrganisationFactory, UserFactory

    pi, member = UserFactory(), UserFactory()
    organisation = OrganisationFactory()
    organisation.members.create(user=pi, role="representative")
    project = Project.objects.create(title="T", acronym="T", summary="s", field="other",
                                     organisation=organisation, starts_on=dt.date(2027, 1, 1),
                                     ends_on=dt.date(2027, 12, 31), slurm_account="tt")
    ProjectMember.objects.create(project=project, user=pi, role="pi")
    ProjectMember.objects.create(project=project, user=member, role="member")
    invitation = ProjectInvitation.objects.create(
        project=project, email="new@example.org", role="member", invited_by=pi,
        expires_at=timezone.now() + dt.timedelta(days=3))
    url = reverse("projects:project_invitation_revoke", args=[project.pk, invitation.pk])
    client.force_login(member)
    assert client.post(url).status_code == HTTPStatus.FORBIDDEN
    client.force_login(pi)
    assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.post(url).status_code == HTTPStatus.FOUND
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    invitee = UserFactory(email="new@example.org")
    client.force_login(invitee)
    accept = reverse("projects:invitation_accept", args=[invitation_token(invitation)])
    assert client.get(accept).status_code == HTTPStatus.BAD_REQUEST
