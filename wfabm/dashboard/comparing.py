"""The Compare view: named scenarios against the baseline on the same seeds.

The room keeps the levers it has applied as named scenarios, picks up to three, and runs
them against the baseline on common seeds (:mod:`.replicates`). Runs appear as they finish,
with the runs done and the time left; a headline (:func:`~.headline.headline`) and a table
of differences in points and £ million come with each scenario.
"""

from __future__ import annotations

import datetime as dt

import solara

from wfabm.dashboard import charts
from wfabm.dashboard.differences import OUTCOME_LABELS
from wfabm.dashboard.headline import format_difference, format_level, headline
from wfabm.dashboard.i18n import month_year, number, t
from wfabm.dashboard.levers import chart_markers, lever_values
from wfabm.dashboard.measures import WALES_MEASURES
from wfabm.dashboard.replicates import BASELINE, Replicates
from wfabm.dashboard.scenarios import MAX_COMPARED
from wfabm.dashboard.widgets import Chart
from wfabm.dashboard.workshop import APPLIED, Workshop
from wfabm.outcomes.summary import ALL_ROLES, WALES

__all__ = ["CompareView", "Headlines", "ScenarioKeeper", "difference_table", "summarised_until"]

_PERCENT = frozenset({"vacancy_rate", "turnover"})


def summarised_until(comparison: Replicates) -> dt.date:
    """The last month of the year each run is summarised over."""
    return comparison.dates[-1]


@solara.component
def ScenarioKeeper(workshop: Workshop) -> None:
    """Name the levers applied and keep them; the scenarios kept, each with a remove button."""
    name, set_name = solara.use_state("")

    def keep() -> None:
        if workshop.keep_scenario(name):
            set_name("")

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputText(
            t("Name for the levers applied"),
            value=name,
            on_value=set_name,
            continuous_update=True,
            style={"max-width": "360px"},
        )
        solara.Button(
            t("Keep as a scenario"), icon_name="mdi-content-save", on_click=keep, outlined=True
        )
    if workshop.scenario_error.value:
        solara.Error(workshop.scenario_error.value)
    kept = workshop.scenarios.value
    if kept:
        with solara.Row(style={"flex-wrap": "wrap"}):
            for scenario in kept:
                solara.v.Chip(
                    children=[scenario.name],
                    close=True,
                    on_click_close=lambda *_, n=scenario.name: workshop.forget_scenario(n),
                    class_="ma-1",
                )


@solara.component
def Headlines(workshop: Workshop) -> None:
    """The headline of each scenario of the comparison shown, in large type."""
    comparison = workshop.comparison.value
    if comparison is None:
        return
    for scenario in comparison.names:
        table = comparison.table(scenario)
        if table is None:
            continue
        seeds = len(comparison.paired_seeds(scenario))
        text = headline(scenario, table, seeds=seeds, until=summarised_until(comparison))
        solara.Markdown(f"### {text}", style={"line-height": "1.35"})


@solara.component
def CompareView(workshop: Workshop) -> None:
    """The scenarios chosen against the baseline on the same seeds, with bands and tables."""
    progress = workshop.compare_progress.value
    comparison = workshop.comparison.value
    simulation = workshop.simulation.value
    measure, set_measure = solara.use_state("vacancy_rate")
    months = simulation.horizon if simulation is not None else 0
    items = [
        {"text": t("Levers applied: {name}", name=t(workshop.applied_name.value)), "value": APPLIED}
    ]
    items += [{"text": s.name, "value": s.name} for s in workshop.scenarios.value]
    with solara.Card(t("Scenarios against the baseline"), margin=0):
        solara.Markdown(
            t(
                "Each scenario runs on the same seeds as the baseline (common random numbers, "
                "derived from the run's seed) for the run's {months} months. The bands are "
                "the range across the seeds, and the intervals are of the differences paired "
                "seed by seed: seed noise is the only uncertainty shown.",
                months=months,
            )
        )
        ScenarioKeeper(workshop)
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.v.Select(
                label=t("Scenarios to compare (up to {n})", n=MAX_COMPARED),
                items=items,
                v_model=workshop.compare_choice.value,
                on_v_model=lambda chosen: workshop.compare_choice.set(list(chosen)[:MAX_COMPARED]),
                multiple=True,
                chips=True,
                dense=True,
                hide_details=True,
                style_="max-width: 560px; min-width: 320px",
            )
            solara.InputInt(t("Replicates (seeds)"), value=workshop.replicates)
            solara.Button(
                t("Run comparison"),
                icon_name="mdi-compare",
                color="primary",
                disabled=progress is not None,
                on_click=lambda: workshop.compare_request.set(workshop.compare_request.value + 1),
            )
        if workshop.pending:
            solara.Warning(
                t(
                    "Levers were edited but not applied: a comparison uses the levers of "
                    "the run shown. Press Apply levers and restart first to compare them."
                )
            )
        if progress is not None:
            done, total, left = progress
            solara.Text(
                t(
                    "Running: {done} of {total} runs done, about {left} s left",
                    done=done,
                    total=total,
                    left=number(left),
                )
            )
            solara.ProgressLinear(max(100 * done / max(total, 1), 3))
        if workshop.compare_error.value:
            solara.Error(workshop.compare_error.value)
    if comparison is None:
        return
    Headlines(workshop)
    solara.v.Select(
        label=t("Measure"),
        items=[{"text": t(text), "value": key} for key, text in WALES_MEASURES.items()],
        v_model=measure,
        on_v_model=set_measure,
        dense=True,
        style_="max-width: 400px",
    )
    runs = {t("Baseline"): comparison.lines(BASELINE, measure)}
    runs.update({name: comparison.lines(name, measure) for name in comparison.names})
    baseline_values = lever_values(workshop.baseline)
    markers = []
    for scenario in workshop.compared.value:
        markers += chart_markers(dict(scenario.values), baseline_values)
    seeds = len(comparison.seeds_of(BASELINE))
    Chart(
        charts.bands(
            t(
                "{measure}, Welsh social care: one seed",
                measure=t(WALES_MEASURES[measure]),
            )
            if seeds == 1
            else t(
                "{measure}, Welsh social care: mean and range across {n} seeds",
                measure=t(WALES_MEASURES[measure]),
                n=seeds,
            ),
            comparison.dates,
            runs,
            percent=measure in _PERCENT,
            markers=sorted(set(markers)),
        ),
        f"compare-{measure}",
    )
    for name in comparison.names:
        solara.Markdown(difference_table(comparison, name))


def difference_table(comparison: Replicates, name: str) -> str:
    """A scenario's Wales-wide differences from the baseline as a Markdown table."""
    table = comparison.table(name)
    seeds = len(comparison.paired_seeds(name))
    until = month_year(summarised_until(comparison))
    if table is None:
        return t("**{name}**: no seed done for both it and the baseline yet.", name=name)
    rows = table.filter((table["sector"] == WALES) & (table["role"] == ALL_ROLES))
    across = t("across 1 seed, so no interval") if seeds == 1 else t("across {n} seeds", n=seeds)
    lines = [
        t(
            "**{name} against the baseline, Welsh social care, the year to {until} "
            "(mean, and 95 % interval of the differences paired seed by seed, {across})**",
            name=name,
            until=until,
            across=across,
        ),
        "",
        t("| measure | baseline | {name} | difference | 95 % interval |", name=name),
        "|---|---|---|---|---|",
    ]
    for row in rows.iter_rows(named=True):
        outcome = row["outcome"]
        interval = (
            t(
                "{low} to {high}",
                low=format_difference(outcome, row["ci_low"]),
                high=format_difference(outcome, row["ci_high"]),
            )
            if row["ci_low"] is not None
            else t("needs 2 seeds")
        )
        lines.append(
            f"| {t(OUTCOME_LABELS[outcome])} | {format_level(outcome, row['baseline_mean'])} "
            f"| {format_level(outcome, row['scenario_mean'])} "
            f"| {format_difference(outcome, row['difference'])} | {interval} |"
        )
    return "\n".join(lines)
