"""The centre's resource catalogue: what Algoric offers, in which unit, at what price."""

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.models import OrganisationKind


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
    """Filters of the catalogue: what can be requested, what the public page shows."""

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
