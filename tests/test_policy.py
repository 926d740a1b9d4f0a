"""Policy levers: one scenario pair per lever on the same seed, and unit checks of the rules.

Every scenario starts its lever in June 2022 (month 2 of a run from April 2022) and runs 18
months; it is compared with ONE shared baseline run on the same seed. Outcomes are averaged
over April to September 2023, once the lever has had ten months to act. Each run keeps a
snapshot, after every month, of the published pay table (``employers.pay``), of the NHS terms
table (``model.terms``) and of the number of active zero-hours workers by sector, so rules
that should hold "from the start month" are checked month by month.

What is checked:

- pay change: +10 % for independent care workers reaches exactly those cells from the start
  month, lifts their mean pay by about 10 % and lowers their vacancy and leaver rates;
- pay framework: point-0 pay of every adopter at least the AfC entry point of the role's band,
  adopters on the statutory steps, fewer independent care worker vacancies; voluntary
  adoption draws about half of the independent providers; mode "none" changes nothing;
- NHS parity for occupational therapists: local authority rates meet the NHS Wales rate
  (half the gap with ``gap_closed = 0.5``), their terms close ``gap_closed`` of the gap from
  the local authority share (``choice.la_terms``) to the NHS's,
  OT moves turn toward local authorities; fewer LA OT vacancies (a slow test pooling five
  seeds, as one seed is too noisy for this small group);
- harmonised social worker terms: one social worker and AMHP rate across the 22 authorities;
- agency cap: agency social workers paid at most the cap times the local authority rate;
- training places: a doubled graduate cohort of social workers (and, marked as an expected
  failure, places expanded before the run graduating on time);
- wellbeing: lower burnout and fewer leavers in Welsh social care, England unaffected;
- zero-hours ban: no zero-hours contract at a Welsh employer from the start month;
- caseload cap: local authority social work teams' workload capped, less burnout, more
  agency cover;
- English pay: English care pay +10 %, Welsh pay untouched, more Welsh care workers crossing
  the border;
- demand growth: Welsh funded posts grow three times as fast, more unmet hours and burnout;
- malformed levers are refused with a clear config error;
- every preset in ``configs/scenarios/`` loads and differs from the baseline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from wfabm import WorkforceModel, load_config
from wfabm.config import ConfigError
from wfabm.core import reference
from wfabm.core.taxonomy import N_SECTORS, ROLES, SECTORS
from wfabm.levers import LeverSet
from wfabm.world.pay import AFC_HOURS, FRAMEWORK_GROUP

SEED = 20220401
MONTHS = 18  # April 2022 to September 2023
LEVER = "2022-06"
START = 2  # month index of June 2022
LEVER_DATE = dt.date(2022, 6, 1)
LATE = dt.date(2023, 4, 1)  # outcomes are averaged from here to the end of the run

WELSH_CARE = ("la", "independent")
ENGLISH = ("england_la", "england_independent", "england_nhs")
CARDIFF = "W06000015"
SCENARIOS = Path(__file__).resolve().parent.parent / "configs" / "scenarios"

LA, INDEPENDENT, NHS, AGENCY = (SECTORS.index(s) for s in ("la", "independent", "nhs", "agency"))
ENGLAND_INDEPENDENT = SECTORS.index("england_independent")
CARE_WORKER, SENIOR, SOCIAL_WORKER, OT, AMHP, NURSE = (
    ROLES.index(r)
    for r in (
        "care_worker",
        "senior_care_worker",
        "social_worker",
        "occupational_therapist",
        "amhp",
        "nurse",
    )
)
WELSH_EMPLOYERS = (LA, INDEPENDENT, AGENCY)


# ----------------------------------------------------------------------------------------------
# runs


@dataclass
class Run:
    """A run and its month-by-month snapshots (index = month index)."""

    model: WorkforceModel
    metrics: pl.DataFrame
    flows: pl.DataFrame
    pay: np.ndarray  # [month, workplace, role]: published pay at point 0
    terms: np.ndarray  # [month, workplace, role]: NHS terms share
    zero_hours: np.ndarray  # [month, sector]: active workers on zero-hours contracts


def _run(overrides: dict, months: int = MONTHS, seed: int = SEED) -> Run:
    model = WorkforceModel(load_config(overrides=overrides), seed=seed, record_events=False)
    pay, terms, zero_hours = [], [], []
    for _ in range(months):
        model.step()
        pay.append(model.employers.pay.copy())
        terms.append(model.terms.copy())
        zero_hours.append(_zero_hours_by_sector(model))
    return Run(
        model, model.metrics, model.flows, np.stack(pay), np.stack(terms), np.stack(zero_hours)
    )


def _zero_hours_by_sector(model: WorkforceModel) -> np.ndarray:
    w = model.workers
    used = w.view()
    on = w.active[used] & w.zero_hours[used]
    return np.bincount(w.sector[used][on], minlength=N_SECTORS)


def _policy(overrides: dict, model: WorkforceModel, seed: int = 0) -> LeverSet:
    """The levers of a config resolved against a model's workplaces (no run)."""
    config = load_config(overrides=overrides)
    return LeverSet(
        config.data, model.start, model.employers, model.geography, np.random.default_rng(seed)
    )


def _lever(table: str, **values: object) -> dict:
    return {"policy": {table: {"start": LEVER, **values}}}


PAY_CHANGE = {
    "policy": {
        "pay_change": [
            {"sector": "independent", "role": "care_worker", "fraction": 0.1, "start": LEVER}
        ]
    }
}


@pytest.fixture(scope="module")
def baseline() -> Run:
    return _run({})


@pytest.fixture(scope="module")
def pay_change() -> Run:
    return _run(PAY_CHANGE)


@pytest.fixture(scope="module")
def framework() -> Run:
    return _run(_lever("pay_framework", mode="mandatory"))


@pytest.fixture(scope="module")
def parity() -> Run:
    return _run(_lever("nhs_parity", roles=["occupational_therapist"], gap_closed=1.0))


@pytest.fixture(scope="module")
def harmonised() -> Run:
    return _run(_lever("social_worker_terms", harmonised=True))


@pytest.fixture(scope="module")
def agency_cap() -> Run:
    return _run(_lever("agency", cap=1.1, roles=["social_worker"]))


@pytest.fixture(scope="module")
def training() -> Run:
    return _run(_lever("training", social_work_places=2.0, course_years=0))


@pytest.fixture(scope="module")
def wellbeing() -> Run:
    return _run(_lever("wellbeing", recovery_boost=0.5))


@pytest.fixture(scope="module")
def zero_hours_ban() -> Run:
    return _run(_lever("zero_hours", ban=True))


@pytest.fixture(scope="module")
def caseload_cap() -> Run:
    return _run(_lever("caseload", cap=14.0))


@pytest.fixture(scope="module")
def england_pay() -> Run:
    return _run(_lever("england", pay_change=0.10))


@pytest.fixture(scope="module")
def demand() -> Run:
    return _run({"policy": {"demand": {"growth": 3.0}}})


# ----------------------------------------------------------------------------------------------
# outcomes


def _outcome(
    metrics: pl.DataFrame,
    sectors: tuple[str, ...],
    roles: tuple[str, ...] | None = None,
    since: dt.date = LATE,
) -> dict[str, float]:
    """Headcount-weighted means and rates of some sectors (and roles) from ``since``."""
    rows = metrics.filter(pl.col("sector").is_in(sectors) & (pl.col("month") >= since))
    if roles is not None:
        rows = rows.filter(pl.col("role").is_in(roles))
    staffed = rows.filter(pl.col("headcount") > 0)
    headcount = staffed["headcount"].sum()
    assert headcount > 0, (sectors, roles)

    def mean(column: str) -> float:
        return float((staffed[column] * staffed["headcount"]).sum() / headcount)

    funded = rows["funded_posts"].sum()
    return {
        "headcount": float(headcount),
        "pay": mean("pay_mean"),
        "burnout": mean("burnout_mean"),
        "workload": mean("workload_mean"),
        "vacancy_rate": float(rows["vacancies"].sum() / funded) if funded else float("nan"),
        "leaver_rate": float(rows["leavers"].sum() / headcount),
        "agency_fte": float(rows["agency_fte"].sum()),
        "agency_spend": float(rows["agency_spend"].sum()),
        "unmet_hours": float(rows["unmet_hours"].sum()),
    }


def _rows(model: WorkforceModel, sector: int) -> np.ndarray:
    return model.employers.sector == sector


def _framework_floor(run: Run, band_point: str, month: int) -> float:
    """Hourly AfC rate of a pay point on the first day of a month index."""
    return reference.pay_rate("afc", band_point, run.model.policy.date_of(month)) / AFC_HOURS


def test_runs_cover_the_same_months(baseline: Run, pay_change: Run) -> None:
    assert baseline.metrics["month"].min() == dt.date(2022, 4, 1)
    assert baseline.metrics["month"].max() == dt.date(2023, 9, 1)
    assert pay_change.metrics["month"].max() == baseline.metrics["month"].max()
    # Before the lever starts, the scenario is the baseline.
    np.testing.assert_array_equal(pay_change.pay[:START], baseline.pay[:START])


# ----------------------------------------------------------------------------------------------
# 1. pay change


def test_pay_change_multiplies_exactly_the_matching_cells_from_its_start(
    baseline: Run,
) -> None:
    model = baseline.model
    policy = _policy(PAY_CHANGE, model)
    level = model.pay.level
    before = policy.published_pay(level, START - 1)
    np.testing.assert_array_equal(before, level)
    after = policy.published_pay(level, START)
    independent = _rows(model, INDEPENDENT)
    expected = level.copy()
    expected[independent, CARE_WORKER] *= 1.1
    np.testing.assert_allclose(after, expected, rtol=1e-15)
    assert (after[independent, CARE_WORKER] > level[independent, CARE_WORKER]).all()


def test_pay_change_for_one_local_authority_touches_only_that_authority(
    baseline: Run,
) -> None:
    model = baseline.model
    overrides = {
        "policy": {
            "pay_change": [
                {
                    "sector": "all",
                    "role": "all",
                    "local_authority": CARDIFF,
                    "fraction": 0.2,
                    "start": LEVER,
                }
            ]
        }
    }
    policy = _policy(overrides, model)
    level = model.pay.level
    after = policy.published_pay(level, START)
    cardiff = model.employers.la == model.geography.index(CARDIFF)
    assert cardiff.sum() > 10
    np.testing.assert_allclose(after[cardiff], level[cardiff] * 1.2, rtol=1e-15)
    np.testing.assert_array_equal(after[~cardiff], level[~cardiff])


def test_pay_change_for_an_unknown_authority_is_refused(baseline: Run) -> None:
    entry = {
        "sector": "la",
        "role": "care_worker",
        "local_authority": "W06999999",
        "fraction": 0.1,
        "start": LEVER,
    }
    # The config check refuses it, naming the key and the code...
    with pytest.raises(ConfigError, match="W06999999") as caught:
        load_config(overrides={"policy": {"pay_change": [entry]}})
    assert caught.value.key == "policy.pay_change[0].local_authority"
    # ... and so does the lever itself, given a config that skipped the check.
    data = load_config().to_dict()
    data["policy"]["pay_change"] = [entry]
    model = baseline.model
    with pytest.raises(ValueError, match="W06999999"):
        LeverSet(data, model.start, model.employers, model.geography, np.random.default_rng(0))


def test_pay_change_reaches_published_pay_from_its_start_month(
    baseline: Run, pay_change: Run
) -> None:
    independent = _rows(baseline.model, INDEPENDENT)
    # The months before the start are the baseline's; in the start month the cells are 10 %
    # higher and nothing else has moved (the providers' pay response has not diverged yet).
    np.testing.assert_array_equal(pay_change.pay[START - 1], baseline.pay[START - 1])
    expected = baseline.pay[START].copy()
    expected[independent, CARE_WORKER] *= 1.1
    np.testing.assert_allclose(pay_change.pay[START], expected, rtol=1e-12)


def test_pay_change_raises_care_worker_pay_and_lowers_vacancies_and_leavers(
    baseline: Run, pay_change: Run
) -> None:
    a = _outcome(baseline.metrics, ("independent",), ("care_worker",))
    b = _outcome(pay_change.metrics, ("independent",), ("care_worker",))
    # About +10 % at the pay point mix (which shifts a little as staff turn over).
    assert 1.08 < b["pay"] / a["pay"] < 1.12, (a["pay"], b["pay"])
    assert b["vacancy_rate"] < a["vacancy_rate"], (a["vacancy_rate"], b["vacancy_rate"])
    assert b["leaver_rate"] < a["leaver_rate"], (a["leaver_rate"], b["leaver_rate"])


# ----------------------------------------------------------------------------------------------
# 2. pay and progression framework


def test_mandatory_framework_floors_independent_care_worker_pay(
    baseline: Run, framework: Run
) -> None:
    independent = _rows(framework.model, INDEPENDENT)
    assert independent.sum() > 100
    floor_before = _framework_floor(framework, "band3_entry", START - 1)
    # Before the start some providers pay below band 3 entry, so the floor does something.
    assert (framework.pay[START - 1][independent, CARE_WORKER] < floor_before).any()
    for month in range(START, MONTHS):
        floor = _framework_floor(framework, "band3_entry", month)
        pay = framework.pay[month][independent, CARE_WORKER]
        assert (pay >= floor - 1e-9).all(), (month, floor, pay.min())


def test_mandatory_framework_puts_adopters_on_statutory_steps(framework: Run) -> None:
    model = framework.model
    sector = model.employers.sector
    adopters = model.policy.framework_adopters
    assert adopters[sector == INDEPENDENT].all()
    assert adopters[sector == LA].all()
    assert not adopters[np.isin(sector, (NHS, *(SECTORS.index(s) for s in ENGLISH)))].any()
    # Agencies pay the local authority rate plus a markup, with no pay-point steps.
    assert not adopters[sector == AGENCY].any()
    assert (model.pay.step_group[adopters] == FRAMEWORK_GROUP).all()
    assert (model.pay.step_group[~adopters] == sector[~adopters]).all()


def test_mandatory_framework_leaves_agency_pay_points_flat(baseline: Run, framework: Run) -> None:
    """Regression: agencies were once made adopters and their pay rose with pay points."""
    # Local authority social worker pay is above the band 6 floor, so the framework leaves it
    # (and with it the agency rate) unchanged in the start month...
    la = _rows(framework.model, LA)
    np.testing.assert_array_equal(
        framework.pay[START][la, SOCIAL_WORKER], baseline.pay[START][la, SOCIAL_WORKER]
    )

    def agency_sw_pay(run: Run) -> float:
        row = run.metrics.filter(
            (pl.col("month") == LEVER_DATE)
            & (pl.col("sector") == "agency")
            & (pl.col("role") == "social_worker")
            & (pl.col("headcount") > 0)
        )
        return float((row["pay_mean"] * row["headcount"]).sum() / row["headcount"].sum())

    # ... so agency social workers' mean pay should not move either.
    assert agency_sw_pay(framework) == pytest.approx(agency_sw_pay(baseline), rel=0.01)


def test_mandatory_framework_lowers_independent_care_worker_vacancies(
    baseline: Run, framework: Run
) -> None:
    a = _outcome(baseline.metrics, ("independent",), ("care_worker",))
    b = _outcome(framework.metrics, ("independent",), ("care_worker",))
    assert b["pay"] > a["pay"]
    assert b["vacancy_rate"] < a["vacancy_rate"], (a["vacancy_rate"], b["vacancy_rate"])


def test_voluntary_framework_is_adopted_by_about_half_the_providers(baseline: Run) -> None:
    model = baseline.model
    policy = _policy(_lever("pay_framework", mode="voluntary", adoption=0.5), model)
    sector = model.employers.sector
    share = policy.framework_adopters[sector == INDEPENDENT].mean()
    assert 0.4 < share < 0.6, share
    assert policy.framework_adopters[sector == LA].all()
    assert not policy.framework_adopters[sector == NHS].any()
    assert not policy.framework_adopters[sector == ENGLAND_INDEPENDENT].any()


def test_framework_mode_none_changes_nothing(baseline: Run) -> None:
    overrides = {"policy": {"pay_framework": {"mode": "none", "start": "2022-04"}}}
    model = baseline.model
    policy = _policy(overrides, model)
    for month in (0, 1, 12):
        np.testing.assert_array_equal(policy.published_pay(model.pay.level, month), model.pay.level)
    # And a run is the baseline's: the adoption draw has its own random stream.
    run = _run(overrides, months=2)
    np.testing.assert_array_equal(run.pay, baseline.pay[:2])


# ----------------------------------------------------------------------------------------------
# 3. NHS parity


def test_full_parity_pays_la_occupational_therapists_the_nhs_rate(
    baseline: Run, parity: Run
) -> None:
    la = _rows(parity.model, LA)
    nhs = _rows(parity.model, NHS)
    np.testing.assert_array_equal(parity.pay[START - 1], baseline.pay[START - 1])
    for month in range(START, MONTHS):
        target = parity.pay[month][nhs, OT].mean()
        before = baseline.pay[month][la, OT]
        after = parity.pay[month][la, OT]
        below = before < target
        assert below.any()
        # Authorities paying below the NHS meet it; those above are not cut.
        np.testing.assert_allclose(after[below], target, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(after[~below], before[~below])


def test_full_parity_gives_la_occupational_therapists_nhs_terms(baseline: Run, parity: Run) -> None:
    la = _rows(parity.model, LA)
    la_terms = parity.model.config.get("choice.la_terms")
    assert 0.0 < la_terms < 1.0
    assert (parity.terms[:START, la, OT] == la_terms).all()
    assert (parity.terms[START:, la, OT] == 1.0).all()
    # Other roles and workplaces keep their terms.
    others = np.ones(parity.terms.shape[1:], dtype=bool)
    others[np.ix_(la, [OT])] = False
    np.testing.assert_array_equal(parity.terms[:, others], baseline.terms[:, others])


def test_full_parity_closes_the_pay_gap(baseline: Run, parity: Run) -> None:
    roles = ("occupational_therapist",)
    nhs_a = _outcome(baseline.metrics, ("nhs",), roles)
    la_a = _outcome(baseline.metrics, ("la",), roles)
    nhs_b = _outcome(parity.metrics, ("nhs",), roles)
    la_b = _outcome(parity.metrics, ("la",), roles)
    gap_a = 1 - la_a["pay"] / nhs_a["pay"]
    gap_b = 1 - la_b["pay"] / nhs_b["pay"]
    assert gap_a > 0.02, gap_a
    # Mean pay then differs only by the pay point mix: about 1.2 % from the steady start,
    # where the two employers' OTs have served different lengths of time.
    assert abs(gap_b) < 0.02, (gap_a, gap_b)
    assert abs(gap_b) < gap_a / 2, (gap_a, gap_b)
    assert la_b["pay"] > la_a["pay"]


def _ot_net_moves_to_la(run: Run) -> int:
    """Occupational therapists' moves NHS Wales -> LA minus LA -> NHS Wales, from the lever."""

    def moves(origin: str, destination: str) -> int:
        return int(
            run.flows.filter(
                (pl.col("role") == "occupational_therapist")
                & (pl.col("origin") == origin)
                & (pl.col("destination") == destination)
                & (pl.col("month") >= LEVER_DATE)
            )["count"].sum()
        )

    return moves("nhs", "la") - moves("la", "nhs")


def test_full_parity_turns_ot_moves_toward_local_authorities(baseline: Run, parity: Run) -> None:
    # The NHS no longer offers LA occupational therapists better pay or terms. (Higher than
    # the baseline on seeds 20220401, 1, 2, 3 and 4; the LA OT vacancy rate, a small
    # population, is not: see the slow test below.)
    a, b = _ot_net_moves_to_la(baseline), _ot_net_moves_to_la(parity)
    assert b > a, (a, b)


@pytest.mark.slow
def test_full_parity_lowers_la_ot_vacancies_over_five_seeds() -> None:
    # About 265 LA OT posts: one seed is too noisy (on seed 1 the rate rises, 12.6 % ->
    # 14.2 %), so vacancies and funded posts are pooled over five seeds.
    lever = _lever("nhs_parity", roles=["occupational_therapist"], gap_closed=1.0)
    totals = {"baseline": [0.0, 0.0], "parity": [0.0, 0.0]}
    for seed in (SEED, 1, 2, 3, 4):
        for name, overrides in (("baseline", {}), ("parity", lever)):
            model = WorkforceModel(load_config(overrides=overrides), seed=seed, record_events=False)
            rows = model.run(MONTHS).metrics.filter(
                (pl.col("sector") == "la")
                & (pl.col("role") == "occupational_therapist")
                & (pl.col("month") >= LATE)
            )
            totals[name][0] += rows["vacancies"].sum()
            totals[name][1] += rows["funded_posts"].sum()
    rate = {name: vacancies / funded for name, (vacancies, funded) in totals.items()}
    assert rate["parity"] < rate["baseline"], rate


def test_half_parity_halves_the_gap(baseline: Run) -> None:
    model = baseline.model
    policy = _policy(_lever("nhs_parity", roles=["occupational_therapist"], gap_closed=0.5), model)
    level = model.pay.level
    la = _rows(model, LA)
    nhs = _rows(model, NHS)
    np.testing.assert_array_equal(policy.published_pay(level, START - 1), level)
    after = policy.published_pay(level, START)
    target = level[nhs, OT].mean()
    gap_before = target - level[la, OT]
    gap_after = target - after[la, OT]
    below = gap_before > 0
    assert below.any()
    np.testing.assert_allclose(gap_after[below], 0.5 * gap_before[below], rtol=1e-12)
    np.testing.assert_array_equal(after[la][~below, OT], level[la][~below, OT])
    # Only LA OT cells move.
    moved = np.zeros(level.shape, dtype=bool)
    moved[np.ix_(la, [OT])] = True
    np.testing.assert_array_equal(after[~moved], level[~moved])
    assert policy.parity_terms(START - 1) == {}
    assert policy.parity_terms(START) == {OT: 0.5}


def test_half_parity_gives_half_the_terms_in_a_run(baseline: Run) -> None:
    run = _run(
        _lever("nhs_parity", roles=["occupational_therapist"], gap_closed=0.5), months=START + 1
    )
    la = _rows(run.model, LA)
    la_terms = run.model.config.get("choice.la_terms")
    assert (run.terms[:START, la, OT] == la_terms).all()
    np.testing.assert_allclose(run.terms[START, la, OT], la_terms + 0.5 * (1.0 - la_terms))


# ----------------------------------------------------------------------------------------------
# 4. social worker terms


def test_harmonised_terms_give_one_social_worker_rate_across_wales(
    baseline: Run, harmonised: Run
) -> None:
    la = _rows(harmonised.model, LA)
    assert len(np.unique(harmonised.model.employers.la[la])) == 22
    for role in (SOCIAL_WORKER, AMHP):
        for month in range(START):
            assert np.ptp(harmonised.pay[month][la, role]) > 0.5, (role, month)
        for month in range(START, MONTHS):
            rates = harmonised.pay[month][la, role]
            assert np.ptp(rates) == 0.0, (role, month)
            # Equal rates can still give a standard deviation of a rounding error.
            assert rates.std() == pytest.approx(0.0, abs=1e-12)
        # The common rate is the mean of the 22 authorities' rates (one per authority,
        # however many workplaces each has).
        authority = harmonised.model.employers.la[la]
        rates = baseline.pay[START][la, role]
        per_authority = [rates[authority == code][0] for code in np.unique(authority)]
        assert all(np.ptp(rates[authority == code]) == 0.0 for code in np.unique(authority))
        assert harmonised.pay[START][la, role][0] == pytest.approx(
            np.mean(per_authority), rel=1e-12
        )
    # Agency social workers follow their area's LA rate, so they are paid alike too.
    agency = _rows(harmonised.model, AGENCY)
    assert np.ptp(harmonised.pay[START][agency, SOCIAL_WORKER]) == 0.0


# ----------------------------------------------------------------------------------------------
# 5. agency cap


def _agency_ratio(run: Run, month: int, role: int) -> np.ndarray:
    """Agency pay over the LA rate of each agency's own authority."""
    employers = run.model.employers
    agencies = np.flatnonzero(employers.sector == AGENCY)
    la_rows = np.flatnonzero(employers.sector == LA)
    ratios = []
    for agency in agencies:
        same = la_rows[employers.la[la_rows] == employers.la[agency]]
        assert len(same) > 0
        la_rate = run.pay[month][same, role]
        assert np.ptp(la_rate) == 0.0  # one rate per authority
        ratios.append(run.pay[month][agency, role] / la_rate[0])
    return np.array(ratios)


def test_agency_cap_limits_agency_social_worker_pay(baseline: Run, agency_cap: Run) -> None:
    cfg = agency_cap.model.config.data["pay"]
    professional = 1.0 + cfg["agency_markup_professional"]
    care = 1.0 + cfg["agency_markup_care"]
    assert professional == pytest.approx(1.35)
    for month in range(START):
        np.testing.assert_allclose(_agency_ratio(agency_cap, month, SOCIAL_WORKER), professional)
    for month in range(START, MONTHS):
        ratio = _agency_ratio(agency_cap, month, SOCIAL_WORKER)
        assert (ratio <= 1.1 + 1e-12).all(), (month, ratio)
        # Roles not in the list keep their markup.
        np.testing.assert_allclose(_agency_ratio(agency_cap, month, OT), professional)
        np.testing.assert_allclose(_agency_ratio(agency_cap, month, CARE_WORKER), care)


def test_agency_cap_lowers_agency_social_worker_pay(baseline: Run, agency_cap: Run) -> None:
    a = _outcome(baseline.metrics, ("agency",), ("social_worker",))
    b = _outcome(agency_cap.metrics, ("agency",), ("social_worker",))
    # 1.1 / 1.35 = 0.815; agency rates have no pay-point steps.
    assert 0.78 < b["pay"] / a["pay"] < 0.85, (a["pay"], b["pay"])
    care_a = _outcome(baseline.metrics, ("agency",), ("care_worker",))
    care_b = _outcome(agency_cap.metrics, ("agency",), ("care_worker",))
    assert care_b["pay"] == pytest.approx(care_a["pay"], rel=0.01)


# ----------------------------------------------------------------------------------------------
# 6. overseas recruitment (the mechanism is tested in test_mechanisms.py)


def test_overseas_close_parses_never_and_dates(baseline: Run) -> None:
    model = baseline.model
    assert model.policy.overseas_close == dt.date(2025, 7, 22)
    never = _policy({"policy": {"overseas_recruitment": {"close": "never"}}}, model)
    assert never.overseas_close is None
    dated = _policy({"policy": {"overseas_recruitment": {"close": "2023-01-15"}}}, model)
    assert dated.overseas_close == dt.date(2023, 1, 15)
    month = _policy({"policy": {"overseas_recruitment": {"close": "2023-01"}}}, model)
    assert month.overseas_close == dt.date(2023, 1, 1)


# ----------------------------------------------------------------------------------------------
# 7. training places


def test_graduate_multiplier_starts_with_the_first_cohort(baseline: Run) -> None:
    model = baseline.model
    now = _policy(_lever("training", social_work_places=2.0, course_years=0), model)
    assert now.graduate_multiplier(SOCIAL_WORKER, START - 1) == 1.0
    assert now.graduate_multiplier(SOCIAL_WORKER, START) == 2.0
    assert now.graduate_multiplier(OT, START) == 1.0  # its places are unchanged
    assert now.graduate_multiplier(NURSE, START) == 1.0  # not a lever
    degree = _policy(_lever("training", social_work_places=2.0, course_years=3), model)
    assert degree.graduate_multiplier(SOCIAL_WORKER, START + 35) == 1.0
    assert degree.graduate_multiplier(SOCIAL_WORKER, START + 36) == 2.0


def test_places_expanded_before_the_run_graduate_on_time(baseline: Run) -> None:
    policy = _policy(
        {
            "policy": {
                "training": {"social_work_places": 2.0, "course_years": 3, "start": "2020-09"}
            }
        },
        baseline.model,
    )
    assert policy.date_of(17) == dt.date(2023, 9, 1)
    assert policy.graduate_multiplier(SOCIAL_WORKER, 5) == 1.0  # September 2022: 2019 intake
    assert policy.graduate_multiplier(SOCIAL_WORKER, 17) == 2.0


def test_more_training_places_double_the_social_work_graduates(
    baseline: Run, training: Run
) -> None:
    def graduates(run: Run, month: dt.date) -> int:
        return int(
            run.flows.filter(
                (pl.col("origin") == "graduate")
                & (pl.col("role") == "social_worker")
                & (pl.col("month") == month)
            )["count"].sum()
        )

    september = dt.date(2022, 9, 1)
    a, b = graduates(baseline, september), graduates(training, september)
    assert a > 50
    # Poisson draws (mean 2 x the baseline's) placed in open posts; the posts did not run
    # out on this seed (ratio about 2.0), though placement caps the cohort if they do.
    assert 1.5 < b / a < 2.6, (a, b)
    # No graduates outside September.
    assert graduates(training, dt.date(2022, 10, 1)) == 0


# ----------------------------------------------------------------------------------------------
# 8. wellbeing


def test_wellbeing_lowers_welsh_burnout_and_leavers(baseline: Run, wellbeing: Run) -> None:
    a = _outcome(baseline.metrics, WELSH_CARE)
    b = _outcome(wellbeing.metrics, WELSH_CARE)
    assert b["burnout"] < a["burnout"] - 0.02, (a["burnout"], b["burnout"])
    assert b["leaver_rate"] < a["leaver_rate"], (a["leaver_rate"], b["leaver_rate"])


def test_wellbeing_leaves_england_alone(baseline: Run, wellbeing: Run) -> None:
    a = _outcome(baseline.metrics, ENGLISH)
    b = _outcome(wellbeing.metrics, ENGLISH)
    # Only through the shared labour market (a few moves either way).
    assert b["burnout"] == pytest.approx(a["burnout"], abs=0.01)
    rates = wellbeing.model.policy.recovery(0.05, START)
    sector = wellbeing.model.employers.sector
    english = np.isin(sector, [SECTORS.index(s) for s in ENGLISH])
    assert wellbeing.model.policy.recovery(0.05, START - 1) == 0.05
    np.testing.assert_allclose(rates[english], 0.05)
    np.testing.assert_allclose(rates[sector == NHS], 0.05)
    np.testing.assert_allclose(rates[np.isin(sector, WELSH_EMPLOYERS)], 0.075)


# ----------------------------------------------------------------------------------------------
# 9. zero-hours ban


def test_zero_hours_ban_ends_welsh_zero_hours_contracts(baseline: Run, zero_hours_ban: Run) -> None:
    welsh = list(WELSH_EMPLOYERS)
    counts = zero_hours_ban.zero_hours
    assert (counts[:START, INDEPENDENT] > 1000).all()
    assert (counts[START:, welsh] == 0).all(), counts[START:, welsh]
    # English providers keep theirs, as in the baseline.
    assert (counts[:, ENGLAND_INDEPENDENT] > 1000).all()
    assert (baseline.zero_hours[START:, INDEPENDENT] > 1000).all()
    # The final worker table agrees.
    model = zero_hours_ban.model
    w = model.workers
    used = w.view()
    active = w.active[used]
    at_welsh = active & np.isin(w.sector[used], WELSH_EMPLOYERS)
    assert not w.zero_hours[used][at_welsh].any()
    assert w.zero_hours[used][active & (w.sector[used] == ENGLAND_INDEPENDENT)].any()
    assert model.policy.zero_hours_banned(START)
    assert not model.policy.zero_hours_banned(START - 1)


def test_zero_hours_ban_lowers_independent_care_worker_leavers(
    baseline: Run, zero_hours_ban: Run
) -> None:
    a = _outcome(baseline.metrics, ("independent",), ("care_worker",))
    b = _outcome(zero_hours_ban.metrics, ("independent",), ("care_worker",))
    # Lower on this seed and on seeds 1, 2 and 3 (about 4 % fewer).
    assert b["leaver_rate"] < a["leaver_rate"], (a["leaver_rate"], b["leaver_rate"])


def test_levers_started_before_the_run_are_in_force_from_month_0() -> None:
    """Regression: a start before the run's first month never reached ``month == start``."""
    overrides = {
        "policy": {
            "zero_hours": {"ban": True, "start": "2022-01"},
            "pay_framework": {"mode": "mandatory", "start": "2022-01"},
        }
    }
    run = _run(overrides, months=1)
    assert run.model.policy.zero_hours_banned(0)
    adopters = run.model.policy.framework_adopters
    assert (run.model.pay.step_group[adopters] == FRAMEWORK_GROUP).all()
    assert (run.zero_hours[0, list(WELSH_EMPLOYERS)] == 0).all()


# ----------------------------------------------------------------------------------------------
# 10. caseload cap


def _la_social_workers(metrics: pl.DataFrame) -> pl.DataFrame:
    return metrics.filter(
        (pl.col("sector") == "la") & (pl.col("role") == "social_worker") & (pl.col("headcount") > 0)
    )


def test_caseload_cap_caps_la_social_work_workload(baseline: Run, caseload_cap: Run) -> None:
    ratio = 14.0 / 16.0
    assert caseload_cap.model.policy.caseload_cap(START) == ratio
    assert caseload_cap.model.policy.caseload_cap(START - 1) == float("inf")
    rows = _la_social_workers(caseload_cap.metrics)
    before = rows.filter(pl.col("month") < LEVER_DATE)["workload_mean"]
    after = rows.filter(pl.col("month") >= LEVER_DATE)["workload_mean"]
    assert before.max() > ratio
    assert after.max() <= ratio + 1e-9, after.max()
    assert _la_social_workers(baseline.metrics)["workload_mean"].max() > ratio


def test_caseload_cap_lowers_burnout_and_calls_in_agency_cover(
    baseline: Run, caseload_cap: Run
) -> None:
    a = _outcome(baseline.metrics, ("la",), ("social_worker",))
    b = _outcome(caseload_cap.metrics, ("la",), ("social_worker",))
    assert b["workload"] < a["workload"]
    assert b["burnout"] < a["burnout"], (a["burnout"], b["burnout"])
    assert b["agency_fte"] > a["agency_fte"], (a["agency_fte"], b["agency_fte"])
    assert b["agency_spend"] > a["agency_spend"], (a["agency_spend"], b["agency_spend"])


# ----------------------------------------------------------------------------------------------
# 11. English pay


def test_england_pay_change_raises_english_care_pay_only(baseline: Run, england_pay: Run) -> None:
    sector = england_pay.model.employers.sector
    english = np.isin(sector, [SECTORS.index(s) for s in ENGLISH])
    welsh = ~english
    month = START
    np.testing.assert_array_equal(england_pay.pay[month][welsh], baseline.pay[month][welsh])
    np.testing.assert_allclose(
        england_pay.pay[month][np.ix_(english, [CARE_WORKER, SENIOR])],
        baseline.pay[month][np.ix_(english, [CARE_WORKER, SENIOR])] * 1.1,
        rtol=1e-12,
    )
    others = [r for r in range(len(ROLES)) if r not in (CARE_WORKER, SENIOR)]
    np.testing.assert_array_equal(
        england_pay.pay[month][np.ix_(english, others)],
        baseline.pay[month][np.ix_(english, others)],
    )
    a = _outcome(baseline.metrics, ("england_independent",), ("care_worker",))
    b = _outcome(england_pay.metrics, ("england_independent",), ("care_worker",))
    assert 1.08 < b["pay"] / a["pay"] < 1.12, (a["pay"], b["pay"])


def test_england_pay_change_draws_welsh_care_workers_over_the_border(
    baseline: Run, england_pay: Run
) -> None:
    def crossing(run: Run) -> int:
        return int(
            run.flows.filter(
                pl.col("origin").is_in(WELSH_CARE)
                & pl.col("destination").is_in(ENGLISH)
                & pl.col("role").is_in(["care_worker", "senior_care_worker"])
                & (pl.col("month") >= LEVER_DATE)
            )["count"].sum()
        )

    a, b = crossing(baseline), crossing(england_pay)
    assert a > 100
    # Higher on this seed (389 -> 539) and on seeds 1, 2 and 3.
    assert b > a, (a, b)


# ----------------------------------------------------------------------------------------------
# 12. demand


def test_faster_demand_growth_grows_funded_posts_unmet_hours_and_burnout(
    baseline: Run, demand: Run
) -> None:
    def growth(run: Run) -> float:
        totals = (
            run.metrics.filter(pl.col("sector").is_in(WELSH_CARE))
            .group_by("month")
            .agg(pl.col("funded_posts").sum())
            .sort("month")["funded_posts"]
        )
        return float(totals[-1] / totals[0])

    a, b = growth(baseline), growth(demand)
    assert a > 1.0
    # Three times the monthly growth: about three times the log growth.
    assert 2.5 < np.log(b) / np.log(a) < 3.5, (a, b)
    out_a = _outcome(baseline.metrics, WELSH_CARE)
    out_b = _outcome(demand.metrics, WELSH_CARE)
    assert out_b["unmet_hours"] > out_a["unmet_hours"]
    assert out_b["burnout"] > out_a["burnout"], (out_a["burnout"], out_b["burnout"])


# ----------------------------------------------------------------------------------------------
# malformed levers


@pytest.mark.parametrize(
    ("overrides", "key", "words"),
    [
        (
            {"policy": {"pay_framework": {"mode": "compulsory"}}},
            "policy.pay_framework.mode",
            ('"none"', '"voluntary"', '"mandatory"'),
        ),
        (
            {"policy": {"nhs_parity": {"gap_closed": 1.5}}},
            "policy.nhs_parity.gap_closed",
            ("range",),
        ),
        ({"policy": {"agency": {"roles": ["nurce"]}}}, "policy.agency.roles", ('"nurse"',)),
        (
            {"policy": {"nhs_parity": {"roles": ["occupational_therapists"]}}},
            "policy.nhs_parity.roles",
            ('did you mean "occupational_therapist"',),
        ),
        (
            {
                "policy": {
                    "pay_change": [
                        {"sector": "wales", "role": "care_worker", "fraction": 0.1, "start": LEVER}
                    ]
                }
            },
            "policy.pay_change[0].sector",
            ('"independent"', '"all"'),
        ),
        ({"policy": {"agency": {"cap": 0.5}}}, "policy.agency.cap", ("range",)),
        (
            {"policy": {"overseas_recruitment": {"close": "soon"}}},
            "policy.overseas_recruitment.close",
            ('"never"',),
        ),
    ],
    ids=["mode", "gap_closed", "agency_roles", "parity_roles", "pay_change_sector", "cap", "close"],
)
def test_malformed_lever_is_refused(overrides: dict, key: str, words: tuple[str, ...]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(overrides=overrides)
    assert caught.value.key == key
    message = str(caught.value)
    assert key in message
    for word in words:
        assert word in message, message


# ----------------------------------------------------------------------------------------------
# presets


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_scenario_preset_loads_and_differs_from_the_baseline(path: Path) -> None:
    config = load_config(path)
    baseline = load_config()
    changed = [table for table in baseline.data if config.data[table] != baseline.data[table]]
    assert changed, f"{path.name} resolves to the baseline config"
