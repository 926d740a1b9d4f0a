"""The validation report as one HTML file that opens with no internet.

One chart per figure (Plotly): the band around the observed figure, each seed's value, the
median and its 90 % interval, and the persistence forecast where there is one. Plotly's
JavaScript is written inline once, before the first chart, so the file needs no CDN.
"""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from wfabm.validation.figures import format_value, is_percent

__all__ = ["report_html"]

_BAND = "rgba(31, 78, 121, 0.15)"
_MODEL = "#1f4e79"
_SEED = "rgba(31, 78, 121, 0.45)"
_PERSISTENCE = "#c55a11"
_OBSERVED = "#000000"


def report_html(table: pl.DataFrame, runs: pl.DataFrame, manifest: dict, summary: list[str]) -> str:
    """The whole report.

    Args:
        table: The figure table (:func:`wfabm.validation.report.figure_table`).
        runs: Per-seed values: seed, figure, value.
        manifest: What was run (config, seeds, months, versions).
        summary: The summary counts, one line each.

    Returns:
        A standalone HTML document.
    """
    charts = []
    for index, row in enumerate(table.iter_rows(named=True)):
        values = runs.filter(pl.col("figure") == row["figure"])["value"].to_list()
        figure = _chart(row, [v for v in values if v is not None and math.isfinite(v)])
        # The library goes inline with the first chart only.
        chart = pio.to_html(
            figure, full_html=False, include_plotlyjs=index == 0, config={"responsive": True}
        )
        charts.append(
            f"<section><h2>{html.escape(row['figure'])} <small>{html.escape(row['year'])}, "
            f"{html.escape(row['evidence'])}: <b>{html.escape(row['result'])}</b></small></h2>"
            f"<p>{html.escape(row['simulated_as'])}</p>{chart}"
            f"<p class='source'>Source: {html.escape(row['source'])}</p></section>"
        )
    head = (
        f"Config {html.escape(str(manifest['config_name']))} (hash "
        f"{html.escape(str(manifest['config_hash']))}), {len(manifest['seeds'])} seeds from root "
        f"{manifest['root_seed']}, {manifest['months']} months; commit "
        f"{html.escape(str(manifest['git_commit']))}; finished {manifest['finished']}."
    )
    items = "".join(f"<li>{html.escape(line)}</li>" for line in summary)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>wfabm validation</title><style>"
        "body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}"
        "table{border-collapse:collapse;font-size:90%}td,th{padding:2px 6px;"
        "border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child"
        "{text-align:left}.source{font-size:85%;color:#555}small{font-weight:normal}"
        "</style></head><body><h1>wfabm validation</h1>"
        f"<p>{head}</p><p>A figure passes when the median across seeds lies in its band "
        "(the observed value ± its tolerance). Figures after 2022 are also set against a "
        "persistence forecast, the 2022 value held.</p>"
        f"<ul>{items}</ul>{_summary_table(table)}{''.join(charts)}</body></html>"
    )


def _summary_table(table: pl.DataFrame) -> str:
    header = (
        "<tr><th>figure</th><th>year</th><th>evidence</th><th>observed</th><th>band</th>"
        "<th>median</th><th>90% interval</th><th>result</th><th>2022 held</th>"
        "<th>nearer</th></tr>"
    )
    rows = []
    for row in table.iter_rows(named=True):
        unit = row["unit"]
        low, high = (format_value(row[end], unit) for end in ("interval_low", "interval_high"))
        interval = "-" if row["interval_low"] is None else f"{low} to {high}"
        cells = (
            row["figure"],
            row["year"],
            row["evidence"],
            format_value(row["observed"], unit),
            f"{format_value(row['band_low'], unit)} to {format_value(row['band_high'], unit)}",
            format_value(row["median"], unit),
            interval,
            row["result"],
            format_value(row["persistence"], unit),
            row["winner"] or "-",
        )
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return f"<table>{header}{''.join(rows)}</table>"


def _chart(row: dict, values: list[float]) -> go.Figure:
    """One figure's chart: band, observed line, seeds, median with interval, persistence."""
    percent = 100.0 if is_percent(row["unit"]) else 1.0
    figure = go.Figure()
    figure.add_vrect(
        x0=row["band_low"] * percent, x1=row["band_high"] * percent, fillcolor=_BAND, line_width=0
    )
    figure.add_vline(x=row["observed"] * percent, line_color=_OBSERVED, line_dash="dash")
    # Seeds spread over the row so that equal values stay visible.
    spread = [0.3 * (i / max(len(values) - 1, 1) - 0.5) for i in range(len(values))]
    figure.add_trace(
        go.Scatter(
            x=[v * percent for v in values],
            y=[1 + s for s in spread],
            mode="markers",
            marker={"color": _SEED, "size": 7},
            name="each seed",
        )
    )
    if row["median"] is not None:
        figure.add_trace(
            go.Scatter(
                x=[row["median"] * percent],
                y=[1],
                mode="markers",
                marker={"color": _MODEL, "size": 13, "symbol": "diamond"},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [(row["interval_high"] - row["median"]) * percent],
                    "arrayminus": [(row["median"] - row["interval_low"]) * percent],
                    "color": _MODEL,
                },
                name="median, 90% interval",
            )
        )
    if row["persistence"] is not None:
        figure.add_trace(
            go.Scatter(
                x=[row["persistence"] * percent],
                y=[0.5],
                mode="markers",
                marker={"color": _PERSISTENCE, "size": 12, "symbol": "x"},
                name="2022 held",
            )
        )
    unit = "%" if percent == 100.0 else row["unit"]
    figure.update_layout(
        height=200,
        margin={"l": 20, "r": 20, "t": 10, "b": 40},
        xaxis_title=f"{row['figure']} ({unit}); band shaded, observed dashed",
        yaxis={"visible": False, "range": [0, 1.5]},
        showlegend=True,
        legend={"orientation": "h", "y": -0.6},
        template="plotly_white",
    )
    return figure
