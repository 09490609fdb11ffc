"""The projects app's part of a member's personal data (see :mod:`members.selectors.personal_data`)
and what keeps an account from being deleted: registered in
:meth:`projects.apps.ProjectsConfig.ready`. What deleting an account does to projects is
a write: :func:`projects.services.projects.project_members_remove_for_deleted_user`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..models import Project, ProjectMember, RequestComment, ResearchOutput, ResourceRequest


def _when(value):
    return value.isoformat() if value is not None else None


def projects_of(user) -> list[dict]:
    """The projects ``user`` belongs to, with their role."""
    return [{"project": m.project.acronym, "title": m.project.title,
             "organisation": m.project.organisation.name, "role": m.role,
             "status": m.project.status, "added_at": _when(m.added_at)}
            for m in ProjectMember.objects.filter(user=user)
            .select_related("project__organisation").order_by("added_at", "pk")]


def requests_by(user) -> list[dict]:
    """The resource requests ``user`` created (with their justification)."""
    return [{"id": r.pk, "project": r.project.acronym, "kind": r.kind, "status": r.status,
             "justification": r.justification, "created_at": _when(r.created_at),
             "submitted_at": _when(r.submitted_at)}
            for r in ResourceRequest.objects.filter(created_by=user)
            .select_related("project").order_by("created_at", "pk")]


def comments_by(user) -> list[dict]:
    """The comments ``user`` wrote on resource requests."""
    return [{"request": c.request_id, "project": c.request.project.acronym, "body": c.body,
             "written_at": _when(c.created_at)}
            for c in RequestComment.objects.filter(author=user)
            .select_related("request__project").order_by("created_at", "pk")]


def outputs_added_by(user) -> list[dict]:
    """The research outputs ``user`` recorded (by hand or by an import)."""
    return [{"title": o.title, "year": o.year, "kind": o.kind, "doi": o.doi,
             "hal_id": o.hal_id, "source": o.source, "added_at": _when(o.created_at)}
            for o in ResearchOutput.objects.filter(created_by=user).order_by("created_at", "pk")]


def deletion_blockers(user) -> list[str]:
    """``user`` may not leave while they are the PI of an active project."""
    return [_("You are the PI of the active project %(project)s. Make another member its PI, "
              "or close the project, then come back.") % {"project": m.project.acronym}
            for m in ProjectMember.objects.filter(
                user=user, role=ProjectMember.Role.PI,
                project__status=Project.Status.ACTIVE).select_related("project")]
