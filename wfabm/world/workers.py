"""The worker population held as columns: one entry per worker in each numpy array.

Each worker is an individual with its own role, employer, home, age, tenure, pay point, hours,
contract, burnout, visa status and ties. Behaviours (``burnout.py``, ``exits.py``,
``market.py``, ``inflows.py``) decide for all workers at once over these columns.

Rows are slots: a worker who leaves is marked inactive and keeps its row until the yearly
compaction, so row order always follows ``worker_id`` (ids only grow), and a worker can be
found by id with a binary search.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

# Value of unused rows, where 0 would mean something (arrival kind 0 is "entrant").
_FILL = {"ties": -1, "arrival": -1, "arrived": -1, "pledge_until": -1}


@dataclass
class WorkerTable:
    """Columns of the worker population (struct of arrays).

    Attributes:
        worker_id: Permanent id (never reused).
        active: Whether the worker is in the modelled market (False once departed).
        role: Role index (``taxonomy.ROLES``).
        employer: Workplace index.
        sector: Sector index of the workplace (kept beside ``employer`` for speed).
        home: Home local authority index.
        cell: Flat (workplace, role) index ``employer * R + role``; departed workers hold
            the sentinel ``E * R`` so sums by cell skip them without a mask.
        pay_key: Flat (sector, role, pay point) index into the pay-point factor table.
        age_months: Age in months.
        tenure: Months with the current employer.
        experience: Months in the current role.
        point: Pay point within the role's scale (0 = entry).
        hours: Contracted (or usual) hours per week.
        zero_hours: Whether the contract is zero-hours.
        visa: Whether the worker holds a sponsored visa (tied to a sponsor employer).
        burnout: Burnout in [0, 1].
        tolerance: Individual tolerable workload.
        intent: Probability of intending to leave the sector within a year (last computed).
        arrival: Arrival kind index (-1 = in the base-year population).
        arrived: Month index of arrival (-1 = base year).
        pledge_until: Month index until which the All Wales Pledge bars agency work.
        ties: Ids of tied workers, ``-1`` padded (ids, not rows, so compaction leaves them
            valid; a tie to someone who has left simply finds nobody).
        row_by_id: Row of each id issued so far (``-1`` once compacted away), so ties are
            followed with one lookup instead of a binary search.
    """

    worker_id: np.ndarray
    active: np.ndarray
    role: np.ndarray
    employer: np.ndarray
    sector: np.ndarray
    home: np.ndarray
    cell: np.ndarray
    pay_key: np.ndarray
    age_months: np.ndarray
    tenure: np.ndarray
    experience: np.ndarray
    point: np.ndarray
    hours: np.ndarray
    zero_hours: np.ndarray
    visa: np.ndarray
    burnout: np.ndarray
    tolerance: np.ndarray
    intent: np.ndarray
    arrival: np.ndarray
    arrived: np.ndarray
    pledge_until: np.ndarray
    ties: np.ndarray
    size: int = 0
    next_id: int = 0
    columns: tuple[str, ...] = field(default=(), repr=False)
    row_by_id: np.ndarray = field(default_factory=lambda: np.full(1, -1, np.int64), repr=False)

    def __post_init__(self) -> None:
        self.columns = tuple(
            f.name
            for f in fields(self)
            if f.name not in ("size", "next_id", "columns", "row_by_id")
        )

    @property
    def capacity(self) -> int:
        """Number of allocated rows."""
        return len(self.worker_id)

    def view(self) -> slice:
        """Slice of rows in use (active or departed since the last compaction)."""
        return slice(0, self.size)

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more rows, growing every column if needed."""
        needed = self.size + extra
        if needed <= self.capacity:
            return
        new_capacity = max(needed, int(self.capacity * 1.25) + 1024)
        for name in self.columns:
            column = getattr(self, name)
            shape = (new_capacity, *column.shape[1:])
            grown = np.full(shape, _FILL.get(name, 0), dtype=column.dtype)
            grown[: self.size] = column[: self.size]
            setattr(self, name, grown)

    def append(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """Append new workers; returns their rows.

        Args:
            values: Column name -> array of the new workers' values. ``worker_id`` and
                ``active`` are set here; columns not given keep their fill value
                (0, or -1 for ties).

        Returns:
            The rows of the new workers.
        """
        count = len(next(iter(values.values())))
        self.reserve(count)
        rows = np.arange(self.size, self.size + count)
        for name, column_values in values.items():
            getattr(self, name)[rows] = column_values
        self.worker_id[rows] = np.arange(self.next_id, self.next_id + count)
        self.active[rows] = True
        self.ties[rows] = -1
        # The id -> row table keeps at least one spare entry past the last id, always -1.
        if len(self.row_by_id) <= self.next_id + count:
            grown = np.full(max(self.next_id + count + 1, 2 * len(self.row_by_id)), -1, np.int64)
            grown[: len(self.row_by_id)] = self.row_by_id
            self.row_by_id = grown
        self.row_by_id[self.next_id : self.next_id + count] = rows
        self.next_id += count
        self.size += count
        return rows

    def compact(self, archive: bool = True) -> dict[str, np.ndarray]:
        """Drop departed workers' rows, keeping order.

        Args:
            archive: Return the departed workers' columns (skipped when not needed).

        Returns:
            The departed workers' columns (for the archive), as a dict of arrays.
        """
        old_size = self.size
        used = self.view()
        keep = self.active[used].copy()
        departed = (
            {name: getattr(self, name)[used][~keep] for name in self.columns if name != "ties"}
            if archive
            else {}
        )
        kept = np.flatnonzero(keep)
        kept_count = len(kept)
        for name in self.columns:
            column = getattr(self, name)
            column[:kept_count] = column[kept]
            column[kept_count:old_size] = _FILL.get(name, 0)
        self.size = kept_count
        self.row_by_id[:] = -1
        self.row_by_id[self.worker_id[:kept_count]] = np.arange(kept_count)
        return departed

    def rows_of(self, worker_ids: np.ndarray) -> np.ndarray:
        """Rows of active workers with the given ids (-1 where absent or departed)."""
        worker_ids = np.asarray(worker_ids)
        # Ids outside the table (padding, unknown) read its last entry, which is always -1.
        known = (worker_ids >= 0) & (worker_ids < len(self.row_by_id))
        rows = self.row_by_id[np.where(known, worker_ids, -1)]
        return np.where((rows >= 0) & self.active[rows], rows, -1)

    def row_of(self, worker_id: int) -> int | None:
        """Row of an active or not-yet-compacted worker, or None."""
        ids = self.worker_id[: self.size]
        row = int(np.searchsorted(ids, worker_id))
        if row < self.size and ids[row] == worker_id:
            return row
        return None


def empty_table(capacity: int, tie_width: int) -> WorkerTable:
    """Allocate an empty worker table.

    Args:
        capacity: Rows to allocate.
        tie_width: Maximum ties per worker.

    Returns:
        A table with ``size == 0``.
    """
    zeros = np.zeros
    return WorkerTable(
        worker_id=zeros(capacity, np.int64),
        active=zeros(capacity, bool),
        role=zeros(capacity, np.int8),
        employer=zeros(capacity, np.int32),
        sector=zeros(capacity, np.int8),
        home=zeros(capacity, np.int16),
        cell=zeros(capacity, np.int64),
        pay_key=zeros(capacity, np.int64),
        age_months=zeros(capacity, np.int16),
        tenure=zeros(capacity, np.int32),
        experience=zeros(capacity, np.int32),
        point=zeros(capacity, np.int8),
        hours=zeros(capacity, np.float64),
        zero_hours=zeros(capacity, bool),
        visa=zeros(capacity, bool),
        burnout=zeros(capacity, np.float32),
        tolerance=zeros(capacity, np.float32),
        intent=zeros(capacity, np.float32),
        arrival=np.full(capacity, -1, np.int8),
        arrived=np.full(capacity, -1, np.int16),
        pledge_until=np.full(capacity, -1, np.int16),
        ties=np.full((capacity, tie_width), -1, np.int32),
    )
