"""Resource requests: the caller's list, one request with its table; start a draft with
its table, edit it, submit, withdraw (``write``).

The same path as the pages: ``request_for_user`` (404 for another project's request),
the table checked by ``RequestTableForm``, and the services of
``projects.services.requests`` (the PI and managers only: 403 for others; the access
rule and the checks of a submission: 400 with their reasons; a status that moved on: 409).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from projects.forms.requests import RequestTableForm
from projects.models import ResourceRequest
from projects.selectors.projects import project_for_user, require_project_lead
from projects.selectors.requests import request_for_user
from projects.services import requests as request_services
from resources.models import Resource

from ..exceptions import form_error, service_error
from ..serializers.requests import (
    RequestCreateInSerializer,
    RequestTableInSerializer,
    ResourceRequestSerializer,
)
from .base import ApiView, ListApiView, form_data, id_filter


def request_queryset():
    """Requests with what their shape reads (rows, cells, resources): a fixed number of
    queries for a page."""
    return ResourceRequest.objects.select_related("project").prefetch_related(
        "rows__resource", "rows__cells")


def _detail(pk: int, user) -> ResourceRequest:
    request_for_user(user=user, pk=pk)  # the access rule of the pages (404)
    return request_queryset().get(pk=pk)


def _table_form(project, validated: dict) -> RequestTableForm:
    data = form_data(validated.get("rows", []), prefix="amount")
    data["justification"] = validated.get("justification", "")
    form = RequestTableForm(data, project=project, resources=list(Resource.objects.active()))
    if not form.is_valid():
        raise form_error(form)
    return form


def _save(resource_request, form, user) -> None:
    request_services.request_save(
        request=resource_request, table=form.cleaned_data["table"],
        justification=form.cleaned_data["justification"],
        row_justifications=form.cleaned_data["row_justifications"], actor=user)


class RequestFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ResourceRequest.Status.choices)
    kind = filters.ChoiceFilter(choices=ResourceRequest.Kind.choices)
    project = id_filter("project_id")

    class Meta:
        model = ResourceRequest
        fields = ["status", "kind", "project"]


class RequestList(ListApiView):
    """The resource requests of the caller's projects."""

    model = ResourceRequest

    serializer_class = ResourceRequestSerializer
    filterset_class = RequestFilter
    ordering_fields = ["created_at", "submitted_at", "decided_at"]
    ordering = ["-created_at"]

    def rows(self):
        return request_queryset().filter(
            pk__in=ResourceRequest.objects.visible_to(self.request.user).values("pk"))

    @extend_schema(tags=["requests"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProjectRequestCreate(ApiView):
    """Start a draft request of a project with its table (``write``; its PI or a
    manager). Nothing is kept when the table is refused."""

    @extend_schema(request=RequestCreateInSerializer,
                   responses={201: ResourceRequestSerializer}, tags=["requests"])
    def post(self, request, pk: int):
        project = project_for_user(user=request.user, pk=pk)
        require_project_lead(project=project, user=request.user)
        incoming = RequestCreateInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        form = _table_form(project, incoming.validated_data)
        try:
            with transaction.atomic():
                created = request_services.request_create(
                    project=project, kind=incoming.validated_data["kind"], actor=request.user)
                _save(created, form, request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        return Response(ResourceRequestSerializer(_detail(created.pk, request.user)).data,
                        status=status.HTTP_201_CREATED)


class RequestDetail(ApiView):
    """``GET``: a request with its table. ``PATCH`` (``write``; PI or manager): replace
    the table and justifications of a draft or of a request returned for changes."""

    @extend_schema(responses=ResourceRequestSerializer, tags=["requests"])
    def get(self, request, pk: int):
        return Response(ResourceRequestSerializer(_detail(pk, request.user)).data)

    @extend_schema(request=RequestTableInSerializer, responses=ResourceRequestSerializer,
                   tags=["requests"])
    def patch(self, request, pk: int):
        resource_request = request_for_user(user=request.user, pk=pk)
        require_project_lead(project=resource_request.project, user=request.user)
        incoming = RequestTableInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        form = _table_form(resource_request.project, incoming.validated_data)
        try:
            _save(resource_request, form, request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        return Response(ResourceRequestSerializer(_detail(pk, request.user)).data)


class _RequestAction(ApiView):
    action_name = ""

    def act(self, resource_request, user):
        raise NotImplementedError

    def post(self, request, pk: int):
        resource_request = request_for_user(user=request.user, pk=pk)
        try:
            self.act(resource_request, request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        return Response(ResourceRequestSerializer(_detail(pk, request.user)).data)


class RequestSubmit(_RequestAction):
    """Submit a draft, or a request returned for changes (``write``; PI or manager).
    Refused (400, with the reasons) while the organisation may not use the centre, or
    the request asks for nothing or has no justification."""

    @extend_schema(request=None, responses=ResourceRequestSerializer, tags=["requests"])
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, resource_request, user):
        request_services.request_submit(request=resource_request, actor=user)


class RequestWithdraw(_RequestAction):
    """Withdraw a request before any decision (``write``; PI or manager)."""

    @extend_schema(request=None, responses=ResourceRequestSerializer, tags=["requests"])
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, resource_request, user):
        request_services.request_withdraw(request=resource_request, actor=user)
