"""Monthly stocks and flows, recorded into preallocated arrays and returned as polars tables.

Stocks are kept by (sector, role, local authority) cell; flows by (role, origin, destination).
Nothing is built per worker: each month is a handful of ``bincount`` calls.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from wfabm.core.taxonomy import DESTINATIONS, N_ROLES, N_SECTORS, ORIGINS, ROLES, SECTORS

STOCK_COLUMNS: tuple[str, ...] = (
    "headcount",
    "fte",
    "funded_posts",
    "vacancies",
    "joiners",
    "leavers",
    "promoted_in",
    "promoted_out",
    "burnout_sum",
    "intent_sum",
    "absence_sum",
    "workload_sum",
    "pay_sum",
    "agency_fte",
    "agency_spend",
    "wage_bill",
    "unmet_hours",
)
"""Raw monthly sums per cell; means are computed when the table is built."""

COLUMN = {name: i for i, name in enumerate(STOCK_COLUMNS)}


def month_dates(start: dt.date, months: int) -> list[dt.date]:
    """First day of each simulated month."""
    return [
        dt.date(start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1, 1)
        for m in range(months)
    ]


class MetricsRecorder:
    """Accumulates monthly stocks and flows.

    Args:
        months: Months that can be recorded.
        n_la: Number of local authorities.
        la_codes: ONS codes of the local authorities.
        start: First simulated month.
    """

    def __init__(self, months: int, n_la: int, la_codes: tuple[str, ...], start: dt.date):
        self.n_la = n_la
        self.la_codes = la_codes
        self.start = start
        self.n_cells = N_SECTORS * N_ROLES * n_la
        self.stocks = np.zeros((months, self.n_cells, len(STOCK_COLUMNS)))
        self.flows = np.zeros((months, N_ROLES, len(ORIGINS), len(DESTINATIONS)), dtype=np.int64)
        self.months_recorded = 0

    def cell(self, sector: np.ndarray, role: np.ndarray, la: np.ndarray) -> np.ndarray:
        """Flat (sector, role, local authority) cell index."""
        return (sector.astype(np.int64) * N_ROLES + role) * self.n_la + la

    def set_aggregation(self, sector: np.ndarray, la: np.ndarray) -> None:
        """Fix how per-(workplace, role) values are summed into output cells.

        Workplaces must be sorted by (sector, local authority), so each output cell sums a
        contiguous block of workplaces.

        Args:
            sector: Sector of each workplace.
            la: Local authority of each workplace.
        """
        key = sector.astype(np.int64) * self.n_la + la
        if np.any(np.diff(key) < 0):
            msg = "workplaces must be sorted by sector and local authority"
            raise ValueError(msg)
        self._starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        group_sector = sector[self._starts].astype(np.int64)
        group_la = la[self._starts].astype(np.int64)
        roles = np.arange(N_ROLES)
        self._targets = self.cell(group_sector[:, None], roles[None, :], group_la[:, None]).ravel()

    def add_columns(self, month: int, values: dict[str, np.ndarray]) -> None:
        """Add stock columns given per (workplace, role), shape ``(E * R,)`` each."""
        names = list(values)
        stacked = np.stack([values[name] for name in names]).reshape(len(names), -1, N_ROLES)
        sums = np.add.reduceat(stacked, self._starts, axis=1).reshape(len(names), -1)
        columns = [COLUMN[name] for name in names]
        self.stocks[month][np.ix_(self._targets, columns)] += sums.T

    def add_flows(
        self, month: int, role: np.ndarray, origin: np.ndarray, destination: np.ndarray
    ) -> None:
        """Count moves by role, origin kind and destination kind (indices into the kinds)."""
        if len(role) == 0:
            return
        shape = self.flows.shape[1:]
        flat = np.ravel_multi_index((role, origin, destination), shape)
        self.flows[month] += np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)

    def stocks_frame(self) -> pl.DataFrame:
        """Monthly stocks by sector, role and local authority, for cells ever in use."""
        months = self.months_recorded
        data = self.stocks[:months]
        used = np.flatnonzero(
            (data[:, :, COLUMN["headcount"]] > 0).any(axis=0)
            | (data[:, :, COLUMN["funded_posts"]] > 0).any(axis=0)
        )
        n_used = len(used)
        sector_index, rest = np.divmod(used, N_ROLES * self.n_la)
        role_index, la_index = np.divmod(rest, self.n_la)
        values = data[:, used, :].reshape(months * n_used, len(STOCK_COLUMNS))
        headcount = values[:, COLUMN["headcount"]]
        safe = np.where(headcount > 0, headcount, np.nan)
        dates = month_dates(self.start, months)
        return pl.DataFrame(
            {
                "month": pl.Series(np.repeat(np.array(dates, dtype="datetime64[D]"), n_used)),
                "sector": np.array(SECTORS)[np.tile(sector_index, months)],
                "role": np.array(ROLES)[np.tile(role_index, months)],
                "local_authority": np.array(self.la_codes)[np.tile(la_index, months)],
                "headcount": headcount.astype(np.int64),
                "fte": values[:, COLUMN["fte"]],
                "funded_posts": values[:, COLUMN["funded_posts"]],
                "vacancies": values[:, COLUMN["vacancies"]].astype(np.int64),
                "joiners": values[:, COLUMN["joiners"]].astype(np.int64),
                "leavers": values[:, COLUMN["leavers"]].astype(np.int64),
                "promoted_in": values[:, COLUMN["promoted_in"]].astype(np.int64),
                "promoted_out": values[:, COLUMN["promoted_out"]].astype(np.int64),
                "burnout_mean": values[:, COLUMN["burnout_sum"]] / safe,
                "intent_mean": values[:, COLUMN["intent_sum"]] / safe,
                "absence_mean": values[:, COLUMN["absence_sum"]] / safe,
                "workload_mean": values[:, COLUMN["workload_sum"]] / safe,
                "pay_mean": values[:, COLUMN["pay_sum"]] / safe,
                "agency_fte": values[:, COLUMN["agency_fte"]],
                "agency_spend": values[:, COLUMN["agency_spend"]],
                "wage_bill": values[:, COLUMN["wage_bill"]],
                "unmet_hours": values[:, COLUMN["unmet_hours"]],
            }
        ).with_columns(pl.col("month").cast(pl.Date))

    def flows_frame(self) -> pl.DataFrame:
        """Monthly flows by role, origin and destination (non-zero rows only)."""
        months = self.months_recorded
        month, role, origin, destination = np.nonzero(self.flows[:months])
        counts = self.flows[:months][month, role, origin, destination]
        dates = np.array(month_dates(self.start, max(months, 1)), dtype="datetime64[D]")
        return pl.DataFrame(
            {
                "month": pl.Series(dates[month]),
                "role": np.array(ROLES)[role],
                "origin": np.array(ORIGINS)[origin],
                "destination": np.array(DESTINATIONS)[destination],
                "count": counts.astype(np.int64),
            },
            schema={
                "month": pl.Date,
                "role": pl.String,
                "origin": pl.String,
                "destination": pl.String,
                "count": pl.Int64,
            },
        )
