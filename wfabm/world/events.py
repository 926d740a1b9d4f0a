"""The event log: every arrival, move, exit and promotion of individual workers.

Events are kept as chunks of columns, one chunk per logged group of rows, and turned into
one table on demand (cached until the next event). Departed workers archived by the yearly
compaction are kept here too, so a worker's last state can still be looked up.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from wfabm.core.taxonomy import ROLES
from wfabm.world.metrics import month_dates

if TYPE_CHECKING:
    from wfabm.world.workers import WorkerTable

EVENT_KINDS = ("arrival", "move", "retired", "left_sector", "promotion")
ARRIVAL_EVENT, MOVE_EVENT, RETIRED_EVENT, LEFT_EVENT, PROMOTION_EVENT = range(len(EVENT_KINDS))

EVENT_COLUMNS = (
    "month",
    "worker_id",
    "kind",
    "origin_employer",
    "destination_employer",
    "origin_role",
    "destination_role",
)


class EventLog:
    """Individual events as column chunks, and the archive of departed workers.

    Args:
        record: Keep events (and archive departed workers); when False, :meth:`log` does
            nothing.

    Attributes:
        record: Whether events are kept.
        chunks: The logged chunks, in order, each a dict of equal-length columns.
        archive: Departed workers' last columns, one dict per yearly compaction.
    """

    def __init__(self, record: bool) -> None:
        self.record = record
        self.chunks: list[dict[str, np.ndarray]] = []
        self.archive: list[dict[str, np.ndarray]] = []
        self.cached: tuple[int, pl.DataFrame] | None = None

    def log(
        self,
        kind: int,
        month: int,
        workers: WorkerTable,
        rows: np.ndarray,
        origin_employer: np.ndarray | int,
        destination_employer: np.ndarray | int,
        origin_role: np.ndarray | int,
        destination_role: np.ndarray | int,
    ) -> None:
        """Log one event of ``kind`` for each of ``rows`` (scalars apply to all of them)."""
        if not self.record or len(rows) == 0:
            return
        count = len(rows)
        self.chunks.append(
            {
                "month": np.full(count, month, dtype=np.int16),
                "worker_id": workers.worker_id[rows].copy(),
                "kind": np.full(count, kind, dtype=np.int8),
                "origin_employer": np.broadcast_to(origin_employer, count).astype(np.int32),
                "destination_employer": np.broadcast_to(destination_employer, count).astype(
                    np.int32
                ),
                "origin_role": np.broadcast_to(origin_role, count).astype(np.int8),
                "destination_role": np.broadcast_to(destination_role, count).astype(np.int8),
            }
        )

    def frame(self, start: dt.date, months: int) -> pl.DataFrame:
        """Every logged event as one table, months as dates from ``start``.

        Args:
            start: The first simulated month.
            months: Months simulated so far.

        Returns:
            One row per event: month, worker_id, kind, origin and destination employer and
            role (origin_role null for arrivals).
        """
        if self.cached is not None and self.cached[0] == len(self.chunks):
            return self.cached[1]
        frame = self.build_frame(start, months)
        self.cached = (len(self.chunks), frame)
        return frame

    def build_frame(self, start: dt.date, months: int) -> pl.DataFrame:
        """The table of :meth:`frame`, built afresh."""
        if not self.chunks:
            return pl.DataFrame({c: [] for c in EVENT_COLUMNS})
        chunks = self.chunks
        merged = {k: np.concatenate([e[k] for e in chunks]) for k in chunks[0]}
        dates = np.array(month_dates(start, months + 1), dtype="datetime64[D]")
        return pl.DataFrame(
            {
                "month": pl.Series(dates[merged["month"]]).cast(pl.Date),
                "worker_id": merged["worker_id"],
                "kind": np.array(EVENT_KINDS)[merged["kind"]],
                "origin_employer": merged["origin_employer"],
                "destination_employer": merged["destination_employer"],
                "origin_role": np.where(
                    merged["origin_role"] >= 0, np.array(ROLES)[merged["origin_role"]], None
                ),
                "destination_role": np.array(ROLES)[merged["destination_role"]],
            }
        )

    def archived(self, worker_id: int) -> dict[str, np.generic] | None:
        """The archived columns of a departed worker, or None if not archived."""
        for chunk in self.archive:
            found = np.flatnonzero(chunk["worker_id"] == worker_id)
            if len(found):
                return {name: chunk[name][found[0]] for name in chunk}
        return None
