"""Attribution of jobs to projects (Slurm account, aliases), the unmatched-accounts page
and the staff usage dashboard, with the summaries written by hand."""

from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projects.models import AccountAlias
from projects.selectors.usage import (
    account_attribution,
    allocation_use,
    centre_usage,
    project_accounts,
    unmatched_account_count,
    unmatched_accounts,
)
from projects.services.usage import account_alias_create, account_alias_delete
from resources.selectors.usage import AccountSelection, usage_sums, usage_totals

from ..factories import OrganisationFactory
from .usage_helpers import CLUSTER, YEAR, allocate, make_project, make_resources, summary

pytestmark = pytest.mark.django_db


def accounts_on_page(response) -> set[str]:
    return {row["account"] for row in response.context["accounts"]}


# --- Selectors of resources.usage ------------------------------------------------------------

def test_usage_sums_group_and_filter_by_account_and_year():
    summary(account="houle", month=1, core_hours=10, jobs=2)
    summary(account="houle", month=2, core_hours=5, user="bob")
    summary(account="houle", month=3, year=YEAR - 1, core_hours=100)
    summary(account="other", month=1, core_hours=1000)
    selection = AccountSelection(names=frozenset({"houle"}))

    rows = usage_sums(group_by=["month"], year=YEAR, accounts=selection)

    assert [(row["month"].month, row["core_hours"], row["jobs"]) for row in rows] == [
        (1, 10, 2), (2, 5, 1)]
    assert usage_totals(year=YEAR).core_hours == 1015
    assert usage_totals(accounts=selection).core_hours == 115


def test_usage_sums_refuses_an_unknown_column():
    with pytest.raises(ValueError):
        usage_sums(group_by=["job_name"])


def test_empty_selection_selects_nothing():
    summary(account="houle", core_hours=10)
    assert usage_totals(accounts=AccountSelection()).core_hours == 0


# --- Attribution --------------------------------------------------------------------------

def test_jobs_count_for_the_project_whose_slurm_account_they_carry(project):
    summary(account="houle", core_hours=12, cluster="pozidriv")
    summary(account="houle", core_hours=3, cluster="other-cluster")
    summary(account="someone-else", core_hours=1000)

    assert usage_totals(accounts=project_accounts(project=project)).core_hours == 15
    attribution = account_attribution()
    assert attribution.project_id(cluster="pozidriv", account="houle") == project.pk
    assert attribution.project_id(cluster="pozidriv", account="someone-else") is None


def test_an_alias_attributes_the_jobs_already_imported_at_once(project, staff_with_mfa):
    summary(account="grp-42", core_hours=40)
    summary(account="grp-42", core_hours=7, cluster="elsewhere")
    assert usage_totals(accounts=project_accounts(project=project)).core_hours == 0

    alias = account_alias_create(cluster=CLUSTER, account="grp-42", project=project,
                                 actor=staff_with_mfa)

    assert alias.created_by == staff_with_mfa
    # Only on its cluster: the same name elsewhere is another account.
    assert usage_totals(accounts=project_accounts(project=project)).core_hours == 40
    assert account_attribution().project_id(cluster=CLUSTER, account="grp-42") == project.pk


def test_an_alias_wins_over_another_projects_slurm_account_on_its_cluster(
        organisation, project, staff_with_mfa):
    other = make_project(organisation, acronym="AUTRE", slurm_account="autre")
    summary(account="houle", core_hours=10, cluster=CLUSTER)
    summary(account="houle", core_hours=1, cluster="other-cluster")

    account_alias_create(cluster=CLUSTER, account="houle", project=other, actor=staff_with_mfa)

    assert usage_totals(accounts=project_accounts(project=project)).core_hours == 1
    assert usage_totals(accounts=project_accounts(project=other)).core_hours == 10


def test_alias_create_refuses_non_staff_duplicates_and_own_account(project, member,
                                                                   staff_with_mfa):
    with pytest.raises(PermissionDenied):
        account_alias_create(cluster=CLUSTER, account="grp", project=project, actor=member)
    with pytest.raises(ValidationError):
        account_alias_create(cluster=CLUSTER, account="houle", project=project,
                             actor=staff_with_mfa)
    with pytest.raises(ValidationError):
        account_alias_create(cluster=" ", account="grp", project=project, actor=staff_with_mfa)
    account_alias_create(cluster=CLUSTER, account="grp", project=project, actor=staff_with_mfa)
    with pytest.raises(ValidationError):
        account_alias_create(cluster=CLUSTER, account="grp", project=project,
                             actor=staff_with_mfa)
    assert AccountAlias.objects.count() == 1


def test_alias_delete_takes_the_jobs_back(project, staff_with_mfa):
    summary(account="grp", core_hours=40)
    alias = account_alias_create(cluster=CLUSTER, account="grp", project=project,
                                 actor=staff_with_mfa)
    account_alias_delete(alias=alias, actor=staff_with_mfa)
    assert usage_totals(accounts=project_accounts(project=project)).core_hours == 0
    assert [row["account"] for row in unmatched_accounts()] == ["grp"]


def test_unmatched_accounts_lists_accounts_of_no_project_most_used_first(project,
                                                                         staff_with_mfa):
    summary(account="houle", core_hours=999)
    summary(account="grp-1", core_hours=5, jobs=3)
    summary(account="grp-1", core_hours=5, month=2, year=YEAR - 1, jobs=1)
    summary(account="grp-2", core_hours=50, gpu_hours=2, partition="gpu")

    rows = unmatched_accounts()

    assert [(r["cluster"], r["account"], r["jobs"], r["core_hours"], r["gpu_hours"])
            for r in rows] == [(CLUSTER, "grp-2", 1, 50, 2), (CLUSTER, "grp-1", 4, 10, 0)]
    account_alias_create(cluster=CLUSTER, account="grp-2", project=project, actor=staff_with_mfa)
    assert [r["account"] for r in unmatched_accounts()] == ["grp-1"]



def test_unmatched_accounts_follow_the_cluster_of_each_alias(project, staff_with_mfa):
    summary(account="grp", core_hours=3)
    summary(account="grp", cluster="autre", core_hours=2)
    summary(account="houle", cluster="autre", core_hours=1)  # a project's name: every cluster
    account_alias_create(cluster="autre", account="grp", project=project, actor=staff_with_mfa)
    assert [(r["cluster"], r["account"]) for r in unmatched_accounts()] == [(CLUSTER, "grp")]
    assert unmatched_account_count() == 1


def test_unmatched_account_count_is_the_length_of_the_list(project, staff_with_mfa):
    assert unmatched_account_count() == 0
    summary(account="houle", core_hours=9)
    summary(account="grp-1", core_hours=5)
    summary(account="grp-1", core_hours=5, month=2, year=YEAR - 2)  # another year, same pair
    summary(account="grp-2", cluster="autre", core_hours=1)
    assert unmatched_account_count() == len(unmatched_accounts()) == 2
    account_alias_create(cluster="autre", account="grp-2", project=project,
                         actor=staff_with_mfa)
    assert unmatched_account_count() == len(unmatched_accounts()) == 1

def test_allocation_use_counts_each_resource_on_its_partition(project, staff_with_mfa):
    cpu, gpu = make_resources()
    summary(account="houle", partition="cpu", core_hours=100)
    summary(account="houle", partition="gpu", core_hours=50, gpu_hours=8)
    summary(account="houle", partition="debug", core_hours=7)
    summary(account="grp", partition="cpu", core_hours=20)
    account_alias_create(cluster=CLUSTER, account="grp", project=project, actor=staff_with_mfa)

    use = allocation_use(year=YEAR)

    assert use == {(project.pk, cpu.pk): 120, (project.pk, gpu.pk): 8}


# --- Staff pages: access --------------------------------------------------------------------

STAFF_PAGES = ["projects:staff_usage_dashboard", "projects:staff_unmatched_accounts"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_usage_pages_send_anonymous_visitors_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_usage_pages_are_forbidden_to_members(client, member, name):
    client.force_login(member)
    assert client.get(reverse(name)).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_usage_pages_send_staff_without_mfa_to_enrol(client, staff, name):
    client.force_login(staff)
    response = client.get(reverse(name))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_usage_pages_open_for_staff_with_mfa(client, staff_with_mfa, name):
    client.force_login(staff_with_mfa)
    assert client.get(reverse(name)).status_code == HTTPStatus.OK


def test_member_cannot_map_an_account(client, member, project):
    client.force_login(member)
    response = client.post(reverse("projects:staff_alias_create"),
                           {"cluster": CLUSTER, "account": "grp", "project": project.pk})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not AccountAlias.objects.exists()


def test_mapping_is_a_post(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.get(reverse("projects:staff_alias_create"))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- Staff pages: the mapping -----------------------------------------------------------------

def test_unmatched_account_leaves_the_page_once_mapped(client, staff_with_mfa, project):
    summary(account="houle", core_hours=10)
    summary(account="grp-42", core_hours=40, jobs=4)
    summary(account="grp-7", core_hours=1)
    client.force_login(staff_with_mfa)
    url = reverse("projects:staff_unmatched_accounts")

    page = client.get(url)
    assert accounts_on_page(page) == {"grp-42", "grp-7"}
    assert "grp-42" in page.content.decode()

    response = client.post(reverse("projects:staff_alias_create"),
                           {"cluster": CLUSTER, "account": "grp-42", "project": project.pk})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == url
    alias = AccountAlias.objects.get()
    assert (alias.cluster, alias.account, alias.project, alias.created_by) == (
        CLUSTER, "grp-42", project, staff_with_mfa)
    page = client.get(url)
    assert accounts_on_page(page) == {"grp-7"}
    assert [a.account for a in page.context["aliases"]] == ["grp-42"]
    assert usage_totals(accounts=project_accounts(project=project)).core_hours == 50


def test_mapping_refused_shows_the_reason_with_400(client, staff_with_mfa, project):
    client.force_login(staff_with_mfa)
    response = client.post(reverse("projects:staff_alias_create"),
                           {"cluster": CLUSTER, "account": "houle", "project": project.pk})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "houle" in response.content.decode()
    response = client.post(reverse("projects:staff_alias_create"),
                           {"cluster": CLUSTER, "account": "grp", "project": "999999"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not AccountAlias.objects.exists()


def test_staff_remove_a_mapping(client, staff_with_mfa, project):
    alias = AccountAlias.objects.create(cluster=CLUSTER, account="grp", project=project)
    client.force_login(staff_with_mfa)
    url = reverse("projects:staff_alias_delete", args=[alias.pk])
    assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = client.post(url)
    assert response.status_code == HTTPStatus.FOUND
    assert not AccountAlias.objects.exists()


def test_account_names_are_escaped_on_the_mapping_page(client, staff_with_mfa):
    summary(account="<script>alert(1)</script>", core_hours=1)
    client.force_login(staff_with_mfa)
    content = client.get(reverse("projects:staff_unmatched_accounts")).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_each_mapping_form_offers_every_project_escaped(client, staff_with_mfa, project):
    project.title = "<b>Crues</b> " + "é" * 60
    project.save(update_fields=["title"])
    summary(account="grp-1", core_hours=2)
    summary(account="grp-2", core_hours=1)
    client.force_login(staff_with_mfa)
    content = client.get(reverse("projects:staff_unmatched_accounts")).content.decode()
    # Truncated to 40 characters, the ellipsis included, as the page did before.
    option = (f'<option value="{project.pk}">{project.acronym} — &lt;b&gt;Crues&lt;/b&gt; '
              f'{"é" * 26}… ({project.slurm_account})</option>')
    assert content.count(option) == 2  # one per unmatched account
    assert "<b>Crues</b>" not in content


# --- Staff dashboard ---------------------------------------------------------------------------

def test_centre_usage_by_kind_project_month_and_capacity(organisation, project):
    cpu, gpu = make_resources()
    lab = OrganisationFactory(kind="lab", name="Labo marin")
    lab_project = make_project(lab, acronym="MAREE", slurm_account="maree",
                               pi=organisation.representative)
    allocate(project, cpu, 50_000)
    allocate(lab_project, cpu, 150_000)
    summary(account="houle", month=1, core_hours=1000, jobs=10)
    summary(account="houle", month=2, partition="gpu", gpu_hours=40, core_hours=80)
    summary(account="maree", month=2, core_hours=3000, jobs=5)
    summary(account="grp-x", month=3, core_hours=7, jobs=1)
    summary(account="houle", month=3, year=YEAR - 1, core_hours=99999)

    usage = centre_usage(year=YEAR)

    assert usage.totals.core_hours == 4087
    assert usage.totals.gpu_hours == 40
    assert [item["project"].acronym for item in usage.by_project] == ["MAREE", "HOULE"]
    kinds = {item["kind"]: item["sums"].core_hours for item in usage.by_kind}
    assert kinds == {"sme": 1080, "lab": 3000, "": 7}
    assert [item["sums"].core_hours for item in usage.by_month][:4] == [1000, 3080, 7, 0]
    assert usage.unmatched == 1
    capacity = {item["resource"]: item for item in usage.capacity}
    assert capacity[cpu]["used"] == 4007  # not the 80 core-hours of the GPU partition
    assert capacity[cpu]["granted"] == 200_000
    assert capacity[cpu]["used_percent"] == pytest.approx(0.4007)
    assert capacity[gpu]["used"] == 40
    assert YEAR - 1 in usage.years and YEAR in usage.years


def test_staff_dashboard_shows_the_year_and_links_unmatched_accounts(client, staff_with_mfa,
                                                                     project):
    make_resources()
    summary(account="houle", month=1, core_hours=1234, gpu_hours=5, partition="gpu")
    summary(account="grp-x", month=1, core_hours=7)
    client.force_login(staff_with_mfa)

    response = client.get(reverse("projects:staff_usage_dashboard"), {"year": YEAR})

    content = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert reverse("projects:staff_unmatched_accounts") in content
    assert reverse("projects:project_usage", args=[project.pk]) in content
    # Core-hours and GPU-hours, drawn in the browser from their JSON blocks.
    assert '<script id="usage-chart-core-hours" type="application/json">' in content
    assert '<script id="usage-chart-gpu-hours" type="application/json">' in content
    assert response.context["usage"].unmatched == 1


def test_staff_dashboard_ignores_a_bad_year(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.get(reverse("projects:staff_usage_dashboard"), {"year": "drop table"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["year"] == YEAR
