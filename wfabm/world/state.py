"""The state of the modelled world, carried from one month to the next.

Everything a month leaves for the next is a named field of :class:`State`: the worker and
workplace columns, pay, the clock, the per-(workplace, role) cell sums kept in step with the
workers (:class:`Cells`), the pay-derived cell tables (:class:`PayCells`), the event log and
the few values one month hands to the next (this month's workload, the agency hours a
caseload cap asks for). The frozen :class:`~wfabm.world.tables.Tables` are reached from it,
so every stage of the month takes the state alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from wfabm.core.taxonomy import N_ROLES, N_SECTORS
from wfabm.world.employers import EmployerTable
from wfabm.world.events import EventLog
from wfabm.world.metrics import MetricsRecorder, month_dates
from wfabm.world.pay import PayTables
from wfabm.world.tables import Tables
from wfabm.world.workers import WorkerTable

TYPICAL_EARNINGS_YEAR = 2022
"""``pay.typical_earnings`` is for April of this year; it grows each April after."""


@dataclass
class Clock:
    """Where a run is in time.

    Attributes:
        start: The first simulated month (its first day).
        month: Months simulated so far (the index of the month about to be simulated).
        months_planned: The config's ``run.months``.
    """

    start: dt.date
    month: int
    months_planned: int

    @property
    def date(self) -> dt.date:
        """First day of the month about to be simulated."""
        return month_dates(self.start, self.month + 1)[-1]


class Cells:
    """Sums by (workplace, role) cell, kept in step with the workers' cells.

    Index ``n_cells`` (the last) is the sentinel cell of departed workers.

    Args:
        workers: The worker columns.
        n_employers: Number of workplaces.
        point_factor: Pay-point factor by pay key.

    Attributes:
        headcount: Workers by cell.
        sums: ``sums[cell]`` = (hours, pay-point factors, factor x hours) summed over workers.
        burnout_end_of_month: Burnout summed by cell at the end of last month (this month's
            team burnout and absence read it).
        joined, left, promoted_in, promoted_out: This month's flows by cell, set to zero
            once recorded.
    """

    def __init__(self, workers: WorkerTable, n_employers: int, point_factor: np.ndarray) -> None:
        self.workers = workers
        self.n_employers = n_employers
        self.point_factor = point_factor
        n_cells = n_employers * N_ROLES
        used = workers.view()
        self.headcount = np.bincount(workers.cell[used], minlength=n_cells + 1)
        self.burnout_end_of_month = np.bincount(
            workers.cell[used],
            weights=workers.burnout[used].astype(np.float64),
            minlength=n_cells + 1,
        )
        self.sums = np.zeros((n_cells + 1, 3))
        self.recount()
        self.joined = np.zeros(n_cells + 1)
        self.left = np.zeros(n_cells + 1)
        self.promoted_in = np.zeros(n_cells + 1)
        self.promoted_out = np.zeros(n_cells + 1)

    def headcount_matrix(self) -> np.ndarray:
        """Headcount as a (workplace, role) matrix (a view: it follows later changes)."""
        return self.headcount[:-1].reshape(self.n_employers, N_ROLES)

    def recount(self) -> None:
        """Per-cell sums of hours, pay-point factors and their product, from scratch."""
        w = self.workers
        used = w.view()
        factor = np.take(self.point_factor, w.pay_key[used])
        hours = w.hours[used]
        size = len(self.headcount)
        self.sums = np.stack(
            [
                np.bincount(w.cell[used], weights=values, minlength=size)
                for values in (hours, factor, factor * hours)
            ],
            axis=1,
        )

    def account(self, rows: np.ndarray, sign: float) -> None:
        """Add (sign 1) or remove (sign -1) rows' hours and pay factors from their cells."""
        w = self.workers
        factor = np.take(self.point_factor, w.pay_key[rows])
        hours = w.hours[rows]
        # Flat indices take ufunc.at's fast path; each cell still receives its rows' values
        # in row order, so the sums are the same to the last bit.
        flat = (w.cell[rows][:, None] * 3 + np.arange(3)).ravel()
        values = sign * np.column_stack([hours, factor, factor * hours])
        np.add.at(self.sums.reshape(-1), flat, values.ravel())

    def remove(self, rows: np.ndarray) -> None:
        """Take rows out of their cells' headcounts and sums (before their cell changes)."""
        self.account(rows, -1.0)
        np.subtract.at(self.headcount, self.workers.cell[rows], 1)

    def add(self, rows: np.ndarray) -> None:
        """Count rows into their (new) cells' headcounts and sums."""
        np.add.at(self.headcount, self.workers.cell[rows], 1)
        self.account(rows, 1.0)

    def reset_flows(self) -> None:
        """Set this month's flow counters to zero (after recording them)."""
        for counter in (self.joined, self.left, self.promoted_in, self.promoted_out):
            counter[:] = 0.0


@dataclass
class PayCells:
    """Tables by cell derived from pay, recomputed after every pay change.

    Attributes:
        pay: Hourly rate of each cell (1 for the sentinel).
        log_pay: Its log, single precision.
        intent: Log-odds of the intent to leave from pay against the outside option and
            the terms a post lacks.
        intent_gap: Log-odds added by the going rate's shortfall below typical earnings.
    """

    pay: np.ndarray
    log_pay: np.ndarray
    intent: np.ndarray
    intent_gap: np.ndarray


@dataclass
class State:
    """Everything carried from one month to the next (see the module docstring).

    Attributes:
        tables: The frozen tables built once from the config.
        clock: Start, months simulated and months planned.
        workers: The worker columns.
        employers: The workplace columns.
        pay: The pay tables.
        recorder: Monthly stocks and flows.
        rng: The month's random stream (the model's Mesa generator).
        policy: The levers in force; read only through its public methods.
        cells: Sums by cell.
        pay_cells: Pay-derived cell tables.
        events: The event log.
        terms: Share of NHS terms of each (workplace, role) post (NHS parity raises it).
        zero_hours_possible: Workplaces that may still offer zero-hours contracts.
        workload: This month's workload by workplace (1 = a fully staffed team's work).
        agency_requests: Hours of social work by workplace that a caseload cap asks of
            agencies next month.
        age_profile: Each role's sorted base-year ages, when ``run.hold_age_profile``
            holds the workforce to them each April (:mod:`~wfabm.world.ages`); else None.
    """

    tables: Tables
    clock: Clock
    workers: WorkerTable
    employers: EmployerTable
    pay: PayTables
    recorder: MetricsRecorder
    rng: np.random.Generator
    policy: Any
    cells: Cells
    pay_cells: PayCells
    events: EventLog
    terms: np.ndarray
    zero_hours_possible: np.ndarray
    workload: np.ndarray
    agency_requests: np.ndarray
    age_profile: tuple[np.ndarray, ...] | None = None

    def pay_of(self, rows: np.ndarray | slice) -> np.ndarray:
        """Hourly pay of the given worker rows: their cell's rate times their point factor."""
        w = self.workers
        return np.take(self.pay_cells.pay, w.cell[rows]) * np.take(
            self.tables.point_factor, w.pay_key[rows]
        )

    def zero_hours_kept(self) -> np.ndarray:
        """Workplaces where a mover keeps a zero-hours contract (independent, not banned)."""
        return self.tables.independent_workplace & self.zero_hours_possible

    def move_to_cells(self, rows: np.ndarray, employer: np.ndarray, role: np.ndarray) -> None:
        """Move rows to new (workplace, role) cells, keeping cell sums and pay keys in step."""
        w = self.workers
        self.cells.remove(rows)
        w.cell[rows] = employer.astype(np.int64) * N_ROLES + role
        w.employer[rows] = employer
        w.role[rows] = role
        w.sector[rows] = self.employers.sector[employer]
        w.pay_key[rows] = self.pay.pay_keys(employer, role, w.point[rows])
        self.cells.add(rows)

    def refresh_pay_cells(self) -> None:
        """Recompute the pay-derived cell tables after any pay change."""
        self.pay_cells = pay_cells(self.tables, self.employers, self.pay, self.terms, self.clock)


def pay_cells(
    tables: Tables, employers: EmployerTable, pay: PayTables, terms: np.ndarray, clock: Clock
) -> PayCells:
    """The pay-derived cell tables of the current pay, terms and month.

    Args:
        tables: The frozen tables.
        employers: The workplaces, with their published pay.
        pay: The pay tables (for the real living wage).
        terms: Share of NHS terms of each (workplace, role) post.
        clock: The clock (typical earnings grow each April).

    Returns:
        The tables.
    """
    exits_cfg = tables.cfg["exits"]
    pay_cell = employers.pay.ravel()
    log_pay = np.log(np.maximum(pay_cell, 1e-9))
    log_outside = np.log(pay.rlw * tables.outside_ratio)[tables.cell_role]
    # Posts without the NHS's pension and sick pay (independent providers, agencies; local
    # authorities in part) raise the intent to leave: the "conditions" of the survey.
    terms_lacking = 1.0 - terms.ravel()
    return PayCells(
        pay=np.append(pay_cell, 1.0),
        log_pay=np.append(log_pay, 0.0).astype(np.float32),
        intent=np.append(
            tables.intent_base_cell
            + exits_cfg["intent_pay"] * (log_pay - log_outside)
            + exits_cfg["intent_terms"] * terms_lacking,
            0.0,
        ).astype(np.float32),
        intent_gap=np.append(
            exits_cfg["intent_pay_gap"] * log_pay_gap(tables, employers, clock, log_pay), 0.0
        ).astype(np.float32),
    )


def log_pay_gap(
    tables: Tables, employers: EmployerTable, clock: Clock, log_pay: np.ndarray
) -> np.ndarray:
    """Log points by which typical full-time pay exceeds each cell's going rate (>= 0).

    The going rate is the mean log pay of the role in the cell's sector and local
    authority, weighted by funded posts: what the job pays around here, which one
    employer's own pay barely moves (the employer-level response to pay is the choice
    model's). Typical pay is ``pay.typical_earnings``, grown by
    ``pay.typical_earnings_growth`` each April.

    Args:
        tables: The frozen tables.
        employers: The workplaces.
        clock: The clock.
        log_pay: Log hourly pay by cell (without the sentinel).

    Returns:
        The gap by cell (without the sentinel); 0 for NHS cells and unpaid roles.
    """
    pay_cfg = tables.cfg["pay"]
    n_la = tables.geography.size
    cells = np.flatnonzero(tables.compared_cell)
    employer = tables.cell_employer[cells]
    group = (
        employers.sector[employer].astype(np.int64) * n_la + employers.la[employer]
    ) * N_ROLES + tables.cell_role[cells]
    weight = np.maximum(employers.funded.ravel()[cells], 0.0) + 1e-9
    size = N_SECTORS * n_la * N_ROLES
    going = (
        np.bincount(group, weights=weight * log_pay[cells], minlength=size)[group]
        / (np.bincount(group, weights=weight, minlength=size)[group])
    )
    start = clock.start
    years = (start.month - 4 + clock.month) // 12 + start.year - TYPICAL_EARNINGS_YEAR
    typical = pay_cfg["typical_earnings"] * (1.0 + pay_cfg["typical_earnings_growth"]) ** max(
        years, 0
    )
    gap = np.zeros(tables.n_cells)
    # Roles a sector does not pay (no rate) have no going rate to compare.
    paid = log_pay[cells] > np.log(1e-9) + 1.0
    gap[cells] = np.where(paid, np.log(typical) - going, 0.0)
    return np.maximum(gap, 0.0)
