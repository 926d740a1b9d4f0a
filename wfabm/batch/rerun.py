"""``wfabm experiment rerun DIR RUN``: run one run of a results folder again and compare.

Everything comes from the folder's manifest, not from the spec file (which may have changed
since): the scenario's resolved config, the sample's parameter values, the replicate's seed,
the months and the outcomes kept. The run is made in a temporary folder and its table
compared cell for cell with the stored one (:func:`wfabm.batch.replicate.compare_tables`);
the results folder is only read.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from wfabm.batch.replicate import TableCheck, compare_tables, provenance_warnings
from wfabm.batch.store import MANIFEST, RunTask, execute_batch, read_manifest
from wfabm.config import ConfigError, config_from_data, display_path
from wfabm.core.schema import parse_path, toml_value

__all__ = ["RUN_KEYS", "Rerun", "rerun_run"]

RUN_KEYS: tuple[str, ...] = ("kind", "month", "sector", "role", "origin", "destination", "outcome")
"""Columns that say what a row of a run's table is, shown with each differing cell."""

_RUN_RE = "sample-NNNNN_replicate-NNNN"


@dataclass(frozen=True)
class Rerun:
    """The outcome of re-running one stored run.

    Attributes:
        label: ``<scenario>/<run>``.
        seed: The seed it ran on.
        check: How its table compares with the stored one.
        warnings: Provenance differences (versions, git commit) that may explain a change.
    """

    label: str
    seed: int
    check: TableCheck
    warnings: tuple[str, ...]

    @property
    def identical(self) -> bool:
        """Whether the re-run table equals the stored one exactly."""
        return self.check.identical

    def text(self) -> str:
        """The report: the run, then the table's comparison."""
        verdict = "identical" if self.identical else "DIFFERS"
        return "\n".join(
            [
                f"wfabm experiment rerun {self.label} (seed {self.seed}): {verdict}",
                *self.check.lines(),
            ]
        )


def rerun_run(folder: str | Path, run: str) -> Rerun:
    """Run one stored run of an experiment's results folder again and compare its table.

    Args:
        folder: The results folder (``--out`` of ``wfabm experiment``).
        run: The run: ``<scenario>/sample-NNNNN_replicate-NNNN``, or the run's file path.

    Returns:
        The comparison.

    Raises:
        ConfigError: If the folder or the run cannot be found or read, before anything runs.
    """
    root = Path(folder)
    manifest = read_manifest(root)
    scenario, name = _parse_run(run, manifest)
    stored = (
        root / "runs" / f"experiment={manifest['experiment']}" / f"scenario={scenario}"
    ) / f"{name}.parquet"
    if not stored.is_file():
        raise ConfigError(
            f"RUN {run}: {display_path(stored)} does not exist (the run has not finished, "
            "or failed); allowed: a run whose file is in the folder's runs/."
        )
    sample, replicate = (int(part.split("-")[1]) for part in name.split("_"))
    task_config = _run_config(manifest, scenario, sample, root)
    spec = manifest["spec"]
    try:
        seed = manifest["seeds"][replicate]
    except (KeyError, IndexError):
        raise ConfigError(
            f"RUN {run}: replicate {replicate} is not in {display_path(root / MANIFEST)} "
            f"(it has {len(manifest.get('seeds', []))} seeds)."
        ) from None
    with tempfile.TemporaryDirectory(prefix="wfabm-rerun-") as scratch:
        task = RunTask(
            scenario=scenario,
            name=name,
            sample=sample,
            replicate=replicate,
            seed=seed,
            config=task_config,
            months=spec["experiment"]["months"],
            outcomes=spec["outcomes"],
            path=Path(scratch) / f"{name}.parquet",
            metrics_path=None,
        )
        (status,) = execute_batch([task])
        if not status.ok:
            raise ConfigError(f"RUN {run} failed when run again: {status.error}")
        check = compare_tables(
            f"{scenario}/{name}.parquet",
            pl.read_parquet(stored),
            pl.read_parquet(task.path),
            RUN_KEYS,
        )
    return Rerun(f"{scenario}/{name}", seed, check, tuple(provenance_warnings(manifest)))


def _parse_run(run: str, manifest: dict) -> tuple[str, str]:
    scenarios = list(manifest.get("configs", {}))
    text = run.removesuffix(".parquet")
    parts = [part for part in Path(text).parts if part]
    scenario = next(
        (p.removeprefix("scenario=") for p in parts if p.startswith("scenario=")),
        parts[-2] if len(parts) >= 2 else None,
    )
    name = parts[-1] if parts else ""
    shaped = name.startswith("sample-") and "_replicate-" in name
    if scenario not in scenarios or not shaped:
        raise ConfigError(
            f"RUN = {toml_value(run)} names no run of this folder; allowed: "
            f"<scenario>/{_RUN_RE} with a scenario among "
            f"{', '.join(scenarios) or '(none)'}, e.g. {scenarios[0] if scenarios else 'x'}/"
            "sample-00000_replicate-0000."
        )
    return scenario, name


def _run_config(manifest: dict, scenario: str, sample: int, root: Path) -> Any:
    where = display_path(root / MANIFEST)
    data = manifest["configs"][scenario]["config"]
    samples = manifest.get("design", {}).get("samples", [{}])
    if not 0 <= sample < len(samples):
        raise ConfigError(f"sample {sample} is not in {where} (it has {len(samples)} samples).")
    for key, value in samples[sample].items():
        node: Any = data
        path = parse_path(key)
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return config_from_data(data, name=scenario, file=where)
