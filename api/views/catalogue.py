"""The public catalogue and the public statistics: for everyone, a token or not
(throttled per address)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from projects.forms.usage import YearForm
from projects.selectors.statistics import public_statistics
from projects.selectors.usage import default_year
from resources.models import Resource
from resources.selectors.catalogue import public_resources

from ..serializers.catalogue import PublicStatisticsSerializer, ResourceSerializer
from .base import ApiView, ListApiView


class CatalogueList(ListApiView):
    """The resources of the public catalogue, in catalogue order."""

    model = Resource

    public = True
    serializer_class = ResourceSerializer
    filterset_fields = ["kind"]
    ordering_fields = ["order", "name"]
    ordering = ["order", "kind", "name"]

    def rows(self):
        return public_resources()

    @extend_schema(tags=["public"], auth=[{}])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicStatisticsView(ApiView):
    """The figures of the public statistics page (``?year=YYYY``, default this year)."""

    public = True

    @extend_schema(parameters=[OpenApiParameter("year", int, required=False)],
                   responses=PublicStatisticsSerializer, tags=["public"], auth=[{}])
    def get(self, request):
        year = YearForm(request.query_params).year_or(default_year())
        return Response(PublicStatisticsSerializer(public_statistics(year=year)).data)
