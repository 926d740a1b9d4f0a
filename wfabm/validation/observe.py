"""Each figure's counterpart in one run of the model.

:func:`observe_run` runs a config through the one run entry point
(:func:`wfabm.batch.run.run_model`) and reads every figure of
:func:`wfabm.validation.figures.load_figures` at the month it describes: the calibration
targets' moments at the end of the base year (as :mod:`wfabm.calibration.moments` forms
them), and each held-out figure in the month of its survey or collection.
"""

from __future__ import annotations

import math

import polars as pl

from wfabm.batch.run import run_model
from wfabm.calibration.moments import (
    StartingCohort,
    intent_to_leave,
    moments_of,
    zero_hours_share,
)
from wfabm.config import Config
from wfabm.model.workforce import WorkforceModel

__all__ = ["BASE_YEAR_MONTHS", "FIGURE_MONTHS", "FULL_MONTHS", "observe_run"]

BASE_YEAR_MONTHS = 12
"""April 2022 to March 2023: the year of the 2022 workforce collection."""

FIGURE_MONTHS: dict[str, int] = {
    "intent_to_leave_2024": 24,
    "vacancies_independent_share": BASE_YEAR_MONTHS,
    "zero_hours_share_workforce": BASE_YEAR_MONTHS,
    "zero_hours_share_workforce_2024": 24,
    "social_worker_growth_2024": 24,
    "zero_hours_share_care_worker_2025": 36,
    "care_worker_agency_share_2025": 36,
}
"""Months a run needs to reach a figure, where it is not the base year's 12."""

FULL_MONTHS = max(FIGURE_MONTHS.values())
"""Months a run needs to reach every figure (to March 2025)."""

_SEPTEMBER_2022 = 6
_SOCIAL_WORKERS = ("social_worker", "amhp")
_SOCIAL_WORKER_EMPLOYERS = ("la", "independent", "agency", "nhs")
_WELSH_EMPLOYERS = ("la", "independent", "agency")


def observe_run(config: Config, seed: int, months: int, keys: tuple[str, ...]) -> dict[str, float]:
    """Run ``config`` for ``months`` months and read each figure's counterpart.

    A module-level function so that worker processes can run it.

    Args:
        config: The resolved configuration.
        seed: The model's root seed.
        months: Months to simulate, at least the base year's 12.
        keys: The figures to return.

    Returns:
        Figure key -> value; NaN for a figure the run does not reach or cannot define.
    """
    observer = _Observer()
    run_model(
        config,
        seed=seed,
        months=months,
        record_events=True,
        on_start=observer.start,
        after_month=observer.after_month,
    )
    return {key: float(observer.values.get(key, math.nan)) for key in keys}


class _Observer:
    """Takes each figure from the model at the end of the month it describes."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self.cohort: StartingCohort | None = None

    def start(self, model: WorkforceModel) -> None:
        self.cohort = StartingCohort.of(model)

    def after_month(self, model: WorkforceModel, done: int) -> None:
        if done == BASE_YEAR_MONTHS:
            metrics = model.metrics
            self.values.update(moments_of(model, self.cohort))
            self.values["vacancies_independent_share"] = _independent_vacancy_share(metrics)
            self.values["zero_hours_share_workforce"] = zero_hours_share(model, role=None)
        elif done == 24:
            metrics = model.metrics
            self.values["intent_to_leave_2024"] = intent_to_leave(_months(metrics, 13, 24))
            self.values["zero_hours_share_workforce_2024"] = zero_hours_share(model, role=None)
            self.values["social_worker_growth_2024"] = _social_worker_growth(
                metrics, _SEPTEMBER_2022, 24
            )
        elif done == 36:
            self.values["zero_hours_share_care_worker_2025"] = zero_hours_share(model)
            self.values["care_worker_agency_share_2025"] = _care_worker_agency_share(
                _months(model.metrics, 34, 36)
            )


def _months(metrics: pl.DataFrame, first: int, last: int) -> pl.DataFrame:
    """The rows of months ``first`` to ``last`` of a run, counted from 1."""
    dates = metrics["month"].unique().sort()
    return metrics.filter(pl.col("month").is_between(dates[first - 1], dates[last - 1]))


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else math.nan


def _independent_vacancy_share(metrics: pl.DataFrame) -> float:
    welsh = metrics.filter(pl.col("sector").is_in(("la", "independent")))
    independent = welsh.filter(pl.col("sector") == "independent")["vacancies"].sum()
    return _ratio(independent, welsh["vacancies"].sum())


def _social_worker_growth(metrics: pl.DataFrame, before: int, after: int) -> float:
    counted = pl.col("role").is_in(_SOCIAL_WORKERS) & pl.col("sector").is_in(
        _SOCIAL_WORKER_EMPLOYERS
    )
    start = _months(metrics, before, before).filter(counted)["headcount"].sum()
    end = _months(metrics, after, after).filter(counted)["headcount"].sum()
    return _ratio(end, start) - 1.0


def _care_worker_agency_share(metrics: pl.DataFrame) -> float:
    care = metrics.filter(
        (pl.col("role") == "care_worker") & pl.col("sector").is_in(_WELSH_EMPLOYERS)
    )
    agency = care.filter(pl.col("sector") == "agency")["headcount"].sum()
    return _ratio(agency, care["headcount"].sum())
