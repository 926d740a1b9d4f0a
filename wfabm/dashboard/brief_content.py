"""What a session's brief says: its run, its comparison and its levers, in its language.

:func:`session_brief` reads the run shown and, if one has been run, the comparison with the
baseline on common seeds; the headline and the table of differences come from that comparison
(the same table the Compare view shows), so a brief states an interval only when there is
one. Without a comparison it reports the run shown and says how to get one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from wfabm.batch.compare import ALL_ROLES, WALES
from wfabm.batch.provenance import git_commit, package_versions
from wfabm.dashboard.brief import Brief, BriefChart, BriefLine
from wfabm.dashboard.differences import difference_rows
from wfabm.dashboard.i18n import N_, current_language, month_year, number, percent, t
from wfabm.dashboard.levers import LEVERS, Lever, lever_values, presets
from wfabm.dashboard.replicates import Paired
from wfabm.dashboard.simulation import Simulation

__all__ = ["lever_rows", "session_brief"]

_CHART_TITLES = {
    "vacancy_rate": N_("Vacancy rate, Welsh social care"),
    "headcount": N_("Welsh social care workers"),
}
_CHARTED = tuple(_CHART_TITLES)


def lever_rows(values: dict[str, Any], baseline: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """``(lever, value)`` for each lever whose value differs from the baseline's."""
    rows = []
    for lever in LEVERS:
        value = values.get(lever.name)
        start = values.get(lever.start) if lever.start else None
        changed = value != baseline.get(lever.name) or (
            lever.start is not None and start != baseline.get(lever.start)
        )
        if not changed:
            continue
        shown = _value(lever, value)
        if lever.start is not None and start:
            shown = t("{value}, from {start}", value=shown, start=start)
        rows.append((t(lever.label), shown))
    return tuple(rows)


def _value(lever: Lever, value: Any) -> str:
    choices = dict(lever.choices)
    if lever.kind == "switch":
        return t("yes") if value else t("no")
    if lever.kind == "choice":
        return t(choices.get(value, str(value)))
    if lever.kind == "roles":
        return ", ".join(t(choices.get(role, role)) for role in value or []) or t("none")
    if value is None:
        return t("none")
    return number(value, 3).rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _headline(simulation: Simulation, comparison: Paired | None) -> str:
    if comparison is None:
        if not simulation.month:
            return t(
                "The run has not started: press Play or Step a month, then Run comparison "
                "for what the levers change."
            )
        return t(
            "In {month}, {months} months into the run shown, the vacancy rate of Welsh social "
            "care is {rate} and {workers} people work in it. This is one seed: run the "
            "comparison for what the levers change against the baseline, with its interval.",
            month=month_year(simulation.last_date),
            months=simulation.month,
            rate=percent(float(simulation.series.wales("vacancy_rate")[-1]), 1),
            workers=number(float(simulation.series.wales("headcount")[-1])),
        )
    table = comparison.table
    (row,) = table.filter(
        (table["sector"] == WALES)
        & (table["role"] == ALL_ROLES)
        & (table["outcome"] == "vacancy_rate")
    ).iter_rows(named=True)
    months = min(12, len(comparison.dates))
    values = {
        "months": months,
        "end": month_year(comparison.dates[-1]),
        "scenario": percent(row["scenario_mean"], 1),
        "baseline": percent(row["baseline_mean"], 1),
        "difference": _points(row["difference"]),
        "seeds": len(comparison.seeds),
    }
    if row["ci_low"] is None:
        return t(
            "Over the {months} months to {end}, the vacancy rate of Welsh social care is "
            "{scenario} with these levers against {baseline} in the baseline ({difference} "
            "percentage points, on {seeds} seed: run 2 or more for an interval).",
            **values,
        )
    return t(
        "Over the {months} months to {end}, the vacancy rate of Welsh social care is "
        "{scenario} with these levers against {baseline} in the baseline: {difference} "
        "percentage points (95 % interval {low} to {high}, over {seeds} paired seeds).",
        low=_points(row["ci_low"]),
        high=_points(row["ci_high"]),
        **values,
    )


def _points(share: float) -> str:
    """A difference of two shares in percentage points, signed."""
    points = number(100 * share, 2)
    return points if points.startswith("-") else f"+{points}"


def _charts(simulation: Simulation, comparison: Paired | None) -> tuple[BriefChart, ...]:
    charts = []
    for measure in _CHARTED:
        title = t(_CHART_TITLES[measure])
        if comparison is None:
            if not simulation.month:
                continue
            values = simulation.series.wales(measure)
            lines = (BriefLine(t("Run shown"), tuple(float(v) for v in values)),)
            dates = tuple(simulation.dates)
        else:
            lines = tuple(
                BriefLine(
                    label,
                    tuple(float(v) for v in runs.mean(axis=0)),
                    tuple(float(v) for v in runs.min(axis=0)) if len(runs) > 1 else None,
                    tuple(float(v) for v in runs.max(axis=0)) if len(runs) > 1 else None,
                )
                for label, runs in (
                    (t("Baseline"), comparison.lines["baseline"][measure]),
                    (t("Chosen levers"), comparison.lines["scenario"][measure]),
                )
            )
            dates = tuple(comparison.dates)
        charts.append(BriefChart(title, dates, lines, percent=measure == "vacancy_rate"))
    return tuple(charts)


def _manifest(simulation: Simulation, comparison: Paired | None) -> tuple[tuple[str, str], ...]:
    config = simulation.config
    run = config["run"]
    rows = [
        (t("Config hash"), config.hash),
        (t("Root seed, months"), f"{run['seed']}, {run['months']}"),
    ]
    if comparison is not None:
        rows.append((t("Seeds of the comparison"), ", ".join(str(s) for s in comparison.seeds)))
    rows.append((t("wfabm commit"), git_commit() or t("not recorded")))
    versions = package_versions(("solara", "babel", "weasyprint"))
    rows.append(
        (t("Versions"), ", ".join(f"{name} {version or '–'}" for name, version in versions.items()))
    )
    rows.append((t("Scenario file"), t("Download the scenario (TOML) in the dashboard")))
    return tuple(rows)


def session_brief(
    simulation: Simulation,
    comparison: Paired | None,
    *,
    preset: str,
    baseline_values: dict[str, Any],
    made: dt.date | None = None,
) -> Brief:
    """The brief of a session, in its language.

    Args:
        simulation: The run shown.
        comparison: The comparison of the run shown's config with the baseline, if one was
            run (the caller checks it is of that config).
        preset: The preset the levers were set from (``"baseline"``, ``"file"``...).
        baseline_values: The baseline's lever values.
        made: The day (default today).

    Returns:
        The brief.
    """
    titles = {p.name: p.title[0].upper() + p.title[1:] for p in presets()}
    if preset in titles:
        title = t(titles[preset])
    elif preset == "baseline":
        title = t("Baseline: today's policy")
    else:
        title = t("Levers set in the workshop")
    differences = difference_rows(comparison) if comparison is not None else ()
    if comparison is None:
        uncertainty = t(
            "No interval yet: the figures are one run on one seed. Run the comparison "
            "(Compare view) with 2 or more seeds to see how far chance alone moves them."
        )
    else:
        uncertainty = t(
            "Each figure is the mean over the last {months} months of {seeds} paired runs "
            "(the same seeds with and without the levers, so that chance affects both "
            "alike); the interval is the 95 % Student-t interval of the paired differences. "
            "The bands of the charts are the range over the seeds.",
            months=min(12, len(comparison.dates)),
            seeds=len(comparison.seeds),
        )
    return Brief(
        language=current_language(),
        title=title,
        made=made or dt.date.today(),
        headline=_headline(simulation, comparison),
        levers=lever_rows(lever_values(simulation.config), baseline_values),
        charts=_charts(simulation, comparison),
        differences=differences,
        uncertainty=uncertainty,
        manifest=_manifest(simulation, comparison),
    )
