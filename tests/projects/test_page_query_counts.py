"""Every signed-in page answers in as many queries with a larger centre as with a small one.

One centre is built, every page of a PI and of staff is read and its queries counted;
the centre then grows (more organisations of the PI, projects, grants, requests in the
queue, comments, members, usage summaries, notifications, audit events) and every page
is read again. A page whose count grows reads rows one by one (N+1).
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import OrganisationMember
from projects.models import Project, ProjectMember, ResourceRequest

from ..factories import (
    AgreementFactory,
    AuditEventFactory,
    NotificationFactory,
    OrganisationFactory,
    OrganisationMemberFactory,
    ProjectFactory,
    ProjectMemberFactory,
    RequestCommentFactory,
    ResourceRequestCellFactory,
    ResourceRequestFactory,
    ResourceRequestRowFactory,
    StaffFactory,
    UsageReportFactory,
    UserFactory,
    allow,
)
from .usage_helpers import YEAR, allocate, make_project, make_resources, summary

pytestmark = pytest.mark.django_db

#: No page of the portal needs more queries than this, at any size.
MAX_QUERIES = 40


@pytest.fixture
def centre():
    return build_centre()


def build_centre() -> dict:
    """A small centre: a PI's project with grants, requests, a report and usage, and staff."""
    cpu, gpu = make_resources()
    organisation = OrganisationFactory()
    pi = UserFactory()
    OrganisationMember.objects.create(organisation=organisation, user=pi,
                                      role=OrganisationMember.Role.REPRESENTATIVE)
    agreement = allow(organisation)
    project = make_project(organisation, pi=pi)
    allocate(project, cpu, 100_000)
    allocate(project, gpu, 1_000)
    request = ResourceRequestFactory(project=project, created_by=pi,
                                     status=ResourceRequest.Status.SUBMITTED)
    cell = ResourceRequestCellFactory(row=ResourceRequestRowFactory(request=request, resource=cpu),
                                      year=YEAR)
    draft = ResourceRequestFactory(project=project, created_by=pi,
                                   kind=ResourceRequest.Kind.RENEWAL)
    ResourceRequestCellFactory(row=ResourceRequestRowFactory(request=draft, resource=gpu),
                               year=YEAR)
    UsageReportFactory(project=project, requested_by=pi, year=YEAR - 1)
    summary(account=project.slurm_account, core_hours=10, user="alice")
    return {"cpu": cpu, "gpu": gpu, "organisation": organisation, "pi": pi,
            "agreement": agreement, "project": project, "request": request, "cell": cell,
            "draft": draft, "staff": StaffFactory(mfa=True), "grown": 0}


def grow(centre: dict, count: int) -> None:
    """``count`` more of everything the pages list."""
    pi, project, request = centre["pi"], centre["project"], centre["request"]
    for _ in range(count):
        index = centre["grown"] = centre["grown"] + 1
        other = OrganisationFactory()
        OrganisationMemberFactory(organisation=other, user=pi)
        AgreementFactory(organisation=other)
        OrganisationMemberFactory(organisation=centre["organisation"])
        mine = ProjectFactory(pi=pi, organisation=other, status=Project.Status.ACTIVE,
                              acronym=f"GROW{index}")
        allocate(mine, centre["cpu"], 5_000)
        ProjectMemberFactory(project=project, role=ProjectMember.Role.MEMBER)
        queued = ResourceRequestFactory(project=mine, status=ResourceRequest.Status.SUBMITTED)
        ResourceRequestCellFactory(
            row=ResourceRequestRowFactory(request=queued, resource=centre["cpu"]), year=YEAR)
        RequestCommentFactory(request=request, author=pi)
        summary(account=project.slurm_account, user=f"user{index}", core_hours=index)
        summary(account=mine.slurm_account, user=f"user{index}", core_hours=index,
                month=1 + index % 12)
        summary(account=f"unknown{index}", core_hours=1)
        NotificationFactory(recipient=pi)
        AuditEventFactory()


def pages(centre: dict) -> dict[str, tuple[str, str]]:
    """Every signed-in page: name → (who reads it, URL)."""
    project, request = centre["project"], centre["request"]
    organisation, agreement = centre["organisation"], centre["agreement"]
    return {
        "home": ("pi", reverse("pages:home")),
        "profile": ("pi", reverse("members:profile")),
        "notifications": ("pi", reverse("notifications:inbox")),
        "my organisations": ("pi", reverse("members:organisation_list")),
        "organisation": ("pi", reverse("members:organisation_detail", args=[organisation.pk])),
        "agreement": ("pi", reverse("members:agreement_detail", args=[agreement.pk])),
        "project list": ("pi", reverse("projects:project_list")),
        "project detail": ("pi", reverse("projects:project_detail", args=[project.pk])),
        "project usage": ("pi", reverse("projects:project_usage", args=[project.pk])),
        "project reports": ("pi", reverse("projects:reports:project_list", args=[project.pk])),
        "request detail": ("pi", reverse("projects:request_detail", args=[request.pk])),
        "request form": ("pi", reverse("projects:request_edit", args=[centre["draft"].pk])),
        "staff dashboard": ("staff", reverse("members:staff_dashboard")),
        "staff organisations": ("staff", reverse("members:staff_organisation_list")),
        "staff organisation": ("staff", reverse("members:staff_organisation_review",
                                                 args=[organisation.pk])),
        "staff agreement": ("staff", reverse("members:staff_agreement_review",
                                             args=[agreement.pk])),
        "staff request queue": ("staff", reverse("projects:staff_request_queue")),
        "staff request review": ("staff", reverse("projects:staff_request_review",
                                                  args=[request.pk])),
        "staff project list": ("staff", reverse("projects:staff_project_list")),
        "staff allocation list": ("staff", reverse("projects:staff_allocation_list")),
        "staff usage dashboard": ("staff", reverse("projects:staff_usage_dashboard")),
        "staff unmatched accounts": ("staff", reverse("projects:staff_unmatched_accounts")),
        "staff reports": ("staff", reverse("projects:reports:staff_list")),
        "staff accounting imports": ("staff", reverse("resources:accounting:list")),
        "staff catalogue": ("staff", reverse("resources:staff_list")),
        "staff audit": ("staff", reverse("audit:list")),
        "staff pages": ("staff", reverse("pages:staff_list")),
    }


def counts(client, centre: dict) -> dict[str, int]:
    found = {}
    for name, (who, url) in pages(centre).items():
        client.force_login(centre[who])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == HTTPStatus.OK, (name, url, response.status_code)
        found[name] = len(captured.captured_queries)
    return found


def test_every_signed_in_page_answers_in_the_same_number_of_queries_small_and_large(
        client, centre):
    grow(centre, 2)
    counts(client, centre)  # once: what is read once per process (content types…) is read
    small = counts(client, centre)
    grow(centre, 25)
    counts(client, centre)  # the figures cached for a while (key figures) computed again
    large = counts(client, centre)
    grown = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert grown == {}, f"pages whose queries grow with the data (small, large): {grown}"
    too_many = {name: count for name, count in large.items() if count > MAX_QUERIES}
    assert too_many == {}


def test_the_large_centre_is_really_larger(client, centre):
    grow(centre, 3)
    client.force_login(centre["pi"])
    listing = client.get(reverse("projects:project_list")).content.decode()
    assert all(f"GROW{index}" in listing for index in (1, 2, 3))
    assert centre["project"].members.count() >= 4
