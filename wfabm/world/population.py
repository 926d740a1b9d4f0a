"""Population synthesis: the workplaces and workers of the base year.

Headcounts come from the config (each with its source); they are spread over local
authorities by population, over workplaces of realistic sizes (independent providers have
heavy-tailed, log-normal sizes by service type; statutory teams a set size), and then over
individual workers with ages, tenure, pay points, hours, contracts, visas, burnout and ties.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfabm.core.taxonomy import (
    ADMINISTRATOR,
    AGENCY,
    AMHP,
    ANCILLARY_WORKER,
    CARE_WORKER,
    DEPUTY_MANAGER,
    ENGLAND_INDEPENDENT,
    ENGLAND_LA,
    ENGLAND_NHS,
    ENGLISH_SECTORS,
    HEALTHCARE_ASSISTANT,
    INDEPENDENT,
    INDEPENDENT_SECTORS,
    LA,
    N_ROLES,
    NHS,
    NURSE,
    OCCUPATIONAL_THERAPIST,
    RCC_WORKER,
    REGISTERED_MANAGER,
    ROLE_INDEX,
    ROLES,
    SENIOR_CARE_WORKER,
    SERVICE_INDEX,
    SOCIAL_WORKER,
)
from wfabm.world.employers import EmployerTable
from wfabm.world.geography import Geography
from wfabm.world.network import build_ties
from wfabm.world.workers import WorkerTable, empty_table

CARE_SERVICES = ("residential", "domiciliary", "supported_living", "day_services")
# Roles on care contracts (the care part-time share): ancillary staff (domestic, catering)
# work the same shift patterns as the care staff beside them.
CARE_ROLES = np.array(
    [CARE_WORKER, SENIOR_CARE_WORKER, RCC_WORKER, HEALTHCARE_ASSISTANT, ANCILLARY_WORKER]
)
PROFESSIONAL_ROLES = np.array([SOCIAL_WORKER, OCCUPATIONAL_THERAPIST, AMHP, NURSE])
MANAGER_ROLES = np.array([REGISTERED_MANAGER, DEPUTY_MANAGER])
"""Roles on the managers' part-time share, and adults by the time they hold the post."""

# Roles each kind of workplace employs; a role's headcount is shared among the workplaces
# that employ it, in proportion to their size. Nurses work in care homes (nursing homes),
# not in domiciliary or supported living services; ancillary staff where there is a building
# to clean, meals to cook or people to drive (homes and day centres).
_CARE_STAFF = (CARE_WORKER, SENIOR_CARE_WORKER, REGISTERED_MANAGER, DEPUTY_MANAGER, ADMINISTRATOR)
SERVICE_ROLES = {
    "residential": (*_CARE_STAFF, ANCILLARY_WORKER, NURSE),
    "domiciliary": _CARE_STAFF,
    "supported_living": _CARE_STAFF,
    "day_services": (*_CARE_STAFF, ANCILLARY_WORKER),
    "childrens_residential": (
        RCC_WORKER,
        REGISTERED_MANAGER,
        DEPUTY_MANAGER,
        ANCILLARY_WORKER,
        ADMINISTRATOR,
    ),
    "social_work": (SOCIAL_WORKER, AMHP, OCCUPATIONAL_THERAPIST, ADMINISTRATOR),
    "health": (HEALTHCARE_ASSISTANT, NURSE, OCCUPATIONAL_THERAPIST, SOCIAL_WORKER),
    "staffing_agency": (CARE_WORKER, SOCIAL_WORKER),
}
SIZE_ROOT_ROLES = (REGISTERED_MANAGER,)
"""Roles spread in proportion to the square root of a workplace's size: every service
needs one registered manager, however small."""


def _role_weights(role: int, services: list[str], sizes: np.ndarray) -> np.ndarray:
    """Weights of each workplace for a role's headcount: its size where it employs the role.

    A role that none of the workplaces employs (a configured headcount with nowhere to go)
    is spread over all of them by size, so no configured worker is lost.
    """
    scale = np.sqrt(sizes) if role in SIZE_ROOT_ROLES else sizes.astype(np.float64)
    employs = np.array([role in SERVICE_ROLES[svc] for svc in services], dtype=bool)
    weights = np.where(employs, scale, 0.0)
    return weights if weights.sum() > 0 else scale


@dataclass
class Population:
    """The synthesised base-year population.

    Attributes:
        employers: The workplaces.
        workers: The workers.
    """

    employers: EmployerTable
    workers: WorkerTable


@dataclass
class _Workplaces:
    """Workplaces being assembled (lists, turned into arrays at the end)."""

    sector: list[int]
    la: list[int]
    service: list[int]
    organisation: list[int]
    headcount: list[np.ndarray]
    next_organisation: int = 0

    def add(self, sector: int, la: int, service: str, organisation: int, counts: np.ndarray):
        self.sector.append(sector)
        self.la.append(la)
        self.service.append(SERVICE_INDEX[service])
        self.organisation.append(organisation)
        self.headcount.append(counts)

    def new_organisation(self) -> int:
        self.next_organisation += 1
        return self.next_organisation - 1


def _spread(total: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split a whole number over categories at random in proportion to weights."""
    weights = np.asarray(weights, dtype=np.float64)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    return rng.multinomial(int(total), weights / weights.sum())


def _provider_sizes(
    total: int, median: float, sigma: float, rng: np.random.Generator
) -> np.ndarray:
    """Draw log-normal provider sizes that add up to ``total`` people."""
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    mean = median * np.exp(sigma**2 / 2)
    draws = np.maximum(
        1, np.round(rng.lognormal(np.log(median), sigma, int(total / mean * 1.5) + 10))
    ).astype(np.int64)
    cumulative = np.cumsum(draws)
    count = int(np.searchsorted(cumulative, total)) + 1
    sizes = draws[:count].copy()
    sizes[-1] -= cumulative[count - 1] - total
    if sizes[-1] <= 0:
        sizes = sizes[:-1]
        sizes[-1] += total - sizes.sum()
    return sizes


def _team_sizes(total: int, team_size: int) -> np.ndarray:
    """Split ``total`` people into near-equal teams of about ``team_size``."""
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    teams = max(1, int(np.ceil(total / team_size)))
    sizes = np.full(teams, total // teams, dtype=np.int64)
    sizes[: total % teams] += 1
    return sizes


def _fill_roles(
    sizes: np.ndarray, role_totals: dict[int, int], rng: np.random.Generator
) -> np.ndarray:
    """Headcount by role for workplaces of given sizes, shape ``(len(sizes), R)``."""
    counts = np.zeros((len(sizes), N_ROLES), dtype=np.int64)
    for role, total in role_totals.items():
        counts[:, role] = _spread(total, sizes, rng)
    return counts


def _wales_targets(config: dict) -> dict[int, dict[int, int]]:
    """Base-year headcount by Welsh sector and role."""
    workforce = config["workforce"]
    total = workforce["total"]
    commissioned = round(total * workforce["commissioned_share"])
    local_authority = total - commissioned
    agency_cfg = workforce["agency"]
    agency_care_la = round(local_authority * agency_cfg["care_worker_share_la"])
    agency_care_ind = round(commissioned * agency_cfg["care_worker_share_independent"])
    agency_sw = agency_cfg["social_workers"]
    employed = {
        LA: local_authority - agency_care_la - agency_sw,
        INDEPENDENT: commissioned - agency_care_ind,
    }
    targets: dict[int, dict[int, int]] = {LA: {}, INDEPENDENT: {}}
    for name, count in workforce["headcount"].items():
        role = ROLE_INDEX[name]
        in_la = round(count * workforce["la_share"][name])
        targets[LA][role] = in_la
        targets[INDEPENDENT][role] = count - in_la
    care_pool = {s: employed[s] - sum(targets[s].values()) for s in (LA, INDEPENDENT)}
    if min(care_pool.values()) < 0:
        msg = "workforce.headcount: named roles exceed the sector totals"
        raise ValueError(msg)
    seniors = round(total * workforce["senior_care_worker_share"])
    pool_total = sum(care_pool.values())
    for sector in (LA, INDEPENDENT):
        sector_seniors = round(seniors * care_pool[sector] / pool_total)
        targets[sector][SENIOR_CARE_WORKER] = sector_seniors
        targets[sector][CARE_WORKER] = care_pool[sector] - sector_seniors
    targets[AGENCY] = {CARE_WORKER: agency_care_la + agency_care_ind, SOCIAL_WORKER: agency_sw}
    return targets


def _statutory_org(
    places: _Workplaces,
    sector: int,
    la: int,
    role_counts: dict[int, int],
    config: dict,
    rng: np.random.Generator,
) -> None:
    """Teams of one local authority (Welsh or English): care, children's homes, social work."""
    team = config["employers"]["statutory_team_size"]
    organisation = places.new_organisation()
    service_share = config["workforce"]["care_worker_services"]
    care_total = sum(role_counts.get(r, 0) for r in (CARE_WORKER, SENIOR_CARE_WORKER))
    rcc_total = role_counts.get(RCC_WORKER, 0)
    sw_roles = {r: role_counts.get(r, 0) for r in (SOCIAL_WORKER, AMHP, OCCUPATIONAL_THERAPIST)}

    care_by_service = _spread(care_total, np.array([service_share[s] for s in CARE_SERVICES]), rng)
    groups: list[tuple[str, np.ndarray]] = [
        (service, _team_sizes(int(n), team))
        for service, n in zip(CARE_SERVICES, care_by_service, strict=True)
    ]
    home_size = config["employers"]["provider_median_size"]["childrens_residential"]
    groups.append(("childrens_residential", _team_sizes(rcc_total, int(home_size))))
    groups.append(("social_work", _team_sizes(sum(sw_roles.values()), team)))

    all_sizes = np.concatenate([sizes for _, sizes in groups])
    services = [service for service, sizes in groups for _ in sizes]
    counts = np.zeros((len(all_sizes), N_ROLES), dtype=np.int64)
    for role, total in role_counts.items():
        # Care staff, children's home staff and social work staff are all in the teams'
        # sizes; the other roles (managers, ancillary and office staff) join the teams
        # that employ them in proportion to the teams' care staff, by size.
        weights = np.array(
            [
                size if role in SERVICE_ROLES[svc] else 0
                for svc, size in zip(services, all_sizes, strict=True)
            ],
            dtype=np.float64,
        )
        if weights.sum() <= 0:
            weights = all_sizes.astype(np.float64)
        counts[:, role] = _spread(total, weights, rng)
    for i, service in enumerate(services):
        if counts[i].sum() > 0:
            places.add(sector, la, service, organisation, counts[i])


def _independent_market(
    places: _Workplaces,
    sector: int,
    la_weights: np.ndarray,
    role_totals: dict[int, int],
    config: dict,
    rng: np.random.Generator,
) -> None:
    """Independent providers of every service type, located by population."""
    employers_cfg = config["employers"]
    sigma = employers_cfg["provider_size_sigma"]
    medians = employers_cfg["provider_median_size"]
    service_share = config["workforce"]["care_worker_services"]
    care_total = role_totals.get(CARE_WORKER, 0) + role_totals.get(SENIOR_CARE_WORKER, 0)
    staff_by_service = {
        s: int(n)
        for s, n in zip(
            CARE_SERVICES,
            _spread(care_total, np.array([service_share[s] for s in CARE_SERVICES]), rng),
            strict=True,
        )
    }
    staff_by_service["childrens_residential"] = role_totals.get(RCC_WORKER, 0)
    social_work_total = sum(
        role_totals.get(r, 0) for r in (SOCIAL_WORKER, AMHP, OCCUPATIONAL_THERAPIST)
    )

    sizes_all, services_all, las_all = [], [], []
    for service, staff in staff_by_service.items():
        for la, la_staff in enumerate(_spread(staff, la_weights, rng)):
            sizes = _provider_sizes(int(la_staff), medians[service], sigma, rng)
            sizes_all.append(sizes)
            services_all.extend([service] * len(sizes))
            las_all.extend([la] * len(sizes))
    for la, la_staff in enumerate(_spread(social_work_total, la_weights, rng)):
        sizes = _team_sizes(int(la_staff), 15)
        sizes_all.append(sizes)
        services_all.extend(["social_work"] * len(sizes))
        las_all.extend([la] * len(sizes))
    sizes = np.concatenate(sizes_all) if sizes_all else np.zeros(0, dtype=np.int64)
    counts = np.zeros((len(sizes), N_ROLES), dtype=np.int64)
    for role, total in role_totals.items():
        counts[:, role] = _spread(total, _role_weights(role, services_all, sizes), rng)
    for i in range(len(sizes)):
        if counts[i].sum() > 0:
            places.add(sector, las_all[i], services_all[i], places.new_organisation(), counts[i])


def _health_boards(
    places: _Workplaces,
    sector: int,
    la_groups: list[np.ndarray],
    la_weights: np.ndarray,
    role_totals_by_group: list[dict[int, int]],
    config: dict,
    rng: np.random.Generator,
) -> None:
    """NHS organisations (Welsh health boards, English trusts) as teams of set size."""
    team = config["employers"]["statutory_team_size"]
    for las, role_totals in zip(la_groups, role_totals_by_group, strict=True):
        organisation = places.new_organisation()
        sizes = _team_sizes(sum(role_totals.values()), team)
        counts = _fill_roles(sizes, role_totals, rng)
        where = rng.choice(las, size=len(sizes), p=la_weights[las] / la_weights[las].sum())
        for i in range(len(sizes)):
            if counts[i].sum() > 0:
                places.add(sector, int(where[i]), "health", organisation, counts[i])


def build_workplaces(
    config: dict, geography: Geography, rng: np.random.Generator
) -> tuple[_Workplaces, dict[int, int]]:
    """Lay out every workplace with its base-year headcount by role.

    Returns:
        The workplaces, and the agency region of each agency organisation.
    """
    places = _Workplaces([], [], [], [], [])
    welsh = np.flatnonzero(geography.welsh)
    english = np.flatnonzero(~geography.welsh)
    wales_pop = np.where(geography.welsh, geography.population, 0.0)
    targets = _wales_targets(config)

    # Welsh local authorities: each role spread over the 22 by population.
    la_by_role = {r: _spread(n, wales_pop, rng) for r, n in targets[LA].items()}
    for la in welsh:
        _statutory_org(
            places, LA, int(la), {r: int(v[la]) for r, v in la_by_role.items()}, config, rng
        )
    _independent_market(places, INDEPENDENT, wales_pop, targets[INDEPENDENT], config, rng)

    # NHS Wales: seven health boards, each over its authorities.
    nhs_cfg = config["nhs_wales"]
    nhs_totals = {
        HEALTHCARE_ASSISTANT: round(nhs_cfg["healthcare_assistant_fte"] / nhs_cfg["fte_per_head"]),
        NURSE: round(nhs_cfg["nurse_fte"] / nhs_cfg["fte_per_head"]),
        OCCUPATIONAL_THERAPIST: nhs_cfg["occupational_therapists"],
        SOCIAL_WORKER: nhs_cfg["social_workers"],
    }
    boards = [
        np.flatnonzero(geography.health_board == b) for b in range(len(geography.health_boards))
    ]
    board_pop = np.array([wales_pop[b].sum() for b in boards])
    by_board = {r: _spread(n, board_pop, rng) for r, n in nhs_totals.items()}
    _health_boards(
        places,
        NHS,
        boards,
        geography.population,
        [{r: int(v[i]) for r, v in by_board.items()} for i in range(len(boards))],
        config,
        rng,
    )

    # English border authorities, scaled from England by population.
    eng = config["england"]
    per_head = 1.0 / eng["population"]
    for la in english:
        pop = geography.population[la]
        jobs = eng["social_care_jobs"] * pop * per_head
        la_jobs = jobs * eng["la_share"]
        amhps = eng["amhps"] * pop * per_head
        social_workers = eng["social_workers"] * pop * per_head - amhps
        ots = eng["occupational_therapists"] * pop * per_head
        # Roles set as shares of adult social care jobs, in both kinds of employer; care
        # workers are the rest of each employer's jobs. Nurses work in independent care
        # homes only.
        shares = {
            REGISTERED_MANAGER: eng["registered_manager_share"],
            SENIOR_CARE_WORKER: eng["senior_care_worker_share"],
            DEPUTY_MANAGER: eng["deputy_manager_share"],
            ANCILLARY_WORKER: eng["ancillary_worker_share"],
            ADMINISTRATOR: eng["administrator_share"],
        }
        la_roles = {
            SOCIAL_WORKER: round(social_workers),
            AMHP: round(amhps),
            OCCUPATIONAL_THERAPIST: round(ots),
        }
        la_shared = {role: round(jobs * share * eng["la_share"]) for role, share in shares.items()}
        la_roles.update(la_shared)
        la_roles[CARE_WORKER] = max(0, round(la_jobs) - sum(la_shared.values()))
        _statutory_org(places, ENGLAND_LA, int(la), la_roles, config, rng)
        ind_jobs = jobs - la_jobs
        ind_roles = {
            role: round(jobs * share * (1 - eng["la_share"])) for role, share in shares.items()
        }
        ind_roles[NURSE] = round(jobs * eng["nurse_share"])
        ind_roles[CARE_WORKER] = round(ind_jobs) - sum(ind_roles.values())
        only_here = np.zeros(geography.size)
        only_here[la] = 1.0
        _independent_market(places, ENGLAND_INDEPENDENT, only_here, ind_roles, config, rng)
        scale = eng["nhs_staff_per_head_as_wales"] * pop / wales_pop.sum()
        _health_boards(
            places,
            ENGLAND_NHS,
            [np.array([la])],
            geography.population,
            [{r: round(n * scale) for r, n in nhs_totals.items()}],
            config,
            rng,
        )

    # Welsh staffing agencies: one per health board region.
    agency_regions: dict[int, int] = {}
    agency_by_board = {r: _spread(n, board_pop, rng) for r, n in targets[AGENCY].items()}
    for b, las in enumerate(boards):
        organisation = places.new_organisation()
        counts = np.zeros(N_ROLES, dtype=np.int64)
        for role, per_board in agency_by_board.items():
            counts[role] = per_board[b]
        main_la = int(las[np.argmax(geography.population[las])])
        places.add(AGENCY, main_la, "staffing_agency", organisation, counts)
        agency_regions[organisation] = b
    return places, agency_regions


def commute_table(geography: Geography, radius_km: float = 25.0) -> tuple[np.ndarray, np.ndarray]:
    """Where people working in each authority live, if not there: neighbours within reach.

    Returns:
        Row-cumulative weights ``(L, L)`` over home authorities (by population), and each
        row's total weight (0 where no other authority is within reach).
    """
    reach = (geography.distance <= radius_km) & ~np.eye(geography.size, dtype=bool)
    weights = reach * geography.population[None, :]
    totals = weights.sum(axis=1)
    cumulative = np.cumsum(weights, axis=1) / np.where(totals > 0, totals, 1.0)[:, None]
    return cumulative, totals


def homes(
    work_la: np.ndarray,
    table: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
    stay_share: float = 0.7,
) -> np.ndarray:
    """Home authority of each worker: mostly where they work, else a neighbour within reach.

    Args:
        work_la: Authority of each worker's workplace.
        table: The result of :func:`commute_table`.
        rng: Random generator.
        stay_share: Share living in the authority where they work; ASSUMPTION.

    Returns:
        Home authority index of each worker.
    """
    cumulative, totals = table
    u = rng.random(len(work_la))
    v = rng.random(len(work_la))
    commute = (u >= stay_share) & (totals[work_la] > 0)
    result = work_la.astype(np.int16).copy()
    rows = cumulative[work_la[commute]]
    result[commute] = (rows < v[commute, None]).sum(axis=1)
    return result


def synthesise(config: dict, geography: Geography, rng: np.random.Generator) -> Population:
    """Build the base-year workplaces and workers.

    Args:
        config: The resolved configuration (a nested dict).
        geography: Local authorities and distances.
        rng: The model's random generator.

    Returns:
        The population.
    """
    places, agency_regions = build_workplaces(config, geography, rng)
    # Workplaces sorted by (sector, local authority): outputs sum over contiguous blocks.
    order = np.lexsort((np.array(places.la), np.array(places.sector)))
    for name in ("sector", "la", "service", "organisation", "headcount"):
        values = getattr(places, name)
        setattr(places, name, [values[i] for i in order])
    headcount = np.vstack(places.headcount)
    n_employers = len(places.sector)
    sector = np.array(places.sector, dtype=np.int8)
    la = np.array(places.la, dtype=np.int16)
    organisation = np.array(places.organisation, dtype=np.int32)
    region = np.where(geography.welsh[la], geography.health_board[la], -1).astype(np.int16)

    # Funded posts: filled posts plus vacancies drawn around the base-year vacancy rate.
    employers_cfg = config["employers"]
    wales_rate = np.array([employers_cfg["vacancy_rate"][r] for r in ROLES])
    england_rate = np.array([employers_cfg["england_vacancy_rate"][r] for r in ROLES])
    rate = np.where(
        np.isin(sector, ENGLISH_SECTORS)[:, None],
        england_rate[None, :],
        wales_rate[None, :],
    )
    funded = headcount + rng.poisson(headcount * rate / (1.0 - rate))
    funded = funded.astype(np.float64)
    funded[sector == AGENCY] = headcount[sector == AGENCY]

    sponsor_share = employers_cfg["visa_sponsor_share"]
    size = headcount.sum(axis=1)
    independent = (sector == INDEPENDENT) | (sector == ENGLAND_INDEPENDENT)
    # Larger providers are likelier to hold a licence; the mean share is the config value.
    sponsor_p = np.clip(sponsor_share * size / max(size[independent].mean(), 1.0), 0, 1)
    sponsor = independent & (rng.random(n_employers) < sponsor_p)

    premium = np.where(
        independent, np.abs(rng.normal(0.0, config["pay"]["provider_premium_sd"], n_employers)), 0.0
    )
    employers = EmployerTable(
        sector=sector,
        la=la,
        service=np.array(places.service, dtype=np.int8),
        organisation=organisation,
        sponsor=sponsor,
        funded=funded,
        pay=np.zeros((n_employers, N_ROLES)),
        premium=premium,
        funded_premium=premium.copy(),
        vacancy_streak=np.zeros(n_employers, dtype=np.int16),
        agency_fte=np.zeros((n_employers, N_ROLES)),
        region=region,
    )
    for org, board in agency_regions.items():
        employers.region[organisation == org] = board

    workers = _synthesise_workers(config, geography, employers, headcount, rng)
    return Population(employers, workers)


def _synthesise_workers(
    config: dict,
    geography: Geography,
    employers: EmployerTable,
    headcount: np.ndarray,
    rng: np.random.Generator,
) -> WorkerTable:
    cells = np.flatnonzero(headcount.ravel())
    per_cell = headcount.ravel()[cells]
    employer = np.repeat(cells // N_ROLES, per_cell).astype(np.int32)
    role = np.repeat(cells % N_ROLES, per_cell).astype(np.int8)
    n = len(employer)
    workforce = config["workforce"]
    contracts = workforce["contracts"]

    shares = workforce["age_shares"]
    edges = np.array([16, 26, 36, 46, 56, 66, 71], dtype=np.float64)
    bins = rng.choice(6, size=n, p=np.array(list(shares.values())) / sum(shares.values()))
    age = edges[bins] + rng.random(n) * (edges[bins + 1] - edges[bins])
    professional = np.isin(role, PROFESSIONAL_ROLES) | np.isin(role, MANAGER_ROLES)
    age = np.where(professional & (age < 22), 22 + rng.random(n) * 8, age)

    working_years = np.maximum(age - 18.0, 0.25)
    tenure_years = np.minimum(rng.exponential(contracts["tenure_mean_years"], n), working_years)
    experience_years = np.minimum(tenure_years + rng.exponential(3.0, n), working_years)
    points = config["pay"]["points"]
    point = np.minimum(experience_years.astype(np.int64), points - 1).astype(np.int8)

    care = np.isin(role, CARE_ROLES)
    part_time_p = np.where(
        care,
        contracts["care_part_time_share"],
        np.where(
            np.isin(role, MANAGER_ROLES),
            contracts["manager_part_time_share"],
            contracts["professional_part_time_share"],
        ),
    )
    part_time = rng.random(n) < part_time_p
    full = contracts["full_time_hours"]
    mean_part = contracts["part_time_mean_hours"]
    # Part-time hours between 8 and 35, Beta-shaped around the mean.
    a = 2.0
    m = np.clip((mean_part - 8.0) / 27.0, 0.05, 0.95)
    hours = np.where(part_time, 8.0 + 27.0 * rng.beta(a, a * (1 - m) / m, n), full)

    sector = employers.sector[employer]
    care_role = (role == CARE_WORKER) | (role == SENIOR_CARE_WORKER)
    zh_p = np.where(
        care_role & np.isin(sector, INDEPENDENT_SECTORS),
        contracts["zero_hours_share_independent"],
        np.where(
            care_role & np.isin(sector, (LA, ENGLAND_LA)), contracts["zero_hours_share_la"], 0
        ),
    )
    zero_hours = rng.random(n) < zh_p

    at_sponsor = (role == CARE_WORKER) & employers.sponsor[employer] & (sector == INDEPENDENT)
    sponsored_share = at_sponsor.mean() / max(
        ((role == CARE_WORKER) & (sector == INDEPENDENT)).mean(), 1e-12
    )
    visa_p = contracts["initial_visa_share"] / max(sponsored_share, 1e-12)
    visa = at_sponsor & (rng.random(n) < min(visa_p, 1.0))

    burnout_cfg = config["burnout"]
    mean, conc = burnout_cfg["initial_mean"], burnout_cfg["initial_concentration"]
    burnout = rng.beta(mean * conc, (1 - mean) * conc, n)
    tolerance = np.clip(
        rng.normal(burnout_cfg["tolerable_workload"], burnout_cfg["tolerance_sd"], n), 0.5, 2.0
    )
    home = homes(employers.la[employer], commute_table(geography), rng)

    network = config["network"]
    ties = build_ties(
        employer,
        home,
        network["colleague_degree"],
        network["rewire"],
        network["friend_degree"],
        rng,
    )
    table = empty_table(int(n * 1.3) + 1024, ties.shape[1])
    table.append(
        {
            "role": role,
            "employer": employer,
            "sector": sector,
            "home": home,
            "cell": employer.astype(np.int64) * N_ROLES + role,
            "pay_key": (sector.astype(np.int64) * N_ROLES + role) * points + point,
            "age_months": np.round(age * 12).astype(np.int16),
            "tenure": np.round(tenure_years * 12).astype(np.int32),
            "experience": np.round(experience_years * 12).astype(np.int32),
            "point": point,
            "hours": hours,
            "zero_hours": zero_hours,
            "visa": visa,
            "burnout": burnout,
            "tolerance": tolerance,
            "intent": np.zeros(n),
            "arrival": np.full(n, -1, dtype=np.int8),
            "arrived": np.full(n, -1, dtype=np.int16),
            "pledge_until": np.full(n, -1, dtype=np.int16),
        }
    )
    table.ties[:n] = ties
    return table
