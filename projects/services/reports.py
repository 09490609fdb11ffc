"""Yearly usage reports: asking for one, generating it, telling its readers.

A report is asked for by staff (page or ``manage.py generate_usage_reports``) or by the
yearly beat task; :func:`usage_report_request` creates or re-queues the row and queues
the Celery task after commit. :func:`usage_report_generate` builds the content in French
and in English and writes six files (PDF, CSV archive, XLSX per language). Each file is
written under a temporary name in its final folder and renamed (``os.replace``, atomic on
POSIX): a reader gets the old file or the new one, never half of one. The row carries a
``generation`` number: a task for an older generation returns without writing, a task run
again after its worker died starts over and writes the same files.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from algoric.notifications.services import notify
from members.models import User

from ..models import Project, ProjectMember, UsageReport

logger = logging.getLogger(__name__)

#: Languages every report is written in (French first).
REPORT_LANGUAGES = ("fr", "en")
#: Formats, in the order they are written: key prefix, file extension.
REPORT_FORMATS = (("pdf", "pdf"), ("xlsx", "xlsx"), ("csv", "zip"))
#: A report ``running`` without a heartbeat for this long is taken as abandoned (its
#: worker died) and queued again by the sweeper; one step (one file) takes seconds.
STALE_AFTER = timedelta(minutes=5)
#: The earliest year a report can be asked for.
FIRST_YEAR = 2000


class ReportNotFound(Exception):
    """The report row no longer exists."""


def _validate(*, scope: str, year: int, project: Project | None) -> None:
    errors = {}
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not FIRST_YEAR <= year <= this_year:
        errors["year"] = _("Choose a year between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR, "last": this_year}
    if scope == UsageReport.Scope.PROJECT:
        if project is None:
            errors["project"] = _("Choose a project.")
        elif project.status == Project.Status.DRAFT:
            errors["project"] = _("A draft project has no usage to report.")
    elif scope == UsageReport.Scope.CENTRE:
        if project is not None:
            errors["project"] = _("The centre report is not about one project.")
    else:
        errors["scope"] = _("Unknown kind of report.")
    if errors:
        raise ValidationError(errors)


def usage_report_request(*, scope: str, year: int, project: Project | None = None,
                         actor: User | None = None, notify_readers: bool = False,
                         enqueue: bool = True) -> UsageReport:
    """Ask for the report of ``scope`` (``"project"`` with ``project``, or ``"centre"``)
    for ``year``; return its row, ``queued`` (or already on its way).

    Creates the row the first time; a report already ``queued`` or ``running`` (with a
    fresh heartbeat) is left as it is; a ``done`` or ``failed`` one starts a new
    generation. The task is queued after commit (never raises if the broker is down:
    the sweeper queues it later). ``notify_readers``: tell the readers once it is done
    (the PI and managers of a project report, staff for the centre report).
    ``enqueue=False`` queues nothing: the caller generates the report itself (the
    command line does, synchronously).

    Raises ``ValidationError`` for a year outside ``FIRST_YEAR``..this year, a missing
    or draft project, or a project given with the centre scope.
    """
    _validate(scope=scope, year=year, project=project)
    with transaction.atomic():
        report, created = UsageReport.objects.select_for_update().get_or_create(
            scope=scope, year=year, project=project,
            defaults={"requested_by": actor, "notify_readers": notify_readers})
        on_its_way = report.status == UsageReport.Status.QUEUED or (
            report.status == UsageReport.Status.RUNNING and report.heartbeat_at
            and report.heartbeat_at > timezone.now() - STALE_AFTER)
        if not created and on_its_way and enqueue:
            if notify_readers and not report.notify_readers:
                report.notify_readers = True
                report.save(update_fields=["notify_readers"])
            return report
        if not created:
            report.generation += 1
            report.status = UsageReport.Status.QUEUED
            report.progress = 0
            report.step = ""
            report.failure = ""
            report.requested_by = actor
            report.requested_at = timezone.now()
            report.notify_readers = notify_readers
            report.save()
        if actor is not None:
            audit_record(action="report.requested", actor=actor, target=report,
                         category=AuditEvent.Category.STAFF,
                         detail={"generation": report.generation})
        report_id, generation = report.pk, report.generation
        if enqueue:
            transaction.on_commit(lambda: usage_report_enqueue(report_id, generation))
    return report


def usage_report_enqueue(report_id: int, generation: int) -> bool:
    """Queue the generation task. Never raises; ``False`` when the broker is unreachable
    (the report stays ``queued`` and :func:`usage_reports_requeue_stale` sends it later).
    With eager Celery the report is generated here, inline."""
    from ..tasks import generate_usage_report

    try:
        generate_usage_report.apply_async(args=[report_id, generation])
    except Exception:  # any broker trouble: the queued row is the source of truth
        logger.warning("usage report %s not queued (broker unavailable)", report_id,
                       exc_info=True)
        return False
    return True


def usage_reports_requeue_stale() -> int:
    """Queue again the reports left ``queued`` for :data:`STALE_AFTER` (message lost) or
    ``running`` without a heartbeat for as long (worker died). Returns how many."""
    cutoff = timezone.now() - STALE_AFTER
    stale = UsageReport.objects.filter(
        status=UsageReport.Status.QUEUED, requested_at__lt=cutoff
    ) | UsageReport.objects.filter(status=UsageReport.Status.RUNNING, heartbeat_at__lt=cutoff)
    rows = list(stale.values_list("pk", "generation")[:100])
    return sum(1 for pk, generation in rows if usage_report_enqueue(pk, generation))


# --- Generation -----------------------------------------------------------------------------

def report_folder(report: UsageReport) -> str:
    """The report's folder, relative to ``USAGE_REPORTS_DIR``: ``<year>/centre`` or
    ``<year>/project-<id>``."""
    if report.scope == UsageReport.Scope.CENTRE:
        return f"{report.year}/centre"
    return f"{report.year}/project-{report.project_id}"


def report_file_name(report: UsageReport, *, language: str, extension: str) -> str:
    """The download name: ``algoric-<acronym or centre>-<year>-<language>.<ext>`` with
    only ASCII letters, digits and dashes."""
    subject = "centre" if report.scope == UsageReport.Scope.CENTRE else report.project.acronym
    subject = re.sub(r"[^A-Za-z0-9]+", "-", subject).strip("-").lower() or "project"
    return f"algoric-{subject}-{report.year}-{language}.{extension}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one.

    The bytes go to a temporary file in the same folder, are flushed to disk, then the
    file is renamed over ``path`` (``os.replace``: atomic on POSIX when both names are
    on one file system). Raises ``OSError`` when the folder cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _progress(report: UsageReport, *, progress: int, step: str) -> bool:
    """Record progress and a heartbeat; ``False`` when a newer generation took over."""
    return UsageReport.objects.filter(pk=report.pk, generation=report.generation).update(
        progress=progress, step=step[:100], heartbeat_at=timezone.now()) == 1


def _content(report: UsageReport, language: str):
    from ..reports.centre import centre_report_content
    from ..reports.project import project_report_content

    if report.scope == UsageReport.Scope.CENTRE:
        return centre_report_content(year=report.year, language=language)
    return project_report_content(project=report.project, year=report.year, language=language)


def _render(kind: str, content) -> bytes:
    from ..reports import render

    return {"pdf": render.render_pdf, "xlsx": render.render_xlsx,
            "csv": render.render_csv_zip}[kind](content)


def usage_report_generate(*, report_id: int, generation: int | None = None) -> str:
    """Generate the files of report ``report_id`` for ``generation`` (default: its
    current one). Returns ``"done"``, ``"skipped"`` (already done for that generation,
    or a newer generation asked for) or ``"missing"``.

    Claims the row (``queued`` or ``running`` → ``running``), builds the content per
    language and writes each file atomically, recording progress; then stores the
    files, totals and ``done`` — only if the generation is still current. Safe to run
    twice or after a worker died: the files are rewritten whole.

    Raises what building or rendering raises after marking the report ``failed`` with
    the reason (the task decides whether to retry).
    """
    report = UsageReport.objects.select_related("project__organisation").filter(
        pk=report_id).first()
    if report is None:
        return "missing"
    generation = generation or report.generation
    if generation != report.generation or (report.status == UsageReport.Status.DONE):
        return "skipped"
    now = timezone.now()
    claimed = UsageReport.objects.filter(
        pk=report.pk, generation=generation,
        status__in=[UsageReport.Status.QUEUED, UsageReport.Status.RUNNING,
                    UsageReport.Status.FAILED],
    ).update(status=UsageReport.Status.RUNNING, started_at=now, heartbeat_at=now, progress=0,
             step="", failure="")
    if not claimed:
        return "skipped"
    report.refresh_from_db()
    root = Path(settings.USAGE_REPORTS_DIR)
    folder = report_folder(report)
    # Temporary files of an attempt whose worker died: never served, removed now.
    for leftover in (root / folder).glob(".*.part"):
        leftover.unlink(missing_ok=True)
    files: dict[str, str] = {}
    totals: dict = {}
    steps = len(REPORT_LANGUAGES) * (1 + len(REPORT_FORMATS))
    done_steps = 0
    try:
        for language in REPORT_LANGUAGES:
            with translation.override(language):
                step = _("Gathering the figures")
            if not _progress(report, progress=done_steps * 100 // steps, step=step):
                return "skipped"
            content = _content(report, language)
            totals = content.totals
            done_steps += 1
            for kind, extension in REPORT_FORMATS:
                with translation.override(language):
                    step = _("Writing the %(format)s file (%(language)s)") % {
                        "format": kind.upper(), "language": language}
                if not _progress(report, progress=done_steps * 100 // steps, step=step):
                    return "skipped"
                name = report_file_name(report, language=language, extension=extension)
                relative = f"{folder}/{name}"
                write_atomically(root / relative, _render(kind, content))
                files[f"{kind}-{language}"] = relative
                done_steps += 1
    except Exception as error:
        logger.exception("usage report %s (generation %s) failed", report.pk, generation)
        UsageReport.objects.filter(pk=report.pk, generation=generation).update(
            status=UsageReport.Status.FAILED,
            failure=f"{type(error).__name__}: {error}"[:2000])
        raise
    finished = UsageReport.objects.filter(pk=report.pk, generation=generation).update(
        status=UsageReport.Status.DONE, progress=100, step="", files=files, totals=totals,
        generated_at=timezone.now(), heartbeat_at=timezone.now())
    if not finished:
        return "skipped"
    report.refresh_from_db()
    if report.notify_readers:
        usage_report_notify(report=report)
    return "done"


def report_readers(report: UsageReport) -> list[User]:
    """Who is told a report is ready: the PI and managers of a project report, active
    staff for the centre report."""
    if report.scope == UsageReport.Scope.CENTRE:
        return list(User.objects.filter(is_staff=True, is_active=True).order_by("pk"))
    return [member.user for member in ProjectMember.objects.filter(
        project=report.project,
        role__in=[ProjectMember.Role.PI, ProjectMember.Role.MANAGER],
        user__is_active=True).select_related("user").order_by("pk")]


def usage_report_notify(*, report: UsageReport) -> int:
    """Tell the report's readers it is ready, once per generation (dedupe key), with a
    link to its page. Returns how many notifications were created."""
    path = reverse("projects:reports:detail", kwargs={"pk": report.pk})
    url = settings.SITE_URL.rstrip("/") + path
    created = 0
    with transaction.atomic():
        for reader in report_readers(report):
            notification = notify(
                event="usage_report_ready", recipient=reader,
                context={"report": report, "url": url, "year": report.year,
                         "project": report.project},
                dedupe_key=f"usage_report:{report.pk}:{report.generation}:{reader.pk}")
            created += bool(getattr(notification, "created", True))
        UsageReport.objects.filter(pk=report.pk).update(
            notified_generation=F("generation"))
    return created


def projects_to_report(*, year: int) -> list[Project]:
    """Projects with usage attributed to them in ``year`` or an allocation for ``year``
    (drafts excluded), by acronym — a fixed number of queries."""
    from resources.selectors.usage import usage_by_account

    from ..models import Allocation
    from ..selectors_usage import account_attribution

    attribution = account_attribution()
    ids = {attribution.project_id(cluster=row["cluster"], account=row["account"])
           for row in usage_by_account(year=year)}
    ids.discard(None)
    ids |= set(Allocation.objects.filter(year=year).values_list("project_id", flat=True))
    return list(Project.objects.filter(pk__in=ids).exclude(status=Project.Status.DRAFT)
                .select_related("organisation").order_by("acronym"))


def usage_reports_request_year(*, year: int | None = None, actor: User | None = None,
                               notify_readers: bool = False, centre: bool = True,
                               projects: list[Project] | None = None) -> int:
    """Ask for the reports of ``year`` (default: last year in ``TIME_ZONE``): each of
    ``projects`` (default: :func:`projects_to_report`) and, with ``centre``, the
    centre's. Returns how many reports were asked for."""
    year = year or timezone.localdate().year - 1
    if projects is None:
        projects = projects_to_report(year=year)
    count = 0
    for project in projects:
        usage_report_request(scope=UsageReport.Scope.PROJECT, year=year, project=project,
                             actor=actor, notify_readers=notify_readers)
        count += 1
    if centre:
        usage_report_request(scope=UsageReport.Scope.CENTRE, year=year, actor=actor,
                             notify_readers=notify_readers)
        count += 1
    return count
