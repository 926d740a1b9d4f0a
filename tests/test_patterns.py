"""The six patterns of MODEL.md, each a scenario pair on common seeds or a baseline property.

1. Moves climb a hierarchy: independent sector -> local authority -> NHS, rarely the reverse.
2. Occupational therapists drain from local authorities to the NHS while the pay and terms gap
   lasts; parity stops it.
3. Border authorities lose more social workers to England than inland ones, and an English
   pay rise widens the gap.
4. A 10p-an-hour lead at independent providers keeps their care workers and leaves them
   better staffed than their neighbours.
5. The doom loop: more work for the same staff raises burnout and exits, and turnover rises
   faster than linearly with demand.
6. Closing the overseas route raises independent-sector care-worker vacancies, more than
   local authority ones, and most where overseas recruits were most used.

Every scenario runs on the same seeds as the baseline (common random numbers), and counts are
pooled over the seeds. The baseline runs once per seed for 72 months and is shared by every
pattern; a pattern observed over fewer months reads the baseline's first months, which are
the same as those of a shorter run.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from wfabm.batch.compare import comparison_seeds
from wfabm.config import load_config
from wfabm.core.taxonomy import (
    CARE_WORKER,
    ENGLISH_SECTORS,
    INDEPENDENT,
    LA,
    SENIOR_CARE_WORKER,
    SERVICE_INDEX,
)
from wfabm.model.workforce import WorkforceModel

SEEDS = comparison_seeds(20220401, 2)
BASELINE_MONTHS = 72  # to March 2028: two years of NHS parity for OTs from April 2026
PARITY_START = dt.date(2026, 4, 1)
AFTER_PARITY = dt.date(2028, 4, 1)
BORDER = ("W06000005", "W06000006", "W06000023", "W06000021")  # Flintshire Wrexham Powys Monm.
NEWPORT = "W06000022"  # commutes over the Severn: neither border nor inland
CARE_ROLES = ("care_worker", "senior_care_worker", "healthcare_assistant")


def _date(months: int) -> dt.date:
    return dt.date(2022 + (3 + months) // 12, (3 + months) % 12 + 1, 1)


def _run(model: WorkforceModel, months: int) -> dict:
    model.run(months)
    return {
        "model": model,
        "metrics": model.metrics,
        "flows": model.flows,
        "events": model.events(),
    }


def _scenario(overrides: dict, months: int) -> list[dict]:
    config = load_config(overrides=overrides)
    return [_run(WorkforceModel(config, seed=seed), months) for seed in SEEDS]


@pytest.fixture(scope="module")
def baseline() -> list[dict]:
    return [_run(WorkforceModel(seed=seed), BASELINE_MONTHS) for seed in SEEDS]


def _moves(runs: list[dict], origin: str, destination: str, roles, start, end) -> int:
    total = 0
    for run in runs:
        flows = run["flows"]
        total += flows.filter(
            (pl.col("origin") == origin)
            & (pl.col("destination") == destination)
            & pl.col("role").is_in(list(roles))
            & (pl.col("month") >= start)
            & (pl.col("month") < end)
        )["count"].sum()
    return int(total)


# ----------------------------------------------------------------------------------------------
# 1. the hierarchy of moves


@pytest.mark.parametrize(
    ("lower", "higher"), [("independent", "la"), ("la", "nhs"), ("independent", "nhs")]
)
def test_care_staff_move_up_the_hierarchy_and_rarely_back(
    baseline: list[dict], lower: str, higher: str
) -> None:
    start, end = _date(0), _date(24)
    up = _moves(baseline, lower, higher, CARE_ROLES, start, end)
    down = _moves(baseline, higher, lower, CARE_ROLES, start, end)
    assert up > 100, up
    # "Rarely the reverse": fewer than half as many moves back down as up.
    assert down < 0.5 * up, (up, down)


# ----------------------------------------------------------------------------------------------
# 2. occupational therapists drain to the NHS; parity stops it


@pytest.fixture(scope="module")
def ot_parity() -> list[dict]:
    config = load_config("scenarios/nhs_parity_occupational_therapists")
    return [_run(WorkforceModel(config, seed=seed), BASELINE_MONTHS) for seed in SEEDS]


def _net_ot_drain(runs: list[dict], start: dt.date, end: dt.date) -> int:
    role = ("occupational_therapist",)
    return _moves(runs, "la", "nhs", role, start, end) - _moves(runs, "nhs", "la", role, start, end)


def test_occupational_therapists_drain_to_the_nhs_while_the_gap_lasts(
    baseline: list[dict],
) -> None:
    before = _net_ot_drain(baseline, _date(0), PARITY_START)
    after = _net_ot_drain(baseline, PARITY_START, AFTER_PARITY)
    assert before > 0, before
    assert after > 0, after


def test_nhs_parity_stops_the_occupational_therapist_drain(
    baseline: list[dict], ot_parity: list[dict]
) -> None:
    # Identical until parity starts (common random numbers).
    assert _net_ot_drain(ot_parity, _date(0), PARITY_START) == _net_ot_drain(
        baseline, _date(0), PARITY_START
    )
    assert _net_ot_drain(ot_parity, PARITY_START, AFTER_PARITY) <= 0


# ----------------------------------------------------------------------------------------------
# 3. border authorities lose social workers to England


@pytest.fixture(scope="module")
def english_social_worker_pay() -> list[dict]:
    """English employers pay social workers 10 % more from the start; Wales does not respond."""
    lever = {"pay_change": 0.10, "roles": ["social_worker"], "start": "2022-04"}
    return _scenario({"policy": {"england": lever}}, 36)


def _loss_to_england(runs: list[dict]) -> tuple[float, float]:
    """Local authority social workers moving to English employers in 36 months, per 1,000."""
    lost = {"border": 0, "inland": 0}
    staff = {"border": 0, "inland": 0}
    for run in runs:
        model = run["model"]
        geography, employers = model.geography, model.employers
        codes = np.array(geography.codes)
        group = np.where(
            np.isin(codes, BORDER),
            "border",
            np.where(geography.welsh & (codes != NEWPORT), "inland", ""),
        )
        moves = run["events"].filter(
            (pl.col("kind") == "move")
            & (pl.col("origin_role") == "social_worker")
            & (pl.col("month") < _date(36))
        )
        origin = moves["origin_employer"].to_numpy()
        destination = moves["destination_employer"].to_numpy()
        out = (employers.sector[origin] == LA) & np.isin(
            employers.sector[destination], ENGLISH_SECTORS
        )
        first = run["metrics"].filter(
            (pl.col("month") == _date(0))
            & (pl.col("sector") == "la")
            & (pl.col("role") == "social_worker")
        )
        for name in lost:
            lost[name] += int((group[employers.la[origin[out]]] == name).sum())
            staff[name] += int(
                first.filter(pl.col("local_authority").is_in(codes[group == name].tolist()))[
                    "headcount"
                ].sum()
            )
    return 1000 * lost["border"] / staff["border"], 1000 * lost["inland"] / staff["inland"]


def test_border_authorities_lose_more_social_workers_to_england(baseline: list[dict]) -> None:
    border, inland = _loss_to_england(baseline)
    assert border > 2 * inland, (border, inland)


def test_english_pay_rise_widens_the_border_gap(
    baseline: list[dict], english_social_worker_pay: list[dict]
) -> None:
    border, inland = _loss_to_england(baseline)
    border_after, inland_after = _loss_to_england(english_social_worker_pay)
    assert border_after > border
    assert border_after - inland_after > border - inland, (
        border,
        inland,
        border_after,
        inland_after,
    )


# ----------------------------------------------------------------------------------------------
# 4. a 10p lead pulls staff from neighbours

LEAD = 0.10  # £ an hour
LEAD_SEEDS = comparison_seeds(20220401, 16)  # the effects are about 1 %: 16 seeds measure ±0.5 %
LEAD_MONTHS = 12


def _leaders(model: WorkforceModel) -> tuple[np.ndarray, np.ndarray]:
    """Half the Welsh independent care providers lead; the other half are their neighbours."""
    employers = model.employers
    services = [SERVICE_INDEX[name] for name in ("residential", "domiciliary", "supported_living")]
    providers = np.flatnonzero(
        (employers.sector == INDEPENDENT)
        & np.isin(employers.service, services)
        & (employers.funded[:, CARE_WORKER] >= 5)
    )
    leaders = np.random.default_rng(10).choice(providers, len(providers) // 2, replace=False)
    return np.sort(leaders), np.setdiff1d(providers, leaders)


def _lead_outcomes(model: WorkforceModel) -> dict[str, float]:
    """Care workers leaving leaders for other employers, and both groups' vacancy rates."""
    employers = model.employers
    leaders, neighbours = _leaders(model)
    moves = model.events().filter(
        (pl.col("kind") == "move") & (pl.col("origin_role") == "care_worker")
    )
    origin = moves["origin_employer"].to_numpy()
    destination = moves["destination_employer"].to_numpy()
    lost = np.isin(origin, leaders) & ~np.isin(destination, leaders)
    pulled = np.isin(origin, neighbours) & np.isin(destination, leaders)
    posts = np.floor(employers.funded[:, CARE_WORKER] + 1e-9)
    vacant = np.maximum(posts - model.state.cells.headcount_matrix()[:, CARE_WORKER], 0.0)
    return {
        "lost": float(lost.sum()),
        "pulled": float(pulled.sum()),
        "leader_vacancy": vacant[leaders].sum() / posts[leaders].sum(),
        "neighbour_vacancy": vacant[neighbours].sum() / posts[neighbours].sum(),
    }


@pytest.fixture(scope="module")
def pay_lead() -> dict[str, list[dict[str, float]]]:
    """Baseline and 10p-lead runs on sixteen seeds (one pay point is a small effect to see).

    The leaders pay 10p more from the start, so their fee is set for that pay, as every
    provider's fee is set for the premium it starts with (ODD 7.1): leaders and neighbours
    keep the same room to respond to vacancies, and the pair differs only in pay.
    """
    outcomes: dict[str, list[dict[str, float]]] = {"baseline": [], "lead": []}
    for seed in LEAD_SEEDS:
        for label, runs in outcomes.items():
            model = WorkforceModel(seed=seed)
            if label == "lead":
                employers = model.employers
                leaders, _ = _leaders(model)
                before = employers.pay[leaders, CARE_WORKER].copy()
                # Pay is floor x (1 + premium): this premium adds 10p at today's floor, and
                # the lead grows with the floor after each uplift.
                lead = LEAD / (before / (1.0 + employers.premium[leaders]))
                employers.premium[leaders] += lead
                employers.funded_premium[leaders] += lead
                model.pay.refresh_floor_linked()
                np.testing.assert_allclose(employers.pay[leaders, CARE_WORKER] - before, LEAD)
            runs.append(_lead_outcomes(model.run(LEAD_MONTHS)))
    return outcomes


def test_a_10p_lead_keeps_staff_that_would_have_left(pay_lead: dict) -> None:
    lost_before = sum(run["lost"] for run in pay_lead["baseline"])
    lost = sum(run["lost"] for run in pay_lead["lead"])
    # The lead is about 1 % of pay; sixteen seeds measure the change in moves to about
    # ±0.5 %, so only the direction is asserted (the size measured is in docs/CALIBRATION.md).
    assert lost < lost_before, (lost_before, lost)


def test_a_10p_lead_pulls_care_workers_from_neighbours(pay_lead: dict) -> None:
    """More of the neighbours' care workers move to the leaders, though the leaders, keeping
    their own staff, have fewer posts open to take them."""
    pulled_before = sum(run["pulled"] for run in pay_lead["baseline"])
    pulled = sum(run["pulled"] for run in pay_lead["lead"])
    assert pulled > pulled_before, (pulled_before, pulled)


def test_a_10p_lead_staffs_leaders_at_their_neighbours_expense(pay_lead: dict) -> None:
    def gap(runs: list[dict[str, float]]) -> float:
        return float(np.mean([run["leader_vacancy"] - run["neighbour_vacancy"] for run in runs]))

    # The lead narrows the gap by about 0.001 (sixteen seeds): 0.002 was asserted while
    # ancillary and office staff were counted as care workers; separating them moved the
    # baseline (the providers' care-worker vacancy rates), and the size with it.
    assert gap(pay_lead["lead"]) < gap(pay_lead["baseline"]) - 0.0005, (
        gap(pay_lead["baseline"]),
        gap(pay_lead["lead"]),
    )


# ----------------------------------------------------------------------------------------------
# 5. the doom loop

DEMAND = (1.0, 1.1, 1.2)
WELSH_CARE = ["la", "independent"]


@pytest.fixture(scope="module")
def demand_runs(baseline: list[dict]) -> dict[float, list[dict]]:
    """Welsh social care employers with 10 % and 20 % more funded posts from the start."""
    runs = {1.0: baseline}
    for factor in DEMAND[1:]:
        runs[factor] = []
        for seed in SEEDS:
            model = WorkforceModel(seed=seed, record_events=False)
            welsh = np.isin(model.employers.sector, (LA, INDEPENDENT))
            model.employers.funded[welsh] *= factor
            runs[factor].append(_run(model, 12))
    return runs


def _year(runs: list[dict], start: int = 0) -> dict[str, float]:
    """Welsh local authority and independent staff over the 12 months from month ``start``.

    Rates are per mean headcount (leavers, and departures from these employers: leavers who
    did not move to another Welsh local authority or independent employer) or per funded post
    (vacancies); burnout and workload are headcount-weighted means.
    """
    leavers = departures = headcount = vacancies = posts = burnout = workload = 0.0
    first, last = _date(start), _date(start + 12)
    for run in runs:
        year = run["metrics"].filter(
            (pl.col("month") >= first)
            & (pl.col("month") < last)
            & pl.col("sector").is_in(WELSH_CARE)
        )
        leavers += year["leavers"].sum()
        headcount += year["headcount"].sum() / 12
        vacancies += year["vacancies"].sum()
        posts += year["funded_posts"].sum()
        burnout += (year["burnout_mean"].fill_nan(0.0) * year["headcount"]).sum() / 12
        workload += (year["workload_mean"].fill_nan(0.0) * year["headcount"]).sum() / 12
        departures += (
            run["flows"]
            .filter(
                (pl.col("month") >= first)
                & (pl.col("month") < last)
                & pl.col("origin").is_in(WELSH_CARE)
                & ~pl.col("destination").is_in(WELSH_CARE)
            )["count"]
            .sum()
        )
    return {
        "leaver_rate": leavers / headcount,
        "departure_rate": departures / headcount,
        "vacancy_rate": vacancies / posts,
        "burnout": burnout / headcount,
        "workload": workload / headcount,
    }


def test_more_demand_raises_vacancies_burnout_and_turnover(
    demand_runs: dict[float, list[dict]],
) -> None:
    years = [_year(demand_runs[factor]) for factor in DEMAND]
    for outcome in ("vacancy_rate", "burnout", "leaver_rate"):
        values = [year[outcome] for year in years]
        assert values[0] < values[1] < values[2], (outcome, values)


# Rising demand: the yearly growth of funded social care posts (1 % in the baseline) times
# 1 to 10 (the range the demand lever allows), observed in the third year (April 2024 - March
# 2025).
GROWTH = (1.0, 2.5, 4.0, 5.5, 7.0, 8.5, 10.0)
GROWTH_MONTHS = 36
GROWTH_YEAR = 24  # first month of the year observed
ROOMY_FEES = {"fee_surplus": 1.0}  # fees that leave room for any pay rise


def _premium(model: WorkforceModel) -> float:
    """Welsh independent providers' mean pay premium, weighted by their funded care posts."""
    employers = model.employers
    posts = employers.funded[:, [CARE_WORKER, SENIOR_CARE_WORKER]].sum(axis=1)
    posts = np.where(employers.sector == INDEPENDENT, posts, 0.0)
    return float((employers.premium * posts).sum() / posts.sum())


def _third_year(run: dict) -> dict[str, float]:
    return _year([run], GROWTH_YEAR) | {"premium": _premium(run["model"])}


def _growth_scenario(
    growth: float, exits: dict | None = None, employers: dict | None = None
) -> list[dict[str, float]]:
    """Third-year outcomes of each seed; the models are not kept (there are many)."""
    overrides: dict = {"policy": {"demand": {"growth": growth}}}
    if exits is not None:
        overrides["exits"] = exits
    if employers is not None:
        overrides["employers"] = employers
    config = load_config(overrides=overrides)
    return [
        _third_year(_run(WorkforceModel(config, seed=seed, record_events=False), GROWTH_MONTHS))
        for seed in SEEDS
    ]


@pytest.fixture(scope="module")
def growth_runs(baseline: list[dict]) -> dict[float, list[dict[str, float]]]:
    """Third-year outcomes of each seed at each demand growth (the baseline is growth 1).

    Growth 1 has no premium: the baseline runs past the third year, so its providers'
    premiums are those of a later month.
    """
    observed = {1.0: [_year([run], GROWTH_YEAR) for run in baseline]}
    return observed | {growth: _growth_scenario(growth) for growth in GROWTH[1:]}


@pytest.fixture(scope="module")
def damped_growth_runs() -> dict[float, list[dict[str, float]]]:
    """The same, with burnout's link to the intent to leave cut."""
    damped = {"intent_burnout": 0.0}
    return {growth: _growth_scenario(growth, damped) for growth in GROWTH}


@pytest.fixture(scope="module")
def roomy_fee_growth_runs() -> dict[float, list[dict[str, float]]]:
    """The same, with fees that let providers raise pay as far as their vacancies ask."""
    return {growth: _growth_scenario(growth, employers=ROOMY_FEES) for growth in GROWTH}


def _mean(runs: dict[float, list[dict[str, float]]], growth: float, outcome: str) -> float:
    return float(np.mean([seed[outcome] for seed in runs[growth]]))


def _curvature(runs: dict[float, list[dict[str, float]]], outcome: str = "leaver_rate") -> float:
    """Least-squares quadratic coefficient of an outcome against growth, mean over seeds.

    Positive when the outcome rises faster than linearly. Fitted to each seed's seven points,
    so the seeds' noise enters through seven runs each rather than a difference of three.
    """
    growth = np.array(GROWTH)
    values = np.array([[seed[outcome] for seed in runs[g]] for g in GROWTH])  # (growth, seed)
    return float(np.mean([np.polyfit(growth, column, 2)[0] for column in values.T]))


def test_rising_demand_raises_vacancies_workload_burnout_and_turnover(
    growth_runs: dict[float, list[dict[str, float]]],
) -> None:
    """Each link of the chain rises with demand growth, on common seeds.

    A one-off rise in funded posts is a transient: outside hiring fills a share of the open
    posts each month, so the vacancy stock returns toward the level that turnover sustains.
    Demand that keeps rising is the sustained pressure of the claim ("rising demand"): the
    extra posts opened each month keep vacancies up, and the feedback has two years to
    compound before the year observed.
    """
    for outcome in ("vacancy_rate", "workload", "burnout", "leaver_rate"):
        values = [_mean(growth_runs, growth, outcome) for growth in GROWTH[::3]]
        assert values[0] < values[1] < values[2], (outcome, values)


def test_burnout_amplifies_the_turnover_response_to_demand(
    growth_runs: dict[float, list[dict[str, float]]],
    damped_growth_runs: dict[float, list[dict[str, float]]],
) -> None:
    """The burnout -> exit link: the same rise in demand raises turnover more when burnout
    raises the intent to leave than when that link is cut (same seeds)."""
    low, high = GROWTH[0], GROWTH[-1]

    def rise(runs):
        return _mean(runs, high, "leaver_rate") - _mean(runs, low, "leaver_rate")

    assert rise(growth_runs) > rise(damped_growth_runs) > 0, (
        rise(growth_runs),
        rise(damped_growth_runs),
    )


def test_turnover_rises_faster_than_linearly_with_demand(
    growth_runs: dict[float, list[dict[str, float]]],
    damped_growth_runs: dict[float, list[dict[str, float]]],
) -> None:
    """Turnover against rising demand is convex, and the doom loop is what bends it.

    Leavers open vacancies, vacancies raise the workload of those who stay, workload raises
    burnout and burnout raises exits; a loop whose gain grows with the pressure makes turnover
    rise faster than linearly with demand. Turnover in the third year is fitted against seven
    growth rates from 1 to 10 times the baseline's, seed by seed: its quadratic coefficient
    must be positive, and larger than with burnout's link to leaving cut (same seeds).

    This specification replaces a first one, a comparison of the two steps between growth 1,
    4 and 7 on two seeds, which failed (docs/CALIBRATION.md gives both): a difference of
    three runs per seed scatters by about half a point, more than the curvature it tests.
    """
    convex, damped = _curvature(growth_runs), _curvature(damped_growth_runs)
    assert convex > damped, (convex, damped)
    assert convex > 0, convex


def test_fee_limits_stop_the_pay_response_from_damping_the_loop(
    growth_runs: dict[float, list[dict[str, float]]],
    roomy_fee_growth_runs: dict[float, list[dict[str, float]]],
) -> None:
    """Providers with many unfilled posts cannot afford to raise pay (employers.fee_surplus).

    With fees that leave room for any rise, providers under the most pressure raise pay the
    most, which lowers intent and search and flattens the turnover curve; with the fees of
    the baseline they raise it less at high demand, and turnover bends upward more.
    """
    high = GROWTH[-1]
    assert _mean(growth_runs, high, "premium") < _mean(roomy_fee_growth_runs, high, "premium")
    limited, roomy = _curvature(growth_runs), _curvature(roomy_fee_growth_runs)
    assert limited > roomy, (limited, roomy)


# ----------------------------------------------------------------------------------------------
# 6. closing the overseas route


@pytest.fixture(scope="module")
def overseas_open() -> list[dict]:
    return _scenario({"policy": {"overseas_recruitment": {"close": "never"}}}, 60)


def _vacancy_rates(runs: list[dict], sector: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    frames = [
        run["metrics"].filter(
            (pl.col("sector") == sector)
            & (pl.col("role") == "care_worker")
            & (pl.col("month") >= start)
            & (pl.col("month") < end)
        )
        for run in runs
    ]
    return (
        pl.concat(frames)
        .group_by("local_authority")
        .agg(pl.col("vacancies").sum(), pl.col("funded_posts").sum())
        .sort("local_authority")
    )


def _rate(frame: pl.DataFrame) -> float:
    return frame["vacancies"].sum() / frame["funded_posts"].sum()


def test_closing_the_overseas_route_raises_independent_care_vacancies_most(
    baseline: list[dict], overseas_open: list[dict]
) -> None:
    start, end = _date(48), _date(60)  # April 2026 to March 2027, after the closure
    rise = {
        sector: _rate(_vacancy_rates(baseline, sector, start, end))
        - _rate(_vacancy_rates(overseas_open, sector, start, end))
        for sector in ("independent", "la")
    }
    assert rise["independent"] > 0.002, rise
    assert rise["independent"] > rise["la"], rise


def test_closing_the_overseas_route_hits_hardest_where_recruits_were_most_used(
    baseline: list[dict], overseas_open: list[dict]
) -> None:
    start, end = _date(48), _date(60)
    closed = _vacancy_rates(baseline, "independent", start, end)
    open_route = _vacancy_rates(overseas_open, "independent", start, end)
    # Where recruits work: visa holders per independent care worker at the end of the
    # baseline (recruits are tied to sponsors, so they stay where they were placed).
    visa_share = np.zeros(closed.height)
    for run in baseline:
        model = run["model"]
        w = model.workers
        rows = np.flatnonzero(w.active[: w.view().stop])
        care = rows[(w.sector[rows] == INDEPENDENT) & (w.role[rows] == CARE_WORKER)]
        la = model.employers.la[w.employer[care]]
        size = len(model.geography.codes)
        holders = np.bincount(la, weights=w.visa[care], minlength=size)
        staff = np.bincount(la, minlength=size)
        by_code = dict(zip(model.geography.codes, holders / np.maximum(staff, 1), strict=True))
        visa_share += np.array([by_code[code] for code in closed["local_authority"]])
    assert closed.height == 22
    most = visa_share >= np.median(visa_share)

    def rise(group: np.ndarray) -> float:
        return _rate(closed.filter(pl.Series(group))) - _rate(open_route.filter(pl.Series(group)))

    assert rise(most) > rise(~most) > 0, (rise(most), rise(~most))
