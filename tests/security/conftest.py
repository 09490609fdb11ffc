"""Fixtures of the attack suite: a small world with a victim organisation whose private
text carries :data:`MARKER`, an attacker organisation, and the four attacker roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from ..factories import (
    EventFactory,
    FeeScheduleFactory,
    OrganisationFactory,
    OrganisationMemberFactory,
    OutputImportFactory,
    PersonalAccessTokenFactory,
    RegistrationFactory,
    SessionFactory,
    StaffFactory,
    TermsTemplateFactory,
    UserFactory,
)

#: Written into every private text of the victim organisation; an attacker's page must
#: never contain it (compared case-insensitively).
MARKER = "Zqxprivmark"

YEAR = timezone.localdate().year


@dataclass
class World:
    """Every object a URL of the portal can point at, most of them the victim's."""

    org: object
    other_org: object
    representative: object
    plain: object
    outsider: object
    staff_nomfa: object
    staff: object
    project: object
    other_project: object
    request: object
    comment: object
    allocation: object
    extension: object
    agreement: object
    invitation: object
    project_invitation: object
    project_member: object
    org_member: object
    report: object
    centre_report: object
    accounting_import: object
    cluster: object
    alias: object
    resource: object
    terms: object
    membership: object
    page: object
    output: object
    api_token: object = None
    invoice: object = None
    quote: object = None
    session: object = None
    event: object = None
    registration: object = None
    trainer: object = None
    output_import: object = None


def signed_pdf_bytes() -> bytes:
    """A small valid PDF (one blank page), built with pypdf."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def build_world(staff_with_mfa) -> World:
    """Create the victim organisation ``org`` (representative, plain member, project,
    submitted request with a comment, active agreement with a signed copy, pending
    invitations, report, allocation) and the attacker organisation ``other_org``."""
    from algoric.pages.models import Page
    from billing.models import Invoice, InvoiceLine, Quote
    from members.models import Agreement, Invitation, Membership
    from projects.models import (
        AccountAlias,
        Allocation,
        AllocationExtension,
        Project,
        ProjectInvitation,
        ProjectMember,
        RequestComment,
        ResearchOutput,
        ResourceRequest,
        ResourceRequestCell,
        ResourceRequestRow,
        UsageReport,
    )
    from resources.models import AccountingImport, Cluster, Resource

    terms = TermsTemplateFactory()
    FeeScheduleFactory()
    org = OrganisationFactory(name=f"Victime {MARKER} SAS", address=f"1 rue {MARKER}")
    representative = OrganisationMemberFactory(organisation=org, role="representative").user
    plain_link = OrganisationMemberFactory(organisation=org, role="member")
    plain = plain_link.user
    colleague_link = OrganisationMemberFactory(organisation=org, role="member")
    other_org = OrganisationFactory(name="Attaquant SARL")
    outsider = OrganisationMemberFactory(organisation=other_org, role="representative").user
    today = timezone.localdate()
    membership = Membership.objects.create(
        organisation=org, year=today.year, fee=250, status="paid", paid_on=today,
        payment_reference=f"VIR-{MARKER}")
    agreement = Agreement.objects.create(
        number=f"AG-{today.year}-0999", organisation=org, kind=org.kind, terms=terms,
        status="active", starts_on=today, ends_on=today + dt.timedelta(days=364),
        signatory_name=f"Signataire {MARKER}", signatory_title="Gérant")
    agreement.signed_pdf.save("signed.pdf", ContentFile(signed_pdf_bytes()), save=True)
    agreement.pdf.save("agreement.pdf", ContentFile(signed_pdf_bytes()), save=True)
    invitation = Invitation.objects.create(
        organisation=org, email=f"{MARKER.lower()}@invite.example", role="member",
        invited_by=representative, expires_at=timezone.now() + dt.timedelta(days=7))

    resource = Resource.objects.create(
        name="CPU sécurité", kind="cpu", capacity_per_year=Decimal(1_000_000),
        slurm_cluster="secu", slurm_partition="cpu", watts_per_core=Decimal("10"), order=1)
    project = Project.objects.create(
        title=f"Projet {MARKER}", acronym="SECRETA", summary=f"Résumé {MARKER}",
        field="earth", organisation=org, starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR + 1, 12, 31), slurm_account="secreta", status="active")
    ProjectMember.objects.create(project=project, user=representative, role="pi")
    ProjectMember.objects.create(project=project, user=plain, role="member")
    project_member = ProjectMember.objects.create(project=project, user=colleague_link.user,
                                                  role="member")
    project_invitation = ProjectInvitation.objects.create(
        project=project, email=f"p-{MARKER.lower()}@invite.example", role="member",
        invited_by=representative, expires_at=timezone.now() + dt.timedelta(days=7))
    other_project = Project.objects.create(
        title="Projet attaquant", acronym="ATTAK", summary="Résumé attaquant",
        field="earth", organisation=other_org, starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR + 1, 12, 31), slurm_account="attak", status="active")
    ProjectMember.objects.create(project=other_project, user=outsider, role="pi")

    request = ResourceRequest.objects.create(
        project=project, status="submitted", justification=f"Justification {MARKER}",
        created_by=representative, submitted_at=timezone.now())
    row = ResourceRequestRow.objects.create(request=request, resource=resource,
                                            justification=f"Ligne {MARKER}")
    ResourceRequestCell.objects.create(row=row, year=YEAR, requested=Decimal("1000"))
    comment = RequestComment.objects.create(request=request, author=representative,
                                            body=f"Commentaire {MARKER}")
    allocation = Allocation.objects.create(
        project=project, resource=resource, year=YEAR, amount=Decimal("5000"),
        starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 12, 31), status="active")
    extension = AllocationExtension.objects.create(
        allocation=allocation, ends_on=dt.date(YEAR + 1, 3, 31),
        previous_ends_on=dt.date(YEAR, 12, 31), reason=f"Prolongation {MARKER}",
        requested_by=representative)

    report = UsageReport.objects.create(scope="project", project=project, year=YEAR - 1,
                                        status="done", progress=100, files={})
    centre_report = UsageReport.objects.create(scope="centre", year=YEAR - 1, status="done",
                                               progress=100, files={})
    cluster = Cluster.objects.create(name="secu")
    accounting_import = AccountingImport.objects.create(
        cluster="secu", format="sacct", source="upload", file_name="sacct.txt",
        sha256="0" * 64, status="done", created_by=staff_with_mfa)
    alias = AccountAlias.objects.create(cluster="secu", account="old-secreta", project=project,
                                        created_by=staff_with_mfa)
    output = ResearchOutput.objects.create(
        kind="article", title=f"Article {MARKER}", title_key="article", year=YEAR - 1,
        doi="10.5555/secu.1")
    output.projects.add(project)
    page, _created = Page.objects.get_or_create(
        slug="home", defaults={"title_fr": "Accueil", "title_en": "Home",
                               "body_fr": "Bienvenue.", "body_en": "Welcome."})
    session = SessionFactory(trainer=True)
    registration = RegistrationFactory(session=session, user=representative)
    event = EventFactory()
    invoice = Invoice.objects.create(organisation=org, membership=membership,
                                     note=f"Note {MARKER}", created_by=staff_with_mfa)
    InvoiceLine.objects.create(invoice=invoice, position=1, label=f"Cotisation {MARKER}",
                               quantity=1, unit_price=250, net_amount=250)
    Invoice.objects.filter(pk=invoice.pk).update(
        status="paid", number=f"F-{today.year}-0999", issued_on=today, due_on=today,
        paid_on=today, total_net=250, total_gross=250,
        buyer={"name": org.name, "address": org.address, "kind": org.kind},
        seller={"name": "Association Algoric", "iban": "FR7630006000011234567890189"})
    invoice.refresh_from_db()
    quote = Quote.objects.create(
        number=f"D-{today.year}-0999", organisation=org, request=request, issued_on=today,
        valid_until=today + dt.timedelta(days=30), buyer={"name": org.name},
        seller={"name": "Association Algoric"})
    return World(
        invoice=invoice, quote=quote,
        session=session, event=event, registration=registration, trainer=session.trainer,
        org=org, other_org=other_org, representative=representative, plain=plain,
        outsider=outsider, staff_nomfa=StaffFactory(), staff=staff_with_mfa,
        project=project, other_project=other_project, request=request, comment=comment,
        allocation=allocation, extension=extension, agreement=agreement, invitation=invitation,
        project_invitation=project_invitation, project_member=project_member,
        org_member=colleague_link, report=report, centre_report=centre_report,
        accounting_import=accounting_import, cluster=cluster, alias=alias,
        resource=resource, terms=terms, membership=membership, page=page, output=output,
        api_token=PersonalAccessTokenFactory(user=representative, name=f"Jeton {MARKER}"),
        output_import=OutputImportFactory(project=project, requested_by=representative,
                                          collection=f"COLL-{MARKER}".upper()))


@pytest.fixture
def world(db, staff_with_mfa) -> World:
    return build_world(staff_with_mfa)


@pytest.fixture
def hostile_user(db):
    return UserFactory()
