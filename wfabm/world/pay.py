"""Pay: hourly rates by workplace and role, pay points, and uplifts on their real dates.

Each April the published rates take effect: the Real Living Wage (the floor Welsh Government
funds for registered social care workers and NHS Wales's lowest band), the National Living
Wage (the floor in English independent care, and for the Welsh independent sector's staff
the Real Living Wage policy does not cover: ancillary and office staff), the NJC pay award
(local authorities, both sides of the border) and the Agenda for Change award (NHS). Awards
are applied as the ``new = a + b * old`` line through the published bottom and top points,
which captures flat cash awards (bigger in percent for the lowest paid) as well as percentage
ones. After the last published rate every scale grows by ``pay.growth_after_data`` a year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from wfabm.core import reference
from wfabm.core.taxonomy import (
    ADMINISTRATOR,
    AGENCY,
    ANCILLARY_WORKER,
    CARE_WORKER,
    DEPUTY_MANAGER,
    ENGLAND_INDEPENDENT,
    ENGLAND_LA,
    ENGLAND_NHS,
    HEALTHCARE_ASSISTANT,
    INDEPENDENT,
    INDEPENDENT_SECTORS,
    LA,
    N_ROLES,
    N_SECTORS,
    NHS,
    NURSE,
    RCC_WORKER,
    ROLE_INDEX,
    ROLES,
    SECTORS,
    SENIOR_CARE_WORKER,
    SOCIAL_WORKER,
)
from wfabm.world.employers import EmployerTable

NJC_HOURS = 37 * 52.143
AFC_HOURS = 37.5 * 52.143
RLW_ROLES = (CARE_WORKER, SENIOR_CARE_WORKER, RCC_WORKER, DEPUTY_MANAGER)
"""Registered care roles: the Real Living Wage policy covers them in Wales ("The uplift to the
Real Living Wage will apply to registered workers in care homes and domiciliary care", Welsh
Government written statement, 21 December 2021)."""
NLW_ROLES = (ANCILLARY_WORKER, ADMINISTRATOR)
"""Independent-sector roles the Welsh policy leaves out: paid from the National Living Wage."""
FLOOR_ROLES = (*RLW_ROLES, *NLW_ROLES)
"""Roles independent providers pay as a multiple of a wage floor."""
FRAMEWORK_GROUP = N_SECTORS
"""Pay-point group of employers in the pay and progression framework (statutory steps)."""
CARE_ROLES = (CARE_WORKER, SENIOR_CARE_WORKER, RCC_WORKER, HEALTHCARE_ASSISTANT, ANCILLARY_WORKER)


@dataclass(frozen=True)
class Uplift:
    """The pay changes that take effect on one date.

    Attributes:
        rlw: Real Living Wage from this date (£/hour).
        nlw: National Living Wage from this date (£/hour).
        njc: ``(a, b)`` of the NJC award line on hourly pay.
        afc: ``(a, b)`` of the Agenda for Change award line on hourly pay.
    """

    rlw: float
    nlw: float
    njc: tuple[float, float]
    afc: tuple[float, float]


def _line(old: tuple[float, float], new: tuple[float, float], hours: float) -> tuple[float, float]:
    """The award line through two published points, on hourly pay."""
    slope = (new[1] - new[0]) / (old[1] - old[0])
    return ((new[0] - slope * old[0]) / hours, slope)


def scale_rate(scale: str, point: str, on: dt.date, growth_after_data: float) -> float:
    """A published pay rate in force on a date, grown after the last published rate.

    Beyond the last published rate the scale grows by ``growth_after_data`` a year.

    Args:
        scale: Pay scale (``rlw``, ``nlw``, ``afc``, ``njc``).
        point: Point on the scale.
        on: Date.
        growth_after_data: Yearly growth after the last published rate.

    Returns:
        The rate (£/hour or £/year, as published).
    """
    last = reference.last_effective(scale, point)
    value = reference.pay_rate(scale, point, min(on, last))
    years_beyond = max(0, on.year - last.year) if on > last else 0
    return value * (1.0 + growth_after_data) ** years_beyond


def april_uplift(year: int, growth_after_data: float) -> Uplift:
    """The uplift taking effect on 1 April of a year.

    The floors are the rates in force that day; the award lines map the bottom and top
    points in force on 1 April of the year before onto this year's.

    Args:
        year: Calendar year of the uplift.
        growth_after_data: Yearly growth of every scale after the last published rate.

    Returns:
        The uplift.
    """

    def rate(scale: str, point: str, on: dt.date) -> float:
        return scale_rate(scale, point, on, growth_after_data)

    on = dt.date(year, 4, 1)
    before = dt.date(year - 1, 4, 1)
    njc_old = (rate("njc", "scp2", before), rate("njc", "scp43", before))
    njc_new = (rate("njc", "scp2", on), rate("njc", "scp43", on))
    afc_old = (rate("afc", "band3_entry", before), rate("afc", "band8a_top", before))
    afc_new = (rate("afc", "band3_entry", on), rate("afc", "band8a_top", on))
    return Uplift(
        rlw=rate("rlw", "all", on),
        nlw=rate("nlw", "all", on),
        njc=_line(njc_old, njc_new, NJC_HOURS),
        afc=_line(afc_old, afc_new, AFC_HOURS),
    )


class UpliftCalendar:
    """The April uplifts of a run of any length, each built when it is first asked for.

    Every April after the start month has an uplift (:func:`april_uplift`); the start month
    has none, as the configured rates are already in force then. Nothing limits how far a
    run goes: beyond the published rates every scale grows by ``growth_after_data`` a year.

    With ``scales_move`` false the scales stay at the start month's rates: each April's
    uplift then leaves every rate as it was and only a year's service moves a worker up a
    point (the steady conditions of :mod:`wfabm.model.burn_in`).

    Args:
        start: First simulated month (month index 0).
        growth_after_data: Yearly growth of every scale after the last published rate.
        scales_move: Whether the published awards take effect (``pay.uplifts``).
    """

    def __init__(self, start: dt.date, growth_after_data: float, scales_move: bool = True) -> None:
        self.start = start
        self.growth_after_data = growth_after_data
        self.scales_move = scales_move
        self._built: dict[int, Uplift] = {}

    def get(self, month: int) -> Uplift | None:
        """The uplift taking effect in a month, if it is an April after the start.

        Args:
            month: Month index (0 = the start month).

        Returns:
            The uplift, or None in any other month.
        """
        months_from_january = self.start.month - 1 + month
        if month < 1 or months_from_january % 12 != 3:
            return None
        uplift = self._built.get(month)
        if uplift is None:
            year = self.start.year + months_from_january // 12
            if self.scales_move:
                uplift = april_uplift(year, self.growth_after_data)
            else:
                uplift = unchanged_scales(self.start)
            self._built[month] = uplift
        return uplift


def unchanged_scales(on: dt.date) -> Uplift:
    """An uplift that leaves every scale at the rates in force on a date.

    Args:
        on: The date whose floors stay in force.

    Returns:
        The floors of that date and award lines that change nothing.
    """
    return Uplift(
        rlw=scale_rate("rlw", "all", on, 0.0),
        nlw=scale_rate("nlw", "all", on, 0.0),
        njc=(0.0, 1.0),
        afc=(0.0, 1.0),
    )


def uplift_schedule(start: dt.date, months: int, growth_after_data: float) -> dict[int, Uplift]:
    """Uplifts by month index (0 = ``start``) for every April after the start.

    Args:
        start: First simulated month.
        months: Months simulated.
        growth_after_data: Yearly growth of every scale after the last published rate.

    Returns:
        Month index -> the uplift taking effect that month.
    """
    calendar = UpliftCalendar(start, growth_after_data)
    uplifts = {month: calendar.get(month) for month in range(1, months)}
    return {month: uplift for month, uplift in uplifts.items() if uplift is not None}


class PayTables:
    """Pay rates for every workplace, kept consistent with floors, awards and policy.

    ``level`` is the scale-driven rate at pay point 0: independent providers' care roles are
    paid the floor (RLW in Wales, NLW in England) times the role's relativity to care workers
    times (1 + the provider's premium), so a floor rise or a provider's pay response moves
    them together; other cells carry their own rate, moved by awards. The rate employers
    offer, ``employers.pay``, is the level after the policy levers in force (``transform``);
    agency pay follows the published local authority rate in the agency's area.

    Pay points rise by a step that depends on the workplace's step group: its sector, or the
    framework group for employers in the pay and progression framework.

    Args:
        config: The resolved configuration.
        employers: The workplaces (``pay`` is filled in place).
        rng: Random generator for the spread of pay between organisations.
        start: First simulated month.
    """

    def __init__(
        self, config: dict, employers: EmployerTable, rng: np.random.Generator, start: dt.date
    ) -> None:
        pay_cfg = config["pay"]
        self.employers = employers
        self.rlw = reference.pay_rate("rlw", "all", start)
        self.nlw = reference.pay_rate("nlw", "all", start)
        base = np.full((N_SECTORS, N_ROLES), np.nan)
        # Agencies have no table of their own: they follow local authority pay (below).
        for sector_name in SECTORS:
            for role_name, value in pay_cfg.get(sector_name, {}).items():
                base[SECTORS.index(sector_name), ROLE_INDEX[role_name]] = value
        self.base = base
        # Relativity of each floor-linked role to its floor in the base year.
        self.relativity = np.ones((N_SECTORS, N_ROLES))
        for sector in INDEPENDENT_SECTORS:
            for role in FLOOR_ROLES:
                if not np.isnan(base[sector, role]):
                    floor = self.rlw if self._rlw_linked(sector, role) else self.nlw
                    self.relativity[sector, role] = base[sector, role] / floor

        step = np.array([pay_cfg["point_step"][r] for r in ROLES])
        # One row per sector, and a last one for the framework (statutory steps).
        self.step = np.tile(step, (N_SECTORS + 1, 1))
        for sector in INDEPENDENT_SECTORS:
            self.step[sector] *= pay_cfg["independent_step_factor"]
        self.step[AGENCY] = 0.0
        self.step_group = employers.sector.astype(np.int64)
        self.points = pay_cfg["points"]
        self.transform = None
        self.month = 0

        sector = employers.sector
        pay = np.nan_to_num(base[sector])
        n_orgs = int(employers.organisation.max()) + 1
        org_factor = 1.0 + rng.normal(0.0, pay_cfg["la_spread_sd"], n_orgs)
        statutory = (sector == LA) | (sector == ENGLAND_LA)
        pay[statutory] *= org_factor[employers.organisation[statutory], None]
        social_worker_england = sector == ENGLAND_LA
        pay[social_worker_england, SOCIAL_WORKER] *= 1.0 + pay_cfg["england_premium_social_worker"]
        self.level = pay
        # Agency staff are paid the local authority rate plus a markup: the care markup for
        # care roles, the professional one for the rest.
        self.agency_markup = np.full(N_ROLES, pay_cfg["agency_markup_professional"])
        self.agency_markup[list(CARE_ROLES)] = pay_cfg["agency_markup_care"]
        self.charge_ratio = pay_cfg["agency_charge_ratio"]
        # The LA workplace whose rates an agency's workers follow: one in the agency's area.
        self._agency_reference = self._agency_reference_workplaces()
        self.refresh_floor_linked()

    @staticmethod
    def _rlw_linked(sector: int, role: int) -> bool:
        """Whether an independent sector pays a floor-linked role from the Real Living Wage."""
        return sector == INDEPENDENT and role in RLW_ROLES

    def _agency_reference_workplaces(self) -> np.ndarray:
        employers = self.employers
        agencies = np.flatnonzero(employers.sector == AGENCY)
        reference_rows = np.zeros(len(agencies), dtype=np.int64)
        la_rows = np.flatnonzero(employers.sector == LA)
        for i, agency in enumerate(agencies):
            same_la = la_rows[employers.la[la_rows] == employers.la[agency]]
            reference_rows[i] = same_la[0] if len(same_la) else la_rows[0]
        return reference_rows

    def refresh_floor_linked(self) -> None:
        """Recompute floor-linked rates after a floor, premium or award change, and publish."""
        employers = self.employers
        level = self.level
        for sector, floor in ((INDEPENDENT, self.rlw), (ENGLAND_INDEPENDENT, self.nlw)):
            rows = employers.sector == sector
            for role in FLOOR_ROLES:
                if not np.isnan(self.base[sector, role]):
                    role_floor = floor if role in RLW_ROLES else self.nlw
                    level[rows, role] = (
                        role_floor * self.relativity[sector, role] * (1.0 + employers.premium[rows])
                    )
        # Statutory employers pay registered care staff and NHS Wales's lowest band at least
        # the Real Living Wage; their ancillary and office staff are on the NJC spine.
        welsh_floor = np.isin(employers.sector, (LA, NHS, AGENCY))
        for role in (*RLW_ROLES, HEALTHCARE_ASSISTANT):
            column = level[:, role]
            column[welsh_floor] = np.maximum(column[welsh_floor], self.rlw)
        self.publish()

    def publish(self, month: int | None = None) -> None:
        """Set the pay employers offer: the level after policy, and agency pay from it.

        Args:
            month: Month index the levers are judged at (default: the last one given).
        """
        if month is not None:
            self.month = month
        pay = (
            self.level.copy()
            if self.transform is None
            else self.transform.published_pay(self.level, self.month)
        )
        markup = (
            self.agency_markup
            if self.transform is None
            else self.transform.agency_markup(self.agency_markup, self.month)
        )
        agencies = np.flatnonzero(self.employers.sector == AGENCY)
        pay[agencies] = pay[self._agency_reference] * (1.0 + markup)
        self.employers.pay[:] = pay

    def apply(self, uplift: Uplift) -> None:
        """Apply the uplifts that take effect this month (to the level), and publish."""
        employers = self.employers
        level = self.level
        self.rlw, self.nlw = uplift.rlw, uplift.nlw
        njc = np.isin(employers.sector, (LA, ENGLAND_LA))
        # Independent providers' professional roles follow local government pay; the nurses
        # of care homes follow the NHS's (Agenda for Change) pay, which they are recruited
        # against.
        independent_other = np.isin(employers.sector, INDEPENDENT_SECTORS)
        afc = np.isin(employers.sector, (NHS, ENGLAND_NHS))
        a, b = uplift.njc
        level[njc] = np.where(level[njc] > 0, a + b * level[njc], 0.0)
        other_roles = [r for r in range(N_ROLES) if r not in FLOOR_ROLES and r != NURSE]
        sub = level[np.ix_(independent_other, other_roles)]
        level[np.ix_(independent_other, other_roles)] = np.where(sub > 0, a + b * sub, 0.0)
        a, b = uplift.afc
        level[afc] = np.where(level[afc] > 0, a + b * level[afc], 0.0)
        nurses = level[independent_other, NURSE]
        level[independent_other, NURSE] = np.where(nurses > 0, a + b * nurses, 0.0)
        self.refresh_floor_linked()

    def point_factors(self, points: int) -> np.ndarray:
        """Pay multiplier of each (step group, role, pay point), flat, indexed by ``pay_key``."""
        steps = np.arange(points)
        return (1.0 + self.step[:, :, None] * steps[None, None, :]).ravel()

    def hourly(self, employer: np.ndarray, role: np.ndarray, point: np.ndarray) -> np.ndarray:
        """Hourly pay of workers (or offers) at the given workplace, role and pay point."""
        group = self.step_group[employer]
        return self.employers.pay[employer, role] * (1.0 + self.step[group, role] * point)

    def pay_keys(self, employer: np.ndarray, role: np.ndarray, point: np.ndarray) -> np.ndarray:
        """Index into :meth:`point_factors` of workers at these workplaces, roles and points."""
        return (self.step_group[employer] * N_ROLES + role) * self.points + point
