"""Employers (workplaces) as columns, and what they decide each month.

A workplace is a team or service: a local authority's or health board's teams share their
organisation's pay, an independent provider is its own organisation. Each month employers
grow their funded posts with demand, count their vacancies, ask agencies to cover part of
them, and independent providers with persistent vacancies raise pay within what commissioning
fees allow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfabm.core.taxonomy import (
    AGENCY,
    INDEPENDENT_SECTORS,
    N_ROLES,
    NHS_SECTORS,
)


@dataclass
class EmployerTable:
    """Columns of the workplaces.

    Attributes:
        sector: Sector index.
        la: Local authority index where the workplace is.
        service: Service index (``taxonomy.SERVICES``).
        organisation: Organisation index (workplaces of one organisation share pay).
        sponsor: Holds a visa sponsor licence.
        funded: Funded posts by role, shape ``(E, R)`` (people; fractional while growing).
        pay: Hourly pay at pay point 0 by role, shape ``(E, R)``.
        premium: Independent provider's pay premium over the floor (share).
        funded_premium: Premium the provider's commissioning fee was set to pay (share): its
            premium at the start. Fees follow the floor, so a floor rise is paid for; a rise
            of the premium beyond this one comes out of the provider's surplus.
        vacancy_streak: Consecutive months with care vacancies above the trigger.
        agency_fte: Agency cover received this month by role, shape ``(E, R)``.
        region: Health board region index for Welsh workplaces (-1 in England).
    """

    sector: np.ndarray
    la: np.ndarray
    service: np.ndarray
    organisation: np.ndarray
    sponsor: np.ndarray
    funded: np.ndarray
    pay: np.ndarray
    premium: np.ndarray
    funded_premium: np.ndarray
    vacancy_streak: np.ndarray
    agency_fte: np.ndarray
    region: np.ndarray

    @property
    def size(self) -> int:
        """Number of workplaces."""
        return len(self.sector)


def headcount_by_cell(
    employer: np.ndarray, role: np.ndarray, active: np.ndarray, n_employers: int
) -> np.ndarray:
    """Active workers per (workplace, role), shape ``(E, R)``."""
    cells = employer[active].astype(np.int64) * N_ROLES + role[active]
    counts = np.bincount(cells, minlength=n_employers * N_ROLES)
    return counts.reshape(n_employers, N_ROLES)


def grow_posts(employers: EmployerTable, social_care_growth: float, nhs_growth: float) -> None:
    """Grow funded posts by one month of the yearly growth rates.

    Args:
        employers: The workplaces (``funded`` is updated in place).
        social_care_growth: Yearly growth of funded social care posts.
        nhs_growth: Yearly growth of NHS posts.
    """
    nhs = np.isin(employers.sector, NHS_SECTORS)
    # Agencies' rows are multiplied by exactly 1: one pass over the table, same values.
    factor = np.where(
        nhs,
        (1.0 + nhs_growth) ** (1 / 12),
        np.where(employers.sector == AGENCY, 1.0, (1.0 + social_care_growth) ** (1 / 12)),
    )
    employers.funded *= factor[:, None]


def vacancies(employers: EmployerTable, headcount: np.ndarray) -> np.ndarray:
    """Vacant funded posts by (workplace, role): whole posts not filled."""
    return np.maximum(np.floor(employers.funded + 1e-9) - headcount, 0.0)


def open_vacancies(vacant: np.ndarray, held_share: np.ndarray) -> np.ndarray:
    """Vacancies being recruited to: the held-vacant share is not advertised.

    Args:
        vacant: Vacancies by (workplace, role).
        held_share: Share of vacancies held vacant, by role.

    Returns:
        Whole open vacancies by (workplace, role).
    """
    return np.floor(vacant * (1.0 - held_share) + 0.5)


def affordable_rise(vacancy_rate: np.ndarray, surplus: float, staff_share: float) -> np.ndarray:
    """Largest pay rise over the fee-funded pay that keeps a provider's surplus at or above 0.

    An hour of care is bought at a fee P. At full staffing the provider spends the share
    ``staff_share`` of it on pay and pay-linked costs, keeps the share ``surplus``, and the
    rest goes on running costs that do not shrink with the hours delivered. Vacancies are
    hours not delivered, so with a vacancy rate v and pay raised by the share d over what the
    fee funds the surplus (as a share of the full fee income) is

        (1 - v) (1 - staff_share (1 + d)) - (1 - staff_share - surplus)

    which is at least 0 while d <= (surplus - v (1 - staff_share)) / ((1 - v) staff_share).
    The more posts a provider cannot fill, the less it can afford to raise pay to fill them.

    Args:
        vacancy_rate: Each workplace's vacancy rate in care roles.
        surplus: Surplus share of the fee at full staffing and the funded pay.
        staff_share: Share of the fee spent on pay and pay-linked costs at full staffing.

    Returns:
        The largest affordable rise (share), negative where even the funded pay runs at a
        loss; ``-inf`` where nothing is delivered.
    """
    delivered = 1.0 - vacancy_rate
    return np.divide(
        surplus - vacancy_rate * (1.0 - staff_share),
        delivered * staff_share,
        out=np.full(len(vacancy_rate), -np.inf),
        where=delivered > 0,
    )


def respond_with_pay(
    employers: EmployerTable,
    vacancy_rate: np.ndarray,
    trigger: float,
    months: int,
    step: float,
    surplus: float,
    staff_share: float,
) -> np.ndarray:
    """Independent providers with persistent vacancies raise pay within what fees allow.

    Args:
        employers: The workplaces (``premium`` and ``vacancy_streak`` updated in place).
        vacancy_rate: Each workplace's vacancy rate in care roles.
        trigger: Vacancy rate above which a month counts toward a rise.
        months: Months above the trigger before a rise.
        step: Size of a rise (share of the floor).
        surplus: Surplus share of the fee at full staffing (see :func:`affordable_rise`).
        staff_share: Share of the fee spent on pay at full staffing.

    Returns:
        Mask of workplaces that raised pay this month.
    """
    independent = np.isin(employers.sector, INDEPENDENT_SECTORS)
    above = independent & (vacancy_rate > trigger)
    employers.vacancy_streak = np.where(above, employers.vacancy_streak + 1, 0).astype(np.int16)
    # Pay relative to what the fee funds after the rise: (1 + premium) / (1 + funded premium).
    raised_pay = (1.0 + employers.premium + step) / (1.0 + employers.funded_premium) - 1.0
    affordable = raised_pay <= affordable_rise(vacancy_rate, surplus, staff_share) + 1e-12
    rise = (employers.vacancy_streak >= months) & affordable
    employers.premium[rise] += step
    employers.vacancy_streak[rise] = 0
    return rise


SUM_BLOCK = 384
"""Rows added together before their block's sum joins the total (see :func:`sum_by_group`)."""


def sum_by_group(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum ``values[E, R]`` over the rows of each group, in a fixed order.

    Rows are taken in blocks of ``SUM_BLOCK`` (a remainder of one to two blocks is split into
    two blocks, the first one row longer if odd); within a block each group's rows are added
    in row order, and block sums join the total block after block. A fixed order makes the
    sums independent of the BLAS library, its threads and the CPU. This order is the one of
    the multithreaded OpenBLAS matrix product (x86-64 AVX-512 kernels) that gave these sums
    before for the Wales model's thousands of workplaces, so results stayed bit-identical.

    Args:
        values: Values by (row, column).
        group: Group of each row, from 0 to ``n_groups - 1``.
        n_groups: Number of groups.

    Returns:
        Sums by (group, column).
    """
    n_rows, n_cols = values.shape
    cells = group.astype(np.int64)[:, None] * n_cols + np.arange(n_cols)
    total = np.zeros(n_groups * n_cols)
    start = 0
    while start < n_rows:
        size = n_rows - start
        if size >= 2 * SUM_BLOCK:
            size = SUM_BLOCK
        elif size > SUM_BLOCK:
            size = (size + 1) // 2
        stop = start + size
        total += np.bincount(
            cells[start:stop].ravel(),
            weights=values[start:stop].ravel(),
            minlength=n_groups * n_cols,
        )
        start = stop
    return total.reshape(n_groups, n_cols)


def sum_by_region(values: np.ndarray, region: np.ndarray, n_regions: int) -> np.ndarray:
    """Sum ``values[E, R]`` over workplaces in each region (rows with region -1 are skipped)."""
    inside = region >= 0
    # One count over flat (region, role) cells; each cell still adds its workplaces in order.
    cells = region[inside].astype(np.int64)[:, None] * N_ROLES + np.arange(N_ROLES)
    sums = np.bincount(cells.ravel(), weights=values[inside].ravel(), minlength=n_regions * N_ROLES)
    return sums.reshape(n_regions, N_ROLES)


def allocate_agency(
    demand: np.ndarray, region: np.ndarray, supply: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Share agency supply among client workplaces in each region, pro rata to demand.

    Args:
        demand: Agency FTE wanted by (workplace, role), shape ``(E, R)``.
        region: Region of each workplace (-1 = no agency market).
        supply: Agency FTE available by (region, role), shape ``(G, R)``.

    Returns:
        Cover given by (workplace, role), and the demand by (region, role).
    """
    wanted = sum_by_region(demand, region, supply.shape[0])
    fill = np.minimum(np.divide(supply, wanted, out=np.zeros_like(supply), where=wanted > 0), 1.0)
    cover = np.where((region >= 0)[:, None], demand * fill[np.maximum(region, 0)], 0.0)
    return cover, wanted
