"""Research outputs: what a project's computing produced (publications, data sets,
software), with its identifiers and how open it is.

One output may belong to several projects. The same DOI, or the same HAL id, is one
output: both are unique in the table (partial unique constraints, empty values aside),
stored normalised by :mod:`projects.outputs.identifiers` (DOI in lower case without
resolver prefix, HAL id without version).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .projects import Project


class ResearchOutputQuerySet(models.QuerySet):
    def open(self):
        """Outputs in open access."""
        return self.filter(open_access=ResearchOutput.OpenAccess.OPEN)

    def in_hal(self):
        """Outputs deposited in HAL (with a HAL id)."""
        return self.exclude(hal_id="")

    def public(self):
        """Outputs of at least one project whose summary is public."""
        return self.filter(projects__in=Project.objects.public()).distinct()


class ResearchOutput(models.Model):
    """A publication, data set, piece of software or other output of the centre's projects.

    ``authors`` are kept as written (``"Le Goff, Anne and Martin, Paul"``); ``year`` is the
    year of publication; ``title_key`` is the title reduced to lower-case letters and
    digits, so an output without DOI or HAL id is recognised by (``title_key``, ``year``).
    ``source`` says how it came in (form, BibTeX, HAL, demo).
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", _("journal article")
        PREPRINT = "preprint", _("preprint")
        CONFERENCE = "conference", _("conference paper")
        THESIS = "thesis", _("thesis")
        CHAPTER = "chapter", _("book chapter")
        DATASET = "dataset", _("data set")
        SOFTWARE = "software", _("software")
        OTHER = "other", _("other")

    class OpenAccess(models.TextChoices):
        OPEN = "open", _("open access")
        EMBARGOED = "embargoed", _("under embargo")
        CLOSED = "closed", _("closed")
        UNKNOWN = "unknown", _("unknown")

    class Source(models.TextChoices):
        FORM = "form", _("form")
        BIBTEX = "bibtex", _("BibTeX file")
        HAL = "hal", _("HAL")
        DEMO = "demo", _("demonstration")

    #: The kinds that are publications (for the reports' counts).
    PUBLICATION_KINDS = (Kind.ARTICLE, Kind.PREPRINT, Kind.CONFERENCE, Kind.THESIS,
                         Kind.CHAPTER)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=500)
    title_key = models.CharField(max_length=500, db_index=True, editable=False)
    authors = models.TextField(_("authors"), max_length=4000, blank=True,
                               help_text=_("As written in the publication."))
    year = models.PositiveSmallIntegerField(_("year"))
    venue = models.CharField(_("journal, conference or repository"), max_length=300,
                             blank=True)
    doi = models.CharField(_("DOI"), max_length=255, blank=True,
                           help_text=_("For example 10.1051/0004-6361/202345678."))
    hal_id = models.CharField(_("HAL id"), max_length=40, blank=True,
                              help_text=_("For example hal-01234567."))
    arxiv_id = models.CharField(_("arXiv id"), max_length=40, blank=True,
                                help_text=_("For example 2401.01234 or hep-th/9901001."))
    swhid = models.CharField(_("Software Heritage id (SWHID)"), max_length=120, blank=True,
                             help_text=_("For example swh:1:dir: followed by 40 hexadecimal "
                                         "digits."))
    url = models.URLField(_("link"), max_length=500, blank=True)
    open_access = models.CharField(_("open access"), max_length=16,
                                   choices=OpenAccess.choices, default=OpenAccess.UNKNOWN)
    licence = models.CharField(_("licence"), max_length=100, blank=True,
                               help_text=_("For example CC-BY-4.0 or GPL-3.0-or-later."))
    acknowledges_centre = models.BooleanField(
        _("acknowledges the centre"), default=False,
        help_text=_("The output thanks Algoric for the computing time."))
    projects = models.ManyToManyField(Project, verbose_name=_("projects"),
                                      related_name="outputs")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices,
                              default=Source.FORM)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResearchOutputQuerySet.as_manager()

    class Meta:
        verbose_name = _("research output")
        verbose_name_plural = _("research outputs")
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["doi"], condition=~Q(doi=""),
                                    name="research_output_unique_doi"),
            models.UniqueConstraint(fields=["hal_id"], condition=~Q(hal_id=""),
                                    name="research_output_unique_hal_id"),
            models.CheckConstraint(condition=Q(year__gte=1900, year__lte=2200),
                                   name="research_output_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    @property
    def is_open(self) -> bool:
        """True when the output is in open access."""
        return self.open_access == self.OpenAccess.OPEN

    @property
    def doi_url(self) -> str:
        """The DOI as a resolver link (``https://doi.org/…``), or ``""``."""
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def hal_url(self) -> str:
        """The HAL notice's address, or ``""``."""
        return f"https://hal.science/{self.hal_id}" if self.hal_id else ""

    @property
    def swh_url(self) -> str:
        """The Software Heritage archive's address of the SWHID, or ``""``."""
        return f"https://archive.softwareheritage.org/{self.swhid}" if self.swhid else ""

    @property
    def arxiv_url(self) -> str:
        """The arXiv abstract page, or ``""``."""
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else ""


class OutputImportQuerySet(models.QuerySet):
    def active(self):
        """Imports still on their way (``queued`` or ``running``)."""
        return self.filter(status__in=OutputImport.ACTIVE)


class OutputImport(models.Model):
    """One import of a project's outputs from an outside source (HAL), run by a worker.

    ``hal_id`` or ``collection`` is what the person gave (one document, or a collection
    code or query). ``status``: ``queued`` → ``running`` → ``done`` | ``failed``; at most
    one import per project is ``queued`` or ``running`` (a partial unique constraint).
    The counts are the import's outcomes (added, linked, already known, refused);
    ``refusals`` lists at most ``REFUSALS_KEPT`` refused documents
    (``[{"key", "title", "reasons": [...]}]``). A failed import keeps ``error_code`` (a
    key of :data:`ERRORS`, shown in the reader's language) and ``error``, the message
    as it was written (shown for a code not in :data:`ERRORS`).
    """

    class Source(models.TextChoices):
        HAL = "hal", _("HAL")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    #: The statuses of an import still on its way.
    ACTIVE = (Status.QUEUED, Status.RUNNING)
    #: How many refused documents are kept.
    REFUSALS_KEPT = 20
    #: Why an import failed, by ``error_code``, in words for the person who asked.
    ERRORS = {
        "hal_unavailable": _(
            "HAL cannot be reached right now (no answer from api.archives-ouvertes.fr). "
            "Nothing was imported. Try again later, or export the list from HAL as BibTeX "
            "and upload that file."),
        "hal_query": _("HAL refused the search: check the collection code or the query."),
        "not_allowed": _("Only the project's people may add its outputs."),
        "interrupted": _("The import did not finish in time; nothing was imported. You may "
                         "start it again."),
        "internal": _("The import stopped on an unexpected error; nothing was imported. "
                      "Try again later."),
    }

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="output_imports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices,
                              default=Source.HAL)
    hal_id = models.CharField(_("HAL id"), max_length=100, blank=True)
    collection = models.CharField(_("HAL collection or query"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.QUEUED)
    found = models.PositiveIntegerField(_("documents found"), default=0)
    added = models.PositiveIntegerField(_("documents added"), default=0)
    linked = models.PositiveIntegerField(_("documents linked"), default=0)
    known = models.PositiveIntegerField(_("documents already recorded"), default=0)
    refused = models.PositiveIntegerField(_("documents refused"), default=0)
    refusals = models.JSONField(_("refused documents"), default=list, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = OutputImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("output import")
        verbose_name_plural = _("output imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["project"],
                                    condition=Q(status__in=["queued", "running"]),
                                    name="output_import_one_active_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.hal_id or self.collection} ({self.status})"

    @property
    def query(self) -> str:
        """What was asked of the source: the HAL id, or the collection or query."""
        return self.hal_id or self.collection

    @property
    def error_text(self) -> str:
        """Why the import failed, in the active language (``""`` unless failed)."""
        if self.error_code == "hal_not_found":
            return _("HAL has no document %(hal_id)s.") % {"hal_id": self.hal_id}
        return str(self.ERRORS.get(self.error_code, self.error))

    @property
    def is_active(self) -> bool:
        """True while the import is queued or running."""
        return self.status in self.ACTIVE
