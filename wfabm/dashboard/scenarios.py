"""Named scenarios a workshop builds from the levers and keeps for the session.

A :class:`Scenario` is a name and the lever values it stands for
(:func:`~wfabm.dashboard.levers.lever_values`); its config is built from the baseline with
:func:`~wfabm.dashboard.levers.configure`, so a scenario is exactly what the levers panel
would run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wfabm.dashboard.i18n import t
from wfabm.dashboard.levers import LeverError

__all__ = ["MAX_COMPARED", "MAX_NAME", "Scenario", "check_name"]

MAX_NAME = 40
"""Characters a scenario's name may have (it must fit a chart's legend)."""

MAX_COMPARED = 3
"""Scenarios compared with the baseline at once."""

_RESERVED = ("baseline",)


@dataclass(frozen=True)
class Scenario:
    """A named set of lever values.

    Attributes:
        name: The name the room gave it, as charts and tables show it.
        values: ``{lever name: value}`` for every lever and start month.
        preset: The preset its levers were first set from (``"baseline"`` if none).
    """

    name: str
    values: Mapping[str, Any] = field(compare=False)
    preset: str = "baseline"


def check_name(name: str, taken: Iterable[str]) -> str:
    """A scenario's name, stripped, if it may be used.

    Args:
        name: The name as typed.
        taken: Names already kept this session.

    Returns:
        The name without surrounding spaces.

    Raises:
        LeverError: For an empty or over-long name, "Baseline", or one already kept.
    """
    stripped = name.strip()
    used = {other.casefold() for other in taken}
    if not stripped or len(stripped) > MAX_NAME or stripped.casefold() in (*_RESERVED, *used):
        raise LeverError(
            t(
                'Scenario name = "{name}" is not allowed; allowed: 1 to {most} characters, '
                'other than "Baseline" and the names already kept ({kept}).',
                name=name,
                most=MAX_NAME,
                kept=", ".join(sorted(taken)) or t("none yet"),
            ),
            "scenario name",
        )
    return stripped
