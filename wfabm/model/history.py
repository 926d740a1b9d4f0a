"""A readable view of one worker: attributes now (or when last seen) and their history.

The events themselves are logged in the state's :class:`~wfabm.world.events.EventLog`.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import polars as pl

from wfabm.core.taxonomy import ARRIVALS, ROLES, SECTORS, SERVICES
from wfabm.world.state import State


class Simulated(Protocol):
    """What the views read of a model: its state and its table of events."""

    state: State

    def events(self) -> pl.DataFrame:
        """Every recorded individual event."""
        ...


def worker_view(model: Simulated, worker_id: int) -> dict[str, Any]:
    """A readable view of one worker: attributes now (or when last seen) and history.

    Args:
        model: The model.
        worker_id: The worker's permanent id.

    Returns:
        A dict of attributes (:func:`worker_state`), with ``history`` listing the worker's
        moves.

    Raises:
        KeyError: If no worker has this id.
    """
    view = worker_state(model, worker_id)
    history = []
    if model.state.events.chunks:
        events = model.events().filter(pl.col("worker_id") == worker_id)
        history = events.drop("worker_id").to_dicts()
    view["history"] = history
    return view


def worker_state(model: Simulated, worker_id: int) -> dict[str, Any]:
    """One worker's attributes now (or when last seen), without the event history.

    Cheap enough to call every month (it reads one row), unlike the history, which
    gathers the whole event log.

    Args:
        model: The model.
        worker_id: The worker's permanent id.

    Returns:
        A dict of attributes. ``workload`` is the workplace's workload this month (1 = the
        work of a fully staffed team), None once the worker has left; ``hourly_pay`` is None
        once a departed worker has been archived.

    Raises:
        KeyError: If no worker has this id.
    """
    state = model.state
    w = state.workers
    row = w.row_of(worker_id)
    if row is not None:
        values = {name: getattr(w, name)[row] for name in w.columns if name != "ties"}
        pay = float(
            state.pay.hourly(
                np.array([values["employer"]]),
                np.array([values["role"]]),
                np.array([values["point"]]),
            )[0]
        )
        ties = [int(t) for t in w.ties[row] if t >= 0]
    else:
        values = state.events.archived(worker_id)
        if values is None:
            msg = f"no worker with id {worker_id}"
            raise KeyError(msg)
        pay, ties = None, []
    employer = int(values["employer"])
    employers = state.employers
    geography = state.tables.geography
    active = bool(values["active"])
    return {
        "worker_id": int(values["worker_id"]),
        "active": active,
        "role": ROLES[int(values["role"])],
        "sector": SECTORS[int(employers.sector[employer])],
        "employer": employer,
        "service": SERVICES[int(employers.service[employer])],
        "workplace_local_authority": geography.codes[int(employers.la[employer])],
        "home_local_authority": geography.codes[int(values["home"])],
        "age": round(float(values["age_months"]) / 12.0, 1),
        "tenure_months": int(values["tenure"]),
        "experience_months": int(values["experience"]),
        "pay_point": int(values["point"]),
        "hourly_pay": pay,
        "workload": round(float(state.workload[employer]), 3) if active else None,
        "hours": round(float(values["hours"]), 1),
        "zero_hours": bool(values["zero_hours"]),
        "visa": bool(values["visa"]),
        "burnout": round(float(values["burnout"]), 3),
        "intent_to_leave": round(float(values["intent"]), 3),
        "arrival": ARRIVALS[int(values["arrival"])] if values["arrival"] >= 0 else "base_year",
        "ties": ties,
    }
