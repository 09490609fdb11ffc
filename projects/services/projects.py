"""Writes on projects (fiches projet) and their people."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.page_cache import content_changed
from algoric.core.staff import is_verified_staff
from algoric.notifications.services import notify
from members.models import OrganisationMember, User
from members.services.invitations import invitation_lock_for_acceptance, signed_invitation_get

from ..models import SLURM_ACCOUNT_REGEX, Project, ProjectInvitation, ProjectMember
from ..selectors.projects import project_role, require_project_lead

Role = ProjectMember.Role
PROJECT_FIELDS = ("title", "acronym", "summary", "summary_is_public", "field", "starts_on",
                  "ends_on", "dmp_url", "open_science_statement", "slurm_account")
INVITATION_SALT = "projects.invitation"
#: Longest project a request may plan, in years.
MAX_PROJECT_YEARS = 6


def slurm_account_propose(*, acronym: str, exclude_pk: int | None = None) -> str:
    """A free Slurm account name made from ``acronym``.

    Accents are removed, letters lower-cased, other characters dropped or turned
    into "_", a leading digit gets a "p" prefix, the name is cut to 30 characters,
    and "-2", "-3"… is appended while the name is taken.
    """
    ascii_text = unicodedata.normalize("NFKD", acronym).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9_-]+", "_", ascii_text.lower()).strip("_-") or "project"
    if not base[0].isalpha():
        base = "p" + base
    base = base[:30]
    if len(base) < 2:
        base = (base + "proj")[:30]
    taken = Project.objects.exclude(pk=exclude_pk)
    candidate, suffix = base, 1
    while taken.filter(slurm_account=candidate).exists():
        suffix += 1
        tail = f"-{suffix}"
        candidate = base[:30 - len(tail)] + tail
    return candidate


def _clean(values: dict) -> dict:
    errors = {}
    if values.get("starts_on") and values.get("ends_on"):
        if values["ends_on"] < values["starts_on"]:
            errors["ends_on"] = _("The end date must be after the start date.")
        elif values["ends_on"].year - values["starts_on"].year + 1 > MAX_PROJECT_YEARS:
            errors["ends_on"] = _("A project spans at most %(n)s calendar years.") % {
                "n": MAX_PROJECT_YEARS}
    account = values.get("slurm_account")
    if account is not None and not re.fullmatch(SLURM_ACCOUNT_REGEX, account):
        errors["slurm_account"] = _("Use 2 to 30 lower-case letters, digits, '_' or '-', "
                                    "starting with a letter.")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def project_create(*, organisation, data: dict, actor: User) -> Project:
    """Create a draft project of ``organisation``; ``actor`` (a member of it) becomes its PI.

    ``data``: cleaned form data (see :data:`PROJECT_FIELDS`); an empty
    ``slurm_account`` is proposed from the acronym. Raises ``PermissionDenied``
    (not a member of the organisation) or ``ValidationError``.
    """
    if not OrganisationMember.objects.filter(organisation=organisation, user=actor).exists():
        raise PermissionDenied(_("Only members of the organisation may create its projects."))
    values = {field: data[field] for field in PROJECT_FIELDS if field in data}
    if not values.get("slurm_account"):
        values["slurm_account"] = slurm_account_propose(acronym=values.get("acronym", ""))
    _clean(values)
    try:
        with transaction.atomic():
            project = Project.objects.create(organisation=organisation, created_by=actor,
                                             **values)
    except IntegrityError as exc:
        raise ValidationError({"slurm_account": _("This Slurm account name is taken.")}) from exc
    ProjectMember.objects.create(project=project, user=actor, role=Role.PI)
    return project


@transaction.atomic
def project_update(*, project: Project, data: dict, actor: User) -> Project:
    """Save changes to a project (PI and managers, or staff).

    The Slurm account cannot change once an allocation exists, and the dates cannot
    leave out a year that already has an allocation. Raises ``PermissionDenied`` or
    ``ValidationError``.
    """
    if not is_verified_staff(actor):
        require_project_lead(project=project, user=actor)
    project = Project.objects.select_for_update().get(pk=project.pk)
    values = {field: data[field] for field in PROJECT_FIELDS if field in data}
    merged = {**{f: getattr(project, f) for f in PROJECT_FIELDS}, **values}
    _clean(merged)
    allocations = project.allocations.all()
    if allocations.exists():
        if merged["slurm_account"] != project.slurm_account:
            raise ValidationError({"slurm_account": _(
                "The Slurm account is fixed once resources are allocated.")})
        years = set(allocations.values_list("year", flat=True))
        if min(years) < merged["starts_on"].year or max(years) > merged["ends_on"].year:
            raise ValidationError({"ends_on": _(
                "The dates must keep every year that has an allocation.")})
    for field, value in values.items():
        setattr(project, field, value)
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:
        raise ValidationError({"slurm_account": _("This Slurm account name is taken.")}) from exc
    if is_verified_staff(actor) and project_role(project=project, user=actor) is None:
        audit_record(action="project.updated", actor=actor, target=project,
                     detail={"fields": sorted(values)})
    return project


@transaction.atomic
def project_close(*, project: Project, actor: User) -> Project:
    """Close a project (its PI, or staff). Its requests can no longer be submitted."""
    if not is_verified_staff(actor) and project_role(project=project, user=actor) != Role.PI:
        raise PermissionDenied(_("Only the PI may close the project."))
    Project.objects.filter(pk=project.pk).update(status=Project.Status.CLOSED,
                                                 updated_at=timezone.now())
    content_changed("projects")  # the public pages show active and closed projects
    project.refresh_from_db()
    if is_verified_staff(actor) and project_role(project=project, user=actor) is None:
        audit_record(action="project.closed", actor=actor, target=project)
    return project


def invitation_token(invitation: ProjectInvitation) -> str:
    """The signed token of a project invitation's link."""
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


@transaction.atomic
def _require_open(project: Project) -> None:
    """Raise ``ValidationError`` when ``project`` is closed: its people no longer change
    (anyone may still leave it)."""
    if project.status == Project.Status.CLOSED:
        raise ValidationError(_("The project is closed: no one is added and roles no "
                                "longer change."))


def project_member_add(*, project: Project, email: str, role: str,
                       actor: User) -> ProjectMember | ProjectInvitation:
    """Add the person with ``email`` to ``project`` as ``role`` (PI and managers only).

    A person with an account is added at once and notified; someone without one is
    invited by email (a signed, single-use link valid ``INVITATION_VALID_DAYS``
    days). Returns the new member or the invitation. Raises ``ValidationError``
    (already a member, bad role, closed project) or ``PermissionDenied``.
    """
    require_project_lead(project=project, user=actor)
    _require_open(project)
    if role not in {Role.MANAGER, Role.MEMBER}:
        raise ValidationError(_("A person is added as manager or member."))
    email = email.strip()
    if project.members.filter(user__email__iexact=email).exists():
        raise ValidationError(_("This person is already in the project."))
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is not None:
        member = ProjectMember.objects.create(project=project, user=user, role=role)
        notify(event="project_member_added", recipient=user,
               context={"project": project, "role": member.get_role_display(),
                        "actor": actor})
        return member
    if project.invitations.filter(email__iexact=email, accepted_at__isnull=True,
                                  revoked_at__isnull=True,
                                  expires_at__gt=timezone.now()).exists():
        raise ValidationError(_("An invitation is already waiting for this address."))
    invitation = ProjectInvitation.objects.create(
        project=project, email=email, role=role, invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS))
    url = settings.SITE_URL.rstrip("/") + reverse("projects:invitation_accept",
                                                  args=[invitation_token(invitation)])
    notify(event="project_invitation", email=email, language=project.organisation.language,
           context={"project": project, "inviter": actor, "accept_url": url,
                    "role": invitation.get_role_display(),
                    "valid_days": settings.INVITATION_VALID_DAYS}, in_inbox=False)
    return invitation


def project_invitation_from_token(token: str) -> ProjectInvitation:
    """The open invitation a link's token designates (no write).

    Raises ``ValidationError`` for a forged, expired, revoked or already used link,
    with a message for the person who clicked it.
    """
    return signed_invitation_get(
        token=token, salt=INVITATION_SALT,
        queryset=ProjectInvitation.objects.select_related("project__organisation",
                                                          "invited_by"),
    )


@transaction.atomic
def project_invitation_accept(*, token: str, user: User) -> ProjectMember:
    """Accept a project invitation as ``user`` (whose verified address must match).

    Single use: the row is locked and marked accepted. Raises ``ValidationError``
    for a forged, expired, revoked or used link, or another address.
    """
    invitation = invitation_lock_for_acceptance(
        invitation=project_invitation_from_token(token), user=user)
    member, _created = ProjectMember.objects.get_or_create(
        project=invitation.project, user=user, defaults={"role": invitation.role})
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return member


@transaction.atomic
def project_invitation_revoke(*, invitation: ProjectInvitation, actor: User) -> None:
    """Revoke an open project invitation (PI and managers); its link stops working."""
    require_project_lead(project=invitation.project, user=actor)
    ProjectInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now())


@transaction.atomic
def project_member_remove(*, member: ProjectMember, actor: User) -> None:
    """Remove a person from a project (PI and managers; anyone may leave). The PI stays."""
    if member.role == Role.PI:
        raise ValidationError(_("The PI cannot be removed. Make someone else PI first."))
    if member.user_id != actor.pk:
        require_project_lead(project=member.project, user=actor)
    member.delete()


@transaction.atomic
def project_member_set_role(*, member: ProjectMember, role: str, actor: User) -> ProjectMember:
    """Change a person's role (PI and managers; not in a closed project). Making someone
    PI is the PI's act: the former PI becomes a manager."""
    project = Project.objects.select_for_update().get(pk=member.project_id)
    require_project_lead(project=project, user=actor)
    _require_open(project)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    member = ProjectMember.objects.select_for_update().get(pk=member.pk)
    if member.role == Role.PI and role != Role.PI:
        raise ValidationError(_("Make someone else PI first."))
    if role == Role.PI and member.role != Role.PI:
        if project_role(project=project, user=actor) != Role.PI:
            raise PermissionDenied(_("Only the PI may hand over the role of PI."))
        ProjectMember.objects.filter(project=project, role=Role.PI).update(role=Role.MANAGER)
    member.role = role
    member.save(update_fields=["role"])
    return member


def project_members_remove_for_deleted_user(user: User) -> None:
    """``user`` deleted their account: they leave the projects where they are not PI (the
    PI of a draft or closed project stays, as its history). A deletion hook
    (``algoric.core.registries``), run inside the deletion's transaction."""
    ProjectMember.objects.filter(user=user).exclude(role=ProjectMember.Role.PI).delete()
