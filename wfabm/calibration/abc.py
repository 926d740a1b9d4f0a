"""Bayesian calibration by approximate Bayesian computation (ABC-SMC, with pyabc).

The point fit (:mod:`wfabm.calibration.fit`) finds one set of the free parameters; this
module finds a posterior: a weighted sample of parameter sets whose simulated moments lie
close to the targets, with the closeness tightened generation by generation (sequential
Monte Carlo, Del Moral et al. 2012; Beaumont et al. 2009). pyabc does the sampling: the
adaptive tolerance schedule (the median distance of the previous generation), the
multivariate-normal perturbation kernel fitted to the previous population, the importance
weights and the history database.

What is ours:

- **The prior** is uniform on each free parameter's position in ``[0, 1]``
  (:meth:`FreeParameter.value <wfabm.calibration.fit.FreeParameter.value>` maps a position to
  a value, on a log scale where the parameter says so): the bounds of
  :data:`~wfabm.calibration.fit.FREE_PARAMETERS` are the named assumption.
- **The distance** is the root of the sum of squared residuals (simulated − observed) /
  tolerance over the fitted targets, the point fit's objective; an undefined moment counts
  as a zero residual, as there.
- **Reproducibility.** pyabc's parallel samplers reseed every task from the operating
  system, so two calibrations differ. :class:`SeededSampler` instead gives task ``i`` of
  generation ``t`` the seed ``SeedSequence([root, t + 1, i])`` and maps the tasks with the
  project's executor (:func:`wfabm.batch.executor.map_ordered`, local processes or Dask), in
  order: the same settings give the same posterior in any engine and with any number of
  workers, and a calibration interrupted and resumed redoes only the generation it was in.
- **The posterior folder** (:func:`write_posterior`): ``draws.parquet`` (``draw``, ``weight``
  and one column per config key of each parameter), the folder format
  :mod:`wfabm.batch.ensemble` reads, and ``manifest.json`` (settings, targets hash, the
  tolerance schedule, acceptance rates, effective sample size, package versions, commit).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from wfabm.batch.atomic import write_atomically
from wfabm.batch.executor import map_ordered, open_executor
from wfabm.batch.provenance import git_commit, package_versions
from wfabm.calibration.fit import (
    FREE_PARAMETERS,
    TARGET_MONTHS,
    FreeParameter,
    Target,
    candidate_config,
    load_targets,
    residuals,
    targets_hash,
)
from wfabm.calibration.moments import run_moments
from wfabm.config import Config

__all__ = [
    "DATABASE",
    "AbcSettings",
    "Posterior",
    "SeededSampler",
    "calibrate_posterior",
    "write_posterior",
]

DATABASE = "abc.db"
"""pyabc's history of a calibration, in its folder: what a resumed calibration continues."""


@dataclass(frozen=True)
class AbcSettings:
    """How an ABC-SMC calibration runs.

    Attributes:
        particles: Population size of every generation (the posterior's number of draws).
        generations: Generations to run (each a tighter tolerance).
        months: Months per run (the targets are the base year's).
        root_seed: Root of every random number the calibration draws.
        min_acceptance: Stop early when a generation accepts fewer of its proposals.
        workers: Worker processes (local engine).
        engine: ``"local"`` or ``"dask"``.
    """

    particles: int = 200
    generations: int = 6
    months: int = TARGET_MONTHS
    root_seed: int = 20220401
    min_acceptance: float = 0.02
    workers: int = 1
    engine: str = "local"


@dataclass(frozen=True)
class Posterior:
    """The last generation of a calibration: its draws, weights and diagnostics.

    Attributes:
        parameters: The free parameters, in order.
        values: Each draw's values, a (draws × parameters) array.
        weights: Each draw's importance weight, summing to one.
        epsilons: The tolerance of each generation.
        acceptance: The acceptance rate of each generation.
        runs: Model runs made in all.
        settings: How it ran.
    """

    parameters: tuple[FreeParameter, ...]
    values: np.ndarray
    weights: np.ndarray
    epsilons: tuple[float, ...]
    acceptance: tuple[float, ...]
    runs: int
    settings: AbcSettings

    @property
    def effective_sample_size(self) -> float:
        """Kish's effective sample size, 1 / Σ w²."""
        return float(1.0 / np.sum(self.weights**2))

    def medians(self) -> dict[str, float]:
        """Each parameter's weighted posterior median."""
        return self.quantiles(0.5)

    def quantiles(self, probability: float) -> dict[str, float]:
        """Each parameter's weighted posterior quantile (the first draw reaching it)."""
        return {
            parameter.name: _weighted_quantile(self.values[:, index], self.weights, probability)
            for index, parameter in enumerate(self.parameters)
        }

    def prior_ratios(self) -> dict[str, float]:
        """Each parameter's posterior sd over its prior's, on the prior's unit scale.

        A ratio near 1 means the data leave the parameter where the prior had it; well below
        1 (say under 0.5), that they pin it.
        """
        prior_sd = 1.0 / np.sqrt(12.0)
        ratios = {}
        for index, parameter in enumerate(self.parameters):
            units = np.array([parameter.unit(value) for value in self.values[:, index]])
            mean = np.sum(self.weights * units)
            sd = float(np.sqrt(np.sum(self.weights * (units - mean) ** 2)))
            ratios[parameter.name] = sd / prior_sd
        return ratios


# --------------------------------------------------------------------------- the sampler
def _sampler_class() -> type:
    """The MappingSampler of pyabc, seeded task by task (built on first use: pyabc loads slowly)."""
    from pyabc.sampler import MappingSampler

    class _Seeded(MappingSampler):
        def __init__(self, map_: Callable, root: int) -> None:
            super().__init__(map_=map_, mapper_pickles=False)
            self.root = root

        def __getstate__(self) -> tuple:
            return (*super().__getstate__(), self.root)

        def __setstate__(self, state: tuple) -> None:
            super().__setstate__(state[:-1])
            self.root = state[-1]

        def sample_until_n_accepted(self, n: int, simulate_one: Callable, t: int, **_: Any):
            seeds = [
                # pyabc numbers its calibration sample t = -1; seed sequences take no negatives.
                int(np.random.SeedSequence([self.root, t + 1, index]).generate_state(1)[0])
                for index in range(n)
            ]
            task = functools.partial(_sample_one, self.pickle(simulate_one), self.unpickle)
            counted = list(self.map_(task, seeds))
            sample = self._create_empty_sample()
            evaluations = 0
            for result, count in counted:
                sample += result
                evaluations += count
            self.nr_evaluations_ = evaluations
            return sample

    return _Seeded


def SeededSampler(map_: Callable, root: int) -> Any:  # noqa: N802 - a class, built lazily
    """A pyabc sampler whose task ``i`` of generation ``t`` is seeded by (root, t, i).

    Args:
        map_: A map over the tasks that keeps their order, e.g. one built on
            :func:`wfabm.batch.executor.map_ordered`.
        root: The calibration's root seed.

    Returns:
        The sampler.
    """
    return _sampler_class()(map_, root)


def _sample_one(simulate_one: bytes, unpickle: Callable, seed: int) -> tuple[Any, int]:
    """Propose until one particle is accepted, from a fixed seed (runs in a worker)."""
    simulate = unpickle(simulate_one)
    # pyabc draws its proposals from numpy's global generator, so that is what is seeded.
    np.random.seed(seed)  # noqa: NPY002
    random.seed(seed)
    sample = None
    evaluations = 0
    while True:
        particle = simulate()
        evaluations += 1
        if sample is None:
            from pyabc.population import Sample

            sample = Sample()
        sample.append(particle)
        if particle.accepted:
            return sample, evaluations


def _apply(fn: Callable, item: Any) -> Any:
    return fn(item)


@contextmanager
def _ordered_map(settings: AbcSettings) -> Iterator[Callable]:
    with open_executor(settings.engine, settings.workers) as executor:

        def mapped(fn: Callable, items: Sequence) -> list:
            return map_ordered(executor, _apply, [(fn, item) for item in items])

        yield mapped


# --------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class _Simulator:
    """The model as pyabc calls it: parameter positions in, standardised residuals out."""

    base: Config
    targets: tuple[Target, ...]
    months: int

    def __call__(self, parameters: dict[str, float]) -> dict[str, float]:
        units = [parameters[p.name] for p in FREE_PARAMETERS]
        values = [p.value(u) for p, u in zip(FREE_PARAMETERS, units, strict=True)]
        config = candidate_config(self.base, values)
        # The seed comes from the task's seeded stream, so it is fixed by (root, t, i).
        seed = int(np.random.randint(0, 2**31 - 1))  # noqa: NPY002
        moments = run_moments(config, seed, self.months)
        terms = np.nan_to_num(residuals(moments, self.targets), nan=0.0)
        return {target.key: float(term) for target, term in zip(self.targets, terms, strict=True)}


def _distance(simulated: dict[str, float], observed: dict[str, float]) -> float:
    return float(np.sqrt(sum((simulated[key] - observed[key]) ** 2 for key in observed)))


# --------------------------------------------------------------------------- calibration
def calibrate_posterior(
    base: Config,
    settings: AbcSettings,
    folder: str | Path,
    *,
    quiet: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Posterior:
    """Run (or resume) an ABC-SMC calibration in ``folder`` and return its posterior.

    Args:
        base: The configuration whose free parameters are calibrated.
        settings: How to run.
        folder: Holds pyabc's history (:data:`DATABASE`); a calibration found there is
            resumed after its last finished generation (run it with the same settings).
        quiet: Silence pyabc's own log lines.
        progress: Told ``(generations done, generations)`` after each generation.

    Returns:
        The last generation.
    """
    import logging

    import pyabc

    if quiet:
        for name in ("ABC", "Epsilon", "Population", "Sampler", "Distance", "Acceptor", "pyabc"):
            logging.getLogger(name).setLevel(logging.WARNING)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    targets = tuple(t for t in load_targets() if t.fitted)
    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", 0.0, 1.0) for p in FREE_PARAMETERS})
    database = f"sqlite:///{folder / DATABASE}"
    report = progress or (lambda done, total: None)
    with _ordered_map(settings) as mapped:
        # Each generation is run as a resumption of the history: a fresh ABCSMC loaded from
        # the database, so that an uninterrupted calibration and one stopped and resumed
        # take the same steps (pyabc's own run() called again on one object does not update
        # the tolerance the same way).
        while True:
            abc = pyabc.ABCSMC(
                _Simulator(base, targets, settings.months),
                prior,
                _distance,
                population_size=settings.particles,
                sampler=SeededSampler(mapped, settings.root_seed),
            )
            history = _open_history(abc, database, targets)
            done = history.max_t + 1
            report(done, settings.generations)
            if done >= settings.generations or (
                done > 0 and _last_acceptance(history, settings.particles) < settings.min_acceptance
            ):
                break
            # pyabc's own choices in this process draw from numpy's global generator.
            np.random.seed([settings.root_seed % 2**32, done])  # noqa: NPY002
            abc.run(max_nr_populations=1)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    units = frame[[p.name for p in FREE_PARAMETERS]].to_numpy()
    values = np.array(
        [[p.value(u) for p, u in zip(FREE_PARAMETERS, row, strict=True)] for row in units]
    )
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    samples = populations["samples"].to_numpy(dtype=float)
    return Posterior(
        parameters=FREE_PARAMETERS,
        values=values,
        weights=np.asarray(weights, dtype=float) / float(np.sum(weights)),
        epsilons=tuple(float(e) for e in populations["epsilon"]),
        acceptance=tuple(float(settings.particles / s) for s in samples),
        runs=int(samples.sum()),
        settings=settings,
    )


def _last_acceptance(history: Any, particles: int) -> float:
    populations = history.get_all_populations()
    return particles / float(populations["samples"].iloc[-1])


def _open_history(abc: Any, database: str, targets: tuple[Target, ...]) -> Any:
    """Resume the calibration in ``database``, or start one."""
    import pyabc

    observed = {target.key: 0.0 for target in targets}
    try:
        history = pyabc.History(database)
        runs = history.all_runs()
    except Exception:  # a new or unreadable database starts afresh
        runs = []
    if runs:
        return abc.load(database, runs[-1].id)
    return abc.new(database, observed)


# --------------------------------------------------------------------------- the folder
def write_posterior(posterior: Posterior, folder: str | Path) -> Path:
    """Write ``draws.parquet`` and ``manifest.json`` into ``folder``, whole or not at all.

    Args:
        posterior: The posterior.
        folder: The posterior folder (e.g. ``configs/posterior``).

    Returns:
        The folder.
    """
    columns: dict[str, Any] = {
        "draw": np.arange(len(posterior.weights), dtype=np.int64),
        "weight": posterior.weights,
    }
    for index, parameter in enumerate(posterior.parameters):
        for key in parameter.keys:
            columns[key] = posterior.values[:, index]
    table = pl.DataFrame(columns)
    manifest = {
        "method": "ABC-SMC (pyabc), seeded task by task",
        "settings": asdict(posterior.settings),
        "targets_hash": targets_hash(),
        "parameters": {
            p.name: {"keys": list(p.keys), "low": p.low, "high": p.high, "log": p.log}
            for p in posterior.parameters
        },
        "epsilons": list(posterior.epsilons),
        "acceptance": list(posterior.acceptance),
        "runs": posterior.runs,
        "effective_sample_size": posterior.effective_sample_size,
        "medians": posterior.medians(),
        "prior_ratios": posterior.prior_ratios(),
        "package_versions": package_versions(),
        "git_commit": git_commit(),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }

    def write(target: Path) -> None:
        table.write_parquet(target / "draws.parquet")
        (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    return write_atomically(Path(folder), write, folder=True)


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, probability: float) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    at = min(int(np.searchsorted(cumulative, probability * cumulative[-1])), len(values) - 1)
    return float(values[order][at])
