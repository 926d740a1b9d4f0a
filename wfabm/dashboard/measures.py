"""The measures the dashboard draws, summed from the model's recorded monthly stocks.

The model records raw sums per (sector, role, local authority) cell each month
(:class:`wfabm.world.metrics.MetricsRecorder`). :func:`aggregate` reduces a block of months of those
arrays to the few totals the views need, all months at once, and :class:`Series` keeps them as
a run goes on, so a month adds a few hundred numbers instead of rebuilding the results
tables. Rates are taken from the totals (Σ vacancies / Σ funded posts, as in
:func:`wfabm.batch.compare.summarise_run`), never averaged from cell rates.
"""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import (
    N_ROLES,
    N_SECTORS,
    ROLES,
    SECTOR_INDEX,
    WELSH_SOCIAL_CARE,
    WELSH_SOCIAL_CARE_ROLES,
)
from wfabm.dashboard.i18n import N_
from wfabm.world.metrics import COLUMN

__all__ = [
    "CARE_ROLES",
    "MAP_MEASURES",
    "SOCIAL_CARE_SECTORS",
    "WALES_MEASURES",
    "Series",
    "aggregate",
]

CARE_ROLES: tuple[str, ...] = WELSH_SOCIAL_CARE_ROLES
"""Roles of Welsh social care: all but healthcare assistants, who work in the NHS (the nurses
counted here are those of care homes; NHS nurses are outside Welsh social care's sectors)."""

SOCIAL_CARE_SECTORS: tuple[str, ...] = (*WELSH_SOCIAL_CARE, "england_la", "england_independent")
"""Social care on both sides of the border: what the map colours each authority by."""

_WALES = np.array([SECTOR_INDEX[s] for s in WELSH_SOCIAL_CARE])
_SOCIAL_CARE = np.array([SECTOR_INDEX[s] for s in SOCIAL_CARE_SECTORS])
_CARE_ROLES = np.array([ROLES.index(r) for r in CARE_ROLES])
_TOTALS = (
    "headcount",
    "funded_posts",
    "vacancies",
    "leavers",
    "joiners",
    "burnout_sum",
    "agency_spend",
    "unmet_hours",
)

MAP_MEASURES: dict[str, str] = {
    "vacancy_rate": N_("Vacancy rate"),
    "turnover": N_("Leavers in the last 12 months per worker"),
    "burnout": N_("Mean burnout (0-1)"),
    "headcount": N_("Social care workers"),
    "agency_spend": N_("Agency spend (£ a month)"),
    "unmet_hours": N_("Unmet care hours (a month)"),
}
"""Measures the map can be coloured by, with their labels."""

WALES_MEASURES: dict[str, str] = {
    "headcount": N_("Welsh social care workers"),
    "vacancy_rate": N_("Vacancy rate"),
    "turnover": N_("Leavers in the last 12 months per worker"),
    "burnout": N_("Mean burnout (0-1)"),
    "agency_spend": N_("Agency spend (£ a month)"),
    "unmet_hours": N_("Unmet care hours (a month)"),
}
"""Wales-wide measures of :meth:`Series.wales`, the lines a comparison draws."""


def aggregate(stocks: np.ndarray, n_la: int) -> dict[str, np.ndarray]:
    """Reduce recorded stocks to the totals the views need.

    Args:
        stocks: Recorded stocks, ``(months, cells, columns)``, cells ordered
            (sector, role, local authority) as :meth:`MetricsRecorder.cell` numbers them.
        n_la: Number of local authorities.

    Returns:
        ``sector_headcount`` ``(M, sectors)``; for Welsh social care (``la``,
        ``independent``, ``agency``) by care role (:data:`CARE_ROLES`), ``role_<total>``
        ``(M, roles)``; Welsh ``agency_spend`` and ``unmet_hours`` by sector ``(M, 3)``;
        and, for social care in each authority (:data:`SOCIAL_CARE_SECTORS`),
        ``la_<total>`` ``(M, authorities)``.
    """
    months = stocks.shape[0]
    cells = stocks.reshape(months, N_SECTORS, N_ROLES, n_la, stocks.shape[-1])
    out = {"sector_headcount": cells[..., COLUMN["headcount"]].sum(axis=(2, 3))}
    wales = cells[:, _WALES][:, :, _CARE_ROLES]
    social_care = cells[:, _SOCIAL_CARE]
    for name in _TOTALS:
        column = COLUMN[name]
        out[f"role_{name}"] = wales[..., column].sum(axis=(1, 3))
        out[f"la_{name}"] = social_care[..., column].sum(axis=(1, 2))
    for name in ("agency_spend", "unmet_hours"):
        out[f"sector_{name}"] = wales[..., COLUMN[name]].sum(axis=(2, 3))
    return out


class Series:
    """The totals of :func:`aggregate`, month by month, as a run goes on.

    Args:
        n_la: Number of local authorities.
        capacity: Months to allocate room for (it grows if a run goes past it).
    """

    def __init__(self, n_la: int, capacity: int = 120) -> None:
        self.n_la = n_la
        self.months = 0
        self._data: dict[str, np.ndarray] = {}
        self._capacity = max(capacity, 1)

    def extend(self, stocks: np.ndarray) -> None:
        """Add recorded months, ``(months, cells, columns)``, after those already held."""
        block = aggregate(stocks, self.n_la)
        added = stocks.shape[0]
        if not self._data:
            self._data = {
                name: np.zeros((self._capacity, *values.shape[1:]))
                for name, values in block.items()
            }
        while self.months + added > self._capacity:
            self._capacity *= 2
            self._data = {
                name: np.concatenate([values, np.zeros_like(values)])
                for name, values in self._data.items()
            }
        for name, values in block.items():
            self._data[name][self.months : self.months + added] = values
        self.months += added

    def __getitem__(self, name: str) -> np.ndarray:
        if not self._data:
            raise KeyError(f"no months recorded yet ({name!r})")
        return self._data[name][: self.months]

    # ------------------------------------------------------------------ rates
    def vacancy_rate(self) -> np.ndarray:
        """Vacancies / funded posts by care role, ``(months, roles)`` (NaN without posts)."""
        return _ratio(self["role_vacancies"], self["role_funded_posts"])

    def turnover(self) -> np.ndarray:
        """Leavers over the last 12 months / mean headcount, by care role ``(months, roles)``.

        In a run's first 11 months the months so far are scaled up to a year.
        """
        return _turnover(self["role_leavers"], self["role_headcount"])

    def burnout(self) -> np.ndarray:
        """Mean burnout of Welsh social care workers by care role, ``(months, roles)``."""
        return _ratio(self["role_burnout_sum"], self["role_headcount"])

    def wales(self, measure: str) -> np.ndarray:
        """One of :data:`WALES_MEASURES` for Welsh social care as a whole, ``(months,)``."""
        totals = {name: self[f"role_{name}"].sum(axis=1) for name in _TOTALS}
        return _measure(measure, totals)

    def local_authority(self, measure: str, month: int = -1) -> np.ndarray:
        """One of :data:`MAP_MEASURES` by local authority in one month, ``(authorities,)``."""
        index = self.months + month if month < 0 else month
        if not 0 <= index < self.months:
            raise IndexError(f"month {month} is not recorded (months 0-{self.months - 1})")
        window = slice(max(index - 11, 0), index + 1)
        totals = {name: self[f"la_{name}"][window] for name in _TOTALS}
        return _measure(measure, totals)[-1]


def _measure(measure: str, totals: dict[str, np.ndarray]) -> np.ndarray:
    if measure == "headcount":
        return totals["headcount"]
    if measure == "vacancy_rate":
        return _ratio(totals["vacancies"], totals["funded_posts"])
    if measure == "turnover":
        return _turnover(totals["leavers"], totals["headcount"])
    if measure == "burnout":
        return _ratio(totals["burnout_sum"], totals["headcount"])
    if measure in ("agency_spend", "unmet_hours"):
        return totals[measure]
    raise ValueError(f"unknown measure {measure!r}; allowed: {', '.join(MAP_MEASURES)}")


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _turnover(leavers: np.ndarray, headcount: np.ndarray) -> np.ndarray:
    """Rolling 12-month leavers / mean headcount along the first axis."""
    months = np.arange(1, leavers.shape[0] + 1)
    window = np.minimum(months, 12).reshape(-1, *([1] * (leavers.ndim - 1)))
    left = _rolling_sum(leavers, 12)
    mean_headcount = _rolling_sum(headcount, 12) / window
    return _ratio(left * (12 / window), mean_headcount)


def _rolling_sum(values: np.ndarray, width: int) -> np.ndarray:
    total = np.cumsum(values, axis=0)
    shifted = np.zeros_like(total)
    shifted[width:] = total[:-width]
    return total - shifted
