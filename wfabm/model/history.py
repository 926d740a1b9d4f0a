"""What happened to individual workers: the event log and the view of one worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from wfabm.core.taxonomy import ARRIVALS, ROLES, SECTORS, SERVICES
from wfabm.world.metrics import month_dates

if TYPE_CHECKING:
    from wfabm.model.workforce import WorkforceModel

EVENT_KINDS = ("arrival", "move", "retired", "left_sector", "promotion")
ARRIVAL_EVENT, MOVE_EVENT, RETIRED_EVENT, LEFT_EVENT, PROMOTION_EVENT = range(len(EVENT_KINDS))


def build_events(model: WorkforceModel) -> pl.DataFrame:
    """Every recorded event of a model as a table (see :meth:`WorkforceModel.events`)."""
    if not model._events:
        columns = (
            "month",
            "worker_id",
            "kind",
            "origin_employer",
            "destination_employer",
            "origin_role",
            "destination_role",
        )
        return pl.DataFrame({c: [] for c in columns})
    merged = {k: np.concatenate([e[k] for e in model._events]) for k in model._events[0]}
    dates = np.array(month_dates(model.start, model.month + 1), dtype="datetime64[D]")
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


def worker_view(model: WorkforceModel, worker_id: int) -> dict[str, Any]:
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
    if model._events:
        events = model.events().filter(pl.col("worker_id") == worker_id)
        history = events.drop("worker_id").to_dicts()
    view["history"] = history
    return view


def worker_state(model: WorkforceModel, worker_id: int) -> dict[str, Any]:
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
    w = model.workers
    row = w.row_of(worker_id)
    if row is not None:
        values = {name: getattr(w, name)[row] for name in w.columns if name != "ties"}
        pay = float(
            model.pay.hourly(
                np.array([values["employer"]]),
                np.array([values["role"]]),
                np.array([values["point"]]),
            )[0]
        )
        ties = [int(t) for t in w.ties[row] if t >= 0]
    else:
        values = None
        for chunk in model._archive:
            found = np.flatnonzero(chunk["worker_id"] == worker_id)
            if len(found):
                values = {name: chunk[name][found[0]] for name in chunk}
                break
        if values is None:
            msg = f"no worker with id {worker_id}"
            raise KeyError(msg)
        pay, ties = None, []
    employer = int(values["employer"])
    employers = model.employers
    active = bool(values["active"])
    return {
        "worker_id": int(values["worker_id"]),
        "active": active,
        "role": ROLES[int(values["role"])],
        "sector": SECTORS[int(employers.sector[employer])],
        "employer": employer,
        "service": SERVICES[int(employers.service[employer])],
        "workplace_local_authority": model.geography.codes[int(employers.la[employer])],
        "home_local_authority": model.geography.codes[int(values["home"])],
        "age": round(float(values["age_months"]) / 12.0, 1),
        "tenure_months": int(values["tenure"]),
        "experience_months": int(values["experience"]),
        "pay_point": int(values["point"]),
        "hourly_pay": pay,
        "workload": round(float(model._workload_now[employer]), 3) if active else None,
        "hours": round(float(values["hours"]), 1),
        "zero_hours": bool(values["zero_hours"]),
        "visa": bool(values["visa"]),
        "burnout": round(float(values["burnout"]), 3),
        "intent_to_leave": round(float(values["intent"]), 3),
        "arrival": ARRIVALS[int(values["arrival"])] if values["arrival"] >= 0 else "base_year",
        "ties": ties,
    }
