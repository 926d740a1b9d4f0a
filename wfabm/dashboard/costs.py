"""The net cost of a scenario a year against the baseline, and what each lever adds to it.

The decomposition is sequential: the baseline, then the scenario's changed levers added one at
a time in the dashboard's order (each with its start month), every step run on the same seeds
(common random numbers). A lever's contribution is the change from the step before it, so the
contributions add up to the scenario's net cost; with interacting levers the split depends on
that order, which the chart states.

The cost to Welsh care employers over the last 12 months of a run (a year's worth) is, from
the model's recorded tables (:mod:`wfabm.world.metrics`): the wage bill of councils and
independent providers, plus what they spend on agency cover (agency workers' own pay is inside
that spend, so the agencies' wage bill is not added again). Levers whose money is not paid
as wages have a cost rate in :class:`CostRates`: wellbeing support per Welsh social care
worker a year, and each extra student on a social work or occupational therapy course a year.
Vacancies are the mean number open over those months; leavers those who left a Welsh social
care workplace in them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from wfabm.batch.compare import comparison_seeds
from wfabm.batch.executor import map_ordered, open_executor
from wfabm.config import Config
from wfabm.core.taxonomy import WELSH_SOCIAL_CARE
from wfabm.dashboard.levers import LEVERS, configure

__all__ = [
    "WINDOW_MONTHS",
    "CostBreakdown",
    "CostRates",
    "CostStep",
    "RunCosts",
    "cost_breakdown",
    "lever_steps",
    "programme_cost",
    "run_cost_steps",
    "run_costs",
]

WINDOW_MONTHS = 12
_EMPLOYERS = ("la", "independent")


@dataclass(frozen=True)
class CostRates:
    """What the levers that are not paid as wages cost (ASSUMPTIONS, editable in the view).

    Attributes:
        wellbeing_per_worker: £ a year per Welsh social care worker while wellbeing support
            is in force (an employee assistance programme with some supervision time).
        training_per_student: £ a year per extra student on a commissioned social work or
            occupational therapy course (fee and bursary).
    """

    wellbeing_per_worker: float = 150.0
    training_per_student: float = 12_000.0


@dataclass(frozen=True)
class RunCosts:
    """One run's year: money, vacancies and leavers over its last :data:`WINDOW_MONTHS` months.

    Attributes:
        wage_bill: £ paid to staff of Welsh councils and independent providers.
        agency_spend: £ they spent on agency cover.
        programmes: £ of the levers priced by :class:`CostRates`.
        vacancies: Mean vacancies open in Welsh social care.
        leavers: People who left a Welsh social care workplace.
    """

    wage_bill: float
    agency_spend: float
    programmes: float
    vacancies: float
    leavers: float

    @property
    def total(self) -> float:
        """The year's cost: wages, agency spend and programmes."""
        return self.wage_bill + self.agency_spend + self.programmes


@dataclass(frozen=True)
class CostStep:
    """What adding one lever changes, a year, as the mean over seeds.

    Attributes:
        lever: The lever's name (its config key).
        wage_bill: Change of the wage bill, £.
        agency_spend: Change of agency spend, £.
        programmes: Change of programme costs, £.
        vacancies: Change of mean vacancies.
        leavers: Change of leavers.
    """

    lever: str
    wage_bill: float
    agency_spend: float
    programmes: float
    vacancies: float
    leavers: float

    @property
    def net(self) -> float:
        """The lever's net cost a year, £."""
        return self.wage_bill + self.agency_spend + self.programmes


@dataclass(frozen=True)
class CostBreakdown:
    """The scenario's net cost a year against the baseline, lever by lever.

    Attributes:
        steps: One per lever, in the order added.
        seeds: The seeds every step ran on.
    """

    steps: tuple[CostStep, ...]
    seeds: tuple[int, ...]

    @property
    def net(self) -> float:
        """The scenario's net cost a year, £ (the steps add up to it)."""
        return float(sum(step.net for step in self.steps))

    @property
    def vacancies_avoided(self) -> float:
        """Fewer vacancies than the baseline (negative: more)."""
        return -float(sum(step.vacancies for step in self.steps))

    @property
    def leavers_avoided(self) -> float:
        """Fewer leavers a year than the baseline (negative: more)."""
        return -float(sum(step.leavers for step in self.steps))

    @property
    def per_vacancy_avoided(self) -> float | None:
        """Net £ a year per vacancy avoided; None if the scenario avoids none."""
        avoided = self.vacancies_avoided
        return self.net / avoided if avoided > 0 else None

    @property
    def per_leaver_avoided(self) -> float | None:
        """Net £ a year per leaver avoided; None if the scenario avoids none."""
        avoided = self.leavers_avoided
        return self.net / avoided if avoided > 0 else None


def lever_steps(values: dict[str, Any], baseline: dict[str, Any]) -> list[tuple[str, dict]]:
    """The levers of a scenario added one at a time to the baseline.

    Args:
        values: The scenario's lever values.
        baseline: The baseline's.

    Returns:
        ``[(lever name, lever values), ...]``: the first step is ``("baseline", baseline)``,
        each next one adds one changed lever (with its start month) to the step before.
    """
    steps = [("baseline", dict(baseline))]
    current = dict(baseline)
    for lever in LEVERS:
        keys = [lever.name] + ([lever.start] if lever.start else [])
        if all(values.get(key) == baseline.get(key) for key in keys):
            continue
        if values.get(lever.name) == baseline.get(lever.name) and _is_off(values[lever.name]):
            continue  # only the start month of a lever that is off has moved
        current = {**current, **{key: values.get(key) for key in keys}}
        steps.append((lever.name, current))
    return steps


def _is_off(value: Any) -> bool:
    return value in (None, False, 0, 0.0, "none", "never") or value == []


def programme_cost(
    config: Config, months: list[dt.date], headcount: float, rates: CostRates
) -> float:
    """£ over ``months`` of the levers priced by :class:`CostRates`.

    Args:
        config: The run's config.
        months: The first days of the months costed.
        headcount: Mean Welsh social care workers over them.
        rates: The cost rates.
    """
    cost = 0.0
    boost = config.get("policy.wellbeing.recovery_boost")
    if boost > 0:
        share = _share_on(months, config.get("policy.wellbeing.start"))
        cost += rates.wellbeing_per_worker * headcount * share
    extra = (config.get("policy.training.social_work_places") - 1.0) * config.get(
        "inflows.social_work_graduates"
    ) + (config.get("policy.training.occupational_therapy_places") - 1.0) * config.get(
        "inflows.occupational_therapy_graduates"
    )
    if extra:
        students = extra * max(config.get("policy.training.course_years"), 1)
        share = _share_on(months, config.get("policy.training.start"))
        cost += rates.training_per_student * students * share
    return cost


def _share_on(months: list[dt.date], start: str) -> float:
    """The share of a year of ``months`` that falls on or after ``start`` (``"YYYY-MM"``)."""
    year, month = (int(part) for part in str(start).split("-")[:2])
    first = dt.date(year, month, 1)
    return sum(1 for day in months if day >= first) / 12


def run_costs(metrics: pl.DataFrame, config: Config, rates: CostRates) -> RunCosts:
    """One run's year of costs, vacancies and leavers, from its metrics table.

    Args:
        metrics: The run's ``metrics`` table (:meth:`wfabm.world.metrics.MetricsRecorder`).
        config: Its config (for the programme costs).
        rates: The cost rates.
    """
    months = metrics["month"].unique().sort().tail(WINDOW_MONTHS).to_list()
    window = metrics.filter(pl.col("month").is_in(months))
    care = window.filter(pl.col("sector").is_in(WELSH_SOCIAL_CARE))
    employers = window.filter(pl.col("sector").is_in(_EMPLOYERS))
    headcount = float(care["headcount"].sum()) / len(months)
    scale = 12 / len(months)  # a year's worth from a shorter run
    return RunCosts(
        wage_bill=float(employers["wage_bill"].sum()) * scale,
        agency_spend=float(employers["agency_spend"].sum()) * scale,
        programmes=programme_cost(config, months, headcount, rates) * scale,
        vacancies=float(care["vacancies"].sum()) / len(months),
        leavers=float(care["leavers"].sum()) * scale,
    )


def cost_breakdown(
    runs: list[list[RunCosts]], levers: list[str], seeds: tuple[int, ...]
) -> CostBreakdown:
    """Each lever's contribution: the change of the mean over seeds from the step before.

    Args:
        runs: ``runs[step][seed]``, step 0 the baseline, as :func:`lever_steps` orders them.
        levers: The lever of each step after the baseline.
        seeds: The seeds, the same in every step.
    """
    means = [
        {
            name: float(np.mean([getattr(run, name) for run in step]))
            for name in ("wage_bill", "agency_spend", "programmes", "vacancies", "leavers")
        }
        for step in runs
    ]
    steps = tuple(
        CostStep(lever, **{name: means[i + 1][name] - means[i][name] for name in means[i]})
        for i, lever in enumerate(levers)
    )
    return CostBreakdown(steps, seeds)


def _run_one(config: Config, seed: int, months: int, rates: CostRates) -> RunCosts:
    """Run one config on one seed and cost its last year (module level, for worker processes)."""
    from wfabm.batch.run import run_model

    model, _ = run_model(config, seed=seed, months=months)
    return run_costs(model.metrics, config, rates)


def run_cost_steps(
    values: dict[str, Any],
    baseline_values: dict[str, Any],
    *,
    base: Config,
    seed: int,
    months: int,
    replicates: int,
    rates: CostRates,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> CostBreakdown | None:
    """Run the baseline and each lever added in turn on common seeds, and cost them.

    Args:
        values: The scenario's lever values.
        baseline_values: The baseline's.
        base: The config the levers change.
        seed: Root of the seeds (:func:`~wfabm.batch.compare.comparison_seeds`).
        months: Months per run.
        replicates: Seeds per step.
        rates: The cost rates.
        workers: Processes (1: in this one); results do not depend on it.
        progress: Told ``(runs done, runs in all)``.
        cancel: Returns True to drop the runs still queued (the result is then None).

    Returns:
        The breakdown, or None if cancelled.
    """
    steps = lever_steps(values, baseline_values)
    seeds = tuple(comparison_seeds(seed, replicates))
    configs = [configure(step, seed=seed, horizon=months, base=base) for _, step in steps]
    calls = [(config, s, months, rates) for config in configs for s in seeds]
    with open_executor("local", max(1, min(workers, len(calls)))) as executor:
        results = map_ordered(executor, _run_one, calls, progress=progress, cancel=cancel)
    if results is None:
        return None
    per_step = [results[i * len(seeds) : (i + 1) * len(seeds)] for i in range(len(configs))]
    return cost_breakdown(per_step, [name for name, _ in steps[1:]], seeds)
