"""``wfabm replicate``: re-run a results folder from its manifest and check every table.

A folder written by ``wfabm run`` or ``wfabm compare --out`` holds a ``manifest.json`` with
the resolved config(s), the seed(s), the months, the package versions and the git commit.
:func:`load_replay` reads and checks it, and every table beside it, before anything runs;
:meth:`Replay.run` runs the same again into another folder and compares each table cell for
cell with the original: the same columns in the same order, the same types, the same number
of rows and every value equal (nulls equal nulls, NaN equals NaN). The original folder is
only read.

A replay warns, but still runs, when the installed package versions or git commit differ
from the manifest's, because then a difference may be expected.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from wfabm.batch.ensemble import Ensemble
from wfabm.batch.provenance import git_commit, package_versions
from wfabm.config import Config, ConfigError, config_from_data, display_path

__all__ = [
    "COMPARE",
    "COMPARE_TABLES",
    "MANIFEST",
    "RUN",
    "RUN_TABLES",
    "TABLE_KEYS",
    "Replay",
    "Replication",
    "TableCheck",
    "compare_tables",
    "load_replay",
    "provenance_warnings",
    "read_manifest",
    "read_table",
]

MANIFEST = "manifest.json"
RUN = "run"
COMPARE = "compare"
"""The kinds of folder a replay re-runs: ``wfabm run``'s and ``wfabm compare --out``'s."""

RUN_TABLES: tuple[str, ...] = ("metrics.parquet", "flows.parquet")
COMPARE_TABLES: tuple[str, ...] = ("comparison.parquet", "comparison.csv", "runs.parquet")
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "metrics.parquet": ("month", "sector", "role", "local_authority"),
    "flows.parquet": ("month", "role", "origin", "destination"),
    "comparison.parquet": ("sector", "role", "outcome"),
    "comparison.csv": ("sector", "role", "outcome"),
    "runs.parquet": ("scenario", "seed", "sector", "role", "outcome"),
}
"""The columns that say what a row of each table is, shown beside a differing cell."""

SHOWN_DIFFERENCES = 3
"""How many differing cells a table's report shows."""

_FOLDERS = "a folder written by `wfabm run` or `wfabm compare --out`"


# --------------------------------------------------------------------------- table comparison
@dataclass(frozen=True)
class TableCheck:
    """How one re-run table compares with the original.

    Attributes:
        name: The file name, e.g. ``"metrics.parquet"``.
        rows: Rows in the original.
        columns: Columns in the original.
        differing_rows: Rows (of those both tables have) with a differing cell.
        differing_cells: Cells that differ, among the rows and columns both tables have.
        problems: Differences of shape: columns, their order or types, the number of rows.
        examples: The first few differing cells, described.
    """

    name: str
    rows: int
    columns: int
    differing_rows: int = 0
    differing_cells: int = 0
    problems: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    @property
    def identical(self) -> bool:
        """Whether the re-run table equals the original exactly."""
        return not self.problems and self.differing_cells == 0

    def lines(self) -> list[str]:
        """The report: one line for the table, then its first differences, indented."""
        if self.identical:
            return [f"  {self.name}: identical ({self.rows:,} rows × {self.columns} columns)"]
        parts = list(self.problems)
        if self.differing_cells:
            parts.append(
                f"{_plural(self.differing_cells, 'cell')} in {self.differing_rows:,} of "
                f"{self.rows:,} rows"
            )
        return [f"  {self.name}: differs: {'; '.join(parts)}"] + [
            f"      {example}" for example in self.examples
        ]


def compare_tables(
    name: str, original: pl.DataFrame, rerun: pl.DataFrame, keys: Sequence[str] = ()
) -> TableCheck:
    """Compare two tables cell for cell, in the original's row and column order.

    Args:
        name: The table's file name, for the report.
        original: The table as published.
        rerun: The same table from the re-run.
        keys: Columns that say what a row is, shown with each differing cell.

    Returns:
        The comparison; cells are compared where both tables have the column (with the same
        type) and the row.
    """
    problems: list[str] = []
    if original.columns != rerun.columns:
        problems.append(_column_difference(original.columns, rerun.columns))
    shared = []
    for column in (c for c in original.columns if c in rerun.columns):
        before, after = original.schema[column], rerun.schema[column]
        if before == after:
            shared.append(column)
        else:
            problems.append(f"column {column} is {before} in the original, {after} re-run")
    if original.height != rerun.height:
        problems.append(f"{original.height:,} rows in the original, {rerun.height:,} re-run")
    height = min(original.height, rerun.height)
    check = TableCheck(name, original.height, original.width, problems=tuple(problems))
    if not shared or height == 0:
        return check
    mine, theirs = original.head(height), rerun.head(height)
    # ne_missing: null equals null and NaN equals NaN, so only real differences count.
    differs = pl.DataFrame([mine[c].ne_missing(theirs[c]).alias(c) for c in shared])
    cells = int(differs.select(pl.sum_horizontal(pl.all()).sum()).item())
    if cells == 0:
        return check
    any_row = differs.select(pl.any_horizontal(pl.all())).to_series()
    rows = any_row.arg_true()
    keys = [key for key in keys if key in original.columns]
    examples: list[str] = []
    for row in rows.head(SHOWN_DIFFERENCES).to_list():
        for column in shared:
            if len(examples) < SHOWN_DIFFERENCES and differs[column][row]:
                examples.append(_describe_cell(mine, theirs, row, column, keys))
    return TableCheck(
        name,
        original.height,
        original.width,
        differing_rows=len(rows),
        differing_cells=cells,
        problems=tuple(problems),
        examples=tuple(examples),
    )


def _column_difference(original: list[str], rerun: list[str]) -> str:
    missing = [c for c in original if c not in rerun]
    extra = [c for c in rerun if c not in original]
    parts = []
    if missing:
        parts.append(f"columns not re-made: {', '.join(missing)}")
    if extra:
        parts.append(f"new columns in the re-run: {', '.join(extra)}")
    if not parts:
        parts.append(f"the columns are in another order in the re-run ({', '.join(rerun)})")
    return "; ".join(parts)


def _describe_cell(
    original: pl.DataFrame, rerun: pl.DataFrame, row: int, column: str, keys: list[str]
) -> str:
    where = ", ".join(str(original[key][row]) for key in keys if key != column)
    return (
        f"row {row}{f' ({where})' if where else ''}, {column}: "
        f"{_show(original[column][row])} in the original, {_show(rerun[column][row])} re-run"
    )


def _show(value: Any) -> str:
    # repr shows a float to its last digit, so a difference in the last bits is visible.
    return "null" if value is None else repr(value) if isinstance(value, float) else str(value)


def read_table(path: Path) -> pl.DataFrame:
    """Read a results table: Parquet as stored, CSV as text, cell for cell.

    Args:
        path: A ``.parquet`` or ``.csv`` file.

    Returns:
        The table. A CSV's cells are kept as the text written, so equal tables are equal
        text and nothing is lost to type inference.

    Raises:
        ConfigError: If the file is missing or cannot be read as its kind.
    """
    if not path.is_file():
        raise ConfigError(
            f"{display_path(path)} is missing; the folder must hold every table it was "
            "written with to be replicated."
        )
    try:
        if path.suffix == ".csv":
            return pl.read_csv(path, infer_schema=False)
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        kind = "CSV" if path.suffix == ".csv" else "Parquet"
        reason = " ".join(str(error).split()).rstrip(".")
        raise ConfigError(
            f"{display_path(path)} cannot be read as {kind} ({reason[:200]}); the folder "
            "must hold its tables as they were written to be replicated."
        ) from None


# --------------------------------------------------------------------------- the manifest
@dataclass(frozen=True)
class Replay:
    """A results folder, checked and ready to re-run. Build one with :func:`load_replay`.

    Attributes:
        folder: The results folder (only ever read).
        kind: :data:`RUN` or :data:`COMPARE`.
        manifest: Its manifest.
        configs: The configs to run: ``{"run": ...}``, or ``{"baseline": ..., "scenario": ...}``.
        seed: The seed of a run, or the root seed of a comparison.
        seeds: A comparison's number of seeds (1 for a run).
        months: Months per run.
        window_months: The months a comparison summarises (``months`` for a run).
        tables: The original tables by file name.
        warnings: Why the re-run may differ: other versions, another commit, an edited
            manifest.
        ensemble: A comparison's members (seeds and parameter draws), as its manifest
            records them; None for a run, or a comparison from before manifests held them.
    """

    folder: Path
    kind: str
    manifest: dict
    configs: dict[str, Config]
    seed: int
    seeds: int
    months: int
    window_months: int
    tables: dict[str, pl.DataFrame]
    warnings: tuple[str, ...]
    ensemble: Ensemble | None = None

    def description(self) -> str:
        """What made the folder, in a line, e.g. ``a `wfabm run` of baseline [1a2b3c4d], ...``."""
        months = _plural(self.months, "month")
        if self.kind == RUN:
            return f"a `wfabm run` of {_describe(self.configs[RUN])}, seed {self.seed}, {months}"
        return (
            f"a `wfabm compare` of {_describe(self.configs['baseline'])} (baseline) and "
            f"{_describe(self.configs['scenario'])} (scenario), "
            f"{_plural(self.seeds, 'seed')} from root seed {self.seed}, {months} each"
        )

    def check_out(self, out: str | Path) -> Path:
        """Check that the re-run may be kept in ``out``, before anything runs.

        Args:
            out: The folder for the re-run's files.

        Returns:
            ``out`` as a path.

        Raises:
            ConfigError: If ``out`` is the replayed folder, inside it or holds it, is a
                file, or holds other files.
        """
        path, original = Path(out).resolve(), self.folder.resolve()
        shown, folder = display_path(out), display_path(self.folder)
        where = (
            "is the folder being replicated"
            if path == original
            else f"is inside {folder}, the folder being replicated"
            if original in path.parents
            else f"holds {folder}, the folder being replicated"
            if path in original.parents
            else None
        )
        if where is not None:
            raise ConfigError(
                f"--out {shown} {where}, which replicate never writes to; choose a folder "
                "elsewhere."
            )
        return _check_results_folder(self.kind, Path(out))

    def run(
        self,
        out: str | Path | None = None,
        *,
        workers: int = 1,
        progress: bool = False,
        runs_done: Callable[[int, int], None] | None = None,
    ) -> Replication:
        """Re-run the folder and compare every table with the original.

        Args:
            out: Keep the re-run's files here (checked with :meth:`check_out`); by default
                they go to a temporary folder that is removed afterwards.
            workers: Processes for a comparison's runs; the results do not depend on it.
            progress: Draw a run's progress bar on stderr.
            runs_done: Told ``(runs done, runs in all)`` as a comparison's runs finish.

        Returns:
            The comparison of each table.
        """
        kept = self.check_out(out) if out is not None else None
        scratch = None if kept is not None else Path(tempfile.mkdtemp(prefix="wfabm-replicate-"))
        target = kept if kept is not None else scratch / self.folder.name
        try:
            self._rerun(target, workers=workers, progress=progress, runs_done=runs_done)
            checks = tuple(
                compare_tables(name, table, read_table(target / name), TABLE_KEYS[name])
                for name, table in self.tables.items()
            )
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
        return Replication(self, checks, kept)

    def _rerun(
        self,
        target: Path,
        *,
        workers: int,
        progress: bool,
        runs_done: Callable[[int, int], None] | None,
    ) -> None:
        # Imported only now so that reading and checking a folder does not load the model.
        if self.kind == RUN:
            from wfabm.batch.run import run_to_directory

            run_to_directory(
                self.configs[RUN], seed=self.seed, months=self.months, out=target, progress=progress
            )
            return
        from wfabm.batch.compare import compare_configs, write_comparison

        comparison = compare_configs(
            self.configs["baseline"],
            self.configs["scenario"],
            seeds=self.seeds,
            months=self.months,
            root_seed=self.seed,
            workers=workers,
            window_months=self.window_months,
            progress=runs_done,
            ensemble=self.ensemble,
        )
        write_comparison(comparison, target)


@dataclass(frozen=True)
class Replication:
    """A finished replay.

    Attributes:
        replay: What was re-run.
        tables: Each table's comparison, in the order the folder lists them.
        out: Where the re-run's files were kept, or None if they were not.
    """

    replay: Replay
    tables: tuple[TableCheck, ...]
    out: Path | None

    @property
    def identical(self) -> bool:
        """Whether every table was re-made exactly."""
        return all(check.identical for check in self.tables)

    def text(self) -> str:
        """The report: what was re-run, one line per table, and the verdict."""
        replay = self.replay
        lines = [
            f"wfabm replicate: {display_path(replay.folder)}, {replay.description()}",
            f"re-run kept in {display_path(self.out)}"
            if self.out is not None
            else "re-run in a temporary folder (use --out DIR to keep it)",
        ]
        for check in self.tables:
            lines.extend(check.lines())
        differing = sum(not check.identical for check in self.tables)
        if differing:
            lines.append(
                f"not replicated: {differing} of {_plural(len(self.tables), 'table')} differ"
                + (" (see the warnings above)" if replay.warnings else "")
            )
        else:
            lines.append(f"replicated: all {_plural(len(self.tables), 'table')} identical")
        return "\n".join(lines)


def load_replay(folder: str | Path) -> Replay:
    """Read a results folder's manifest and tables and check that it can be re-run.

    Args:
        folder: A folder written by ``wfabm run`` or ``wfabm compare --out``.

    Returns:
        The replay, with any warnings about versions, commit or an edited manifest.

    Raises:
        ConfigError: If the folder is missing, has no readable manifest, the manifest is
            not one of a run or a comparison or has a bad value, or a table is missing or
            unreadable.
    """
    root = Path(folder)
    manifest = read_manifest(root)
    file = root / MANIFEST
    where = display_path(file)
    warnings: list[str] = []
    if "experiment" in manifest:
        raise ConfigError(
            f"{where} is the manifest of an experiment; replicate re-runs {_FOLDERS}. To "
            "repeat an experiment, run its spec into a new folder and check its summary with "
            "`wfabm analyse DIR --expected CSV`.",
        )
    if "baseline" in manifest or "scenario" in manifest:
        kind, tables = COMPARE, COMPARE_TABLES
        configs = {
            label: _config(manifest, label, file, warnings) for label in ("baseline", "scenario")
        }
        seed = _whole(manifest, "root_seed", 0, where)
        recorded = manifest.get("seeds")
        if not isinstance(recorded, list) or not recorded:
            raise ConfigError(
                f"seeds = {_json(recorded)} is not allowed; allowed: the list of model seeds "
                "the comparison ran (at least one).",
                file=where,
                key="seeds",
            )
        seeds = len(recorded)
        months = _whole(manifest, "months", 1, where)
        window = _whole(manifest, "window_months", 1, where)
        # Imported here: the seeds are derived as the comparison derived them.
        from wfabm.batch.compare import comparison_seeds

        ensemble = _ensemble(manifest, where)
        if comparison_seeds(seed, seeds) != recorded:
            warnings.append(
                f"the seeds in {where} are not those root seed {seed} gives to "
                f"{_plural(seeds, 'run')} here; the re-run uses root seed {seed}'s."
            )
    elif "config" in manifest:
        ensemble = None
        kind, tables = RUN, RUN_TABLES
        configs = {RUN: _config(manifest, None, file, warnings)}
        seed = _whole(manifest, "seed", 0, where)
        seeds = 1
        months = window = _whole(manifest, "months", 1, where)
    else:
        raise ConfigError(
            f"{where} records no config (no config, or baseline and scenario, entries); "
            f"replicate re-runs {_FOLDERS}."
        )
    read = {name: read_table(root / name) for name in tables}
    warnings.extend(provenance_warnings(manifest, where))
    return Replay(
        root, kind, manifest, configs, seed, seeds, months, window, read, tuple(warnings), ensemble
    )


def _ensemble(manifest: Mapping[str, Any], where: str) -> Ensemble | None:
    """A comparison's recorded members, or None if its manifest predates them."""
    recorded = manifest.get("ensemble")
    if recorded is None:
        return None
    try:
        ensemble = Ensemble.from_dict(recorded) if isinstance(recorded, Mapping) else None
    except ValueError:
        ensemble = None
    if ensemble is None or [member.seed for member in ensemble.members] != manifest.get("seeds"):
        raise ConfigError(
            f"ensemble = {_json(recorded)[:60]} is not allowed; allowed: the members the "
            "comparison ran (kind, seeds_per_draw and each member's seed, draw and "
            "parameters), with the seeds of its seeds entry.",
            file=where,
            key="ensemble",
        )
    return ensemble


def read_manifest(folder: Path) -> dict:
    """Read a results folder's ``manifest.json``.

    Args:
        folder: The results folder.

    Returns:
        The manifest.

    Raises:
        ConfigError: If the folder or the manifest is missing, or the manifest cannot be
            read as a JSON object.
    """
    shown = display_path(folder)
    if not folder.exists():
        raise ConfigError(f"no such folder: {shown}; pass {_FOLDERS}.")
    if not folder.is_dir():
        raise ConfigError(f"{shown} is not a folder; pass {_FOLDERS}.")
    path = folder / MANIFEST
    where = display_path(path)
    if not path.is_file():
        raise ConfigError(
            f"{shown} has no {MANIFEST}, so what made it is unknown; pass {_FOLDERS} "
            "(folders of `wfabm compare` from before it wrote a manifest cannot be replicated)."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read the file: {error.strerror}.", file=where) from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"is not UTF-8 text (bad byte at offset {error.start}); it is not a manifest "
            "wfabm wrote.",
            file=where,
        ) from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "it is not a manifest as wfabm wrote it.",
            file=where,
        ) from None
    if not isinstance(manifest, dict):
        raise ConfigError(
            f"holds {_json(manifest)[:40]}, not a manifest (a JSON object of fields).", file=where
        )
    return manifest


def provenance_warnings(manifest: Mapping[str, Any], where: str = MANIFEST) -> list[str]:
    """Say how the installed packages and commit differ from those a manifest records.

    Args:
        manifest: A results manifest with ``package_versions`` and ``git_commit``.
        where: How to name the manifest.

    Returns:
        One warning for the versions that differ and one for the commit, or none.
    """
    warnings = []
    recorded = manifest.get("package_versions")
    if not isinstance(recorded, Mapping):
        warnings.append(f"{where} records no package versions to check")
    else:
        names = [name for name in recorded if name != "python"]
        installed = package_versions(names)
        changed = [
            f"{name} {installed.get(name) or 'not installed'} (the results: "
            f"{recorded[name] or 'not installed'})"
            for name in recorded
            if installed.get(name) != recorded[name]
        ]
        if changed:
            warnings.append(
                f"installed versions differ from those in {where}: {', '.join(changed)}; "
                "the tables may differ for that reason"
            )
    made, now = manifest.get("git_commit"), git_commit()
    if made != now:
        if made is None:
            warnings.append(
                f"{where} records no git commit; this wfabm is at {_short(now)}, so the "
                "tables may differ if the code has changed"
            )
        elif now is None:
            warnings.append(
                f"this wfabm does not know its git commit; the results were made at "
                f"{_short(made)}, so the tables may differ if the code has changed"
            )
        else:
            warnings.append(
                f"this wfabm is at git commit {_short(now)}, the results were made at "
                f"{_short(made)}; the tables may differ for that reason"
            )
    return warnings


def _config(manifest: dict, label: str | None, file: Path, warnings: list[str]) -> Config:
    """The config a manifest records, at the top (a run) or under ``label`` (a comparison)."""
    where = display_path(file)
    entry = manifest if label is None else manifest.get(label)
    prefix = "" if label is None else f"{label}."
    if not isinstance(entry, dict):
        raise ConfigError(
            f"{label} = {_json(entry)[:40]} is not allowed; allowed: a table with "
            "config_name, config_hash and config.",
            file=where,
            key=label,
        )
    data = entry.get("config")
    if not isinstance(data, dict):
        raise ConfigError(
            f"{prefix}config = {_json(data)[:40]} is not allowed; allowed: the resolved "
            "config as a table (as `wfabm check` prints it).",
            file=where,
            key=f"{prefix}config",
        )
    name = entry.get("config_name")
    if not isinstance(name, str) or not name:
        name = "replicated"
    try:
        config = config_from_data(data, name=name, file=file)
    except ConfigError as error:
        raise ConfigError(
            f"the config it records ({prefix}config) is not valid for this wfabm, so it "
            f"cannot be re-run here: {error.key or 'config'}: {error.reason}",
            file=where,
            key=f"{prefix}config",
        ) from None
    recorded = entry.get("config_hash")
    if recorded != config.hash:
        warnings.append(
            f"the config in {where} ({prefix}config) hashes to {config.hash}, not to the "
            f"{prefix}config_hash it records ({recorded}): it was edited after the results "
            "were written; the re-run uses it as it is now"
        )
    return config


def _whole(manifest: dict, key: str, minimum: int, where: str) -> int:
    value = manifest.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(
            f"{key} = {_json(value)} is not allowed; allowed: a whole number >= {minimum}.",
            file=where,
            key=key,
        )
    return value


def _check_results_folder(kind: str, out: Path) -> Path:
    # Imported here so that reading and checking a folder does not load the model.
    if kind == RUN:
        from wfabm.batch.run import check_results_folder

        return check_results_folder(out)
    from wfabm.batch.compare import check_out

    return check_out(out)


def _describe(config: Config) -> str:
    return f"{config.name} [{config.hash[:8]}]"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _short(commit: str | None) -> str:
    return "an unknown commit" if commit is None else commit[:12]


def _json(value: Any) -> str:
    return json.dumps(value, default=str)
