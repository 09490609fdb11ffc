"""How views show a service's refusal or a form's errors to people (every app).

A service refuses with a ``ValidationError`` (a :class:`~algoric.core.workflow.TransitionError`
when the status changed meanwhile); a view either puts it on its form
(:func:`add_service_errors`), queues its messages for the next page (:func:`show_errors`),
or, on a staff decision, says that nothing was changed and why (:func:`refused`), answering
:func:`error_status`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.utils.translation import gettext as _

from .workflow import TransitionError


def error_messages(exc: ValidationError) -> list[str]:
    """The messages of a ``ValidationError`` as a flat list (field names dropped)."""
    return [str(message) for message in exc.messages]


def form_error_texts(form: BaseForm) -> list[str]:
    """A bound form's errors as texts: the form-wide ones first, then each field's, after
    the field's label when it has one."""
    texts = [str(text) for text in form.non_field_errors()]
    for name, field_errors in form.errors.items():
        if name == "__all__":
            continue
        field = form.fields.get(name)
        for text in field_errors:
            texts.append(_("%(field)s: %(error)s") % {"field": field.label, "error": text}
                         if field is not None and field.label else str(text))
    return texts


def error_texts(errors: ValidationError | BaseForm | list[str]) -> list[str]:
    """The texts of a ``ValidationError``, of a bound form's errors, or a list of texts."""
    if isinstance(errors, ValidationError):
        return error_messages(errors)
    if isinstance(errors, BaseForm):
        return form_error_texts(errors)
    return [str(text) for text in errors]


def error_text(errors: ValidationError | BaseForm | list[str]) -> str:
    """:func:`error_texts` as one sentence after the other."""
    return " ".join(error_texts(errors))


def error_status(exc: ValidationError) -> int:
    """409 for a refused transition (the status changed meanwhile), 400 for bad input."""
    return 409 if isinstance(exc, TransitionError) else 400


def show_errors(request, exc: ValidationError) -> None:
    """Queue each message of ``exc`` as an error message for the next page."""
    for message in error_messages(exc):
        messages.error(request, message)


def refused(request, errors: ValidationError | BaseForm | list[str]) -> None:
    """Queue the error message "Nothing was changed: <the reasons>" for the next page
    (a staff decision that a service or a form refused)."""
    messages.error(request, _("Nothing was changed: %(reasons)s")
                   % {"reasons": error_text(errors)})


def add_service_errors(form: BaseForm, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: a dict goes field by field
    (unknown fields become form-wide errors), anything else is form-wide."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
