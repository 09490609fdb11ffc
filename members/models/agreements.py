"""Membership agreements (conventions), their terms, numbers and history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation, OrganisationKind


def private_storage():
    """The storage of private files (signed agreements, generated PDFs): ``STORAGES['private']``."""
    from django.core.files.storage import storages

    return storages["private"]


class TermsTemplate(models.Model):
    """The terms of an agreement for one kind of organisation, in one version.

    Markdown in French and English, edited by staff. An agreement keeps the version
    it was made under; a new version applies to new drafts and renewals only.
    """

    kind = models.CharField(_("kind of organisation"), max_length=16,
                            choices=OrganisationKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_fr = models.TextField(_("terms (French, Markdown)"))
    body_en = models.TextField(_("terms (English, Markdown)"))
    is_published = models.BooleanField(
        _("published"), default=False,
        help_text=_("Only the latest published version is used for new agreements."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("agreement terms")
        verbose_name_plural = _("agreement terms")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="terms_kind_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class AgreementNumberSequence(models.Model):
    """The last agreement number given in a year; numbers are never reused."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Agreements of the organisations ``user`` belongs to (all of them for staff with
        MFA)."""
        # Imported here: the staff check reads allauth's MFA models, which need the
        # user model, defined in this app and not registered yet when this loads.
        from algoric.core.staff import is_verified_staff

        if is_verified_staff(user):
            return self
        return self.filter(organisation__members__user=user).distinct()


class Agreement(models.Model):
    """The contract between the association and an organisation (convention).

    Workflow (``members.services.agreements``): draft → submitted → approved → signed
    → active → expired; submitted → draft (changes requested) or rejected; active →
    terminated. At most one active agreement per organisation.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved, to sign")
        SIGNED = "signed", _("signed, to countersign")
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        REJECTED = "rejected", _("rejected")
        TERMINATED = "terminated", _("terminated")

    number = models.CharField(_("number"), max_length=16, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="agreements",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    terms = models.ForeignKey(TermsTemplate, verbose_name=_("terms"), on_delete=models.PROTECT,
                              related_name="agreements")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    signatory_name = models.CharField(_("signatory's name"), max_length=150, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=150, blank=True)
    starts_on = models.DateField(_("valid from"), null=True, blank=True)
    ends_on = models.DateField(_("valid until"), null=True, blank=True)
    renewed_from = models.ForeignKey(
        "self", verbose_name=_("renewal of"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="renewals",
    )
    pdf = models.FileField(_("agreement to sign (PDF)"), storage=private_storage, blank=True,
                           max_length=200)
    pdf_fingerprint = models.CharField(max_length=64, blank=True)
    signed_pdf = models.FileField(_("signed copy (PDF)"), storage=private_storage, blank=True,
                                  max_length=200)
    signed_filename = models.CharField(_("uploaded file name"), max_length=120, blank=True)
    signature_report = models.JSONField(
        _("digital signatures of the signed copy"), default=list, blank=True,
        help_text=_("What pyHanko found in the uploaded copy: signer, time, changes after."))
    countersigned_pdf = models.FileField(
        _("countersigned agreement (PDF)"), storage=private_storage, blank=True,
        max_length=200)
    signed_uploaded_at = models.DateTimeField(_("signed copy uploaded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(status="active"),
                name="one_active_agreement_per_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | (Q(starts_on__isnull=False)
                                                 & Q(ends_on__isnull=False)),
                name="agreement_active_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_on"], name="agreement_status_ends")]

    def __str__(self) -> str:
        return f"{self.number} — {self.organisation}"


class AgreementEvent(models.Model):
    """One status change of an agreement: who, when, from, to, note."""

    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"),
                                  on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                              on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement event")
        verbose_name_plural = _("agreement events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.agreement.number}: {self.from_status or '∅'} → {self.to_status}"
