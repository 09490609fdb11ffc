"""Quotes (devis): what a resource request would cost at the catalogue's prices."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from members.models.agreements import private_storage
from projects.models import ResourceRequest


class Quote(models.Model):
    """A quote to an organisation for a submitted resource request, in euros.

    Numbered ``D-<year>-<n>`` when made (quotes need no gapless series, but get one from
    the same counters); lines per resource and year at the prices for the organisation's
    kind; valid until ``valid_until``; ``accepted_at``/``accepted_by`` record acceptance.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")

    number = models.CharField(_("number"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.SENT)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="quotes")
    request = models.ForeignKey(ResourceRequest, verbose_name=_("resource request"),
                                on_delete=models.PROTECT, related_name="quotes")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default="fr")
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    total_net = models.DecimalField(_("total excluding VAT (EUR)"), max_digits=12,
                                    decimal_places=2, default=Decimal("0.00"))
    total_vat = models.DecimalField(_("VAT (EUR)"), max_digits=12, decimal_places=2,
                                    default=Decimal("0.00"))
    total_gross = models.DecimalField(_("total including VAT (EUR)"), max_digits=12,
                                      decimal_places=2, default=Decimal("0.00"))
    seller = models.JSONField(_("seller"), default=dict, blank=True)
    buyer = models.JSONField(_("buyer"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, blank=True, max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("made by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted by"),
                                    on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_at__isnull=False),
                name="quote_accepted_has_date"),
        ]

    def __str__(self) -> str:
        return self.number


class QuoteLine(models.Model):
    """One resource and year of a quote: ``quantity`` in the resource's unit ×
    ``unit_price`` EUR, at ``vat_rate`` percent; ``net_amount`` rounded half up."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("label"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    unit_price = models.DecimalField(_("unit price (EUR)"), max_digits=12, decimal_places=4)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    net_amount = models.DecimalField(_("amount excluding VAT (EUR)"), max_digits=12,
                                     decimal_places=2)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.quote}: {self.label} {self.year}"
