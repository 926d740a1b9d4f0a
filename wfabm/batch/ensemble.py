"""Ensembles of runs: which parameters and seeds a comparison runs both configs on.

A member of an ensemble is one (parameter draw, seed) pair; the baseline and the scenario
are each run once per member, so the two see the same parameters and the same random
numbers (common random numbers) and their difference is the scenario's effect for that
member.

- A **seed ensemble** holds the configs' own parameters and ``n`` seeds (the seeds of
  :func:`~wfabm.batch.compare.comparison_seeds`): it shows stochastic uncertainty only.
- A **draw ensemble** also varies the parameters: ``draws`` parameter sets are taken, with
  their weights, from a folder of parameter draws (a posterior from a Bayesian calibration,
  or any sample a researcher supplies), each run on ``seeds`` seeds of its own, so the spread
  of an effect can be split into its parameter and stochastic parts
  (:func:`wfabm.outcomes.ensemble.effect_distribution`).

A folder of draws holds ``draws.parquet``: a column ``draw`` (a whole number naming the
draw), a column ``weight`` (>= 0, not all zero) and one column per parameter, named by its
dotted config key (``burnout.recovery_rate``); and optionally ``manifest.json``, what made
the draws. The draws taken from it depend only on the root seed and the counts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from wfabm.config import Config, ConfigError, display_path
from wfabm.core.schema import nest_dotted

__all__ = [
    "DRAWS",
    "SEEDS",
    "Ensemble",
    "Member",
    "ParameterDraws",
    "draw_ensemble",
    "load_draws",
    "seed_ensemble",
]

SEEDS = "seeds"
DRAWS = "draws"
"""The kinds of ensemble."""

DRAWS_FILE = "draws.parquet"
DRAWS_MANIFEST = "manifest.json"

# Mixed into the root seed so that choosing draws never shares a stream with the model seeds.
_DRAW_STREAM = 0x64726177


@dataclass(frozen=True)
class Member:
    """One (parameter draw, seed) pair both configs of a comparison are run on.

    Attributes:
        seed: The model seed.
        draw: The ``draw`` number in the folder of draws, or None for the configs' own
            parameters.
        parameters: The draw's values by dotted config key (empty for no draw).
    """

    seed: int
    draw: int | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, config: Config) -> Config:
        """The config with this member's parameters set.

        Raises:
            ConfigError: If a parameter is not a key of the config or its value is refused.
        """
        if not self.parameters:
            return config
        return config.with_overrides(nest_dotted(self.parameters))

    def to_dict(self) -> dict[str, Any]:
        """The member as plain JSON data."""
        return {"seed": self.seed, "draw": self.draw, "parameters": dict(self.parameters)}


@dataclass(frozen=True)
class Ensemble:
    """The members of a comparison and where their parameters came from.

    Attributes:
        kind: :data:`SEEDS` or :data:`DRAWS`.
        members: The members, in run order.
        seeds_per_draw: Seeds each draw is run on (the number of members for seeds alone).
        source: The folder of draws as given, or None.
        source_hash: SHA-256 of its ``draws.parquet``, or None.
    """

    kind: str
    members: tuple[Member, ...]
    seeds_per_draw: int
    source: str | None = None
    source_hash: str | None = None

    @property
    def draws(self) -> int:
        """The number of parameter draws (1 for seeds alone)."""
        return len(self.members) // self.seeds_per_draw

    def describe(self) -> str:
        """For reports: ``10 paired seeds``, or ``20 parameter draws × 2 seeds``."""
        if self.kind == SEEDS:
            count = len(self.members)
            return f"{count} paired seed{'' if count == 1 else 's'}"
        return f"{self.draws} parameter draws × {self.seeds_per_draw} seeds"

    def to_dict(self) -> dict[str, Any]:
        """The ensemble as plain JSON data, every member included (for the manifest)."""
        return {
            "kind": self.kind,
            "seeds_per_draw": self.seeds_per_draw,
            "source": self.source,
            "source_hash": self.source_hash,
            "members": [member.to_dict() for member in self.members],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ensemble:
        """Rebuild an ensemble written by :meth:`to_dict`.

        Raises:
            ValueError: If the data is not an ensemble's.
        """
        try:
            members = tuple(
                Member(
                    seed=int(item["seed"]),
                    draw=None if item.get("draw") is None else int(item["draw"]),
                    parameters=dict(item.get("parameters") or {}),
                )
                for item in data["members"]
            )
            ensemble = cls(
                kind=str(data["kind"]),
                members=members,
                seeds_per_draw=int(data["seeds_per_draw"]),
                source=data.get("source"),
                source_hash=data.get("source_hash"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an ensemble: {error}") from None
        if ensemble.kind not in (SEEDS, DRAWS) or not members or ensemble.seeds_per_draw < 1:
            raise ValueError("not an ensemble: bad kind, members or seeds_per_draw")
        return ensemble


@dataclass(frozen=True)
class ParameterDraws:
    """A folder of parameter draws, read and checked (:func:`load_draws`).

    Attributes:
        folder: The folder as given.
        table: ``draw``, ``weight`` and one column per parameter.
        parameters: The parameter columns' names (dotted config keys).
        sha256: SHA-256 of ``draws.parquet``.
        manifest: Its ``manifest.json``, or an empty dict.
    """

    folder: str
    table: pl.DataFrame
    parameters: tuple[str, ...]
    sha256: str
    manifest: Mapping[str, Any]


def seed_ensemble(seeds: list[int]) -> Ensemble:
    """Members of the configs' own parameters, one per seed."""
    return Ensemble(SEEDS, tuple(Member(seed) for seed in seeds), seeds_per_draw=len(seeds))


def load_draws(folder: str | Path, config: Config) -> ParameterDraws:
    """Read a folder of parameter draws and check every parameter against ``config``.

    Args:
        folder: The folder holding ``draws.parquet``.
        config: A config the draws will be applied to: each parameter must be one of its
            keys, and every draw's values must be accepted by its schema.

    Returns:
        The draws.

    Raises:
        ConfigError: For a missing or unreadable file, missing ``draw``/``weight`` columns,
            bad weights, or a parameter the config refuses (naming the draw and the value).
    """
    shown = display_path(folder)
    path = Path(folder) / DRAWS_FILE
    option = "--ensemble"
    if not path.is_file():
        raise ConfigError(
            f"{option} {shown}: there is no {DRAWS_FILE} in it. A folder of parameter draws "
            f"holds {DRAWS_FILE} with columns draw, weight and one per parameter (its dotted "
            "config key)."
        )
    data = path.read_bytes()
    try:
        table = pl.read_parquet(path)
    except Exception as error:  # any reading error is the file's fault
        raise ConfigError(f"{option} {shown}: {DRAWS_FILE} cannot be read ({error}).") from None
    missing = [name for name in ("draw", "weight") if name not in table.columns]
    parameters = tuple(name for name in table.columns if name not in ("draw", "weight"))
    if missing or not parameters or table.is_empty():
        raise ConfigError(
            f"{option} {shown}: {DRAWS_FILE} needs columns draw and weight, at least one "
            f"parameter column and one row; it has columns {table.columns} and "
            f"{table.height} rows."
        )
    weights = table["weight"].cast(pl.Float64, strict=False)
    if weights.null_count() or (weights < 0).any() or not weights.sum() > 0:
        raise ConfigError(
            f"{option} {shown}: every weight in {DRAWS_FILE} must be a number >= 0, and they "
            "must not all be zero."
        )
    if table["draw"].is_duplicated().any():
        raise ConfigError(f"{option} {shown}: the draw numbers in {DRAWS_FILE} repeat.")
    for row in table.iter_rows(named=True):
        member = Member(seed=0, draw=row["draw"], parameters=_values(row, parameters))
        try:
            member.apply(config)
        except ConfigError as error:
            raise ConfigError(f"{option} {shown}, draw {row['draw']}: {error}") from None
    manifest_path = Path(folder) / DRAWS_MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    return ParameterDraws(
        folder=str(folder),
        table=table,
        parameters=parameters,
        sha256=hashlib.sha256(data).hexdigest(),
        manifest=manifest,
    )


def draw_ensemble(
    draws: ParameterDraws, *, count: int, seeds: list[int], seeds_per_draw: int, root: int
) -> Ensemble:
    """Take ``count`` draws by weight and give each ``seeds_per_draw`` seeds of its own.

    Draws are taken by systematic resampling of the weights with one uniform offset from the
    root seed (so heavy draws appear in proportion to their weight, with the least added
    noise); member ``d · seeds_per_draw + s`` runs draw ``d`` on ``seeds[d · seeds_per_draw
    + s]``.

    Args:
        draws: The folder of draws.
        count: Draws to take, >= 1.
        seeds: ``count · seeds_per_draw`` model seeds.
        seeds_per_draw: Seeds per draw, >= 1.
        root: The root seed of the comparison.

    Returns:
        The ensemble.
    """
    if len(seeds) != count * seeds_per_draw:
        raise ValueError("a draw ensemble needs count × seeds_per_draw seeds")
    weights = draws.table["weight"].cast(pl.Float64).to_numpy()
    cumulative = np.cumsum(weights / weights.sum())
    offset = np.random.default_rng([root, _DRAW_STREAM]).random()
    positions = (offset + np.arange(count)) / count
    chosen = np.minimum(np.searchsorted(cumulative, positions, side="right"), len(weights) - 1)
    rows = draws.table.to_dicts()
    members = tuple(
        Member(
            seed=seeds[d * seeds_per_draw + s],
            draw=int(rows[index]["draw"]),
            parameters=_values(rows[index], draws.parameters),
        )
        for d, index in enumerate(chosen.tolist())
        for s in range(seeds_per_draw)
    )
    return Ensemble(
        DRAWS,
        members,
        seeds_per_draw=seeds_per_draw,
        source=draws.folder,
        source_hash=draws.sha256,
    )


def _values(row: Mapping[str, Any], parameters: tuple[str, ...]) -> dict[str, Any]:
    return {name: row[name] for name in parameters}
