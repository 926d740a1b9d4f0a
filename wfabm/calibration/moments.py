"""Simulated moments: the model's counterpart of each calibration target, from one run.

A run starts in the base year and is observed over its first months (12 for the targets,
the year of the 2022 workforce collection). :func:`run_moments` runs one config and seed and
returns every moment named in ``wfabm/data/calibration_targets.csv``; how each is formed is
written there, in the ``simulated_as`` column, and in ``docs/CALIBRATION.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from wfabm.batch.compare import WALES, summarise_run
from wfabm.config import Config
from wfabm.core.taxonomy import (
    AGENCY,
    CARE_WORKER,
    INDEPENDENT,
    LA,
    ROLES,
    SERVICE_INDEX,
    SOCIAL_WORKER,
)
from wfabm.model.workforce import WorkforceModel
from wfabm.world import exits as exit_rules

__all__ = [
    "CARE_SERVICES",
    "SOCIAL_CARE_DESTINATIONS",
    "StartingCohort",
    "intent_to_leave",
    "moments_of",
    "run_moments",
    "separation_elasticity",
    "zero_hours_share",
]

CARE_SERVICES = ("residential", "domiciliary", "supported_living", "day_services")
"""Independent services whose care workers enter the supply elasticity."""

SOCIAL_CARE_DESTINATIONS = ("la", "independent", "agency", "england_la", "england_independent")
"""Destinations that count as staying in social care (the NHS does not)."""

_REGISTERED_SOCIAL_WORKERS = ("social_worker", "amhp")
_SOCIAL_WORKER_EMPLOYERS = ("la", "independent", "agency", "nhs")
_SEPARATIONS = ("move", "retired", "left_sector")


@dataclass(frozen=True)
class StartingCohort:
    """The care workers at Welsh independent care providers when a run starts.

    Attributes:
        worker_id: Their ids.
        workplace: Each one's workplace.
        log_pay: Log hourly care worker pay of each workplace at the start, by workplace.
        group: Local authority x service group of each workplace (-1 outside the sample).
        service: Service index of each workplace.
    """

    worker_id: np.ndarray
    workplace: np.ndarray
    log_pay: np.ndarray
    group: np.ndarray
    service: np.ndarray

    @classmethod
    def of(cls, model: WorkforceModel) -> StartingCohort:
        """Take the cohort from a model that has not been stepped yet."""
        employers = model.employers
        services = [SERVICE_INDEX[name] for name in CARE_SERVICES]
        sampled = (employers.sector == INDEPENDENT) & np.isin(employers.service, services)
        group = np.where(sampled, employers.la * len(SERVICE_INDEX) + employers.service, -1)
        w = model.workers
        used = w.view()
        mine = w.active[used] & (w.role[used] == CARE_WORKER) & sampled[w.employer[used]]
        return cls(
            worker_id=w.worker_id[used][mine].copy(),
            workplace=w.employer[used][mine].astype(np.int64),
            log_pay=np.log(np.maximum(employers.pay[:, CARE_WORKER], 1e-9)),
            group=group,
            service=employers.service.copy(),
        )


def run_moments(config: Config, seed: int, months: int = 12) -> dict[str, float]:
    """Run ``config`` from the base year and return its moments over ``months`` months.

    The run then goes on for as many months again, for the one target of the year after
    (``intent_to_leave_2024``).

    A module-level function so that worker processes can run it.

    Args:
        config: The resolved configuration.
        seed: The model's root seed.
        months: Months to simulate and observe.

    Returns:
        Moment name -> value (NaN where a moment is undefined, e.g. no social workers).
    """
    # Every candidate has its own burn-in: caching them would only fill the disk.
    model = WorkforceModel(config, seed=seed, record_events=True, burn_in_cache=False)
    cohort = StartingCohort.of(model)
    model.run(months)
    moments = moments_of(model, cohort)
    # The intent to leave a year later (the 2024 survey): whether it persists.
    model.run(months)
    later = model.metrics.filter(pl.col("month") >= model.metrics["month"].unique().sort()[months])
    moments["intent_to_leave_2024"] = float(intent_to_leave(later))
    moments["england_care_worker_turnover"] = moments.pop("england_care_worker_turnover")
    return moments


def moments_of(model: WorkforceModel, cohort: StartingCohort) -> dict[str, float]:
    """Every moment of a finished run (see ``calibration_targets.csv``)."""
    metrics, flows = model.metrics, model.flows
    months = metrics["month"].n_unique()
    hazards = _care_worker_exit_hazards(model)
    summary = summarise_run(metrics, window_months=months)
    moments = {
        "vacancy_rate_wales": _outcome(summary, WALES, "all", "vacancy_rate"),
        "vacancy_rate_care_worker": _outcome(summary, WALES, "care_worker", "vacancy_rate"),
        "vacancy_rate_social_worker": _outcome(summary, WALES, "social_worker", "vacancy_rate"),
        "held_vacant_share_social_worker": _held_vacant_share(model, SOCIAL_WORKER),
        "care_worker_leaver_rate": _outcome(summary, WALES, "care_worker", "leaver_rate"),
        "care_worker_joiner_rate": _outcome(summary, WALES, "care_worker", "joiner_rate"),
        "social_worker_leaver_rate": _outcome(summary, WALES, "social_worker", "leaver_rate"),
        "social_worker_joiner_rate": _outcome(summary, WALES, "social_worker", "joiner_rate"),
        **_social_worker_shares(metrics),
        "intent_to_leave": intent_to_leave(metrics),
        **_leave_reasons(model),
        "zero_hours_share_care_worker": zero_hours_share(model),
        "leavers_staying_in_sector": _leavers_staying(flows),
        **_supply_elasticities(model, cohort),
        "leaving_pay_elasticity": _leaving_pay_elasticity(
            hazards, model.config.data["exits"]["intent_pay"]
        ),
        "leavers_due_to_burnout": _leavers_due_to_burnout(hazards),
        "england_care_worker_turnover": _outcome(
            summary, "england_independent", "care_worker", "leaver_rate"
        ),
    }
    return {key: float(value) for key, value in moments.items()}


def _outcome(summary: pl.DataFrame, sector: str, role: str, outcome: str) -> float:
    value = summary.filter(
        (pl.col("sector") == sector) & (pl.col("role") == role) & (pl.col("outcome") == outcome)
    )["value"]
    return float("nan") if value.is_empty() or value[0] is None else float(value[0])


def _held_vacant_share(model: WorkforceModel, role: int) -> float:
    # Imported here: employer rules are only needed for this one moment.
    from wfabm.world import employers as employer_rules

    employers = model.employers
    welsh = np.isin(employers.sector, (LA, INDEPENDENT))
    vacant = employer_rules.vacancies(employers, model.state.cells.headcount_matrix())
    open_posts = employer_rules.open_vacancies(vacant, model.vacancy_held)
    total = vacant[welsh, role].sum()
    return float("nan") if total == 0 else 1.0 - open_posts[welsh, role].sum() / total


def _social_worker_shares(metrics: pl.DataFrame) -> dict[str, float]:
    by_sector = (
        metrics.filter(
            pl.col("role").is_in(_REGISTERED_SOCIAL_WORKERS)
            & pl.col("sector").is_in(_SOCIAL_WORKER_EMPLOYERS)
        )
        .group_by("sector")
        .agg(pl.col("headcount").cast(pl.Float64).sum())
    )
    counts = dict(zip(by_sector["sector"], by_sector["headcount"], strict=True))
    total = sum(counts.values())
    return {
        "social_worker_la_share": counts.get("la", 0.0) / total if total else float("nan"),
        "social_worker_agency_share": counts.get("agency", 0.0) / total if total else float("nan"),
    }


def intent_to_leave(metrics: pl.DataFrame) -> float:
    """Headcount-weighted mean intent to leave of Welsh social care workers in ``metrics``."""
    welsh = metrics.filter(
        pl.col("sector").is_in(("la", "independent", "agency")) & (pl.col("headcount") > 0)
    )
    weight = welsh["headcount"].cast(pl.Float64).to_numpy()
    intent = welsh["intent_mean"].fill_nan(0.0).fill_null(0.0).to_numpy()
    return float(np.sum(intent * weight) / np.sum(weight))


def _welsh_social_care_rows(model: WorkforceModel) -> np.ndarray:
    w = model.workers
    used = np.arange(w.view().stop)
    active = w.active[used] & np.isin(w.sector[used], (LA, INDEPENDENT, AGENCY))
    return used[active]


def _leave_reasons(model: WorkforceModel) -> dict[str, float]:
    """Shares of intent to leave that each group of terms of the intent logit accounts for.

    For worker i with intent I_i and a group of terms adding t_i >= 0 to its log-odds, the
    intent without them is I_i^- = σ(logit I_i − t_i); the share is Σ (I_i − I_i^-) / Σ I_i.
    Terms that lower intent (pay above the outside option) are no reason to leave.

    Pay is the pay term (own pay against the outside option) and pay below typical
    earnings; workload is burnout and workload above tolerance; conditions are zero-hours
    contracts and terms without the NHS pension and sick pay.
    """
    cfg = model.config.data["exits"]
    w = model.workers
    rows = _welsh_social_care_rows(model)
    intent = np.clip(w.intent[rows].astype(np.float64), 1e-9, 1 - 1e-9)
    excess = np.maximum(model.state.workload[w.employer[rows]] - w.tolerance[rows], 0.0)
    workload = cfg["intent_burnout"] * w.burnout[rows] + cfg["intent_workload"] * excess
    outside = model.pay.rlw * model.outside_ratio[w.role[rows]]
    pay = np.maximum(cfg["intent_pay"] * np.log(model.state.pay_of(rows) / outside), 0.0)
    pay = pay + model.state.pay_cells.intent_gap[w.cell[rows]]
    terms_lacking = 1.0 - model.terms[w.employer[rows], w.role[rows]]
    conditions = cfg["intent_zero_hours"] * w.zero_hours[rows] + cfg["intent_terms"] * np.maximum(
        terms_lacking, 0.0
    )
    log_odds = np.log(intent / (1 - intent))
    total = intent.sum()

    def share(terms: np.ndarray) -> float:
        without = 1.0 / (1.0 + np.exp(-(log_odds - np.maximum(terms, 0.0))))
        return float((intent - without).sum() / total)

    return {
        "leave_reason_workload": share(workload),
        "leave_reason_pay": share(pay),
        "leave_reason_conditions": share(conditions),
    }


def zero_hours_share(model: WorkforceModel, role: int | None = CARE_WORKER) -> float:
    """Share of the staff of Welsh local authorities and independent providers on zero hours.

    Args:
        model: The model, read in its current state.
        role: Index of the role counted; None counts every role.

    Returns:
        Staff of ``role`` on zero-hours contracts / all staff of ``role`` there.
    """
    w = model.workers
    used = np.arange(w.view().stop)
    welsh = w.active[used] & np.isin(w.sector[used], (LA, INDEPENDENT))
    if role is not None:
        welsh &= w.role[used] == role
    return float(w.zero_hours[used][welsh].mean())


def _leavers_staying(flows: pl.DataFrame) -> float:
    leavers = flows.filter(pl.col("origin").is_in(("la", "independent")))
    staying = leavers.filter(pl.col("destination").is_in(SOCIAL_CARE_DESTINATIONS))
    total = leavers["count"].sum()
    return float(staying["count"].sum() / total) if total else float("nan")


def _supply_elasticities(model: WorkforceModel, cohort: StartingCohort) -> dict[str, float]:
    events = model.events().filter(pl.col("kind").is_in(_SEPARATIONS))
    # Each starting care worker's first separation, from the workplace they started in.
    first = (
        events.filter(pl.col("worker_id").is_in(cohort.worker_id.tolist()))
        .sort("month", maintain_order=True)
        .unique("worker_id", keep="first", maintain_order=True)
    )
    size = len(cohort.log_pay)
    exposure = np.bincount(cohort.workplace, minlength=size).astype(np.float64)
    separations = np.bincount(
        first["origin_employer"].to_numpy().astype(np.int64), minlength=size
    ).astype(np.float64)
    in_sample = (cohort.group >= 0) & (exposure > 0)
    result = {}
    for key, services in (
        ("care_worker_supply_elasticity", CARE_SERVICES),
        ("care_worker_supply_elasticity_care_homes", ("residential",)),
        ("care_worker_supply_elasticity_domiciliary", ("domiciliary",)),
    ):
        rows = in_sample & np.isin(cohort.service, [SERVICE_INDEX[s] for s in services])
        beta = separation_elasticity(
            separations[rows], exposure[rows], cohort.log_pay[rows], cohort.group[rows]
        )
        result[key] = -2.0 * beta
    return result


def separation_elasticity(
    separations: np.ndarray, exposure: np.ndarray, log_pay: np.ndarray, group: np.ndarray
) -> float:
    """Poisson regression of separations on log pay with group fixed effects.

    E[separations_e] = exposure_e · exp(α_g(e) + β · log_pay_e). The fixed effects are
    profiled out, and β is found by Newton's method on the profile score
    Σ_e y_e (x_e − x̄_g(β)), where x̄_g(β) is the mean of x in group g weighted by
    exposure · exp(β x). Groups with no separations or no variation in pay carry no
    information and drop out.

    Args:
        separations: Separations per workplace.
        exposure: Workers at risk per workplace.
        log_pay: Log pay per workplace.
        group: Fixed-effect group per workplace.

    Returns:
        β, the elasticity of the separation rate with respect to pay (NaN if undefined).
    """
    _, index = np.unique(group, return_inverse=True)
    n_groups = index.max() + 1 if len(index) else 0
    if n_groups == 0:
        return float("nan")
    y_group = np.bincount(index, weights=separations, minlength=n_groups)
    centred = (
        log_pay
        - np.bincount(index, weights=exposure * log_pay, minlength=n_groups)[index]
        / np.bincount(index, weights=exposure, minlength=n_groups)[index]
    )
    beta = 0.0
    for _ in range(50):
        weight = exposure * np.exp(beta * centred)
        total = np.bincount(index, weights=weight, minlength=n_groups)
        mean = np.bincount(index, weights=weight * centred, minlength=n_groups) / total
        second = np.bincount(index, weights=weight * centred**2, minlength=n_groups) / total
        score = np.sum(separations * centred) - np.sum(y_group * mean)
        information = np.sum(y_group * (second - mean**2))
        if information <= 0:
            return float("nan")
        step = score / information
        beta += step
        if abs(step) < 1e-10:
            break
    return float(beta)


def _care_worker_exit_hazards(model: WorkforceModel) -> dict[str, np.ndarray]:
    """Monthly hazards of leaving the sector of Welsh care workers, at the last month's state.

    The hazard is ``m0 + (m1 − m0)·I_s + b·burnout`` (retirement aside), where ``I_s`` is the
    intent that leads out of the labour market: the surveyed intent without the term for pay
    below typical earnings (7.6, 7.7 of the ODD).
    """
    cfg = model.config.data["exits"]
    leave_base = np.array([cfg["leave_base"][name] for name in ROLES])
    m0, m1 = exit_rules.monthly_leave_hazards(leave_base, cfg["intent_exit_odds_ratio"])
    w = model.workers
    used = np.arange(w.view().stop)
    rows = used[
        w.active[used] & (w.role[used] == CARE_WORKER) & np.isin(w.sector[used], (LA, INDEPENDENT))
    ]
    intent = np.clip(w.intent[rows].astype(np.float64), 1e-9, 1 - 1e-9)
    log_odds = np.log(intent / (1 - intent)) - model.state.pay_cells.intent_gap[w.cell[rows]]
    leaving = 1.0 / (1.0 + np.exp(-log_odds))
    burnout = w.burnout[rows].astype(np.float64)
    without_burnout = 1.0 / (1.0 + np.exp(-(log_odds - cfg["intent_burnout"] * burnout)))
    role = w.role[rows]
    direct = exit_rules.monthly_burnout_hazard(cfg["leave_burnout"])
    return {
        "intent_gain": (m1 - m0)[role],
        "leaving_intent": leaving,
        "hazard": m0[role] + (m1 - m0)[role] * leaving + direct * burnout,
        "hazard_without_burnout": m0[role] + (m1 - m0)[role] * without_burnout,
    }


def _leaving_pay_elasticity(h: dict[str, np.ndarray], intent_pay: float) -> float:
    """Elasticity of Welsh care workers' expected departures from the sector to their pay.

    With the hazards ``h`` of :func:`_care_worker_exit_hazards`,
    dI_s/d ln w = intent_pay·I_s(1 − I_s), so the elasticity is exact, with no simulation
    noise. Pay below typical earnings leads to moves, not out of the labour market, so it has
    no part here.
    """
    leaving = h["leaving_intent"]
    slope = h["intent_gain"] * leaving * (1 - leaving) * intent_pay
    return float(slope.sum() / h["hazard"].sum())


def _leavers_due_to_burnout(h: dict[str, np.ndarray]) -> float:
    """Share of Welsh care workers' departures from the sector that burnout accounts for.

    Σ (h − h without burnout) / Σ h over the hazards of :func:`_care_worker_exit_hazards`:
    without burnout, neither its direct hazard nor its term in the intent to leave.
    """
    total = h["hazard"].sum()
    return float((total - h["hazard_without_burnout"].sum()) / total)
