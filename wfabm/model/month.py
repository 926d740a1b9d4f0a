"""What one month's stages hand to each other: values made afresh each month."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Month:
    """The scratch values of one month, passed from stage to stage and then dropped.

    None of these is read in the next month (that is what the
    :class:`~wfabm.world.state.State` is for).

    Attributes:
        month: The index of the month being simulated.
        pay_changed: Some pay changed this month, so pay is published and the pay-derived
            cell tables refreshed.
        headcount: Headcount by (workplace, role) at the employers' stage.
        vacant: Vacant funded posts by (workplace, role) at the employers' stage.
        present: Staff present by workplace (headcount less absence).
        burnout: Burnout of every used worker row after this month's update.
        excess: Workload above each used row's tolerance.
        searching: Rows of the workers who search for another job.
        open_posts: Open posts by (workplace, role) after the exits, taken by moves,
            inflows and promotion in turn.
    """

    month: int = 0
    pay_changed: bool = False
    headcount: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    vacant: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    present: np.ndarray = field(default_factory=lambda: np.zeros(0))
    burnout: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    excess: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    searching: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    open_posts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
