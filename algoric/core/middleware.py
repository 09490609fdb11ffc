"""Project-wide middleware: request ids, private caching and the staff MFA rule."""

import logging
import re
import uuid

from django.forms import BaseForm
from django.utils.cache import add_never_cache_headers, patch_cache_control

from .request_id import client_ip, client_ip_var, request_id_var
from .staff import needs_mfa_enrolment, send_to_mfa_enrolment

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")

security_log = logging.getLogger("algoric.security")


class RequestIdMiddleware:
    """Give each request an id, echoed in ``X-Request-ID`` and used in logs and error pages.

    An incoming ``X-Request-ID`` from a proxy is kept when it is a plain token of
    8 to 64 letters, digits or dashes; anything else is replaced by a new UUID4.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        ip_token = client_ip_var.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            client_ip_var.reset(ip_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class PrivateNoStoreMiddleware:
    """Mark every response to a signed-in user ``Cache-Control: no-store, private``.

    Pages that show personal data must never be kept by a shared or browser cache.
    Responses that set their own ``Cache-Control`` are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header(
            "Cache-Control"
        ):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


# Path prefixes of staff pages, in both languages.
STAFF_PREFIXES = ("/admin/", "/staff/", "/en/admin/", "/en/staff/")


class StaffMfaRequiredMiddleware:
    """Send a staff member who has not enrolled TOTP to the enrolment page.

    Applies to every staff page (the Django admin and the portal's ``/staff/``
    pages, in both languages). Views that are staff-only also check this through
    ``algoric.core.staff.staff_required``; this middleware covers the admin.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.path.startswith(STAFF_PREFIXES)
                and needs_mfa_enrolment(getattr(request, "user", None), request=request)):
            return send_to_mfa_enrolment(request)
        return self.get_response(request)


class FormErrorStatusMiddleware:
    """Answer 400 when a POST re-renders a form with errors (allauth's sign-up, login, …).

    Views built on Django's ``FormView`` re-render an invalid form with status 200;
    the portal answers bad input with a 4xx (RELIABILITY.md). Applies to template
    responses whose context holds a bound form with errors.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        if request.method == "POST" and response.status_code == 200:
            context = response.context_data or {}
            if any(isinstance(value, BaseForm) and value.is_bound and value.errors
                   for value in context.values()):
                response.status_code = 400
        return response
