"""Allocation extensions (a later end date for an allocation, no new hours): a project's
list and one extension (``read``); asking for one and withdrawing one that waits
(``write``; the PI or a manager); the staff's list, approval and refusal (``staff``).

The same path as the pages: a project or an extension is read through
``project_for_user`` and ``extension_for_user`` (404 outside the caller's projects; every
one for staff with the ``staff`` scope), the input is checked by the pages' forms
(``ExtensionForm``, ``ExtensionDecisionForm``) and the services of
``projects.services.allocation_extensions`` act (403 for a plain member, 400 with the
reasons field by field, 409 once the extension is no longer pending).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from projects.forms.allocations import ExtensionDecisionForm, ExtensionForm
from projects.models import AllocationExtension
from projects.selectors.lifecycle import (
    extension_for_member,
    extension_for_user,
    project_extensions,
)
from projects.selectors.projects import project_for_user, require_project_lead
from projects.services import allocation_extensions as extension_services

from ..exceptions import ApiError, form_error, service_error
from ..serializers.projects import (
    AllocationExtensionAskSerializer,
    AllocationExtensionSerializer,
    ExtensionDecisionInSerializer,
)
from .base import ApiView, ListApiView, id_filter

TAGS = ["requests"]
STAFF_TAGS = ["staff"]


class ExtensionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=AllocationExtension.Status.choices)
    allocation = id_filter("allocation_id")

    class Meta:
        model = AllocationExtension
        fields = ["status", "allocation"]


def _act(service, **kwargs) -> AllocationExtension:
    try:
        return service(**kwargs)
    except ValidationError as exc:
        raise service_error(exc) from exc


class ProjectExtensionList(ListApiView):
    """``GET``: the extensions of a project's allocations, newest first (filter by
    ``status``, ``allocation``). ``POST`` (``write``; its PI or a manager): ask to move an
    allocation's end date, as the page's form; staff are told. 400 with the reasons field
    by field (an allocation of another project, a date not after the current end or more
    than a year after it, no reason, one already waiting), and nothing is written."""

    model = AllocationExtension

    serializer_class = AllocationExtensionSerializer
    filterset_class = ExtensionFilter
    ordering_fields = ["created_at", "ends_on", "decided_at"]
    ordering = ["-created_at", "-pk"]

    def rows(self):
        project = project_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return project_extensions(project)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AllocationExtensionAskSerializer,
                   responses={201: AllocationExtensionSerializer}, tags=TAGS)
    def post(self, request, pk: int):
        project = project_for_user(user=request.user, pk=pk)
        require_project_lead(project=project, user=request.user)
        incoming = AllocationExtensionAskSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        allocation = project.allocations.select_related("project", "resource").filter(
            pk=values["allocation"]).first()
        if allocation is None:
            message = _("Choose an allocation of this project.")
            raise ApiError(message=message, fields={"allocation": [message]})
        form = ExtensionForm({"ends_on": values["ends_on"].isoformat(),
                              "reason": values["reason"]})
        if not form.is_valid():
            raise form_error(form)
        extension = _act(extension_services.allocation_extension_request,
                         allocation=allocation, ends_on=form.cleaned_data["ends_on"],
                         reason=form.cleaned_data["reason"], actor=request.user)
        return Response(AllocationExtensionSerializer(extension).data,
                        status=status.HTTP_201_CREATED)


class AllocationExtensionDetail(ApiView):
    """One allocation extension, for the people of its project (and staff)."""

    @extend_schema(responses=AllocationExtensionSerializer, tags=TAGS)
    def get(self, request, pk: int):
        extension = extension_for_user(user=request.user, pk=pk)
        return Response(AllocationExtensionSerializer(extension).data)


class AllocationExtensionWithdraw(ApiView):
    """Withdraw an allocation extension while it waits for staff (``write``; the PI or a
    manager, as asking for one): it becomes ``withdrawn`` and the end date stays. 404 for
    an extension outside the caller's projects, 403 for a plain member, 409 when it is
    no longer pending (decided or withdrawn already)."""

    @extend_schema(request=None, responses=AllocationExtensionSerializer, tags=TAGS)
    def post(self, request, pk: int):
        extension = extension_for_member(user=request.user, pk=pk)
        extension = _act(extension_services.allocation_extension_withdraw,
                         extension=extension, actor=request.user)
        return Response(AllocationExtensionSerializer(extension).data)


class StaffExtensionFilter(ExtensionFilter):
    project = id_filter("allocation__project_id")

    class Meta(ExtensionFilter.Meta):
        fields = ["status", "allocation", "project"]


class StaffExtensionList(ListApiView):
    """Every allocation extension (``?status=pending`` for those waiting for a
    decision)."""

    staff_only = True
    model = AllocationExtension

    serializer_class = AllocationExtensionSerializer
    filterset_class = StaffExtensionFilter
    ordering_fields = ["created_at", "ends_on", "decided_at"]
    ordering = ["-created_at", "-pk"]

    def rows(self):
        return AllocationExtension.objects.select_related("allocation__project",
                                                          "allocation__resource")

    @extend_schema(tags=STAFF_TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class _StaffExtensionDecision(ApiView):
    """A staff decision on a pending extension with the note to the PI and managers:
    ``service`` (the staff page's service) acts; 409 once it is no longer pending."""

    staff_only = True
    service: staticmethod

    @extend_schema(request=ExtensionDecisionInSerializer,
                   responses=AllocationExtensionSerializer, tags=STAFF_TAGS)
    def post(self, request, pk: int):
        extension = get_object_or_404(AllocationExtension.objects.select_related(
            "allocation__project", "allocation__resource"), pk=pk)
        incoming = ExtensionDecisionInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        form = ExtensionDecisionForm(dict(incoming.validated_data))
        if not form.is_valid():
            raise form_error(form)
        extension = _act(self.service, extension=extension, note=form.cleaned_data["note"],
                         actor=request.user)
        return Response(AllocationExtensionSerializer(extension).data)


class StaffExtensionApprove(_StaffExtensionDecision):
    """Approve a pending extension, with an optional note: the allocation's end date
    becomes the extension's (an expired allocation whose new end is not past is active
    again); the PI and managers are told."""

    service = staticmethod(extension_services.allocation_extension_approve)


class StaffExtensionRefuse(_StaffExtensionDecision):
    """Refuse a pending extension, with the reason (``note``, required: 400 without it);
    the end date stays; the PI and managers are told."""

    service = staticmethod(extension_services.allocation_extension_refuse)
