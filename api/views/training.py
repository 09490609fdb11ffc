"""The agenda and training: the public agenda (upcoming sessions and events, anyone), a
session's and an event's sheet (anyone), the caller's registrations (``read``),
registering for a session and cancelling one's registration (``write``).

Read through the pages' selectors (``training.selectors.agenda``: published entries
only; ``training.selectors.access``: one's own registrations, 404 for anyone else's);
writes call ``registration_create`` and ``registration_cancel``, whose refusals answer
400 (deadline passed, already registered…) or 403.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from training.models import Event, Registration
from training.selectors.access import (
    live_registration,
    registration_for_user,
    registrations_of,
    waiting_position,
)
from training.selectors.agenda import agenda_entries, public_event, public_session
from training.services.registrations import registration_cancel, registration_create

from ..exceptions import form_error, service_error
from ..serializers.training import (
    AgendaEntrySerializer,
    EventSerializer,
    RegistrationSerializer,
    SessionSerializer,
)
from .base import ApiView, GenericApiView, ListApiView

TAGS = ["training"]
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
