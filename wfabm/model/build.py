"""Building a model's state from its config: the world at the start of the first month."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from wfabm.levers.lever_set import LeverSet
from wfabm.world.ages import age_profile
from wfabm.world.events import EventLog
from wfabm.world.geography import load_geography
from wfabm.world.metrics import MetricsRecorder
from wfabm.world.pay import PayTables
from wfabm.world.population import synthesise
from wfabm.world.state import Cells, Clock, State, pay_cells
from wfabm.world.tables import build_tables
from wfabm.world.workers import WorkerTable


def parse_month(text: str) -> dt.date:
    """The first day of the month of a ``YYYY-MM`` (or ``YYYY-MM-DD``) text."""
    year, month = text.split("-")[:2]
    return dt.date(int(year), int(month), 1)


def build_state(
    cfg: dict[str, Any],
    rng: np.random.Generator,
    seeds: tuple[np.random.SeedSequence, np.random.SeedSequence, np.random.SeedSequence],
    record_events: bool,
    workers: WorkerTable | None = None,
) -> State:
    """The state at the start of a run.

    The streams are used in a fixed order (population, pay, policy), each once, so the
    same seed gives the same world.

    Args:
        cfg: The resolved config data.
        rng: The month's random stream (the model's Mesa generator).
        seeds: The population, pay and policy seeds.
        record_events: Keep individual events and archive departed workers.
        workers: The month-0 workforce, if not the synthesised one (a burn-in's,
            :mod:`wfabm.model.burn_in`); it must hold the same workplaces' posts.

    Returns:
        The state, at month 0.
    """
    population_seed, pay_seed, policy_seed = seeds
    clock = Clock(parse_month(cfg["run"]["start"]), 0, int(cfg["run"]["months"]))
    geography = load_geography()
    population = synthesise(cfg, geography, np.random.default_rng(population_seed))
    employers = population.employers
    # The profile is the synthesised (base-year) workforce's, whoever starts the run.
    profile = age_profile(population.workers) if cfg["run"]["hold_age_profile"] else None
    workers = population.workers if workers is None else workers
    pay = PayTables(cfg, employers, np.random.default_rng(pay_seed), clock.start)
    policy = LeverSet(cfg, clock.start, employers, geography, np.random.default_rng(policy_seed))
    pay.transform = policy
    pay.publish(0)
    recorder = MetricsRecorder(clock.months_planned, geography.size, geography.codes, clock.start)
    tables = build_tables(cfg, geography, employers, pay, clock.start)
    recorder.set_aggregation(employers.sector, employers.la)
    terms = tables.terms_start.copy()
    return State(
        tables=tables,
        clock=clock,
        workers=workers,
        employers=employers,
        pay=pay,
        recorder=recorder,
        rng=rng,
        policy=policy,
        cells=Cells(workers, employers.size, tables.point_factor),
        pay_cells=pay_cells(tables, employers, pay, terms, clock),
        events=EventLog(record_events),
        terms=terms,
        zero_hours_possible=np.ones(employers.size, dtype=bool),
        workload=np.ones(employers.size),
        agency_requests=np.zeros(employers.size),
        age_profile=profile,
    )
