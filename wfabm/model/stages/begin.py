"""Stage 0: begin the month (room in the recorder, the month's index, pay events)."""

from __future__ import annotations

import numpy as np

from wfabm.model.month import Month
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Start the month: a run past ``run.months`` grows the recorder's tables first."""
    month = state.clock.month
    if month >= state.recorder.stocks.shape[0]:
        grow_recorder(state)
    now.month = month
    state.pay.month = month
    now.pay_changed = month in state.policy.pay_events


def grow_recorder(state: State) -> None:
    """Add at least a year of months to the recorder's stock and flow tables."""
    recorder = state.recorder
    extra = max(12, recorder.stocks.shape[0])
    recorder.stocks = np.concatenate([recorder.stocks, np.zeros_like(recorder.stocks[:extra])])
    recorder.flows = np.concatenate([recorder.flows, np.zeros_like(recorder.flows[:extra])])
