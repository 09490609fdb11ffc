"""One shape for every error of the API::

    {"error": {"code": "invalid", "message": "…", "fields": {"name": ["…"]}}}

``code`` is stable (``invalid``, ``conflict``, ``not_authenticated``,
``authentication_failed``, ``permission_denied``, ``not_found``, ``method_not_allowed``,
``throttled``, ``parse_error``, …); ``message`` is for people (translated); ``fields``
maps a field name to its errors (the forms' own messages; ``{}`` when none).
A service's ``ValidationError`` answers 400, a refused transition (the status moved on)
409, as on the pages (``algoric.core.feedback.error_status``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms import BaseForm
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from algoric.core.feedback import error_messages, error_status, form_error_texts


class ApiError(exceptions.APIException):
    """An error with the API's shape: ``status_code``, ``code``, ``message``, ``fields``."""

    def __init__(self, *, message: str, code: str = "invalid", fields: dict | None = None,
                 status_code: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.fields = fields or {}


def form_error(form: BaseForm) -> ApiError:
    """The 400 error of a bound, invalid Django form: its errors field by field (the
    form-wide ones under ``__all__``) and all of them in one sentence."""
    fields = {name: [str(text) for text in texts] for name, texts in form.errors.items()}
    return ApiError(message=" ".join(form_error_texts(form)) or _("Invalid input."),
                    fields=fields)


def service_error(exc: DjangoValidationError) -> ApiError:
    """The error of a service's ``ValidationError``: 409 ``conflict`` for a refused
    transition, else 400 ``invalid``; a dict of errors goes field by field."""
    fields = {}
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for m in DjangoValidationError(errors).messages]
                  for name, errors in exc.error_dict.items()}
    code = "conflict" if error_status(exc) == 409 else "invalid"
    return ApiError(message=" ".join(error_messages(exc)), code=code, fields=fields,
                    status_code=error_status(exc))


def _texts(value) -> list[str]:
    """The texts of a field's errors; a nested field's (``{"sme": ["…"]}`` of a
    dictionary, ``{0: ["…"]}`` of a list) after its key: ``"sme: …"``."""
    if isinstance(value, dict):
        return [f"{name}: {text}" for name, inner in value.items() for text in _texts(inner)]
    if isinstance(value, list):
        return [text for inner in value for text in _texts(inner)]
    return [str(value)]


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {name: _texts(value) for name, value in detail.items()}
    return {}


def _message(detail) -> str:
    if isinstance(detail, dict):
        return " ".join(f"{name}: {_message(value)}"
                        for name, value in detail.items())
    if isinstance(detail, list):
        return " ".join(str(value) for value in detail)
    return str(detail)


def exception_handler(exc, context):
    """DRF's exception handler, answering every error in the shape above."""
    if isinstance(exc, DjangoValidationError):
        exc = service_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if str(exc) else None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        body = {"code": exc.code, "message": exc.message, "fields": exc.fields}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else (
            "invalid" if isinstance(exc, exceptions.ValidationError) else "error")
        body = {"code": code, "message": _message(exc.detail), "fields": _fields(exc.detail)}
    return Response({"error": body}, status=response.status_code, headers={
        name: value for name, value in response.items()
        if name in {"WWW-Authenticate", "Retry-After", "Allow"}})
