"""The overseas care worker visa route and when it closes (``[policy.overseas_recruitment]``)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from wfabm.core.calendar import month_index
from wfabm.core.schema import Param
from wfabm.levers.base import Lever, LeverContext, LeverText

__all__ = ["OverseasRecruitment"]


class OverseasRecruitment(Lever):
    """Overseas recruits arrive while the route is open; it may close on a date.

    Attributes:
        close: The day the route closes, or None when it never does.
    """

    table = "overseas_recruitment"
    schema: ClassVar[dict] = {"close": Param("date_or_never", "date")}
    texts = (
        LeverText(
            "policy.overseas_recruitment.close",
            "Recruitment",
            "Overseas care worker visa route",
            "While the route is open, overseas recruits arrive, tied to a sponsoring provider.",
            "The care worker visa route closed to overseas applicants on 22 July 2025 (UK "
            "Government); 'never' is the counterfactual.",
            "choice",
            (("2025-07-22", "closed on 22 July 2025"), ("never", "never closed")),
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Resolve the closing date; the lever first acts in the month it closes."""
        close = section["close"]
        self.close = None if close == "never" else dt.date.fromisoformat(close)
        if self.close is not None:
            self.start = month_index(context.start, close)

    def open_share(self, date: dt.date) -> float:
        """Share of the month starting on ``date`` that the route is open.

        Returns:
            1 before the month it closes, the days before closing over 30 in that month,
            and 0 once closed (no arrivals are drawn then).
        """
        if self.close is None:
            return 1.0
        if date >= self.close:
            return 0.0
        if (date.year, date.month) == (self.close.year, self.close.month):
            return (self.close.day - 1) / 30.0
        return 1.0
