"""Stored XSS: hostile text in every free-text field, then every page, staff page, email
and PDF that shows it, rendered in Chromium — no dialog opens, no injected script runs,
and the DOM holds no element or attribute made from the hostile text.

The Content-Security-Policy would stop most inline scripts anyway; the DOM checks prove
the text is escaped or sanitised by itself, not only blocked by the policy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ..browser.support import SCREENSHOT_DIR as SHOTS
from ..browser.support import TIMEOUT_MS
from ..factories import OrganisationMemberFactory, UserFactory
from .conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Each payload sets ``window.__xss`` or opens a dialog if it ever runs.
PAYLOADS = [
    "<script>window.__xss=1;alert('xss-script')</script>",
    "<img src=x onerror=\"window.__xss=2;alert('xss-img')\">",
    "\"><svg onload=\"window.__xss=3;alert('xss-svg')\">",
    "javascript:window.__xss=4;alert('xss-link')",
    "'><iframe srcdoc=\"<script>parent.__xss=5</script>\"></iframe>",
]
HOSTILE = " ".join(PAYLOADS)
MARKDOWN = (
    "# Titre\n\n[cliquer](javascript:window.__xss=6;alert('xss-md'))\n\n"
    "<script>window.__xss=7</script>\n\n<img src=x onerror=\"window.__xss=8\">\n\n"
    "[lien](  JaVaScRiPt:alert('xss-md2'))\n\n"
    "![img](x\" onerror=\"window.__xss=9)\n\n" + HOSTILE
)

#: In the DOM, no element may carry one of these (made from the hostile text).
DOM_PROBE = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = (attr.value || '').toLowerCase();
      if (name.startsWith('on') && value.includes('__xss')) bad.push(el.tagName + '@' + name);
      if (['href', 'src', 'action', 'formaction'].includes(name)
          && value.replace(/\\s/g, '').startsWith('javascript:'))
        bad.push(el.tagName + '@' + name + '=' + value.slice(0, 60));
      if (name === 'srcdoc' && value.includes('__xss'))
        bad.push(el.tagName + '@' + name + '=' + value.slice(0, 60));
    }
    if (el.tagName === 'SCRIPT' && (el.textContent || '').includes('__xss')) bad.push('SCRIPT');
    if (el.tagName === 'IFRAME' || el.tagName === 'SVG' && el.getAttribute('onload'))
      bad.push(el.tagName);
  }
  return bad;
}"""

SACCT_HOSTILE = (
    "9101|9101|secu|cpu|normal|secreta|grp|5001|<img src=x onerror=window.__xss=10>|6001|"
    "{y}-03-02T08:00:00|{y}-03-02T08:00:00|{y}-03-02T08:05:00|{y}-03-02T10:05:00|"
    "02:00:00|0:0|COMPLETED|1|8|8|16000Mn|billing=8,cpu=8,mem=16000M,node=1|"
    "billing=8,cpu=8,mem=16000M,node=1|04:00:00|node01|<script>window.__xss=11</script>\n"
    "9102|9102|secu|cpu|normal|\"><svg onload=window.__xss=12>|grp|5001|=cmd|6001|"
    "{y}-03-02T08:00:00|{y}-03-02T08:00:00|{y}-03-02T08:05:00|{y}-03-02T10:05:00|"
    "02:00:00|0:0|COMPLETED|1|8|8|16000Mn|billing=8,cpu=8,mem=16000M,node=1|"
    "billing=8,cpu=8,mem=16000M,node=1|04:00:00|node01|=HYPERLINK(\"http://evil\")\n"
    "<script>window.__xss=13</script> not a sacct line\n"
)


def _hostile_world(staff_with_mfa):
    """The attack world, with hostile text written into every free-text field through
    the services a member or staff would use, and a hostile accounting file imported."""
    from algoric.pages.models import Page
    from members.models import Organisation
    from projects.models import Project, ResourceRequestRow
    from projects.services import requests as request_services
    from resources.accounting.services.intake import accounting_intake
    from resources.tasks import accounting_import_enqueue_on_commit

    world = build_world(staff_with_mfa)
    Organisation.objects.filter(pk=world.org.pk).update(
        name=f"Org {PAYLOADS[1]}", address=HOSTILE, city=PAYLOADS[2][:100],
        website="https://example.org/?q=%22%3E%3Cscript%3E")
    world.org.refresh_from_db()
    Project.objects.filter(pk=world.project.pk).update(
        title=f"P {PAYLOADS[0]}"[:200], acronym="\"><svg onload=x>"[:30], summary=HOSTILE,
        summary_is_public=True, open_science_statement=HOSTILE)
    world.project.refresh_from_db()
    people = [world.representative, world.plain]
    for person in people:
        person.first_name = PAYLOADS[1][:150]
        person.last_name = PAYLOADS[2][:150]
        person.save()
    world.request.justification = HOSTILE
    world.request.save()
    ResourceRequestRow.objects.filter(request=world.request).update(justification=HOSTILE)
    request_services.request_comment(request=world.request, body=HOSTILE,
                                     actor=world.representative)
    request_services.request_comment(request=world.request, body=MARKDOWN, actor=world.staff)
    world.agreement.signatory_name = PAYLOADS[0][:150]
    world.agreement.signatory_title = PAYLOADS[2][:150]
    world.agreement.save()
    world.terms.body_fr = world.terms.body_en = MARKDOWN
    world.terms.title_fr = world.terms.title_en = PAYLOADS[1][:200]
    world.terms.save()
    Page.objects.filter(slug="home").update(body_fr=MARKDOWN, body_en=MARKDOWN,
                                            title_fr=PAYLOADS[0][:200])
    invited = UserFactory(first_name=PAYLOADS[0][:150])
    OrganisationMemberFactory(organisation=world.org, user=invited, role="member")
    data = SACCT_HOSTILE.format(y=timezone.localdate().year).encode()
    world.hostile_import = accounting_intake(
        stream=io.BytesIO(data), file_name=f"{PAYLOADS[1]}.sacct"[:255],
        size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), format="sacct",
        cluster="secu", source="upload", actor=world.staff)
    accounting_import_enqueue_on_commit(world.hostile_import.pk)
    return world


def test_link_fields_refuse_javascript_urls(db):
    """Links shown as ``href`` (a project's data management plan, an organisation's
    website) accept only http(s) URLs, so a ``javascript:`` link cannot be stored."""
    from django.core.exceptions import ValidationError

    from members.models import Organisation
    from projects.models import Project

    for model, field in ((Project, "dmp_url"), (Organisation, "website")):
        for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>"):
            with pytest.raises(ValidationError):
                model._meta.get_field(field).clean(url, None)


def _session(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                          "url": live_server.url}])


def _visit_all(page, live_server, paths) -> list[str]:
    """Open each path; the list of XSS evidence (dialogs, the flag, DOM findings)."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.context.add_init_script("window.__xss = 0;")
    found = []
    shown = 0
    for path in paths:
        response = page.goto(live_server.url + path, wait_until="load", timeout=TIMEOUT_MS)
        assert response is not None and response.status < 500, (path, response)
        page.wait_for_timeout(100)  # let onerror/onload handlers fire, if any
        flag = page.evaluate("() => window.__xss")
        if flag:
            found.append(f"{path}: payload {flag} ran")
        bad = page.evaluate(DOM_PROBE)
        if bad:
            found.append(f"{path}: hostile DOM {bad[:5]}")
        if "__xss" in page.evaluate("() => document.body.innerText"):
            shown += 1
            if shown == 3:
                page.screenshot(path=str(SHOTS / f"xss-{path.strip('/').replace('/', '-')}.png"),
                                full_page=True)
    found += [f"dialog: {message}" for message in dialogs]
    # The hostile text is there, shown as text (so the pages were really tested).
    assert shown >= len(paths) // 3, f"hostile text shown on only {shown} pages"
    return found


def test_hostile_text_never_runs_on_member_and_public_pages(live_server, browser_page,
                                                            staff_with_mfa):
    world = _hostile_world(staff_with_mfa)
    _session(browser_page.context, live_server, world.representative)
    paths = [
        "/", "/en/", reverse("members:organisation_list"),
        reverse("members:organisation_detail", args=[world.org.pk]),
        reverse("members:organisation_edit", args=[world.org.pk]),
        reverse("members:agreement_detail", args=[world.agreement.pk]),
        reverse("projects:project_list"),
        reverse("projects:project_detail", args=[world.project.pk]),
        reverse("projects:project_edit", args=[world.project.pk]),
        reverse("projects:request_detail", args=[world.request.pk]),
        reverse("projects:public_list"),
        reverse("projects:public_detail", args=[world.project.pk]),
        reverse("projects:project_usage", args=[world.project.pk]),
        reverse("notifications:inbox"),
        reverse("members:profile"),
    ]
    found = _visit_all(browser_page, live_server, paths)
    assert not found, "\n".join(found)


def test_hostile_text_never_runs_on_staff_pages(live_server, browser_page, staff_with_mfa):
    world = _hostile_world(staff_with_mfa)
    _session(browser_page.context, live_server, world.staff)
    paths = [
        reverse("members:staff_dashboard"), reverse("members:staff_organisation_list"),
        reverse("members:staff_organisation_review", args=[world.org.pk]),
        reverse("members:staff_agreement_review", args=[world.agreement.pk]),
        reverse("members:staff_terms_list"), reverse("members:staff_terms_edit",
                                                     args=[world.terms.pk]),
        reverse("projects:staff_request_queue"),
        reverse("projects:staff_request_review", args=[world.request.pk]),
        reverse("resources:accounting:list"),
        reverse("resources:accounting:detail", args=[world.hostile_import.pk]),
        reverse("projects:staff_usage_dashboard"), reverse("projects:staff_unmatched_accounts"),
        reverse("audit:list"), reverse("pages:staff_list"),
        reverse("pages:staff_edit", args=["home"]),
        reverse("projects:reports:staff_list"),
        f"/admin/members/organisation/{world.org.pk}/change/",
        "/admin/members/organisation/",
        f"/admin/projects/project/{world.project.pk}/change/",
    ]
    found = _visit_all(browser_page, live_server, paths)
    assert not found, "\n".join(found)


def test_hostile_text_in_emails_is_escaped(live_server, browser_page, staff_with_mfa):
    """The HTML bodies of the notifications (comment, decision) never carry live markup;
    rendered in Chromium, nothing runs."""
    from algoric.notifications.models import Notification

    world = _hostile_world(staff_with_mfa)
    notifications = list(Notification.objects.filter(event__startswith="request"))
    assert notifications, "the hostile comments notified nobody"
    dialogs = []
    browser_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for notification in notifications:
        assert "<script" not in notification.body_html.lower()
        assert "<img" not in notification.body_html.lower()
        if notification.body_html:
            browser_page.set_content(notification.body_html, timeout=TIMEOUT_MS)
            browser_page.wait_for_timeout(100)
            assert not browser_page.evaluate("() => window.__xss || 0"), notification.event
            assert not browser_page.evaluate(DOM_PROBE), notification.event
    for message in mail.outbox:
        for body, kind in getattr(message, "alternatives", []) or []:
            if kind == "text/html":
                browser_page.set_content(body, timeout=TIMEOUT_MS)
                assert not browser_page.evaluate(DOM_PROBE)
    assert not dialogs, dialogs
    assert world.request.comments.count() == 3


def _pdf_is_inert(data: bytes) -> list[str]:
    """Why the PDF could run something: JavaScript, launch or URI actions with the
    hostile text, or an open action."""
    problems = []
    for needle in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/OpenAction",
                   b"/SubmitForm"):
        if needle in data:
            problems.append(needle.decode())
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            if uri.lower().replace(" ", "").startswith("javascript:") or "__xss" in uri:
                problems.append(f"link {uri}")
    return problems


def test_agreement_pdf_shows_hostile_text_as_text(staff_with_mfa):
    from members.services.agreement_pdf import agreement_pdf_bytes

    world = _hostile_world(staff_with_mfa)
    data = agreement_pdf_bytes(agreement=world.agreement, language="fr")
    assert not _pdf_is_inert(data), _pdf_is_inert(data)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "onerror" in text  # written out as text, not interpreted


def test_usage_report_pdf_csv_and_xlsx_neutralise_hostile_text(staff_with_mfa):
    """The project report of a project with hostile names and Slurm users (from the
    accounting file): the PDF is inert and shows the text; no CSV/XLSX cell is a
    formula."""
    render = pytest.importorskip("projects.reports.render")
    import csv
    import zipfile

    from openpyxl import load_workbook

    from projects.reports.project import project_report_content
    from resources.models import UsageSummary

    world = _hostile_world(staff_with_mfa)
    year = timezone.localdate().year
    for user in ("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
                 "\tcmd", PAYLOADS[0][:64]):
        UsageSummary.objects.create(
            cluster="secu", account="secreta", partition="cpu", user=user[:64],
            month=dt.date(year, 2, 1), state="COMPLETED", jobs=1, core_hours=10.0)
    content = project_report_content(project=world.project, year=year, language="fr")
    pdf = render.render_pdf(content)
    assert not _pdf_is_inert(pdf), _pdf_is_inert(pdf)
    archive = zipfile.ZipFile(io.BytesIO(render.render_csv_zip(content)))
    cells = []
    for name in archive.namelist():
        for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))):
            cells += row
    assert any("HYPERLINK" in cell for cell in cells), "the hostile user is not in the CSV"
    bad = [c for c in cells if c[:1] in {"=", "+", "@", "\t", "\r"}
           or (c[:1] == "-" and not re.fullmatch(r"-[\d.,\s]+", c))]
    assert not bad, bad
    workbook = load_workbook(io.BytesIO(render.render_xlsx(content)))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in {"=", "+", "@", "\t", "\r"}, cell.value
