"""Lists of organisations do not issue queries per row (no N+1)."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import OrganisationMember

from ..factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return len(ctx.captured_queries)


def test_staff_organisation_list_queries_do_not_grow_with_rows(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    url = reverse("members:staff_organisation_list")
    OrganisationFactory.create_batch(2)
    few = queries_for(client, url)
    OrganisationFactory.create_batch(20)
    assert queries_for(client, url) == few


def test_my_organisations_queries_do_not_grow_with_rows(client, member):
    client.force_login(member)
    url = reverse("members:organisation_list")
    for organisation in OrganisationFactory.create_batch(2):
        OrganisationMember.objects.create(organisation=organisation, user=member)
    few = queries_for(client, url)
    for organisation in OrganisationFactory.create_batch(10):
        OrganisationMember.objects.create(organisation=organisation, user=member)
    assert queries_for(client, url) == few
