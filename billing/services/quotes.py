"""Quotes from submitted resource requests, and their acceptance."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import is_verified_staff
from members.selectors.permissions import require_representative
from projects.models import ResourceRequest
from projects.selectors.projects import require_project_lead
from projects.selectors.requests import request_table
from resources.models import Resource
from resources.selectors.estimates import price_table

from ..models import Quote, QuoteLine
from ..selectors.identity import association_identity, default_vat_rate
from .amounts import line_amount, totals
from .invoices import buyer_details
from .numbering import number_next

#: Request statuses a quote can be made from: submitted, and any later one but refusal.
QUOTABLE = {ResourceRequest.Status.SUBMITTED, ResourceRequest.Status.UNDER_REVIEW,
            ResourceRequest.Status.APPROVED, ResourceRequest.Status.PARTIALLY_APPROVED}


@transaction.atomic
def quote_create(*, request: ResourceRequest, actor, today: dt.date | None = None) -> Quote:
    """Make a quote of ``request``'s table at the catalogue's prices for its organisation's
    kind: one line per resource and year (amount in the resource's unit × price per unit,
    rounded half up), VAT at the association's rate, valid ``QUOTE_VALIDITY_DAYS`` days,
    in the organisation's language, numbered ``D-<year>-<n>``.

    Staff, or the project's PI or managers, may. Raises ``PermissionDenied``,
    ``ValidationError`` (a request not submitted, an empty table, a resource with no
    price for the organisation's kind).
    """
    project = request.project
    if not is_verified_staff(actor):
        require_project_lead(project=project, user=actor)
    if request.status not in QUOTABLE:
        raise ValidationError(_("A quote is made from a submitted request."))
    organisation = project.organisation
    table = {key: amount for key, amount in request_table(request).items() if amount > 0}
    if not table:
        raise ValidationError(_("This request asks for nothing to quote."))
    resources = Resource.objects.in_bulk({resource_id for resource_id, _year in table})
    prices = price_table(resources=resources.values(), organisation_kind=organisation.kind)
    unpriced = sorted({resources[rid].name for rid, _year in table if rid not in prices})
    if unpriced:
        raise ValidationError(_("No price is set for this kind of organisation on: "
                                "%(resources)s.") % {"resources": ", ".join(unpriced)})
    today = today or timezone.localdate()
    rate = default_vat_rate()
    quote = Quote.objects.create(
        number=number_next(series="D", year=today.year), organisation=organisation,
        request=request, language=organisation.language, issued_on=today,
        valid_until=today + dt.timedelta(days=settings.QUOTE_VALIDITY_DAYS),
        seller=association_identity(), buyer=buyer_details(organisation), created_by=actor)
    ordered = sorted(table.items(), key=lambda item: (resources[item[0][0]].order,
                                                      resources[item[0][0]].name, item[0][1]))
    with translation.override(quote.language):
        lines = [QuoteLine(quote=quote, position=position, label=resources[rid].name,
                           year=year, quantity=amount, unit=resources[rid].unit,
                           unit_price=prices[rid], vat_rate=rate,
                           net_amount=line_amount(quantity=amount, unit_price=prices[rid]))
                 for position, ((rid, year), amount) in enumerate(ordered, start=1)]
    QuoteLine.objects.bulk_create(lines)
    result = totals((line.net_amount, line.vat_rate) for line in lines)
    quote.total_net, quote.total_vat, quote.total_gross = result.net, result.vat, result.gross
    quote.save(update_fields=["total_net", "total_vat", "total_gross"])
    audit_record(action="quote.created", actor=actor, target=quote,
                 detail={"number": quote.number, "total": str(result.gross),
                         "request": request.pk})
    return quote


@transaction.atomic
def quote_accept(*, quote: Quote, actor, today: dt.date | None = None) -> Quote:
    """Record that the organisation accepts ``quote`` (a representative, or staff on its
    behalf). Raises ``PermissionDenied``, ``ValidationError`` (already accepted, past its
    validity)."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if not is_verified_staff(actor):
        require_representative(organisation=quote.organisation, user=actor)
    if quote.status == Quote.Status.ACCEPTED:
        raise ValidationError(_("This quote is already accepted."))
    if (today or timezone.localdate()) > quote.valid_until:
        raise ValidationError(_("This quote is no longer valid; ask for a new one."))
    quote.status, quote.accepted_at, quote.accepted_by = (Quote.Status.ACCEPTED,
                                                          timezone.now(), actor)
    quote.save(update_fields=["status", "accepted_at", "accepted_by"])
    audit_record(action="quote.accepted", actor=actor, target=quote,
                 detail={"number": quote.number})
    return quote
