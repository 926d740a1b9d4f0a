"""Stage 4: employers: vacancies, agency cover, the providers' pay response, publishing pay."""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import CARE_WORKER, SENIOR_CARE_WORKER, SOCIAL_WORKER
from wfabm.model.month import Month
from wfabm.world import employers as employer_rules
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Vacancies, agency cover and pay response; publish pay if any of it changed."""
    now.headcount = state.cells.headcount_matrix()
    now.vacant = employer_rules.vacancies(state.employers, now.headcount)
    agency_market(state, now.vacant, now.headcount)
    now.pay_changed |= pay_response(state, now.vacant)
    # Typical pay in the economy steps up each April (it enters the intent tables).
    now.pay_changed |= (state.clock.start.month - 4 + now.month) % 12 == 0
    if now.pay_changed:
        state.pay.publish(now.month)
        state.refresh_pay_cells()


def agency_market(state: State, vacant: np.ndarray, headcount: np.ndarray) -> None:
    """Welsh employers ask agencies to cover part of their open vacancies."""
    tables = state.tables
    employers = state.employers
    agency_rows = tables.agency_rows
    demand = employer_rules.open_vacancies(vacant, tables.vacancy_held) * tables.agency_cover_share
    demand[~tables.welsh_social_care] = 0.0
    demand[:, SOCIAL_WORKER] += state.agency_requests
    supply = employer_rules.sum_by_region(
        headcount[agency_rows], employers.region[agency_rows], tables.n_regions
    )
    cover, wanted = employer_rules.allocate_agency(demand, employers.region, supply)
    employers.agency_fte[:] = cover
    # Agencies recruit toward the cover their region asks for.
    employers.funded[agency_rows] = wanted[employers.region[agency_rows]]


def pay_response(state: State, vacant: np.ndarray) -> bool:
    """Independent providers short of care staff raise pay; True if any did."""
    employers = state.employers
    cfg = state.tables.cfg["employers"]
    care_roles = [CARE_WORKER, SENIOR_CARE_WORKER]
    care_funded = employers.funded[:, care_roles].sum(axis=1)
    rate = np.divide(
        vacant[:, care_roles].sum(axis=1),
        care_funded,
        out=np.zeros(employers.size),
        where=care_funded > 0,
    )
    raised = employer_rules.respond_with_pay(
        employers,
        rate,
        cfg["vacancy_trigger"],
        cfg["vacancy_months"],
        cfg["pay_response_step"],
        cfg["fee_surplus"],
        cfg["staff_cost_share"],
    )
    if raised.any():
        state.pay.refresh_floor_linked()
    return bool(raised.any())
