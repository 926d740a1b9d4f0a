"""The view of one local authority: its vacancies, flows out, and what the levers do there.

Month by month: the authority's social care vacancies, its workers leaving for the NHS and
across the border, and the chosen levers against the baseline there.

The flows are counted from the run's moves (``model.events``): a move out of a Welsh social
care workplace in the authority (a council, an independent provider or an agency there) to an
NHS employer (NHS Wales or the English NHS) is a move to the NHS; one to an English council or
provider is a move across the border. The levers' effect is the comparison's (the Compare
view): the authority's vacancies with the levers minus the baseline's, seed by seed on the
same seeds, as the mean and range of those paired differences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl
import solara

from wfabm.core.taxonomy import (
    ENGLAND_INDEPENDENT,
    ENGLAND_LA,
    ENGLAND_NHS,
    NHS,
    SECTOR_INDEX,
    WELSH_SOCIAL_CARE,
)
from wfabm.dashboard import charts
from wfabm.dashboard.i18n import month_year, number, t
from wfabm.dashboard.replicates import AUTHORITY_VACANCIES, Paired
from wfabm.dashboard.workshop import Workshop
from wfabm.world.geography import load_geography

__all__ = ["AuthorityView", "authority_flows", "paired_authority_difference"]

_GEOGRAPHY = load_geography()
_CHOSEN = solara.reactive("W06000023")  # Powys; Solara keeps one per browser session
_WELSH_CARE = np.array([SECTOR_INDEX[name] for name in WELSH_SOCIAL_CARE])
_TO_NHS = np.array([NHS, ENGLAND_NHS])
_ACROSS = np.array([ENGLAND_LA, ENGLAND_INDEPENDENT])


def authority_flows(
    events: pl.DataFrame,
    sector: np.ndarray,
    authority: np.ndarray,
    index: int,
    dates: list,
) -> dict[str, np.ndarray]:
    """Moves out of an authority's Welsh social care, month by month.

    Args:
        events: The run's events (``model.events``).
        sector: Each employer's sector index.
        authority: Each employer's local authority index.
        index: The authority's index.
        dates: The months to count, first days.

    Returns:
        ``{"to_nhs": counts, "across_border": counts}``, one count a month of ``dates``.
    """
    moves = events.filter(pl.col("kind") == "move")
    origin = moves["origin_employer"].to_numpy()
    destination = moves["destination_employer"].to_numpy()
    ours = np.isin(sector[origin], _WELSH_CARE) & (authority[origin] == index)
    month_of = {day: i for i, day in enumerate(dates)}
    months = np.array([month_of.get(day, -1) for day in moves["month"].to_list()], dtype=int)
    out = {}
    for name, kinds in (("to_nhs", _TO_NHS), ("across_border", _ACROSS)):
        chosen = ours & np.isin(sector[destination], kinds) & (months >= 0)
        out[name] = np.bincount(months[chosen], minlength=len(dates))[: len(dates)]
    return out


def paired_authority_difference(comparison: Paired, index: int) -> np.ndarray:
    """The authority's vacancies with the levers minus the baseline's, ``(seeds, months)``."""
    lines = comparison.lines
    scenario = lines["scenario"][AUTHORITY_VACANCIES][:, :, index]
    baseline = lines["baseline"][AUTHORITY_VACANCIES][:, :, index]
    return scenario - baseline


@solara.component
def AuthorityView(workshop: Workshop, chart: Callable[[go.Figure, str], Any]) -> None:
    """Pick a Welsh authority; see its vacancies and flows, and the levers' effect there."""
    code, set_code = _CHOSEN.value, _CHOSEN.set
    simulation = workshop.simulation.value
    _ = workshop.tick.value
    welsh = [
        (c, n)
        for c, n, w in zip(_GEOGRAPHY.codes, _GEOGRAPHY.names, _GEOGRAPHY.welsh, strict=True)
        if w
    ]
    solara.v.Select(
        label=t("Local authority"),
        items=[{"text": name, "value": c} for c, name in welsh],
        v_model=code,
        on_v_model=set_code,
        dense=True,
        style_="max-width: 320px",
    )
    if simulation is None or simulation.month == 0:
        solara.Info(t("Press Play or Step a month to start the run."))
        return
    index = list(_GEOGRAPHY.codes).index(code)
    name = _GEOGRAPHY.names[index]
    with workshop.lock:
        dates = list(simulation.dates)
        vacancies = simulation.series["la_vacancies"][:, index].copy()
        model = simulation.model
        flows = authority_flows(
            model.events(), model.employers.sector, model.employers.la, index, dates
        )
    chart(
        charts.lines(
            t("Social care vacancies in {authority}", authority=name),
            dates,
            {t("Vacancies"): vacancies},
            y_title=t("posts"),
        ),
        f"authority-vacancies-{code}",
    )
    chart(
        charts.lines(
            t("Leaving social care in {authority}, a month", authority=name),
            dates,
            {
                t("To the NHS"): flows["to_nhs"].astype(float),
                t("Across the border (English employers)"): flows["across_border"].astype(float),
            },
            y_title=t("people"),
        ),
        f"authority-flows-{code}",
    )
    comparison = workshop.comparison_of_run()
    if comparison is None or AUTHORITY_VACANCIES not in comparison.lines["scenario"]:
        solara.Info(
            t(
                "Run the comparison (Compare view) to see what the chosen levers do in "
                "{authority}.",
                authority=name,
            )
        )
        return
    difference = paired_authority_difference(comparison, index)
    figure = charts.bands(
        t(
            "Vacancies in {authority}: chosen levers − baseline, mean and range of {seeds} "
            "paired seeds",
            authority=name,
            seeds=len(comparison.seeds),
        ),
        list(comparison.dates),
        {t("Chosen levers − baseline"): difference},
    )
    chart(figure, f"authority-difference-{code}")
    last = difference[:, -1]
    solara.Markdown(
        t(
            "In {month}: {difference} vacancies with the chosen levers against the baseline "
            "(mean of {seeds} paired seeds; from {low} to {high}).",
            month=month_year(comparison.dates[-1]),
            difference=_signed(float(last.mean())),
            seeds=len(last),
            low=_signed(float(last.min())),
            high=_signed(float(last.max())),
        )
    )


def _signed(value: float) -> str:
    shown = number(value)
    return shown if shown.startswith("-") or shown == "0" else f"+{shown}"
