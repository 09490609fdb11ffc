"""The API tests' world: an organisation that may compute with an active project (its
representative is the PI, a colleague a plain member), a draft and a submitted request,
allocations, a generated report with a file, memberships, agreements and an accounting
import; someone with an account who is in no project (a newcomer); an outsider from
another organisation; verified staff; a session the PI teaches (a trainer) and an event.
Tokens come from ``PersonalAccessTokenFactory``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from billing.models import Invoice
from billing.services.invoices import invoice_add_line, invoice_create, invoice_issue
from members.models import Agreement, Membership
from projects.models import Project, ProjectMember, ResourceRequest, UsageReport

from ..factories import (
    AccountingImportFactory,
    AgreementFactory,
    AllocationExtensionFactory,
    AllocationFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    OrganisationMemberFactory,
    OutputImportFactory,
    PersonalAccessTokenFactory,
    ProjectFactory,
    ProjectMemberFactory,
    RegistrationFactory,
    ResearchOutputFactory,
    ResourceFactory,
    ResourceRequestCellFactory,
    ResourceRequestFactory,
    ResourceRequestRowFactory,
    SessionFactory,
    UsageReportFactory,
    UserFactory,
    allow,
    this_year,
)


@dataclass
class World:
    """The objects the API tests act on (see the module doc)."""

    organisation: object
    pi: object
    outsider: object
    staff: object
    project: Project
    resource: object
    draft: ResourceRequest
    submitted: ResourceRequest
    allocation: object
    extension: object
    suspended: object
    report: UsageReport
    pending_membership: Membership
    submitted_agreement: Agreement
    signed_agreement: Agreement
    accounting_import: object
    output: object
    output_import: object
    session: object
    event: object
    registration: object
    invoice: Invoice
    draft_invoice: Invoice
    colleague: ProjectMember
    newcomer: object


def bearer(token) -> dict:
    """The test client's keyword for ``Authorization: Bearer <token>``."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}


def issued_invoice(organisation, staff) -> Invoice:
    """An issued invoice of ``organisation`` (one day of support, 480 EUR) whose PDF is
    already stored (a stand-in file: no PDF is made in these tests)."""
    invoice = invoice_create(organisation=organisation, actor=staff)
    invoice_add_line(invoice=invoice, label="Accompagnement", quantity=Decimal(1),
                     unit_price=Decimal(480), actor=staff)
    invoice = invoice_issue(invoice=invoice, actor=staff)
    storage = Invoice._meta.get_field("pdf").storage
    name = storage.save(f"invoices/api-test-{invoice.pk}.pdf",
                        ContentFile(b"%PDF-1.7 api test"))
    Invoice.objects.filter(pk=invoice.pk).update(pdf=name)
    invoice.pdf = name
    return invoice


def request_with_row(project, resource, **kwargs) -> ResourceRequest:
    """A request of ``project`` asking 1000 hours of ``resource`` in its first year."""
    resource_request = ResourceRequestFactory(project=project, **kwargs)
    row = ResourceRequestRowFactory(request=resource_request, resource=resource)
    ResourceRequestCellFactory(row=row, year=project.starts_on.year, requested=Decimal(1000))
    return resource_request


@pytest.fixture
def world(organisation, staff_with_mfa, no_pdf) -> World:
    active = allow(organisation)
    pi = organisation.representative
    project = ProjectFactory(organisation=organisation, pi=pi, status=Project.Status.ACTIVE,
                             starts_on=timezone.localdate().replace(month=1, day=1))
    resource = ResourceFactory()
    draft = request_with_row(project, resource)
    submitted = request_with_row(project, resource, status=ResourceRequest.Status.SUBMITTED,
                                 submitted_at=timezone.now())
    report_dir = Path(settings.USAGE_REPORTS_DIR) / "api-tests"
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "report.csv").write_text("projet;heures\nHOULE;1000\n", encoding="utf-8")
    report = UsageReportFactory(project=project, status=UsageReport.Status.DONE,
                                generated_at=timezone.now(), progress=100,
                                files={"csv-fr": "api-tests/report.csv"})
    other = OrganisationFactory()
    outsider = OrganisationMemberFactory(organisation=other, role="representative").user
    ProjectFactory(organisation=other, pi=outsider)
    allocation = AllocationFactory(project=project, resource=resource)
    return World(
        organisation=organisation, pi=pi, outsider=outsider, staff=staff_with_mfa,
        project=project, resource=resource, draft=draft, submitted=submitted,
        allocation=allocation,
        extension=AllocationExtensionFactory(allocation=allocation, requested_by=pi),
        suspended=AllocationFactory(project=project, resource=ResourceFactory(),
                                    suspended=True),
        report=report,
        pending_membership=MembershipFactory(organisation=organisation, year=this_year() + 1),
        submitted_agreement=AgreementFactory(organisation=organisation,
                                             status=Agreement.Status.SUBMITTED),
        signed_agreement=AgreementFactory(organisation=organisation, renewed_from=active,
                                          status=Agreement.Status.SIGNED),
        accounting_import=AccountingImportFactory(),
        output=ResearchOutputFactory(projects=[project]),
        output_import=OutputImportFactory(project=project, requested_by=pi),
        session=SessionFactory(trainer=pi),
        event=EventFactory(),
        registration=RegistrationFactory(user=pi),
        invoice=issued_invoice(organisation, staff_with_mfa),
        draft_invoice=invoice_create(organisation=organisation, actor=staff_with_mfa),
        colleague=ProjectMemberFactory(project=project,
                                       user=UserFactory(first_name="Maëlle", last_name="Le Goff")),
        newcomer=UserFactory(first_name="Yann", last_name="Kervella"),
    )


@pytest.fixture
def token():
    """``token(user, *scopes, **traits)``: a token of ``user`` (``expired=True``,
    ``revoked=True``) whose ``.secret`` is the token itself."""
    def make(user, *scopes, **traits):
        return PersonalAccessTokenFactory(user=user, scopes=list(scopes) or ["read"], **traits)
    return make
