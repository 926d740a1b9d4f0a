"""The Wales-wide differences a comparison finds, as the dashboard and the brief show them.

One row an outcome of the paired comparison (:func:`wfabm.batch.compare.paired_comparison`):
the baseline's mean, the chosen levers' mean, their difference and its 95 % interval, each
written in the session's language.
"""

from __future__ import annotations

from wfabm.batch.compare import ALL_ROLES, WALES
from wfabm.dashboard.i18n import N_, number, percent, t
from wfabm.dashboard.replicates import Paired

__all__ = ["OUTCOME_LABELS", "difference_rows", "shown_figure"]

OUTCOME_LABELS: dict[str, str] = {
    "headcount": N_("Headcount (mean)"),
    "vacancy_rate": N_("Vacancy rate"),
    "leaver_rate": N_("Leavers per worker, a year"),
    "joiner_rate": N_("Joiners per worker, a year"),
    "burnout": N_("Mean burnout"),
    "agency_spend": N_("Agency spend (£)"),
    "wage_bill": N_("Wage bill (£)"),
    "unmet_hours": N_("Unmet care hours"),
}
"""The Wales-wide outcomes of a comparison, with their labels."""


def shown_figure(outcome: str, value: float) -> str:
    """One outcome's figure in the session's language (a rate as a percentage)."""
    if outcome.endswith("_rate"):
        return percent(value, 2)
    if outcome == "burnout":
        return number(value, 3)
    return number(value)


def difference_rows(comparison: Paired) -> tuple[tuple[str, str, str, str, str], ...]:
    """The Wales-wide differences of a comparison, one row an outcome, as shown."""
    table = comparison.table
    rows = table.filter((table["sector"] == WALES) & (table["role"] == ALL_ROLES))
    out = []
    for row in rows.iter_rows(named=True):
        outcome = row["outcome"]
        shown = {
            key: "–" if row[key] is None else shown_figure(outcome, row[key])
            for key in ("baseline_mean", "scenario_mean", "difference", "ci_low", "ci_high")
        }
        interval = (
            t("{low} to {high}", low=shown["ci_low"], high=shown["ci_high"])
            if row["ci_low"] is not None
            else t("needs 2 seeds")
        )
        out.append(
            (
                t(OUTCOME_LABELS[outcome]),
                shown["baseline_mean"],
                shown["scenario_mean"],
                shown["difference"],
                interval,
            )
        )
    return tuple(out)
