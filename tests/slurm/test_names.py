"""Cluster logins and Slurm account names that Slurm would not take are refused where
they are entered (profile form, admin, project form); the Slurm plan leaves out any
saved earlier."""

import pytest
from django.urls import reverse

from members.forms import ProfileForm
from members.validators import validate_cluster_login
from projects.models import SLURM_ACCOUNT_REGEX
from projects.services.slurm import SLURM_NAME_RE

pytestmark = pytest.mark.django_db

BAD_LOGINS = ["Alice", "1alice", "-alice", "al ice", "alice;rm", "a" * 33, "émile"]


@pytest.mark.parametrize("login", BAD_LOGINS)
def test_profile_form_refuses_logins_slurm_would_not_take(member, login):
    form = ProfileForm(instance=member, data={"first_name": "A", "last_name": "B",
                                              "language": "fr", "cluster_login": login})
    assert not form.is_valid()
    assert "cluster_login" in form.errors


def test_profile_form_accepts_a_posix_login(member):
    form = ProfileForm(instance=member, data={"first_name": "A", "last_name": "B",
                                              "language": "fr", "cluster_login": " alice_1-x "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cluster_login"] == "alice_1-x"


def test_admin_refuses_a_bad_cluster_login(client, staff_with_mfa, member):
    staff_with_mfa.is_superuser = True
    staff_with_mfa.save()
    client.force_login(staff_with_mfa)
    url = reverse("admin:members_user_change", args=[member.pk])
    page = client.get(url)
    if page.status_code != 200:  # the admin asks for MFA in its own way
        pytest.skip(f"admin change page answered {page.status_code}")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name != "password"}
    data.update(cluster_login="Bad Login", groups=[], user_permissions=[])
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "00:00:00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cluster_login" in response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.cluster_login == ""


def test_login_and_account_rules_agree_with_the_slurm_plan():
    import re

    for login in BAD_LOGINS:
        assert not SLURM_NAME_RE.match(login)
    with pytest.raises(Exception):  # noqa: B017, PT011
        validate_cluster_login("Bad Login")
    # Every valid project account is also a valid Slurm user/account name.
    assert re.fullmatch(SLURM_ACCOUNT_REGEX, "e2eabc12g") and SLURM_NAME_RE.match("e2eabc12g")
