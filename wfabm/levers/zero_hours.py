"""A ban on zero-hours contracts at Welsh employers (``[policy.zero_hours]``).

From its start, zero-hours contracts at Welsh employers become guaranteed hours and
movers into Welsh posts no longer take one; English employers are not covered.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from wfabm.core.schema import Param
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText, starting

__all__ = ["ZeroHours"]


class ZeroHours(Lever):
    """The ban's start (the model converts the contracts in that month)."""

    table = "zero_hours"
    schema: ClassVar[dict] = {"ban": Param("bool", ""), "start": Param("month", "month")}
    texts = (
        LeverText(
            "policy.zero_hours.ban",
            "Contracts",
            "End zero-hours contracts",
            "Zero-hours contracts at Welsh employers become guaranteed hours; English employers "
            "are not covered.",
            "11 % of Welsh survey respondents were on zero hours in 2024, and 65 % of them would "
            "prefer fixed hours (Social Care Wales).",
            "switch",
            start="policy.zero_hours.start",
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Resolve the ban's start."""
        self.start = starting(context.start, section["start"], section["ban"])

    @classmethod
    def first_acts(cls, section: dict, run_start: dt.date) -> list[LeverStart]:
        """Its start, when banned."""
        return [cls.starts_on("start", run_start, section["start"])] if section["ban"] else []
