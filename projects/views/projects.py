"""Member pages of projects (fiches projet): list, create, edit, detail, people,
invitations, closing. The public pages of projects are in :mod:`.public`.

Every member view reads the project through :func:`projects.selectors.projects.project_for_user`
(404 for a project the user is not in) and changes it through one service. Actions
reserved to the PI and managers raise ``PermissionDenied`` (403); a service's
``ValidationError`` becomes a message or a form error, never a 500.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from algoric.core.feedback import add_service_errors, form_error_texts, show_errors
from algoric.core.staff import is_verified_staff
from members.selectors import organisation_list_for_user
from members.selectors.invitations import invitation_address_matches
from members.services import organisation_access_status

from ..forms.projects import (
    PROJECT_FORM_FIELDS,
    ProjectCloseForm,
    ProjectForm,
    ProjectMemberAddForm,
    ProjectMemberRoleForm,
    request_kind_choices,
)
from ..models import Allocation, Project, ProjectInvitation, ProjectMember, ResourceRequest
from ..outputs.views.project import outputs_section
from ..selectors.projects import (
    allocation_table,
    project_for_user,
    project_list_for_user,
    project_member_list,
    project_role,
    require_project_lead,
)
from ..services import projects as services

Role = ProjectMember.Role
LEAD_ROLES = {Role.PI, Role.MANAGER}

#: Bootstrap badge classes of allocation and request statuses.
ALLOCATION_BADGES = {
    Allocation.Status.ACTIVE: "text-bg-success",
    Allocation.Status.SUSPENDED: "text-bg-warning",
    Allocation.Status.EXPIRED: "text-bg-secondary",
}
REQUEST_BADGES = {
    ResourceRequest.Status.DRAFT: "text-bg-light border",
    ResourceRequest.Status.SUBMITTED: "text-bg-warning",
    ResourceRequest.Status.UNDER_REVIEW: "text-bg-warning",
    ResourceRequest.Status.CHANGES_REQUESTED: "text-bg-primary",
    ResourceRequest.Status.APPROVED: "text-bg-success",
    ResourceRequest.Status.PARTIALLY_APPROVED: "text-bg-info",
    ResourceRequest.Status.REJECTED: "text-bg-danger",
    ResourceRequest.Status.WITHDRAWN: "text-bg-secondary",
}
PROJECT_BADGES = {
    Project.Status.DRAFT: "text-bg-light border",
    Project.Status.ACTIVE: "text-bg-success",
    Project.Status.CLOSED: "text-bg-secondary",
}


def _detail_url(project: Project, anchor: str = "") -> str:
    url = reverse("projects:project_detail", args=[project.pk])
    return f"{url}#{anchor}" if anchor else url


def _form_errors_to_messages(request, form) -> None:
    for text in form_error_texts(form):
        messages.error(request, text)


def _role_label(role: str | None) -> str:
    return str(Role(role).label) if role else ""


# --- List, create, edit ------------------------------------------------------------------

@login_required
@require_GET
def project_list(request):
    """The signed-in person's projects with their role, and where they may start one."""
    projects = list(project_list_for_user(user=request.user))
    rows = [{"project": project, "role_label": _role_label(project.my_role),
             "badge": PROJECT_BADGES.get(project.status, "text-bg-light")}
            for project in projects]
    organisations = list(organisation_list_for_user(user=request.user))
    return render(request, "projects/project_list.html",
                  {"rows": rows, "organisations": organisations})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    """Create a project of one of the person's organisations (``?organisation=<pk>``).

    The person becomes its PI. Without the parameter, the person chooses among their
    organisations (or is taken straight on with their only one). Another
    organisation's pk answers 404.
    """
    organisations = organisation_list_for_user(user=request.user)
    raw = request.GET.get("organisation")
    if raw is None:
        choices = list(organisations)
        if len(choices) != 1:
            return render(request, "projects/project_form.html",
                          {"form": None, "project": None, "organisation": None,
                           "organisations": choices})
        organisation = choices[0]
    else:
        if not raw.isdigit():
            raise Http404
        organisation = organisations.filter(pk=int(raw)).first()
        if organisation is None:
            raise Http404
    proposed = None
    if request.method == "POST" and request.POST.get("acronym", "").strip():
        proposed = services.slurm_account_propose(acronym=request.POST["acronym"].strip())
    form = ProjectForm(request.POST if request.method == "POST" else None, creating=True,
                       proposed_account=proposed)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(organisation=organisation,
                                              data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Project %(acronym)s has been created: you are its PI. "
                                        "Add its people, then request resources.")
                             % {"acronym": project.acronym})
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/project_form.html",
                  {"form": form, "project": None, "organisation": organisation,
                   "organisations": []})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    """Edit the project sheet (PI and managers, or staff). The Slurm account is read-only
    once an allocation exists."""
    project = project_for_user(user=request.user, pk=pk)
    if not is_verified_staff(request.user):
        require_project_lead(project=project, user=request.user)
    locked = project.allocations.exists()
    initial = {field: getattr(project, field) for field in PROJECT_FORM_FIELDS}
    form = ProjectForm(request.POST if request.method == "POST" else None, initial=initial,
                       slurm_account_locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=project, data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The project sheet has been saved."))
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/project_form.html",
                  {"form": form, "project": project, "organisation": project.organisation,
                   "organisations": []})


# --- Detail ------------------------------------------------------------------------------

def _allocation_rows(project: Project) -> dict:
    """The allocation table laid out for the template: cells as a list in year order."""
    table = allocation_table(project=project)
    rows = []
    for row in table["rows"]:
        cells = []
        for year in table["years"]:
            allocation = row["cells"].get(year)
            cells.append({"year": year, "allocation": allocation,
                          "badge": ALLOCATION_BADGES.get(allocation.status, "")
                          if allocation else ""})
        rows.append({"resource": row["resource"], "cells": cells, "total": row["total"]})
    return {"years": table["years"], "rows": rows}


@login_required
@require_GET
def project_detail(request, pk: int):
    """The project page: its sheet, its organisation's access to the centre, its people
    and invitations, its allocations (resource × year), its resource requests and its
    research outputs."""
    project = project_for_user(user=request.user, pk=pk)
    my_role = project_role(project=project, user=request.user)
    is_lead = my_role in LEAD_ROLES
    is_pi = my_role == Role.PI
    is_open = project.status != Project.Status.CLOSED
    members = list(project_member_list(project=project))
    invitations = list(project.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by"))
    requests = list(project.requests.order_by("-created_at"))
    for resource_request in requests:
        resource_request.badge = REQUEST_BADGES.get(resource_request.status, "text-bg-light")
    # The PI may hand over the role of PI; managers choose between manager and member.
    role_choices = Role.choices if is_pi else [(Role.MANAGER, Role.MANAGER.label),
                                               (Role.MEMBER, Role.MEMBER.label)]
    context = {
        "project": project,
        "project_badge": PROJECT_BADGES.get(project.status, "text-bg-light"),
        "my_role": my_role,
        "my_role_label": _role_label(my_role),
        "is_lead": is_lead,
        "is_pi": is_pi,
        "is_open": is_open,
        "can_edit": is_lead or is_verified_staff(request.user),
        "can_close": is_open and (is_pi or is_verified_staff(request.user)),
        "access": organisation_access_status(organisation=project.organisation),
        "members": members,
        "role_choices": role_choices,
        "invitations": invitations,
        "member_form": ProjectMemberAddForm(auto_id="id_member_%s") if is_lead and is_open
        else None,
        "invitation_valid_days": settings.INVITATION_VALID_DAYS,
        "allocations": _allocation_rows(project),
        "requests": requests,
        "request_kinds": request_kind_choices(project) if is_lead and is_open else [],
        "close_form": ProjectCloseForm(auto_id="id_close_%s"),
        **outputs_section(project=project, user=request.user, role=my_role),
    }
    return render(request, "projects/project_detail.html", context)


@login_required
@require_POST
def project_close(request, pk: int):
    """Close the project (its PI, or staff), once the confirmation box is ticked."""
    project = project_for_user(user=request.user, pk=pk)
    is_pi = project_role(project=project, user=request.user) == Role.PI
    if not (is_pi or is_verified_staff(request.user)):
        raise PermissionDenied(_("Only the PI may close the project."))
    if project.status == Project.Status.CLOSED:
        messages.info(request, _("The project is already closed."))
        return redirect("projects:project_detail", pk=project.pk)
    form = ProjectCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that you want to close the "
                                  "project."))
        return redirect(_detail_url(project, "close"))
    try:
        services.project_close(project=project, actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Project %(acronym)s is closed.")
                         % {"acronym": project.acronym})
    return redirect("projects:project_detail", pk=project.pk)


# --- People ------------------------------------------------------------------------------

@login_required
@require_POST
def project_member_add(request, pk: int):
    """Add a person by email (PI and managers): at once if they have an account,
    otherwise by an invitation email."""
    project = project_for_user(user=request.user, pk=pk)
    require_project_lead(project=project, user=request.user)
    form = ProjectMemberAddForm(request.POST)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect(_detail_url(project, "people"))
    try:
        result = services.project_member_add(
            project=project, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
            actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        if isinstance(result, ProjectInvitation):
            messages.success(request, _("%(email)s has no account yet: an invitation has been "
                                        "sent to this address.") % {"email": result.email})
        else:
            messages.success(request, _("%(person)s has been added to the project as "
                                        "%(role)s.")
                             % {"person": result.user.display_name,
                                "role": result.get_role_display()})
    return redirect(_detail_url(project, "people"))


@login_required
@require_POST
def project_member_role(request, pk: int, member_pk: int):
    """Change a person's role (PI and managers; only the PI hands over the role of PI)."""
    project = project_for_user(user=request.user, pk=pk)
    require_project_lead(project=project, user=request.user)
    member = get_object_or_404(project.members.select_related("user"), pk=member_pk)
    form = ProjectMemberRoleForm(request.POST)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect(_detail_url(project, "people"))
    try:
        member = services.project_member_set_role(
            member=member, role=form.cleaned_data["role"], actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("%(person)s is now %(role)s.")
                         % {"person": member.user.display_name,
                            "role": member.get_role_display()})
    return redirect(_detail_url(project, "people"))


@login_required
@require_POST
def project_member_remove(request, pk: int, member_pk: int):
    """Remove a person (PI and managers), or leave the project (anyone but the PI)."""
    project = project_for_user(user=request.user, pk=pk)
    member = get_object_or_404(project.members.select_related("user"), pk=member_pk)
    try:
        services.project_member_remove(member=member, actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(_detail_url(project, "people"))
    if member.user_id == request.user.pk:
        messages.success(request, _("You have left project %(acronym)s.")
                         % {"acronym": project.acronym})
        return redirect("projects:project_list")
    messages.success(request, _("%(person)s has been removed from the project.")
                     % {"person": member.user.display_name})
    return redirect(_detail_url(project, "people"))


# --- Invitations -------------------------------------------------------------------------

@login_required
@require_POST
def project_invitation_revoke(request, pk: int, invitation_pk: int):
    """Revoke an open invitation of the project (PI and managers)."""
    project = project_for_user(user=request.user, pk=pk)
    invitation = get_object_or_404(project.invitations, pk=invitation_pk)
    services.project_invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("The invitation to %(email)s is revoked.")
                     % {"email": invitation.email})
    return redirect(_detail_url(project, "people"))


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Show a project invitation (GET) and accept it as the signed-in person (POST).

    Anonymous visitors are sent to the login page with ``next=`` back here, with a
    message telling those without an account to sign up first (with the invited
    address). A forged, expired, revoked or used link answers 400 with the reason;
    so does accepting while signed in with another address than the invited one.
    """
    if not request.user.is_authenticated:
        messages.info(request, _("Sign in to accept the invitation. No account yet? Sign up "
                                 "with the address the invitation was sent to, confirm it, "
                                 "then follow the invitation link again."))
        return redirect_to_login(request.get_full_path())
    try:
        invitation = services.project_invitation_from_token(token)
    except ValidationError as exc:
        return render(request, "projects/invitation_accept.html",
                      {"invitation": None, "errors": exc.messages}, status=400)
    if request.method == "POST":
        try:
            member = services.project_invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            return render(request, "projects/invitation_accept.html",
                          {"invitation": invitation, "errors": exc.messages,
                           "address_matches": False}, status=400)
        messages.success(request, _("You have joined project %(acronym)s as %(role)s.")
                         % {"acronym": invitation.project.acronym,
                            "role": member.get_role_display()})
        return redirect("projects:project_detail", pk=invitation.project_id)
    address_matches = invitation_address_matches(invitation=invitation, user=request.user)
    return render(request, "projects/invitation_accept.html",
                  {"invitation": invitation, "errors": [], "address_matches": address_matches})
