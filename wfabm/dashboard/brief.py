"""A one-page brief of a scenario, as HTML and as PDF, in the session's language.

A :class:`Brief` is plain data (its texts already in its language): the headline, the
scenario's levers, charts as lines with their ranges over seeds, the table of differences with
their intervals, and the replication manifest (config hash, seeds, commit, versions).
:func:`brief_html` writes it as one self-contained HTML page; :func:`brief_pdf` prints that
page with WeasyPrint. Charts are drawn by matplotlib as SVG inside the page, so neither needs
a browser (plotly's static export, kaleido, does) and the PDF comes out the same on a fresh
machine.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")  # no display: the dashboard's server draws charts for files only

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from wfabm.dashboard.i18n import month_year, number, percent, translate

__all__ = ["Brief", "BriefChart", "BriefLine", "brief_html", "brief_pdf", "chart_svg"]

_COLOURS = ("#5f6368", "#c5221f", "#1a73e8", "#188038")


@dataclass(frozen=True)
class BriefLine:
    """One line of a chart: the mean over seeds and, with several seeds, their range.

    Attributes:
        label: The legend's text.
        mean: One value a month.
        low: The lowest seed's value each month (None: one seed only).
        high: The highest seed's value each month.
    """

    label: str
    mean: tuple[float, ...]
    low: tuple[float, ...] | None = None
    high: tuple[float, ...] | None = None


@dataclass(frozen=True)
class BriefChart:
    """A chart of monthly lines.

    Attributes:
        title: Its title.
        dates: The first day of each month.
        lines: The lines, first the baseline.
        percent: Whether the values are shares shown as percentages.
    """

    title: str
    dates: tuple[dt.date, ...]
    lines: tuple[BriefLine, ...]
    percent: bool = False


@dataclass(frozen=True)
class Brief:
    """What a brief says, every text in its language.

    Attributes:
        language: A key of :data:`~wfabm.dashboard.i18n.LANGUAGES`.
        title: The scenario's name.
        made: The day it was made.
        headline: One paragraph: what the levers do to the main measure, with its interval.
        levers: ``(lever, value)`` for each lever the scenario changes from the baseline.
        charts: The charts.
        differences: Rows of ``(measure, baseline, scenario, difference, 95 % interval)``.
        uncertainty: What the intervals mean, or why there are none.
        manifest: ``(item, value)`` to repeat the runs: config hash, seeds, commit, versions.
    """

    language: str
    title: str
    made: dt.date
    headline: str
    levers: tuple[tuple[str, str], ...] = ()
    charts: tuple[BriefChart, ...] = ()
    differences: tuple[tuple[str, str, str, str, str], ...] = ()
    uncertainty: str = ""
    manifest: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def chart_svg(chart: BriefChart, language: str) -> str:
    """A chart drawn as SVG text (fonts as paths, so it looks the same everywhere)."""
    figure, axes = plt.subplots(figsize=(7.2, 3.0), dpi=100)
    try:
        dates = np.array(chart.dates, dtype="datetime64[D]")
        for colour, line in zip(_COLOURS, chart.lines, strict=False):
            axes.plot(dates, line.mean, color=colour, linewidth=1.8, label=line.label)
            if line.low is not None and line.high is not None:
                axes.fill_between(dates, line.low, line.high, color=colour, alpha=0.18, lw=0)
        axes.set_title(chart.title, loc="left", fontsize=10)
        if chart.percent:
            axes.yaxis.set_major_formatter(
                FuncFormatter(lambda value, _: percent(value, 1, language))
            )
        else:
            axes.yaxis.set_major_formatter(
                FuncFormatter(lambda value, _: number(value, 0, language))
            )
        # Whole months only: a short run must not get two ticks in one month.
        axes.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, len(dates) // 6)))
        axes.xaxis.set_major_formatter(
            FuncFormatter(lambda value, _: month_year(mdates.num2date(value).date(), language))
        )
        axes.tick_params(labelsize=8)
        axes.grid(alpha=0.3)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(fontsize=8, frameon=False, loc="best")
        figure.tight_layout()
        out = io.StringIO()
        with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "wfabm"}):
            figure.savefig(out, format="svg", metadata={"Date": None})
        return out.getvalue()
    finally:
        plt.close(figure)


def brief_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page (charts inside it, nothing fetched).

    Args:
        brief: What to say.

    Returns:
        The page.
    """

    def t(message: str, **values: object) -> str:
        return html.escape(translate(message, brief.language, **values))

    esc = html.escape
    title = t("Policy brief: {title}", title=brief.title)
    kicker = (
        t("wfabm: policy workshop") + " · " + t("Made {day}", day=_day(brief.made, brief.language))
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(brief.language)}"><head><meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<p class="kicker">{kicker}</p>',
        f"<h1>{title}</h1>",
        f'<p class="headline">{esc(brief.headline)}</p>',
        "<h2>" + t("The levers of this scenario") + "</h2>",
    ]
    if brief.levers:
        parts.append("<table class='levers'>")
        parts += [
            f"<tr><th>{esc(lever)}</th><td>{esc(value)}</td></tr>" for lever, value in brief.levers
        ]
        parts.append("</table>")
    else:
        parts.append("<p>" + t("None: the baseline, today's policy.") + "</p>")
    for chart in brief.charts:
        svg = base64.b64encode(chart_svg(chart, brief.language).encode("utf-8")).decode("ascii")
        parts.append(
            f'<figure><img alt="{esc(chart.title)}" src="data:image/svg+xml;base64,{svg}"></figure>'
        )
    parts.append("<h2>" + t("Uncertainty") + "</h2>")
    if brief.differences:
        heads = (
            t("measure"),
            t("baseline"),
            t("chosen levers"),
            t("difference"),
            t("95 % interval"),
        )
        parts.append("<table class='numbers'><tr>" + "".join(f"<th>{h}</th>" for h in heads))
        parts += [
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
            for row in brief.differences
        ]
        parts.append("</table>")
    parts.append(f"<p>{esc(brief.uncertainty)}</p>")
    parts.append("<h2>" + t("To repeat these runs") + "</h2><table class='manifest'>")
    parts += [
        f"<tr><th>{esc(item)}</th><td><code>{esc(value)}</code></td></tr>"
        for item, value in brief.manifest
    ]
    parts.append("</table></body></html>")
    return "\n".join(parts)


def brief_pdf(brief: Brief) -> bytes:
    """The brief as a PDF (A4), printed from :func:`brief_html` by WeasyPrint."""
    # Imported when first needed: it loads Pango, which the rest of the dashboard does not use.
    from weasyprint import HTML

    return HTML(string=brief_html(brief)).write_pdf()


def _day(day: dt.date, language: str) -> str:
    return f"{day.day} {month_year(day, language)}"


_CSS = """
@page { size: A4; margin: 16mm 15mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #202124; }
h1 { font-size: 17pt; margin: 0 0 6pt 0; }
h2 { font-size: 12pt; margin: 14pt 0 4pt 0; border-bottom: 1px solid #dadce0; }
.kicker { color: #5f6368; font-size: 9pt; margin: 0 0 4pt 0; }
.headline { font-size: 11.5pt; line-height: 1.4; background: #e8f0fe; padding: 8pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; }
th, td { text-align: left; padding: 2pt 6pt; border-bottom: 1px solid #eeeeee;
  vertical-align: top; }
table.numbers td { font-variant-numeric: tabular-nums; }
table.manifest code { font-size: 8pt; word-break: break-all; }
figure { margin: 6pt 0; page-break-inside: avoid; }
figure img { width: 100%; }
"""
