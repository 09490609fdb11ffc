"""The attendee's pages: my registrations, cancelling, feedback, the certificate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from algoric.core.feedback import add_service_errors, show_errors

from ..forms import FeedbackForm
from ..models import Feedback
from ..selectors.access import is_trainer, registration_for_user, registrations_of
from ..services.attendance import feedback_submit
from ..services.certificates import certificate_pdf
from ..services.registrations import registration_cancel


@login_required
@require_GET
def my_registrations(request):
    """The signed-in person's registrations, with what they can do on each."""
    return render(request, "training/my_registrations.html", {
        "registrations": registrations_of(user=request.user),
        "is_trainer": is_trainer(request.user)})


@login_required
@require_POST
def registration_cancel_view(request, pk: int):
    """Cancel one's registration (until the deadline)."""
    registration = registration_for_user(pk=pk, user=request.user)
    try:
        registration_cancel(registration=registration, actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("training:my_registrations")


@login_required
@require_GET
def registration_certificate(request, pk: int):
    """The certificate of attendance (PDF, in the person's language)."""
    registration = registration_for_user(pk=pk, user=request.user)
    try:
        pdf = certificate_pdf(registration=registration)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("training:my_registrations")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{registration.session.course.slug}-'
        f'{registration.pk}.pdf"')
    return response


@login_required
@require_http_methods(["GET", "POST"])
def registration_feedback(request, pk: int):
    """The feedback form after a session (once)."""
    registration = registration_for_user(pk=pk, user=request.user)
    if Feedback.objects.filter(registration=registration).exists():
        messages.info(request, _("You have already answered, thank you."))
        return redirect("training:my_registrations")
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_submit(registration=registration, data=form.cleaned_data,
                            actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you for your answers."))
            return redirect("training:my_registrations")
    return render(request, "training/feedback_form.html", {
        "registration": registration, "session": registration.session, "form": form})
