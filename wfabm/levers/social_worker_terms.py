"""One social worker and AMHP rate across the authorities (``[policy.social_worker_terms]``)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import numpy as np

from wfabm.core.schema import Param
from wfabm.core.taxonomy import AMHP, LA, SOCIAL_WORKER
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText, starting

__all__ = ["SocialWorkerTerms"]


class SocialWorkerTerms(Lever):
    """From its start every authority pays social workers and AMHPs today's mean rate."""

    table = "social_worker_terms"
    schema: ClassVar[dict] = {"harmonised": Param("bool", ""), "start": Param("month", "month")}
    texts = (
        LeverText(
            "policy.social_worker_terms.harmonised",
            "Pay",
            "One social worker rate across Wales",
            "Every council pays social workers and AMHPs the same rate (today's mean), ending "
            "the spread between authorities.",
            "Councils place social workers on the common NJC spine by their own job evaluation "
            "(ADSS Cymru Briefing 5, 2026; Social Care Wales delivery plan 2024-2027).",
            "switch",
            start="policy.social_worker_terms.start",
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Find the local authority rows and one workplace per authority."""
        employers = context.employers
        self.la_rows = employers.sector == LA
        # One workplace per authority stands for its rate when the rates are harmonised.
        la_rows = np.flatnonzero(self.la_rows)
        _, first = np.unique(employers.organisation[la_rows], return_index=True)
        self.la_organisation_rows = la_rows[first]
        self.start = starting(context.start, section["start"], section["harmonised"])

    @classmethod
    def first_acts(cls, section: dict, run_start: dt.date) -> list[LeverStart]:
        """Its start, when harmonised."""
        return (
            [cls.starts_on("start", run_start, section["start"])] if section["harmonised"] else []
        )

    def pay_months(self) -> set[int]:
        """Its start month."""
        return set() if self.start is None else {self.start}

    def adjust_pay(self, pay: np.ndarray, month: int) -> None:
        """Set every authority's social worker and AMHP rate to the mean over authorities."""
        if not self.active(month):
            return
        for role in (SOCIAL_WORKER, AMHP):
            rates = pay[self.la_organisation_rows, role]
            rates = rates[rates > 0]
            if len(rates):
                column = pay[self.la_rows, role]
                pay[self.la_rows, role] = np.where(column > 0, rates.mean(), 0.0)
