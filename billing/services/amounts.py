"""Money arithmetic of quotes and invoices: Decimal, rounded to the cent half up.

French practice and EN 16931 agree: each line's amount excluding VAT is rounded to the
cent; the VAT of each rate is computed on the sum of that rate's rounded lines and
rounded (EN 16931 rule BR-CO-17: VAT category tax amount = taxable amount × rate / 100,
two decimals); the totals add the rounded figures. Half a cent rounds up
(``ROUND_HALF_UP``), as the CGI's rounding to the nearest cent is read (art. 1724).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_cents(value: Decimal) -> Decimal:
    """``value`` (EUR) rounded to the cent, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(*, quantity: Decimal, unit_price: Decimal) -> Decimal:
    """A line's amount excluding VAT (EUR): ``quantity`` × ``unit_price``, rounded."""
    return round_cents(Decimal(quantity) * Decimal(unit_price))


@dataclass(frozen=True)
class VatGroup:
    """The lines of one VAT rate: ``rate`` percent, ``basis`` and ``vat`` in EUR."""

    rate: Decimal
    basis: Decimal
    vat: Decimal


@dataclass
class Totals:
    """An invoice's totals (EUR): ``net`` excluding VAT, ``vat``, ``gross`` including it,
    and ``groups``, one :class:`VatGroup` per rate (smallest rate first)."""

    net: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    gross: Decimal = Decimal("0.00")
    groups: list[VatGroup] = field(default_factory=list)


def totals(lines: Iterable[tuple[Decimal, Decimal]]) -> Totals:
    """Totals of ``lines``, each ``(net amount EUR already rounded, VAT rate percent)``."""
    bases: dict[Decimal, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for net, rate in lines:
        bases[Decimal(rate)] += Decimal(net)
    result = Totals()
    for rate in sorted(bases):
        vat = round_cents(bases[rate] * rate / 100)
        result.groups.append(VatGroup(rate=rate, basis=bases[rate], vat=vat))
        result.net += bases[rate]
        result.vat += vat
    result.gross = result.net + result.vat
    return result
