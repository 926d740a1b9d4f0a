"""Which policy levers are switched on, when each first acts, and those a run never reaches.

A lever set to start after a run's last month changes nothing in that run; that is almost
always a mistake in the config (a start date a decade out, or a run cut short with
``--months``), so it is reported as an :class:`IdleLeverWarning` rather than ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wfabm.levers.policy import months_between

__all__ = ["IdleLeverWarning", "LeverStart", "idle_levers", "lever_starts"]


class IdleLeverWarning(UserWarning):
    """A policy lever is switched on but never acts within the run."""


@dataclass(frozen=True)
class LeverStart:
    """When a switched-on lever first acts.

    Attributes:
        key: The dotted config key of its start, e.g. ``"policy.zero_hours.start"``.
        month: Months from the run's first month to the month it first acts (may be < 0).
        when: Why it first acts then, where that is not its start, for messages.
    """

    key: str
    month: int
    when: str = ""


def lever_starts(config: dict) -> list[LeverStart]:
    """List the levers a config switches on, with the month each first acts.

    A lever counts as switched on when it would change something: a non-zero pay change,
    a framework mode other than ``"none"``, parity with roles and a gap to close, and so
    on, as :class:`wfabm.levers.policy.Policy` applies them.

    Args:
        config: The resolved configuration (a nested dict).

    Returns:
        One entry per switched-on lever, in config order; none for a config without a
        ``[policy]`` table (as under a stand-in schema).
    """
    policy = config.get("policy")
    if policy is None:
        return []
    run_start = dt.date.fromisoformat(config["run"]["start"] + "-01")
    starts: list[LeverStart] = []

    def add(key: str, text: str, delay: int = 0, when: str = "") -> None:
        starts.append(LeverStart(key, months_between(run_start, text) + delay, when))

    for index, entry in enumerate(policy["pay_change"]):
        if entry["fraction"] != 0.0:
            add(f"policy.pay_change[{index}].start", entry["start"])
    if policy["pay_framework"]["mode"] != "none":
        add("policy.pay_framework.start", policy["pay_framework"]["start"])
    parity = policy["nhs_parity"]
    if parity["roles"] and parity["gap_closed"]:
        add("policy.nhs_parity.start", parity["start"])
    if policy["social_worker_terms"]["harmonised"]:
        add("policy.social_worker_terms.start", policy["social_worker_terms"]["start"])
    if policy["agency"].get("cap") is not None and policy["agency"]["roles"]:
        add("policy.agency.start", policy["agency"]["start"])
    if policy["wellbeing"]["recovery_boost"] > 0:
        add("policy.wellbeing.start", policy["wellbeing"]["start"])
    if policy["zero_hours"]["ban"]:
        add("policy.zero_hours.start", policy["zero_hours"]["start"])
    if policy["caseload"].get("cap") is not None:
        add("policy.caseload.start", policy["caseload"]["start"])
    england = policy["england"]
    if england["pay_change"] != 0.0 and england["roles"]:
        add("policy.england.start", england["start"])
    training = policy["training"]
    if (training["social_work_places"], training["occupational_therapy_places"]) != (1.0, 1.0):
        # Extra places change nothing until their first graduates arrive.
        delay = 12 * training["course_years"]
        add(
            "policy.training.start",
            training["start"],
            delay,
            "when its first extra graduates arrive",
        )
    return starts


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
        run_start = dt.date.fromisoformat(config["run"]["start"] + "-01")
        last = _month_after(run_start, months - 1)
        acts = _month_after(run_start, lever.month)
        when = f" ({lever.when})" if lever.when else ""
        found.append(
            f"{lever.key}: the lever first acts in {acts:%Y-%m}{when}, after the run's last "
            f"month ({last:%Y-%m}), so it never acts in this run; start it earlier or run longer."
        )
    return found


def _month_after(start: dt.date, months: int) -> dt.date:
    total = start.month - 1 + months
    return dt.date(start.year + total // 12, total % 12 + 1, 1)
