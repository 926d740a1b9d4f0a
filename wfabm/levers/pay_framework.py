"""The Pay and Progression Framework (``[policy.pay_framework]``).

Adopting employers pay each covered role at least the entry point of the Agenda for Change
band it is pegged to, and move onto the framework's (statutory) pay-point steps.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import numpy as np

from wfabm.core.calendar import month_date
from wfabm.core.schema import MapOf, Param
from wfabm.core.taxonomy import INDEPENDENT, LA, ROLE_INDEX, WELSH_CARE_ROLES
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText, starting
from wfabm.world.pay import AFC_HOURS, scale_rate

__all__ = ["PayFramework", "afc_entry"]


def afc_entry(band: int) -> str:
    """The pay-scale point name of an Agenda for Change band's entry point."""
    if band == 2:
        return "band2"
    if band == 8:
        return "band8a_entry"
    return f"band{band}_entry"


class PayFramework(Lever):
    """From its start, adopters' pay is floored at the AfC entry point of each role's band.

    Attributes:
        adopters: Workplaces that adopt it: every local authority, and independent
            providers with the adoption share (all when mandatory).
    """

    table = "pay_framework"
    schema: ClassVar[dict] = {
        "mode": Param("str", "", choices=("none", "voluntary", "mandatory")),
        "start": Param("month", "month"),
        "adoption": Param("float", "share", 0.0, 1.0),
        # Roles left out are not covered by the framework.
        "afc_band": MapOf(WELSH_CARE_ROLES, Param("int", "AfC band", 2, 8), False),
    }
    texts = (
        LeverText(
            "policy.pay_framework.mode",
            "Pay",
            "Pay and Progression Framework",
            "Adopting employers pay each role at least the NHS (Agenda for Change) band it is "
            "pegged to, with yearly pay-point steps.",
            "Social Care Fair Work Forum framework: five bands comparable with NHS bands, "
            "voluntary today (ADSS Cymru Briefing 5, 2026); band pegs are an assumption.",
            "choice",
            (("none", "not in place"), ("voluntary", "voluntary"), ("mandatory", "mandatory")),
            start="policy.pay_framework.start",
        ),
        LeverText(
            "policy.pay_framework.adoption",
            "Pay",
            "Framework adoption by independent providers (share)",
            "When the framework is voluntary, this share of independent providers adopts it; "
            "councils always do.",
            "Assumption: no figure for take-up exists.",
            "number",
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Draw the adopters from the policy stream, whatever the mode."""
        self.run_start = context.start
        self.start = starting(context.start, section["start"], section["mode"] != "none")
        adoption = 1.0 if section["mode"] == "mandatory" else section["adoption"]
        sector = context.employers.sector
        # Local authorities adopt; independent providers with the adoption share. Agencies
        # follow local authority pay already. The draw is made even when the framework is
        # off, so that switching it on leaves every other draw as it was.
        draw = context.rng.random(context.employers.size)
        self.adopters = (sector == LA) | ((sector == INDEPENDENT) & (draw < adoption))
        self.growth_after_data = context.config["pay"]["growth_after_data"]
        self.band = {ROLE_INDEX[r]: b for r, b in section["afc_band"].items()}
        self.floor_cache: dict[dt.date, dict[int, float]] = {}

    @classmethod
    def first_acts(cls, section: dict, run_start: dt.date) -> list[LeverStart]:
        """Its start, unless the mode is ``"none"``."""
        if section["mode"] != "none":
            return [cls.starts_on("start", run_start, section["start"])]
        return []

    def pay_months(self) -> set[int]:
        """Its start month."""
        return set() if self.start is None else {self.start}

    def floors(self, on: dt.date) -> dict[int, float]:
        """Hourly framework floor of each role on a date: its AfC band's entry point."""
        floors = self.floor_cache.get(on)
        if floors is None:
            floors = {
                role: scale_rate("afc", afc_entry(band), on, self.growth_after_data) / AFC_HOURS
                for role, band in self.band.items()
            }
            self.floor_cache[on] = floors
        return floors

    def adjust_pay(self, pay: np.ndarray, month: int) -> None:
        """Raise adopters' pay in covered roles to the floor (posts paying 0 stay 0)."""
        if not self.active(month):
            return
        rows = self.adopters
        for role, floor in self.floors(month_date(self.run_start, month)).items():
            column = pay[rows, role]
            pay[rows, role] = np.where(column > 0, np.maximum(column, floor), 0.0)
