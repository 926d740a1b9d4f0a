"""Policy levers: rules that act on employers and workers from the month they start.

Each lever in the config's ``[policy]`` section is turned into masks and numbers once, and
the model asks, month by month, which levers are in force. Pay levers act through
:meth:`Policy.published_pay`, which turns the scale-driven pay level (uplifts, floors,
providers' own pay response) into the pay employers actually offer; the other levers are
applied where the mechanism they act on lives (burnout recovery, contracts, caseloads,
graduates, overseas recruitment, demand).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from wfabm.core.taxonomy import (
    AGENCY,
    AMHP,
    CARE_WORKER,
    ENGLISH_SECTORS,
    HEALTHCARE_ASSISTANT,
    INDEPENDENT,
    LA,
    N_ROLES,
    NHS,
    OCCUPATIONAL_THERAPIST,
    RCC_WORKER,
    ROLE_INDEX,
    SECTOR_INDEX,
    SENIOR_CARE_WORKER,
    SOCIAL_WORKER,
)
from wfabm.world.employers import EmployerTable
from wfabm.world.geography import Geography
from wfabm.world.pay import scale_rate

AFC_HOURS = 37.5 * 52.143
NEVER = 10**6
# The NHS Wales role each local authority role is compared with under pay parity.
PARITY_COMPARATOR = {
    CARE_WORKER: HEALTHCARE_ASSISTANT,
    SENIOR_CARE_WORKER: HEALTHCARE_ASSISTANT,
    RCC_WORKER: HEALTHCARE_ASSISTANT,
    SOCIAL_WORKER: SOCIAL_WORKER,
    AMHP: SOCIAL_WORKER,
    OCCUPATIONAL_THERAPIST: OCCUPATIONAL_THERAPIST,
}
WELSH_EMPLOYERS = (LA, INDEPENDENT, AGENCY)


def months_between(start: dt.date, text: str) -> int:
    """Months from the run's first month to a ``YYYY-MM`` (or ``YYYY-MM-DD``) month (may be < 0)."""
    year, month = (int(part) for part in text.split("-")[:2])
    return (year - start.year) * 12 + (month - start.month)


def month_index(start: dt.date, text: str) -> int:
    """Month index a lever starting in ``text`` takes effect.

    A lever that started before the run is in force from its first month (index 0).
    """
    return max(months_between(start, text), 0)


def afc_entry(band: int) -> str:
    """The pay-scale point name of an Agenda for Change band's entry point."""
    if band == 2:
        return "band2"
    if band == 8:
        return "band8a_entry"
    return f"band{band}_entry"


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


class Policy:
    """The policy levers of a config, resolved against the model's workplaces.

    Args:
        config: The resolved configuration (a nested dict).
        start: First simulated month.
        employers: The workplaces.
        geography: The local authorities.
        rng: Random generator for draws the levers need (which providers adopt a voluntary
            framework).
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
        sector = employers.sector
        welsh = np.isin(sector, WELSH_EMPLOYERS)

        self.pay_changes: list[PayChange] = []
        for entry in policy["pay_change"]:
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
            self.pay_changes.append(
                PayChange(month_index(start, entry["start"]), rows, roles, entry["fraction"])
            )
        england = policy["england"]
        if england["pay_change"] != 0.0:
            roles = np.zeros(N_ROLES, dtype=bool)
            roles[[ROLE_INDEX[r] for r in england["roles"]]] = True
            rows = np.isin(sector, ENGLISH_SECTORS)
            self.pay_changes.append(
                PayChange(month_index(start, england["start"]), rows, roles, england["pay_change"])
            )

        framework = policy["pay_framework"]
        self.framework_start = (
            NEVER if framework["mode"] == "none" else month_index(start, framework["start"])
        )
        adoption = 1.0 if framework["mode"] == "mandatory" else framework["adoption"]
        # Local authorities adopt; independent providers with the adoption share. Agencies
        # follow local authority pay already.
        draw = rng.random(employers.size)
        self.framework_adopters = (sector == LA) | ((sector == INDEPENDENT) & (draw < adoption))
        self.growth_after_data = config["pay"]["growth_after_data"]
        self.framework_band = {ROLE_INDEX[r]: b for r, b in framework["afc_band"].items()}
        self._floors: dict[dt.date, dict[int, float]] = {}

        parity = policy["nhs_parity"]
        self.parity_roles = [ROLE_INDEX[r] for r in parity["roles"]]
        self.parity_gap = parity["gap_closed"]
        self.parity_start = (
            month_index(start, parity["start"]) if self.parity_roles and self.parity_gap else NEVER
        )
        self.la_rows = sector == LA
        # One workplace per authority stands for its rate when social worker pay is harmonised.
        la_rows = np.flatnonzero(self.la_rows)
        _, first = np.unique(employers.organisation[la_rows], return_index=True)
        self.la_organisation_rows = la_rows[first]
        self.nhs_wales_rows = sector == NHS

        terms = policy["social_worker_terms"]
        self.harmonise_start = month_index(start, terms["start"]) if terms["harmonised"] else NEVER

        agency = policy["agency"]
        self.agency_cap = agency.get("cap")
        self.agency_cap_start = (
            month_index(start, agency["start"]) if self.agency_cap is not None else NEVER
        )
        self.agency_cap_roles = np.zeros(N_ROLES, dtype=bool)
        self.agency_cap_roles[[ROLE_INDEX[r] for r in agency["roles"]]] = True

        wellbeing = policy["wellbeing"]
        self.wellbeing_boost = wellbeing["recovery_boost"]
        self.wellbeing_start = (
            month_index(start, wellbeing["start"]) if self.wellbeing_boost > 0 else NEVER
        )
        self.welsh_workplaces = welsh

        zero_hours = policy["zero_hours"]
        self.zero_hours_ban_start = (
            month_index(start, zero_hours["start"]) if zero_hours["ban"] else NEVER
        )

        caseload = policy["caseload"]
        cap = caseload.get("cap")
        self.caseload_start = month_index(start, caseload["start"]) if cap is not None else NEVER
        self.caseload_ratio = (
            cap / caseload["cases_at_full_staffing"] if cap is not None else float("inf")
        )

        training = policy["training"]
        # Counted from the real start, so places added before the run graduate on time.
        self.training_first_cohort = (
            months_between(start, training["start"]) + 12 * training["course_years"]
        )
        self.training_multiplier = {
            SOCIAL_WORKER: training["social_work_places"],
            OCCUPATIONAL_THERAPIST: training["occupational_therapy_places"],
        }

        close = policy["overseas_recruitment"]["close"]
        self.overseas_close = None if close == "never" else dt.date.fromisoformat(close)
        self.demand_growth = policy["demand"]["growth"]

        self.pay_events = {change.start for change in self.pay_changes} | {
            self.framework_start,
            self.parity_start,
            self.harmonise_start,
            self.agency_cap_start,
        }

    # ------------------------------------------------------------------ pay
    def date_of(self, month: int) -> dt.date:
        """First day of a month index."""
        total = self.start.month - 1 + month
        return dt.date(self.start.year + total // 12, total % 12 + 1, 1)

    def published_pay(self, level: np.ndarray, month: int) -> np.ndarray:
        """Pay offered by each workplace and role, from the scale-driven level.

        Args:
            level: Pay at pay point 0 before policy, ``(E, R)``.
            month: Month index.

        Returns:
            Pay at pay point 0 after the levers in force, ``(E, R)`` (agency rows are set
            later, from the published local authority rates).
        """
        pay = level.copy()
        for change in self.pay_changes:
            if month >= change.start:
                pay[np.ix_(change.rows, change.roles)] *= 1.0 + change.fraction
        if month >= self.harmonise_start:
            # One social worker (and AMHP) rate for all 22 authorities: the mean of today's.
            for role in (SOCIAL_WORKER, AMHP):
                rates = pay[self.la_organisation_rows, role]
                rates = rates[rates > 0]
                if len(rates):
                    column = pay[self.la_rows, role]
                    pay[self.la_rows, role] = np.where(column > 0, rates.mean(), 0.0)
        if month >= self.parity_start:
            for role in self.parity_roles:
                comparator = PARITY_COMPARATOR.get(role)
                if comparator is None:
                    continue
                nhs = pay[self.nhs_wales_rows, comparator]
                target = nhs[nhs > 0].mean()
                current = pay[self.la_rows, role]
                gap = np.maximum(target - current, 0.0)
                pay[self.la_rows, role] = current + self.parity_gap * gap
        if month >= self.framework_start:
            rows = self.framework_adopters
            for role, floor in self.framework_floors(self.date_of(month)).items():
                column = pay[rows, role]
                pay[rows, role] = np.where(column > 0, np.maximum(column, floor), 0.0)
        return pay

    def framework_floors(self, on: dt.date) -> dict[int, float]:
        """Hourly framework floor of each role on a date: its AfC band's entry point."""
        floors = self._floors.get(on)
        if floors is None:
            floors = {
                role: scale_rate("afc", afc_entry(band), on, self.growth_after_data) / AFC_HOURS
                for role, band in self.framework_band.items()
            }
            self._floors[on] = floors
        return floors

    def agency_markup(self, markup: np.ndarray, month: int) -> np.ndarray:
        """Agency markup over employed pay, limited by the cap where it is in force."""
        if month < self.agency_cap_start:
            return markup
        return np.where(self.agency_cap_roles, np.minimum(markup, self.agency_cap - 1.0), markup)

    # ------------------------------------------------------------------ other levers
    def recovery(self, base: float, month: int) -> np.ndarray | float:
        """Monthly burnout recovery rate by workplace (one value when no lever is in force)."""
        if month < self.wellbeing_start:
            return base
        return base * (1.0 + self.wellbeing_boost * self.welsh_workplaces)

    def zero_hours_banned(self, month: int) -> bool:
        """Whether Welsh zero-hours contracts are banned this month."""
        return month >= self.zero_hours_ban_start

    def caseload_cap(self, month: int) -> float:
        """Highest workload of local authority social work teams (inf when uncapped)."""
        return self.caseload_ratio if month >= self.caseload_start else float("inf")

    def graduate_multiplier(self, role: int, month: int) -> float:
        """Multiplier on this month's graduate cohort of a role."""
        if month < self.training_first_cohort:
            return 1.0
        return self.training_multiplier.get(role, 1.0)

    def parity_terms(self, month: int) -> dict[int, float]:
        """Share of the NHS terms advantage local authority posts of each role have gained."""
        if month < self.parity_start:
            return {}
        return dict.fromkeys(self.parity_roles, self.parity_gap)
