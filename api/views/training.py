"""The agenda and training: the public agenda (upcoming sessions and events, anyone), a
session's and an event's sheet (anyone), the caller's registrations (``read``),
registering for a session and cancelling one's registration (``write``); staff write
courses, sessions and events (``staff``), trainers add a session of a course they teach
(``write``).

Read through the pages' selectors (``training.selectors.agenda``: published entries
only; ``training.selectors.access``: one's own registrations, 404 for anyone else's);
writes call ``registration_create`` and ``registration_cancel``, whose refusals answer
400 (deadline passed, already registered…) or 403. Courses, sessions and events are
checked by the pages' forms (``CourseForm``, ``SessionForm``, ``EventForm``) and written
by the same services (``course_save``, ``session_create``, ``session_update``,
``event_save``): bad input answers 400 field by field and nothing is written.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from training.forms import CourseForm, EventForm, SessionForm
from training.models import Course, Event, Registration, Session
from training.selectors.access import (
    course_for_new_session,
    live_registration,
    registration_for_user,
    registrations_of,
    waiting_position,
)
from training.selectors.agenda import agenda_entries, public_event, public_session
from training.services.courses import COURSE_FIELDS, course_save
from training.services.events import EVENT_FIELDS, event_save
from training.services.registrations import registration_cancel, registration_create
from training.services.sessions import (
    STAFF_SESSION_FIELDS,
    TRAINER_NEW_SESSION_FIELDS,
    session_create,
    session_update,
)

from ..exceptions import form_error, service_error
from ..serializers.training import (
    AgendaEntrySerializer,
    CourseSerializer,
    CourseWriteSerializer,
    EventSerializer,
    EventWriteSerializer,
    ManagedSessionSerializer,
    RegistrationSerializer,
    SessionSerializer,
    SessionWriteSerializer,
    StaffEventSerializer,
    TrainerSessionWriteSerializer,
)
from .base import ApiView, GenericApiView, ListApiView

TAGS = ["training"]
STAFF_TAGS = ["staff"]
KINDS = [("session", "session"), *Event.Kind.choices]


class AgendaQueryForm(forms.Form):
    """The agenda's filter: ``kind`` (``session`` or an event's kind)."""

    kind = forms.ChoiceField(choices=KINDS, required=False)


class AgendaList(GenericApiView):
    """The upcoming entries of the public agenda (sessions and events not yet ended,
    soonest first), as the agenda page; ``?kind=session`` (or an event's kind) keeps one
    kind. Anyone may read it, a token or not."""

    public = True
    serializer_class = AgendaEntrySerializer
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=[k for k, _ in KINDS],
                                                required=False)],
                   responses=AgendaEntrySerializer(many=True), tags=TAGS, auth=[{}])
    def get(self, request):
        query = AgendaQueryForm(request.query_params)
        if not query.is_valid():
            raise form_error(query)
        entries = agenda_entries()
        kind = query.cleaned_data["kind"]
        if kind:
            entries = [entry for entry in entries if entry.kind == kind]
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(AgendaEntrySerializer(page, many=True).data)


def _session_data(session, user) -> dict:
    registration = live_registration(session=session, user=user)
    if registration is not None:
        registration.waiting_position = waiting_position(registration=registration)
    return SessionSerializer(session, context={"registration": registration}).data


class SessionDetail(ApiView):
    """A published session's sheet (anyone); with a token, the caller's place and, once
    their seat is confirmed, the online link."""

    public = True

    @extend_schema(responses=SessionSerializer, tags=TAGS, auth=[{}, {"personalAccessToken": []}])
    def get(self, request, pk: int):
        return Response(_session_data(public_session(pk=pk), request.user))


class EventDetail(ApiView):
    """A published event's sheet (anyone)."""

    public = True

    @extend_schema(responses=EventSerializer, tags=TAGS, auth=[{}])
    def get(self, request, pk: int):
        return Response(EventSerializer(public_event(pk=pk)).data)


class SessionRegister(ApiView):
    """Register the caller (``write``): a seat, or the waiting list when the session is
    full (``status``: ``confirmed`` or ``waiting``); a message goes out as from the page.
    400 when the deadline has passed, the caller already holds a place or their email is
    not verified."""

    @extend_schema(request=None, responses={201: RegistrationSerializer}, tags=TAGS)
    def post(self, request, pk: int):
        session = public_session(pk=pk)
        try:
            registration = registration_create(session=session, user=request.user,
                                               actor=request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        return Response(RegistrationSerializer(registration).data,
                        status=status.HTTP_201_CREATED)


class RegistrationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Registration.Status.choices)

    class Meta:
        model = Registration
        fields = ["status"]


class RegistrationList(ListApiView):
    """The caller's registrations, latest session first (``?status=confirmed``…)."""

    model = Registration

    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    ordering_fields = ["session__starts_at", "created_at"]
    ordering = ["-session__starts_at", "pk"]

    def rows(self):
        return registrations_of(user=self.request.user)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RegistrationCancel(ApiView):
    """Cancel the caller's registration (``write``) until the session's deadline; a freed
    seat goes to the first of the waiting list. 404 for anyone else's registration."""

    @extend_schema(request=None, responses=RegistrationSerializer, tags=TAGS)
    def post(self, request, pk: int):
        registration = registration_for_user(pk=pk, user=request.user)
        try:
            registration = registration_cancel(registration=registration, actor=request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        registration = registration_for_user(pk=pk, user=request.user)
        return Response(RegistrationSerializer(registration).data)


# Staff and trainers write courses, sessions and events with the pages' forms and services.

def _form_data(values: dict) -> dict:
    """API values as the page's form reads them: times in ISO 8601 with their offset,
    ``prices`` as one ``price_<kind>`` field per kind; ``None`` left out."""
    data = {name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name, value in values.items() if value is not None and name != "prices"}
    data.update({f"price_{kind}": price
                 for kind, price in (values.get("prices") or {}).items() if price is not None})
    return data


def _checked(form) -> dict:
    if not form.is_valid():
        raise form_error(form)
    return form.cleaned_data


def _saved(service, **kwargs):
    try:
        return service(**kwargs)
    except ValidationError as exc:
        raise service_error(exc) from exc


def _incoming(serializer_class, request, *, current: dict | None = None) -> dict:
    """The request's body checked by ``serializer_class``; on a ``PATCH`` (``current``:
    the object's values) laid over the object's values, as the page's form shows them."""
    incoming = serializer_class(data=request.data, partial=current is not None)
    incoming.is_valid(raise_exception=True)
    return {**(current or {}), **incoming.validated_data}


def _session_values(session: Session) -> dict:
    values = {name: getattr(session, name) for name in STAFF_SESSION_FIELDS
              if name not in {"trainers", "prices"}}
    return {**values, "trainers": [user.pk for user in session.trainers.all()],
            "prices": dict(session.prices or {})}


def _session_answer(session: Session, *, created: bool = False) -> Response:
    session = Session.objects.select_related("course").prefetch_related("trainers").get(
        pk=session.pk)
    return Response(ManagedSessionSerializer(session).data,
                    status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class StaffTrainingList(ListApiView):
    staff_only = True

    @extend_schema(tags=STAFF_TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class StaffCourseList(StaffTrainingList):
    """``GET``: every course, by title. ``POST``: add a course (the page's "New course")."""

    model = Course
    serializer_class = CourseSerializer
    filterset_fields = ["level", "language"]
    ordering_fields = ["title", "slug", "created_at"]
    ordering = ["title", "pk"]

    def rows(self):
        return Course.objects.all()

    @extend_schema(request=CourseWriteSerializer, responses={201: CourseSerializer},
                   tags=STAFF_TAGS)
    def post(self, request):
        values = {name: Course._meta.get_field(name).default for name in ("level", "language")}
        values.update(_incoming(CourseWriteSerializer, request))
        data = _checked(CourseForm(_form_data(values)))
        course = _saved(course_save, course=None, data=data, actor=request.user)
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)


class StaffCourseDetail(ApiView):
    """``GET``: a course. ``PATCH``: change fields of it; the whole course is checked
    again, as the page's form."""

    staff_only = True

    @extend_schema(responses=CourseSerializer, tags=STAFF_TAGS)
    def get(self, request, pk: int):
        return Response(CourseSerializer(get_object_or_404(Course, pk=pk)).data)

    @extend_schema(request=CourseWriteSerializer(partial=True), responses=CourseSerializer,
                   tags=STAFF_TAGS)
    def patch(self, request, pk: int):
        course = get_object_or_404(Course, pk=pk)
        current = {name: getattr(course, name) for name in COURSE_FIELDS}
        values = _incoming(CourseWriteSerializer, request, current=current)
        data = _checked(CourseForm(_form_data(values)))
        course = _saved(course_save, course=course, data=data, actor=request.user)
        return Response(CourseSerializer(course).data)


class StaffSessionCreate(ApiView):
    """Add a session of a course, every field as the staff's page."""

    staff_only = True

    @extend_schema(request=SessionWriteSerializer, responses={201: ManagedSessionSerializer},
                   tags=STAFF_TAGS)
    def post(self, request, pk: int):
        course = get_object_or_404(Course, pk=pk)
        values = {"is_published": True, "core_hours_per_attendee": 0,
                  **_incoming(SessionWriteSerializer, request)}
        data = _checked(SessionForm(_form_data(values), fields=STAFF_SESSION_FIELDS))
        session = _saved(session_create, course=course, data=data, actor=request.user)
        return _session_answer(session, created=True)


class StaffSessionDetail(ApiView):
    """Change fields of a session (a larger capacity gives the new seats to the waiting
    list; the capacity never below the seats taken)."""

    staff_only = True

    @extend_schema(request=SessionWriteSerializer(partial=True),
                   responses=ManagedSessionSerializer, tags=STAFF_TAGS)
    def patch(self, request, pk: int):
        session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
        values = _incoming(SessionWriteSerializer, request, current=_session_values(session))
        data = _checked(SessionForm(_form_data(values), fields=STAFF_SESSION_FIELDS))
        session = _saved(session_update, session=session, data=data, actor=request.user)
        return _session_answer(session)


class StaffEventList(StaffTrainingList):
    """``GET``: every event, latest first (``?kind=seminar``). ``POST``: add an event."""

    model = Event
    serializer_class = StaffEventSerializer
    filterset_fields = ["kind", "is_published"]
    ordering_fields = ["starts_at", "created_at"]
    ordering = ["-starts_at", "-pk"]

    def rows(self):
        return Event.objects.all()

    @extend_schema(request=EventWriteSerializer, responses={201: StaffEventSerializer},
                   tags=STAFF_TAGS)
    def post(self, request):
        values = {"is_published": True, "participants": 0,
                  **_incoming(EventWriteSerializer, request)}
        data = _checked(EventForm(_form_data(values)))
        event = _saved(event_save, event=None, data=data, actor=request.user)
        return Response(StaffEventSerializer(event).data, status=status.HTTP_201_CREATED)


class StaffEventDetail(ApiView):
    """Change fields of an event (and, afterwards, how many people came)."""

    staff_only = True

    @extend_schema(request=EventWriteSerializer(partial=True), responses=StaffEventSerializer,
                   tags=STAFF_TAGS)
    def patch(self, request, pk: int):
        event = get_object_or_404(Event, pk=pk)
        current = {name: getattr(event, name) for name in EVENT_FIELDS}
        values = _incoming(EventWriteSerializer, request, current=current)
        data = _checked(EventForm(_form_data(values)))
        event = _saved(event_save, event=event, data=data, actor=request.user)
        return Response(StaffEventSerializer(event).data)


class TrainerSessionCreate(ApiView):
    """A trainer adds a session of a course they teach (``write``) and becomes its
    trainer; the prices, whether members pay and the core-hours per attendee come from
    the course's latest session. 404 for a course they do not teach, as the page."""

    @extend_schema(request=TrainerSessionWriteSerializer,
                   responses={201: ManagedSessionSerializer}, tags=TAGS)
    def post(self, request, pk: int):
        course = course_for_new_session(pk=pk, user=request.user)
        values = {"is_published": True, **_incoming(TrainerSessionWriteSerializer, request)}
        data = _checked(SessionForm(_form_data(values), fields=TRAINER_NEW_SESSION_FIELDS))
        session = _saved(session_create, course=course, data=data, actor=request.user)
        return _session_answer(session, created=True)
