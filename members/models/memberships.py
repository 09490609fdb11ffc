"""Yearly memberships (adhésions) of organisations and the fee schedule."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation, OrganisationKind


class FeeSchedule(models.Model):
    """The yearly membership fee (cotisation) for one kind of organisation, in euros."""

    kind = models.CharField(_("kind of organisation"), max_length=16,
                            choices=OrganisationKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (EUR)"), max_digits=9, decimal_places=2)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("membership fee")
        verbose_name_plural = _("membership fees")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="fee_schedule_kind_year_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_schedule_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.amount} €"


class Membership(models.Model):
    """An organisation's membership of the association for one calendar year."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting payment")
        PAID = "paid", _("paid")
        WAIVED = "waived", _("waived")
        LAPSED = "lapsed", _("lapsed")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="memberships",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    fee = models.DecimalField(_("fee (EUR)"), max_digits=9, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PENDING)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"],
                                    name="membership_organisation_year_unique"),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(payment_reference="")),
                name="membership_paid_has_date_and_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} ({self.status})"

    @property
    def is_in_good_standing(self) -> bool:
        """Paid or waived: the organisation is a member for ``year``."""
        return self.status in {self.Status.PAID, self.Status.WAIVED}


class MembershipEvent(models.Model):
    """One status change of a membership: who, when, from, to, note."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.membership}: {self.from_status or '∅'} → {self.to_status}"
