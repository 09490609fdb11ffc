"""Projects, resource requests and allocations at the service level, and slurm_export."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from algoric.notifications.models import Notification
from members.models import TermsTemplate
from projects.models import Allocation, Project, RequestEvent, ResourceRequest
from projects.selectors.requests import request_table, table_estimate
from projects.services import allocations as alloc_services
from projects.services import projects as project_services
from projects.services import request_review as review_services
from projects.services import requests as services
from projects.services.requests import ALLOWED, parse_amount
from resources.models import Resource

from ..factories import (
    OrganisationMemberFactory,
    ProjectMemberFactory,
    ResourceFactory,
    ResourcePriceFactory,
    StaffFactory,
    UserFactory,
    allow,
)

pytestmark = pytest.mark.django_db
Status = ResourceRequest.Status
D = Decimal


@pytest.fixture
def catalogue(db):
    cpu = ResourceFactory(name="CPU", capacity_per_year=2_000_000, slurm_cluster="algoric",
                          slurm_partition="cpu", watts_per_core=D("10"),
                          memory_gb_per_core=D("4"), order=1)
    gpu = ResourceFactory(gpu=True, name="GPU", capacity_per_year=40_000,
                          slurm_cluster="algoric", slurm_partition="gpu",
                          watts_per_gpu=D("300"), order=2)
    disk = ResourceFactory(disk=True, name="Disque", capacity_per_year=100, order=3)
    for resource, price in ((cpu, "0.01"), (gpu, "0.50"), (disk, "20")):
        ResourcePriceFactory(resource=resource, organisation_kind="sme", price_per_unit=D(price))
    return {"cpu": cpu, "gpu": gpu, "disk": disk}


@pytest.fixture
def project(organisation, catalogue):
    """The project HouleGolfe of ``organisation`` over three years, made by
    ``project_create`` on purpose (its creator, the representative, is PI and its Slurm
    account is proposed from the acronym), with a manager (``.manager``, a member of the
    organisation) and a member (``.member``, from outside) added as plain rows."""
    year = timezone.localdate().year
    project = project_services.project_create(
        organisation=organisation, actor=organisation.representative,
        data={"title": "Houle et submersion du golfe", "acronym": "HouleGolfe",
              "summary": "Modélisation de la houle.", "summary_is_public": True,
              "field": "earth", "starts_on": dt.date(year, 1, 1),
              "ends_on": dt.date(year + 2, 12, 31), "dmp_url": "",
              "open_science_statement": "Code sous licence GPL."})
    project.manager = OrganisationMemberFactory(organisation=organisation).user
    ProjectMemberFactory(project=project, user=project.manager, role="manager")
    project.member = ProjectMemberFactory(project=project, role="member").user
    return project


def fill(request, catalogue, actor, table=None, justification="Trois ans de simulations."):
    year = request.project.starts_on.year
    table = table or {
        (catalogue["cpu"].pk, year): D("100000"), (catalogue["cpu"].pk, year + 1): D("150000"),
        (catalogue["gpu"].pk, year + 1): D("2000"), (catalogue["disk"].pk, year): D("5")}
    return services.request_save(request=request, table=table, justification=justification,
                                 row_justifications={catalogue["cpu"].pk: "Runs de houle."},
                                 actor=actor)


def submitted_request(project, catalogue, kind="new"):
    allow(project.organisation)
    rep = project.organisation.representative
    request = services.request_create(project=project, kind=kind, actor=rep)
    request = fill(request, catalogue, rep)
    return services.request_submit(request=request, actor=rep)


def test_project_creator_is_pi_and_account_is_proposed(project, organisation):
    assert project.pi == organisation.representative
    assert project.slurm_account == "houlegolfe"
    assert project.years == [project.starts_on.year + i for i in range(3)]
    assert project_services.slurm_account_propose(acronym="ÉcoFlot 2") == "ecoflot_2"
    assert project_services.slurm_account_propose(acronym="HouleGolfe") == "houlegolfe-2"
    assert project_services.slurm_account_propose(acronym="3D") == "p3d"


def test_project_refuses_bad_dates_and_outsiders(organisation, catalogue):
    data = {"title": "T", "acronym": "T", "summary": "S", "field": "other",
            "starts_on": dt.date(2027, 1, 1), "ends_on": dt.date(2026, 1, 1)}
    with pytest.raises(ValidationError):
        project_services.project_create(organisation=organisation, data=data,
                                        actor=organisation.representative)
    with pytest.raises(PermissionDenied):
        project_services.project_create(organisation=organisation, data={**data,
                                         "ends_on": dt.date(2027, 6, 1)}, actor=UserFactory())
    assert not Project.objects.exists()


def test_parse_amount_reads_what_people_type():
    assert parse_amount("1 500") == D("1500")
    assert parse_amount("2,5") == D("2.5")
    assert parse_amount("") == D("0")
    for bad in ("-3", "abc", "1.234", "1e30", "NaN", "1,500", "12,000,000"):
        with pytest.raises(ValidationError):
            parse_amount(bad)


def test_clean_table_refuses_bad_cells_all_at_once(project, catalogue):
    year = project.starts_on.year
    inactive = Resource.objects.create(name="Old", kind="cpu", capacity_per_year=1,
                                       is_active=False)
    raw = {(catalogue["cpu"].pk, year): "-5", (catalogue["gpu"].pk, year + 7): "10",
           (inactive.pk, year): "3", (99999, year): "1", (catalogue["disk"].pk, year): "deux"}
    with pytest.raises(ValidationError) as error:
        services.clean_table(project=project, raw=raw)
    assert len(error.value.messages) == 5


def test_save_is_all_or_nothing_and_drops_empty_rows(project, catalogue, organisation):
    rep = organisation.representative
    request = services.request_create(project=project, kind="new", actor=rep)
    fill(request, catalogue, rep)
    assert request_table(request)[(catalogue["cpu"].pk, project.starts_on.year)] == \
        D("100000")
    year = project.starts_on.year
    fill(request, catalogue, rep, table={(catalogue["cpu"].pk, year): D("7"),
                                         (catalogue["gpu"].pk, year): D("0")})
    assert request_table(request) == {(catalogue["cpu"].pk, year): D("7")}
    with pytest.raises(PermissionDenied):
        fill(request, catalogue, project.member)
    assert request_table(request) == {(catalogue["cpu"].pk, year): D("7")}


@override_settings(ENERGY_PUE=1.5, ENERGY_CARBON_INTENSITY_G_PER_KWH=51.28)
def test_estimates_have_the_right_units(catalogue):
    y = 2027
    table = {(catalogue["cpu"].pk, y): D("1000"), (catalogue["cpu"].pk, y + 1): D("500"),
             (catalogue["gpu"].pk, y): D("100"), (catalogue["disk"].pk, y): D("5")}
    result = table_estimate(table=table, organisation_kind="sme")
    assert result.row_totals[catalogue["cpu"].pk] == D("1500")  # core-hours
    # CPU: 1500 core-hours × 1.5 × (10 W + 4 GB × 0.3725 W/GB) / 1000 = 25.8525 kWh
    # GPU: 100 GPU-hours × 1.5 × 300 W / 1000 = 45 kWh
    assert result.energy_kwh == D("25.8525") + D("45")
    assert result.co2e_kg == result.energy_kwh * D("51.28") / 1000
    # 1500 × 0.01 € + 100 × 0.50 € + 5 TB × 20 €
    assert result.cost_eur == D("15") + D("50") + D("100")
    assert result.year_cost_eur == {y: D("10") + D("50") + D("100"), y + 1: D("5")}
    assert result.not_estimated == {catalogue["disk"].pk}
    assert table_estimate(table=table, organisation_kind="lab").unpriced == {
        catalogue[k].pk for k in ("cpu", "gpu", "disk")}


def test_submission_is_gated_by_the_access_rule(project, catalogue, organisation):
    rep = organisation.representative
    request = fill(services.request_create(project=project, kind="new", actor=rep),
                   catalogue, rep)
    with pytest.raises(ValidationError) as refused:
        services.request_submit(request=request, actor=rep)
    assert len(refused.value.messages) >= 2  # the heading and at least one reason
    assert ResourceRequest.objects.get(pk=request.pk).status == Status.DRAFT
    allow(organisation)
    assert services.request_submit(request=request, actor=rep).status == Status.SUBMITTED


def test_empty_request_cannot_be_submitted(project, catalogue, organisation):
    allow(organisation)
    rep = organisation.representative
    request = services.request_create(project=project, kind="new", actor=rep)
    services.request_save(request=request, table={}, justification="x", row_justifications={},
                          actor=rep)
    with pytest.raises(ValidationError, match="rien|nothing"):
        services.request_submit(request=ResourceRequest.objects.get(pk=request.pk), actor=rep)


def test_partial_approval_creates_allocations_and_activates_project(
        project, catalogue, django_capture_on_commit_callbacks):
    request = submitted_request(project, catalogue)
    staff = StaffFactory(mfa=True)
    year = project.starts_on.year
    granted = request_table(request)
    granted[(catalogue["cpu"].pk, year + 1)] = D("120000")  # lowered
    with django_capture_on_commit_callbacks(execute=True):
        decided = review_services.request_decide(request=request, granted=granted,
                                                 note="GPU réduit.", actor=staff,
                                                 version=request.version)
    assert decided.status == Status.PARTIALLY_APPROVED
    allocation = Allocation.objects.get(project=project, resource=catalogue["cpu"], year=year + 1)
    assert allocation.amount == D("120000")
    assert (allocation.starts_on, allocation.ends_on) == (dt.date(year + 1, 1, 1),
                                                          dt.date(year + 1, 12, 31))
    assert Allocation.objects.filter(project=project).count() == 4
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    decided_mails = Notification.objects.filter(event="request_decided")
    assert {n.recipient for n in decided_mails} == {project.pi, project.manager}


def test_full_grant_is_approved_and_supplement_adds_to_allocation(project, catalogue):
    request = submitted_request(project, catalogue)
    staff = StaffFactory(mfa=True)
    review_services.request_decide(request=request, granted=request_table(request), note="",
                                   actor=staff, version=request.version)
    assert ResourceRequest.objects.get(pk=request.pk).status == Status.APPROVED
    supplement = services.request_create(project=project, kind="supplement",
                                         actor=project.manager)
    year = project.starts_on.year
    fill(supplement, catalogue, project.manager,
         table={(catalogue["cpu"].pk, year): D("50000")})
    supplement = services.request_submit(request=ResourceRequest.objects.get(pk=supplement.pk),
                                         actor=project.manager)
    review_services.request_decide(request=supplement, granted=request_table(supplement),
                                   note="", actor=staff, version=supplement.version)
    allocation = Allocation.objects.get(project=project, resource=catalogue["cpu"], year=year)
    assert allocation.amount == D("150000")
    assert allocation.grants.count() == 2
    # running the grant again for the same request adds nothing
    alloc_services.allocations_grant(request=supplement, actor=staff)
    assert Allocation.objects.get(pk=allocation.pk).amount == D("150000")


def test_decision_refuses_more_than_asked_nothing_and_stale_versions(project, catalogue):
    request = submitted_request(project, catalogue)
    staff = StaffFactory(mfa=True)
    year = project.starts_on.year
    too_much = request_table(request)
    too_much[(catalogue["cpu"].pk, year)] = D("100001")
    with pytest.raises(ValidationError):
        review_services.request_decide(request=request, granted=too_much, note="", actor=staff,
                                       version=request.version)
    with pytest.raises(ValidationError):
        review_services.request_decide(request=request, granted={}, note="", actor=staff,
                                       version=request.version)
    services.request_comment(request=request, body="Pourquoi autant de GPU ?", actor=staff)
    review_services.request_start_review(request=request, actor=staff)
    with pytest.raises(ValidationError, match="modifiée|chang"):
        review_services.request_decide(request=request, granted=request_table(request),
                                       note="", actor=staff, version=request.version)
    assert not Allocation.objects.exists()
    assert ResourceRequest.objects.get(pk=request.pk).status == Status.UNDER_REVIEW


def test_only_staff_decide_and_only_leads_submit(project, catalogue):
    request = submitted_request(project, catalogue)
    with pytest.raises(PermissionDenied):
        review_services.request_decide(request=request, granted=request_table(request),
                                       note="", actor=project.pi, version=request.version)
    draft = services.request_create(project=project, kind="new", actor=project.pi)
    with pytest.raises(PermissionDenied):
        services.request_submit(request=draft, actor=project.member)


def test_emergency_reaches_every_staff_member_at_once(organisation, catalogue,
                                                     django_capture_on_commit_callbacks):
    from django.core import mail

    organisation.kind = "public_body"
    organisation.siret = ""
    organisation.save()
    TermsTemplate.objects.get_or_create(kind="public_body", version=1, defaults={
        "title_fr": "C", "title_en": "C", "body_fr": "x", "body_en": "x", "is_published": True})
    staff = [StaffFactory(mfa=True), StaffFactory(mfa=True)]
    year = timezone.localdate().year
    project = project_services.project_create(
        organisation=organisation, actor=organisation.representative,
        data={"title": "Crue du Loch", "acronym": "CrueLoch", "summary": "Crue.",
              "field": "environment", "starts_on": dt.date(year, 1, 1),
              "ends_on": dt.date(year, 12, 31)})
    allow(organisation)
    rep = organisation.representative
    request = services.request_create(project=project, kind="emergency", actor=rep)
    fill(request, catalogue, rep, table={(catalogue["cpu"].pk, year): D("20000")},
         justification="Crue en cours sur le Loch.")
    with django_capture_on_commit_callbacks(execute=True):
        submitted_at = timezone.now()
        services.request_submit(request=ResourceRequest.objects.get(pk=request.pk), actor=rep)
    alerts = Notification.objects.filter(event="request_emergency")
    assert {n.recipient for n in alerts} == set(staff)
    assert all(n.in_inbox and n.status == "sent" for n in alerts)
    assert all((n.sent_at - submitted_at).total_seconds() < 60 for n in alerts)
    assert {m.to[0] for m in mail.outbox if "URGENCE" in m.subject.upper()
            or "EMERGENCY" in m.subject.upper()} == {s.email for s in staff}
    # first in the staff queue, and granted for a short time box
    queue = list(ResourceRequest.objects.staff_queue())
    assert queue[0].pk == request.pk
    with pytest.raises(ValidationError):
        review_services.request_decide(request=queue[0], granted=request_table(queue[0]),
                                       note="", actor=staff[0], version=queue[0].version,
                                       emergency_ends_on=timezone.localdate()
                                       + dt.timedelta(days=90))
    decided = review_services.request_decide(request=queue[0], granted=request_table(queue[0]),
                                             note="Accordé pour la crue.", actor=staff[0],
                                             version=queue[0].version,
                                             emergency_ends_on=timezone.localdate()
                                             + dt.timedelta(days=10))
    allocation = Allocation.objects.get(project=project)
    assert allocation.starts_on == timezone.localdate()
    assert allocation.ends_on == timezone.localdate() + dt.timedelta(days=10)
    assert decided.status == Status.APPROVED


def test_emergency_is_only_for_public_bodies(project):
    with pytest.raises(ValidationError):
        services.request_create(project=project, kind="emergency", actor=project.pi)


VERBS = {
    Status.SUBMITTED: lambda r, s: services.request_submit(request=r, actor=r.project.pi),
    Status.UNDER_REVIEW: lambda r, s: review_services.request_start_review(request=r, actor=s),
    Status.APPROVED: lambda r, s: review_services.request_decide(
        request=r, granted=request_table(r), note="", actor=s, version=r.version),
    Status.REJECTED: lambda r, s: review_services.request_reject(request=r, note="Non.", actor=s,
                                                                 version=r.version),
    Status.CHANGES_REQUESTED: lambda r, s: review_services.request_return_for_changes(
        request=r, note="Précisez le besoin GPU.", actor=s, version=r.version),
    Status.WITHDRAWN: lambda r, s: services.request_withdraw(request=r, actor=r.project.pi),
}


@pytest.mark.parametrize("start", list(Status))
@pytest.mark.parametrize("target", list(VERBS))
def test_every_request_transition_follows_the_table(project, catalogue, start, target):
    allow(project.organisation)
    staff = StaffFactory(mfa=True)
    request = fill(services.request_create(project=project, kind="new", actor=project.pi),
                   catalogue, project.pi)
    ResourceRequest.objects.filter(pk=request.pk).update(status=start)
    request = ResourceRequest.objects.get(pk=request.pk)
    before = RequestEvent.objects.filter(request=request).count()
    if target in ALLOWED[start]:
        assert VERBS[target](request, staff).status == target
        assert RequestEvent.objects.filter(request=request).count() == before + 1
    else:
        with pytest.raises(ValidationError):
            VERBS[target](request, staff)
        assert ResourceRequest.objects.get(pk=request.pk).status == start
        assert RequestEvent.objects.filter(request=request).count() == before


def test_comments_notify_the_other_side(project, catalogue, django_capture_on_commit_callbacks):
    request = submitted_request(project, catalogue)
    staff = StaffFactory(mfa=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_comment(request=request, body="Précisez le besoin GPU.", actor=staff)
        services.request_comment(request=request, body="Voici le détail.", actor=project.pi)
    to_project = Notification.objects.filter(event="request_comment",
                                             recipient__in=[project.pi, project.manager])
    assert to_project.count() == 2
    assert Notification.objects.filter(event="request_comment", recipient=staff).count() == 1
    with pytest.raises(PermissionDenied):
        services.request_comment(request=request, body="?", actor=UserFactory())
    with pytest.raises(ValidationError):
        services.request_comment(request=request, body="  ", actor=staff)


def test_allocations_suspend_expire_and_remind_once(project, catalogue):
    request = submitted_request(project, catalogue)
    staff = StaffFactory(mfa=True)
    review_services.request_decide(request=request, granted=request_table(request), note="",
                                   actor=staff, version=request.version)
    allocation = Allocation.objects.filter(project=project).order_by("year", "pk").first()
    with pytest.raises(ValidationError):
        alloc_services.allocation_suspend(allocation=allocation, reason="", actor=staff)
    alloc_services.allocation_suspend(allocation=allocation, reason="Usage abusif.", actor=staff)
    assert Notification.objects.filter(event="allocation_suspended").count() == 2
    alloc_services.allocation_resume(allocation=allocation, actor=staff)
    assert Notification.objects.filter(event="allocation_resumed").count() == 2
    end = allocation.ends_on
    counts = [alloc_services.allocations_send_expiry_reminders(today=end - dt.timedelta(days=d))
              for d in (70, 30, 20, 1)]
    # 60, 30 and 7 days before, each once (tests/projects/test_allocation_reminders.py).
    assert counts[0] == 0 and counts[1] >= 1 and counts[2] == 0 and counts[3] == counts[1]
    assert alloc_services.allocations_expire(today=end) == 0
    assert alloc_services.allocations_expire(today=end + dt.timedelta(days=1)) >= 1
    assert Allocation.objects.get(pk=allocation.pk).status == "expired"


def test_slurm_account_is_fixed_once_allocated(project, catalogue):
    request = submitted_request(project, catalogue)
    review_services.request_decide(request=request, granted=request_table(request), note="",
                                   actor=StaffFactory(mfa=True), version=request.version)
    with pytest.raises(ValidationError):
        project_services.project_update(project=project, data={"slurm_account": "autre"},
                                        actor=project.pi)


def test_slurm_export_matches_the_hand_written_expectation(project, catalogue, organisation):
    year = timezone.localdate().year
    organisation.name = "Océan Numérique SAS"
    organisation.save()
    request = submitted_request(project, catalogue)
    review_services.request_decide(request=request, granted=request_table(request), note="",
                                   actor=StaffFactory(mfa=True), version=request.version)
    pi = project.pi
    pi.cluster_login = "mlefloch"
    pi.save()
    project.member.cluster_login = "gropars"
    project.member.save()
    # A second, suspended project: its limits are set to zero.
    other = Project.objects.create(title="Autre", acronym="Autre", summary="s", field="other",
                                   organisation=organisation, starts_on=dt.date(year, 1, 1),
                                   ends_on=dt.date(year, 12, 31), slurm_account="autre",
                                   status="active")
    Allocation.objects.create(project=other, resource=catalogue["cpu"], year=year, amount=500,
                              starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31),
                              status="suspended", suspended_reason="Impayé.")
    out = StringIO()
    call_command("slurm_export", stdout=out)
    assert out.getvalue().splitlines() == [
        "sacctmgr -i add account autre Cluster=algoric Description=Autre "
        "Organization='Océan Numérique SAS'",
        "sacctmgr -i modify account where name=autre cluster=algoric "
        "set GrpTRESMins=cpu=0,gres/gpu=0",
        "sacctmgr -i add account houlegolfe Cluster=algoric Description=HouleGolfe "
        "Organization='Océan Numérique SAS'",
        "sacctmgr -i add user gropars Account=houlegolfe Cluster=algoric",
        "sacctmgr -i add user mlefloch Account=houlegolfe Cluster=algoric",
        # 100 000 core-hours × 60 = 6 000 000 core-minutes; no GPU this year
        "sacctmgr -i modify account where name=houlegolfe cluster=algoric "
        "set GrpTRESMins=cpu=6000000,gres/gpu=0",
    ]
    again = StringIO()
    call_command("slurm_export", stdout=again)
    assert again.getvalue() == out.getvalue()
    flat = StringIO()
    call_command("slurm_export", "--format=flat", f"--year={year + 1}", stdout=flat)
    assert flat.getvalue().splitlines() == [
        "Cluster - 'algoric'",
        "Parent - 'root'",
        # year+1: 150 000 core-hours and 2 000 GPU-hours
        "Account - 'houlegolfe':Description='HouleGolfe':Organization='Océan Numérique SAS'"
        ":GrpTRESMins=cpu=9000000,gres/gpu=120000",
        "Parent - 'houlegolfe'",
        "User - 'gropars':DefaultAccount='houlegolfe'",
        "User - 'mlefloch':DefaultAccount='houlegolfe'",
        "Parent - 'root'",
    ]


def test_staff_dashboard_shows_the_request_queue_emergencies_first(client, project, catalogue,
                                                                   staff_with_mfa):
    from django.urls import reverse

    submitted_request(project, catalogue)
    client.force_login(staff_with_mfa)
    body = client.get(reverse("members:staff_dashboard")).content.decode()
    assert "requests-waiting" in body
    assert reverse("projects:staff_request_review", args=[
        ResourceRequest.objects.get().pk]) in body
