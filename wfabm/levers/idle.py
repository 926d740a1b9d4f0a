"""Which policy levers are switched on, when each first acts, and those a run never reaches.

A lever set to start after a run's last month changes nothing in that run; that is almost
always a mistake in the config (a start date a decade out, or a run cut short with
``--months``), so it is reported as an :class:`IdleLeverWarning` rather than ignored.
"""

from __future__ import annotations

from wfabm.core.calendar import month_date, parse_month
from wfabm.levers.agency_cap import AgencyCap
from wfabm.levers.base import Lever, LeverStart
from wfabm.levers.caseload import CaseloadCap
from wfabm.levers.england_pay import EnglandPay
from wfabm.levers.nhs_parity import NhsParity
from wfabm.levers.pay_change import PayChanges
from wfabm.levers.pay_framework import PayFramework
from wfabm.levers.social_worker_terms import SocialWorkerTerms
from wfabm.levers.training import Training
from wfabm.levers.wellbeing import Wellbeing
from wfabm.levers.zero_hours import ZeroHours

__all__ = ["WARNING_ORDER", "IdleLeverWarning", "LeverStart", "idle_levers", "lever_starts"]

WARNING_ORDER: tuple[type[Lever], ...] = (
    PayChanges,
    PayFramework,
    NhsParity,
    SocialWorkerTerms,
    AgencyCap,
    Wellbeing,
    ZeroHours,
    CaseloadCap,
    EnglandPay,
    Training,
)
"""The levers that can be idle, in the order their warnings are given (the other levers act
from the first month, or on a date rather than from a start)."""


class IdleLeverWarning(UserWarning):
    """A policy lever is switched on but never acts within the run."""


def lever_starts(config: dict) -> list[LeverStart]:
    """List the levers a config switches on, with the month each first acts.

    A lever counts as switched on when it would change something: a non-zero pay change,
    a framework mode other than ``"none"``, parity with roles and a gap to close, and so
    on, as each lever class's :meth:`~wfabm.levers.base.Lever.first_acts` says.

    Args:
        config: The resolved configuration (a nested dict).

    Returns:
        One entry per switched-on lever, in :data:`WARNING_ORDER`; none for a config without
        a ``[policy]`` table (as under a stand-in schema).
    """
    policy = config.get("policy")
    if policy is None:
        return []
    run_start = parse_month(config["run"]["start"])
    return [
        start
        for lever in WARNING_ORDER
        for start in lever.first_acts(policy[lever.table], run_start)
    ]


def idle_levers(config: dict, months: int) -> list[str]:
    """Say which switched-on levers never act in a run of ``months`` months.

    Args:
        config: The resolved configuration (a nested dict).
        months: Months the run covers from its first month (``run.start``).

    Returns:
        One sentence per lever that would first act after the run's last month.
    """
    found = []
    for lever in lever_starts(config):
        if lever.month < months:
            continue
        run_start = parse_month(config["run"]["start"])
        last = month_date(run_start, months - 1)
        acts = month_date(run_start, lever.month)
        when = f" ({lever.when})" if lever.when else ""
        found.append(
            f"{lever.key}: the lever first acts in {acts:%Y-%m}{when}, after the run's last "
            f"month ({last:%Y-%m}), so it never acts in this run; start it earlier or run longer."
        )
    return found
