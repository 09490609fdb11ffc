"""A person's training registrations in their personal-data export."""

from __future__ import annotations

from django.utils import timezone

from ..models import Registration


def registrations_of_user(user) -> list[dict]:
    """``[{"course", "starts_at", "status", "attended", "feedback_rating"}]`` of ``user``."""
    return [{"course": registration.session.course.title,
             "starts_at": timezone.localtime(registration.session.starts_at).isoformat(),
             "status": registration.status, "attended": registration.attended,
             "feedback_rating": getattr(getattr(registration, "feedback", None), "rating",
                                        None)}
            for registration in Registration.objects.filter(user=user).select_related(
                "session__course", "feedback")]
