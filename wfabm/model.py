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
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import polars as pl

from wfabm import burnout as burnout_rules
from wfabm import employers as employer_rules
from wfabm import exits as exit_rules
from wfabm import market
from wfabm.config import Config, load_config
from wfabm.geography import load_geography
from wfabm.metrics import MetricsRecorder, month_dates
from wfabm.pay import PayTables, uplift_schedule
from wfabm.population import CARE_ROLES, synthesise
from wfabm.taxonomy import (
    AGENCY,
    AMHP,
    ARRIVALS,
    CARE_WORKER,
    DEPARTURES,
    ENGLAND_INDEPENDENT,
    ENGLAND_LA,
    ENGLAND_NHS,
    HEALTHCARE_ASSISTANT,
    INDEPENDENT,
    LA,
    N_ROLES,
    N_SECTORS,
    NHS,
    NHS_SECTORS,
    NURSE,
    OCCUPATIONAL_THERAPIST,
    ROLE_INDEX,
    ROLES,
    SECTORS,
    SENIOR_CARE_WORKER,
    SERVICES,
    SOCIAL_WORKER,
)

ENTRANT, GRADUATE, OVERSEAS = (len(SECTORS) + i for i in range(len(ARRIVALS)))
RETIRED, LEFT_SECTOR = (len(SECTORS) + i for i in range(len(DEPARTURES)))
EVENT_KINDS = ("arrival", "move", "retired", "left_sector", "promotion")
ARRIVAL_EVENT, MOVE_EVENT, RETIRED_EVENT, LEFT_EVENT, PROMOTION_EVENT = range(5)
INDEPENDENT_SECTORS = (INDEPENDENT, ENGLAND_INDEPENDENT)
ENGLISH = np.zeros(N_SECTORS, dtype=bool)
ENGLISH[[ENGLAND_LA, ENGLAND_INDEPENDENT, ENGLAND_NHS]] = True


def _parse_month(text: str) -> dt.date:
    year, month = text.split("-")[:2]
    return dt.date(int(year), int(month), 1)


def _role_vector(table: dict[str, float]) -> np.ndarray:
    return np.array([table[name] for name in ROLES], dtype=np.float64)


class WorkforceModel(mesa.Model):
    """Agent-based model of the Welsh social care labour market.

    Args:
        config: A :class:`~wfabm.config.Config`, a path to a TOML file, ``"baseline"``, or
            None for the packaged baseline.
        seed: Root seed; defaults to the config's ``run.seed``. Every random stream derives
            from it through ``numpy.random.SeedSequence``.
        record_events: Keep every individual move (for :meth:`worker` histories).

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
        self.config = config if isinstance(config, Config) else load_config(config)
        cfg = self.config.data
        self.seed = int(cfg["run"]["seed"] if seed is None else seed)
        population_seed, step_seed = np.random.SeedSequence(self.seed).spawn(2)
        super().__init__(rng=np.random.default_rng(step_seed))
        self.start = _parse_month(cfg["run"]["start"])
        self.months_planned = int(cfg["run"]["months"])
        self.month = 0
        self.record_events = record_events

        self.geography = load_geography()
        population = synthesise(cfg, self.geography, np.random.default_rng(population_seed))
        self.workers = population.workers
        self.employers = population.employers
        self.pay = PayTables(cfg, self.employers, np.random.default_rng(population_seed), self.start)
        self.uplifts = uplift_schedule(self.start, self.months_planned + 240,
                                       cfg["pay"]["growth_after_data"])
        self._prepare_parameters(cfg)
        self.recorder = MetricsRecorder(
            self.months_planned, self.geography.size, self.geography.codes, self.start
        )
        self._events: list[dict[str, np.ndarray]] = []
        self._archive: list[dict[str, np.ndarray]] = []
        self._pay_now = np.zeros(0)
        self._workload_now = np.ones(self.employers.size)
        self._compute_state()

    # ------------------------------------------------------------------ set-up
    def _prepare_parameters(self, cfg: dict) -> None:
        geography = self.geography
        employers = self.employers
        self.vacancy_held = _role_vector(cfg["employers"]["held_vacant_share"])
        self.agency_cover_share = _role_vector(cfg["employers"]["agency_cover"])
        self.intent_base = _role_vector(cfg["exits"]["intent_base"])
        self.leave_base = _role_vector(cfg["exits"]["leave_base"])
        self.search_base = _role_vector(cfg["search"]["base_log_odds"])
        self.choice_pay = _role_vector(cfg["choice"]["pay"])
        self.outside_ratio = _role_vector(cfg["pay"]["outside_option"])
        self.fill_rate = _role_vector(cfg["inflows"]["fill_rate"])
        commute = _role_vector(cfg["search"]["commute_km"])
        # reach[role, home, workplace authority]
        self.reach = geography.distance[None, :, :] <= commute[:, None, None]
        self.transitions = np.stack(
            [market.role_transitions(False), market.role_transitions(True)], axis=1
        )  # [from, experienced, to]
        self.is_nhs = np.isin(employers.sector, NHS_SECTORS)
        self.welsh_workplace = geography.welsh[employers.la]
        self.independent_workplace = np.isin(employers.sector, INDEPENDENT_SECTORS)
        self.welsh_social_care = np.isin(employers.sector, (LA, INDEPENDENT))
        self.agency_rows = np.flatnonzero(employers.sector == AGENCY)
        self.n_regions = len(geography.health_boards)
        overseas = cfg["inflows"]["overseas_close"]
        self.overseas_close = None if overseas == "never" else _parse_month_or_date(overseas)
        self.full_time = cfg["workforce"]["contracts"]["full_time_hours"]
        self.recovery = cfg["burnout"]["recovery_rate"]

    # ------------------------------------------------------------------ helpers
    @property
    def date(self) -> dt.date:
        """First day of the month about to be simulated."""
        return month_dates(self.start, self.month + 1)[-1]

    def _used(self) -> slice:
        return self.workers.view()

    def _compute_state(self) -> None:
        """Per-worker pay for the current month (used by exits, search and metrics)."""
        w = self.workers
        used = self._used()
        self._pay_now = self.pay.hourly(w.employer[used], w.role[used], w.point[used])

    def _headcount(self) -> np.ndarray:
        w = self.workers
        used = self._used()
        return employer_rules.headcount_by_cell(
            w.employer[used], w.role[used], w.active[used], self.employers.size
        )

    def _log(self, kind: int, rows: np.ndarray, origin_employer, destination_employer,
             origin_role, destination_role) -> None:
        if not self.record_events or len(rows) == 0:
            return
        count = len(rows)
        self._events.append({
            "month": np.full(count, self.month, dtype=np.int16),
            "worker_id": self.workers.worker_id[rows].copy(),
            "kind": np.full(count, kind, dtype=np.int8),
            "origin_employer": np.broadcast_to(origin_employer, count).astype(np.int32),
            "destination_employer": np.broadcast_to(destination_employer, count).astype(np.int32),
            "origin_role": np.broadcast_to(origin_role, count).astype(np.int8),
            "destination_role": np.broadcast_to(destination_role, count).astype(np.int8),
        })

    def _stock_cell(self, employer: np.ndarray, role: np.ndarray) -> np.ndarray:
        return self.recorder.cell(self.employers.sector[employer], role, self.employers.la[employer])

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Simulate one month."""
        if self.month >= self.recorder.stocks.shape[0]:
            self._grow_recorder()
        rng = self.rng
        w = self.workers
        employers = self.employers
        cfg = self.config.data

        # 1. Policy and environment.
        uplift = self.uplifts.get(self.month)
        if uplift is not None:
            self.pay.apply(uplift)
            used = self._used()
            w.point[used] = np.minimum(w.point[used] + 1, cfg["pay"]["points"] - 1)
        employer_rules.grow_posts(
            employers, cfg["employers"]["funded_post_growth"], cfg["employers"]["nhs_post_growth"]
        )

        # 2. Employers: vacancies, agency cover, pay response.
        headcount = self._headcount()
        vacant = employer_rules.vacancies(employers, headcount)
        self._agency_market(vacant, headcount)
        self._pay_response(vacant)
        self._compute_state()

        # 3. Workload, absence and burnout.
        used = self._used()
        active = w.active[used]
        employer = w.employer[used]
        burnout_cfg = cfg["burnout"]
        absence = burnout_rules.absence(
            w.burnout[used], burnout_cfg["absence_base"], burnout_cfg["absence_burnout"]
        )
        present = np.where(active, 1.0 - absence, 0.0)
        workplace_load = burnout_rules.workplace_workload(
            employer, present, employers.funded.sum(axis=1), employers.agency_fte.sum(axis=1)
        )
        workplace_load[self.agency_rows] = burnout_cfg["agency_workload"]
        self._workload_now = workplace_load
        team_size = np.bincount(employer, weights=active, minlength=employers.size)
        team_burnout = np.bincount(employer, weights=w.burnout[used] * active,
                                   minlength=employers.size)
        team_mean = team_burnout / np.maximum(team_size, 1.0)
        workload = workplace_load[employer]
        w.burnout[used] = burnout_rules.update_burnout(
            w.burnout[used],
            workload,
            w.tolerance[used],
            team_mean[employer],
            rng.normal(0.0, burnout_cfg["noise_sd"], len(employer)),
            burnout_cfg["rise_rate"],
            self.recovery,
            burnout_cfg["contagion"],
        )

        # 4. Exits.
        exits_cfg = cfg["exits"]
        excess = np.maximum(workload - w.tolerance[used], 0.0)
        outside = self.pay.rlw * self.outside_ratio[w.role[used]]
        intent = exit_rules.intent_to_leave(
            self.intent_base[w.role[used]],
            w.burnout[used],
            excess,
            np.log(self._pay_now / outside),
            w.zero_hours[used],
            w.tenure[used] < 12,
            w.age[used] < 25,
            exits_cfg,
        )
        w.intent[used] = intent
        p_retire = exit_rules.retirement_probability(
            w.age[used], exits_cfg["retirement_mean_age"], exits_cfg["retirement_age_sd"]
        )
        p_leave = exit_rules.leave_probability(
            intent, self.leave_base[w.role[used]], exits_cfg["intent_exit_odds_ratio"]
        )
        u = rng.random(len(employer))
        retiring = active & (u < p_retire)
        leaving = active & ~retiring & (u < p_retire + p_leave)
        self._depart(np.flatnonzero(retiring), RETIRED)
        self._depart(np.flatnonzero(leaving), LEFT_SECTOR)

        # 5-6. Search, choice and matching.
        headcount = self._headcount()
        vacant = employer_rules.vacancies(employers, headcount)
        open_posts = employer_rules.open_vacancies(vacant, self.vacancy_held)
        self._search_and_move(open_posts, intent)

        # 7. Inflows and progression.
        self._graduates(open_posts)
        self._overseas(open_posts)
        self._entrants(open_posts)
        self._progress(open_posts)

        # 8. Record.
        self._record(absence, workload)
        self._advance_clock()

    def _advance_clock(self) -> None:
        w = self.workers
        used = self._used()
        active = w.active[used]
        w.age[used] += active / 12.0
        w.tenure[used] += active
        w.experience[used] += active
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
        supply = np.zeros((self.n_regions, N_ROLES))
        np.add.at(supply, employers.region[self.agency_rows], headcount[self.agency_rows])
        cover, _ = employer_rules.allocate_agency(demand, employers.region, supply)
        employers.agency_fte[:] = cover
        # Agencies recruit toward the cover their region asks for.
        wanted = np.zeros((self.n_regions, N_ROLES))
        in_market = employers.region >= 0
        np.add.at(wanted, employers.region[in_market], demand[in_market])
        employers.funded[self.agency_rows] = np.maximum(
            wanted[employers.region[self.agency_rows]], 0.0
        )

    def _pay_response(self, vacant: np.ndarray) -> None:
        employers = self.employers
        cfg = self.config.data["employers"]
        care_roles = [CARE_WORKER, SENIOR_CARE_WORKER]
        care_funded = employers.funded[:, care_roles].sum(axis=1)
        rate = np.divide(vacant[:, care_roles].sum(axis=1), care_funded,
                         out=np.zeros(employers.size), where=care_funded > 0)
        raised = employer_rules.respond_with_pay(
            employers, rate, cfg["vacancy_trigger"], cfg["vacancy_months"],
            cfg["pay_response_step"], cfg["pay_response_cap"],
        )
        if raised.any():
            self.pay.refresh_floor_linked()

    # ------------------------------------------------------------------ 4. exits
    def _depart(self, rows: np.ndarray, destination: int) -> None:
        if len(rows) == 0:
            return
        w = self.workers
        employer = w.employer[rows]
        role = w.role[rows]
        self.recorder.add(self.month, "leavers", self._stock_cell(employer, role))
        self.recorder.add_flows(self.month, role, w.sector[rows].astype(np.int64),
                                np.full(len(rows), destination))
        kind = RETIRED_EVENT if destination == RETIRED else LEFT_EVENT
        self._log(kind, rows, employer, -1, role, role)
        w.active[rows] = False

    # ------------------------------------------------------------------ 5-6. market
    def _search_and_move(self, open_posts: np.ndarray, intent: np.ndarray) -> None:
        cfg = self.config.data
        rng = self.rng
        w = self.workers
        employers = self.employers
        used = self._used()
        active = w.active[used]
        role = w.role[used]
        pay_now = self._pay_now
        # Search: more likely when intending to leave, and when vacancies nearby pay more.
        offer_pay = self._local_offer_pay(open_posts)[w.home[used], role]
        gap = np.where(offer_pay > 0, np.log(np.maximum(offer_pay, 1e-9) / pay_now), 0.0)
        search_cfg = cfg["search"]
        log_odds = (
            self.search_base[role]
            + search_cfg["intent_log_odds"] * intent
            + search_cfg["pay_gap_log_odds"] * np.maximum(gap, 0.0)
        )
        searching = active & (rng.random(len(role)) < exit_rules.expit(log_odds))
        rows = np.flatnonzero(searching)
        if len(rows) == 0 or open_posts.sum() == 0:
            return
        choice = self._choose(rows, open_posts)
        movers, destination, new_role = choice
        if len(movers) == 0:
            return
        taken = market.match(movers, destination, new_role, open_posts, rng)
        self._move(movers[taken], destination[taken], new_role[taken])

    def _local_offer_pay(self, open_posts: np.ndarray) -> np.ndarray:
        """Mean entry pay of the vacancies a worker could reach, per (home authority, role)."""
        employers = self.employers
        n_la = self.geography.size
        offered = np.zeros((n_la, N_ROLES))
        posts = np.zeros((n_la, N_ROLES))
        np.add.at(offered, employers.la, open_posts * employers.pay)
        np.add.at(posts, employers.la, open_posts)
        # reach[role, home, la]: sum over reachable authorities.
        offered_in_reach = np.einsum("rhl,lr->hr", self.reach, offered)
        posts_in_reach = np.einsum("rhl,lr->hr", self.reach, posts)
        return np.divide(offered_in_reach, posts_in_reach, out=np.zeros_like(offered_in_reach),
                         where=posts_in_reach > 0)

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
        experienced = (w.experience[rows] >= cfg["progression"]["promotion_experience_months"])
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
        tie = w.ties[rows, rng.integers(0, width, len(rows))]
        tie_ok = tie >= 0
        tie_safe = np.where(tie_ok, tie, 0)
        tie_ok &= w.active[tie_safe]
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
        current = self._pay_now[rows][:, None]
        zero_hours = w.zero_hours[rows][:, None]
        keeps_zero_hours = zero_hours & self.independent_workplace[cand_employer]
        la_now = employers.la[employer][:, None]
        la_new = employers.la[cand_employer]
        distance = geography.distance
        utility = (
            self.choice_pay[role][:, None] * np.log(np.maximum(offer, 1e-9) / current)
            + choice_cfg["hours_security"] * (zero_hours.astype(float) - keeps_zero_hours)
            + choice_cfg["workload"]
            * (self._workload_now[employer][:, None] - self._workload_now[cand_employer])
            + choice_cfg["nhs_terms"]
            * (self.is_nhs[cand_employer].astype(float) - self.is_nhs[employer][:, None])
            + choice_cfg["commute_per_10km"]
            * (distance[home[:, None], la_new] - distance[home[:, None], la_now]) / 10.0
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
        self.recorder.add(self.month, "leavers", self._stock_cell(old_employer, old_role))
        self.recorder.add(self.month, "joiners", self._stock_cell(destination, new_role))
        self.recorder.add_flows(
            self.month, new_role, w.sector[rows].astype(np.int64),
            employers.sector[destination].astype(np.int64),
        )
        self._log(MOVE_EVENT, rows, old_employer, destination, old_role, new_role)
        changed_role = new_role != old_role
        w.employer[rows] = destination
        w.sector[rows] = employers.sector[destination]
        w.role[rows] = new_role
        w.tenure[rows] = 0
        w.experience[rows] = np.where(changed_role, 0, w.experience[rows])
        w.point[rows] = np.where(changed_role, 0, w.point[rows])
        w.zero_hours[rows] &= self.independent_workplace[destination]

    # ------------------------------------------------------------------ 7. inflows
    def _arrive(self, employer: np.ndarray, role: np.ndarray, kind: int) -> None:
        """Add new workers at the given workplaces and roles."""
        count = len(employer)
        if count == 0:
            return
        cfg = self.config.data
        rng = self.rng
        contracts = cfg["workforce"]["contracts"]
        employers = self.employers
        sector = employers.sector[employer]
        returner = (kind == ENTRANT) & (rng.random(count) < cfg["inflows"]["returner_share"])
        if kind == GRADUATE:
            age = 21.0 + rng.exponential(4.0, count)
        elif kind == OVERSEAS:
            age = 22.0 + rng.random(count) * 23.0
        else:
            age = np.where(returner, 30.0 + rng.random(count) * 30.0,
                           18.0 + rng.random(count) * 27.0)
        professional = market.PROFESSIONAL[role]
        age = np.where(professional & (age < 22.0), 22.0 + rng.random(count) * 5.0, age)
        experience = np.where(returner, rng.integers(12, 120, count), 0)
        care = np.isin(role, CARE_ROLES)
        part_time = rng.random(count) < np.where(
            care, contracts["care_part_time_share"], contracts["professional_part_time_share"]
        )
        mean_part = contracts["part_time_mean_hours"]
        hours = np.where(part_time, np.clip(rng.normal(mean_part, 6.0, count), 8.0, 35.0),
                         contracts["full_time_hours"])
        care_role = (role == CARE_WORKER) | (role == SENIOR_CARE_WORKER)
        zh_share = np.where(
            np.isin(sector, INDEPENDENT_SECTORS), contracts["zero_hours_share_independent"],
            np.where(np.isin(sector, (LA, ENGLAND_LA)), contracts["zero_hours_share_la"], 0.0),
        )
        zero_hours = care_role & (rng.random(count) < zh_share) & (kind != OVERSEAS)
        burnout_cfg = cfg["burnout"]
        from wfabm.population import _homes

        home = _homes(employers.la[employer], self.geography, rng)
        pledge = np.full(count, -1, dtype=np.int16)
        if kind == GRADUATE:
            # All Wales Pledge: newly qualified social workers do no agency work for 3 years.
            pledge = np.where(role == SOCIAL_WORKER, self.month + 36, -1).astype(np.int16)
        rows = self.workers.append({
            "role": role.astype(np.int8),
            "employer": employer.astype(np.int32),
            "sector": sector,
            "home": home,
            "age": age,
            "tenure": np.zeros(count, dtype=np.int32),
            "experience": experience.astype(np.int32),
            "point": np.minimum(experience // 12, cfg["pay"]["points"] - 1).astype(np.int8),
            "hours": hours,
            "zero_hours": zero_hours,
            "visa": np.full(count, kind == OVERSEAS),
            "burnout": rng.beta(2.0, 8.0, count),
            "tolerance": np.clip(rng.normal(burnout_cfg["tolerable_workload"],
                                            burnout_cfg["tolerance_sd"], count), 0.5, 2.0),
            "intent": np.zeros(count),
            "arrival": np.full(count, kind - len(SECTORS), dtype=np.int8),
            "arrived": np.full(count, self.month, dtype=np.int16),
            "pledge_until": pledge,
        })
        self.recorder.add(self.month, "joiners", self._stock_cell(employer, role))
        self.recorder.add_flows(self.month, role.astype(np.int64), np.full(count, kind),
                                sector.astype(np.int64))
        self._log(ARRIVAL_EVENT, rows, -1, employer, -1, role)

    def _slots(self, open_posts: np.ndarray, workplaces: np.ndarray, roles: list[int],
               wanted: int) -> tuple[np.ndarray, np.ndarray]:
        """Pick up to ``wanted`` open posts at random among the given workplaces and roles."""
        sub = open_posts[np.ix_(workplaces, roles)].astype(np.int64)
        total = int(sub.sum())
        take = min(wanted, total)
        if take <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        flat = np.repeat(np.arange(sub.size), sub.ravel())
        chosen = self.rng.choice(flat, size=take, replace=False)
        row, column = np.divmod(chosen, len(roles))
        employer = workplaces[row]
        role = np.asarray(roles)[column]
        np.subtract.at(open_posts, (employer, role), 1)
        return employer, role

    def _graduates(self, open_posts: np.ndarray) -> None:
        cfg = self.config.data["inflows"]
        if self.date.month != cfg["graduate_month"]:
            return
        employers = self.employers
        wales_care = np.flatnonzero(self.welsh_social_care)
        wales_ot = np.flatnonzero((employers.sector == LA) | (employers.sector == NHS))
        nhs_wales = np.flatnonzero(employers.sector == NHS)
        england_la = np.flatnonzero(employers.sector == ENGLAND_LA)
        for workplaces, role, count in (
            (wales_care, SOCIAL_WORKER, cfg["social_work_graduates"]),
            (wales_ot, OCCUPATIONAL_THERAPIST, cfg["occupational_therapy_graduates"]),
            (nhs_wales, NURSE, cfg["nursing_graduates"]),
        ):
            wanted = int(self.rng.poisson(count))
            employer, roles = self._slots(open_posts, workplaces, [role], wanted)
            # Welsh graduates not placed in Wales look over the border.
            if role == SOCIAL_WORKER and len(employer) < wanted:
                more_e, more_r = self._slots(open_posts, england_la, [role], wanted - len(employer))
                employer, roles = np.concatenate([employer, more_e]), np.concatenate([roles, more_r])
            self._arrive(employer, roles, GRADUATE)

    def _overseas(self, open_posts: np.ndarray) -> None:
        cfg = self.config.data["inflows"]
        date = self.date
        if self.overseas_close is not None and date >= self.overseas_close:
            return
        visas = cfg["uk_care_visas"].get(f"y{date.year}", 0.0)
        share_open = 1.0
        if self.overseas_close is not None and (date.year, date.month) == (
            self.overseas_close.year, self.overseas_close.month
        ):
            share_open = (self.overseas_close.day - 1) / 30.0
        employers = self.employers
        for sector, share in ((INDEPENDENT, cfg["wales_share_of_uk_visas"]),
                              (ENGLAND_INDEPENDENT, cfg["england_border_share_of_uk_visas"])):
            wanted = int(self.rng.poisson(visas * share / 12.0 * share_open))
            sponsors = np.flatnonzero((employers.sector == sector) & employers.sponsor)
            employer, role = self._slots(open_posts, sponsors, [CARE_WORKER, SENIOR_CARE_WORKER],
                                         wanted)
            self._arrive(employer, role, OVERSEAS)

    def _entrants(self, open_posts: np.ndarray) -> None:
        """Open posts filled from outside the market, more readily where pay beats the outside option."""
        cfg = self.config.data["inflows"]
        outside = self.pay.rlw * self.outside_ratio
        attraction = (self.employers.pay / outside[None, :]) ** cfg["entry_pay_elasticity"]
        probability = np.clip(self.fill_rate[None, :] * attraction, 0.0, 1.0)
        hires = self.rng.binomial(open_posts.astype(np.int64), probability)
        employer, role = np.nonzero(hires)
        counts = hires[employer, role]
        open_posts -= hires
        self._arrive(np.repeat(employer, counts), np.repeat(role, counts), ENTRANT)

    def _progress(self, open_posts: np.ndarray) -> None:
        """Promotion into open posts at the same workplace."""
        cfg = self.config.data["progression"]
        w = self.workers
        used = self._used()
        rng = self.rng
        for from_role, to_role, rate, min_months in (
            (CARE_WORKER, SENIOR_CARE_WORKER, cfg["senior_promotion_rate"],
             cfg["promotion_experience_months"]),
            (SOCIAL_WORKER, AMHP, cfg["amhp_warrant_rate"], cfg["promotion_experience_months"]),
            (HEALTHCARE_ASSISTANT, NURSE, cfg["hca_to_nurse_rate"], 0),
        ):
            eligible = (
                w.active[used]
                & (w.role[used] == from_role)
                & (w.experience[used] >= min_months)
            )
            rows = np.flatnonzero(eligible)
            rows = rows[rng.random(len(rows)) < rate / 12.0]
            rows = rows[open_posts[w.employer[rows], to_role] > 0]
            if len(rows) == 0:
                continue
            new_role = np.full(len(rows), to_role, dtype=np.int8)
            taken = market.match(rows, w.employer[rows], new_role, open_posts, rng)
            rows = rows[taken]
            employer = w.employer[rows]
            self.recorder.add(self.month, "promoted_out",
                              self._stock_cell(employer, np.full(len(rows), from_role)))
            self.recorder.add(self.month, "promoted_in",
                              self._stock_cell(employer, np.full(len(rows), to_role)))
            self._log(PROMOTION_EVENT, rows, employer, employer, from_role, to_role)
            w.role[rows] = to_role
            w.experience[rows] = 0
            w.point[rows] = 0

    # ------------------------------------------------------------------ 8. record
    def _record(self, absence: np.ndarray, workload: np.ndarray) -> None:
        w = self.workers
        employers = self.employers
        recorder = self.recorder
        month = self.month
        self._compute_state()
        used = self._used()
        n_before = len(absence)
        active = w.active[used]
        rows = np.flatnonzero(active)
        cells = self._stock_cell(w.employer[rows], w.role[rows])
        fte = w.hours[rows] / self.full_time
        recorder.add(month, "headcount", cells)
        recorder.add(month, "fte", cells, fte)
        recorder.add(month, "burnout_sum", cells, w.burnout[rows])
        recorder.add(month, "intent_sum", cells, w.intent[rows])
        pad = np.zeros(self.workers.size - n_before)
        recorder.add(month, "absence_sum", cells, np.concatenate([absence, pad])[rows])
        recorder.add(month, "workload_sum", cells, self._workload_now[w.employer[rows]])
        recorder.add(month, "pay_sum", cells, self._pay_now[rows])
        # Monthly pay: hourly rate x contracted hours x weeks per month.
        recorder.add(month, "wage_bill", cells, self._pay_now[rows] * w.hours[rows] * 52.143 / 12)

        headcount = self._headcount()
        vacant = employer_rules.vacancies(employers, headcount)
        workplace = np.repeat(np.arange(employers.size), N_ROLES)
        role = np.tile(np.arange(N_ROLES), employers.size)
        employer_cells = self._stock_cell(workplace, role)
        funded = employers.funded.ravel().copy()
        vacancies = vacant.ravel().copy()
        agency = self.agency_rows
        # Agencies' "posts" are their clients' requests, not funded posts of their own.
        funded.reshape(employers.size, N_ROLES)[agency] = 0.0
        vacancies.reshape(employers.size, N_ROLES)[agency] = 0.0
        recorder.add(month, "funded_posts", employer_cells, funded)
        recorder.add(month, "vacancies", employer_cells, vacancies)
        recorder.add(month, "agency_fte", employer_cells, employers.agency_fte.ravel())
        agency_rate = self._agency_rate()
        spend = employers.agency_fte * agency_rate[None, :] * self.full_time * 52.143 / 12
        recorder.add(month, "agency_spend", employer_cells,
                     spend.ravel() * self.pay.charge_ratio)
        del workload

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
        """Yearly: archive departed workers and give newcomers colleague ties."""
        w = self.workers
        departed = w.compact()
        if len(departed["worker_id"]):
            self._archive.append(departed)
        used = self._used()
        colleagues = self.config.data["network"]["colleague_degree"]
        if colleagues == 0 or w.size == 0:
            self._pay_now = self.pay.hourly(w.employer[used], w.role[used], w.point[used])
            return
        ties = w.ties[used]
        tie_employer = np.where(ties >= 0, w.employer[np.maximum(ties, 0)], -1)
        colleague_ties = (tie_employer == w.employer[used][:, None]).sum(axis=1)
        lonely = np.flatnonzero(colleague_ties == 0)
        if len(lonely):
            order = np.argsort(w.employer[used], kind="stable")
            sorted_employer = w.employer[used][order]
            first = np.searchsorted(sorted_employer, w.employer[lonely], side="left")
            last = np.searchsorted(sorted_employer, w.employer[lonely], side="right")
            size = last - first
            picks = first[:, None] + (
                self.rng.random((len(lonely), colleagues)) * size[:, None]
            ).astype(np.int64)
            new_ties = order[np.minimum(picks, len(order) - 1)]
            new_ties = np.where(size[:, None] > 1, new_ties, -1)
            new_ties = np.where(new_ties == lonely[:, None], -1, new_ties)
            free = ties[lonely] < 0
            # Fill the first free slots with the new colleagues.
            slot_rank = np.cumsum(free, axis=1) - 1
            for j in range(colleagues):
                put = free & (slot_rank == j)
                r, c = np.nonzero(put)
                w.ties[lonely[r], c] = new_ties[r, j]
        self._pay_now = self.pay.hourly(w.employer[used], w.role[used], w.point[used])

    # ------------------------------------------------------------------ results
    def run(self, months: int | None = None) -> WorkforceModel:
        """Run for ``months`` months (default: the config's ``run.months``)."""
        for _ in range(self.months_planned if months is None else months):
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
        if not self._events:
            columns = ("month", "worker_id", "kind", "origin_employer", "destination_employer",
                       "origin_role", "destination_role")
            return pl.DataFrame({c: [] for c in columns})
        merged = {k: np.concatenate([e[k] for e in self._events]) for k in self._events[0]}
        dates = np.array(month_dates(self.start, self.month + 1), dtype="datetime64[D]")
        return pl.DataFrame({
            "month": pl.Series(dates[merged["month"]]).cast(pl.Date),
            "worker_id": merged["worker_id"],
            "kind": np.array(EVENT_KINDS)[merged["kind"]],
            "origin_employer": merged["origin_employer"],
            "destination_employer": merged["destination_employer"],
            "origin_role": np.where(merged["origin_role"] >= 0,
                                    np.array(ROLES)[merged["origin_role"]], None),
            "destination_role": np.array(ROLES)[merged["destination_role"]],
        })

    def worker(self, worker_id: int) -> dict[str, Any]:
        """A readable view of one worker: attributes now (or when last seen) and history.

        Args:
            worker_id: The worker's permanent id.

        Returns:
            A dict of attributes, with ``history`` listing the worker's moves.

        Raises:
            KeyError: If no worker has this id.
        """
        w = self.workers
        row = w.row_of(worker_id)
        if row is not None:
            values = {name: getattr(w, name)[row] for name in w.columns if name != "ties"}
            pay = float(self.pay.hourly(np.array([values["employer"]]), np.array([values["role"]]),
                                        np.array([values["point"]]))[0])
            ties = [int(w.worker_id[t]) for t in w.ties[row] if t >= 0]
        else:
            values = None
            for chunk in self._archive:
                found = np.flatnonzero(chunk["worker_id"] == worker_id)
                if len(found):
                    values = {name: chunk[name][found[0]] for name in chunk}
                    break
            if values is None:
                msg = f"no worker with id {worker_id}"
                raise KeyError(msg)
            pay, ties = None, []
        employer = int(values["employer"])
        employers = self.employers
        history = []
        if self._events:
            events = self.events().filter(pl.col("worker_id") == worker_id)
            history = events.drop("worker_id").to_dicts()
        return {
            "worker_id": int(values["worker_id"]),
            "active": bool(values["active"]),
            "role": ROLES[int(values["role"])],
            "sector": SECTORS[int(employers.sector[employer])],
            "employer": employer,
            "service": SERVICES[int(employers.service[employer])],
            "workplace_local_authority": self.geography.codes[int(employers.la[employer])],
            "home_local_authority": self.geography.codes[int(values["home"])],
            "age": round(float(values["age"]), 1),
            "tenure_months": int(values["tenure"]),
            "experience_months": int(values["experience"]),
            "pay_point": int(values["point"]),
            "hourly_pay": pay,
            "hours": round(float(values["hours"]), 1),
            "zero_hours": bool(values["zero_hours"]),
            "visa": bool(values["visa"]),
            "burnout": round(float(values["burnout"]), 3),
            "intent_to_leave": round(float(values["intent"]), 3),
            "arrival": ARRIVALS[int(values["arrival"])] if values["arrival"] >= 0 else "base_year",
            "ties": ties,
            "history": history,
        }


def _parse_month_or_date(text: str) -> dt.date:
    parts = [int(p) for p in text.split("-")]
    return dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


def role_index(name: str) -> int:
    """Index of a role name."""
    return ROLE_INDEX[name]
