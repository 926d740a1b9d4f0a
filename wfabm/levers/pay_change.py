"""Pay changes for a sector, role and optionally one local authority (``[[policy.pay_change]]``).

Also the dashboard's pay rise for care staff, which becomes one entry per sector and role.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from wfabm.core import reference
from wfabm.core.calendar import month_index, months_between
from wfabm.core.schema import ListOf, Param
from wfabm.core.taxonomy import N_ROLES, ROLE_INDEX, ROLES, SECTOR_INDEX, SECTORS
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText

__all__ = ["PAY_RISE", "PAY_RISE_ROLES", "PAY_RISE_SECTORS", "PayChange", "PayChanges"]

PAY_RISE = "pay_rise"
"""Name of the pay rise lever, which becomes one ``[[policy.pay_change]]`` per sector and role."""

PAY_RISE_ROLES = ("care_worker", "senior_care_worker", "residential_child_care_worker")
PAY_RISE_SECTORS = ("la", "independent")


@dataclass
class PayChange:
    """One ``[[policy.pay_change]]`` entry (or the English pay lever) as masks.

    Attributes:
        start: Month index it takes effect.
        rows: Workplaces it covers.
        roles: Roles it covers.
        fraction: Pay change (0.1 = +10 %).
    """

    start: int
    rows: np.ndarray
    roles: np.ndarray
    fraction: float

    def apply(self, pay: np.ndarray, month: int) -> None:
        """Change the covered cells of published pay ``(E, R)`` in place, once in force."""
        if month >= self.start:
            pay[np.ix_(self.rows, self.roles)] *= 1.0 + self.fraction


class PayChanges(Lever):
    """Every ``[[policy.pay_change]]`` entry, applied in config order."""

    table = "pay_change"
    schema = ListOf(
        {
            # Agency pay follows local authority pay, so agencies are not a choice.
            "sector": Param(
                "str", "sector", choices=(*(s for s in SECTORS if s != "agency"), "all")
            ),
            "role": Param("str", "role", choices=(*ROLES, "all")),
            "local_authority": Param(
                "str",
                "ONS code",
                choices=tuple(reference.local_authorities()["code"].to_list()),
                optional=True,
            ),
            "fraction": Param("float", "share", -0.9, 5.0),
            "start": Param("month", "month"),
        },
        doc="pay change for a sector, role and optionally one local authority",
    )
    texts = (
        LeverText(
            PAY_RISE,
            "Pay",
            "Pay rise for care staff (share, 0.05 = +5 %)",
            "Care workers, senior care workers and residential child care workers at Welsh "
            "councils and independent providers are paid this much more, on top of the usual "
            "uplifts.",
            "Moves between care employers are very pay-sensitive: labour supply elasticity "
            "about 4 (Vadean, Allan and Teo, NIHR ASCRU); leaving care is not (0.1-0.3).",
            "number",
            start="pay_rise.start",
        ),
    )

    def __init__(self, section: list[dict], context: LeverContext) -> None:
        """Turn each entry into workplace and role masks.

        Raises:
            ValueError: If an entry names a local authority the model does not have.
        """
        employers, geography = context.employers, context.geography
        sector = employers.sector
        self.changes: list[PayChange] = []
        for entry in section:
            rows = np.ones(employers.size, dtype=bool)
            if entry["sector"] != "all":
                rows &= sector == SECTOR_INDEX[entry["sector"]]
            if entry.get("local_authority") is not None:
                code = entry["local_authority"]
                if code not in geography.codes:
                    msg = (
                        f"policy.pay_change local_authority = {code!r} is not one of the 29 "
                        f"modelled authorities; allowed: {', '.join(geography.codes)}."
                    )
                    raise ValueError(msg)
                rows &= employers.la == geography.index(code)
            roles = np.ones(N_ROLES, dtype=bool)
            if entry["role"] != "all":
                roles[:] = False
                roles[ROLE_INDEX[entry["role"]]] = True
            self.changes.append(
                PayChange(
                    month_index(context.start, entry["start"]), rows, roles, entry["fraction"]
                )
            )
        self.start = min((change.start for change in self.changes), default=None)

    @classmethod
    def first_acts(cls, section: list[dict], run_start: dt.date) -> list[LeverStart]:
        """The start of every entry that changes pay."""
        return [
            LeverStart(
                f"policy.pay_change[{index}].start", months_between(run_start, entry["start"])
            )
            for index, entry in enumerate(section)
            if entry["fraction"] != 0.0
        ]

    def pay_months(self) -> set[int]:
        """The start month of every entry."""
        return {change.start for change in self.changes}

    def adjust_pay(self, pay: np.ndarray, month: int) -> None:
        """Apply the entries in force, in config order."""
        for change in self.changes:
            change.apply(pay, month)
