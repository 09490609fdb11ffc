"""allauth adapter: allauth's own emails go through the notification outbox."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.utils import translation

from algoric.core.ratelimit import RateLimited
from algoric.notifications.services import notification_create

from .models import User

#: allauth messages that carry a secret link or code: sent, never listed in the inbox.
SECRET_BEARING = (
    "email_confirmation",
    "password_reset",
    "login_code",
    "unknown_account",
    "account_already_exists",
)

#: Every message allauth sends (its template names without their folder: the event of the
#: stored notification). All are security messages, always sent at once (``apps.py``).
ALLAUTH_EVENTS = (
    "account_already_exists", "email_changed", "email_confirm", "email_confirmation",
    "email_confirmation_signup", "email_deleted", "login_code", "password_changed",
    "password_reset", "password_reset_code", "password_reset_key", "password_set",
    "unknown_account",
    "recovery_codes_generated", "totp_activated", "totp_deactivated", "webauthn_added",
    "webauthn_removed",
)


class AccountAdapter(DefaultAccountAdapter):
    """Store every allauth email as a :class:`~algoric.notifications.models.Notification`.

    The message is rendered as allauth would (same templates and context), then
    stored and sent by a worker like every other notification, so sign-up and
    password reset never wait on SMTP or the broker.
    """

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render ``template_prefix`` for ``email`` and put it in the outbox."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", [])
             if mimetype == "text/html"),
            "",
        )
        event = template_prefix.rsplit("/", 1)[-1]
        recipient = User.objects.filter(email__iexact=email).first()
        notification_create(
            email=email,
            event=event,
            subject=message.subject,
            body=message.body,
            body_html=html,
            recipient=recipient,
            language=translation.get_language(),
            in_inbox=not event.startswith(SECRET_BEARING),
        )

    def pre_authenticate(self, request, **credentials) -> None:
        """Count a login attempt; past the failed-login limit, answer 429 (not a form error)."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "too_many_login_attempts":
                raise RateLimited from exc
            raise
