"""Research outputs: a project's list, recording one (``write``, the page's
``ResearchOutputForm`` and ``research_output_record``), unlinking one (``write``, its PI
or a manager, or staff: ``research_output_unlink``), importing from HAL (``write``, any
person of the project: queued for a worker, 202, then its status), and the staff's list
of every output with the staff page's filters.

A project is read through ``projects.selectors.projects.project_for_user`` (404 for a
project the caller is not in), as on the project page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from projects.models import OutputImport, ResearchOutput
from projects.outputs.forms import OUTPUT_FORM_FIELDS, ResearchOutputForm
from projects.outputs.selectors import OutputFilter, project_outputs, staff_output_queryset
from projects.outputs.services.imports import output_import_request
from projects.outputs.services.manual import (
    KNOWN,
    research_output_record,
    research_output_unlink,
)
from projects.selectors.projects import project_for_user
from projects.tasks import output_import_enqueue_on_commit

from ..exceptions import form_error, service_error
from ..serializers.outputs import (
    OutputImportRequestSerializer,
    OutputImportSerializer,
    RecordedOutputSerializer,
    ResearchOutputSerializer,
    ResearchOutputWriteSerializer,
    StaffResearchOutputSerializer,
)
from .base import ApiView, ListApiView

TAGS = ["outputs"]


def _year_filter() -> filters.NumberFilter:
    return filters.NumberFilter(min_value=1900, max_value=2200, decimal_places=0)


class ProjectOutputFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ResearchOutput.Kind.choices)
    open_access = filters.ChoiceFilter(choices=ResearchOutput.OpenAccess.choices)
    year = _year_filter()

    class Meta:
        model = ResearchOutput
        fields = ["kind", "open_access", "year"]


class ProjectOutputList(ListApiView):
    """``GET``: a project's outputs (its people, or staff with the ``staff`` scope).
    ``POST`` (``write``; any person of the project): record an output — 201 when added
    or linked, 200 when it was already among the project's outputs."""

    model = ResearchOutput

    serializer_class = ResearchOutputSerializer
    filterset_class = ProjectOutputFilter
    ordering_fields = ["year", "title", "created_at"]
    ordering = ["-year", "title"]

    def rows(self):
        project = project_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return project_outputs(project=project)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ResearchOutputWriteSerializer,
                   responses={200: RecordedOutputSerializer, 201: RecordedOutputSerializer},
                   tags=TAGS)
    def post(self, request, pk: int):
        project = project_for_user(user=request.user, pk=pk)
        incoming = ResearchOutputWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = {name: value for name, value in incoming.validated_data.items()
                  if value not in (None, False)}
        form = ResearchOutputForm(values)
        if not form.is_valid():
            raise form_error(form)
        try:
            result = research_output_record(
                project=project,
                data={name: form.cleaned_data.get(name) for name in OUTPUT_FORM_FIELDS},
                source=ResearchOutput.Source.FORM, actor=request.user)
        except ValidationError as exc:
            raise service_error(exc) from exc
        code = status.HTTP_200_OK if result.outcome == KNOWN else status.HTTP_201_CREATED
        data = RecordedOutputSerializer({"outcome": result.outcome, "output": result.output})
        return Response(data.data, status=code)


class ProjectOutputDetail(ApiView):
    """``GET``: one output of a project. ``DELETE`` (``write``; the project's PI or a
    manager, or staff): remove it from the project (an output left without project is
    deleted), as the page's remove button."""

    @extend_schema(responses=ResearchOutputSerializer, tags=TAGS)
    def get(self, request, pk: int, output_pk: int):
        project = project_for_user(user=request.user, pk=pk)
        output = get_object_or_404(project.outputs, pk=output_pk)
        return Response(ResearchOutputSerializer(output).data)

    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request, pk: int, output_pk: int):
        project = project_for_user(user=request.user, pk=pk)
        output = get_object_or_404(project.outputs, pk=output_pk)
        research_output_unlink(project=project, output=output, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectOutputImportCreate(ApiView):
    """``POST`` (``write``; any person of the project, or staff): import outputs from
    HAL — one document (``hal_id``) or a collection code or query (``collection``;
    default: the project's). The import runs in the background: 202 with the import
    (``queued``) and its address in ``Location``; 409 while another import of the
    project is queued or running; 400 when there is nothing to search or the HAL id is
    not one."""

    @extend_schema(request=OutputImportRequestSerializer,
                   responses={202: OutputImportSerializer}, tags=TAGS)
    def post(self, request, pk: int):
        project = project_for_user(user=request.user, pk=pk)
        incoming = OutputImportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            output_import = output_import_request(
                project=project, actor=request.user,
                hal_id=incoming.validated_data["hal_id"].strip(),
                collection=incoming.validated_data["collection"].strip())
        except ValidationError as exc:
            raise service_error(exc) from exc
        output_import_enqueue_on_commit(output_import)
        location = reverse("api:project_output_import_detail",
                           kwargs={"pk": project.pk, "import_pk": output_import.pk})
        return Response(OutputImportSerializer(output_import).data,
                        status=status.HTTP_202_ACCEPTED,
                        headers={"Location": request.build_absolute_uri(location)})


class ProjectOutputImportDetail(ApiView):
    """``GET``: one import from HAL of a project (its people, or staff), its status and,
    once done, its counts."""

    @extend_schema(responses=OutputImportSerializer, tags=TAGS)
    def get(self, request, pk: int, import_pk: int):
        project = project_for_user(user=request.user, pk=pk)
        output_import = get_object_or_404(OutputImport, project=project, pk=import_pk)
        return Response(OutputImportSerializer(output_import).data)


class StaffOutputFilter(OutputFilter):
    """The staff page's filters (``q``, ``kind``, ``year``, ``open_access``, ``hal``:
    yes/no, ``project``: an acronym), the year bounded (400 outside 1900–2200)."""

    year = _year_filter()

    class Meta(OutputFilter.Meta):
        pass


class StaffOutputList(ListApiView):
    """Every research output with its projects (staff), the staff page's filters."""

    model = ResearchOutput
    staff_only = True

    serializer_class = StaffResearchOutputSerializer
    filterset_class = StaffOutputFilter
    ordering_fields = ["year", "title", "created_at"]
    ordering = ["-year", "title"]

    def rows(self):
        return staff_output_queryset()

    @extend_schema(tags=["staff"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
