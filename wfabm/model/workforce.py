"""The Welsh social care labour market as a Mesa model of individual worker agents.

Workers are individuals held as columns (``world/workers.py``); every behaviour decides for
all of them at once. The model holds the :class:`~wfabm.world.state.State` and runs each
month as a declared :class:`~wfabm.model.plan.Plan` of named stages
(``model/stages/``, one module each), in this order:

0. begin: the month's index and pay events;
1. levers_start: levers that start this month;
2. uplifts: pay uplifts on their real dates, a pay point for a year's service;
3. demand: growth in funded posts;
4. employers: vacancies, agency cover, independent providers' pay response;
5. workload: sickness absence, workload and burnout;
6. exits: retirement, leaving the sector, the decision to search;
7. moves: choice between reachable vacancies and capacity-constrained matching;
8. inflows: graduates, overseas recruits, entrants and returners;
9. progression: promotion into open posts;
10. recording: stocks and flows;
11. clock: ageing, the month moves on; each April, archiving and renewed ties.
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import polars as pl

from wfabm.config import Config, as_config, check_argument, load_config
from wfabm.core.schema import Param
from wfabm.levers.idle import IdleLeverWarning, idle_levers
from wfabm.model import history
from wfabm.model.build import build_state
from wfabm.model.burn_in import burned_in_workers
from wfabm.model.plan import month_plan
from wfabm.world.employers import EmployerTable
from wfabm.world.geography import Geography
from wfabm.world.metrics import MetricsRecorder
from wfabm.world.pay import PayTables
from wfabm.world.state import TYPICAL_EARNINGS_YEAR
from wfabm.world.workers import WorkerTable

__all__ = ["TYPICAL_EARNINGS_YEAR", "WorkforceModel"]

_FLAG = Param("bool", "")


@cache
def _baseline_policy() -> dict[str, Any]:
    """Today's policy levers (the packaged baseline's), which a burn-in runs under.

    Shared, not copied: :func:`~wfabm.model.burn_in.steady_conditions` copies it.
    """
    return load_config("baseline").data["policy"]


class WorkforceModel(mesa.Model):
    """Agent-based model of the Welsh social care labour market.

    Args:
        config: A :class:`~wfabm.config.Config`, a path to a TOML file, ``"baseline"``, or
            None for the packaged baseline.
        seed: Root seed; defaults to the config's ``run.seed``. Every random stream derives
            from it through ``numpy.random.SeedSequence``.
        record_events: Keep every individual move (for :meth:`worker` histories).
        burn_in_cache: Read and write burned-in workforces on disk
            (:mod:`~wfabm.model.burn_in`); a calibration, whose every candidate has its
            own, turns it off.

    Raises:
        ConfigError: If an argument is of the wrong type or out of range (``seed`` is
            checked as ``run.seed``), or the config is not valid.

    Attributes:
        config: The resolved configuration.
        seed: The root seed.
        state: Everything carried from one month to the next.
        plan: The month's stages (``str(model.plan)`` lists them; ``model.plan.time()``
            times them).
    """

    def __init__(
        self,
        config: Config | str | Path | None = None,
        *,
        seed: int | None = None,
        record_events: bool = True,
        burn_in_cache: bool = True,
    ) -> None:
        self.config = as_config(config, name="config")
        cfg = self.config.data
        if seed is not None:
            seed = self.config.check("run.seed", seed, name="seed")
        self.seed = int(cfg["run"]["seed"] if seed is None else seed)
        record_events = check_argument(record_events, _FLAG, name="record_events")
        # Streams added later come last, so that adding them left the others as they were.
        population_seed, pay_seed, step_seed, policy_seed, burn_in_seed = np.random.SeedSequence(
            self.seed
        ).spawn(5)
        # Mesa takes one draw from this generator for its own ``random``; the state's
        # stages then use the same generator.
        super().__init__(rng=np.random.default_rng(step_seed))
        workers = None
        if cfg["run"]["burn_in_months"] > 0:
            workers = burned_in_workers(
                cfg,
                _baseline_policy(),
                (population_seed, pay_seed, policy_seed, burn_in_seed),
                self.seed,
                use_cache=check_argument(burn_in_cache, _FLAG, name="burn_in_cache"),
            )
        self.state = build_state(
            cfg, self.rng, (population_seed, pay_seed, policy_seed), record_events, workers
        )
        self.plan = month_plan()

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Simulate one month."""
        self.plan.run_month(self.state)

    # ------------------------------------------------------------------ the state
    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.state.clock.month

    @property
    def start(self) -> dt.date:
        """The first simulated month."""
        return self.state.clock.start

    @property
    def months_planned(self) -> int:
        """The config's ``run.months``."""
        return self.state.clock.months_planned

    @property
    def date(self) -> dt.date:
        """First day of the month about to be simulated."""
        return self.state.clock.date

    @property
    def workers(self) -> WorkerTable:
        """The worker columns."""
        return self.state.workers

    @property
    def employers(self) -> EmployerTable:
        """The workplace columns."""
        return self.state.employers

    @property
    def pay(self) -> PayTables:
        """The pay tables."""
        return self.state.pay

    @property
    def policy(self) -> Any:
        """The policy levers in force."""
        return self.state.policy

    @property
    def geography(self) -> Geography:
        """Local authorities, distances and health boards."""
        return self.state.tables.geography

    @property
    def recorder(self) -> MetricsRecorder:
        """Monthly stocks and flows, as recorded."""
        return self.state.recorder

    @property
    def terms(self) -> np.ndarray:
        """Share of NHS terms each (workplace, role) post carries."""
        return self.state.terms

    @property
    def vacancy_held(self) -> np.ndarray:
        """Share of vacant posts held vacant (not advertised), by role."""
        return self.state.tables.vacancy_held

    @property
    def outside_ratio(self) -> np.ndarray:
        """Outside option as a multiple of the real living wage, by role."""
        return self.state.tables.outside_ratio

    @property
    def record_events(self) -> bool:
        """Whether individual events are kept."""
        return self.state.events.record

    # ------------------------------------------------------------------ results
    def run(self, months: int | None = None) -> WorkforceModel:
        """Run for ``months`` months (default: the config's ``run.months``).

        A model may be run, or stepped, past ``run.months``: uplifts keep coming each April
        by their rule (``pay.growth_after_data`` beyond the published rates) and the tables
        grow to hold the extra months. Warns with an
        :class:`~wfabm.levers.idle.IdleLeverWarning` for each lever that would first act after the
        last month this call reaches.

        Args:
            months: Months to simulate, checked as ``run.months``.

        Returns:
            The model.

        Raises:
            ConfigError: If ``months`` is not a whole number the config would allow.
        """
        if months is None:
            months = self.months_planned
        else:
            months = self.config.check("run.months", months, name="months")
        for text in idle_levers(self.config.data, self.month + months):
            warnings.warn(text, IdleLeverWarning, stacklevel=2)
        for _ in range(months):
            self.step()
        return self

    @property
    def metrics(self) -> pl.DataFrame:
        """Monthly stocks by month, sector, role and local authority (ONS code)."""
        return self.recorder.stocks_frame()

    @property
    def flows(self) -> pl.DataFrame:
        """Monthly flows by role, origin and destination."""
        return self.recorder.flows_frame()

    @property
    def headcount(self) -> int:
        """Workers currently in the modelled market."""
        return int(self.workers.active[self.workers.view()].sum())

    def events(self) -> pl.DataFrame:
        """Every recorded individual event (arrival, move, exit, promotion)."""
        return self.state.events.frame(self.start, self.month)

    def worker(self, worker_id: int) -> dict[str, Any]:
        """A readable view of one worker: attributes now (or when last seen) and history.

        Args:
            worker_id: The worker's permanent id.

        Returns:
            A dict of attributes, with ``history`` listing the worker's moves.

        Raises:
            KeyError: If no worker has this id.
        """
        return history.worker_view(self, worker_id)
