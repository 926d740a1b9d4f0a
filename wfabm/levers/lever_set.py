"""The levers of a config, resolved against the model's workplaces, in three explicit orders.

- :data:`SCHEMA_ORDER`: the order of the levers' tables in the config schema's ``policy``
  block (and so in ``wfabm check`` and the ODD's tables).
- :data:`PAY_ORDER`: the order in which the pay levers change published pay. It matters:
  parity closes the gap left after a pay change, and the framework floors apply last.
- :data:`DASHBOARD_ORDER`: the order the dashboard lists the levers' texts in.

:class:`LeverSet` answers the model's questions about the month (published pay, agency
markup, recovery, the caseload cap...) by calling each hook on the levers that override it.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import numpy as np

from wfabm.core.calendar import month_date
from wfabm.levers.agency_cap import AgencyCap
from wfabm.levers.base import HOOKS, Lever, LeverContext
from wfabm.levers.caseload import CaseloadCap
from wfabm.levers.demand import Demand
from wfabm.levers.england_pay import EnglandPay
from wfabm.levers.nhs_parity import NhsParity
from wfabm.levers.overseas_recruitment import OverseasRecruitment
from wfabm.levers.pay_change import PayChange, PayChanges
from wfabm.levers.pay_framework import PayFramework
from wfabm.levers.social_worker_terms import SocialWorkerTerms
from wfabm.levers.training import Training
from wfabm.levers.wellbeing import Wellbeing
from wfabm.levers.zero_hours import ZeroHours
from wfabm.world.employers import EmployerTable
from wfabm.world.geography import Geography

AnyLever = TypeVar("AnyLever", bound=Lever)

__all__ = ["DASHBOARD_ORDER", "PAY_ORDER", "SCHEMA_ORDER", "LeverSet", "overrides"]

SCHEMA_ORDER: tuple[type[Lever], ...] = (
    PayChanges,
    PayFramework,
    NhsParity,
    SocialWorkerTerms,
    AgencyCap,
    OverseasRecruitment,
    Training,
    Wellbeing,
    ZeroHours,
    CaseloadCap,
    EnglandPay,
    Demand,
)
"""Every lever class, in the order of its table in the schema's ``policy`` block."""

PAY_ORDER: tuple[type[Lever], ...] = (
    PayChanges,
    EnglandPay,
    SocialWorkerTerms,
    NhsParity,
    PayFramework,
)
"""The levers that change published pay, in the order they apply."""

DASHBOARD_ORDER: tuple[type[Lever], ...] = (
    PayChanges,
    PayFramework,
    NhsParity,
    SocialWorkerTerms,
    EnglandPay,
    OverseasRecruitment,
    Training,
    Wellbeing,
    CaseloadCap,
    Demand,
    ZeroHours,
    AgencyCap,
)
"""The lever classes whose texts the dashboard lists, in its order."""


def overrides(lever: type[Lever], hook: str) -> bool:
    """Whether a lever class acts at a hook (overrides :class:`Lever`'s method)."""
    return getattr(lever, hook) is not getattr(Lever, hook)


class LeverSet:
    """The policy levers of a config, resolved against the model's workplaces.

    Args:
        config: The resolved configuration (a nested dict).
        start: First simulated month.
        employers: The workplaces.
        geography: The local authorities.
        rng: The policy random stream (which providers adopt a voluntary framework).

    Raises:
        ValueError: If a pay change names a local authority the model does not have.
    """

    def __init__(
        self,
        config: dict,
        start: dt.date,
        employers: EmployerTable,
        geography: Geography,
        rng: np.random.Generator,
    ) -> None:
        policy = config["policy"]
        self.config = policy
        self.start = start
        self.employers = employers
        context = LeverContext(config, start, employers, geography, rng)
        self.levers: dict[type[Lever], Lever] = {
            lever: lever(policy[lever.table], context) for lever in SCHEMA_ORDER
        }
        pay_levers = [self.levers[lever] for lever in PAY_ORDER]
        self._acting = {
            hook: [lever for lever in self.levers.values() if overrides(type(lever), hook)]
            for hook in HOOKS
        }
        self._acting["adjust_pay"] = pay_levers
        self.pay_events: set[int] = set().union(
            *(lever.pay_months() for lever in self.levers.values())
        )

    def __getitem__(self, lever: type[AnyLever]) -> AnyLever:
        """The resolved lever of a class, e.g. ``levers[CaseloadCap].ratio``."""
        return self.levers[lever]  # type: ignore[return-value]

    # ------------------------------------------------------------------ starts
    @property
    def framework_start(self) -> int | None:
        """Month index the pay framework starts (None: never)."""
        return self[PayFramework].start

    @property
    def framework_adopters(self) -> np.ndarray:
        """Workplaces that adopt the pay framework when it starts."""
        return self[PayFramework].adopters

    @property
    def zero_hours_ban_start(self) -> int | None:
        """Month index zero-hours contracts are banned (None: never)."""
        return self[ZeroHours].start

    @property
    def pay_changes(self) -> list[PayChange]:
        """The pay change entries, then the English pay change if there is one."""
        england = self[EnglandPay].change
        return [*self[PayChanges].changes, *([] if england is None else [england])]

    @property
    def overseas_close(self) -> dt.date | None:
        """The day the overseas visa route closes (None: never)."""
        return self[OverseasRecruitment].close

    @property
    def demand_growth(self) -> float:
        """Multiplier on the yearly growth of funded social care posts."""
        growth = 1.0
        for lever in self._acting["post_growth"]:
            growth *= lever.post_growth()
        return growth

    def date_of(self, month: int) -> dt.date:
        """First day of a month index."""
        return month_date(self.start, month)

    # ------------------------------------------------------------------ pay
    def published_pay(self, level: np.ndarray, month: int) -> np.ndarray:
        """Pay offered by each workplace and role, from the scale-driven level.

        Args:
            level: Pay at pay point 0 before policy, ``(E, R)``.
            month: Month index.

        Returns:
            Pay at pay point 0 after the levers in force, in :data:`PAY_ORDER`, ``(E, R)``
            (agency rows are set later, from the published local authority rates).
        """
        pay = level.copy()
        for lever in self._acting["adjust_pay"]:
            lever.adjust_pay(pay, month)
        return pay

    def framework_floors(self, on: dt.date) -> dict[int, float]:
        """Hourly framework floor of each role on a date: its AfC band's entry point."""
        return self[PayFramework].floors(on)

    def agency_markup(self, markup: np.ndarray, month: int) -> np.ndarray:
        """Agency markup over employed pay, limited by the cap where it is in force."""
        for lever in self._acting["adjust_agency_markup"]:
            markup = lever.adjust_agency_markup(markup, month)
        return markup

    # ------------------------------------------------------------------ other levers
    def recovery(self, base: float, month: int) -> np.ndarray | float:
        """Monthly burnout recovery rate by workplace (one value when no lever is in force)."""
        rate: np.ndarray | float = base
        for lever in self._acting["recovery"]:
            rate = lever.recovery(rate, month)
        return rate

    def zero_hours_banned(self, month: int) -> bool:
        """Whether Welsh zero-hours contracts are banned this month."""
        return self[ZeroHours].active(month)

    def caseload_cap(self, month: int) -> float:
        """Highest workload of local authority social work teams (inf when uncapped)."""
        return self[CaseloadCap].cap(month)

    def cap_workload(
        self,
        load: np.ndarray,
        present: np.ndarray,
        agency_fte: np.ndarray,
        requests: np.ndarray,
        month: int,
    ) -> None:
        """Let the levers limit workplaces' workload in place (see :meth:`Lever.cap_workload`)."""
        for lever in self._acting["cap_workload"]:
            lever.cap_workload(load, present, agency_fte, requests, month)

    def agency_demand(self, demand: np.ndarray, requests: np.ndarray) -> None:
        """Add the levers' requests to agencies to their demand by workplace and role."""
        for lever in self._acting["agency_demand"]:
            lever.agency_demand(demand, requests)

    def graduate_multiplier(self, role: int, month: int) -> float:
        """Multiplier on this month's graduate cohort of a role."""
        multiplier = 1.0
        for lever in self._acting["graduate_multiplier"]:
            multiplier *= lever.graduate_multiplier(role, month)
        return multiplier

    def parity_terms(self, month: int) -> dict[int, float]:
        """Share of the NHS terms advantage local authority posts of each role have gained."""
        terms: dict[int, float] = {}
        for lever in self._acting["parity_terms"]:
            terms.update(lever.parity_terms(month))
        return terms

    def overseas_open_share(self, date: dt.date) -> float:
        """Share of the month starting on ``date`` the overseas visa route is open."""
        return self[OverseasRecruitment].open_share(date)
