"""Wellbeing support: faster burnout recovery at Welsh employers (``[policy.wellbeing]``)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import numpy as np

from wfabm.core.schema import Param
from wfabm.core.taxonomy import WELSH_EMPLOYERS
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText, starting

__all__ = ["Wellbeing"]


class Wellbeing(Lever):
    """From its start, staff of Welsh employers recover from burnout a share faster."""

    table = "wellbeing"
    schema: ClassVar[dict] = {
        "recovery_boost": Param("float", "relative increase", 0.0, 5.0),
        "start": Param("month", "month"),
    }
    texts = (
        LeverText(
            "policy.wellbeing.recovery_boost",
            "Workload and wellbeing",
            "Wellbeing support (faster burnout recovery, share)",
            "Welsh care workers recover from burnout this much faster each month (0.2 = 20 % "
            "faster).",
            "31 % of the workforce had enough support with workplace stress in 2023, 41 % in "
            "2024 (Social Care Wales surveys); the size of the effect is an assumption.",
            "number",
            start="policy.wellbeing.start",
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Resolve the boost and the Welsh workplaces it reaches."""
        self.boost = section["recovery_boost"]
        self.start = starting(context.start, section["start"], self.boost > 0)
        self.welsh_workplaces = np.isin(context.employers.sector, WELSH_EMPLOYERS)

    @classmethod
    def first_acts(cls, section: dict, run_start: dt.date) -> list[LeverStart]:
        """Its start, when the boost is above zero."""
        if section["recovery_boost"] > 0:
            return [cls.starts_on("start", run_start, section["start"])]
        return []

    def recovery(self, base: np.ndarray | float, month: int) -> np.ndarray | float:
        """The recovery rate by workplace once in force (the base rate before)."""
        if not self.active(month):
            return base
        return base * (1.0 + self.boost * self.welsh_workplaces)
