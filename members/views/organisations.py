"""Member pages of organisations: list, create, edit, detail, people, invitations,
memberships and the start of an agreement.

Every view reads the organisation through :func:`members.selectors.organisation_for_user`
(404 for an organisation the user is not in) and changes it through one service. Actions
only representatives may take raise ``PermissionDenied`` in the services (403).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from algoric.core.feedback import add_service_errors, form_error_texts, show_errors
from algoric.core.staff import is_verified_staff

from ..forms.organisations import (
    InvitationForm,
    MemberRoleForm,
    MembershipOpenForm,
    OrganisationForm,
)
from ..models import Agreement, OrganisationMember
from ..selectors import (
    fee_for,
    membership_history,
    organisation_for_user,
    organisation_list_for_user,
    organisation_members,
    organisation_open_invitations,
    require_representative,
    role_of,
)
from ..services import (
    agreement_create,
    invitation_create,
    invitation_revoke,
    membership_open,
    organisation_access_status,
    organisation_access_statuses,
    organisation_create,
    organisation_member_remove,
    organisation_member_set_role,
    organisation_update,
)
from ..services.agreements import IN_PROGRESS

Role = OrganisationMember.Role

#: From this month on, representatives are offered to join for the next year as well.
JOIN_NEXT_YEAR_FROM_MONTH = 10


def _form_errors_to_messages(request, form) -> None:
    for text in form_error_texts(form):
        messages.error(request, text)


@login_required
@require_GET
def organisation_list(request):
    """The signed-in person's organisations, with their role and each one's access status."""
    organisations = list(organisation_list_for_user(user=request.user))
    statuses = organisation_access_statuses(organisations=organisations)
    rows = [{
        "organisation": organisation,
        "role_label": Role(organisation.my_role).label if organisation.my_role else "",
        "access": statuses[organisation.pk],
    } for organisation in organisations]
    return render(request, "members/organisation_list.html", {"rows": rows})


@login_required
def organisation_create_view(request):
    """Create an organisation; the person who creates it becomes its representative."""
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation has been created. You are its "
                                        "representative."))
            return redirect("members:organisation_detail", pk=organisation.pk)
    return render(request, "members/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request, pk: int):
    """Edit an organisation's details (its representatives, or staff)."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    if not is_verified_staff(request.user):
        require_representative(organisation=organisation, user=request.user)
    initial = model_to_dict(organisation, fields=OrganisationForm._meta.fields)
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(organisation=organisation, data=form.cleaned_data,
                                actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation's details have been saved."))
            return redirect("members:organisation_detail", pk=organisation.pk)
    return render(request, "members/organisation_form.html",
                  {"form": form, "organisation": organisation})


def _years_to_join(organisation, memberships) -> list[dict]:
    """The years a representative may open a membership for, with the fee when set."""
    this_year = timezone.localdate().year
    candidates = [this_year]
    if timezone.localdate().month >= JOIN_NEXT_YEAR_FROM_MONTH:
        candidates.append(this_year + 1)
    existing = {membership.year for membership in memberships}
    years = []
    for year in candidates:
        if year not in existing:
            fee = fee_for(kind=organisation.kind, year=year)
            years.append({"year": year, "fee": fee.amount if fee else None})
    return years


@login_required
@require_GET
def organisation_detail(request, pk: int):
    """An organisation's page: details, access status, people, invitations, memberships
    and agreements, with the representatives' actions."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    my_role = role_of(organisation=organisation, user=request.user)
    is_representative = my_role == Role.REPRESENTATIVE
    memberships = list(membership_history(organisation=organisation))
    agreements = list(organisation.agreements.select_related("terms").order_by("-created_at"))
    members = organisation_members(organisation=organisation)
    context = {
        "organisation": organisation,
        "my_role": my_role,
        "my_role_label": Role(my_role).label if my_role else "",
        "is_representative": is_representative,
        "can_edit": is_representative or is_verified_staff(request.user),
        "access": organisation_access_status(organisation=organisation),
        "members": members,
        "representative_count": sum(1 for m in members if m.role == Role.REPRESENTATIVE),
        "role_choices": Role.choices,
        "invitations": organisation_open_invitations(organisation=organisation),
        "invitation_form": InvitationForm(auto_id="id_invite_%s") if is_representative else None,
        "invitation_valid_days": settings.INVITATION_VALID_DAYS,
        "memberships": memberships,
        "years_to_join": _years_to_join(organisation, memberships) if is_representative else [],
        "agreements": agreements,
        "can_start_agreement": is_representative and not any(
            agreement.status in IN_PROGRESS | {Agreement.Status.ACTIVE}
            for agreement in agreements),
    }
    return render(request, "members/organisation_detail.html", context)


@login_required
@require_POST
def organisation_invite(request, pk: int):
    """Invite a person by email (representatives); the service emails the link."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("members:organisation_detail", pk=organisation.pk)
    try:
        invitation = invitation_create(organisation=organisation,
                                       email=form.cleaned_data["email"],
                                       role=form.cleaned_data["role"], actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("An invitation has been sent to %(email)s.")
                         % {"email": invitation.email})
    return redirect("members:organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def organisation_invitation_revoke(request, pk: int, invitation_pk: int):
    """Revoke an open invitation (representatives); its link stops working."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    invitation = get_object_or_404(organisation.invitations, pk=invitation_pk)
    invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("The invitation to %(email)s has been revoked.")
                     % {"email": invitation.email})
    return redirect("members:organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def organisation_member_role(request, pk: int, member_pk: int):
    """Change a person's role (representatives); the last representative cannot step down."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    member = get_object_or_404(organisation.members.select_related("user"), pk=member_pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("members:organisation_detail", pk=organisation.pk)
    try:
        member = organisation_member_set_role(member=member, role=form.cleaned_data["role"],
                                              actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("%(person)s is now %(role)s.")
                         % {"person": member.user.display_name,
                            "role": member.get_role_display()})
    return redirect("members:organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def organisation_member_remove_view(request, pk: int, member_pk: int):
    """Remove a person from the organisation (representatives)."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    member = get_object_or_404(organisation.members.select_related("user"), pk=member_pk)
    try:
        organisation_member_remove(member=member, actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("members:organisation_detail", pk=organisation.pk)
    if member.user_id == request.user.pk:
        messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
        return redirect("members:organisation_list")
    messages.success(request, _("%(person)s has been removed from the organisation.")
                     % {"person": member.user.display_name})
    return redirect("members:organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def organisation_leave(request, pk: int):
    """Leave the organisation; the last representative must name another one first."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    member = get_object_or_404(organisation.members, user=request.user)
    try:
        organisation_member_remove(member=member, actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("members:organisation_detail", pk=organisation.pk)
    messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
    return redirect("members:organisation_list")


@login_required
@require_POST
def organisation_membership_open(request, pk: int):
    """Open the organisation's membership for a year (representatives: this year or next)."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    form = MembershipOpenForm(request.POST)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("members:organisation_detail", pk=organisation.pk)
    try:
        membership = membership_open(organisation=organisation, year=form.cleaned_data["year"],
                                     actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(
            request,
            _("The %(year)s membership is open: the fee is %(fee)s €. The association will "
              "tell you how to pay it.") % {"year": membership.year, "fee": membership.fee},
        )
    return redirect("members:organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def organisation_agreement_create(request, pk: int):
    """Start a draft agreement for the organisation (representatives)."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    try:
        agreement = agreement_create(organisation=organisation, actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("members:organisation_detail", pk=organisation.pk)
    messages.success(request, _("Draft agreement %(number)s has been started. Check who will "
                                "sign it, then submit it to the association.")
                     % {"number": agreement.number})
    return redirect("members:agreement_detail", pk=agreement.pk)

