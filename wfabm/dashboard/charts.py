"""The dashboard's plotly figures, built from plain arrays.

Every chart is drawn by the browser's bundled plotly.js (plotly's FigureWidget), so nothing is
fetched from the internet; its camera button saves the chart as a PNG in the browser. The map
draws the authorities' boundaries as filled shapes on plain axes, because plotly's geographic
maps fetch their base map from a CDN.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import sample_colorscale

from wfabm.core.reference import boundaries
from wfabm.core.taxonomy import DESTINATIONS, ENGLISH_SECTORS, ORIGINS, SECTORS
from wfabm.dashboard.i18n import N_, number, short_month_year, t

__all__ = [
    "ATTRIBUTION",
    "DESTINATION_LABELS",
    "ROLE_LABELS",
    "SCENARIO_COLOURS",
    "SECTOR_LABELS",
    "bands",
    "bars",
    "lines",
    "map_of_authorities",
    "mark_policies",
    "sankey",
    "worker_story",
]

SECTOR_LABELS: dict[str, str] = {
    "la": N_("Welsh councils"),
    "independent": N_("Independent providers"),
    "agency": N_("Agencies"),
    "nhs": N_("NHS Wales"),
    "england_la": N_("English councils"),
    "england_independent": N_("English providers"),
    "england_nhs": N_("English NHS"),
}
ROLE_LABELS: dict[str, str] = {
    "care_worker": N_("Care workers"),
    "senior_care_worker": N_("Senior care workers"),
    "residential_child_care_worker": N_("Residential child care workers"),
    "social_worker": N_("Social workers"),
    "occupational_therapist": N_("Occupational therapists"),
    "amhp": N_("AMHPs"),
    "registered_manager": N_("Registered managers"),
    "healthcare_assistant": N_("Healthcare assistants"),
    "nurse": N_("Nurses"),
    "deputy_manager": N_("Deputy managers and team leaders"),
    "ancillary_worker": N_("Ancillary staff"),
    "administrator": N_("Administrators"),
}
DESTINATION_LABELS: dict[str, str] = {
    **SECTOR_LABELS,
    "entrant": N_("New entrants and returners"),
    "graduate": N_("Graduates"),
    "overseas": N_("Overseas recruits"),
    "retired": N_("Retired"),
    "left_sector": N_("Left for other work"),
}


def _attribution() -> str:
    text = (files("wfabm") / "data" / "LICENCE-boundaries.md").read_text(encoding="utf-8")
    source = text[text.index("Source:") :].split("Any copy")[0]
    # The licence file's own words, without the URL and Markdown line breaks.
    return " ".join(source.replace(" (https://github.com/martinjc/UK-GeoJSON)", "").split())


def _wrapped(text: str, width: int = 95) -> str:
    """Text broken into lines for a plotly annotation (which does not wrap by itself)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


ATTRIBUTION = _attribution()
"""The boundaries' attribution, which must stay visible with the map."""

SCENARIO_COLOURS = ("#1f4e79", "#c0504d", "#2e7d32", "#6a3d9a")
"""Colours of the baseline and the scenarios compared with it, strong enough for a projector."""

_LAYOUT = {
    # Room above the plot for a title of two lines below the camera and zoom buttons.
    "margin": {"l": 60, "r": 20, "t": 88, "b": 50},
    "height": 440,
    "legend": {"orientation": "h", "y": -0.16, "yanchor": "top"},
    "font": {"size": 15, "color": "#1a1a1a"},
    "autosize": True,
}
_TOOLBAR_PIXELS = 34
"""Height of plotly's mode bar (camera, zoom) from the chart's top edge, with a gap."""
_TITLE_WIDTH = 70
"""Characters in a line of a chart's title before it breaks (plotly does not wrap)."""

_PLOT_PIXELS = 900
"""A time chart's plotting width to assume when placing labels (a laptop's; wider on a
projector, where the labels then have more room than assumed)."""
_LABEL_CHAR_PIXELS = 7.2
"""Mean width of a character of a 12 px marker label."""
_LABEL_LINE_PIXELS = 16
"""Height of a line of a marker label."""

Marker = tuple[dt.date, str, bool]
"""A policy's start on a time chart: its first month, what starts, and whether the run
differs from the baseline from then on."""


@cache
def _template() -> dict[str, Any]:
    return pio.templates["plotly_white"].to_plotly_json()


def _figure(title: str, **layout: Any) -> go.Figure:
    """An empty figure in the dashboard's style.

    The dashboard's figures are not validated by plotly: they are built here, from the
    model's numbers, and validating every trace took about 20 ms a chart, a month.
    """
    heading = {
        "text": _wrapped(title, _TITLE_WIDTH),
        "x": 0.01,
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        # Below the camera and zoom buttons, which plotly draws in the top right corner.
        "pad": {"t": _TOOLBAR_PIXELS},
        "font": {"size": 18},
    }
    return go.Figure(
        layout={"title": heading, **_LAYOUT, "template": _template(), **layout},
        _validate=False,
    )


def mark_policies(figure: go.Figure, dates: Sequence[dt.date], markers: Sequence[Marker]) -> None:
    """Mark when policies start on a time chart, and shade the months before as baseline.

    Only starts within the months drawn are marked (a shape would stretch the axis).

    Args:
        figure: A chart whose x axis is the months of ``dates``.
        dates: The months drawn.
        markers: ``(first month, label, differs)`` of each policy start; the months before
            the first that differs are shaded as the baseline's.
    """
    if not dates:
        return
    first, last = dates[0], dates[-1]
    shown = sorted((when, label) for when, label, _ in markers if first <= when <= last)
    differing = [when for when, _, differs in markers if differs and first <= when]
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    if differing:
        shade_to = min(min(differing), last)
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": first.isoformat(),
                "x1": shade_to.isoformat(),
                "y0": 0,
                "y1": 1,
                "fillcolor": "#9e9e9e",
                "opacity": 0.18,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "text": t("before the policy: as the baseline"),
                "xref": "x",
                "yref": "paper",
                "x": first.isoformat(),
                "y": 0.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12, "color": "#555555"},
            }
        )
    by_month: dict[dt.date, list[str]] = {}
    for when, label in shown:
        by_month.setdefault(when, []).append(label)
    month_of = {day: i for i, day in enumerate(dates)}
    rows: list[tuple[float, float, float]] = []  # labels' rows: free from (month), top, height
    months_per_pixel = len(dates) / _PLOT_PIXELS
    for when, labels in by_month.items():
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": when.isoformat(),
                "x1": when.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#222222", "width": 2, "dash": "dash"},
            }
        )
        text = _wrapped(
            t("{what} from {when}", what="; ".join(labels), when=short_month_year(when)), 40
        )
        lines = text.split("<br>")
        # Labels that would run into one another go one under the other, each in the first
        # row with room from its month on; near the right edge a label runs leftwards.
        start = month_of.get(when, 0)
        span = (max(map(len, lines)) * _LABEL_CHAR_PIXELS + 8) * months_per_pixel
        leftwards = start + span > len(dates) and start - span >= 0
        begins, ends = (start - span, start) if leftwards else (start, start + span)
        height = len(lines) * _LABEL_LINE_PIXELS + 6
        row = next((i for i, (free, _, _) in enumerate(rows) if free <= begins), None)
        if row is None:
            rows.append((ends, max((top + tall for _, top, tall in rows), default=0.0), height))
            row = len(rows) - 1
        _, top, tall = rows[row]
        rows[row] = (ends, top, max(tall, height))
        annotations.append(
            {
                "text": text,
                "xref": "x",
                "yref": "paper",
                "x": when.isoformat(),
                "y": 1.0,
                "yshift": -top,
                "xanchor": "right" if leftwards else "left",
                "yanchor": "top",
                "align": "right" if leftwards else "left",
                "showarrow": False,
                "bgcolor": "rgba(255,255,255,0.8)",
                "font": {"size": 12, "color": "#222222"},
            }
        )
    figure.update_layout(shapes=shapes, annotations=annotations)


def month_ticks(dates: Sequence[dt.date]) -> dict[str, Any]:
    """A time axis ticked in the session's language, every month to every year.

    Plotly names months in English whatever the page's language, so the ticks are placed
    and labelled here (``Ebr 2026`` in Welsh): every month in a run's first year, then
    every quarter, half year or year as the run grows, from its first month.

    Args:
        dates: The months shown.

    Returns:
        Plotly x-axis settings.
    """
    dates = list(dates)
    step = next((s for limit, s in ((12, 1), (36, 3), (72, 6)) if len(dates) <= limit), 12)
    shown = dates[::step]
    return {
        "tickmode": "array",
        "tickvals": _iso(shown),
        "ticktext": [short_month_year(day) for day in shown],
    }


def _month_hover(dates: Sequence[dt.date], percent: bool) -> dict[str, Any]:
    """A line's hover text with the month named in the session's language."""
    value = "%{y:.1%}" if percent else "%{y:,.3~r}"
    return {
        "customdata": [short_month_year(day) for day in dates],
        "hovertemplate": f"%{{customdata}}: {value}",
    }


def _monthly(title: str, dates: Sequence[dt.date], y_title: str, percent: bool) -> go.Figure:
    """An empty chart with a monthly time axis."""
    return _figure(
        title,
        xaxis=month_ticks(dates),
        yaxis={"title": y_title, "tickformat": ".1%" if percent else ""},
    )


def lines(
    title: str,
    dates: Sequence[dt.date],
    series: dict[str, np.ndarray],
    *,
    y_title: str = "",
    percent: bool = False,
    markers: Sequence[Marker] = (),
) -> go.Figure:
    """A line chart of monthly series.

    Args:
        title: Chart title.
        dates: One date per month.
        series: ``{label: values}``, one line each (NaN leaves a gap).
        y_title: Axis title.
        percent: Show values (shares) as percentages.
        markers: Policy starts to mark (:func:`mark_policies`).

    Returns:
        The figure.
    """
    figure = _monthly(title, dates, y_title, percent)
    mark_policies(figure, dates, markers)
    hover = _month_hover(dates, percent)
    for label, values in series.items():
        figure.add_trace(
            {
                "type": "scatter",
                "x": _iso(dates),
                "y": _plain(values),
                "mode": "lines",
                "name": label,
                **hover,
            }
        )
    return figure


def bars(
    title: str, labels: Sequence[str], values: np.ndarray, *, x_title: str, y_title: str
) -> go.Figure:
    """A bar chart (e.g. the burnout distribution)."""
    figure = _figure(title, xaxis={"title": x_title}, yaxis={"title": y_title}, bargap=0.05)
    figure.add_trace(
        {"type": "bar", "x": list(labels), "y": _plain(values), "marker_color": "#b5473a"}
    )
    return figure


def bands(
    title: str,
    dates: Sequence[dt.date],
    runs: dict[str, np.ndarray],
    *,
    y_title: str = "",
    percent: bool = False,
    markers: Sequence[Marker] = (),
) -> go.Figure:
    """Mean and range over replicates for each of several scenarios.

    Args:
        title: Chart title.
        dates: One date per month.
        runs: ``{label: values}`` with values ``(replicates, months)``; a scenario with no
            replicates yet is left out.
        y_title: Axis title.
        percent: Show values (shares) as percentages.
        markers: Policy starts to mark (:func:`mark_policies`).

    Returns:
        The figure: a line for the mean and a shaded band from the lowest to the highest
        replicate, per scenario.
    """
    figure = _monthly(title, dates, y_title, percent)
    mark_policies(figure, dates, markers)
    x = _iso(dates)
    hover = _month_hover(dates, percent)
    for (label, values), colour in zip(runs.items(), SCENARIO_COLOURS, strict=False):
        if values.shape[0] == 0:
            continue
        low, high, mean = values.min(axis=0), values.max(axis=0), values.mean(axis=0)
        figure.add_trace(
            {
                "type": "scatter",
                "x": x + x[::-1],
                "y": _plain(high) + _plain(low)[::-1],
                "fill": "toself",
                "fillcolor": _rgba(colour, 0.2),
                "mode": "lines",
                "line": {"width": 0},
                "hoverinfo": "skip",
                "name": t("{label}: range of {n} seeds", label=label, n=values.shape[0]),
            }
        )
        figure.add_trace(
            {
                "type": "scatter",
                "x": x,
                "y": _plain(mean),
                "mode": "lines",
                "line": {"color": colour, "width": 3},
                "name": label,
                **hover,
            }
        )
    return figure


_ENGLAND = "england"
_ENGLISH = frozenset(SECTORS[i] for i in ENGLISH_SECTORS)
KIND_COLOURS: dict[str, str] = {
    "la": "#1f4e79",
    "independent": "#2e7d32",
    "agency": "#e07b00",
    "nhs": "#6a3d9a",
    _ENGLAND: "#8c8c8c",
    "entrant": "#00838f",
    "graduate": "#ad1457",
    "overseas": "#5d4037",
    "retired": "#455a64",
    "left_sector": "#b71c1c",
}
"""A colour for each kind of origin and destination; a flow takes its origin's."""


def _kind(name: str) -> str:
    return _ENGLAND if name in _ENGLISH else name


def sankey(flows: np.ndarray, title: str, *, minimum: int = 1) -> go.Figure:
    """Flows of people between kinds: where workers came from and went.

    The English border employers are one node, and moves among them are left out: they
    are England's own churn, many times Wales's, and would hide the Welsh flows.

    Args:
        flows: Counts ``(origins, destinations)`` over :data:`wfabm.core.taxonomy.ORIGINS` and
            :data:`wfabm.core.taxonomy.DESTINATIONS`.
        title: Chart title.
        minimum: Flows smaller than this are left out.

    Returns:
        The figure: origins on the left, destinations on the right, each with its count;
        each flow coloured as its origin.
    """
    origins = list(dict.fromkeys(_kind(o) for o in ORIGINS))
    destinations = list(dict.fromkeys(_kind(d) for d in DESTINATIONS))
    grouped = np.zeros((len(origins), len(destinations)), dtype=np.int64)
    for i, origin in enumerate(ORIGINS):
        for j, destination in enumerate(DESTINATIONS):
            grouped[origins.index(_kind(origin)), destinations.index(_kind(destination))] += int(
                flows[i, j]
            )
    grouped[origins.index(_ENGLAND), destinations.index(_ENGLAND)] = 0
    origin, destination = np.nonzero(grouped >= minimum)
    used_origins = sorted(set(origin.tolist()))
    used_destinations = sorted(set(destination.tolist()))
    left = {o: i for i, o in enumerate(used_origins)}
    right = {d: len(left) + i for i, d in enumerate(used_destinations)}
    shown = np.where(grouped >= minimum, grouped, 0)
    labels = [
        t("{kind} ({n})", kind=_kind_label(origins[o]), n=number(shown[o].sum()))
        for o in used_origins
    ]
    labels += [
        t("{kind} ({n})", kind=_kind_label(destinations[d]), n=number(shown[:, d].sum()))
        for d in used_destinations
    ]
    node_colours = [KIND_COLOURS[origins[o]] for o in used_origins]
    node_colours += [KIND_COLOURS[destinations[d]] for d in used_destinations]
    figure = _figure(title, height=520)
    figure.add_trace(
        {
            "type": "sankey",
            "arrangement": "snap",
            "valueformat": ",d",
            "node": {
                "label": labels,
                "color": node_colours,
                "pad": 14,
                "thickness": 18,
                "line": {"width": 0},
            },
            "link": {
                "source": [left[o] for o in origin.tolist()],
                "target": [right[d] for d in destination.tolist()],
                "value": grouped[origin, destination].tolist(),
                "color": [_rgba(KIND_COLOURS[origins[o]], 0.45) for o in origin.tolist()],
            },
        }
    )
    return figure


def _kind_label(kind: str) -> str:
    if kind == _ENGLAND:
        return t("English border employers")
    return t(DESTINATION_LABELS[kind])


@cache
def _shapes() -> tuple[tuple[str, str, list[float | None], list[float | None]], ...]:
    """Each authority's code, name and outline (x, y), projected for a true aspect."""
    scale = math.cos(math.radians(52.3))  # equirectangular at Wales's latitude
    shapes = []
    for feature in boundaries()["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        xs: list[float | None] = []
        ys: list[float | None] = []
        for polygon in polygons:
            for ring in polygon:
                xs.extend(point[0] * scale for point in ring)
                ys.extend(point[1] for point in ring)
                xs.append(None)
                ys.append(None)
        props = feature["properties"]
        shapes.append((props["code"], props["name"], xs, ys))
    return tuple(shapes)


def map_of_authorities(
    codes: Sequence[str], values: np.ndarray, title: str, *, percent: bool = False
) -> go.Figure:
    """The 22 Welsh and 7 English border authorities coloured by a measure.

    Args:
        codes: ONS codes, one per value.
        values: The measure by authority (NaN: no data, drawn grey).
        title: Chart title (the measure and month).
        percent: Show values (shares) as percentages.

    Returns:
        The figure, with the boundaries' attribution beneath the map.
    """
    by_code = dict(zip(codes, np.asarray(values, dtype=float).tolist(), strict=True))
    finite = [v for v in by_code.values() if math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    span = (high - low) or 1.0
    scale = "YlOrRd"
    shown = "{:.1%}" if percent else "{:,.3g}"
    figure = _figure(
        title,
        height=560,
        showlegend=False,
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        margin={"l": 10, "r": 10, "t": 88, "b": 110},
        annotations=[
            {
                "text": _wrapped(ATTRIBUTION, 80),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.02,
                "yanchor": "top",
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 11, "color": "#444444"},
                "align": "left",
            },
            {
                "text": t(
                    "Hatched: English border authorities (their social care, for the "
                    "moves across the border)."
                ),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1.0,
                "yanchor": "bottom",
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 13, "color": "#333333"},
            },
        ],
    )
    shapes = _shapes()
    fractions = [(by_code.get(code, math.nan) - low) / span for code, *_ in shapes]
    colours = sample_colorscale(scale, [f if math.isfinite(f) else 0.0 for f in fractions])
    traces = []
    unknown = t("no data")
    in_england = t(" (England)")
    for (code, name, xs, ys), colour in zip(shapes, colours, strict=True):
        value = by_code.get(code, math.nan)
        known = math.isfinite(value)
        english = not code.startswith("W")
        text = f"{name}{in_england if english else ''}: "
        text += shown.format(value) if known else unknown
        trace = {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "fill": "toself",
            "fillcolor": colour if known else "#d0d0d0",
            "line": {"color": "#555555", "width": 0.6},
            "mode": "lines",
            "hoveron": "fills",
            "hoverinfo": "text",
            "text": text,
            "name": name,
        }
        if english:
            # Hatched and outlined in grey, so England does not read as more of Wales.
            trace["fillpattern"] = {"shape": "/", "fgcolor": "#ffffff", "size": 7, "solidity": 0.35}
            trace["line"] = {"color": "#8c8c8c", "width": 1.2, "dash": "dot"}
        traces.append(trace)
    # An invisible point carries the colour bar.
    traces.append(
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "hoverinfo": "skip",
            "marker": {
                "colorscale": scale,
                "cmin": low,
                "cmax": high,
                "color": [low],
                "showscale": True,
                "colorbar": {"tickformat": ".1%" if percent else ",.3~s", "thickness": 14},
            },
        }
    )
    figure.add_traces(traces)
    return figure


def worker_story(trace: Sequence[dict[str, Any]], moves: Sequence[dict[str, Any]]) -> go.Figure:
    """One worker's pay, workload and burnout month by month, with their moves marked.

    Args:
        trace: Monthly states (:attr:`~wfabm.dashboard.simulation.Follow.trace`).
        moves: The worker's events (``model.worker(id)["history"]``).

    Returns:
        The figure: three stacked panels sharing the time axis.
    """
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=(t("Hourly pay (£)"), t("Workload (1 = fully staffed)"), t("Burnout (0-1)")),
    )
    months = _iso(entry["month"] for entry in trace)
    for row, key in enumerate(("hourly_pay", "workload", "burnout"), start=1):
        figure.add_trace(
            {
                "type": "scatter",
                "x": months,
                "y": [entry[key] for entry in trace],
                "mode": "lines+markers",
            },
            row=row,
            col=1,
        )
    for event in moves:
        if event["kind"] == "arrival":
            continue
        for row in (1, 2, 3):
            figure.add_vline(
                x=event["month"].isoformat(),
                line={"color": "#999999", "dash": "dot"},
                row=row,
                col=1,
            )
    figure.update_layout(
        **{**_LAYOUT, "height": 520, "showlegend": False, "template": "plotly_white"}
    )
    figure.update_xaxes(**month_ticks([entry["month"] for entry in trace]))
    return figure


def sector_label(sector: str) -> str:
    """A sector's plain-language name."""
    return SECTOR_LABELS.get(sector, sector)


def _iso(dates: Iterable[dt.date]) -> list[str]:
    # The figure widget drops traces whose x are date objects; ISO strings make a date axis.
    return [date.isoformat() for date in dates]


def _plain(values: np.ndarray) -> list[float | None]:
    # NaN is not valid JSON; None leaves a gap in the line.
    return [None if not math.isfinite(v) else v for v in np.asarray(values, dtype=float)]


def _rgba(hex_colour: str, alpha: float) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"
