"""A pay change at English employers in the border authorities (``[policy.england]``).

Wales does not respond: only the English rows of the pay table change.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import numpy as np

from wfabm.core.calendar import month_index
from wfabm.core.schema import Param
from wfabm.core.taxonomy import ENGLISH_SECTORS, N_ROLES, ROLE_INDEX, ROLES
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText
from wfabm.levers.pay_change import PayChange

__all__ = ["EnglandPay"]


class EnglandPay(Lever):
    """English pay for some roles changes by a share from its start."""

    table = "england"
    schema: ClassVar[dict] = {
        "pay_change": Param("float", "share", -0.9, 5.0),
        "roles": Param("str_list", "roles", choices=ROLES),
        "start": Param("month", "month"),
    }
    texts = (
        LeverText(
            "policy.england.pay_change",
            "Pay",
            "English care pay rise (share)",
            "English employers in the border authorities pay care workers this much more; Wales "
            "does not respond.",
            "A Fair Pay Agreement for English adult social care, first planned by April 2028 "
            "(DHSC consultation, 30 September 2025); its size is an assumption.",
            "number",
            start="policy.england.start",
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Mask the English workplaces and the roles covered."""
        self.change: PayChange | None = None
        if section["pay_change"] != 0.0:
            roles = np.zeros(N_ROLES, dtype=bool)
            roles[[ROLE_INDEX[r] for r in section["roles"]]] = True
            rows = np.isin(context.employers.sector, ENGLISH_SECTORS)
            self.change = PayChange(
                month_index(context.start, section["start"]), rows, roles, section["pay_change"]
            )
            self.start = self.change.start

    @classmethod
    def first_acts(cls, section: dict, run_start: dt.date) -> list[LeverStart]:
        """Its start, when it changes some role's pay."""
        if section["pay_change"] != 0.0 and section["roles"]:
            return [cls.starts_on("start", run_start, section["start"])]
        return []

    def pay_months(self) -> set[int]:
        """Its start month, when it changes pay."""
        return set() if self.change is None else {self.change.start}

    def adjust_pay(self, pay: np.ndarray, month: int) -> None:
        """Apply the change once in force."""
        if self.change is not None:
            self.change.apply(pay, month)
