"""The observed figures a validation sets the model against.

Every calibration target of ``wfabm/data/calibration_targets.csv`` (its ``fitted`` column says
whether the calibration used it; a figure it did not use is *held out*), then the figures of
``wfabm/data/held_out_figures.csv``, which the calibration never sees. Each figure has a band
(the observed value ± its tolerance) and, where it dates from after the base year, the 2022
value a naive persistence forecast holds.
"""

from __future__ import annotations

import csv
import importlib.resources
import math
from dataclasses import dataclass

from wfabm.calibration.fit import load_targets

__all__ = [
    "BASE_YEAR",
    "FITTED",
    "HELD_OUT",
    "HELD_OUT_FILE",
    "Figure",
    "format_value",
    "is_percent",
    "load_figures",
]

FITTED = "fitted"
HELD_OUT = "held out"
"""Values of a figure's ``evidence``: used by the calibration, or kept out of it."""

BASE_YEAR = "2022"
"""Year of the figures the model starts from; a persistence forecast has nothing to add."""

HELD_OUT_FILE = "held_out_figures.csv"

_TARGET_YEARS = {"intent_to_leave_2024": "2024"}
"""Targets that are not base-year figures, and their year."""

_TARGET_PERSISTENCE = {"intent_to_leave_2024": "intent_to_leave"}
"""Targets after the base year, and the base-year target whose figure persistence holds."""


@dataclass(frozen=True)
class Figure:
    """One observed figure and how it is judged.

    Attributes:
        key: The name of the model's counterpart (see :mod:`wfabm.validation.observe`).
        observed: The published figure.
        tolerance: Half the width of the band around it.
        unit: Unit of the figure and of the band.
        year: The year the figure describes.
        evidence: :data:`FITTED` or :data:`HELD_OUT`.
        persistence: The base-year value held by a persistence forecast; None for a figure of
            the base year itself.
        simulated_as: How the model's counterpart is formed.
        source: Where the figure comes from, and why the tolerance.
    """

    key: str
    observed: float
    tolerance: float
    unit: str
    year: str
    evidence: str
    persistence: float | None
    simulated_as: str
    source: str

    @property
    def low(self) -> float:
        """The lower end of the band."""
        return self.observed - self.tolerance

    @property
    def high(self) -> float:
        """The upper end of the band."""
        return self.observed + self.tolerance

    def within(self, value: float) -> bool:
        """Whether ``value`` lies in the band (ends included)."""
        return self.low <= value <= self.high


def load_figures() -> tuple[Figure, ...]:
    """Every figure: the calibration targets in file order, then the held-out figures."""
    targets = load_targets()
    observed = {target.key: target.observed for target in targets}
    figures = [
        Figure(
            key=target.key,
            observed=target.observed,
            tolerance=target.tolerance,
            unit=target.unit,
            year=_TARGET_YEARS.get(target.key, BASE_YEAR),
            evidence=FITTED if target.fitted else HELD_OUT,
            persistence=(
                observed[_TARGET_PERSISTENCE[target.key]]
                if target.key in _TARGET_PERSISTENCE
                else None
            ),
            simulated_as=target.simulated_as,
            source=target.source,
        )
        for target in targets
    ]
    text = importlib.resources.files("wfabm").joinpath("data", HELD_OUT_FILE).read_text("utf-8")
    figures.extend(
        Figure(
            key=row["key"],
            observed=float(row["observed"]),
            tolerance=float(row["tolerance"]),
            unit=row["unit"],
            year=row["year"],
            evidence=HELD_OUT,
            persistence=float(row["persistence"]) if row["persistence"] else None,
            simulated_as=row["simulated_as"],
            source=row["source"],
        )
        for row in csv.DictReader(text.splitlines())
    )
    return tuple(figures)


_PERCENT_UNITS = ("share", "per year", "growth")


def format_value(value: float | None, unit: str) -> str:
    """A figure's value as the reports show it: shares, rates and growth in per cent."""
    if value is None or math.isnan(value):
        return "-"
    if unit.startswith(_PERCENT_UNITS):
        return f"{100 * value:.1f}%"
    return f"{value:.2f}"


def is_percent(unit: str) -> bool:
    """Whether figures of ``unit`` are shown in per cent."""
    return unit.startswith(_PERCENT_UNITS)
