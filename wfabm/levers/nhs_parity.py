"""Pay parity of local authority roles with NHS Wales (``[policy.nhs_parity]``).

Local authority pay for the chosen roles closes a share of the gap to the NHS Wales rate of
a comparator role, and their posts gain the same share of the NHS terms (pension, leave).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import numpy as np

from wfabm.core.schema import Param
from wfabm.core.taxonomy import (
    AMHP,
    CARE_WORKER,
    HEALTHCARE_ASSISTANT,
    LA,
    NHS,
    OCCUPATIONAL_THERAPIST,
    RCC_WORKER,
    ROLE_INDEX,
    SENIOR_CARE_WORKER,
    SOCIAL_WORKER,
    WELSH_CARE_ROLES,
)
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText, starting

__all__ = ["PARITY_COMPARATOR", "PARITY_ROLES", "PARITY_ROLE_LABELS", "NhsParity"]

PARITY_COMPARATOR = {
    CARE_WORKER: HEALTHCARE_ASSISTANT,
    SENIOR_CARE_WORKER: HEALTHCARE_ASSISTANT,
    RCC_WORKER: HEALTHCARE_ASSISTANT,
    SOCIAL_WORKER: SOCIAL_WORKER,
    AMHP: SOCIAL_WORKER,
    OCCUPATIONAL_THERAPIST: OCCUPATIONAL_THERAPIST,
}
"""The NHS Wales role each local authority role is compared with under pay parity."""

PARITY_ROLES = tuple(r for r in WELSH_CARE_ROLES if ROLE_INDEX[r] in PARITY_COMPARATOR)
"""Local authority roles with an NHS Wales comparator for pay parity (the schema's choices).

Registered and deputy managers, ancillary and office staff have no NHS Wales counterpart in
the model, so parity does not reach them."""

PARITY_ROLE_LABELS = (
    ("care_worker", "care workers"),
    ("senior_care_worker", "senior care workers"),
    ("residential_child_care_worker", "residential child care workers"),
    ("social_worker", "social workers"),
    ("occupational_therapist", "occupational therapists"),
    ("amhp", "AMHPs"),
)
"""The parity roles as the dashboard names them."""


class NhsParity(Lever):
    """From its start, local authority pay and terms close a share of the gap to the NHS."""

    table = "nhs_parity"
    schema: ClassVar[dict] = {
        "roles": Param("str_list", "roles", choices=PARITY_ROLES),
        "gap_closed": Param("float", "share", 0.0, 1.0),
        "start": Param("month", "month"),
    }
    texts = (
        LeverText(
            "policy.nhs_parity.roles",
            "Pay",
            "NHS pay parity for council staff",
            "Council pay for these roles moves toward NHS Wales pay, and their posts gain the "
            "NHS terms (pension, leave) in job choice.",
            "ADSS Cymru: council occupational therapists do equivalent work for 'significantly "
            "less pay' (Briefing 5, 2026); the size of the gap is not published.",
            "roles",
            PARITY_ROLE_LABELS,
            start="policy.nhs_parity.start",
        ),
        LeverText(
            "policy.nhs_parity.gap_closed",
            "Pay",
            "Share of the NHS gap closed",
            "How much of the pay gap and of the NHS terms advantage parity closes (1 = all).",
            "Scenario choice.",
            "number",
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Resolve the roles and the local authority and NHS Wales rows."""
        self.roles = [ROLE_INDEX[r] for r in section["roles"]]
        self.gap = section["gap_closed"]
        self.start = starting(context.start, section["start"], bool(self.roles and self.gap))
        sector = context.employers.sector
        self.la_rows = sector == LA
        self.nhs_wales_rows = sector == NHS

    @classmethod
    def first_acts(cls, section: dict, run_start: dt.date) -> list[LeverStart]:
        """Its start, when it has roles and a gap to close."""
        if section["roles"] and section["gap_closed"]:
            return [cls.starts_on("start", run_start, section["start"])]
        return []

    def pay_months(self) -> set[int]:
        """Its start month."""
        return set() if self.start is None else {self.start}

    def adjust_pay(self, pay: np.ndarray, month: int) -> None:
        """Close the share of the gap to the mean NHS Wales rate of each role's comparator."""
        if not self.active(month):
            return
        for role in self.roles:
            comparator = PARITY_COMPARATOR.get(role)
            if comparator is None:
                continue
            nhs = pay[self.nhs_wales_rows, comparator]
            target = nhs[nhs > 0].mean()
            current = pay[self.la_rows, role]
            gap = np.maximum(target - current, 0.0)
            pay[self.la_rows, role] = current + self.gap * gap

    def parity_terms(self, month: int) -> dict[int, float]:
        """The share of the NHS terms advantage each parity role has gained (none before)."""
        if not self.active(month):
            return {}
        return dict.fromkeys(self.roles, self.gap)
