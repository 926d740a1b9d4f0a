"""A cap on agency pay as a multiple of employed pay (``[policy.agency]``)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import numpy as np

from wfabm.core.schema import Param
from wfabm.core.taxonomy import N_ROLES, ROLE_INDEX, ROLES
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText, starting
from wfabm.levers.nhs_parity import PARITY_ROLE_LABELS

__all__ = ["AgencyCap"]


class AgencyCap(Lever):
    """From its start, agency pay in the chosen roles is at most the cap times employed pay."""

    table = "agency"
    schema: ClassVar[dict] = {
        "cap": Param("float", "× employed pay", 1.0, 5.0, optional=True),
        "roles": Param("str_list", "roles", choices=ROLES),
        "start": Param("month", "month"),
    }
    texts = (
        LeverText(
            "policy.agency.cap",
            "Agency",
            "Agency pay cap (× employed pay)",
            "Agency workers in the chosen roles are paid at most this multiple of the employed "
            "rate. Empty = no cap.",
            "The All Wales Pledge (2022) for agency social workers; its rate is not public, so "
            "the cap is an assumption.",
            "optional_number",
            start="policy.agency.start",
        ),
        LeverText(
            "policy.agency.roles",
            "Agency",
            "Roles the agency cap covers",
            "The cap applies to agency workers in these roles.",
            "The Pledge covers children's social workers and is to extend to adult services.",
            "roles",
            (*PARITY_ROLE_LABELS, ("registered_manager", "registered managers")),
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Resolve the cap and the roles it covers."""
        self.cap = section.get("cap")
        self.start = starting(context.start, section["start"], self.cap is not None)
        self.roles = np.zeros(N_ROLES, dtype=bool)
        self.roles[[ROLE_INDEX[r] for r in section["roles"]]] = True

    @classmethod
    def first_acts(cls, section: dict, run_start: dt.date) -> list[LeverStart]:
        """Its start, when it has a cap and roles to cap."""
        if section.get("cap") is not None and section["roles"]:
            return [cls.starts_on("start", run_start, section["start"])]
        return []

    def pay_months(self) -> set[int]:
        """Its start month (agency pay is published with employed pay)."""
        return set() if self.start is None else {self.start}

    def adjust_agency_markup(self, markup: np.ndarray, month: int) -> np.ndarray:
        """The markup limited to the cap in the covered roles, once in force."""
        if not self.active(month):
            return markup
        return np.where(self.roles, np.minimum(markup, self.cap - 1.0), markup)
