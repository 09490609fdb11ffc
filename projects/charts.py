"""SVG charts of usage for the yearly PDF reports (matplotlib).

Charts are drawn with matplotlib's object API (one ``Figure`` per chart, no pyplot
state, so it is safe in threads) and returned as SVG text; the reports embed them as
``data:`` URIs (:func:`svg_data_uri`). Every chart sits next to a table with the same
numbers, which is its accessible version. The pages' charts are not drawn here: the
browser draws them from the numbers the page carries (:mod:`projects.views.charts`).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from collections.abc import Sequence

import matplotlib
from django.utils.formats import date_format, number_format

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

#: Colours of the charts (the site's blue and green; an orange for the grant line),
#: readable by people with the common colour-vision deficiencies.
BLUE = "#0b4f6c"
LIGHT_BLUE = "#7fb2c9"
GREEN = "#2e7d32"
ORANGE = "#b45309"

#: Drawing settings: text stays text (smaller files, selectable, the page's font);
#: the fixed hash salt and no date make the same data give the same SVG.
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "algoric",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

_XML_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)


def _amount(value: float, _position=None) -> str:
    """An axis label: the amount rounded, with the language's thousands separator."""
    return number_format(round(value), 0, force_grouping=True)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return _XML_PROLOGUE.sub("", buffer.getvalue())


def _month_labels(months: Sequence[dt.date]) -> list[str]:
    return [date_format(month, "M") for month in months]


def _figure(size: tuple[float, float] = (7.2, 2.9)) -> tuple[Figure, object]:
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=size, layout="constrained")
        axes = figure.add_subplot()
    axes.yaxis.set_major_formatter(FuncFormatter(_amount))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3))
    axes.grid(axis="y", color="#d0d7de", linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def grant_chart_svg(*, months: Sequence[dt.date], used: Sequence[float],
                    granted: float | None, unit: str, legend: dict[str, str],
                    elapsed: int | None = None) -> str:
    """Use of a resource in a year against its grant, as SVG text (no XML prologue).

    Bars: use in each month; line: cumulative use since January; dashed line: the
    yearly grant (left out when ``granted`` is ``None``).

    Args:
        months: the first days of the months, in order.
        used: use in each month, in ``unit`` (same length as ``months``).
        granted: the yearly grant in ``unit``, or ``None``.
        unit: the unit's name for the y axis (e.g. "core-hours").
        legend: translated labels for the keys ``"month"``, ``"cumulative"`` and
            ``"granted"``.
        elapsed: how many of the months have begun (the cumulative line stops there);
            ``None`` for all of them (a past year).
    """
    with matplotlib.rc_context(RC):
        figure, axes = _figure()
        positions = range(len(months))
        cumulative, total = [], 0.0
        for value in used:
            total += value
            cumulative.append(total)
        axes.bar(positions, used, color=LIGHT_BLUE, edgecolor=BLUE, linewidth=0.6,
                 label=legend["month"])
        shown = len(months) if elapsed is None else max(0, min(elapsed, len(months)))
        axes.plot(list(positions)[:shown], cumulative[:shown], color=BLUE, linewidth=2,
                  marker="o", markersize=3, label=legend["cumulative"])
        if granted is not None:
            axes.axhline(granted, color=ORANGE, linewidth=1.6, linestyle="--",
                         label=legend["granted"])
        top = max([granted or 0.0, *cumulative, 1.0])
        axes.set_ylim(0, top * 1.08)
        axes.set_xticks(list(positions), _month_labels(months))
        axes.set_ylabel(unit)
        # Above the plot, where it hides no bar and no line.
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, ncols=3,
                    fontsize=8, borderaxespad=0.2)
        return _svg(figure)


def monthly_bars_svg(*, months: Sequence[dt.date], values: Sequence[float], unit: str,
                     colour: str = BLUE, size: tuple[float, float] = (5.6, 2.8)) -> str:
    """One amount per month as bars, SVG text (no XML prologue).

    Args:
        months: the first days of the months, in order.
        values: the amount of each month, in ``unit``.
        unit: the unit's name for the y axis.
        colour: the bars' colour.
        size: width and height of the drawing, inches (text is 9 pt at that size).
    """
    with matplotlib.rc_context(RC):
        figure, axes = _figure(size)
        positions = range(len(months))
        axes.bar(positions, values, color=colour)
        axes.set_ylim(0, max([*values, 1.0]) * 1.08)
        axes.set_xticks(list(positions), _month_labels(months))
        axes.set_ylabel(unit)
        return _svg(figure)


def svg_data_uri(svg: str) -> str:
    """``svg`` as a ``data:image/svg+xml;base64,…`` URI for an ``<img src>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def category_bars_svg(*, labels: Sequence[str], values: Sequence[float], unit: str,
                      colour: str = BLUE, size: tuple[float, float] = (5.6, 2.6)) -> str:
    """One amount per category as horizontal bars (first category on top), SVG text.

    Args:
        labels: the categories' names (job states, job sizes, waits…), in order.
        values: the amount of each category, in ``unit`` (same length as ``labels``).
        unit: the unit's name for the x axis (e.g. "jobs").
        colour: the bars' colour.
        size: width and height of the drawing, inches.
    """
    with matplotlib.rc_context(RC):
        figure, axes = _figure(size)
        axes.grid(axis="y", visible=False)
        axes.grid(axis="x", color="#d0d7de", linewidth=0.6)
        positions = list(range(len(labels)))
        axes.barh(positions, values, color=colour)
        axes.set_yticks(positions, list(labels))
        axes.invert_yaxis()
        axes.xaxis.set_major_formatter(FuncFormatter(_amount))
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3))
        axes.set_xlim(0, max([*values, 1.0]) * 1.08)
        axes.set_xlabel(unit)
        return _svg(figure)
