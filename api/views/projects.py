"""Projects: the caller's list, a project's sheet, people and allocations; creating and
editing a sheet, adding people, changing their roles and removing them (``write``) with
the page's forms (``ProjectForm``, ``ProjectMemberAddForm``, ``ProjectMemberRoleForm``) and
services. An allocation's extensions are in :mod:`api.views.extensions`.

A project is read through ``projects.selectors.projects.project_for_user`` (404 for a
project the caller is not in); editing it and its people needs its PI or a manager
(403), as on the page — except leaving it, which anyone but the PI may do.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from algoric.core.staff import is_verified_staff
from members.selectors import organisation_list_for_user
from projects.forms.projects import (
    PROJECT_FORM_FIELDS,
    ProjectForm,
    ProjectMemberAddForm,
    ProjectMemberRoleForm,
)
from projects.forms.usage import YearForm
from projects.models import Allocation, Project, ProjectInvitation, ProjectMember
from projects.selectors.projects import (
    project_for_user,
    project_list_for_user,
    project_member_list,
    project_role,
    require_project_lead,
)
from projects.selectors.usage import default_year, project_usage
from projects.services import projects as project_services

from ..exceptions import ApiError, form_error, service_error
from ..serializers.projects import (
    AllocationSerializer,
    ProjectMemberAddedSerializer,
    ProjectMemberAddSerializer,
    ProjectMemberRoleSerializer,
    ProjectMemberSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
)
from ..serializers.usage import ProjectUsageSerializer
from .base import ApiView, ListApiView, conditional, id_filter, year_filter


class ProjectFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Project.Status.choices)
    organisation = id_filter("organisation_id")

    class Meta:
        model = Project
        fields = ["status", "organisation"]


def _form_data(values: dict) -> dict:
    return {name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name, value in values.items() if value is not None}


def _project_data(project: Project) -> dict:
    project.my_role = project_role(project=project, user=project._caller)
    return ProjectSerializer(project).data


class ProjectList(ListApiView):
    """``GET``: the caller's projects with their role. ``POST`` (``write``): create a
    draft project of one of the caller's organisations; the caller becomes its PI."""

    model = Project

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    ordering_fields = ["created_at", "acronym", "starts_on"]
    ordering = ["-created_at"]

    def rows(self):
        return project_list_for_user(user=self.request.user)

    @extend_schema(tags=["projects"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ProjectWriteSerializer, responses={201: ProjectSerializer},
                   tags=["projects"])
    def post(self, request):
        incoming = ProjectWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        organisation_pk = values.pop("organisation", None)
        if organisation_pk is None:
            raise ApiError(message=str(_organisation_needed()),
                           fields={"organisation": [str(_organisation_needed())]})
        organisation = organisation_list_for_user(user=request.user).filter(
            pk=organisation_pk).first()
        if organisation is None:
            raise Http404
        proposed = project_services.slurm_account_propose(acronym=values["acronym"].strip())
        form = ProjectForm(_form_data(values), creating=True, proposed_account=proposed)
        if not form.is_valid():
            raise form_error(form)
        try:
            with transaction.atomic():
                project = project_services.project_create(
                    organisation=organisation, data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        project._caller = request.user
        return Response(_project_data(project), status=status.HTTP_201_CREATED)


def _organisation_needed() -> str:
    return _("Give the organisation of the project.")


class ProjectDetail(ApiView):
    """``GET``: a project's sheet. ``PATCH`` (``write``; its PI or a manager, or staff):
    change fields of the sheet; the whole sheet is checked again by ``ProjectForm``."""

    @extend_schema(responses=ProjectSerializer, tags=["projects"])
    def get(self, request, pk: int):
        project = project_for_user(user=request.user, pk=pk)
        project._caller = request.user
        return Response(_project_data(project))

    @extend_schema(request=ProjectWriteSerializer(partial=True), responses=ProjectSerializer,
                   tags=["projects"])
    def patch(self, request, pk: int):
        project = project_for_user(user=request.user, pk=pk)
        if not is_verified_staff(request.user):
            require_project_lead(project=project, user=request.user)
        incoming = ProjectWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        values = {name: getattr(project, name) for name in PROJECT_FORM_FIELDS}
        values.update({name: value for name, value in incoming.validated_data.items()
                       if name in PROJECT_FORM_FIELDS})
        locked = project.allocations.exists()
        form = ProjectForm(_form_data(values), slurm_account_locked=locked,
                           initial={name: getattr(project, name) for name in PROJECT_FORM_FIELDS})
        if not form.is_valid():
            raise form_error(form)
        try:
            project = project_services.project_update(project=project, data=form.cleaned_data,
                                                      actor=request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        project._caller = request.user
        return Response(_project_data(project))


class ProjectMemberList(ListApiView):
    """``GET``: the people of a project and their roles (anyone who reads the project),
    the PI first, then managers, then members, each by name. ``POST`` (``write``; its PI
    or a manager): add someone by email, as the page's "Add someone" form — 201 when they
    have an account (added and notified), 202 when they have none (an invitation is
    emailed)."""

    model = ProjectMember

    serializer_class = ProjectMemberSerializer
    filterset_fields = ["role"]
    ordering_fields = ["added_at", "user__email"]
    ordering = ["role_order", "user__last_name", "user__first_name", "user__email"]

    def rows(self):
        project = project_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return project_member_list(project=project)

    @extend_schema(tags=["projects"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ProjectMemberAddSerializer,
                   responses={201: ProjectMemberAddedSerializer,
                              202: ProjectMemberAddedSerializer},
                   tags=["projects"])
    def post(self, request, pk: int):
        project = project_for_user(user=request.user, pk=pk)
        require_project_lead(project=project, user=request.user)
        incoming = ProjectMemberAddSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        form = ProjectMemberAddForm(dict(incoming.validated_data))
        if not form.is_valid():
            raise form_error(form)
        try:
            result = project_services.project_member_add(
                project=project, email=form.cleaned_data["email"],
                role=form.cleaned_data["role"], actor=request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        if isinstance(result, ProjectInvitation):
            data = {"outcome": "invited", "member": None, "invitation": result}
            code = status.HTTP_202_ACCEPTED
        else:
            data = {"outcome": "added", "member": result, "invitation": None}
            code = status.HTTP_201_CREATED
        return Response(ProjectMemberAddedSerializer(data).data, status=code)


class ProjectMemberDetail(ApiView):
    """``GET``: one person of a project. ``PATCH`` (``write``; its PI or a manager): change
    their role — only the PI makes someone PI, and then becomes a manager. ``DELETE``
    (``write``; its PI or a manager, or the person themselves to leave): remove them;
    the PI stays (400)."""

    @staticmethod
    def _member(project: Project, member_pk: int) -> ProjectMember:
        return get_object_or_404(project.members.select_related("user"), pk=member_pk)

    @extend_schema(responses=ProjectMemberSerializer, tags=["projects"])
    def get(self, request, pk: int, member_pk: int):
        project = project_for_user(user=request.user, pk=pk)
        return Response(ProjectMemberSerializer(self._member(project, member_pk)).data)

    @extend_schema(request=ProjectMemberRoleSerializer, responses=ProjectMemberSerializer,
                   tags=["projects"])
    def patch(self, request, pk: int, member_pk: int):
        project = project_for_user(user=request.user, pk=pk)
        require_project_lead(project=project, user=request.user)
        member = self._member(project, member_pk)
        incoming = ProjectMemberRoleSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        form = ProjectMemberRoleForm(dict(incoming.validated_data))
        if not form.is_valid():
            raise form_error(form)
        try:
            member = project_services.project_member_set_role(
                member=member, role=form.cleaned_data["role"], actor=request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        return Response(ProjectMemberSerializer(self._member(project, member.pk)).data)

    @extend_schema(responses={204: None}, tags=["projects"])
    def delete(self, request, pk: int, member_pk: int):
        project = project_for_user(user=request.user, pk=pk)
        member = self._member(project, member_pk)
        try:
            project_services.project_member_remove(member=member, actor=request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class AllocationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Allocation.Status.choices)
    year = year_filter()
    resource = id_filter("resource_id")

    class Meta:
        model = Allocation
        fields = ["status", "year", "resource"]


class ProjectAllocationList(ListApiView):
    """A project's allocations (resource × year)."""

    model = Allocation

    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    ordering_fields = ["year", "resource__order", "amount"]
    ordering = ["year", "resource__order", "resource__name"]

    def rows(self):
        project = project_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return project.allocations.select_related("resource", "project")

    @extend_schema(tags=["usage"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProjectUsage(ApiView):
    """A project's usage in a year (``?year=YYYY``, default this year): per resource and
    month against its grants, per user, energy, CO2e and cost — the numbers of the
    project's usage page. Answers with an ``ETag``; ``If-None-Match`` gives 304."""

    @extend_schema(parameters=[OpenApiParameter("year", int, required=False)],
                   responses={200: ProjectUsageSerializer, 304: None}, tags=["usage"])
    def get(self, request, pk: int):
        project = project_for_user(user=request.user, pk=pk)
        year = YearForm(request.query_params).year_or(default_year())
        usage = project_usage(project=project, year=year)
        return conditional(request, ProjectUsageSerializer(usage).data)

