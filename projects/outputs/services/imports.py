"""Imports of a project's outputs from HAL, run by a worker rather than in the request.

:func:`output_import_request` checks what the person asked for and stores an
:class:`~projects.models.OutputImport` ``queued`` (at most one queued or running import
per project); the caller then queues its task after commit
(:func:`projects.tasks.output_import_enqueue_on_commit`; this module never imports the
tasks). :func:`output_import_run` is what the task calls: it claims the import with a
conditional update (``queued`` → ``running``: a second delivery of the message does
nothing), asks HAL outside any transaction, then records every document, the counts and
the ``done`` status in one transaction — or marks the import ``failed`` with a readable
reason and records nothing. Either way the person who asked is told through the outbox
(event ``outputs_hal_import``, category ``outputs``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import requests
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.workflow import TransitionError
from algoric.notifications.services.outbox import notify

from ...models import OutputImport, Project
from .bibtex import REFUSED
from .hal import HalUnavailable, hal_fetch, hal_query, hal_record
from .manual import require_project_contributor

logger = logging.getLogger(__name__)

#: The outbox event telling the requester how an import ended
#: (templates/emails/outputs_hal_import.*).
IMPORT_EVENT = "outputs_hal_import"
#: A queued or running import older than this is taken as lost (its message or its
#: worker): a new request marks it ``failed``. Far above the longest HAL call
#: (``HAL_RETRIES`` × the timeouts, with backoff).
STALE_AFTER = timedelta(minutes=15)

Status = OutputImport.Status


def _already_on_its_way() -> TransitionError:
    return TransitionError(
        _("An import from HAL is already on its way for this project: wait until it has "
          "finished before starting another."), code="hal_import_active")


def _fail_stale(*, project: Project) -> int:
    """Mark ``failed`` the project's imports queued or running for longer than
    :data:`STALE_AFTER`; returns how many."""
    limit = timezone.now() - STALE_AFTER
    return OutputImport.objects.filter(project=project).filter(
        Q(status=Status.QUEUED, created_at__lt=limit)
        | Q(status=Status.RUNNING, started_at__lt=limit)).update(
        status=Status.FAILED, error_code="interrupted",
        error=str(OutputImport.ERRORS["interrupted"]), finished_at=timezone.now())


def output_import_request(*, project: Project, actor, hal_id: str = "",
                          collection: str = "") -> OutputImport:
    """Ask for an import from HAL of one document (``hal_id``) or of a collection code or
    query (``collection``; default: the project's ``hal_collection``) into ``project``;
    returns the new :class:`~projects.models.OutputImport`, ``queued``.

    The caller queues its task after commit
    (:func:`projects.tasks.output_import_enqueue_on_commit`). Raises ``PermissionDenied``
    (``actor`` is not one of the project's people nor staff), ``ValidationError``
    (nothing to search, a HAL id that is not one) and ``TransitionError`` (a
    ``ValidationError``: another import of the project is queued or running).
    """
    require_project_contributor(project=project, actor=actor)
    hal_id, collection = hal_query(project=project, hal_id=hal_id, collection=collection)
    with transaction.atomic():
        # The project's row is the lock: two requests at once are served one at a time.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        _fail_stale(project=project)
        if OutputImport.objects.active().filter(project=project).exists():
            raise _already_on_its_way()
        try:
            with transaction.atomic():
                output_import = OutputImport.objects.create(
                    project=project, requested_by=actor, source=OutputImport.Source.HAL,
                    hal_id=hal_id, collection=collection[:200])
        except IntegrityError as error:  # the constraint has the last word
            raise _already_on_its_way() from error
        audit_record(action="outputs.hal_import_requested", actor=actor, target=project,
                     detail={"import": output_import.pk, "hal_id": hal_id,
                             "collection": collection})
    return output_import


def _notify(output_import: OutputImport) -> None:
    """Tell the person who asked how ``output_import`` ended (once per import)."""
    recipient = output_import.requested_by
    if recipient is None or not recipient.is_active:
        return
    notify(event=IMPORT_EVENT, recipient=recipient,
           context={"output_import": output_import, "project": output_import.project},
           dedupe_key=f"{IMPORT_EVENT}:{output_import.pk}")


def _fail(*, import_id: int, code: str, message: str) -> bool:
    """Mark the running import ``failed`` with ``code`` and ``message``, audit and tell
    its requester; ``False`` when it was no longer running."""
    with transaction.atomic():
        changed = OutputImport.objects.filter(pk=import_id, status=Status.RUNNING).update(
            status=Status.FAILED, error_code=code, error=message[:2000],
            finished_at=timezone.now())
        if not changed:
            return False
        output_import = OutputImport.objects.select_related(
            "project", "requested_by").get(pk=import_id)
        audit_record(action="outputs.hal_import_failed", actor=output_import.requested_by,
                     target=output_import.project,
                     detail={"import": import_id, "error": code})
        _notify(output_import)
    return True


def _record(*, import_id: int, docs: list[dict], found: int, collection: str) -> bool:
    """Record ``docs`` and finish the import ``done``, all in one transaction; ``False``
    when the import was no longer running (nothing recorded)."""
    with transaction.atomic():
        # Only the import's row is locked: PostgreSQL locks no row of an outer join (the
        # requester may be gone).
        output_import = OutputImport.objects.select_for_update(of=("self",)).select_related(
            "project", "requested_by").get(pk=import_id)
        if output_import.status != Status.RUNNING:
            return False
        report = hal_record(project=output_import.project, actor=output_import.requested_by,
                            docs=docs, found=found, hal_id=output_import.hal_id,
                            collection=collection)
        counts = report.counts
        output_import.found = report.found
        output_import.added, output_import.linked = counts["added"], counts["linked"]
        output_import.known, output_import.refused = counts["known"], counts["refused"]
        output_import.refusals = [
            {"key": entry.key, "title": entry.title[:300], "reasons": entry.reasons}
            for entry in report.entries if entry.outcome == REFUSED
        ][:OutputImport.REFUSALS_KEPT]
        output_import.status = Status.DONE
        output_import.finished_at = timezone.now()
        output_import.save()
        _notify(output_import)
    return True


def output_import_run(*, import_id: int, session: requests.Session | None = None) -> str:
    """Run the import ``import_id`` (the task's work); returns its final status, or
    ``"skipped"`` when it was not ``queued`` (already run, running elsewhere, or gone).

    The import is claimed by a conditional update (``queued`` → ``running``), so a second
    delivery of the task records nothing twice. HAL is asked outside any transaction;
    the documents, the counts and ``done`` are then written in one transaction. When
    HAL cannot be reached (timeout, connection error, 5xx), refuses the query or has no
    such document, or the requester is no longer one of the project's people, the
    import ends ``failed`` with a readable message and nothing recorded; an unexpected
    error too (logged with its traceback, never shown). Never raises.
    """
    claimed = OutputImport.objects.filter(pk=import_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return "skipped"
    output_import = OutputImport.objects.select_related("project", "requested_by").get(
        pk=import_id)
    actor = output_import.requested_by
    language = getattr(actor, "language", None) or translation.get_language()
    with translation.override(language):
        try:
            if actor is None:
                raise PermissionDenied
            require_project_contributor(project=output_import.project, actor=actor)
            docs, found, collection = hal_fetch(
                project=output_import.project, hal_id=output_import.hal_id,
                collection=output_import.collection, session=session)
            done = _record(import_id=import_id, docs=docs, found=found,
                           collection=collection)
        except PermissionDenied:
            _fail(import_id=import_id, code="not_allowed",
                  message=str(OutputImport.ERRORS["not_allowed"]))
            return Status.FAILED
        except (HalUnavailable, ValidationError) as error:
            code = error.code if error.code in {*OutputImport.ERRORS, "hal_not_found"} \
                else ""
            _fail(import_id=import_id, code=code, message=" ".join(error.messages))
            return Status.FAILED
        except Exception:  # anything else: logged for the team, a plain word for people
            logger.exception("HAL import %s failed", import_id)
            _fail(import_id=import_id, code="internal",
                  message=str(OutputImport.ERRORS["internal"]))
            return Status.FAILED
    return Status.DONE if done else "skipped"
