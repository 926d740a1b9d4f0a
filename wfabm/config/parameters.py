"""The parameter schema: every key a config may set, its type, unit and allowed range.

The values themselves live in ``configs/baseline.toml`` (with their sources); this module
says what is allowed so that a bad config is refused with a clear message before anything
runs.
"""

from __future__ import annotations

from wfabm.core.schema import MapOf, Param
from wfabm.core.taxonomy import ROLES, SERVICES, WELSH_CARE_ROLES, WELSH_SOCIAL_CARE_ROLES
from wfabm.levers import SCHEMA_ORDER

_SERVICES = ("residential", "domiciliary", "supported_living", "day_services")
BASE_MONTH = "2022-04"
"""The one month a run can start in (``run.start``).

The initial workforce (``population.synthesise``) is the March 2022 workforce collection, and
the configured pay tables, vacancy rates and visa share are April 2022's; started later, that
workforce would meet another date's pay uplifts and policies, and earlier there are no pay
scales (``pay_scales.csv`` begins in April 2022).
"""


def _share(unit: str = "share") -> Param:
    return Param("float", unit, 0.0, 1.0)


def _num(unit: str, lo: float | None = None, hi: float | None = None) -> Param:
    return Param("float", unit, lo, hi)


def _int(unit: str, lo: int | None = None, hi: int | None = None) -> Param:
    return Param("int", unit, lo, hi)


def _by_role(value: Param, keys: tuple[str, ...] = ROLES, required: bool = True) -> MapOf:
    return MapOf(keys, value, required)


def _pay_table(roles: tuple[str, ...]) -> MapOf:
    return MapOf(roles, _num("£/hour", 0.0, 500.0), True)


_NHS_ROLES = ("healthcare_assistant", "occupational_therapist", "social_worker", "nurse")
_NAMED_ROLES = (
    "social_worker",
    "amhp",
    "occupational_therapist",
    "residential_child_care_worker",
    "registered_manager",
    "deputy_manager",
    "ancillary_worker",
    "administrator",
    "nurse",
)

SCHEMA: dict = {
    "run": {
        "start": Param(
            "month",
            "month",
            choices=(BASE_MONTH,),
            reason=(
                "the initial workforce is built from the March 2022 workforce collection, and "
                "the configured pay, vacancy rates and visa share are April 2022's, so a run "
                "from another month would start that month's market from 2022's figures"
            ),
        ),
        "months": _int("months", 1, 1200),
        "seed": _int("seed", 0, 2**63 - 1),
        "burn_in_months": _int("months", 0, 1200),
        "hold_age_profile": Param("bool", ""),
    },
    "workforce": {
        "total": _int("people", 1000, 10_000_000),
        "commissioned_share": _share(),
        "senior_care_worker_share": _share(),
        "headcount": MapOf(_NAMED_ROLES, _int("people", 0, 1_000_000), True),
        "la_share": MapOf(_NAMED_ROLES, _share(), True),
        "agency": {
            "care_worker_share_independent": _share(),
            "care_worker_share_la": _share(),
            "social_workers": _int("people", 0, 100_000),
        },
        "care_worker_services": MapOf(_SERVICES, _share(), True),
        "age_shares": MapOf(
            ("age_16_25", "age_26_35", "age_36_45", "age_46_55", "age_56_65", "age_66_70"),
            _share(),
            True,
        ),
        "contracts": {
            "care_part_time_share": _share(),
            "professional_part_time_share": _share(),
            "manager_part_time_share": _share(),
            "zero_hours_share_independent": _share(),
            "zero_hours_share_la": _share(),
            "full_time_hours": _num("hours/week", 1.0, 80.0),
            "part_time_mean_hours": _num("hours/week", 1.0, 80.0),
            "tenure_mean_years": _num("years", 0.1, 50.0),
            "initial_visa_share": _share(),
        },
    },
    "nhs_wales": {
        "healthcare_assistant_fte": _num("FTE", 0.0, 1e6),
        "nurse_fte": _num("FTE", 0.0, 1e6),
        "occupational_therapists": _int("people", 0, 1_000_000),
        "social_workers": _int("people", 0, 1_000_000),
        "fte_per_head": _num("FTE/person", 0.1, 1.0),
    },
    "england": {
        "population": _int("people", 1, 10**9),
        "social_care_jobs": _int("jobs", 0, 10**8),
        "la_share": _share(),
        "social_workers": _int("people", 0, 10**7),
        "occupational_therapists": _int("people", 0, 10**7),
        "amhps": _int("people", 0, 10**7),
        "registered_manager_share": _share(),
        "senior_care_worker_share": _share(),
        "deputy_manager_share": _share(),
        "ancillary_worker_share": _share(),
        "administrator_share": _share(),
        "nurse_share": _share(),
        "nhs_staff_per_head_as_wales": _num("ratio", 0.0, 10.0),
    },
    "employers": {
        "statutory_team_size": _int("people", 2, 10_000),
        "provider_size_sigma": _num("log-sd", 0.0, 3.0),
        "visa_sponsor_share": _share(),
        "funded_post_growth": _num("per year", -0.5, 0.5),
        "nhs_post_growth": _num("per year", -0.5, 0.5),
        "vacancy_trigger": _share(),
        "vacancy_months": _int("months", 1, 120),
        "pay_response_step": _share(),
        "fee_surplus": _num("share", -1.0, 1.0),
        "staff_cost_share": _num("share", 0.05, 1.0),
        "vacancy_rate": _by_role(Param("float", "share", 0.0, 0.9)),
        "england_vacancy_rate": _by_role(Param("float", "share", 0.0, 0.9)),
        "held_vacant_share": _by_role(_share()),
        "agency_cover": _by_role(_share()),
        "provider_median_size": MapOf(
            (*_SERVICES, "childrens_residential"), _num("people", 1.0, 10_000.0), True
        ),
    },
    "pay": {
        "points": _int("pay points", 1, 20),
        "growth_after_data": _num("per year", -0.5, 0.5),
        "uplifts": Param("bool", ""),
        "independent_step_factor": _num("ratio", 0.0, 2.0),
        "england_premium_social_worker": _num("share", -0.5, 1.0),
        "agency_markup_care": _num("share", -0.5, 3.0),
        "agency_markup_professional": _num("share", -0.5, 3.0),
        "agency_charge_ratio": _num("ratio", 1.0, 5.0),
        "provider_premium_sd": _num("share", 0.0, 1.0),
        "la_spread_sd": _num("share", 0.0, 1.0),
        "typical_earnings": _num("£/hour", 0.01, 500.0),
        "typical_earnings_growth": _num("per year", -0.5, 1.0),
        "point_step": _by_role(_num("share", 0.0, 1.0)),
        "la": _pay_table(WELSH_CARE_ROLES),
        "independent": _pay_table(WELSH_SOCIAL_CARE_ROLES),
        "nhs": _pay_table(_NHS_ROLES),
        "england_la": _pay_table(
            (
                "care_worker",
                "senior_care_worker",
                "social_worker",
                "occupational_therapist",
                "amhp",
                "registered_manager",
                "deputy_manager",
                "ancillary_worker",
                "administrator",
            )
        ),
        "england_independent": _pay_table(
            (
                "care_worker",
                "senior_care_worker",
                "registered_manager",
                "deputy_manager",
                "ancillary_worker",
                "administrator",
                "nurse",
            )
        ),
        "england_nhs": _pay_table(_NHS_ROLES),
        "outside_option": _by_role(_num("× Real Living Wage", 0.1, 20.0)),
    },
    "burnout": {
        "tolerable_workload": _num("ratio", 0.1, 10.0),
        "tolerance_sd": _num("ratio", 0.0, 5.0),
        "rise_rate": _num("per month", 0.0, 5.0),
        "recovery_rate": _share("share per month"),
        "contagion": _share("share per month"),
        "noise_sd": _num("burnout units", 0.0, 1.0),
        "initial_mean": Param("float", "burnout (0-1)", 0.01, 0.99),
        "initial_concentration": _num("Beta concentration", 0.1, 1000.0),
        "absence_base": _share("share of time"),
        "absence_burnout": _num("ratio", 0.0, 20.0),
        "agency_workload": _num("ratio", 0.0, 10.0),
    },
    "exits": {
        "retirement_mean_age": _num("years", 40.0, 90.0),
        "retirement_age_sd": _num("years", 0.1, 20.0),
        "intent_burnout": _num("log-odds per unit burnout", -20.0, 20.0),
        "intent_workload": _num("log-odds", -20.0, 20.0),
        "intent_pay": _num("log-odds per log pay", -20.0, 20.0),
        "intent_pay_gap": _num("log-odds per log pay below typical earnings", 0.0, 100.0),
        "intent_terms": _num("log-odds at no NHS terms", -20.0, 20.0),
        "intent_zero_hours": _num("log-odds", -20.0, 20.0),
        "intent_new_starter": _num("log-odds", -20.0, 20.0),
        "intent_young": _num("log-odds", -20.0, 20.0),
        "intent_exit_odds_ratio": _num("odds ratio", 0.01, 100.0),
        "england_care_intent": _num("log-odds", -20.0, 20.0),
        "intent_base": _by_role(_num("log-odds", -20.0, 20.0)),
        "leave_base": _by_role(_share("probability per year")),
        "leave_burnout": _share("probability per year at full burnout"),
    },
    "search": {
        "intent_log_odds": _num("log-odds", -20.0, 20.0),
        "pay_gap_log_odds": _num("log-odds per log pay", -50.0, 50.0),
        "choice_set_size": _int("vacancies", 1, 50),
        "base_log_odds": _by_role(_num("log-odds per month", -20.0, 5.0)),
        "commute_km": _by_role(_num("km", 0.0, 500.0)),
    },
    "choice": {
        "hours_security": _num("utility", -20.0, 20.0),
        "workload": _num("utility per unit workload", -20.0, 20.0),
        "nhs_terms": _num("utility", -20.0, 20.0),
        "la_terms": _share("share of the NHS terms"),
        "commute_per_10km": _num("utility per 10 km", -20.0, 20.0),
        "switching_cost": _num("utility", -20.0, 20.0),
        "sector_change_cost": _num("utility", -20.0, 20.0),
        "cross_border_cost": _num("utility", -20.0, 20.0),
        "referral_bonus": _num("utility", -20.0, 20.0),
        "stay_burnout": _num("utility per unit burnout", -20.0, 20.0),
        "pay": _by_role(_num("utility per log pay", 0.0, 100.0)),
        "pay_service": MapOf(SERVICES, _num("× choice.pay", 0.0, 20.0), True),
    },
    "inflows": {
        "entry_pay_elasticity": _num("elasticity", -10.0, 20.0),
        "returner_share": _share(),
        "graduate_month": _int("calendar month", 1, 12),
        "social_work_graduates": _num("people per year", 0.0, 1e6),
        "occupational_therapy_graduates": _num("people per year", 0.0, 1e6),
        "nursing_graduates": _num("people per year", 0.0, 1e6),
        "wales_share_of_uk_visas": _share(),
        "england_border_share_of_uk_visas": _share(),
        "fill_rate": _by_role(_share("share per month")),
        "fill_congestion": _num("per unit vacancy rate", 0.0, 50.0),
        "uk_care_visas": MapOf(
            ("y2022", "y2023", "y2024", "y2025", "after_data"),
            _num("visas per year", 0.0, 1e7),
            True,
        ),
    },
    "progression": {
        "senior_promotion_rate": _share("probability per year"),
        "promotion_experience_months": _int("months", 0, 600),
        "amhp_warrant_rate": _share("probability per year"),
        "hca_to_nurse_rate": _share("probability per year"),
    },
    "network": {
        "colleague_degree": _int("ties", 0, 50),
        "rewire": _share("probability"),
        "friend_degree": _num("ties", 0.0, 50.0),
    },
    # Each lever owns its entry; SCHEMA_ORDER keeps the tables in their documented order.
    "policy": {lever.table: lever.schema for lever in SCHEMA_ORDER},
}
