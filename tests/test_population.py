"""Tests for ``wfabm.world.population``: the synthesised base-year population of the baseline.

The population is built once (module fixture, seed 1) and checked against the config: the
Welsh social care workforce total and commissioned share, the named role counts, NHS Wales
healthcare assistants, consistency between workers and workplaces, the (sector, authority)
order of workplaces, contract mix, ages, provider size tail, visa holders, the spread of
local authority staff by population, English border employers, and where workers live
(``commute_table`` and ``homes``).
"""

from __future__ import annotations

import numpy as np
import pytest

from wfabm.config import load_config
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
    LA,
    N_ROLES,
    NHS,
    NURSE,
    RCC_WORKER,
    ROLE_INDEX,
    ROLES,
    SENIOR_CARE_WORKER,
    SERVICE_INDEX,
    SOCIAL_WORKER,
)
from wfabm.world.geography import load_geography
from wfabm.world.population import commute_table, homes, synthesise


@pytest.fixture(scope="module")
def config():
    return load_config().data


@pytest.fixture(scope="module")
def geography():
    return load_geography()


@pytest.fixture(scope="module")
def population(config, geography):
    return synthesise(config, geography, np.random.default_rng(1))


@pytest.fixture(scope="module")
def cols(population):
    """The used rows of the worker columns, plus the workplace authority of each worker."""
    w = population.workers
    used = w.view()
    values = {name: getattr(w, name)[used] for name in w.columns}
    values["work_la"] = population.employers.la[values["employer"]]
    return values


def _welsh_social_care(cols):
    return np.isin(cols["sector"], (LA, INDEPENDENT, AGENCY))


def test_all_base_year_workers_are_active_with_distinct_ids(population, cols):
    assert population.workers.size == len(cols["worker_id"])
    assert cols["active"].all()
    np.testing.assert_array_equal(cols["worker_id"], np.arange(len(cols["worker_id"])))
    assert np.all(cols["arrival"] == -1)


def test_welsh_social_care_workforce_totals_the_configured_headcount(config, cols):
    assert _welsh_social_care(cols).sum() == config["workforce"]["total"] == 84_134


def test_commissioned_share_includes_agency_workers_drawn_from_independent_providers(config, cols):
    workforce = config["workforce"]
    total = workforce["total"]
    commissioned = round(total * workforce["commissioned_share"])
    from_independent = round(commissioned * workforce["agency"]["care_worker_share_independent"])
    independent = (cols["sector"] == INDEPENDENT).sum()
    assert independent + from_independent == commissioned
    assert (independent + from_independent) / total == pytest.approx(0.63, abs=0.001)


def test_agency_workers_are_care_workers_and_social_workers(config, cols):
    agency = cols["sector"] == AGENCY
    roles = np.bincount(cols["role"][agency], minlength=N_ROLES)
    assert roles[SOCIAL_WORKER] == config["workforce"]["agency"]["social_workers"]
    assert roles.sum() == roles[SOCIAL_WORKER] + roles[CARE_WORKER]


def test_named_roles_match_the_config_across_la_and_independent(config, cols):
    la_and_independent = np.isin(cols["sector"], (LA, INDEPENDENT))
    for name, count in config["workforce"]["headcount"].items():
        in_role = cols["role"] == ROLE_INDEX[name]
        assert (in_role & la_and_independent).sum() == count, name
        in_la = (in_role & (cols["sector"] == LA)).sum()
        assert in_la == round(count * config["workforce"]["la_share"][name]), name


def test_care_workers_are_about_half_of_welsh_social_care(cols):
    # Social Care Wales counts care workers as 51 % of filled posts (50.8 % in 2024): the
    # other role groups must not be folded into them.
    welsh = _welsh_social_care(cols)
    share = (welsh & (cols["role"] == CARE_WORKER)).sum() / welsh.sum()
    assert 0.49 <= share <= 0.53, share


@pytest.mark.parametrize(
    "role", [DEPUTY_MANAGER, ANCILLARY_WORKER, ADMINISTRATOR, NURSE], ids=lambda r: ROLES[r]
)
def test_each_collection_role_group_has_its_configured_welsh_headcount(config, cols, role):
    welsh = _welsh_social_care(cols)
    count = config["workforce"]["headcount"][ROLES[role]]
    assert count > 0
    assert (welsh & (cols["role"] == role)).sum() == count
    in_la = (welsh & (cols["role"] == role) & (cols["sector"] == LA)).sum()
    assert in_la == round(count * config["workforce"]["la_share"][ROLES[role]])


def test_care_home_nurses_work_in_independent_residential_care(population, cols):
    welsh_nurse = _welsh_social_care(cols) & (cols["role"] == NURSE)
    service = population.employers.service[cols["employer"][welsh_nurse]]
    assert welsh_nurse.sum() > 0
    assert (cols["sector"][welsh_nurse] == INDEPENDENT).all()
    assert (service == SERVICE_INDEX["residential"]).all()


def test_ancillary_staff_work_where_there_is_a_building_to_run(population, cols):
    ancillary = _welsh_social_care(cols) & (cols["role"] == ANCILLARY_WORKER)
    service = population.employers.service[cols["employer"][ancillary]]
    allowed = [SERVICE_INDEX[s] for s in ("residential", "day_services", "childrens_residential")]
    assert np.isin(service, allowed).all()


@pytest.mark.parametrize(
    ("role", "key"),
    [
        (DEPUTY_MANAGER, "deputy_manager_share"),
        (ANCILLARY_WORKER, "ancillary_worker_share"),
        (ADMINISTRATOR, "administrator_share"),
        (NURSE, "nurse_share"),
    ],
    ids=lambda v: v if isinstance(v, str) else ROLES[v],
)
def test_english_border_roles_are_their_share_of_social_care_jobs(
    config, geography, cols, role, key
):
    england = config["england"]
    jobs = england["social_care_jobs"] * geography.population[~geography.welsh].sum()
    jobs /= england["population"]
    english_care = np.isin(cols["sector"], (ENGLAND_LA, ENGLAND_INDEPENDENT))
    count = (english_care & (cols["role"] == role)).sum()
    assert count == pytest.approx(jobs * england[key], rel=0.01, abs=10)


def test_nhs_wales_healthcare_assistants_are_fte_over_fte_per_head(config, cols):
    nhs = config["nhs_wales"]
    hcas = ((cols["sector"] == NHS) & (cols["role"] == HEALTHCARE_ASSISTANT)).sum()
    assert hcas == round(nhs["healthcare_assistant_fte"] / nhs["fte_per_head"])
    assert hcas == pytest.approx(5825 / 0.85, abs=1)


def test_every_worker_has_an_existing_employer_of_the_same_sector(population, cols):
    employers = population.employers
    assert cols["employer"].min() >= 0
    assert cols["employer"].max() < employers.size
    np.testing.assert_array_equal(employers.sector[cols["employer"]], cols["sector"])
    np.testing.assert_array_equal(
        cols["cell"], cols["employer"].astype(np.int64) * N_ROLES + cols["role"]
    )


def test_every_workplace_has_staff_and_funded_posts_cover_them(population, cols):
    employers = population.employers
    headcount = np.bincount(cols["employer"], minlength=employers.size)
    assert np.all(headcount > 0)
    by_cell = np.bincount(cols["cell"], minlength=employers.size * N_ROLES).reshape(-1, N_ROLES)
    assert np.all(employers.funded >= by_cell)


def test_workplaces_are_sorted_by_sector_then_authority(population):
    employers = population.employers
    key = employers.sector.astype(np.int64) * 1000 + employers.la
    assert np.all(np.diff(key) >= 0)


def test_care_worker_zero_hours_share_is_near_the_target(cols):
    welsh_care_workers = _welsh_social_care(cols) & (cols["role"] == CARE_WORKER)
    share = cols["zero_hours"][welsh_care_workers].mean()
    # The synthesised share is the fitted share of hires (configs/calibrated.toml), above the
    # 16 % target: movers lose zero-hours contracts, and the burn-in brings it down to 15 %.
    assert 0.12 <= share <= 0.22
    # Only care and senior care roles outside NHS and agencies are on zero-hours contracts.
    zero_hours_roles = np.unique(cols["role"][cols["zero_hours"]])
    assert set(zero_hours_roles.tolist()) <= {CARE_WORKER, SENIOR_CARE_WORKER}
    assert not cols["zero_hours"][np.isin(cols["sector"], (NHS, ENGLAND_NHS, AGENCY))].any()


def test_care_worker_part_time_share_is_near_the_config(config, cols):
    full = config["workforce"]["contracts"]["full_time_hours"]
    care_workers = cols["role"] == CARE_WORKER
    part_time = cols["hours"][care_workers] < full
    target = config["workforce"]["contracts"]["care_part_time_share"]
    assert part_time.mean() == pytest.approx(target, abs=0.03)
    hours = cols["hours"][care_workers][part_time]
    assert hours.min() >= 8.0
    assert hours.max() <= 35.0


def test_ages_lie_between_16_and_75(cols):
    years = cols["age_months"] / 12
    assert years.min() >= 16
    assert years.max() <= 75
    # Tenure and experience fit inside a working life.
    assert np.all(cols["tenure"] <= cols["experience"])
    assert np.all(cols["experience"] <= np.maximum(cols["age_months"] - 18 * 12, 3) + 1)


def test_independent_provider_sizes_are_heavy_tailed(population, cols):
    employers = population.employers
    headcount = np.bincount(cols["employer"], minlength=employers.size)
    sizes = headcount[employers.sector == INDEPENDENT]
    assert sizes.max() > 10 * np.median(sizes)


def test_visa_holders_are_independent_care_workers_at_sponsors(population, cols):
    visa = cols["visa"]
    assert visa.sum() > 0
    assert np.all(cols["role"][visa] == CARE_WORKER)
    assert np.all(cols["sector"][visa] == INDEPENDENT)
    assert population.employers.sponsor[cols["employer"][visa]].all()


def test_only_independent_providers_hold_sponsor_licences(population):
    employers = population.employers
    sponsor_sectors = set(np.unique(employers.sector[employers.sponsor]).tolist())
    assert sponsor_sectors <= {INDEPENDENT, ENGLAND_INDEPENDENT}
    assert INDEPENDENT in sponsor_sectors


def test_local_authority_headcount_follows_population(geography, cols):
    la_staff = cols["sector"] == LA
    per_authority = np.bincount(cols["work_la"][la_staff], minlength=geography.size)
    welsh = geography.welsh
    assert np.all(per_authority[~welsh] == 0)
    correlation = np.corrcoef(per_authority[welsh], geography.population[welsh])[0, 1]
    assert correlation > 0.95


def test_english_border_authorities_have_all_three_english_sectors(geography, cols):
    for la in np.flatnonzero(~geography.welsh):
        here = cols["work_la"] == la
        for sector in (ENGLAND_LA, ENGLAND_INDEPENDENT, ENGLAND_NHS):
            assert (here & (cols["sector"] == sector)).sum() > 0, (geography.names[la], sector)
    # English sectors sit only in English authorities, Welsh ones only in Wales.
    english_sector = np.isin(cols["sector"], (ENGLAND_LA, ENGLAND_INDEPENDENT, ENGLAND_NHS))
    np.testing.assert_array_equal(english_sector, ~geography.welsh[cols["work_la"]])


def test_agency_workplaces_have_welsh_health_board_regions(population, geography):
    employers = population.employers
    agencies = employers.sector == AGENCY
    assert agencies.sum() == len(geography.health_boards)
    assert sorted(employers.region[agencies].tolist()) == list(range(7))
    english = ~geography.welsh[employers.la]
    assert np.all(employers.region[english] == -1)


def test_residential_child_care_workers_only_in_la_and_independent(cols):
    rcc = cols["role"] == RCC_WORKER
    assert set(np.unique(cols["sector"][rcc]).tolist()) == {LA, INDEPENDENT}


def test_most_workers_live_where_they_work_and_the_rest_nearby(geography, cols):
    _, totals = commute_table(geography)
    home, work = cols["home"].astype(int), cols["work_la"].astype(int)
    stays = home == work
    reachable = totals[work] > 0
    # 70% stay where a neighbour is within reach; everyone stays where none is.
    assert stays[reachable].mean() == pytest.approx(0.70, abs=0.01)
    assert stays[~reachable].all()
    assert geography.distance[work[~stays], home[~stays]].max() <= 25.0


def test_commute_table_rows_are_cumulative_over_neighbours_within_reach(geography):
    cumulative, totals = commute_table(geography)
    reach = (geography.distance <= 25.0) & ~np.eye(geography.size, dtype=bool)
    np.testing.assert_allclose(totals, (reach * geography.population[None, :]).sum(axis=1))
    has = totals > 0
    np.testing.assert_allclose(cumulative[has, -1], 1.0)
    assert np.all(cumulative[~has] == 0.0)
    assert np.all(np.diff(cumulative, axis=1) >= -1e-12)
    # Weight only on reachable neighbours, never on the authority itself.
    weights = np.diff(np.concatenate([np.zeros((geography.size, 1)), cumulative], axis=1), axis=1)
    assert np.all(weights[~reach] <= 1e-12)


def test_homes_draws_neighbours_by_population(geography):
    table = commute_table(geography)
    cardiff = geography.index("W06000015")
    work = np.full(50_000, cardiff)
    home = homes(work, table, np.random.default_rng(3), stay_share=0.0)
    reach = (geography.distance[cardiff] <= 25.0) & (np.arange(geography.size) != cardiff)
    share = np.bincount(home, minlength=geography.size) / len(home)
    expected = np.where(reach, geography.population, 0.0)
    np.testing.assert_allclose(share, expected / expected.sum(), atol=0.01)
