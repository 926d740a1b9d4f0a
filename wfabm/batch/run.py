"""Run a config to a results directory: metrics, flows and a manifest, written atomically."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from wfabm.batch.atomic import write_atomically
from wfabm.batch.progress import ProgressBar
from wfabm.batch.provenance import git_commit, package_versions
from wfabm.config import Config, ConfigError, display_path

if TYPE_CHECKING:
    from wfabm.model.workforce import WorkforceModel

RUN_FILES = ("flows.parquet", "manifest.json", "metrics.parquet")


def check_results_folder(out: str | Path, files: tuple[str, ...] = RUN_FILES) -> Path:
    """Check that a results folder may be (re)written, before anything runs.

    A folder is replaced whole when results are written, so it must not hold anything but
    an earlier run's own files.

    Args:
        out: The results folder.
        files: The files a run writes there.

    Returns:
        ``out`` as a path.

    Raises:
        ConfigError: If ``out`` is a file, or a folder holding other files.
    """
    path = Path(out)
    if path.exists() or path.is_symlink():
        if not path.is_dir() or path.is_symlink():
            raise ConfigError(
                f"--out {display_path(path)} exists and is not a folder; choose another folder."
            )
        strangers = sorted(p.name for p in path.iterdir() if p.name not in files)
        if strangers:
            shown = ", ".join(strangers[:3]) + (", ..." if len(strangers) > 3 else "")
            raise ConfigError(
                f"--out {display_path(path)} already holds other files ({shown}) that "
                "replacing it would delete; choose a new folder or empty this one."
            )
    return path


def results_folder(config: Config, seed: int, out: str | Path | None = None) -> Path:
    """The folder a run writes to: ``out``, or ``results/<config name>/seed-<seed>``."""
    return Path(out) if out is not None else Path("results") / config.name / f"seed-{seed}"


@dataclass
class RunResult:
    """What a finished run produced.

    Attributes:
        out: The results directory.
        metrics: Monthly stocks (``metrics.parquet``).
        flows: Monthly flows (``flows.parquet``).
        manifest: The manifest written beside them.
    """

    out: Path
    metrics: pl.DataFrame
    flows: pl.DataFrame
    manifest: dict

    def summary_text(self) -> str:
        """A short summary: Wales vacancy rate, and leaver and joiner rates by role and sector."""
        return summarise(self.metrics, self.flows, self.out)


def manifest_for(config: Config, seed: int, months: int, wall_time: float) -> dict:
    """The manifest of a run: resolved config and hash, seed, versions, commit, wall time."""
    return {
        "config_name": config.name,
        "config_hash": config.hash,
        "config": config.to_dict(),
        "seed": seed,
        "months": months,
        "package_versions": package_versions(),
        "git_commit": git_commit(),
        "wall_time_seconds": round(wall_time, 3),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def run_model(
    config: Config,
    *,
    seed: int,
    months: int,
    progress: bool = False,
    record_events: bool = False,
    on_start: Callable[[WorkforceModel], None] | None = None,
    after_month: Callable[[WorkforceModel, int], None] | None = None,
) -> tuple[WorkforceModel, float]:
    """Build and run a model: the one place outside the model layer where runs are made.

    Args:
        config: The resolved configuration.
        seed: The model's root seed.
        months: Months to simulate.
        progress: Draw a progress bar on stderr.
        record_events: Keep the event log (:meth:`WorkforceModel.events`).
        on_start: Called with the built model before its first month, e.g. to note the
            starting workforce.
        after_month: Called with the model and the number of months run so far after each
            month, e.g. to read the state at the end of a survey's month.

    Returns:
        The model after ``months`` months, and the wall time in seconds.
    """
    # Imported here so that the batch modules that only read results never load Mesa.
    from wfabm.model.workforce import WorkforceModel

    started = time.perf_counter()
    # Made first, so that a bad WFABM_PROGRESS is refused before the model is built.
    bar = ProgressBar("run", "month") if progress else None
    model = WorkforceModel(config, seed=seed, record_events=record_events)
    if on_start is not None:
        on_start(model)
    try:
        if bar is not None:
            # Drawn from here, so that the rate and time left count only the months.
            bar.update_to(0, months, note=f"{model.date:%Y-%m}")
        for month in range(months):
            model.step()
            if after_month is not None:
                after_month(model, month + 1)
            if bar is not None:
                bar.update_to(month + 1, months, note=f"{model.date:%Y-%m}")
    finally:
        if bar is not None:
            bar.close()
    return model, time.perf_counter() - started


def run_to_directory(
    config: Config,
    *,
    seed: int,
    months: int,
    out: str | Path | None = None,
    progress: bool = False,
) -> RunResult:
    """Run a config and write ``metrics.parquet``, ``flows.parquet`` and ``manifest.json``.

    Files are written to a temporary directory beside ``out`` and moved into place only when
    all three are complete, so an interrupted run leaves nothing half-written. A folder that
    holds anything but an earlier run's files is refused before the run starts.

    Args:
        config: The resolved configuration.
        seed: Root seed.
        months: Months to simulate.
        out: Results directory (default ``results/<config name>/seed-<seed>``).
        progress: Show progress on stderr.

    Returns:
        The run's tables and manifest.
    """
    out_path = check_results_folder(results_folder(config, seed, out))
    model, wall_time = run_model(config, seed=seed, months=months, progress=progress)
    metrics, flows = model.metrics, model.flows
    manifest = manifest_for(config, seed, months, wall_time)

    def write(folder: Path) -> None:
        metrics.write_parquet(folder / "metrics.parquet")
        flows.write_parquet(folder / "flows.parquet")
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))

    write_atomically(out_path, write, folder=True)
    return RunResult(out_path, metrics, flows, manifest)


def first_year_rates(metrics: pl.DataFrame) -> pl.DataFrame:
    """Leaver and joiner rates over the first 12 months by sector and role (Wales).

    Rates are people leaving (or joining) a workplace in the year over the mean headcount.
    """
    first = metrics["month"].min()
    year = metrics.filter(
        (pl.col("month") < pl.lit(first).dt.offset_by("12mo"))
        & pl.col("sector").is_in(["la", "independent", "nhs", "agency"])
    )
    months = year["month"].n_unique()
    return (
        year.group_by(["sector", "role"])
        .agg(
            (pl.col("headcount").sum() / months).alias("mean_headcount"),
            pl.col("leavers").sum().alias("leavers"),
            pl.col("joiners").sum().alias("joiners"),
            (pl.col("vacancies").sum() / pl.col("funded_posts").sum()).alias("vacancy_rate"),
        )
        .with_columns(
            (pl.col("leavers") / pl.col("mean_headcount")).alias("leaver_rate"),
            (pl.col("joiners") / pl.col("mean_headcount")).alias("joiner_rate"),
        )
        .filter(pl.col("mean_headcount") >= 1)
        .sort(["sector", "role"])
    )


def wales_vacancy_rate(metrics: pl.DataFrame) -> pl.DataFrame:
    """Monthly vacancy rate of Welsh social care (local authority and independent employers)."""
    return (
        metrics.filter(pl.col("sector").is_in(["la", "independent"]))
        .group_by("month")
        .agg((pl.col("vacancies").sum() / pl.col("funded_posts").sum()).alias("vacancy_rate"))
        .sort("month")
    )


def summarise(metrics: pl.DataFrame, flows: pl.DataFrame, out: Path | None = None) -> str:
    """Human-readable summary of a run."""
    vacancy = wales_vacancy_rate(metrics)
    rates = first_year_rates(metrics)
    first, last = vacancy["month"].min(), vacancy["month"].max()
    lines = [
        f"wfabm run: {first:%Y-%m} to {last:%Y-%m}"
        + (f", results in {out}" if out is not None else ""),
        f"Wales social care vacancy rate: {vacancy['vacancy_rate'][0]:.1%} at the start, "
        f"{vacancy['vacancy_rate'].head(12).mean():.1%} over the first year, "
        f"{vacancy['vacancy_rate'][-1]:.1%} at the end",
        "",
        "First year (or the whole run if shorter), Wales, by sector and role:",
        f"  {'sector':<12} {'role':<30} {'headcount':>9} {'vacancy':>8} {'leavers':>8} "
        f"{'joiners':>8}",
    ]
    for row in rates.iter_rows(named=True):
        rate = row["vacancy_rate"]
        # Agencies hold no funded posts of their own, so they have no vacancy rate.
        vacancy_text = "-" if rate is None or math.isnan(rate) else f"{rate:.1%}"
        lines.append(
            f"  {row['sector']:<12} {row['role']:<30} {row['mean_headcount']:>9,.0f} "
            f"{vacancy_text:>8} {row['leaver_rate']:>8.1%} {row['joiner_rate']:>8.1%}"
        )
    totals = flows.group_by("destination").agg(pl.col("count").sum())
    exits = dict(zip(totals["destination"], totals["count"], strict=True))
    lines.append("")
    lines.append(
        f"Whole run: {exits.get('retired', 0):,} retired, {exits.get('left_sector', 0):,} left "
        f"the sector (all modelled sectors)."
    )
    return "\n".join(lines)
