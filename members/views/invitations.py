"""The page behind an invitation link: see the organisation and the role, then accept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..selectors import invitation_address_matches
from ..services import invitation_accept as invitation_accept_service
from ..services.organisations import invitation_from_token


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Show an invitation (GET) and accept it as the signed-in person (POST).

    Anonymous visitors are sent to the login page with ``next=`` back here, with a
    message telling those without an account to sign up first (with the invited
    address) and follow the link again. A forged, expired, revoked or used link
    answers 400 with the reason; so does accepting while signed in with another
    address than the invited one.
    """
    if not request.user.is_authenticated:
        messages.info(request, _("Sign in to accept the invitation. No account yet? Sign up "
                                 "with the address the invitation was sent to, confirm it, "
                                 "then follow the invitation link again."))
        return redirect_to_login(request.get_full_path())
    try:
        invitation = invitation_from_token(token)
    except ValidationError as exc:
        return render(request, "members/invitation_accept.html",
                      {"invitation": None, "errors": exc.messages}, status=400)
    if request.method == "POST":
        try:
            member = invitation_accept_service(token=token, user=request.user)
        except ValidationError as exc:
            return render(request, "members/invitation_accept.html",
                          {"invitation": invitation, "errors": exc.messages,
                           "address_matches": False}, status=400)
        messages.success(request, _("You have joined %(name)s as %(role)s.")
                         % {"name": member.organisation.name, "role": member.get_role_display()})
        return redirect("members:organisation_detail", pk=member.organisation_id)
    address_matches = invitation_address_matches(invitation=invitation, user=request.user)
    return render(request, "members/invitation_accept.html",
                  {"invitation": invitation, "errors": [], "address_matches": address_matches})
