"""Experiment designs: the varied parameters, how they are sampled, and a design's size.

A design varies parameters not at all, over a grid of listed values, by a Latin hypercube,
by Morris trajectories or by a Sobol/Saltelli sequence (the last three from SALib). The
sampler draws from its own stream of the experiment's root seed (:data:`DESIGN_STREAM`).

Size: a design of more than :data:`MAX_RUNS` runs is refused with its run count and an
estimate of its CPU time, before it is expanded (a large one would fill the memory or take
hours to build); ``experiment.max_runs`` in the spec, or ``--max-runs``, raises the limit.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from wfabm.config import Config, ConfigError
from wfabm.core.schema import parse_path, toml_value

__all__ = [
    "CPU_SECONDS_PER_MONTH",
    "CPU_SECONDS_PER_RUN",
    "DESIGNS",
    "DESIGN_STREAM",
    "MAX_RUNS",
    "Parameter",
    "check_size",
    "design_rows",
    "design_samples",
    "design_seed",
    "salib_problem",
    "with_values",
]

DESIGNS: tuple[str, ...] = ("none", "grid", "latin", "morris", "sobol")
"""Ways to vary parameters: not at all, every combination of listed values, a Latin
hypercube, Morris trajectories (elementary effects) or a Sobol/Saltelli sequence."""

DESIGN_STREAM = 2**31
"""Spawn key of the design sampler's stream of the root seed; replicate seeds use the
spawn keys 0, 1, 2, ..., so the streams never meet."""

MAX_RUNS = 100_000
"""Most runs a spec may expand to unless it (``experiment.max_runs``) or ``--max-runs``
allows more: about 4 CPU-days of ten-year Wales-scale runs."""

CPU_SECONDS_PER_RUN = 0.5
"""CPU time of building a Wales-scale run's population on this project's machine type."""

CPU_SECONDS_PER_MONTH = 0.03
"""CPU time of one simulated month of a Wales-scale run there (with
:data:`CPU_SECONDS_PER_RUN`, 3.7 s a 120-month run as in the sweep benchmark); used only
to estimate a design's cost."""


@dataclass(frozen=True)
class Parameter:
    """A config value the experiment varies.

    Attributes:
        key: Its dotted config key, e.g. ``"burnout.recovery_rate"``.
        kind: ``"float"`` or ``"int"`` (sampled ints are rounded).
        low: Lower bound of a sampled range (``None`` for a grid).
        high: Upper bound of a sampled range.
        values: The grid values (empty for a sampled range).
    """

    key: str
    kind: str
    low: float | None
    high: float | None
    values: tuple[float, ...]

    def cast(self, value: float) -> float | int:
        """The value as the config wants it: rounded for whole-number parameters."""
        return round(value) if self.kind == "int" else float(value)


def design_seed(root: int) -> int:
    """Seed of an experiment's design sampler, from its root seed."""
    sequence = np.random.SeedSequence(root, spawn_key=(DESIGN_STREAM,))
    return int(sequence.generate_state(1)[0])


def design_rows(spec: dict, parameters: tuple[Parameter, ...], file: str) -> int:
    """How many design points (parameter samples) a validated spec's design has.

    Args:
        spec: The validated spec.
        parameters: Its varied parameters.
        file: The spec file, as shown in errors.

    Raises:
        ConfigError: If a sampled design has no ``design.samples``.
    """
    design, method = spec["design"], spec["design"]["method"]
    if method == "none":
        return 1
    if method == "grid":
        return math.prod(len(p.values) for p in parameters)
    samples = _base_samples(design, file)
    if method == "latin":
        return samples
    if method == "morris":
        return samples * (len(parameters) + 1)
    # Saltelli's scheme: two base matrices and one mixed matrix per parameter (two with
    # second-order indices).
    mixed = 2 * len(parameters) if design.get("second_order", False) else len(parameters)
    return samples * (mixed + 2)


def _base_samples(design: dict, file: str) -> int:
    samples = design.get("samples")
    if samples is None:
        method = design["method"]
        raise ConfigError(
            f'design.method = "{method}" needs design.samples; allowed: a whole number >= 1 '
            + ("(a power of 2 for sobol)." if method == "sobol" else "."),
            file=file,
            key="design.samples",
        )
    return samples


def check_size(
    spec: dict,
    parameters: tuple[Parameter, ...],
    scenarios: int,
    max_runs: int | None,
    file: str,
) -> None:
    """Refuse a design of more runs than allowed, before it is expanded.

    Args:
        spec: The validated spec.
        parameters: Its varied parameters.
        scenarios: How many scenarios it has.
        max_runs: ``--max-runs`` (None: the spec's ``experiment.max_runs``, else
            :data:`MAX_RUNS`).
        file: The spec file, as shown in errors.

    Raises:
        ConfigError: With the run count and its estimated CPU time.
    """
    rows = design_rows(spec, parameters, file)
    replicates, months = spec["experiment"]["replicates"], spec["experiment"]["months"]
    runs = scenarios * rows * replicates
    if max_runs is not None:
        limit, source = max_runs, f"--max-runs {max_runs}"
    elif "max_runs" in spec["experiment"]:
        limit = spec["experiment"]["max_runs"]
        source = f"experiment.max_runs = {limit}"
    else:
        limit, source = MAX_RUNS, "the default limit"
    if runs <= limit:
        return
    hours = runs * (CPU_SECONDS_PER_RUN + months * CPU_SECONDS_PER_MONTH) / 3600
    cost = f"{hours:,.0f} CPU-hours" if hours < 48 else f"{hours / 24:,.0f} CPU-days"
    raise ConfigError(
        f"the design has {runs:,} runs ({scenarios:,} scenario{'s' if scenarios > 1 else ''} "
        f"x {rows:,} design points x {replicates:,} replicates), about {cost} at {months} "
        f"months a run, over the limit of {limit:,} runs ({source}); nothing was built or "
        f"run. Allowed: at most {limit:,} runs: make the design smaller, or, if it is meant "
        "to be this large, raise the limit with experiment.max_runs in the spec or "
        "--max-runs on the command line.",
        file=file,
        key="design",
    )


def design_samples(spec: dict, parameters: tuple[Parameter, ...], file: str) -> np.ndarray:
    """The design's parameter values: one row per sample, one column per parameter.

    Raises:
        ConfigError: If a Sobol design's ``design.samples`` is not a power of 2.
    """
    design, method = spec["design"], spec["design"]["method"]
    if method == "none":
        return np.zeros((1, 0))
    if method == "grid":
        return np.array(list(itertools.product(*(p.values for p in parameters))), dtype=float)
    samples = _base_samples(design, file)
    # Imported here so that specs without a sampled design do not need SALib.
    from SALib.sample import latin, morris, sobol

    problem = salib_problem(parameters)
    seed = design_seed(spec["experiment"]["seed"])
    if method == "latin":
        return latin.sample(problem, samples, seed=seed)
    if method == "morris":
        return morris.sample(problem, samples, num_levels=design.get("levels", 4), seed=seed)
    if samples & (samples - 1):
        raise ConfigError(
            f"design.samples = {samples} is not a power of 2, which a Sobol sequence needs "
            "for its balance; allowed: 2, 4, 8, 16, 32, ...",
            file=file,
            key="design.samples",
        )
    return sobol.sample(
        problem, samples, calc_second_order=design.get("second_order", False), seed=seed
    )


def salib_problem(parameters: tuple[Parameter, ...]) -> dict:
    """The SALib problem of sampled parameters: their names and bounds."""
    return {
        "num_vars": len(parameters),
        "names": [p.key for p in parameters],
        "bounds": [[p.low, p.high] for p in parameters],
    }


def with_values(
    config: Config, parameters: tuple[Parameter, ...], row: np.ndarray, file: str
) -> Config:
    """A scenario's config with one sample's parameter values set.

    Raises:
        ConfigError: If the config has no such entry or the values make it invalid.
    """
    if not parameters:
        return config
    data = config.to_dict()
    for parameter, value in zip(parameters, row, strict=True):
        node: Any = data
        path = parse_path(parameter.key)
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = parameter.cast(value)
        except (KeyError, IndexError, TypeError):
            raise ConfigError(
                f"parameters.{toml_value(parameter.key)}: the scenario config "
                f"{config.name} has no such entry (a list is shorter?); allowed: a key the "
                "config sets (see `wfabm check`).",
                file=file,
                key=parameter.key,
            ) from None
    try:
        return config.with_overrides(data)
    except ConfigError as error:
        values = ", ".join(
            f"{p.key} = {toml_value(p.cast(v))}" for p, v in zip(parameters, row, strict=True)
        )
        raise ConfigError(
            f"a sample ({values}) is not a valid config for scenario {config.name}: {error.reason}",
            file=file,
            key=error.key,
        ) from None
