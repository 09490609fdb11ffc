"""The certificate of attendance: a one-page PDF in the attendee's language."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Registration
from .pdf import pdf_from_html

TEMPLATE = "training/certificate_pdf.html"


def certificate_html(*, registration: Registration, language: str | None = None) -> str:
    """The certificate's HTML in ``language`` (default: the attendee's ``language``;
    French when neither is one of ``settings.LANGUAGES``). User text is escaped by the
    template. Raises ``ValidationError`` unless a trainer marked the person present."""
    if registration.attended is not True:
        raise ValidationError(_("A certificate is given once a trainer has marked you "
                                "present."))
    codes = {code for code, _name in settings.LANGUAGES}
    language = next((code for code in (language, registration.user.language)
                     if code in codes), settings.LANGUAGE_CODE)
    session = registration.session
    with translation.override(language):
        return render_to_string(TEMPLATE, {
            "registration": registration, "session": session, "course": session.course,
            "person": registration.user.get_full_name() or registration.user.email,
            "trainers": [trainer.get_full_name() or trainer.email
                         for trainer in session.trainers.all()],
            "starts": timezone.localtime(session.starts_at),
            "ends": timezone.localtime(session.ends_at),
            "language": language,
        })


def certificate_pdf(*, registration: Registration, language: str | None = None) -> bytes:
    """The certificate of attendance as PDF bytes (see :func:`certificate_html`)."""
    return pdf_from_html(certificate_html(registration=registration, language=language))
