"""The caller and their organisations: memberships, agreements, people (read).

Organisations are read through ``members.selectors.organisation_for_user`` (404 for an
organisation the caller is not in), as on the organisation page.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from members.models import Agreement, Membership, Organisation, OrganisationKind, OrganisationMember
from members.selectors import organisation_for_user, organisation_list_for_user
from members.selectors.memberships import membership_history
from members.selectors.organisations import role_of

from ..serializers.members import (
    AgreementSerializer,
    MembershipSerializer,
    OrganisationMemberSerializer,
    OrganisationSerializer,
    UserSerializer,
)
from .base import ApiView, ListApiView, year_filter


class MeView(ApiView):
    """The person the token belongs to."""

    @extend_schema(responses=UserSerializer, tags=["members"])
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class OrganisationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["kind"]


class MembershipFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Membership.Status.choices)
    year = year_filter()

    class Meta:
        model = Membership
        fields = ["status", "year"]


class OrganisationList(ListApiView):
    """The caller's organisations, with their role in each."""

    model = Organisation

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    def rows(self):
        return organisation_list_for_user(user=self.request.user)

    @extend_schema(tags=["members"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrganisationDetail(ApiView):
    """One of the caller's organisations (404 for another organisation's)."""

    @extend_schema(responses=OrganisationSerializer, tags=["members"])
    def get(self, request, pk: int):
        organisation = organisation_for_user(user=request.user, pk=pk)
        organisation.my_role = role_of(organisation=organisation, user=request.user)
        return Response(OrganisationSerializer(organisation).data)


class _OrganisationChildren(ListApiView):
    def organisation(self):
        return organisation_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(tags=["members"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrganisationMemberList(_OrganisationChildren):
    """The people of one of the caller's organisations and their roles."""

    model = OrganisationMember

    serializer_class = OrganisationMemberSerializer
    filterset_fields = ["role"]
    ordering_fields = ["joined_at", "user__email"]
    ordering = ["user__email"]

    def rows(self):
        return self.organisation().members.select_related("user")


class OrganisationMembershipList(_OrganisationChildren):
    """The memberships (one a year) of one of the caller's organisations."""

    model = Membership

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["year"]
    ordering = ["-year"]

    def rows(self):
        return membership_history(organisation=self.organisation())


class OrganisationAgreementList(_OrganisationChildren):
    """The agreements of one of the caller's organisations."""

    model = Agreement

    serializer_class = AgreementSerializer
    filterset_fields = ["status"]
    ordering_fields = ["created_at", "starts_on", "number"]
    ordering = ["-created_at"]

    def rows(self):
        return self.organisation().agreements.all()
