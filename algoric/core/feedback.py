"""How views show a service's refusal or a form's errors to people (every app)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def error_messages(exc: ValidationError) -> list[str]:
    """The messages of a ``ValidationError`` as a flat list (field names dropped)."""
    return [str(message) for message in exc.messages]


def show_errors(request, exc: ValidationError) -> None:
    """Queue each message of ``exc`` as an error message for the next page."""
    for message in error_messages(exc):
        messages.error(request, message)


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: a dict goes field by field
    (unknown fields become form-wide errors), anything else is form-wide."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def form_error_texts(form) -> list[str]:
    """A bound form's errors as texts, each after its field's label when it has one."""
    texts = []
    for name, field_errors in form.errors.items():
        field = form.fields.get(name)
        for text in field_errors:
            texts.append(_("%(field)s: %(error)s") % {"field": field.label, "error": text}
                         if field is not None and field.label else str(text))
    return texts
