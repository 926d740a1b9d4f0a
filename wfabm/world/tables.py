"""The model's derived tables: built once from the config and the world, then only read.

Every per-role vector, per-workplace mask and per-(workplace, role) cell table the month
reads is here, computed once when a model is built. Arrays are made read-only, so a stage
that tried to change one would fail at once rather than change later months silently.
Cell tables have one extra last entry, the sentinel cell of departed workers, set so they
never leave, search or count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from wfabm.core.taxonomy import (
    AGENCY,
    CARE_WORKER,
    ENGLAND_INDEPENDENT,
    ENGLAND_LA,
    INDEPENDENT,
    INDEPENDENT_SECTORS,
    LA,
    N_ROLES,
    NHS,
    NHS_SECTORS,
    NURSE,
    OCCUPATIONAL_THERAPIST,
    RCC_WORKER,
    ROLES,
    SENIOR_CARE_WORKER,
    SERVICES,
    SOCIAL_WORKER,
)
from wfabm.world import exits as exit_rules
from wfabm.world import market
from wfabm.world.employers import EmployerTable
from wfabm.world.geography import Geography
from wfabm.world.pay import PayTables, UpliftCalendar
from wfabm.world.population import commute_table


def role_vector(table: dict[str, float]) -> np.ndarray:
    """A ``{role name: value}`` table as a vector in the taxonomy's role order."""
    return np.array([table[name] for name in ROLES], dtype=np.float64)


@dataclass(frozen=True)
class Tables:
    """Everything the month reads but never changes (see the module docstring).

    Attributes:
        cfg: The resolved config data.
        geography: Local authorities, distances and health boards.
        uplifts: The pay uplift schedule; it extends itself as a run reaches each April
            (a memo of a rule, not state).
        reach: ``reach[role, home, workplace authority]``: within commuting distance.
        transitions: ``transitions[from role, experienced, to role]``: moves allowed.
        terms_start: The share of NHS terms each (workplace, role) post carries at the start.
        point_factor: Pay-point factor by pay key; ``log_point_factor`` its log.
        graduate_workplaces: ``(workplaces, role, inflows key)`` per graduate programme.
        sponsors: Sponsor-licensed workplaces by independent sector.
    """

    cfg: dict[str, Any]
    geography: Geography
    uplifts: UpliftCalendar
    vacancy_held: np.ndarray
    agency_cover_share: np.ndarray
    choice_pay: np.ndarray
    choice_pay_service: np.ndarray
    pay_service_employer: np.ndarray
    outside_ratio: np.ndarray
    fill_rate: np.ndarray
    reach: np.ndarray
    transitions: np.ndarray
    is_nhs: np.ndarray
    welsh_workplace: np.ndarray
    independent_workplace: np.ndarray
    welsh_social_care: np.ndarray
    agency_rows: np.ndarray
    agency_cell: np.ndarray
    n_regions: int
    la_terms: float
    terms_start: np.ndarray
    la_social_work: np.ndarray
    full_time: float
    recovery: float
    points: int
    commute: tuple[np.ndarray, np.ndarray]
    sponsors: dict[int, np.ndarray]
    graduate_workplaces: tuple[tuple[np.ndarray, int, str], ...]
    england_la_rows: np.ndarray
    n_cells: int
    cell_employer: np.ndarray
    cell_role: np.ndarray
    compared_cell: np.ndarray
    leave_cell: np.ndarray
    leave_intent_cell: np.ndarray
    leave_burnout: np.float32
    search_cell: np.ndarray
    intent_base_cell: np.ndarray
    retirement: np.ndarray
    intent_static: np.ndarray
    point_factor: np.ndarray
    log_point_factor: np.ndarray

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False


def build_tables(
    cfg: dict[str, Any],
    geography: Geography,
    employers: EmployerTable,
    pay: PayTables,
    start: dt.date,
) -> Tables:
    """Derive the :class:`Tables` of a model from its config, geography, workplaces and pay.

    Args:
        cfg: The resolved config data.
        geography: The geography.
        employers: The workplaces (read for their sector, service, authority, sponsor licence).
        pay: The pay tables (for the pay-point factors).
        start: The first simulated month (for the uplift schedule).

    Returns:
        The tables.
    """
    points = cfg["pay"]["points"]
    point_factor = pay.point_factors(points)
    return Tables(
        cfg=cfg,
        geography=geography,
        uplifts=UpliftCalendar(start, cfg["pay"]["growth_after_data"], cfg["pay"]["uplifts"]),
        **choice_tables(cfg, geography, employers),
        **workplace_tables(cfg, geography, employers),
        **cell_tables(cfg, employers),
        full_time=cfg["workforce"]["contracts"]["full_time_hours"],
        recovery=cfg["burnout"]["recovery_rate"],
        points=points,
        point_factor=point_factor,
        log_point_factor=np.log(point_factor).astype(np.float32),
    )


def choice_tables(
    cfg: dict[str, Any], geography: Geography, employers: EmployerTable
) -> dict[str, Any]:
    """Per-role parameters of search, choice and filling posts, and commuting reach."""
    choice_pay_service = np.array(
        [cfg["choice"]["pay_service"][name] for name in SERVICES], dtype=float
    )
    commute = role_vector(cfg["search"]["commute_km"])
    return {
        "vacancy_held": role_vector(cfg["employers"]["held_vacant_share"]),
        "agency_cover_share": role_vector(cfg["employers"]["agency_cover"]),
        "choice_pay": role_vector(cfg["choice"]["pay"]),
        # Sensitivity to pay also depends on the service one works in: care home staff
        # change employer for pay less readily than domiciliary staff (behaviour_anchors).
        # It scales the pay weight in job choice and the pay gap's weight in search.
        "choice_pay_service": choice_pay_service,
        "pay_service_employer": choice_pay_service[employers.service].astype(np.float32),
        "outside_ratio": role_vector(cfg["pay"]["outside_option"]),
        "fill_rate": role_vector(cfg["inflows"]["fill_rate"]),
        # Jobs in one's own authority are always within reach, however large it is.
        "reach": (geography.distance[None, :, :] <= commute[:, None, None])
        | np.eye(geography.size, dtype=bool)[None, :, :],
        "transitions": np.stack(
            [market.role_transitions(False), market.role_transitions(True)], axis=1
        ),
        "commute": commute_table(geography),
    }


def workplace_tables(
    cfg: dict[str, Any], geography: Geography, employers: EmployerTable
) -> dict[str, Any]:
    """Workplace masks and groups: NHS, Welsh, independent, agencies, recruiters."""
    sector = employers.sector
    is_nhs = np.isin(sector, NHS_SECTORS)
    welsh_social_care = np.isin(sector, (LA, INDEPENDENT))
    # The NHS terms (pension, leave) a post carries, as a share: 1 for NHS posts; local
    # authority posts, in either country, carry choice.la_terms of them (a defined-benefit
    # pension and occupational sick pay that independent providers seldom offer), and
    # more under NHS parity.
    la_terms = cfg["choice"]["la_terms"]
    statutory = np.isin(sector, (LA, ENGLAND_LA))
    terms_start = np.repeat(
        np.where(is_nhs, 1.0, np.where(statutory, la_terms, 0.0))[:, None], N_ROLES, axis=1
    )
    return {
        "is_nhs": is_nhs,
        "welsh_workplace": geography.welsh[employers.la],
        "independent_workplace": np.isin(sector, INDEPENDENT_SECTORS),
        "welsh_social_care": welsh_social_care,
        "agency_rows": np.flatnonzero(sector == AGENCY),
        "n_regions": len(geography.health_boards),
        "la_terms": la_terms,
        "terms_start": terms_start,
        "la_social_work": (sector == LA) & (employers.service == SERVICES.index("social_work")),
        "sponsors": {
            independent: np.flatnonzero((sector == independent) & employers.sponsor)
            for independent in INDEPENDENT_SECTORS
        },
        "graduate_workplaces": (
            (np.flatnonzero(welsh_social_care), SOCIAL_WORKER, "social_work_graduates"),
            (
                np.flatnonzero((sector == LA) | (sector == NHS)),
                OCCUPATIONAL_THERAPIST,
                "occupational_therapy_graduates",
            ),
            (np.flatnonzero(sector == NHS), NURSE, "nursing_graduates"),
        ),
        "england_la_rows": np.flatnonzero(sector == ENGLAND_LA),
    }


def cell_tables(cfg: dict[str, Any], employers: EmployerTable) -> dict[str, Any]:
    """Tables by (workplace, role) cell: exits, search, intent, and the cells' identity."""
    n_cells = employers.size * N_ROLES
    cell_role = np.tile(np.arange(N_ROLES), employers.size)
    cell_employer = np.repeat(np.arange(employers.size), N_ROLES)
    exits_cfg = cfg["exits"]
    leave_base = role_vector(exits_cfg["leave_base"])
    m0, m1 = exit_rules.monthly_leave_hazards(leave_base, exits_cfg["intent_exit_odds_ratio"])
    search_base = role_vector(cfg["search"]["base_log_odds"])
    # Intent terms for (zero-hours, new starter, under 25) combined as a 3-bit code.
    code = np.arange(8)
    is_nhs = np.isin(employers.sector, NHS_SECTORS)
    # English care work turns over about twice as fast as the modelled pay and terms make it
    # (facts:england_cw_turnover_2021_22): a shift fitted to that figure, care roles only.
    english_care = np.isin(employers.sector, (ENGLAND_LA, ENGLAND_INDEPENDENT))[
        cell_employer
    ] & np.isin(cell_role, (CARE_WORKER, SENIOR_CARE_WORKER, RCC_WORKER))
    agency_rows = np.flatnonzero(employers.sector == AGENCY)
    return {
        "n_cells": n_cells,
        "cell_employer": cell_employer,
        "cell_role": cell_role,
        # Per-worker arithmetic runs in single precision: ample for probabilities, and
        # several times faster than double precision on long arrays.
        "leave_cell": np.append(m0[cell_role], -2.0).astype(np.float32),
        "leave_intent_cell": np.append((m1 - m0)[cell_role], 0.0).astype(np.float32),
        # Burnout drives people out of care work directly too, not only through intent
        # (a third of care-worker leavers leave because of burnout and stress).
        "leave_burnout": np.float32(exit_rules.monthly_burnout_hazard(exits_cfg["leave_burnout"])),
        "search_cell": np.append(search_base[cell_role], -50.0).astype(np.float32),
        "intent_base_cell": role_vector(exits_cfg["intent_base"])[cell_role]
        + exits_cfg["england_care_intent"] * english_care,
        "retirement": exit_rules.retirement_table(
            exits_cfg["retirement_mean_age"], exits_cfg["retirement_age_sd"]
        ).astype(np.float32),
        "intent_static": (
            exits_cfg["intent_zero_hours"] * (code & 1)
            + exits_cfg["intent_new_starter"] * ((code >> 1) & 1)
            + exits_cfg["intent_young"] * ((code >> 2) & 1)
        ).astype(np.float32),
        "agency_cell": np.isin(cell_employer, agency_rows),
        # Social care posts are compared with typical pay in the economy (the NHS's own
        # posts are not: the surveyed reasons are social care workers').
        "compared_cell": ~is_nhs[cell_employer],
    }
