"""Routes of training: the public agenda and its iCalendar feed, registering, the
attendee's, the trainer's and the staff's pages (named ``staff_…``)."""

from django.urls import path

from .views import attendee, public, trainer
from .views.staff import courses as staff_courses
from .views.staff import training as staff

app_name = "training"

urlpatterns = [
    path("agenda/", public.agenda, name="agenda"),
    path("agenda.ics", public.agenda_ics, name="agenda_ics"),
    path("agenda/sessions/<int:pk>/", public.session_detail, name="session_detail"),
    path("agenda/sessions/<int:pk>/register/", public.session_register,
         name="session_register"),
    path("agenda/events/<int:pk>/", public.event_detail, name="event_detail"),
    path("training/", attendee.my_registrations, name="my_registrations"),
    path("training/registrations/<int:pk>/cancel/", attendee.registration_cancel_view,
         name="registration_cancel"),
    path("training/registrations/<int:pk>/certificate/", attendee.registration_certificate,
         name="registration_certificate"),
    path("training/registrations/<int:pk>/feedback/", attendee.registration_feedback,
         name="registration_feedback"),
    path("training/teach/", trainer.trainer_sessions, name="trainer_sessions"),
    path("training/teach/<int:pk>/", trainer.trainer_session, name="trainer_session"),
    path("training/teach/<int:pk>/edit/", trainer.trainer_session_edit,
         name="trainer_session_edit"),
    path("training/teach/courses/<int:pk>/new-session/", trainer.trainer_session_create,
         name="trainer_session_create"),
    path("training/teach/<int:pk>/attendance/", trainer.trainer_attendance,
         name="trainer_attendance"),
    path("training/teach/<int:pk>/course-logins/", trainer.trainer_course_logins,
         name="trainer_course_logins"),
    path("staff/training/", staff.staff_training, name="staff_training"),
    path("staff/training/trainers/<int:pk>/revoke/", staff.staff_trainer_revoke,
         name="staff_trainer_revoke"),
    path("staff/training/courses/new/", staff_courses.staff_course_create,
         name="staff_course_create"),
    path("staff/training/courses/<int:pk>/edit/", staff_courses.staff_course_edit,
         name="staff_course_edit"),
    path("staff/training/courses/<int:pk>/new-session/", staff_courses.staff_session_create,
         name="staff_session_create"),
    path("staff/training/sessions/<int:pk>/edit/", staff_courses.staff_session_edit,
         name="staff_session_edit"),
    path("staff/training/events/new/", staff_courses.staff_event_create,
         name="staff_event_create"),
    path("staff/training/events/<int:pk>/edit/", staff_courses.staff_event_edit,
         name="staff_event_edit"),
    path("staff/training/sessions/<int:pk>/course-account/", staff.staff_course_account,
         name="staff_course_account"),
]
