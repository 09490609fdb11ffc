"""Invoices and credit notes, their lines, payments, the yearly number counters.

An invoice is a draft until it is issued: then it gets its number (gapless per series
and year, ``F-2027-0001``; credit notes ``A-2027-0001``), the buyer's and the seller's
details are copied onto it and its totals are fixed. From then on nothing of it changes
but its payment status: :meth:`Invoice.save` refuses other changes, lines refuse to be
added, changed or deleted, and on PostgreSQL and SQLite a trigger refuses the same in
the database (migration ``0002``). A correction is a credit note.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Membership, Organisation
from members.models.agreements import private_storage


class InvoiceImmutableError(Exception):
    """Raised when code tries to change an issued invoice or its lines."""


class InvoiceCounter(models.Model):
    """The last number given in a series (``F`` invoices, ``A`` credit notes) and year.

    Locked with ``select_for_update`` while an invoice is issued, so two invoices issued
    at once get consecutive numbers and a rolled-back issue gives its number back.
    """

    series = models.CharField(max_length=1)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"],
                                               name="invoice_counter_series_year_unique")]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


class InvoiceQuerySet(models.QuerySet):
    """Filters of invoices."""

    def issued(self):
        """Invoices and credit notes that carry a number."""
        return self.exclude(status=Invoice.Status.DRAFT)

    def unpaid(self):
        """Issued invoices (not credit notes) not paid in full."""
        return self.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED)


class Invoice(models.Model):
    """An invoice or a credit note to an organisation, in euros.

    ``total_net``, ``total_vat`` and ``total_gross`` (EUR) are fixed at issue: each line
    rounded to the cent (half up), then summed (see ``billing.services.amounts``). A
    credit note's amounts are positive; it cancels ``credited_invoice`` in part or whole.
    ``seller`` and ``buyer`` are the parties' details as printed (JSON, copied at issue).
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("invoice")
        CREDIT_NOTE = "credit_note", _("credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("issued, awaiting payment")
        PAID = "paid", _("paid")
        SETTLED = "settled", _("settled by a credit note")

    #: Number prefix of each kind.
    SERIES = {Kind.INVOICE: "F", Kind.CREDIT_NOTE: "A"}
    #: Fields that may still change after issue (payment status, the stored PDF).
    MUTABLE_AFTER_ISSUE = frozenset({"status", "paid_on", "pdf", "updated_at"})

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    number = models.CharField(_("number"), max_length=20, null=True, blank=True, unique=True)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="invoices")
    membership = models.ForeignKey(Membership, verbose_name=_("membership"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="invoices")
    credited_invoice = models.ForeignKey("self", verbose_name=_("credited invoice"),
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="credit_notes")
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default="fr")
    note = models.TextField(_("note"), blank=True, max_length=2000)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    total_net = models.DecimalField(_("total excluding VAT (EUR)"), max_digits=12,
                                    decimal_places=2, default=Decimal("0.00"))
    total_vat = models.DecimalField(_("VAT (EUR)"), max_digits=12, decimal_places=2,
                                    default=Decimal("0.00"))
    total_gross = models.DecimalField(_("total including VAT (EUR)"), max_digits=12,
                                      decimal_places=2, default=Decimal("0.00"))
    seller = models.JSONField(_("seller"), default=dict, blank=True)
    buyer = models.JSONField(_("buyer"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, blank=True, max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"),
                                  on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-number", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status="draft") | Q(number__isnull=False),
                                   name="invoice_issued_has_number"),
            models.CheckConstraint(condition=Q(status="draft") | Q(issued_on__isnull=False),
                                   name="invoice_issued_has_date"),
            models.CheckConstraint(
                condition=Q(kind="invoice") | Q(credited_invoice__isnull=False),
                name="invoice_credit_note_credits_an_invoice"),
            models.CheckConstraint(condition=Q(total_net__gte=0) & Q(total_vat__gte=0),
                                   name="invoice_totals_gte_0"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} ({self.get_status_display()}) #{self.pk}"

    def save(self, *args, **kwargs):
        """Save, refusing any change of an issued invoice but its payment status and PDF.

        Raises :class:`InvoiceImmutableError` when the stored row is issued and
        ``update_fields`` is not given or names another field.
        """
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored not in (None, self.Status.DRAFT):
                fields = kwargs.get("update_fields")
                if fields is None or not set(fields) <= self.MUTABLE_AFTER_ISSUE:
                    raise InvoiceImmutableError(f"invoice {self.number} is issued")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Delete a draft; raises :class:`InvoiceImmutableError` for an issued invoice."""
        if not self.is_draft:
            raise InvoiceImmutableError(f"invoice {self.number} is issued")
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        """Not issued yet: lines and details may change."""
        return self.status == self.Status.DRAFT


class LineKind(models.TextChoices):
    """Where a line comes from."""

    MEMBERSHIP = "membership", _("membership fee")
    USAGE = "usage", _("computing used")
    SERVICE = "service", _("other service")
    QUOTE = "quote", _("quoted resources")


class InvoiceLine(models.Model):
    """One line: ``quantity`` (in ``unit``) × ``unit_price`` (EUR, excluding VAT), at
    ``vat_rate`` percent. ``net_amount`` is rounded to the cent (half up) when the line is
    built; the invoice's totals add the rounded lines."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices,
                            default=LineKind.SERVICE)
    label = models.CharField(_("label"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    unit_price = models.DecimalField(_("unit price (EUR)"), max_digits=12, decimal_places=4)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2,
                                   default=Decimal("0.00"))
    net_amount = models.DecimalField(_("amount excluding VAT (EUR)"), max_digits=12,
                                     decimal_places=2)
    resource_id_ref = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0) & Q(unit_price__gte=0),
                                   name="invoice_line_amounts_gte_0"),
            models.CheckConstraint(condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100),
                                   name="invoice_line_vat_rate_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.label}"

    def save(self, *args, **kwargs):
        """Save a line of a draft; raises :class:`InvoiceImmutableError` once issued."""
        self._refuse_if_issued()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Delete a line of a draft; raises :class:`InvoiceImmutableError` once issued."""
        self._refuse_if_issued()
        return super().delete(*args, **kwargs)

    def _refuse_if_issued(self) -> None:
        status = Invoice.objects.filter(pk=self.invoice_id).values_list("status", flat=True).first()
        if status not in (None, Invoice.Status.DRAFT):
            raise InvoiceImmutableError(f"the lines of invoice {self.invoice_id} are fixed")


class Payment(models.Model):
    """Money received against an invoice (EUR, > 0): full or partial."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("bank transfer")
        CHEQUE = "cheque", _("cheque")
        CARD = "card", _("card")
        CASH = "cash", _("cash")

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT,
                                related_name="payments")
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=16, choices=Method.choices,
                              default=Method.TRANSFER)
    reference = models.CharField(_("reference"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="payment_amount_gt_0")]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.amount} € ({self.paid_on})"


class InvoiceEvent(models.Model):
    """One status change of an invoice: who, when, from, to, note."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.from_status or '∅'} → {self.to_status}"
