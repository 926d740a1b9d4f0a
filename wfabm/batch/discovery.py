"""Scenario discovery on an experiment's runs: PRIM boxes and feature scores (EMA Workbench).

An experiment that crosses its scenarios (the levers) with a sampled design (the
uncertainties) is the EMA Workbench's experiments table; each run's summary outcome is its
outcome. :func:`discover` asks where a condition holds, e.g. ``vacancy_rate < 0.08``:

- PRIM (Friedman and Fisher 1999, as the EMA Workbench implements it) peels the space of
  scenarios and parameter values to a box where the condition holds in most runs
  (density) while keeping most of the runs where it holds (coverage). The box reported is
  the one of highest coverage with a density of at least :data:`DENSITY`.
- Feature scoring (extra-trees importances, the Workbench's ``get_feature_scores_all``)
  ranks how much each parameter and the scenario explain the outcome.

The computations are the EMA Workbench's (``ema_workbench.analysis``), not written here.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from wfabm.batch.charts import axis_label
from wfabm.batch.store import ANALYSIS, TABLES, read_manifest
from wfabm.config import ConfigError, display_path

__all__ = ["DENSITY", "LEVERS", "Condition", "Discovery", "discover", "parse_condition"]

LEVERS = "levers"
"""The scenario's dimension in PRIM and the feature scores: which of the spec's scenarios
(sets of levers) a run is, by its index in spec order."""

DENSITY = 0.8
"""Least share of runs in a box where the condition holds (PRIM's threshold)."""

_CONDITION = re.compile(r"\s*([a-z_]+)\s*(<|>)\s*([-+0-9.eE]+)\s*")


@dataclass(frozen=True)
class Condition:
    """Where an outcome stays below or above a value, e.g. ``vacancy_rate < 0.08``."""

    outcome: str
    below: bool
    value: float

    def text(self) -> str:
        """The condition as written, e.g. ``"vacancy_rate < 0.08"``."""
        return f"{self.outcome} {'<' if self.below else '>'} {self.value:g}"


def parse_condition(text: str) -> Condition:
    """Read ``--discover "OUTCOME<VALUE"`` (or ``>``).

    Raises:
        ConfigError: If the text is not of that form.
    """
    match = _CONDITION.fullmatch(text)
    if match is None:
        raise ConfigError(
            f"--discover {text!r} is not a condition; allowed: an outcome, < or >, and a "
            'number, e.g. --discover "vacancy_rate<0.08".'
        )
    try:
        value = float(match.group(3))
    except ValueError:
        raise ConfigError(
            f"--discover {text!r}: {match.group(3)!r} is not a number; allowed: e.g. 0.08."
        ) from None
    return Condition(match.group(1), match.group(2) == "<", value)


@dataclass(frozen=True)
class Discovery:
    """What scenario discovery found.

    Attributes:
        condition: The condition asked about.
        column: The wide table's column it was read from.
        runs: Runs analysed.
        hits: Runs where the condition holds.
        coverage: Share of those runs inside the box.
        density: Share of the box's runs where the condition holds.
        limits: The box: dimension → its restriction (a range, or the scenarios kept).
        scores: Feature scores, dimension → score, highest first.
        files: Charts and tables written.
    """

    condition: Condition
    column: str
    runs: int
    hits: int
    coverage: float
    density: float
    limits: dict[str, str]
    scores: dict[str, float]
    files: tuple[Path, ...]

    def text(self) -> str:
        """The finding in words, the box, then the feature scores."""
        rule = " and ".join(f"{name} {limit}" for name, limit in self.limits.items())
        lines = [
            f"scenario discovery: {self.condition.text()} ({self.column}) holds in "
            f"{self.hits} of {self.runs} runs.",
            f"  PRIM: it holds in {self.density:.0%} of runs (density), covering "
            f"{self.coverage:.0%} of the runs where it holds (coverage), when "
            + (rule or "anything (no restriction found)"),
            "  feature scores: "
            + ", ".join(f"{name} {score:.2f}" for name, score in self.scores.items()),
        ]
        return "\n".join(lines)


def discover(
    root: str | Path, condition: Condition, *, sector: str = "wales", role: str = "all"
) -> Discovery:
    """Run PRIM and feature scoring on a results folder's wide table.

    Args:
        root: The results folder (with ``tables/wide.parquet``).
        condition: Where the outcome should be, e.g. ``vacancy_rate < 0.08``.
        sector: The sector of the outcome.
        role: The role of the outcome.

    Returns:
        The box, the scores and the files written to ``analysis/discovery/``.

    Raises:
        ConfigError: If the folder has no wide table, the outcome is not kept, nothing
            varies, or the condition holds in no run or in every run.
    """
    root = Path(root)
    manifest = read_manifest(root)
    path = root / TABLES / "wide.parquet"
    if not path.is_file():
        raise ConfigError(
            f"{display_path(path)} is missing; run `wfabm experiment` on the folder's spec "
            "again (it writes the tables at the end of each session)."
        )
    wide = pl.read_parquet(path)
    column = f"{condition.outcome}__{sector}__{role}"
    if column not in wide.columns:
        kept = sorted({name.split("__")[0] for name in wide.columns if "__" in name})
        raise ConfigError(
            f"--discover {condition.text()}: the folder keeps no {condition.outcome} for "
            f"sector {sector}, role {role}; allowed: one of {', '.join(kept)} with a kept "
            "sector and role."
        )
    parameters = [str(key) for key in manifest.get("design", {}).get("parameters", [])]
    dimensions = parameters + (["scenario"] if wide["scenario"].n_unique() > 1 else [])
    if not dimensions:
        raise ConfigError(
            "scenario discovery needs something that varies: a design of parameters "
            "(latin, sobol, morris, grid) or several scenarios; this experiment has neither."
        )
    wide = wide.drop_nulls(column)
    values = wide[column].to_numpy()
    hits = values < condition.value if condition.below else values > condition.value
    if hits.all() or not hits.any():
        raise ConfigError(
            f"--discover {condition.text()} holds in {int(hits.sum())} of {len(hits)} runs: "
            "there is nothing to tell apart; allowed: a value inside the outcome's range "
            f"({values.min():.4g} to {values.max():.4g})."
        )
    x, scenarios = _experiments_table(wide, dimensions)
    folder = root / ANALYSIS / "discovery"
    folder.mkdir(parents=True, exist_ok=True)
    coverage, density, limits, trajectory = _prim(x, hits, scenarios)
    scores = _feature_scores(x, values, condition.outcome)
    files = _charts(folder, trajectory, scores, condition, column)
    return Discovery(
        condition,
        column,
        len(hits),
        int(hits.sum()),
        coverage,
        density,
        limits,
        scores,
        files,
    )


def _experiments_table(wide: pl.DataFrame, dimensions: list[str]) -> tuple[Any, list[str]]:
    """The experiments table, the scenario as its index in spec order, and those names.

    The Workbench drops columns named ``scenario``, ``policy`` and ``model`` from an
    experiments table (its own bookkeeping), so the scenario goes in as :data:`LEVERS`, the
    index of its name in spec order.
    """
    scenarios = wide["scenario"].unique(maintain_order=True).to_list()
    frame = wide.select(dimensions).to_pandas()
    if "scenario" in frame:
        frame[LEVERS] = frame.pop("scenario").map(scenarios.index).astype(float)
    return frame, scenarios


def _prim(x: Any, hits: Any, scenarios: list[str]) -> tuple[float, float, dict[str, str], Any]:
    # The Workbench warns on import of evaluators it does not need (ipyparallel).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        box = prim.Prim(x, hits, threshold=DENSITY).find_box()
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory["density"] >= DENSITY]
    chosen = int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
    stats, lims = box.inspect(chosen, style="data")[0]
    limits = {}
    for name, row in lims.iterrows():
        low, high = row.iloc[0], row.iloc[1]
        if name == LEVERS:
            kept = [n for i, n in enumerate(scenarios) if float(low) <= i <= float(high)]
            limits["scenario"] = "in {" + ", ".join(kept) + "}"
        else:
            limits[str(name)] = f"from {float(low):.4g} to {float(high):.4g}"
    return float(stats["coverage"]), float(stats["density"]), limits, trajectory


def _feature_scores(x: Any, values: Any, outcome: str) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import feature_scoring

        table = feature_scoring.get_feature_scores_all(x, {outcome: values})
    scores = {
        ("scenario" if name == LEVERS else str(name)): float(score)
        for name, score in table[outcome].items()
    }
    return dict(sorted(scores.items(), key=lambda item: -item[1]))


def _charts(
    folder: Path, trajectory: Any, scores: dict[str, float], condition: Condition, column: str
) -> tuple[Path, ...]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (peel, bars) = plt.subplots(1, 2, figsize=(11, 4.5))
    points = peel.scatter(
        trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis"
    )
    figure.colorbar(points, ax=peel, label="restricted dimensions (count)")
    peel.axhline(DENSITY, color="grey", linewidth=0.8, linestyle="--")
    peel.set_xlabel("coverage (share of the runs where it holds)")
    peel.set_ylabel("density (share of the box's runs where it holds)")
    peel.set_title(f"PRIM peeling: {condition.text()}", fontsize="medium")
    names = list(scores)[::-1]
    bars.barh(names, [scores[name] for name in names])
    bars.set_xlabel("feature score (extra-trees importance, sums to 1)")
    bars.set_title(f"what explains {axis_label(condition.outcome)}", fontsize="medium")
    figure.tight_layout()
    chart = folder / "prim.png"
    figure.savefig(chart, dpi=100)
    plt.close(figure)
    table = folder / "peeling_trajectory.csv"
    trajectory.to_csv(table, index=False)
    scores_path = folder / "feature_scores.csv"
    pl.DataFrame({"dimension": list(scores), "score": list(scores.values())}).write_csv(scores_path)
    return chart, table, scores_path
