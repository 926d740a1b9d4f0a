"""A cap on the caseload of local authority social work teams (``[policy.caseload]``).

Teams carry at most the cap; the hours beyond it are asked of agencies the next month,
and what agencies cannot cover waits (unmet hours). The cap is a workload ratio: cases
per social worker over the cases a fully staffed team carries.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import numpy as np

from wfabm.core.schema import Param
from wfabm.core.taxonomy import LA, SERVICE_INDEX, SOCIAL_WORKER
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText, starting

__all__ = ["CaseloadCap"]


class CaseloadCap(Lever):
    """From its start, local authority social work teams' workload is capped.

    Attributes:
        ratio: The highest workload a team carries (inf when uncapped).
        teams: Local authority social work workplaces, the ones the cap covers.
    """

    table = "caseload"
    schema: ClassVar[dict] = {
        "cap": Param("float", "cases per social worker", 1.0, 100.0, optional=True),
        "cases_at_full_staffing": Param("float", "cases per social worker", 1.0, 100.0),
        "start": Param("month", "month"),
    }
    texts = (
        LeverText(
            "policy.caseload.cap",
            "Workload and wellbeing",
            "Social worker caseload cap (cases)",
            "Council social work teams carry at most this many cases each; the rest goes to "
            "agencies or waits (unmet hours). Empty = no cap.",
            "Children's social workers in England average 16 cases (DfE 2023); Welsh councils "
            "typically 16-23 (FOI responses, 2016, low reliability).",
            "optional_number",
            start="policy.caseload.start",
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Resolve the cap as a workload ratio and the teams it covers."""
        cap = section.get("cap")
        self.start = starting(context.start, section["start"], cap is not None)
        self.ratio = cap / section["cases_at_full_staffing"] if cap is not None else float("inf")
        employers = context.employers
        self.teams = (employers.sector == LA) & (employers.service == SERVICE_INDEX["social_work"])

    @classmethod
    def first_acts(cls, section: dict, run_start: dt.date) -> list[LeverStart]:
        """Its start, when there is a cap."""
        if section.get("cap") is not None:
            return [cls.starts_on("start", run_start, section["start"])]
        return []

    def cap(self, month: int) -> float:
        """Highest workload of local authority social work teams in a month (inf when uncapped)."""
        return self.ratio if self.active(month) else float("inf")

    def cap_workload(
        self,
        load: np.ndarray,
        present: np.ndarray,
        agency_fte: np.ndarray,
        requests: np.ndarray,
        month: int,
    ) -> None:
        """Cap the teams' workload in place and ask agencies for the hours beyond the cap.

        Args:
            load: Workload by workplace (funded hours over the staff who carry them).
            present: Staff present by workplace (after absence).
            agency_fte: Agency cover by workplace, in full-time equivalents.
            requests: Written in place: what each workplace asks of agencies next month, in
                full-time equivalents (zero where it is not over the cap).
            month: Month index.
        """
        cap = self.cap(month)
        capped = self.teams & (load > cap)
        requests[:] = 0.0
        if capped.any():
            available = present + agency_fte
            requests[capped] = (load[capped] - cap) * available[capped]
            load[capped] = cap

    def agency_demand(self, demand: np.ndarray, requests: np.ndarray) -> None:
        """Add last month's requests to the social worker column of agency demand."""
        demand[:, SOCIAL_WORKER] += requests
