"""The Welsh social care labour market as a Mesa model of individual worker agents.

Workers are individuals held as columns (``workers.py``); every behaviour decides for all of
them at once. One call to :meth:`WorkforceModel.step` is one month:

1. policy and environment: pay uplifts on their real dates, growth in funded posts;
2. employers: vacancies, agency cover, independent providers' pay response;
3. workload, sickness absence and burnout;
4. exits: retirement and leaving the sector;
5. on-the-job search and choice between reachable vacancies;
6. capacity-constrained matching;
7. inflows (entrants, graduates, overseas recruits) and progression;
8. recording of stocks and flows.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import polars as pl

from wfabm.config import Config, as_config, check_argument
from wfabm.core.schema import Param
from wfabm.core.taxonomy import (
    AGENCY,
    AMHP,
    CARE_WORKER,
    ENGLAND_LA,
    HEALTHCARE_ASSISTANT,
    INDEPENDENT,
    INDEPENDENT_SECTORS,
    LA,
    LEFT_SECTOR,
    N_ROLES,
    N_SECTORS,
    NHS,
    NHS_SECTORS,
    NURSE,
    OCCUPATIONAL_THERAPIST,
    RETIRED,
    ROLES,
    SENIOR_CARE_WORKER,
    SERVICES,
    SOCIAL_WORKER,
)
from wfabm.levers.idle import IdleLeverWarning, idle_levers
from wfabm.levers.policy import WELSH_EMPLOYERS, Policy
from wfabm.model import history
from wfabm.model.history import LEFT_EVENT, MOVE_EVENT, PROMOTION_EVENT, RETIRED_EVENT
from wfabm.model.stages import inflows
from wfabm.world import burnout as burnout_rules
from wfabm.world import employers as employer_rules
from wfabm.world import exits as exit_rules
from wfabm.world import market
from wfabm.world.geography import load_geography
from wfabm.world.metrics import MetricsRecorder, month_dates
from wfabm.world.pay import FRAMEWORK_GROUP, PayTables, UpliftCalendar
from wfabm.world.population import commute_table, synthesise


def _parse_month(text: str) -> dt.date:
    year, month = text.split("-")[:2]
    return dt.date(int(year), int(month), 1)


def _role_vector(table: dict[str, float]) -> np.ndarray:
    return np.array([table[name] for name in ROLES], dtype=np.float64)


_FLAG = Param("bool", "")

TYPICAL_EARNINGS_YEAR = 2022
"""``pay.typical_earnings`` is for April of this year; it grows each April after."""


class WorkforceModel(mesa.Model):
    """Agent-based model of the Welsh social care labour market.

    Args:
        config: A :class:`~wfabm.config.Config`, a path to a TOML file, ``"baseline"``, or
            None for the packaged baseline.
        seed: Root seed; defaults to the config's ``run.seed``. Every random stream derives
            from it through ``numpy.random.SeedSequence``.
        record_events: Keep every individual move (for :meth:`worker` histories).

    Raises:
        ConfigError: If an argument is of the wrong type or out of range (``seed`` is
            checked as ``run.seed``), or the config is not valid.

    Attributes:
        config: The resolved configuration.
        seed: The root seed.
        month: Months simulated so far.
        workers: The worker columns.
        employers: The workplace columns.
    """

    def __init__(
        self,
        config: Config | str | Path | None = None,
        *,
        seed: int | None = None,
        record_events: bool = True,
    ) -> None:
        self.config = as_config(config, name="config")
        cfg = self.config.data
        if seed is not None:
            seed = self.config.check("run.seed", seed, name="seed")
        self.seed = int(cfg["run"]["seed"] if seed is None else seed)
        record_events = check_argument(record_events, _FLAG, name="record_events")
        # The policy stream comes last so adding it left the other streams as they were.
        population_seed, pay_seed, step_seed, policy_seed = np.random.SeedSequence(self.seed).spawn(
            4
        )
        super().__init__(rng=np.random.default_rng(step_seed))
        self.start = _parse_month(cfg["run"]["start"])
        self.months_planned = int(cfg["run"]["months"])
        self.month = 0
        self.record_events = record_events

        self.geography = load_geography()
        population = synthesise(cfg, self.geography, np.random.default_rng(population_seed))
        self.workers = population.workers
        self.employers = population.employers
        self.pay = PayTables(cfg, self.employers, np.random.default_rng(pay_seed), self.start)
        self.policy = Policy(
            cfg, self.start, self.employers, self.geography, np.random.default_rng(policy_seed)
        )
        self.pay.transform = self.policy
        self.pay.publish(0)
        # Built as the run reaches each April, so a run stepped past run.months keeps them.
        self.uplifts = UpliftCalendar(self.start, cfg["pay"]["growth_after_data"])
        self.recorder = MetricsRecorder(
            self.months_planned, self.geography.size, self.geography.codes, self.start
        )
        self._prepare_parameters(cfg)
        self._events: list[dict[str, np.ndarray]] = []
        self._archive: list[dict[str, np.ndarray]] = []
        self._workload_now = np.ones(self.employers.size)

    # ------------------------------------------------------------------ set-up
    def _prepare_parameters(self, cfg: dict) -> None:
        geography = self.geography
        employers = self.employers
        w = self.workers
        self.vacancy_held = _role_vector(cfg["employers"]["held_vacant_share"])
        self.agency_cover_share = _role_vector(cfg["employers"]["agency_cover"])
        self.search_base = _role_vector(cfg["search"]["base_log_odds"])
        self.choice_pay = _role_vector(cfg["choice"]["pay"])
        # Sensitivity to pay also depends on the service one works in: care home staff change
        # employer for pay less readily than domiciliary staff (behaviour_anchors). It scales
        # the pay weight in job choice and the pay gap's weight in the decision to search.
        self.choice_pay_service = np.array(
            [cfg["choice"]["pay_service"][name] for name in SERVICES], dtype=float
        )
        self._pay_service_employer = self.choice_pay_service[employers.service].astype(np.float32)
        self.outside_ratio = _role_vector(cfg["pay"]["outside_option"])
        self.fill_rate = _role_vector(cfg["inflows"]["fill_rate"])
        commute = _role_vector(cfg["search"]["commute_km"])
        # reach[role, home, workplace authority]
        # Jobs in one's own authority are always within reach, however large it is.
        self.reach = (geography.distance[None, :, :] <= commute[:, None, None]) | np.eye(
            geography.size, dtype=bool
        )[None, :, :]
        self.transitions = np.stack(
            [market.role_transitions(False), market.role_transitions(True)], axis=1
        )  # [from, experienced, to]
        self.is_nhs = np.isin(employers.sector, NHS_SECTORS)
        self.welsh_workplace = geography.welsh[employers.la]
        self.independent_workplace = np.isin(employers.sector, INDEPENDENT_SECTORS)
        self.welsh_social_care = np.isin(employers.sector, (LA, INDEPENDENT))
        self.agency_rows = np.flatnonzero(employers.sector == AGENCY)
        self.n_regions = len(geography.health_boards)
        self.overseas_close = self.policy.overseas_close
        # The NHS terms (pension, leave) a post carries, as a share: 1 for NHS posts; local
        # authority posts, in either country, carry choice.la_terms of them (a defined-benefit
        # pension and occupational sick pay that independent providers seldom offer), and
        # more under NHS parity.
        self.la_terms = cfg["choice"]["la_terms"]
        statutory = np.isin(employers.sector, (LA, ENGLAND_LA))
        self.terms = np.repeat(
            np.where(self.is_nhs, 1.0, np.where(statutory, self.la_terms, 0.0))[:, None],
            N_ROLES,
            axis=1,
        )
        self._la_social_work = (employers.sector == LA) & (
            employers.service == SERVICES.index("social_work")
        )
        self._caseload_agency_demand = np.zeros(employers.size)
        self._zero_hours_possible = np.ones(employers.size, dtype=bool)
        self.full_time = cfg["workforce"]["contracts"]["full_time_hours"]
        self.recovery = cfg["burnout"]["recovery_rate"]
        self.points = cfg["pay"]["points"]
        self._commute = commute_table(geography)
        self._sponsors = {
            sector: np.flatnonzero((employers.sector == sector) & employers.sponsor)
            for sector in INDEPENDENT_SECTORS
        }
        self._graduate_workplaces = (
            (np.flatnonzero(self.welsh_social_care), SOCIAL_WORKER, "social_work_graduates"),
            (
                np.flatnonzero((employers.sector == LA) | (employers.sector == NHS)),
                OCCUPATIONAL_THERAPIST,
                "occupational_therapy_graduates",
            ),
            (np.flatnonzero(employers.sector == NHS), NURSE, "nursing_graduates"),
        )
        self._england_la_rows = np.flatnonzero(employers.sector == ENGLAND_LA)

        # Tables indexed by (workplace, role) cell; the extra last entry is the sentinel cell
        # of departed workers, set so they never leave, search or count.
        n_cells = employers.size * N_ROLES
        self.n_cells = n_cells
        cell_role = np.tile(np.arange(N_ROLES), employers.size)
        self._cell_employer = np.repeat(np.arange(employers.size), N_ROLES)
        self._cell_role = cell_role
        exits_cfg = cfg["exits"]
        leave_base = _role_vector(exits_cfg["leave_base"])
        m0, m1 = exit_rules.monthly_leave_hazards(leave_base, exits_cfg["intent_exit_odds_ratio"])
        # Per-worker arithmetic runs in single precision: ample for probabilities, and
        # several times faster than double precision on long arrays.
        self._leave_cell = np.append(m0[cell_role], -2.0).astype(np.float32)
        self._leave_intent_cell = np.append((m1 - m0)[cell_role], 0.0).astype(np.float32)
        # Burnout drives people out of care work directly too, not only through intent
        # (a third of care-worker leavers leave because of burnout and stress).
        self._leave_burnout = np.float32(1.0 - (1.0 - exits_cfg["leave_burnout"]) ** (1.0 / 12.0))
        self._search_cell = np.append(self.search_base[cell_role], -50.0).astype(np.float32)
        self._intent_base_cell = _role_vector(exits_cfg["intent_base"])[cell_role]
        self._retirement = exit_rules.retirement_table(
            exits_cfg["retirement_mean_age"], exits_cfg["retirement_age_sd"]
        ).astype(np.float32)
        # Intent terms for (zero-hours, new starter, under 25) combined as a 3-bit code.
        code = np.arange(8)
        self._intent_static = (
            exits_cfg["intent_zero_hours"] * (code & 1)
            + exits_cfg["intent_new_starter"] * ((code >> 1) & 1)
            + exits_cfg["intent_young"] * ((code >> 2) & 1)
        ).astype(np.float32)
        self._point_factor = self.pay.point_factors(self.points)
        self._log_point_factor = np.log(self._point_factor).astype(np.float32)
        used = w.view()
        self._headcount = np.bincount(w.cell[used], minlength=n_cells + 1)
        self._burnout_cell = np.bincount(
            w.cell[used], weights=w.burnout[used].astype(np.float64), minlength=n_cells + 1
        )
        self._recount_cell_sums()
        self._joined = np.zeros(n_cells + 1)
        self._left = np.zeros(n_cells + 1)
        self._promoted_in = np.zeros(n_cells + 1)
        self._promoted_out = np.zeros(n_cells + 1)
        self._agency_cell = np.isin(self._cell_employer, self.agency_rows)
        self.recorder.set_aggregation(employers.sector, employers.la)
        # Social care posts are compared with typical pay in the economy (the NHS's own posts
        # are not: the surveyed reasons are social care workers').
        self._compared_cell = ~self.is_nhs[self._cell_employer]
        self._refresh_pay()

    # ------------------------------------------------------------------ helpers
    @property
    def date(self) -> dt.date:
        """First day of the month about to be simulated."""
        return month_dates(self.start, self.month + 1)[-1]

    def _used(self) -> slice:
        return self.workers.view()

    def _refresh_pay(self) -> None:
        """Recompute the pay tables the step reads after any pay change."""
        cfg = self.config.data
        pay_cell = self.employers.pay.ravel()
        self._pay_cell = np.append(pay_cell, 1.0)
        log_pay = np.log(np.maximum(pay_cell, 1e-9))
        self._log_pay_cell = np.append(log_pay, 0.0).astype(np.float32)
        exits_cfg = cfg["exits"]
        log_outside = np.log(self.pay.rlw * self.outside_ratio)[self._cell_role]
        # Posts without the NHS's pension and sick pay (independent providers, agencies; local
        # authorities in part) raise the intent to leave: the "conditions" of the survey.
        terms_lacking = 1.0 - self.terms.ravel()
        self._intent_cell = np.append(
            self._intent_base_cell
            + exits_cfg["intent_pay"] * (log_pay - log_outside)
            + exits_cfg["intent_terms"] * terms_lacking,
            0.0,
        ).astype(np.float32)
        self._intent_gap_cell = np.append(
            exits_cfg["intent_pay_gap"] * self._log_pay_gap(log_pay), 0.0
        ).astype(np.float32)

    def _log_pay_gap(self, log_pay: np.ndarray) -> np.ndarray:
        """Log points by which typical full-time pay exceeds each cell's going rate (>= 0).

        The going rate is the mean log pay of the role in the cell's sector and local
        authority, weighted by funded posts: what the job pays around here, which one
        employer's own pay barely moves (the employer-level response to pay is the choice
        model's). Typical pay is ``pay.typical_earnings``, grown by
        ``pay.typical_earnings_growth`` each April.
        """
        employers = self.employers
        pay_cfg = self.config.data["pay"]
        n_la = self.geography.size
        cells = np.flatnonzero(self._compared_cell)
        employer = self._cell_employer[cells]
        group = (
            employers.sector[employer].astype(np.int64) * n_la + employers.la[employer]
        ) * N_ROLES + self._cell_role[cells]
        weight = np.maximum(employers.funded.ravel()[cells], 0.0) + 1e-9
        size = N_SECTORS * n_la * N_ROLES
        going = (
            np.bincount(group, weights=weight * log_pay[cells], minlength=size)[group]
            / (np.bincount(group, weights=weight, minlength=size)[group])
        )
        years = (self.start.month - 4 + self.month) // 12 + self.start.year - TYPICAL_EARNINGS_YEAR
        typical = pay_cfg["typical_earnings"] * (1.0 + pay_cfg["typical_earnings_growth"]) ** max(
            years, 0
        )
        gap = np.zeros(self.n_cells)
        # Roles a sector does not pay (no rate) have no going rate to compare.
        paid = log_pay[cells] > np.log(1e-9) + 1.0
        gap[cells] = np.where(paid, np.log(typical) - going, 0.0)
        return np.maximum(gap, 0.0)

    def _pay_of(self, rows: np.ndarray | slice) -> np.ndarray:
        w = self.workers
        return np.take(self._pay_cell, w.cell[rows]) * np.take(self._point_factor, w.pay_key[rows])

    def _recount_cell_sums(self) -> None:
        """Per-cell sums of hours, pay-point factors and their product, from scratch."""
        w = self.workers
        used = self._used()
        factor = np.take(self._point_factor, w.pay_key[used])
        hours = w.hours[used]
        size = self.n_cells + 1
        self._cell_sums = np.stack(
            [
                np.bincount(w.cell[used], weights=values, minlength=size)
                for values in (hours, factor, factor * hours)
            ],
            axis=1,
        )

    def _account(self, rows: np.ndarray, sign: float) -> None:
        """Add (sign 1) or remove (sign -1) rows' hours and pay factors from their cells."""
        w = self.workers
        factor = np.take(self._point_factor, w.pay_key[rows])
        hours = w.hours[rows]
        # Flat indices take ufunc.at's fast path; each cell still receives its rows' values
        # in row order, so the sums are the same to the last bit.
        flat = (w.cell[rows][:, None] * 3 + np.arange(3)).ravel()
        values = sign * np.column_stack([hours, factor, factor * hours])
        np.add.at(self._cell_sums.reshape(-1), flat, values.ravel())

    def _headcount_matrix(self) -> np.ndarray:
        return self._headcount[:-1].reshape(self.employers.size, N_ROLES)

    def _set_cells(self, rows: np.ndarray, employer: np.ndarray, role: np.ndarray) -> None:
        """Move rows to new (workplace, role) cells, keeping headcounts and pay keys in step."""
        w = self.workers
        self._account(rows, -1.0)
        np.subtract.at(self._headcount, w.cell[rows], 1)
        new_cell = employer.astype(np.int64) * N_ROLES + role
        np.add.at(self._headcount, new_cell, 1)
        w.cell[rows] = new_cell
        w.employer[rows] = employer
        w.role[rows] = role
        w.sector[rows] = self.employers.sector[employer]
        w.pay_key[rows] = self.pay.pay_keys(employer, role, w.point[rows])
        self._account(rows, 1.0)

    def _log(
        self,
        kind: int,
        rows: np.ndarray,
        origin_employer,
        destination_employer,
        origin_role,
        destination_role,
    ) -> None:
        if not self.record_events or len(rows) == 0:
            return
        count = len(rows)
        self._events.append(
            {
                "month": np.full(count, self.month, dtype=np.int16),
                "worker_id": self.workers.worker_id[rows].copy(),
                "kind": np.full(count, kind, dtype=np.int8),
                "origin_employer": np.broadcast_to(origin_employer, count).astype(np.int32),
                "destination_employer": np.broadcast_to(destination_employer, count).astype(
                    np.int32
                ),
                "origin_role": np.broadcast_to(origin_role, count).astype(np.int8),
                "destination_role": np.broadcast_to(destination_role, count).astype(np.int8),
            }
        )

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Simulate one month."""
        if self.month >= self.recorder.stocks.shape[0]:
            self._grow_recorder()
        rng = self.rng
        w = self.workers
        employers = self.employers
        cfg = self.config.data
        policy = self.policy
        month = self.month
        self.pay.month = month
        pay_changed = month in policy.pay_events

        # 1. Policy and environment: levers starting this month; uplifts on their dates; a
        # pay point for a year's service.
        if month == policy.framework_start:
            self._join_framework()
        if month == policy.zero_hours_ban_start:
            self._ban_zero_hours()
        # Parity's start is a pay event, so the intent tables, which read the terms, are
        # refreshed with the pay below.
        for role, share in policy.parity_terms(month).items():
            self.terms[self.employers.sector == LA, role] = self.la_terms + share * (
                1.0 - self.la_terms
            )
        uplift = self.uplifts.get(self.month)
        if uplift is not None:
            self.pay.apply(uplift)
            used = self._used()
            rises = w.point[used] < self.points - 1
            w.point[used] += rises
            w.pay_key[used] += rises
            self._recount_cell_sums()
            pay_changed = True
        employer_rules.grow_posts(
            employers,
            cfg["employers"]["funded_post_growth"] * policy.demand_growth,
            cfg["employers"]["nhs_post_growth"],
        )

        # 2. Employers: vacancies, agency cover, pay response.
        headcount = self._headcount_matrix()
        vacant = employer_rules.vacancies(employers, headcount)
        self._agency_market(vacant, headcount)
        pay_changed |= self._pay_response(vacant)
        # Typical pay in the economy steps up each April (it enters the intent tables).
        pay_changed |= (self.start.month - 4 + month) % 12 == 0
        if pay_changed:
            self.pay.publish(month)
            self._refresh_pay()

        # 3. Workload, absence and burnout. Team sums come from the end of last month.
        burnout_cfg = cfg["burnout"]
        workplace_headcount = headcount.sum(axis=1)
        workplace_burnout = self._burnout_cell[:-1].reshape(employers.size, N_ROLES).sum(axis=1)
        present = burnout_rules.present_staff(
            workplace_headcount,
            workplace_burnout,
            burnout_cfg["absence_base"],
            burnout_cfg["absence_burnout"],
        )
        load = burnout_rules.workload(
            present, employers.funded.sum(axis=1), employers.agency_fte.sum(axis=1)
        )
        load[self.agency_rows] = burnout_cfg["agency_workload"]
        # A caseload cap: social work teams carry no more than the cap; the rest is asked
        # of agencies next month, and what they cannot cover waits (unmet hours).
        cap = policy.caseload_cap(month)
        capped = self._la_social_work & (load > cap)
        self._caseload_agency_demand[:] = 0.0
        if capped.any():
            available = present + employers.agency_fte.sum(axis=1)
            self._caseload_agency_demand[capped] = (load[capped] - cap) * available[capped]
            load[capped] = cap
        self._workload_now = load
        team_mean = (workplace_burnout / np.maximum(workplace_headcount, 1)).astype(np.float32)
        load32 = load.astype(np.float32)
        used = self._used()
        employer = w.employer[used]
        cell = w.cell[used]
        excess = np.maximum(np.take(load32, employer) - w.tolerance[used], 0.0)
        # Uniform noise with the configured standard deviation.
        noise = rng.random(len(cell), dtype=np.float32) - 0.5
        noise *= burnout_cfg["noise_sd"] * 12.0**0.5
        burnout = burnout_rules.update_burnout(
            w.burnout[used],
            excess,
            np.take(team_mean, employer),
            noise,
            burnout_cfg["rise_rate"],
            self._recovery(employer),
            burnout_cfg["contagion"],
        )
        w.burnout[used] = burnout

        # 4-5. Intent, exits and the decision to search, from one uniform draw per worker.
        exits_cfg = cfg["exits"]
        log_point = np.take(self._log_point_factor, w.pay_key[used])
        static_code = (
            w.zero_hours[used].view(np.int8)
            + ((w.tenure[used] < 12).view(np.int8) << 1)
            + ((w.age_months[used] < 300).view(np.int8) << 2)
        )
        log_odds = exit_rules.intent_log_odds(
            np.take(self._intent_cell, cell) + exits_cfg["intent_pay"] * log_point,
            burnout,
            excess,
            np.take(self._intent_static, static_code),
            exits_cfg,
        )
        # Pay below typical earnings is a reason to leave for a better-paid job: it raises
        # the intent to leave (as surveyed) and so search, but leaving the labour market
        # follows the intent without it, which keeps that exit's small pay elasticity.
        leaving_intent = exit_rules.expit(log_odds)
        intent = exit_rules.expit(log_odds + np.take(self._intent_gap_cell, cell))
        w.intent[used] = intent
        p_retire = np.take(self._retirement, w.age_months[used])
        p_exit = (
            np.take(self._leave_cell, cell)
            + np.take(self._leave_intent_cell, cell) * leaving_intent
            + self._leave_burnout * burnout
            + p_retire
        )
        u = rng.random(len(cell), dtype=np.float32)
        exiting = u < p_exit
        open_posts = employer_rules.open_vacancies(vacant, self.vacancy_held)
        log_offer = self._log_local_offer_pay(open_posts)
        gap = (
            np.take(
                log_offer.astype(np.float32), w.home[used].astype(np.int64) * N_ROLES + w.role[used]
            )
            - np.take(self._log_pay_cell, cell)
            - log_point
        )
        search_cfg = cfg["search"]
        p_search = exit_rules.expit(
            np.take(self._search_cell, cell)
            + search_cfg["intent_log_odds"] * intent
            + search_cfg["pay_gap_log_odds"]
            * np.take(self._pay_service_employer, employer)
            * np.maximum(gap, 0.0)
        )
        # For those who stay, (u - p_exit) / (1 - p_exit) is again uniform on [0, 1).
        searching = ~exiting & ((u - p_exit) < p_search * (1.0 - p_exit))
        retiring = exiting & (u < p_retire)
        self._depart(np.flatnonzero(retiring), RETIRED)
        self._depart(np.flatnonzero(exiting & ~retiring), LEFT_SECTOR)

        # 5-6. Choice and matching.
        headcount = self._headcount_matrix()
        vacant = employer_rules.vacancies(employers, headcount)
        open_posts = employer_rules.open_vacancies(vacant, self.vacancy_held)
        self._search_and_move(np.flatnonzero(searching), open_posts)

        # 7. Inflows and progression.
        arrivals = [
            *inflows.graduates(self, open_posts),
            *inflows.overseas(self, open_posts),
            inflows.entrants(self, open_posts),
        ]
        inflows.arrive(
            self,
            np.concatenate([a[0] for a in arrivals]),
            np.concatenate([a[1] for a in arrivals]),
            np.concatenate([np.full(len(a[0]), a[2], dtype=np.int64) for a in arrivals]),
        )
        self._progress(open_posts)

        # 8. Record.
        self._record()
        self._advance_clock()

    @property
    def _zero_hours_kept(self) -> np.ndarray:
        """Workplaces where a mover keeps a zero-hours contract (independent, not banned)."""
        return self.independent_workplace & self._zero_hours_possible

    def _recovery(self, employer: np.ndarray) -> np.ndarray | float:
        """Burnout recovery rate per worker (one value unless a wellbeing lever is in force)."""
        rate = self.policy.recovery(self.recovery, self.month)
        if np.isscalar(rate):
            return rate
        return np.take(rate.astype(np.float32), employer)

    def _join_framework(self) -> None:
        """Adopting employers move onto the framework's pay points (statutory steps)."""
        w = self.workers
        used = self._used()
        self.pay.step_group[self.policy.framework_adopters] = FRAMEWORK_GROUP
        w.pay_key[used] = self.pay.pay_keys(w.employer[used], w.role[used], w.point[used])
        self._recount_cell_sums()

    def _ban_zero_hours(self) -> None:
        """Zero-hours contracts at Welsh employers become guaranteed hours."""
        w = self.workers
        used = self._used()
        welsh = np.isin(w.sector[used], WELSH_EMPLOYERS)
        w.zero_hours[used] &= ~welsh
        self._zero_hours_possible[np.isin(self.employers.sector, WELSH_EMPLOYERS)] = False

    def _advance_clock(self) -> None:
        w = self.workers
        used = self._used()
        w.age_months[used] += 1
        w.tenure[used] += 1
        w.experience[used] += 1
        self.recorder.months_recorded = self.month + 1
        self.month += 1
        if self.date.month == 4:
            self._compact_and_refresh_ties()

    # ------------------------------------------------------------------ 2. employers
    def _agency_market(self, vacant: np.ndarray, headcount: np.ndarray) -> None:
        """Welsh employers ask agencies to cover part of their open vacancies."""
        employers = self.employers
        demand = employer_rules.open_vacancies(vacant, self.vacancy_held) * self.agency_cover_share
        demand[~self.welsh_social_care] = 0.0
        demand[:, SOCIAL_WORKER] += self._caseload_agency_demand
        supply = employer_rules.sum_by_region(
            headcount[self.agency_rows], employers.region[self.agency_rows], self.n_regions
        )
        cover, wanted = employer_rules.allocate_agency(demand, employers.region, supply)
        employers.agency_fte[:] = cover
        # Agencies recruit toward the cover their region asks for.
        employers.funded[self.agency_rows] = wanted[employers.region[self.agency_rows]]

    def _pay_response(self, vacant: np.ndarray) -> bool:
        employers = self.employers
        cfg = self.config.data["employers"]
        care_roles = [CARE_WORKER, SENIOR_CARE_WORKER]
        care_funded = employers.funded[:, care_roles].sum(axis=1)
        rate = np.divide(
            vacant[:, care_roles].sum(axis=1),
            care_funded,
            out=np.zeros(employers.size),
            where=care_funded > 0,
        )
        raised = employer_rules.respond_with_pay(
            employers,
            rate,
            cfg["vacancy_trigger"],
            cfg["vacancy_months"],
            cfg["pay_response_step"],
            cfg["fee_surplus"],
            cfg["staff_cost_share"],
        )
        if raised.any():
            self.pay.refresh_floor_linked()
        return bool(raised.any())

    # ------------------------------------------------------------------ 4. exits
    def _depart(self, rows: np.ndarray, destination: int) -> None:
        if len(rows) == 0:
            return
        w = self.workers
        employer = w.employer[rows]
        role = w.role[rows]
        np.add.at(self._left, w.cell[rows], 1.0)
        self.recorder.add_flows(
            self.month, role, w.sector[rows].astype(np.int64), np.full(len(rows), destination)
        )
        kind = RETIRED_EVENT if destination == RETIRED else LEFT_EVENT
        self._log(kind, rows, employer, -1, role, role)
        self._account(rows, -1.0)
        np.subtract.at(self._headcount, w.cell[rows], 1)
        w.cell[rows] = self.n_cells
        w.active[rows] = False

    # ------------------------------------------------------------------ 5-6. market
    def _search_and_move(self, rows: np.ndarray, open_posts: np.ndarray) -> None:
        if len(rows) == 0 or open_posts.sum() == 0:
            return
        movers, destination, new_role = self._choose(rows, open_posts)
        if len(movers) == 0:
            return
        taken = market.match(movers, destination, new_role, open_posts, self.rng)
        self._move(movers[taken], destination[taken], new_role[taken])

    def _log_local_offer_pay(self, open_posts: np.ndarray) -> np.ndarray:
        """Log mean entry pay of the vacancies a worker could reach, flat by (home, role).

        Where nothing is on offer the entry is very low, so no pay gap is seen.
        """
        employers = self.employers
        n_la = self.geography.size
        offered = employer_rules.sum_by_group(open_posts * employers.pay, employers.la, n_la)
        posts = employer_rules.sum_by_group(open_posts, employers.la, n_la)
        # reach[role, home, la]: sum over reachable authorities.
        offered_in_reach = np.einsum("rhl,lr->hr", self.reach, offered)
        posts_in_reach = np.einsum("rhl,lr->hr", self.reach, posts)
        mean = np.divide(
            offered_in_reach,
            posts_in_reach,
            out=np.zeros_like(offered_in_reach),
            where=posts_in_reach > 0,
        )
        return np.log(np.maximum(mean, 1e-9)).ravel()

    def _choose(self, rows: np.ndarray, open_posts: np.ndarray):
        """Each searcher chooses between staying and a few reachable vacancies."""
        cfg = self.config.data
        rng = self.rng
        w = self.workers
        employers = self.employers
        geography = self.geography
        n_la = geography.size
        choice_cfg = cfg["choice"]
        k = cfg["search"]["choice_set_size"]

        role = w.role[rows].astype(np.int64)
        home = w.home[rows].astype(np.int64)
        experienced = w.experience[rows] >= cfg["progression"]["promotion_experience_months"]
        experienced = experienced.astype(np.int64)
        employer = w.employer[rows]
        sector = w.sector[rows]

        index = market.VacancyIndex.build(open_posts, employers.la, n_la)
        cell_open = index.cell_open.reshape(n_la, N_ROLES)
        # weights[from_role, experienced, home, la, to_role]
        weights = (
            self.transitions[:, :, None, None, :]
            * self.reach[:, None, :, :, None]
            * cell_open[None, None, None, :, :]
        ).reshape(N_ROLES * 2 * n_la, n_la * N_ROLES)
        totals = weights.sum(axis=1)
        cumulative = np.cumsum(weights, axis=1) / np.where(totals > 0, totals, 1.0)[:, None]
        query = (role * 2 + experienced) * n_la + home
        has_any = totals[query] > 0

        cells = market.sample_rows(
            cumulative, np.repeat(query, k), rng.random(len(rows) * k)
        ).reshape(len(rows), k)
        entries = index.sample_in_cells(cells.ravel(), rng.random(len(rows) * k))
        cand_employer = index.employer[entries].reshape(len(rows), k)
        cand_role = index.role[entries].reshape(len(rows), k)
        valid = np.repeat(has_any[:, None], k, axis=1)

        # One more job heard of through a tie: the tie's workplace, in the searcher's role.
        width = w.ties.shape[1]
        tie = w.rows_of(w.ties[rows, rng.integers(0, width, len(rows))])
        tie_ok = tie >= 0
        tie_safe = np.where(tie_ok, tie, 0)
        ref_employer = w.employer[tie_safe]
        ref_role = role.copy()
        tie_ok &= open_posts[ref_employer, ref_role] > 0
        tie_ok &= self.reach[role, home, employers.la[ref_employer]]
        cand_employer = np.column_stack([cand_employer, ref_employer])
        cand_role = np.column_stack([cand_role, ref_role])
        valid = np.column_stack([valid, tie_ok])

        cand_sector = employers.sector[cand_employer]
        valid &= employers.organisation[cand_employer] != employers.organisation[employer][:, None]
        visa = w.visa[rows][:, None]
        valid &= ~visa | (employers.sponsor[cand_employer] & market.VISA_ROLES[cand_role])
        pledged = (w.pledge_until[rows] > self.month)[:, None]
        valid &= ~(pledged & (cand_sector == AGENCY))

        same_role = cand_role == role[:, None]
        point = np.where(same_role, w.point[rows][:, None], 0)
        offer = self.pay.hourly(cand_employer, cand_role, point)
        current = self._pay_of(rows)[:, None]
        zero_hours = w.zero_hours[rows][:, None]
        keeps_zero_hours = zero_hours & self._zero_hours_kept[cand_employer]
        la_now = employers.la[employer][:, None]
        la_new = employers.la[cand_employer]
        distance = geography.distance
        utility = (
            (self.choice_pay[role] * self.choice_pay_service[employers.service[employer]])[:, None]
            * np.log(np.maximum(offer, 1e-9) / current)
            + choice_cfg["hours_security"] * (zero_hours.astype(float) - keeps_zero_hours)
            + choice_cfg["workload"]
            * (self._workload_now[employer][:, None] - self._workload_now[cand_employer])
            + choice_cfg["nhs_terms"]
            * (self.terms[cand_employer, cand_role] - self.terms[employer, role][:, None])
            + choice_cfg["commute_per_10km"]
            * (distance[home[:, None], la_new] - distance[home[:, None], la_now])
            / 10.0
            - choice_cfg["switching_cost"]
            - choice_cfg["sector_change_cost"] * (cand_sector != sector[:, None])
            - choice_cfg["cross_border_cost"]
            * (self.welsh_workplace[cand_employer] != self.welsh_workplace[employer][:, None])
        )
        utility[:, -1] += choice_cfg["referral_bonus"]
        utility = np.where(valid, utility, -np.inf)
        stay = choice_cfg["stay_burnout"] * w.burnout[rows]
        all_options = np.column_stack([stay, utility]) + market.gumbel(rng, (len(rows), k + 2))
        best = np.argmax(all_options, axis=1)
        moving = best > 0
        pick = best[moving] - 1
        return (
            rows[moving],
            cand_employer[moving, pick],
            cand_role[moving, pick].astype(np.int8),
        )

    def _move(self, rows: np.ndarray, destination: np.ndarray, new_role: np.ndarray) -> None:
        if len(rows) == 0:
            return
        w = self.workers
        employers = self.employers
        old_employer = w.employer[rows].copy()
        old_role = w.role[rows].copy()
        np.add.at(self._left, w.cell[rows], 1.0)
        self.recorder.add_flows(
            self.month,
            new_role,
            w.sector[rows].astype(np.int64),
            employers.sector[destination].astype(np.int64),
        )
        self._log(MOVE_EVENT, rows, old_employer, destination, old_role, new_role)
        changed_role = new_role != old_role
        w.tenure[rows] = 0
        w.experience[rows] = np.where(changed_role, 0, w.experience[rows])
        w.point[rows] = np.where(changed_role, 0, w.point[rows])
        w.zero_hours[rows] &= self._zero_hours_kept[destination]
        self._set_cells(rows, destination, new_role)
        np.add.at(self._joined, w.cell[rows], 1.0)

    # ------------------------------------------------------------------ 7. inflows
    def _progress(self, open_posts: np.ndarray) -> None:
        """Promotion into open posts at the same workplace."""
        cfg = self.config.data["progression"]
        w = self.workers
        rng = self.rng
        n_rows = w.size
        for from_role, to_role, rate, min_months in (
            (
                CARE_WORKER,
                SENIOR_CARE_WORKER,
                cfg["senior_promotion_rate"],
                cfg["promotion_experience_months"],
            ),
            (SOCIAL_WORKER, AMHP, cfg["amhp_warrant_rate"], cfg["promotion_experience_months"]),
            (HEALTHCARE_ASSISTANT, NURSE, cfg["hca_to_nurse_rate"], 0),
        ):
            # Each row is drawn with probability rate / 12, without scanning every worker.
            drawn = rng.binomial(n_rows, rate / 12.0)
            # Sorted distinct rows (a sort is much faster than np.unique's hash table here).
            rows = np.sort(rng.integers(0, n_rows, drawn))
            rows = rows[np.diff(rows, prepend=-1) != 0]
            rows = rows[
                w.active[rows] & (w.role[rows] == from_role) & (w.experience[rows] >= min_months)
            ]
            rows = rows[open_posts[w.employer[rows], to_role] > 0]
            if len(rows) == 0:
                continue
            new_role = np.full(len(rows), to_role, dtype=np.int8)
            taken = market.match(rows, w.employer[rows], new_role, open_posts, rng)
            rows = rows[taken]
            employer = w.employer[rows]
            np.add.at(self._promoted_out, w.cell[rows], 1.0)
            self._log(PROMOTION_EVENT, rows, employer, employer, from_role, to_role)
            w.experience[rows] = 0
            w.point[rows] = 0
            self._set_cells(rows, employer, np.full(len(rows), to_role, dtype=np.int8))
            np.add.at(self._promoted_in, w.cell[rows], 1.0)

    # ------------------------------------------------------------------ 8. record
    def _record(self) -> None:
        """Sum this month's stocks by (workplace, role) cell, then into the output cells."""
        w = self.workers
        employers = self.employers
        recorder = self.recorder
        month = self.month
        used = self._used()
        cell = w.cell[used]
        size = self.n_cells + 1
        burnout_sum = np.bincount(cell, weights=w.burnout[used].astype(np.float64), minlength=size)
        self._burnout_cell = burnout_sum
        headcount = self._headcount[:-1].astype(np.float64)
        burnout_cfg = self.config.data["burnout"]
        workload = np.take(self._workload_now, self._cell_employer)
        funded = employers.funded.ravel().copy()
        vacancies = employer_rules.vacancies(employers, self._headcount_matrix()).ravel()
        # Agencies' "posts" are their clients' requests, not funded posts of their own.
        agency = self._agency_cell
        funded[agency] = 0.0
        vacancies = np.where(agency, 0.0, vacancies)
        agency_fte = employers.agency_fte.ravel()
        hours_per_month = self.full_time * 52.143 / 12
        cell_values = {
            "headcount": headcount,
            "fte": self._cell_sums[:-1, 0] / self.full_time,
            "burnout_sum": burnout_sum[:-1],
            "intent_sum": np.bincount(
                cell, weights=w.intent[used].astype(np.float64), minlength=size
            )[:-1],
            # Absence is linear in burnout, so its sum follows from the burnout sum.
            "absence_sum": burnout_cfg["absence_base"]
            * (headcount + burnout_cfg["absence_burnout"] * burnout_sum[:-1]),
            "workload_sum": workload * headcount,
            # A worker's pay is the cell's rate times their pay-point factor.
            "pay_sum": self._pay_cell[:-1] * self._cell_sums[:-1, 1],
            # Monthly pay: hourly rate x contracted hours x weeks per month.
            "wage_bill": self._pay_cell[:-1] * self._cell_sums[:-1, 2] * (52.143 / 12),
            "funded_posts": funded,
            "vacancies": vacancies,
            "joiners": self._joined[:-1],
            "leavers": self._left[:-1],
            "promoted_in": self._promoted_in[:-1],
            "promoted_out": self._promoted_out[:-1],
            "agency_fte": agency_fte,
            # Care hours funded but covered neither by staff present nor by agency cover.
            "unmet_hours": np.maximum(
                funded
                - (
                    headcount * (1.0 - burnout_cfg["absence_base"])
                    - burnout_cfg["absence_base"]
                    * burnout_cfg["absence_burnout"]
                    * burnout_sum[:-1]
                )
                - agency_fte,
                0.0,
            )
            * hours_per_month,
            "agency_spend": agency_fte
            * np.tile(self._agency_rate(), employers.size)
            * self.pay.charge_ratio
            * hours_per_month,
        }
        recorder.add_columns(month, cell_values)
        for counter in (self._joined, self._left, self._promoted_in, self._promoted_out):
            counter[:] = 0.0

    def _agency_rate(self) -> np.ndarray:
        """Mean agency worker pay per role (for agency spend)."""
        pay = self.employers.pay[self.agency_rows]
        return pay.mean(axis=0) if len(pay) else np.zeros(N_ROLES)

    # ------------------------------------------------------------------ upkeep
    def _grow_recorder(self) -> None:
        recorder = self.recorder
        extra = max(12, recorder.stocks.shape[0])
        recorder.stocks = np.concatenate([recorder.stocks, np.zeros_like(recorder.stocks[:extra])])
        recorder.flows = np.concatenate([recorder.flows, np.zeros_like(recorder.flows[:extra])])

    def _compact_and_refresh_ties(self) -> None:
        """Yearly: archive departed workers, drop ties to them, and top up colleague ties.

        Anyone left with fewer than half the configured colleague ties (newcomers, movers,
        people whose colleagues left) gets new ties to random current colleagues.
        """
        w = self.workers
        # Departed workers are archived only when events are kept (for worker() histories).
        departed = w.compact(archive=self.record_events)
        if departed and len(departed["worker_id"]):
            self._archive.append(departed)
        colleagues = self.config.data["network"]["colleague_degree"]
        if colleagues == 0 or w.size == 0:
            return
        used = self._used()
        employer = w.employer[used]
        # Each tie's workplace, looked up by id in a dense table (ids only grow, so its size
        # is the next id); the last entry stays -1, for the -1 padding as for leavers.
        employer_by_id = np.full(w.next_id + 1, -1, dtype=np.int32)
        employer_by_id[w.worker_id[used]] = employer
        ties = w.ties[used]
        tie_employer = employer_by_id[ties]
        np.copyto(ties, -1, where=tie_employer < 0)
        colleague_ties = np.count_nonzero(tie_employer == employer[:, None], axis=1)
        lonely = np.flatnonzero(colleague_ties < max(colleagues // 2, 1))
        if len(lonely) == 0:
            return
        # Rows sorted by workplace; each workplace's rows start after those of the ones before.
        # A stable sort of 16-bit keys is a radix sort, several times faster than on int32.
        keys = employer.astype(np.uint16) if self.employers.size <= 2**16 else employer
        order = np.argsort(keys, kind="stable")
        team_size = np.bincount(employer, minlength=self.employers.size)
        team_start = np.cumsum(team_size) - team_size
        first = team_start[employer[lonely]]
        size = team_size[employer[lonely]]
        picks = first[:, None] + (
            self.rng.random((len(lonely), colleagues)) * size[:, None]
        ).astype(np.int64)
        new_rows = order[np.minimum(picks, len(order) - 1)]
        new_ids = np.where(
            (size[:, None] > 1) & (new_rows != lonely[:, None]), w.worker_id[new_rows], -1
        )
        free = ties[lonely] < 0
        # The j-th new colleague goes into the worker's j-th free slot, if there is one.
        rank = np.cumsum(free, axis=1) - 1
        r, slot = np.nonzero(free & (rank < colleagues))
        ties[lonely[r], slot] = new_ids[r, rank[r, slot]]

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
        return int(self.workers.active[self._used()].sum())

    def events(self) -> pl.DataFrame:
        """Every recorded individual event (arrival, move, exit, promotion)."""
        cached = getattr(self, "_events_frame", None)
        if cached is not None and cached[0] == len(self._events):
            return cached[1]
        frame = history.build_events(self)
        self._events_frame = (len(self._events), frame)
        return frame

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
