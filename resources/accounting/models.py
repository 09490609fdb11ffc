"""The accounting data: imported files, the job records they hold, the usage summaries.

They belong to the ``resources`` app (table names ``resources_…``, app label
``resources``: Django takes it from the module path) and are re-exported by
:mod:`resources.models`.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models.agreements import private_storage


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


#: Statuses after which an import is never run again (its page stops refreshing).
FINISHED_STATUSES = frozenset({
    AccountingImport.Status.DONE,
    AccountingImport.Status.DONE_WITH_ERRORS,
    AccountingImport.Status.FAILED,
})


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
