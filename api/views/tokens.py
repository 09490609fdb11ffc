"""The token section of the profile page: create a token (shown once), list them with
their last use, revoke one. Pages for people (sessions, CSRF), not API endpoints."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from algoric.core.feedback import error_text, form_error_texts

from ..forms import TokenCreateForm
from ..selectors.tokens import token_for_user, tokens_of
from ..services.tokens import token_revoke, tokens_create

#: Session key holding a new token until the profile page shows it (once).
NEW_TOKEN_SESSION_KEY = "api_new_token"  # noqa: S105  (a session key name)


def profile_section_context(request) -> dict:
    """The context of ``templates/api/profile_tokens.html``: the member's tokens, the
    creation form, and the token just created (taken out of the session: shown once)."""
    return {"tokens": tokens_of(user=request.user),
            "form": TokenCreateForm(user=request.user),
            "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None)}


def _back():
    return redirect(reverse("members:profile") + "#api-tokens")


@login_required
@require_POST
def token_create(request):
    """Create a token from the profile page's form; the token is shown once on the page."""
    form = TokenCreateForm(request.POST, user=request.user)
    if not form.is_valid():
        for text in form_error_texts(form):
            messages.error(request, text)
        return _back()
    try:
        token, secret = tokens_create(user=request.user, name=form.cleaned_data["name"],
                                      scopes=form.cleaned_data["scopes"],
                                      expires_days=form.cleaned_data["expires_days"],
                                      actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return _back()
    request.session[NEW_TOKEN_SESSION_KEY] = {"name": token.name, "secret": secret}
    messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    return _back()


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    """Revoke one of the member's tokens (404 for another member's)."""
    token = token_for_user(user=request.user, pk=pk)
    token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return _back()
