"""The staff's endpoints (``staff`` scope; the token's owner must be verified staff with
TOTP): organisations, membership payments, agreement decisions, the request queue and
decisions, allocations (suspend, resume), accounting imports (status).

Each validates with the staff page's form and calls the same service, which checks
``require_staff`` again; a refusal answers 400, a status that moved on 409.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from members.forms.staff import ApproveForm, CountersignForm, PaymentForm
from members.models import Membership, Organisation
from members.selectors import agreement_for_user
from members.services.agreement_signing import agreement_countersign
from members.services.agreements import agreement_approve
from members.services.memberships import membership_record_payment
from projects.forms.requests import DecisionForm, RejectForm, ReturnForm, SuspendForm
from projects.models import Allocation, ResourceRequest
from projects.selectors.requests import request_for_user
from projects.services import allocations as allocation_services
from projects.services import request_review as review_services
from resources.accounting.selectors import imports_newest_first
from resources.models import AccountingImport

from ..exceptions import form_error, service_error
from ..serializers.members import AgreementSerializer, MembershipSerializer, OrganisationSerializer
from ..serializers.projects import AllocationSerializer
from ..serializers.requests import (
    DecisionInSerializer,
    NoteVersionInSerializer,
    ResourceRequestSerializer,
)
from ..serializers.staff import (
    AccountingImportSerializer,
    CountersignInSerializer,
    NoteInSerializer,
    PaymentInSerializer,
    ReasonInSerializer,
)
from .base import ApiView, ListApiView, form_data, id_filter
from .members import MembershipFilter
from .projects import AllocationFilter
from .requests import RequestFilter, request_queryset

TAGS = ["staff"]


def _valid(form):
    if not form.is_valid():
        raise form_error(form)
    return form.cleaned_data


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except ValidationError as exc:
        raise service_error(exc) from exc


def _data(values: dict) -> dict:
    return {name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name, value in values.items() if value is not None}


class StaffList(ListApiView):
    staff_only = True

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class StaffAction(ApiView):
    staff_only = True


class StaffOrganisationList(StaffList):
    """Every organisation."""

    model = Organisation

    serializer_class = OrganisationSerializer
    filterset_fields = ["kind"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    def rows(self):
        return Organisation.objects.all()


class StaffMembershipFilter(MembershipFilter):
    organisation = id_filter("organisation_id")

    class Meta(MembershipFilter.Meta):
        fields = ["organisation", "status", "year"]


class StaffMembershipList(StaffList):
    """Every membership (filter by ``organisation``, ``year``, ``status``)."""

    model = Membership

    serializer_class = MembershipSerializer
    filterset_class = StaffMembershipFilter
    ordering_fields = ["year", "created_at"]
    ordering = ["-year", "organisation_id"]

    def rows(self):
        return Membership.objects.all()


class StaffMembershipPayment(StaffAction):
    """Record the payment of a membership (pending → paid)."""

    @extend_schema(request=PaymentInSerializer, responses=MembershipSerializer, tags=TAGS)
    def post(self, request, pk: int):
        membership = get_object_or_404(Membership.objects.select_related("organisation"), pk=pk)
        incoming = PaymentInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = _valid(PaymentForm(_data(incoming.validated_data)))
        membership = _call(membership_record_payment, membership=membership,
                           paid_on=data["paid_on"], reference=data["reference"],
                           actor=request.user)
        return Response(MembershipSerializer(membership).data)


class StaffAgreementApprove(StaffAction):
    """Approve a submitted agreement (submitted → approved), with an optional note."""

    @extend_schema(request=NoteInSerializer, responses=AgreementSerializer, tags=TAGS)
    def post(self, request, pk: int):
        agreement = agreement_for_user(user=request.user, pk=pk)
        incoming = NoteInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = _valid(ApproveForm(_data(incoming.validated_data)))
        agreement = _call(agreement_approve, agreement=agreement, actor=request.user,
                          note=data["note"])
        return Response(AgreementSerializer(agreement).data)


class StaffAgreementCountersign(StaffAction):
    """Countersign a signed agreement (signed → active for one year from ``starts_on``)."""

    @extend_schema(request=CountersignInSerializer, responses=AgreementSerializer, tags=TAGS)
    def post(self, request, pk: int):
        agreement = agreement_for_user(user=request.user, pk=pk)
        incoming = CountersignInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        starts_on = incoming.validated_data["starts_on"] or timezone.localdate()
        data = _valid(CountersignForm({"starts_on": starts_on.isoformat()}))
        agreement = _call(agreement_countersign, agreement=agreement, actor=request.user,
                          starts_on=data["starts_on"])
        return Response(AgreementSerializer(agreement).data)


class StaffRequestList(StaffList):
    """Every resource request (``?status=submitted`` for the queue)."""

    model = ResourceRequest

    serializer_class = ResourceRequestSerializer
    filterset_class = RequestFilter
    ordering_fields = ["created_at", "submitted_at", "decided_at"]
    ordering = ["-created_at"]

    def rows(self):
        return request_queryset()


class _StaffRequestAction(StaffAction):
    def answer(self, request, pk: int):
        request_for_user(user=request.user, pk=pk)
        return Response(ResourceRequestSerializer(request_queryset().get(pk=pk)).data)


class StaffRequestStartReview(_StaffRequestAction):
    """Start reviewing a submitted request (submitted → under review)."""

    @extend_schema(request=None, responses=ResourceRequestSerializer, tags=TAGS)
    def post(self, request, pk: int):
        resource_request = request_for_user(user=request.user, pk=pk)
        _call(review_services.request_start_review, request=resource_request,
              actor=request.user)
        return self.answer(request, pk)


class StaffRequestDecide(_StaffRequestAction):
    """Grant a request with the granted table (each cell at most what was asked): it
    becomes approved or partially approved and its allocations are created."""

    @extend_schema(request=DecisionInSerializer, responses=ResourceRequestSerializer,
                   tags=TAGS)
    def post(self, request, pk: int):
        resource_request = request_for_user(user=request.user, pk=pk)
        incoming = DecisionInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        data = form_data(values.pop("granted"), prefix="granted")
        data.update(_data(values))
        if not values.get("access_override"):
            data.pop("access_override", None)
        cleaned = _valid(DecisionForm(data, resource_request=resource_request))
        _call(review_services.request_decide, request=resource_request,
              granted=cleaned["granted"], note=cleaned["note"], actor=request.user,
              version=cleaned["version"],
              emergency_ends_on=cleaned.get("emergency_ends_on"),
              access_override=cleaned.get("access_override", False),
              override_reason=cleaned.get("override_reason", ""))
        return self.answer(request, pk)


class _StaffNoteAction(_StaffRequestAction):
    """A staff action on a request that takes a note and the version seen: ``form_class``
    (the page's form) checks them and ``service`` (the page's service) acts."""

    form_class: type
    service: staticmethod

    @extend_schema(request=NoteVersionInSerializer, responses=ResourceRequestSerializer,
                   tags=TAGS)
    def post(self, request, pk: int):
        resource_request = request_for_user(user=request.user, pk=pk)
        incoming = NoteVersionInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        cleaned = _valid(self.form_class(_data(incoming.validated_data)))
        _call(self.service, request=resource_request, note=cleaned["note"],
              actor=request.user, version=cleaned["version"])
        return self.answer(request, pk)


class StaffRequestReject(_StaffNoteAction):
    """Reject a request, with the reason and the version seen."""

    form_class = RejectForm
    service = staticmethod(review_services.request_reject)


class StaffRequestReturn(_StaffNoteAction):
    """Return a request to its applicant for changes, saying what to change."""

    form_class = ReturnForm
    service = staticmethod(review_services.request_return_for_changes)


class StaffAllocationList(StaffList):
    """Every allocation."""

    model = Allocation

    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    ordering_fields = ["year", "amount", "starts_on", "ends_on"]
    ordering = ["-year", "project_id", "resource_id"]

    def rows(self):
        return Allocation.objects.select_related("project", "resource")


def _allocation(pk: int) -> Allocation:
    return get_object_or_404(Allocation.objects.select_related("project", "resource"), pk=pk)


class StaffAllocationSuspend(StaffAction):
    """Suspend an active allocation, with the reason (the PI and managers are told)."""

    @extend_schema(request=ReasonInSerializer, responses=AllocationSerializer, tags=TAGS)
    def post(self, request, pk: int):
        allocation = _allocation(pk)
        incoming = ReasonInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        cleaned = _valid(SuspendForm(_data(incoming.validated_data)))
        allocation = _call(allocation_services.allocation_suspend, allocation=allocation,
                           reason=cleaned["reason"], actor=request.user)
        return Response(AllocationSerializer(allocation).data)


class StaffAllocationResume(StaffAction):
    """Lift the suspension of an allocation."""

    @extend_schema(request=None, responses=AllocationSerializer, tags=TAGS)
    def post(self, request, pk: int):
        allocation = _call(allocation_services.allocation_resume, allocation=_allocation(pk),
                           actor=request.user)
        return Response(AllocationSerializer(allocation).data)


class ImportFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=AccountingImport.Status.choices)
    cluster = filters.CharFilter()

    class Meta:
        model = AccountingImport
        fields = ["status", "cluster"]


class StaffAccountingImportList(StaffList):
    """The accounting imports, newest first, with their status."""

    model = AccountingImport

    serializer_class = AccountingImportSerializer
    filterset_class = ImportFilter
    ordering_fields = ["created_at", "finished_at"]
    ordering = ["-created_at", "-pk"]

    def rows(self):
        return imports_newest_first()


class StaffAccountingImportDetail(StaffAction):
    """One accounting import and where it stands."""

    @extend_schema(responses=AccountingImportSerializer, tags=TAGS)
    def get(self, request, pk: int):
        accounting_import = get_object_or_404(AccountingImport, pk=pk)
        return Response(AccountingImportSerializer(accounting_import).data)
