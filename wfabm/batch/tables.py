"""Results tables that explain themselves: one table per kind of row, a wide table, a dictionary.

Each run's file keeps every kind of row in one long table (``kind``: summary, series,
flows; see :mod:`wfabm.batch.store`). At the end of every session the folder also gets
``tables/``, read directly by pandas, polars, DuckDB or R's arrow:

- ``summary.parquet``: one row per run, sector, role and outcome over the window.
- ``series.parquet``: one row per run, month, sector, role and outcome.
- ``flows.parquet``: one row per run, role, origin and destination.
- ``wide.parquet`` and ``wide.csv``: one row per run (as the EMA Workbench's experiments and
  outcomes tables side by side): scenario, sample, replicate, seed, each varied
  parameter's value and each summary outcome as ``<outcome>__<sector>__<role>``.
- ``data_dictionary.csv``: every column of every table, its unit and what it is.

Every Parquet column carries its unit and description as field metadata (``unit``,
``description``), so they travel with the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from wfabm.batch.atomic import write_atomically
from wfabm.batch.store import DICTIONARY, TABLES, read_manifest, read_runs
from wfabm.outcomes.summary import OUTCOMES

__all__ = [
    "COLUMNS",
    "DICTIONARY",
    "OUTCOME_UNITS",
    "TABLES",
    "dictionary_rows",
    "outcome_unit",
    "write_results_tables",
]


OUTCOME_UNITS: dict[str, tuple[str, str, str]] = {
    "headcount": ("people", "people", "people employed (mean over the window)"),
    "vacancy_rate": (
        "fraction of funded posts",
        "fraction of funded posts",
        "vacancies / funded posts (null without funded posts, as for agencies)",
    ),
    "leaver_rate": (
        "per year",
        "per year",
        "people leaving a workplace / mean headcount, as a yearly rate",
    ),
    "joiner_rate": (
        "per year",
        "per year",
        "people joining a workplace / mean headcount, as a yearly rate",
    ),
    "burnout": ("0-1 score", "0-1 score", "headcount-weighted mean burnout"),
    "agency_spend": (
        "GBP over the window",
        "GBP per month",
        "spending on agency cover",
    ),
    "wage_bill": ("GBP over the window", "GBP per month", "pay of the workforce"),
    "unmet_hours": (
        "care hours over the window",
        "care hours per month",
        "care hours not covered",
    ),
}
"""Outcome → (unit in the summary, unit in the monthly series, what it is)."""

COLUMNS: dict[str, tuple[str, str]] = {
    "experiment": ("", "the experiment's name (experiment.name)"),
    "scenario": ("", "the scenario's name in the spec's [scenarios]"),
    "sample": ("index", "the design point (row of design.csv), 0 when nothing is varied"),
    "replicate": ("index", "the replicate; replicate r runs on the same seed in every scenario"),
    "seed": ("", "the model's root seed of the run"),
    "month": ("date (first of the month)", "the simulated month"),
    "sector": ("", "employer sector: wales (la + independent + agency), la, independent, ..."),
    "role": ("", "job role, or all"),
    "origin": ("", "where movers came from (a sector, or an inflow such as graduates)"),
    "destination": ("", "where movers went (a sector, or an exit such as retirement)"),
    "outcome": ("", "which outcome the row holds (see the outcome rows of this dictionary)"),
    "value": ("the outcome's unit", "the outcome's value"),
    "movers": ("people over the window", "people moving from origin to destination"),
}
"""Column → (unit, what it is), for the columns of the long tables and the wide table."""

_KEEP: dict[str, tuple[str, ...]] = {
    "summary": ("sector", "role", "outcome", "value"),
    "series": ("month", "sector", "role", "outcome", "value"),
    "flows": ("role", "origin", "destination", "value"),
}
_RUN = ("experiment", "scenario", "sample", "replicate", "seed")


def outcome_unit(outcome: str, series: bool = False) -> str:
    """The unit of an outcome, in the summary or (``series``) month by month."""
    summary, monthly, _ = OUTCOME_UNITS.get(outcome, ("", "", ""))
    return monthly if series else summary


def _wide_name(outcome: str, sector: str, role: str) -> str:
    return f"{outcome}__{sector}__{role}"


def write_results_tables(root: str | Path) -> Path:
    """Write ``tables/`` and ``data_dictionary.csv`` of a results folder from its runs.

    Args:
        root: The results folder.

    Returns:
        The ``tables/`` folder.

    Raises:
        ConfigError: If the folder holds no runs (:func:`~wfabm.batch.store.read_runs`).
    """
    root = Path(root)
    manifest = read_manifest(root)
    runs = read_runs(root)
    folder = root / TABLES
    folder.mkdir(exist_ok=True)
    parameters = [str(key) for key in manifest.get("design", {}).get("parameters", [])]
    samples = manifest.get("design", {}).get("samples", [])
    described: dict[str, dict[str, tuple[str, str]]] = {}
    for kind, keep in _KEEP.items():
        table = runs.filter(pl.col("kind") == kind).select(*_RUN, *keep)
        if kind == "flows":
            table = table.rename({"value": "movers"})
        units = _long_units(table, kind)
        described[f"{kind}.parquet"] = units
        _write_parquet(folder / f"{kind}.parquet", table, units)
    wide, units = _wide(runs, parameters, samples)
    described["wide.parquet"] = units
    _write_parquet(folder / "wide.parquet", wide, units)
    write_atomically(folder / "wide.csv", lambda path: wide.write_csv(path))
    rows = dictionary_rows(described)
    write_atomically(root / DICTIONARY, lambda path: Path(path).write_text(_csv(rows)))
    return folder


def _long_units(table: pl.DataFrame, kind: str) -> dict[str, tuple[str, str]]:
    units = {name: COLUMNS[name] for name in table.columns}
    if "value" in units:
        shown = "; ".join(
            f"{outcome}: {outcome_unit(outcome, kind == 'series')}" for outcome in OUTCOMES
        )
        units["value"] = (f"by outcome ({shown})", "the outcome's value")
    return units


def _wide(
    runs: pl.DataFrame, parameters: list[str], samples: list[Mapping]
) -> tuple[pl.DataFrame, dict[str, tuple[str, str]]]:
    summary = runs.filter(pl.col("kind") == "summary")
    keys = summary.select("outcome", "sector", "role").unique(maintain_order=True)
    wide = (
        summary.with_columns(
            pl.concat_str(["outcome", "sector", "role"], separator="__").alias("column")
        )
        .pivot(on="column", index=list(_RUN), values="value", aggregate_function="first")
        .sort("scenario", "sample", "replicate")
    )
    units = {name: COLUMNS[name] for name in _RUN}
    if parameters:
        values = pl.DataFrame(
            [{"sample": index, **dict(row)} for index, row in enumerate(samples)],
            infer_schema_length=None,
        )
        wide = wide.join(values, on="sample", how="left").select(
            *_RUN, *parameters, pl.exclude(*_RUN, *parameters)
        )
        units.update({key: ("as the config key", f"the config value {key}") for key in parameters})
    for outcome, sector, role in keys.iter_rows():
        name = _wide_name(outcome, sector, role)
        _, _, what = OUTCOME_UNITS.get(outcome, ("", "", outcome))
        units[name] = (outcome_unit(outcome), f"{what}; sector {sector}, role {role}")
    return wide, units


def _write_parquet(path: Path, table: pl.DataFrame, units: Mapping[str, tuple[str, str]]) -> None:
    # Imported here: only writing the self-describing tables needs pyarrow.
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = table.to_arrow()
    fields = [
        field.with_metadata(
            {"unit": units.get(field.name, ("", ""))[0], "description": units[field.name][1]}
            if field.name in units
            else {}
        )
        for field in arrow.schema
    ]
    arrow = arrow.cast(pa.schema(fields))
    write_atomically(path, lambda target: pq.write_table(arrow, target))


def dictionary_rows(described: Mapping[str, Mapping[str, tuple[str, str]]]) -> list[list[str]]:
    """The data dictionary: a header, then one row per table and column, then per outcome."""
    rows = [["table", "column", "unit", "description"]]
    for table, columns in described.items():
        rows.extend([table, name, unit, what] for name, (unit, what) in columns.items())
    for outcome, (summary, monthly, what) in OUTCOME_UNITS.items():
        rows.append(["outcome", outcome, f"summary: {summary}; series: {monthly}", what])
    return rows


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
