"""Organisations, the people in them, and invitations to join them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..validators import validate_research_code, validate_siret, validate_vat_number


class OrganisationKind(models.TextChoices):
    """Kinds of organisation; agreements and membership fees follow them."""

    SME = "sme", _("SME")
    LAB = "lab", _("Laboratory")
    PUBLIC_BODY = "public_body", _("Public body")
    SCHOOL = "school", _("School")
    ASSOCIATION = "association", _("Association")
    INDIVIDUAL = "individual", _("Individual member")


#: Kinds that must give a SIRET number (French companies).
KINDS_WITH_SIRET = {OrganisationKind.SME}
#: Kinds that may give an RNSR (laboratory) or UAI (school) code.
KINDS_WITH_RESEARCH_CODE = {OrganisationKind.LAB, OrganisationKind.SCHOOL}


class OrganisationQuerySet(models.QuerySet):
    def of_user(self, user):
        """Organisations ``user`` belongs to (any role)."""
        return self.filter(members__user=user).distinct()


class Organisation(models.Model):
    """A legal entity, or an individual member, that joins the association.

    ``language`` is the language its agreement is written in.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[validate_siret],
        help_text=_("14 digits. Required for companies."),
    )
    research_code = models.CharField(
        _("RNSR or UAI code"), max_length=10, blank=True, validators=[validate_research_code],
        help_text=_("Optional, for laboratories (RNSR) and schools (UAI)."),
    )
    vat_number = models.CharField(
        _("intra-EU VAT number"), max_length=20, blank=True, validators=[validate_vat_number],
        help_text=_("Optional; printed on invoices (e.g. FR40303265045)."),
    )
    chorus_service_code = models.CharField(
        _("Chorus Pro service code"), max_length=100, blank=True,
        help_text=_("Public bodies: the service code invoices are addressed to in Chorus Pro."),
    )
    purchase_order_number = models.CharField(
        _("purchase order number"), max_length=50, blank=True,
        help_text=_("Public bodies: the purchase order (engagement) number to quote on "
                    "invoices."),
    )
    usage_invoicing = models.CharField(
        _("computing invoiced"), max_length=16, blank=True,
        choices=[("monthly", _("every month")), ("quarterly", _("every quarter")),
                 ("yearly", _("every year"))],
        help_text=_("For organisations that pay for computing: how often the computing used "
                    "is invoiced. Empty: not invoiced."),
    )
    address = models.TextField(_("postal address"), max_length=500)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=100, default="France")
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="fr",
        help_text=_("Language of the organisation's agreement."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=~Q(siret=""), name="organisation_siret_unique"
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"),
                name="organisation_siret_14_digits",
            ),
            models.CheckConstraint(
                condition=~Q(kind="sme") | ~Q(siret=""), name="organisation_sme_has_siret"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    """A person's role in an organisation."""

    class Role(models.TextChoices):
        REPRESENTATIVE = "representative", _("representative")
        REFERENT = "referent", _("computing and data referent")
        MEMBER = "member", _("member")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="members",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
        related_name="organisation_memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        ordering = ["organisation", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"],
                                    name="organisation_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.role})"


class InvitationQuerySet(models.QuerySet):
    def open(self, now=None):
        """Invitations neither accepted, revoked nor expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True,
                           expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An invitation by email to join an organisation with a role.

    The link carries a signed token of the invitation id (``django.core.signing``);
    it is single-use (``accepted_at``) and expires at ``expires_at``.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=OrganisationMember.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.SET_NULL,
        null=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"

    @property
    def is_open(self) -> bool:
        """Not accepted, not revoked, not expired."""
        return (self.accepted_at is None and self.revoked_at is None
                and self.expires_at > timezone.now())
