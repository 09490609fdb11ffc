"""The numbers of the pages' usage charts, for the browser to draw.

A page puts each chart's description in a ``{{ chart.data|json_script:chart.id }}`` block;
``static/js/usage-charts.js`` draws it with the vendored Chart.js
(``static/vendor/chartjs/``) on a ``<canvas>`` that stays hidden without JavaScript. The
table under every chart gives the same numbers: it is the chart's accessible and
no-JavaScript version. Nothing is drawn on the server for a page (the PDF reports keep
matplotlib, ``projects.charts``).

A chart description is a plain dict that ``json_script`` serialises::

    {"kind": "bar" | "hbar",            # vertical bars by month, or horizontal bars
     "labels": [str, ...],              # the months' short names (or the categories)
     "unit": str,                       # the value axis' title, e.g. "core-hours"
     "datasets": [{"label": str, "type": "bar" | "line", "data": [float | None, ...],
                   "colour": "#rrggbb", "fill": "#rrggbb", "dashed": bool}, ...]}

``None`` in a line's data leaves a gap (the months of a year not yet begun).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.formats import date_format

#: Colours of the charts, the same as the PDFs' (``projects.charts``): the site's blue and
#: green, an orange for the grant line; readable with the common colour-vision deficiencies.
BLUE = "#0b4f6c"
LIGHT_BLUE = "#7fb2c9"
GREEN = "#2e7d32"
ORANGE = "#b45309"


def _months(months: Sequence[dt.date]) -> list[str]:
    return [date_format(month, "M") for month in months]


def _numbers(values: Sequence) -> list[float]:
    return [round(float(value), 2) for value in values]


def grant_chart(*, months: Sequence[dt.date], used: Sequence, granted, unit: str,
                legend: dict[str, str], elapsed: int | None = None) -> dict:
    """A resource's use in a year against its grant: bars of the use in each month, a line
    of the use since January (stopping at the last month begun), a dashed line of the
    yearly grant (left out when ``granted`` is ``None``).

    Args:
        months: the first days of the months, in order.
        used: use in each month, in ``unit`` (numbers or Decimals, same length as ``months``).
        granted: the yearly grant in ``unit``, or ``None``.
        unit: the unit's name for the value axis (e.g. "core-hours").
        legend: translated labels for the keys ``"month"``, ``"cumulative"``, ``"granted"``.
        elapsed: how many of the months have begun; ``None`` for all of them (a past year).
    """
    shown = len(months) if elapsed is None else max(0, min(elapsed, len(months)))
    cumulative, total = [], 0.0
    for index, value in enumerate(used):
        total += float(value)
        cumulative.append(round(total, 2) if index < shown else None)
    datasets = [
        {"label": legend["month"], "type": "bar", "data": _numbers(used), "colour": BLUE,
         "fill": LIGHT_BLUE, "dashed": False},
        {"label": legend["cumulative"], "type": "line", "data": cumulative, "colour": BLUE,
         "fill": BLUE, "dashed": False},
    ]
    if granted is not None:
        datasets.append({"label": legend["granted"], "type": "line",
                         "data": [round(float(granted), 2)] * len(months), "colour": ORANGE,
                         "fill": ORANGE, "dashed": True})
    return {"kind": "bar", "labels": _months(months), "unit": unit, "datasets": datasets}


def monthly_bars(*, months: Sequence[dt.date], values: Sequence, unit: str, label: str,
                 colour: str = BLUE) -> dict:
    """One amount per month as bars.

    Args:
        months: the first days of the months, in order.
        values: the amount of each month, in ``unit``.
        unit: the unit's name for the value axis.
        label: the series' name (the legend, read by screen readers with the canvas hidden).
        colour: the bars' colour.
    """
    return {"kind": "bar", "labels": _months(months), "unit": unit, "datasets": [
        {"label": label, "type": "bar", "data": _numbers(values), "colour": colour,
         "fill": colour, "dashed": False}]}


def monthly_comparison(*, months: Sequence[dt.date], values: Sequence, previous: Sequence,
                       unit: str, legend: dict[str, str]) -> dict:
    """One amount per month of a year beside the same month of the year before (grouped bars).

    Args:
        months: the first days of the year's months, in order.
        values: the amount of each month of the year, in ``unit``.
        previous: the amount of the same months a year earlier, in ``unit``.
        unit: the unit's name for the value axis (e.g. "core-hours").
        legend: labels for the keys ``"current"`` and ``"previous"`` (the years).
    """
    return {"kind": "bar", "labels": _months(months), "unit": unit, "datasets": [
        {"label": legend["previous"], "type": "bar", "data": _numbers(previous),
         "colour": BLUE, "fill": LIGHT_BLUE, "dashed": False},
        {"label": legend["current"], "type": "bar", "data": _numbers(values),
         "colour": BLUE, "fill": BLUE, "dashed": False}]}
