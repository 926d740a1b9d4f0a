"""What every policy lever is: its config table, schema entry, dashboard texts, start and hooks.

A lever is one table of the config's ``[policy]`` section, resolved once against the
model's workplaces into masks and month indices. The month asks the levers to act at named
points (its hooks); a lever that does not act at a point inherits a hook that changes
nothing, and :class:`wfabm.levers.LeverSet` calls each hook only on the levers that
override it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from wfabm.core.calendar import month_index, months_between
from wfabm.world.employers import EmployerTable
from wfabm.world.geography import Geography

__all__ = ["HOOKS", "Lever", "LeverContext", "LeverStart", "LeverText", "starting"]


@dataclass(frozen=True)
class LeverText:
    """A policy lever as a workshop sees it.

    Attributes:
        name: The dotted config key it sets (``"pay_rise"`` for the dashboard's pay rise).
        group: One of the dashboard's groups (``wfabm.dashboard.levers.GROUPS``).
        label: Plain-language name.
        explanation: One line on what it does to the people in the model.
        source: The evidence behind it, or what is assumed.
        kind: ``"number"``, ``"optional_number"`` (None = not set), ``"switch"``,
            ``"choice"`` or ``"roles"`` (a list of role names).
        choices: The allowed values of a ``"choice"`` or ``"roles"`` lever, with labels.
        start: Dotted key of the month the lever takes effect, if it has one.
    """

    name: str
    group: str
    label: str
    explanation: str
    source: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    start: str | None = None


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


@dataclass(frozen=True)
class LeverContext:
    """What a lever is resolved against, once, when a model is built.

    Attributes:
        config: The resolved configuration (a nested dict).
        start: The run's first month.
        employers: The workplaces.
        geography: The local authorities.
        rng: The policy random stream (only the pay framework draws from it).
    """

    config: dict
    start: dt.date
    employers: EmployerTable
    geography: Geography
    rng: np.random.Generator


def starting(start: dt.date, text: str, switched_on: bool) -> int | None:
    """Month index a lever first acts, or None ("never") when it is not switched on."""
    return month_index(start, text) if switched_on else None


HOOKS = (
    "adjust_pay",
    "adjust_agency_markup",
    "recovery",
    "cap_workload",
    "agency_demand",
    "graduate_multiplier",
    "parity_terms",
    "post_growth",
)
"""The named points in the month where a lever may act (the methods of :class:`Lever`)."""


class Lever:
    """One policy lever: its parameters, schema entry, dashboard texts, start and hooks.

    Subclasses set the class attributes, resolve their table in ``__init__`` and override
    the hooks at which they act; every hook here changes nothing.

    Attributes:
        table: Its table in the config's ``[policy]`` section.
        schema: Its entry in the config schema.
        texts: Its levers as the dashboard shows them, in the dashboard's order.
        start: Month index it first acts (0 when it started before the run), or None when
            it never acts (switched off).
    """

    table: ClassVar[str]
    schema: ClassVar[Any]
    texts: ClassVar[tuple[LeverText, ...]] = ()
    start: int | None = None

    def __init__(self, section: Any, context: LeverContext) -> None:
        """Resolve the lever's config table against the model's workplaces.

        Args:
            section: Its ``[policy.<table>]`` value from the resolved config.
            context: The run's first month, workplaces, geography and policy stream.
        """

    @classmethod
    def first_acts(cls, section: Any, run_start: dt.date) -> list[LeverStart]:
        """When the lever first changes something, if it is switched on (for idle levers).

        Args:
            section: Its ``[policy.<table>]`` value from the resolved config.
            run_start: The run's first month.

        Returns:
            One entry per switched-on part of the lever (none when it is switched off).
        """
        return []

    @classmethod
    def starts_on(cls, key: str, run_start: dt.date, text: str) -> LeverStart:
        """A :class:`LeverStart` for the ``start`` key of this lever's table."""
        return LeverStart(f"policy.{cls.table}.{key}", months_between(run_start, text))

    def active(self, month: int) -> bool:
        """Whether the lever is in force in a month index."""
        return self.start is not None and month >= self.start

    def pay_months(self) -> set[int]:
        """Month indices at which the lever changes published pay (so pay is republished)."""
        return set()

    # ------------------------------------------------------------------ hooks
    def adjust_pay(self, pay: np.ndarray, month: int) -> None:
        """Change the published pay at pay point 0, ``(E, R)``, in place."""

    def adjust_agency_markup(self, markup: np.ndarray, month: int) -> np.ndarray:
        """Agency markup over employed pay by role, after this lever."""
        return markup

    def recovery(self, base: np.ndarray | float, month: int) -> np.ndarray | float:
        """Monthly burnout recovery rate (one value or one per workplace), after this lever."""
        return base

    def cap_workload(
        self,
        load: np.ndarray,
        present: np.ndarray,
        agency_fte: np.ndarray,
        requests: np.ndarray,
        month: int,
    ) -> None:
        """Limit workplaces' workload in place, writing what it asks of agencies to ``requests``."""

    def agency_demand(self, demand: np.ndarray, requests: np.ndarray) -> None:
        """Add this lever's requests to agencies to their demand by workplace and role."""

    def graduate_multiplier(self, role: int, month: int) -> float:
        """Multiplier on a month's graduate cohort of a role."""
        return 1.0

    def parity_terms(self, month: int) -> dict[int, float]:
        """Share of the NHS terms advantage local authority posts of each role have gained."""
        return {}

    def post_growth(self) -> float:
        """Multiplier on the yearly growth of funded social care posts."""
        return 1.0
