"""The member's "My data" page: download everything as JSON, delete the account."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record

from ..forms.accounts import AccountDeleteForm
from ..selectors.personal_data import deletion_blockers, personal_data_export
from ..services import user_delete_account


@login_required
@require_GET
def personal_data(request):
    """The "My data" page: what is kept and why, the download, the deletion."""
    return render(request, "members/personal_data.html", {
        "blockers": deletion_blockers(user=request.user),
    })


@login_required
@require_GET
def personal_data_download(request):
    """Everything the portal holds about the signed-in member, as a JSON attachment.

    Recorded in the audit trail (``personal_data.exported``).
    """
    data = personal_data_export(user=request.user)
    audit_record(action="personal_data.exported", category=AuditEvent.Category.SECURITY,
                 actor=request.user, request=request,
                 detail={"sections": sorted(k for k in data if k not in ("format",
                                                                        "exported_at"))})
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"algoric-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Delete the signed-in member's account (POST asks to re-authenticate first).

    Refused with the reasons (only representative of an organisation, PI of an active
    project) and what to do; otherwise the account is anonymised, the member is logged
    out and sent to the home page.
    """
    blockers = deletion_blockers(user=request.user)
    form = AccountDeleteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if blockers:
            status = 409
        elif form.is_valid():
            try:
                user_delete_account(user=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                blockers = exc.messages
                status = 409
            else:
                logout(request)
                messages.success(request, _("Your account has been deleted. What the "
                                            "association must keep is kept anonymised, as "
                                            "the privacy page explains. Goodbye!"))
                return redirect("pages:home")
        else:
            status = 400
    return render(request, "members/account_delete.html",
                  {"form": form, "blockers": blockers}, status=status)
