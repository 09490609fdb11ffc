"""The centre's resource catalogue: what Algoric offers, in which unit, at what price."""

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.models import OrganisationKind
from members.models.agreements import private_storage


class ResourceKind(models.TextChoices):
    """Kinds of resource and, through :data:`UNITS`, the unit amounts are counted in."""

    CPU = "cpu", _("CPU")
    GPU = "gpu", _("GPU")
    DISK = "disk", _("disk storage")
    TAPE = "tape", _("tape storage")
    DATABASE = "database", _("database")
    VM = "vm", _("virtual machines")


#: The unit of each kind, as shown next to amounts.
UNITS = {
    ResourceKind.CPU: _("core-hours"),
    ResourceKind.GPU: _("GPU-hours"),
    ResourceKind.DISK: _("TB"),
    ResourceKind.TAPE: _("TB"),
    ResourceKind.DATABASE: _("TB"),
    ResourceKind.VM: _("virtual machines"),
}


class ResourceQuerySet(models.QuerySet):
    def active(self):
        """Resources that can be requested."""
        return self.filter(is_active=True)

    def public(self):
        """Active resources shown on the public hardware page."""
        return self.filter(is_active=True, is_public=True)


class Resource(models.Model):
    """One resource of the catalogue, with its yearly capacity and its energy figures.

    ``capacity_per_year`` is in the kind's unit (core-hours, GPU-hours, TB or VMs).
    Power figures feed the Green Algorithms estimate (see ``resources.energy``):
    ``watts_per_core`` and ``memory_gb_per_core`` for CPU, ``watts_per_gpu`` for GPU.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    capacity_per_year = models.DecimalField(
        _("capacity per year"), max_digits=14, decimal_places=2,
        help_text=_("In the unit of the kind: core-hours, GPU-hours, TB or virtual machines."),
    )
    slurm_cluster = models.CharField(_("Slurm cluster"), max_length=64, blank=True)
    slurm_partition = models.CharField(_("Slurm partition"), max_length=64, blank=True)
    watts_per_core = models.DecimalField(
        _("power per core (W)"), max_digits=8, decimal_places=2, null=True, blank=True)
    memory_gb_per_core = models.DecimalField(
        _("memory per core (GB)"), max_digits=8, decimal_places=2, null=True, blank=True)
    watts_per_gpu = models.DecimalField(
        _("power per GPU (W)"), max_digits=8, decimal_places=2, null=True, blank=True)
    is_public = models.BooleanField(_("shown on the public site"), default=True)
    is_active = models.BooleanField(_("can be requested"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["order", "kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity_per_year__gte=0),
                                   name="resource_capacity_gte_0"),
            models.CheckConstraint(
                condition=Q(watts_per_core__isnull=True) | Q(watts_per_core__gte=0),
                name="resource_watts_per_core_gte_0"),
            models.CheckConstraint(
                condition=Q(watts_per_gpu__isnull=True) | Q(watts_per_gpu__gte=0),
                name="resource_watts_per_gpu_gte_0"),
            models.CheckConstraint(
                condition=Q(memory_gb_per_core__isnull=True) | Q(memory_gb_per_core__gte=0),
                name="resource_memory_per_core_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> str:
        """The unit amounts of this resource are counted in (translated)."""
        return str(UNITS[ResourceKind(self.kind)])

    @property
    def description(self) -> str:
        """The description in the active language (French when the English one is empty)."""
        language = (translation.get_language() or "fr")[:2]
        if language == "en" and self.description_en:
            return self.description_en
        return self.description_fr


class ResourcePrice(models.Model):
    """The price of one unit of a resource for one kind of organisation, in euros (0 allowed)."""

    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE,
                                 related_name="prices")
    organisation_kind = models.CharField(_("kind of organisation"), max_length=16,
                                         choices=OrganisationKind.choices)
    price_per_unit = models.DecimalField(_("price per unit (EUR)"), max_digits=10,
                                         decimal_places=4)

    class Meta:
        verbose_name = _("resource price")
        verbose_name_plural = _("resource prices")
        ordering = ["resource", "organisation_kind"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "organisation_kind"],
                                    name="resource_price_unique"),
            models.CheckConstraint(condition=Q(price_per_unit__gte=0),
                                   name="resource_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} / {self.organisation_kind}: {self.price_per_unit} €"


class Cluster(models.Model):
    """A Slurm cluster whose accounting the portal imports.

    ``api_token_hash`` is the SHA-256 of the token the cluster's nightly ``sacct``
    push presents (``Authorization: Bearer …``); the token itself is shown once.
    """

    name = models.CharField(_("name"), max_length=64, unique=True,
                            help_text=_("As Slurm names it (the Cluster field of sacct)."))
    api_token_hash = models.CharField(max_length=64, blank=True)
    api_token_created_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The last Slurm synchronisation (``slurm_sync``) and accounting collection
    # (``collect_accounting``) run against this cluster: when, whether it worked, why not.
    last_sync_at = models.DateTimeField(_("last Slurm sync"), null=True, blank=True)
    last_sync_ok = models.BooleanField(_("last Slurm sync worked"), null=True, blank=True)
    last_sync_error = models.TextField(_("last Slurm sync error"), blank=True)
    last_sync_changes = models.PositiveIntegerField(_("changes applied by the last sync"),
                                                    default=0)
    last_collect_at = models.DateTimeField(_("last accounting collection"), null=True,
                                           blank=True)
    last_collect_ok = models.BooleanField(_("last accounting collection worked"), null=True,
                                          blank=True)
    last_collect_error = models.TextField(_("last accounting collection error"), blank=True)
    last_collect_jobs = models.PositiveIntegerField(_("jobs added by the last collection"),
                                                    default=0)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccountingImport(models.Model):
    """One accounting file (uploaded, pushed or collected) and what its import found."""

    class Format(models.TextChoices):
        SACCT = "sacct", _("Slurm sacct (parsable)")
        SWF = "swf", _("Standard Workload Format")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("upload")
        API = "api", _("push from the cluster")
        COMMAND = "command", _("command line")
        COLLECT = "collect", _("collected with sacct")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        DONE_WITH_ERRORS = "done_with_errors", _("done with errors")
        FAILED = "failed", _("failed")

    cluster = models.CharField(_("cluster"), max_length=64)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("stored file"), storage=private_storage, blank=True,
                            max_length=200)
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    time_shift = models.DurationField(
        _("time shift"), default=timedelta(0),
        help_text=_("The real trace's times were moved by this much (demonstration "
                    "imports); zero for a centre's own accounting."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.QUEUED)
    bytes_read = models.BigIntegerField(_("bytes read"), default=0)
    lines_read = models.PositiveIntegerField(_("lines read"), default=0)
    jobs_added = models.PositiveIntegerField(_("jobs added"), default=0)
    duplicates_skipped = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    steps_skipped = models.PositiveIntegerField(_("steps skipped"), default=0)
    unfinished_skipped = models.PositiveIntegerField(_("unfinished jobs skipped"), default=0)
    error_count = models.PositiveIntegerField(_("bad lines"), default=0)
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    created_by = models.ForeignKey("members.User", verbose_name=_("by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Earliest and latest submit and end time of the file's jobs (shifted), set when
    # the import is done: what the pages say about shifted traces, and the spans
    # that let a later import COPY its jobs straight into the job table.
    first_submit = models.DateTimeField(_("first submit time"), null=True, blank=True)
    last_submit = models.DateTimeField(_("last submit time"), null=True, blank=True)
    first_end = models.DateTimeField(_("first end time"), null=True, blank=True)
    last_end = models.DateTimeField(_("last end time"), null=True, blank=True)

    class Meta:
        verbose_name = _("accounting import")
        verbose_name_plural = _("accounting imports")
        ordering = ["-created_at"]
        constraints = [
            # The same file (with the same time shift) is refused as a duplicate
            # unless its earlier import failed.
            models.UniqueConstraint(fields=["sha256", "time_shift"],
                                    condition=~Q(status="failed"),
                                    name="accounting_import_file_once"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.cluster}, {self.status})"

    @property
    def progress_percent(self) -> int:
        """How much of the file has been read, 0–100."""
        if self.status in {self.Status.DONE, self.Status.DONE_WITH_ERRORS}:
            return 100
        if not self.size_bytes:
            return 0
        return min(100, int(self.bytes_read * 100 / self.size_bytes))


class JobRecord(models.Model):
    """One finished job from a cluster's accounting.

    Unique by (cluster, raw job id, submit time): job ids wrap and requeued jobs
    repeat. Times are timezone-aware (UTC in the files). ``core_hours`` = elapsed
    seconds × allocated CPUs / 3600; ``gpu_hours`` from ``gres/gpu`` in AllocTRES;
    ``energy_kwh`` measured (ConsumedEnergyRaw) or estimated (Green Algorithms).
    """

    class EnergyMethod(models.TextChoices):
        MEASURED = "measured", _("measured")
        ESTIMATED = "estimated", _("estimated")
        NONE = "none", _("not known")

    cluster = models.CharField(max_length=64)
    job_id = models.CharField(max_length=64)
    job_id_raw = models.CharField(max_length=32)
    job_name = models.TextField(blank=True)
    account = models.CharField(max_length=64)
    user = models.CharField(max_length=64, blank=True)
    group = models.CharField(max_length=64, blank=True)
    partition = models.CharField(max_length=64, blank=True)
    qos = models.CharField(max_length=64, blank=True)
    submit_time = models.DateTimeField()
    eligible_time = models.DateTimeField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField()
    elapsed_seconds = models.BigIntegerField()
    nodes = models.PositiveIntegerField(default=0)
    cpus = models.PositiveIntegerField(default=0)
    gpus = models.PositiveIntegerField(default=0)
    requested_memory_mb = models.BigIntegerField(null=True, blank=True)
    time_limit_minutes = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=32)
    exit_code = models.CharField(max_length=16, blank=True)
    core_hours = models.FloatField()
    gpu_hours = models.FloatField(default=0)
    energy_kwh = models.FloatField(null=True, blank=True)
    energy_method = models.CharField(max_length=10, choices=EnergyMethod.choices,
                                     default=EnergyMethod.NONE)
    # No database constraint: checking it costs about 17 % of a PostgreSQL import
    # (measured on 1M jobs); Django still applies SET_NULL when an import is deleted.
    accounting_import = models.ForeignKey(AccountingImport, on_delete=models.SET_NULL,
                                          null=True, blank=True, related_name="jobs",
                                          db_constraint=False)

    class Meta:
        verbose_name = _("job record")
        verbose_name_plural = _("job records")
        constraints = [
            models.UniqueConstraint(fields=["cluster", "job_id_raw", "submit_time"],
                                    name="job_record_unique"),
        ]
        indexes = [
            # A project's jobs in a time range (reports, the Slurm synchronisation):
            # ``account IN (…)`` or (cluster, account) pairs, and an end-time range.
            models.Index(fields=["account", "end_time"], name="job_account_end"),
            models.Index(fields=["end_time"], name="job_end"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster}:{self.job_id}"


class UsageSummary(models.Model):
    """Sums of job records by (cluster, account, partition, user, month, state).

    ``month`` is the first day of the month of the jobs' end time in the centre's
    time zone (``TIME_ZONE``). Kept up to date by every import, so pages never scan
    job records.
    """

    cluster = models.CharField(max_length=64)
    account = models.CharField(max_length=64)
    partition = models.CharField(max_length=64, blank=True)
    user = models.CharField(max_length=64, blank=True)
    month = models.DateField()
    state = models.CharField(max_length=32)
    jobs = models.PositiveIntegerField(default=0)
    core_hours = models.FloatField(default=0)
    gpu_hours = models.FloatField(default=0)
    energy_kwh_measured = models.FloatField(default=0)
    energy_kwh_estimated = models.FloatField(default=0)
    wait_seconds = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("usage summary")
        verbose_name_plural = _("usage summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "account", "partition", "user", "month", "state"],
                name="usage_summary_unique"),
        ]
        indexes = [models.Index(fields=["account", "month"], name="usage_account_month")]

    def __str__(self) -> str:
        return f"{self.cluster}:{self.account} {self.month:%Y-%m} {self.state}"
