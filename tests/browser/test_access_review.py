"""The staff review page of a request whose organisation may not use the centre, in Chromium:
the access status and its reasons, the override of an emergency, no console error or CSP
violation. Screenshots: ``var/screenshots/access-*.png``."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from members.models import OrganisationKind
from members.services import organisation_access_status
from projects.models import ResourceRequest
from projects.services import requests as services

from ..factories import (
    OrganisationFactory,
    OrganisationMemberFactory,
    ProjectFactory,
    ResourceFactory,
    StaffFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                          "url": live_server.url}])


def test_staff_see_why_an_emergency_needs_the_override(live_server, browser_page,
                                                       screenshot_dir):
    town = OrganisationFactory(kind=OrganisationKind.PUBLIC_BODY, name="Mairie d'Auray")
    representative = OrganisationMemberFactory(organisation=town, role="representative").user
    project = ProjectFactory(organisation=town, acronym="CrueLoch", pi=representative)
    cpu = ResourceFactory()
    request = services.request_create(project=project, kind="emergency", actor=representative)
    request = services.request_save(
        request=request, table={(cpu.pk, project.starts_on.year): Decimal("20000")},
        justification="Crue du Loch.", row_justifications={cpu.pk: "Modèle."},
        actor=representative)
    services.request_submit(request=request, actor=representative)
    reasons = [str(reason.message) for reason in
               organisation_access_status(organisation=town).blocking_reasons]
    assert reasons
    staff = StaffFactory(mfa=True)

    page = browser_page
    _signed_in(page.context, live_server, staff)
    page.goto(live_server.url + reverse("projects:staff_request_review", args=[request.pk]))
    main = page.locator("main")
    for reason in reasons:
        assert reason in main.inner_text()
    override = page.locator("input[name=access_override]")
    assert override.count() == 1
    page.screenshot(path=str(screenshot_dir / "access-01-emergency-review.png"),
                    full_page=True)
    problems = page.problems
    assert not (problems.console_errors or problems.page_errors or problems.csp_violations
                or problems.failed_requests), problems.summary()
    assert ResourceRequest.objects.get(pk=request.pk).status == "submitted"
