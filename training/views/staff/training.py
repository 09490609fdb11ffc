"""Staff: the training page (courses, sessions, events, trainers), the trainer role and
the sessions' course accounts. Courses, sessions and events are written on the pages of
:mod:`training.views.staff.courses`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from algoric.core.feedback import refused
from algoric.core.staff import staff_required
from members.models import User

from ...forms import CourseAccountForm, TrainerGrantForm
from ...models import Course, Event, Session, Trainer
from ...services.courses import session_course_account_open, trainer_grant, trainer_revoke


@staff_required
@require_http_methods(["GET", "POST"])
def staff_training(request):
    """Courses, sessions with their course accounts, events, and trainers (grant by
    address)."""
    form = TrainerGrantForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            trainer_grant(user=form.cleaned_data["email"], actor=request.user)
            messages.success(request, _("%(person)s is a trainer.")
                             % {"person": form.cleaned_data["email"].display_name})
            return redirect("training:staff_training")
        refused(request, form)
    return render(request, "training/staff/training.html", {
        "form": form, "account_form": CourseAccountForm(),
        "trainers": Trainer.objects.select_related("user").order_by("user__email"),
        "sessions": Session.objects.select_related("course", "project").order_by(
            "-starts_at")[:100],
        "courses": Course.objects.order_by("title"),
        "events": Event.objects.order_by("-starts_at")[:100]})


@staff_required
@require_POST
def staff_trainer_revoke(request, pk: int):
    """Take the trainer role from a person."""
    user = get_object_or_404(User, pk=pk)
    trainer_revoke(user=user, actor=request.user)
    messages.success(request, _("%(person)s is no longer a trainer.")
                     % {"person": user.display_name})
    return redirect("training:staff_training")


@staff_required
@require_POST
def staff_course_account(request, pk: int):
    """Open (or resize) a session's course account: training project and allocation."""
    session = get_object_or_404(Session, pk=pk)
    form = CourseAccountForm(request.POST)
    if not form.is_valid():
        refused(request, form)
        return redirect("training:staff_training")
    try:
        project = session_course_account_open(
            session=session, organisation=form.cleaned_data["organisation"],
            resource=form.cleaned_data["resource"], actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Course account %(account)s ready.")
                         % {"account": project.slurm_account})
    return redirect("training:staff_training")
