"""One workshop session's model, stepped a month at a time, and what its views read.

Every browser session gets its own :class:`Simulation` (nothing is shared between sessions).
A step runs the model's month and adds that month's totals to a :class:`~.measures.Series`;
the views read those, the flows of the month, the burnout of the workers now, and the story
of one followed worker.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from wfabm.config import Config
from wfabm.core.taxonomy import DESTINATIONS, ORIGINS, ROLE_INDEX, SECTOR_INDEX, WELSH_SOCIAL_CARE
from wfabm.dashboard.measures import Series
from wfabm.model.history import worker_state
from wfabm.model.workforce import WorkforceModel
from wfabm.world.metrics import month_dates

__all__ = ["BURNOUT_BINS", "Follow", "Simulation"]

BURNOUT_BINS = np.linspace(0.0, 1.0, 21)
"""Edges of the burnout histogram: twenty bands of 0.05."""

_WELSH = np.array([SECTOR_INDEX[s] for s in WELSH_SOCIAL_CARE])
_TRACE_KEYS = (
    "employer",
    "sector",
    "service",
    "workplace_local_authority",
    "role",
    "hourly_pay",
    "hours",
    "workload",
    "burnout",
    "intent_to_leave",
    "active",
)


@dataclass
class Follow:
    """A worker followed through the run.

    Attributes:
        worker_id: The worker's permanent id.
        trace: One dict per simulated month since following began: ``month`` (a date) and
            the worker's employer, pay, workload and burnout that month.
    """

    worker_id: int
    trace: list[dict[str, Any]] = field(default_factory=list)


class Simulation:
    """A model for one session, with the series its views draw.

    Args:
        config: The resolved config (levers, seed and horizon included).

    Attributes:
        config: The config.
        model: The model.
        horizon: Months the run goes to.
        series: Monthly totals (:class:`~.measures.Series`).
        follow: The followed worker, if any.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.horizon = int(config["run"]["months"])
        self.model = WorkforceModel(config, record_events=True)
        self.series = Series(self.model.geography.size, self.horizon)
        self.follow: Follow | None = None

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.model.month

    @property
    def done(self) -> bool:
        """Whether the run has reached its horizon."""
        return self.model.month >= self.horizon

    @property
    def dates(self) -> list[dt.date]:
        """First day of every simulated month."""
        return month_dates(self.model.start, self.model.month)

    @property
    def last_date(self) -> dt.date | None:
        """The last simulated month, or None before the first step."""
        return self.dates[-1] if self.model.month else None

    def step(self) -> bool:
        """Simulate a month unless the horizon is reached; returns whether it did."""
        if self.done:
            return False
        month = self.model.month
        self.model.step()
        self.series.extend(self.model.recorder.stocks[month : month + 1])
        if self.follow is not None:
            self._trace(self.follow)
        return True

    # ------------------------------------------------------------------ views
    def flows(self, *, cumulative: bool = False, role: str | None = None) -> np.ndarray:
        """People moving between kinds in the last month (or since the start).

        Args:
            cumulative: Sum over every simulated month instead of the last.
            role: Count only this role (default: every role).

        Returns:
            Counts ``(origins, destinations)`` over :data:`wfabm.core.taxonomy.ORIGINS` and
            :data:`wfabm.core.taxonomy.DESTINATIONS` (zeros before the first step).
        """
        month = self.model.month
        flows = self.model.recorder.flows
        if month == 0:
            return np.zeros((len(ORIGINS), len(DESTINATIONS)), dtype=np.int64)
        block = flows[:month] if cumulative else flows[month - 1 : month]
        if role is not None:
            block = block[:, ROLE_INDEX[role]]
            return block.sum(axis=0)
        return block.sum(axis=(0, 1))

    def burnout_histogram(self) -> np.ndarray:
        """Welsh social care workers in each burnout band of :data:`BURNOUT_BINS`, now."""
        w = self.model.workers
        used = w.view()
        welsh = w.active[used] & np.isin(w.sector[used], _WELSH)
        counts, _ = np.histogram(w.burnout[used][welsh], bins=BURNOUT_BINS)
        return counts

    # ------------------------------------------------------------------ follow a worker
    def candidates(self, role: str, local_authority: str) -> np.ndarray:
        """Ids of workers now in Welsh social care in a role, working in an authority."""
        w = self.model.workers
        used = w.view()
        employer = w.employer[used]
        la = self.model.employers.la[employer]
        match = (
            w.active[used]
            & (w.role[used] == ROLE_INDEX[role])
            & np.isin(w.sector[used], _WELSH)
            & (la == self.model.geography.index(local_authority))
        )
        return w.worker_id[used][match]

    def follow_worker(self, worker_id: int) -> Follow:
        """Start following a worker; their trace begins with the last simulated month.

        Raises:
            KeyError: If no worker has this id.
        """
        follow = Follow(int(worker_id))
        worker_state(self.model, follow.worker_id)  # raises KeyError for an unknown id
        if self.model.month:
            self._trace(follow)
        self.follow = follow
        return follow

    def worker(self) -> dict[str, Any] | None:
        """The followed worker now, with their whole history of moves (None if nobody)."""
        if self.follow is None:
            return None
        return self.model.worker(self.follow.worker_id)

    def _trace(self, follow: Follow) -> None:
        state = worker_state(self.model, follow.worker_id)
        entry = {"month": self.last_date}
        entry.update({key: state[key] for key in _TRACE_KEYS})
        follow.trace.append(entry)

    # ------------------------------------------------------------------ export
    def results(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The run's results so far: the metrics and flows tables of ``wfabm run``."""
        return self.model.metrics, self.model.flows

    def export(self, table: str, file_format: str) -> bytes:
        """One results table as a file's bytes.

        Args:
            table: ``"metrics"`` or ``"flows"``.
            file_format: ``"csv"`` or ``"parquet"``.

        Returns:
            The file's contents.
        """
        metrics, flows = self.results()
        frame = {"metrics": metrics, "flows": flows}[table]
        buffer = io.BytesIO()
        if file_format == "csv":
            frame.write_csv(buffer)
        elif file_format == "parquet":
            frame.write_parquet(buffer)
        else:
            raise ValueError(f"unknown format {file_format!r}; allowed: csv, parquet")
        return buffer.getvalue()
