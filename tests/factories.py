"""Factories for the test suite (factory-boy): one or more for every model of the portal.

Each builds a plain row that passes ``full_clean()`` (``tests/test_factories.py`` checks
it), with the defaults of a centre in Auray (Brittany): French organisations, Slurm
accounts in lower case, amounts in core-hours. Rows that a service makes on purpose
(status histories, proposed Slurm accounts, agreement numbers) are for the services:
call them in the tests that need that.

``django_get_or_create`` is used for reference rows with a natural key (pages, fees,
terms, resources, prices, clusters, agreement counters); rows of the members' own work
(projects, memberships, requests…) are always new, so a duplicate is an error.
"""

import datetime as dt
import hashlib
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from algoric.audit.models import AuditEvent
from algoric.notifications.models import Notification, NotificationPreference
from algoric.pages.models import Page
from api.models import PersonalAccessToken
from api.models.tokens import secret_hash
from billing.models import (
    Invoice,
    InvoiceCounter,
    InvoiceEvent,
    InvoiceLine,
    Payment,
    Quote,
    QuoteLine,
)
from members.models import (
    Agreement,
    AgreementEvent,
    AgreementNumberSequence,
    FeeSchedule,
    Invitation,
    Membership,
    MembershipEvent,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    TermsTemplate,
    User,
)
from members.validators import luhn_complete
from projects.models import (
    AccountAlias,
    ActivityReport,
    Allocation,
    AllocationEvent,
    AllocationExtension,
    AllocationGrant,
    Field,
    OutputImport,
    Project,
    ProjectInvitation,
    ProjectMember,
    RequestComment,
    RequestEvent,
    ResearchOutput,
    ResourceRequest,
    ResourceRequestCell,
    ResourceRequestRow,
    UsageReport,
)
from resources.models import (
    AccountingImport,
    Cluster,
    JobRecord,
    Resource,
    ResourceKind,
    ResourcePrice,
    UsageSummary,
)
from training.models import (
    Course,
    CourseLogin,
    Event,
    Feedback,
    Registration,
    Session,
    Trainer,
)

PASSWORD = "correct-Horse-battery-2026"
#: The Slurm cluster of the centre, as ``sacct`` names it.
CLUSTER_NAME = "algoric"


def this_year() -> int:
    """The current year in the centre's time zone (``TIME_ZONE``)."""
    return timezone.localdate().year


# --- People and organisations (members) -----------------------------------------------------

class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified primary email and the password :data:`PASSWORD`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    language = "fr"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    """A staff member without two-factor authentication yet: treated as a plain member
    until enrolled (``mfa=True``, or the ``staff_with_mfa`` fixture, enrol TOTP)."""

    is_staff = True
    is_superuser = True

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        if create and extracted:
            TOTP.activate(self, generate_totp_secret())


class PageFactory(factory.django.DjangoModelFactory):
    """A public page with French and English text."""

    class Meta:
        model = Page
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"page-{n}")
    title_fr = "Titre de la page"
    title_en = "Page title"
    body_fr = "Bonjour **tout le monde**."
    body_en = "Hello **everyone**."


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An SME with a valid SIRET (Luhn-checked), in French."""

    class Meta:
        model = Organisation

    kind = OrganisationKind.SME
    name = factory.Sequence(lambda n: f"Calcul Marin {n} SARL")
    siret = factory.Sequence(lambda n: siret_for(n))
    address = "2 rue du Port"
    postal_code = "56400"
    city = "Auray"
    contact_email = factory.Sequence(lambda n: f"contact{n}@org.example")
    language = "fr"


def siret_for(n: int) -> str:
    """A 14-digit SIRET number whose SIREN and SIRET both pass the Luhn check (as
    ``stdnum.fr.siret`` checks), distinct for each ``n`` below 10 million."""
    siren = luhn_complete(f"7{n:07d}")
    return luhn_complete(f"{siren}0001")


class OrganisationMemberFactory(factory.django.DjangoModelFactory):
    """A new person with a role (plain member by default) in an organisation."""

    class Meta:
        model = OrganisationMember

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganisationMember.Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation by email to join an organisation as a member, valid 7 days."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = OrganisationMember.Role.MEMBER
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class FeeScheduleFactory(factory.django.DjangoModelFactory):
    """This year's membership fee of SMEs: 250 €."""

    class Meta:
        model = FeeSchedule
        django_get_or_create = ("kind", "year")

    kind = OrganisationKind.SME
    year = factory.LazyFunction(this_year)
    amount = Decimal("250.00")


class MembershipFactory(factory.django.DjangoModelFactory):
    """An SME's membership of this year, awaiting payment of 250 € (``paid=True``: paid)."""

    class Meta:
        model = Membership

    class Params:
        paid = factory.Trait(
            status=Membership.Status.PAID,
            paid_on=factory.LazyFunction(timezone.localdate),
            payment_reference="VIR-1",
        )

    organisation = factory.SubFactory(OrganisationFactory)
    year = factory.LazyFunction(this_year)
    fee = Decimal("250.00")
    status = Membership.Status.PENDING


class MembershipEventFactory(factory.django.DjangoModelFactory):
    """The opening of a membership (nothing → awaiting payment)."""

    class Meta:
        model = MembershipEvent

    membership = factory.SubFactory(MembershipFactory)
    from_status = ""
    to_status = Membership.Status.PENDING


class TermsTemplateFactory(factory.django.DjangoModelFactory):
    """Published SME agreement terms, version 1, in French and English."""

    class Meta:
        model = TermsTemplate
        django_get_or_create = ("kind", "version")

    kind = OrganisationKind.SME
    version = 1
    title_fr = "Convention d'accès"
    title_en = "Access agreement"
    body_fr = "## Article 1\n\nObjet de la convention."
    body_en = "## Article 1\n\nPurpose of the agreement."
    is_published = True


class AgreementNumberSequenceFactory(factory.django.DjangoModelFactory):
    """This year's agreement counter, no number given yet."""

    class Meta:
        model = AgreementNumberSequence
        django_get_or_create = ("year",)

    year = factory.LazyFunction(this_year)
    last_number = 0


class AgreementFactory(factory.django.DjangoModelFactory):
    """A draft SME agreement under version 1 terms (``active=True``: in force for a year)."""

    class Meta:
        model = Agreement

    class Params:
        active = factory.Trait(
            status=Agreement.Status.ACTIVE,
            starts_on=factory.LazyFunction(timezone.localdate),
            ends_on=factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=364)),
        )

    # From AG-<year>-5000 up: out of the way of the service's numbers (AG-<year>-0001 up).
    number = factory.Sequence(lambda n: f"AG-{this_year()}-{5000 + n:04d}")
    organisation = factory.SubFactory(OrganisationFactory)
    kind = factory.SelfAttribute("organisation.kind")
    terms = factory.SubFactory(TermsTemplateFactory, kind=factory.SelfAttribute("..kind"))
    status = Agreement.Status.DRAFT
    signatory_name = "Annaïg Le Floch"
    signatory_title = "Gérante"


class AgreementEventFactory(factory.django.DjangoModelFactory):
    """The submission of an agreement (draft → submitted)."""

    class Meta:
        model = AgreementEvent

    agreement = factory.SubFactory(AgreementFactory, status=Agreement.Status.SUBMITTED)
    from_status = Agreement.Status.DRAFT
    to_status = Agreement.Status.SUBMITTED


# --- The catalogue and the accounting (resources) -------------------------------------------

class ResourceFactory(factory.django.DjangoModelFactory):
    """A CPU partition of the Algoric cluster (``gpu=True``: GPUs; ``disk=True``: storage)."""

    class Meta:
        model = Resource
        django_get_or_create = ("name",)

    class Params:
        gpu = factory.Trait(
            name=factory.Sequence(lambda n: f"GPU V100 {n}"),
            kind=ResourceKind.GPU,
            capacity_per_year=Decimal(40_000),
            slurm_partition="gpu",
            watts_per_core=None,
            memory_gb_per_core=None,
            watts_per_gpu=Decimal("300"),
        )
        disk = factory.Trait(
            name=factory.Sequence(lambda n: f"Disque projet {n}"),
            kind=ResourceKind.DISK,
            capacity_per_year=Decimal(100),
            slurm_cluster="",
            slurm_partition="",
            watts_per_core=None,
            memory_gb_per_core=None,
        )

    name = factory.Sequence(lambda n: f"CPU Bretagne {n}")
    kind = ResourceKind.CPU
    description_fr = "Nœuds de calcul bi-processeurs, 64 cœurs, 256 Go de mémoire."
    description_en = "Dual-socket compute nodes, 64 cores, 256 GB of memory."
    capacity_per_year = Decimal(1_000_000)
    slurm_cluster = CLUSTER_NAME
    slurm_partition = "cpu"
    watts_per_core = Decimal("10")
    memory_gb_per_core = Decimal("4")


class ResourcePriceFactory(factory.django.DjangoModelFactory):
    """The SME price of a CPU resource: 0.01 € per core-hour."""

    class Meta:
        model = ResourcePrice
        django_get_or_create = ("resource", "organisation_kind")

    resource = factory.SubFactory(ResourceFactory)
    organisation_kind = OrganisationKind.SME
    price_per_unit = Decimal("0.01")


class ClusterFactory(factory.django.DjangoModelFactory):
    """A Slurm cluster whose accounting the portal imports (no token yet)."""

    class Meta:
        model = Cluster
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"{CLUSTER_NAME}-{n}")


class AccountingImportFactory(factory.django.DjangoModelFactory):
    """A queued upload of a 1 kB ``sacct`` file of the Algoric cluster."""

    class Meta:
        model = AccountingImport

    cluster = CLUSTER_NAME
    format = AccountingImport.Format.SACCT
    source = AccountingImport.Source.UPLOAD
    file_name = factory.Sequence(lambda n: f"{CLUSTER_NAME}-{n:04d}.sacct")
    size_bytes = 1000
    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"accounting file {n}".encode()).hexdigest())
    status = AccountingImport.Status.QUEUED


def _hours_ago(hours: int) -> dt.datetime:
    return timezone.now().replace(microsecond=0) - dt.timedelta(hours=hours)


class JobRecordFactory(factory.django.DjangoModelFactory):
    """A finished one-hour job on 8 cores (8 core-hours) of the project account ``houle``."""

    class Meta:
        model = JobRecord

    cluster = CLUSTER_NAME
    job_id = factory.Sequence(lambda n: str(4100 + n))
    job_id_raw = factory.SelfAttribute("job_id")
    job_name = "houle-sim"
    account = "houle"
    user = "maelle"
    group = "ocean"
    partition = "cpu"
    qos = "normal"
    submit_time = factory.LazyFunction(lambda: _hours_ago(3))
    eligible_time = factory.SelfAttribute("submit_time")
    start_time = factory.LazyAttribute(lambda o: o.submit_time + dt.timedelta(minutes=5))
    end_time = factory.LazyAttribute(lambda o: o.start_time + dt.timedelta(hours=1))
    elapsed_seconds = 3600
    nodes = 1
    cpus = 8
    requested_memory_mb = 16_000
    time_limit_minutes = 240
    state = "COMPLETED"
    exit_code = "0:0"
    core_hours = 8.0


class UsageSummaryFactory(factory.django.DjangoModelFactory):
    """This month's completed jobs of a project account on the CPU partition."""

    class Meta:
        model = UsageSummary

    cluster = CLUSTER_NAME
    account = factory.Sequence(lambda n: f"projet{n}")
    partition = "cpu"
    user = "maelle"
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    state = "COMPLETED"
    jobs = 10
    core_hours = 1000.0
    energy_kwh_estimated = 19.2
    wait_seconds = 3600


# --- Projects, requests and allocations (projects) ------------------------------------------

class ProjectMemberFactory(factory.django.DjangoModelFactory):
    """A new person in a project, as a plain member."""

    class Meta:
        model = ProjectMember

    project = factory.SubFactory("tests.factories.ProjectFactory")
    user = factory.SubFactory(UserFactory)
    role = ProjectMember.Role.MEMBER


def _project_person(project, extracted, role):
    """``extracted`` (a user, or ``True`` for a new person) joins ``project`` with ``role``."""
    user = UserFactory() if extracted is True else extracted
    ProjectMember.objects.create(project=project, user=user, role=role)
    return user


class ProjectFactory(factory.django.DjangoModelFactory):
    """A draft three-year project of an SME (from 1 March this year), its creator as PI.

    ``pi=user`` makes that person its creator and PI (``created_by=None, pi_member=None``:
    no PI); ``manager=`` and ``member=`` (a user, or ``True`` for a new person) add them,
    kept as ``project.manager`` and ``project.member``.
    """

    class Meta:
        model = Project
        skip_postgeneration_save = True

    class Params:
        pi = None

    title = "Houle et submersion du golfe"
    acronym = factory.Sequence(lambda n: f"HOULE{n}")
    summary = "Modélisation de la houle dans le golfe du Morbihan."
    field = Field.EARTH
    organisation = factory.SubFactory(OrganisationFactory)
    starts_on = factory.LazyFunction(lambda: dt.date(this_year(), 3, 1))
    ends_on = factory.LazyAttribute(lambda o: dt.date(o.starts_on.year + 2, 6, 30))
    slurm_account = factory.LazyAttribute(lambda o: o.acronym.lower())
    created_by = factory.Maybe("pi", factory.SelfAttribute("pi"), factory.SubFactory(UserFactory))

    pi_member = factory.RelatedFactory(
        ProjectMemberFactory, factory_related_name="project",
        user=factory.SelfAttribute("..created_by"), role=ProjectMember.Role.PI)

    @factory.post_generation
    def manager(self, create, extracted, **kwargs):
        if create and extracted:
            self.manager = _project_person(self, extracted, ProjectMember.Role.MANAGER)

    @factory.post_generation
    def member(self, create, extracted, **kwargs):
        if create and extracted:
            self.member = _project_person(self, extracted, ProjectMember.Role.MEMBER)


class ProjectInvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation by the project's PI to join it as a member, valid 7 days."""

    class Meta:
        model = ProjectInvitation

    project = factory.SubFactory(ProjectFactory)
    email = factory.Sequence(lambda n: f"colleague{n}@example.org")
    role = ProjectMember.Role.MEMBER
    invited_by = factory.SelfAttribute("project.created_by")
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class ResourceRequestFactory(factory.django.DjangoModelFactory):
    """A draft request for a new project, started by the project's PI (no rows)."""

    class Meta:
        model = ResourceRequest

    project = factory.SubFactory(ProjectFactory)
    kind = ResourceRequest.Kind.NEW
    status = ResourceRequest.Status.DRAFT
    justification = "Trois ans de simulations de submersion."
    created_by = factory.SelfAttribute("project.created_by")


class ResourceRequestRowFactory(factory.django.DjangoModelFactory):
    """A CPU row of a draft request, with its justification."""

    class Meta:
        model = ResourceRequestRow

    request = factory.SubFactory(ResourceRequestFactory)
    resource = factory.SubFactory(ResourceFactory)
    justification = "Runs de houle à 50 m."


class ResourceRequestCellFactory(factory.django.DjangoModelFactory):
    """100 000 core-hours asked for the project's first year (not decided yet)."""

    class Meta:
        model = ResourceRequestCell

    row = factory.SubFactory(ResourceRequestRowFactory)
    year = factory.SelfAttribute("row.request.project.starts_on.year")
    requested = Decimal("100000")


class RequestCommentFactory(factory.django.DjangoModelFactory):
    """A question of the applicant about a request."""

    class Meta:
        model = RequestComment

    request = factory.SubFactory(ResourceRequestFactory)
    author = factory.SelfAttribute("request.created_by")
    body = "Pouvez-vous préciser le nombre de cœurs par simulation ?"


class RequestEventFactory(factory.django.DjangoModelFactory):
    """The submission of a request (draft → submitted) by its author."""

    class Meta:
        model = RequestEvent

    request = factory.SubFactory(ResourceRequestFactory, status=ResourceRequest.Status.SUBMITTED)
    actor = factory.SelfAttribute("request.created_by")
    from_status = ResourceRequest.Status.DRAFT
    to_status = ResourceRequest.Status.SUBMITTED


class AllocationFactory(factory.django.DjangoModelFactory):
    """An active grant of 100 000 core-hours for this year (``suspended=True``: suspended)."""

    class Meta:
        model = Allocation

    class Params:
        suspended = factory.Trait(status=Allocation.Status.SUSPENDED,
                                  suspended_reason="Budget dépassé.")

    project = factory.SubFactory(ProjectFactory, status=Project.Status.ACTIVE)
    resource = factory.SubFactory(ResourceFactory)
    year = factory.LazyFunction(this_year)
    amount = Decimal("100000")
    starts_on = factory.LazyAttribute(lambda o: dt.date(o.year, 1, 1))
    ends_on = factory.LazyAttribute(lambda o: dt.date(o.year, 12, 31))
    status = Allocation.Status.ACTIVE


class AllocationGrantFactory(factory.django.DjangoModelFactory):
    """The whole of an allocation granted by a staff member on an approved request."""

    class Meta:
        model = AllocationGrant

    allocation = factory.SubFactory(AllocationFactory)
    request = factory.SubFactory(ResourceRequestFactory,
                                 project=factory.SelfAttribute("..allocation.project"),
                                 status=ResourceRequest.Status.APPROVED)
    amount = factory.SelfAttribute("allocation.amount")
    granted_by = factory.SubFactory(StaffFactory)


class ActivityReportFactory(factory.django.DjangoModelFactory):
    """The written activity report of a draft renewal, over the project's first year."""

    class Meta:
        model = ActivityReport

    request = factory.SubFactory(ResourceRequestFactory, kind=ResourceRequest.Kind.RENEWAL)
    period_start = factory.SelfAttribute("request.project.starts_on")
    period_end = factory.LazyAttribute(lambda o: dt.date(o.period_start.year, 12, 31))
    work = "Trois campagnes de simulations de houle."
    results = "Un atlas des zones submersibles ; un article soumis."
    problems = "Le portage GPU a pris du retard."
    written_by = factory.SelfAttribute("request.created_by")


class AllocationExtensionFactory(factory.django.DjangoModelFactory):
    """A pending request of the project's PI to end an allocation three months later."""

    class Meta:
        model = AllocationExtension

    allocation = factory.SubFactory(AllocationFactory)
    previous_ends_on = factory.SelfAttribute("allocation.ends_on")
    ends_on = factory.LazyAttribute(lambda o: o.previous_ends_on + dt.timedelta(days=90))
    reason = "La campagne a été décalée de trois mois."
    requested_by = factory.SelfAttribute("allocation.project.created_by")


class AllocationEventFactory(factory.django.DjangoModelFactory):
    """The grant of an allocation by a staff member, in its history."""

    class Meta:
        model = AllocationEvent

    allocation = factory.SubFactory(AllocationFactory)
    action = AllocationEvent.Action.GRANTED
    actor = factory.SubFactory(StaffFactory)
    from_status = Allocation.Status.ACTIVE
    to_status = Allocation.Status.ACTIVE
    amount = factory.SelfAttribute("allocation.amount")


class AccountAliasFactory(factory.django.DjangoModelFactory):
    """A Slurm account of the Algoric cluster that staff attributed to a project."""

    class Meta:
        model = AccountAlias

    cluster = CLUSTER_NAME
    account = factory.Sequence(lambda n: f"grp-{n}")
    project = factory.SubFactory(ProjectFactory, status=Project.Status.ACTIVE)
    created_by = factory.SubFactory(StaffFactory)


class UsageReportFactory(factory.django.DjangoModelFactory):
    """This year's usage report of a project, queued (``centre=True``: the centre's)."""

    class Meta:
        model = UsageReport

    class Params:
        centre = factory.Trait(scope=UsageReport.Scope.CENTRE, project=None)

    scope = UsageReport.Scope.PROJECT
    project = factory.SubFactory(ProjectFactory, status=Project.Status.ACTIVE)
    year = factory.LazyFunction(this_year)
    status = UsageReport.Status.QUEUED
    requested_by = factory.SelfAttribute("project.created_by")


class ResearchOutputFactory(factory.django.DjangoModelFactory):
    """A journal article of last year with a unique DOI, in open access, unknown to HAL.

    ``projects=[project, …]`` links it to those projects.
    """

    class Meta:
        model = ResearchOutput
        skip_postgeneration_save = True

    kind = ResearchOutput.Kind.ARTICLE
    title = factory.Sequence(lambda n: f"Modélisation de la houle, partie {n}")
    title_key = factory.LazyAttribute(lambda o: "".join(
        ch for ch in o.title.lower() if ch.isascii() and ch.isalnum()))
    authors = "Le Goff, Anne and Tanguy, Yann"
    year = factory.LazyFunction(lambda: this_year() - 1)
    venue = "Ocean Modelling"
    doi = factory.Sequence(lambda n: f"10.1016/j.ocemod.{n:06d}")
    open_access = ResearchOutput.OpenAccess.OPEN

    @factory.post_generation
    def projects(self, create, extracted, **kwargs):
        if create and extracted:
            self.projects.add(*extracted)


class OutputImportFactory(factory.django.DjangoModelFactory):
    """A finished import from HAL of a project's collection, asked for by its PI."""

    class Meta:
        model = OutputImport

    project = factory.SubFactory(ProjectFactory)
    requested_by = factory.SelfAttribute("project.pi")
    collection = "ALGORIC-HOULE"
    status = OutputImport.Status.DONE
    found = 2
    added = 2


# --- The portal itself (algoric) ------------------------------------------------------------

class AuditEventFactory(factory.django.DjangoModelFactory):
    """A staff member's approval of an agreement, as the audit trail records it."""

    class Meta:
        model = AuditEvent

    category = AuditEvent.Category.STAFF
    action = "agreement.approved"
    actor = factory.SubFactory(StaffFactory)
    actor_label = factory.SelfAttribute("actor.email")
    target_type = "members.agreement"
    target_id = factory.Sequence(str)
    target_label = factory.Sequence(lambda n: f"AG-{this_year()}-{n:04d}")
    ip = "192.0.2.10"
    request_id = factory.Sequence(lambda n: f"{n:032x}")


class NotificationFactory(factory.django.DjangoModelFactory):
    """A pending email to a member, in French, shown in the portal inbox."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    email = factory.SelfAttribute("recipient.email")
    event = "agreement_submitted"
    subject = "[Algoric] Convention soumise"
    body = "Bonjour,\n\nLa convention de votre organisation a été soumise.\n"
    language = "fr"
    status = Notification.Status.PENDING


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    """A member's choice of one weekly digest for the messages about resource requests."""

    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    category = "requests"
    delivery = NotificationPreference.Delivery.WEEKLY
# --- Billing ---------------------------------------------------------------------------------

class InvoiceFactory(factory.django.DjangoModelFactory):
    """A draft invoice to an SME (no lines: add them with ``InvoiceLineFactory``)."""

    class Meta:
        model = Invoice

    organisation = factory.SubFactory(OrganisationFactory)
    language = "fr"


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    """A line of a draft invoice: one day of support at 480 €, VAT-exempt."""

    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = "Accompagnement (1 jour)"
    quantity = Decimal("1")
    unit = "jour"
    unit_price = Decimal("480.00")
    vat_rate = Decimal("0.00")
    net_amount = factory.LazyAttribute(lambda o: (o.quantity * o.unit_price).quantize(
        Decimal("0.01")))


class InvoiceCounterFactory(factory.django.DjangoModelFactory):
    """The invoice counter of a year (``F`` series), no number given yet."""

    class Meta:
        model = InvoiceCounter
        django_get_or_create = ("series", "year")

    series = "F"
    year = factory.LazyFunction(this_year)


class InvoiceEventFactory(factory.django.DjangoModelFactory):
    """A draft invoice's creation in its history."""

    class Meta:
        model = InvoiceEvent

    invoice = factory.SubFactory(InvoiceFactory)
    to_status = Invoice.Status.DRAFT


class PaymentFactory(factory.django.DjangoModelFactory):
    """A bank transfer of 100 € received today (rows only: the services check the invoice)."""

    class Meta:
        model = Payment

    invoice = factory.SubFactory(InvoiceFactory)
    amount = Decimal("100.00")
    paid_on = factory.LazyFunction(timezone.localdate)
    reference = factory.Sequence(lambda n: f"VIR-{n}")


class QuoteFactory(factory.django.DjangoModelFactory):
    """A quote for a resource request of an SME's project, valid 30 days (no lines)."""

    class Meta:
        model = Quote

    number = factory.Sequence(lambda n: f"D-{this_year()}-{n + 1:04d}")
    request = factory.SubFactory(ResourceRequestFactory)
    organisation = factory.SelfAttribute("request.project.organisation")
    issued_on = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))


class QuoteLineFactory(factory.django.DjangoModelFactory):
    """100 000 core-hours at 0.0125 € on a quote."""

    class Meta:
        model = QuoteLine

    quote = factory.SubFactory(QuoteFactory)
    label = "CPU Bretagne"
    year = factory.LazyFunction(this_year)
    quantity = Decimal("100000")
    unit = "heures-cœurs"
    unit_price = Decimal("0.0125")
    vat_rate = Decimal("0.00")
    net_amount = Decimal("1250.00")


# --- API (api) -----------------------------------------------------------------------------

class PersonalAccessTokenFactory(factory.django.DjangoModelFactory):
    """A read token of a member, valid 90 days; the token itself is ``.secret``
    (``expired=True``: expired yesterday; ``revoked=True``: revoked an hour ago)."""

    class Meta:
        model = PersonalAccessToken
        skip_postgeneration_save = True

    class Params:
        expired = factory.Trait(
            created_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=91)),
            expires_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1)))
        revoked = factory.Trait(
            revoked_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1)))

    user = factory.SubFactory(UserFactory)
    name = "carnet d'usage"
    scopes = factory.LazyFunction(lambda: ["read"])
    lookup = factory.Sequence(lambda n: f"t{n:07d}")
    hash = factory.LazyAttribute(lambda o: secret_hash(f"alg_{o.lookup}_test-secret"))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=90))

    @factory.post_generation
    def secret(self, create, extracted, **kwargs):
        self.secret = f"alg_{self.lookup}_test-secret"


# --- Builders of several rows ---------------------------------------------------------------

def allow(organisation) -> Agreement:
    """Let ``organisation`` compute: its membership of this year paid (made, or marked paid)
    and an agreement in force for a year from today, under the latest terms of its kind.

    Plain rows, without the services' history: for tests about what comes after.
    """
    today = timezone.localdate()
    Membership.objects.update_or_create(
        organisation=organisation, year=today.year,
        defaults={"fee": 250, "status": "paid", "paid_on": today, "payment_reference": "VIR-1"})
    terms = (TermsTemplate.objects.filter(kind=organisation.kind).first()
             or TermsTemplateFactory(kind=organisation.kind))
    return AgreementFactory(organisation=organisation, terms=terms, active=True)


# --- Training --------------------------------------------------------------------------

def _in_days(days: int, hour: int = 14) -> dt.datetime:
    """``hour`` o'clock (``TIME_ZONE``) ``days`` days from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


class TrainerFactory(factory.django.DjangoModelFactory):
    """The trainer role of a new member."""

    class Meta:
        model = Trainer

    user = factory.SubFactory(UserFactory)


class CourseFactory(factory.django.DjangoModelFactory):
    """A beginners' Slurm course in French, three hours."""

    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"slurm{n}")
    title = factory.Sequence(lambda n: f"Premiers pas avec Slurm {n}")
    summary = "Soumettre ses travaux avec sbatch et suivre sa consommation."
    level = "beginner"
    language = "fr"
    duration_hours = Decimal("3")
    topics = factory.LazyFunction(lambda: ["slurm"])


class SessionFactory(factory.django.DjangoModelFactory):
    """A published session in ten days, 14:00–17:00, ten seats, registrations until two
    days before. ``trainer=user`` (or ``True`` for a new trainer) teaches it."""

    class Meta:
        model = Session
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: _in_days(10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    registration_deadline = factory.LazyAttribute(lambda o: o.starts_at - dt.timedelta(days=2))
    place = "La Fabrique du Loch, Auray"
    capacity = 10

    @factory.post_generation
    def trainer(self, create, extracted, **kwargs):
        if create and extracted:
            user = extracted if extracted is not True else UserFactory()
            Trainer.objects.get_or_create(user=user)
            self.trainers.add(user)
            self.trainer = user


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration of a new member."""

    class Meta:
        model = Registration

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED


class EventFactory(factory.django.DjangoModelFactory):
    """A published seminar in twenty days."""

    class Meta:
        model = Event

    kind = Event.Kind.SEMINAR
    title = factory.Sequence(lambda n: f"Séminaire calcul sobre {n}")
    starts_at = factory.LazyFunction(lambda: _in_days(20, hour=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    place = "Vannes"
    audience = "Tout public"


class FeedbackFactory(factory.django.DjangoModelFactory):
    """An attendee's answers: four out of five."""

    class Meta:
        model = Feedback

    registration = factory.SubFactory(RegistrationFactory, attended=True)
    rating = 4
    useful = "Les exemples sbatch."


class CourseLoginFactory(factory.django.DjangoModelFactory):
    """A course login of a session, with its account (no name, an ``.invalid`` address)."""

    class Meta:
        model = CourseLogin

    session = factory.SubFactory(SessionFactory)
    login = factory.Sequence(lambda n: f"slurm-20270327-{n:02d}")
    user = factory.SubFactory(UserFactory, first_name="", last_name="",
                              email=factory.LazyAttribute(
                                  lambda o: f"{o.factory_parent.login}@course-login.invalid"),
                              cluster_login=factory.SelfAttribute("..login"))
