"""Experiment specs: scenarios × parameter samples × replicates, expanded into a run table.

A spec is a TOML file (see ``experiments/``) naming the scenarios (config files), the
parameters to vary and how (a grid, a Latin hypercube, or a SALib Morris or Sobol design),
the number of replicates, months, root seed and the outcomes each run keeps. It is
validated like a config: every problem is a :class:`~wfabm.config.ConfigError` of one
paragraph naming the file, the key, the value and what is allowed.

Seeds: replicate ``r`` of every scenario and sample runs on seed
``comparison_seeds(root, replicates)[r]`` (``SeedSequence(root).spawn``), so scenarios and
samples are compared on common random numbers and a run's results depend only on its
config and replicate, never on which engine, worker or order ran it. The design's sampler
draws from its own stream of the same root (:data:`DESIGN_STREAM`).

Size: a design of more than :data:`MAX_RUNS` runs is refused with its run count and an
estimate of its CPU time, before it is expanded (a large one would fill the memory or take
hours to build); ``experiment.max_runs`` in the spec, or ``--max-runs``, raises the limit.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wfabm.batch.compare import comparison_seeds
from wfabm.batch.store import CHECKSUMS, ResultsStore, finish_session, session_entry
from wfabm.config import BASELINE_NAME, Config, ConfigError, display_path, load_config, read_toml
from wfabm.core.schema import (
    ListOf,
    MapOf,
    Param,
    SchemaError,
    format_path,
    parse_path,
    toml_value,
    validate,
)
from wfabm.core.taxonomy import ROLES, SECTORS
from wfabm.outcomes.summary import ALL_ROLES, OUTCOMES, WALES

__all__ = [
    "CPU_SECONDS_PER_MONTH",
    "CPU_SECONDS_PER_RUN",
    "DESIGNS",
    "DESIGN_STREAM",
    "MAX_RUNS",
    "Experiment",
    "ExperimentInterrupted",
    "Parameter",
    "Run",
    "SessionReport",
    "check_results_folder",
    "load_experiment",
    "results_folder",
    "run_experiment",
    "salib_problem",
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

_MANIFEST_EVERY = 30.0
"""Seconds between rewrites of the manifest while an experiment runs."""
_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_NAME_RULE = "letters, digits, _ and - (not starting with -)"
_SERIES_SECTORS = (WALES, *SECTORS)
_SERIES_ROLES = (ALL_ROLES, *ROLES)

_SCHEMA: dict = {
    "experiment": {
        "name": Param("str", "name", doc="the experiment's name, used in folder names"),
        "description": Param("str", "", optional=True),
        "months": Param("int", "months", 1, 1200),
        "seed": Param("int", "root seed", 0, 2**63 - 1),
        "replicates": Param("int", "runs per scenario and sample", 1, 100_000),
        "batch_size": Param("int", "runs per task", 1, 10_000, optional=True),
        "max_runs": Param("int", "runs", 1, 10**12, optional=True),
    },
    "design": {
        "method": Param("str", "", choices=DESIGNS),
        "samples": Param("int", "samples", 1, 1_000_000, optional=True),
        "levels": Param("int", "Morris grid levels", 2, 100, optional=True),
        "second_order": Param("bool", "", optional=True),
    },
    "outcomes": {
        "window_months": Param("int", "months", 1, 1200),
        "summary": Param("str_list", "outcomes", choices=OUTCOMES),
        "series": Param("str_list", "outcomes", choices=OUTCOMES),
        "sectors": Param("str_list", "sectors", choices=_SERIES_SECTORS, optional=True),
        "roles": Param("str_list", "roles", choices=_SERIES_ROLES, optional=True),
        "flows": Param("bool", ""),
        "metrics": Param("bool", ""),
    },
    "analysis": {
        "reference": Param("str", "scenario name", optional=True),
        "sensitivity": Param("str_list", "outcomes", choices=OUTCOMES, optional=True),
        "sector": Param("str", "sector", choices=_SERIES_SECTORS, optional=True),
        "role": Param("str", "role", choices=_SERIES_ROLES, optional=True),
    },
}
_SPEC_TABLES = ("experiment", "scenarios", "design", "parameters", "outcomes", "analysis")
_PARAMETER_KEYS = ("low", "high", "values")


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


@dataclass(frozen=True)
class Run:
    """One run of an experiment.

    Attributes:
        scenario: The scenario's name in the spec.
        sample: Index of the parameter sample (0 when nothing is varied).
        replicate: Replicate index, which fixes the seed.
        seed: The model's root seed.
        config: The resolved config: the scenario with the sample's values.
    """

    scenario: str
    sample: int
    replicate: int
    seed: int
    config: Config

    @property
    def name(self) -> str:
        """The run's file name stem, unique within its scenario."""
        return f"sample-{self.sample:05d}_replicate-{self.replicate:04d}"


@dataclass(frozen=True)
class Experiment:
    """A validated experiment spec and its run table.

    Attributes:
        name: The experiment's name.
        source: The spec file.
        spec: The validated spec, with defaults filled in.
        scenarios: Scenario name → resolved config, in spec order.
        parameters: The varied parameters, in spec order.
        samples: Sample values, one row per sample, one column per parameter.
        seeds: The seed of each replicate.
        runs: Every run, ordered replicate by replicate.
        hash: Hash of the spec and the scenario configs: results are only ever added to
            a folder whose experiment has the same hash.
    """

    name: str
    source: Path
    spec: dict
    scenarios: dict[str, Config]
    parameters: tuple[Parameter, ...]
    samples: np.ndarray
    seeds: tuple[int, ...]
    runs: tuple[Run, ...]
    hash: str

    @property
    def months(self) -> int:
        """Months simulated per run."""
        return self.spec["experiment"]["months"]

    @property
    def method(self) -> str:
        """The design method (one of :data:`DESIGNS`)."""
        return self.spec["design"]["method"]

    @property
    def outcomes(self) -> dict:
        """The ``[outcomes]`` table: what each run keeps."""
        return self.spec["outcomes"]

    def design_seed(self) -> int:
        """Seed of the design sampler (and of SALib's bootstrap), from the root seed."""
        return design_seed(self.spec["experiment"]["seed"])

    def salib_problem(self) -> dict:
        """The SALib problem of the varied parameters (:func:`salib_problem`)."""
        return salib_problem(self.parameters)

    def sample_table(self) -> list[dict[str, float | int]]:
        """Each sample's parameter values as given to the model, in sample order."""
        return [
            {p.key: p.cast(value) for p, value in zip(self.parameters, row, strict=True)}
            for row in self.samples
        ]


@dataclass(frozen=True)
class SessionReport:
    """What a session of :func:`run_experiment` did.

    Attributes:
        out: The results folder.
        total: Runs in the experiment.
        skipped: Runs already finished by an earlier session (and found sound).
        finished: Runs finished in this session.
        failed: Labels (``<scenario>/<run>``) of runs that failed twice.
        seconds: Wall time of the session.
        errors: The last error of each failed run, by label.
        repaired: Labels of stored runs found damaged, and so run again.
    """

    out: Path
    total: int
    skipped: int
    finished: int
    failed: tuple[str, ...]
    seconds: float
    errors: dict[str, str] = field(default_factory=dict)
    repaired: tuple[str, ...] = ()

    def text(self) -> str:
        """A short report of the session."""
        lines = [
            f"wfabm experiment: {self.finished} runs done, {self.skipped} already done, "
            f"{len(self.failed)} failed, of {self.total}; {self.seconds:.1f} s; results in "
            f"{display_path(self.out)}"
        ]
        if self.repaired:
            lines.append(
                f"{_runs(len(self.repaired))} stored before "
                f"{'was' if len(self.repaired) == 1 else 'were'} damaged and run again: "
                + _some(self.repaired)
            )
        return "\n".join(lines)

    def failure_text(self) -> str:
        """What failed: how many runs, which, and the first error of each kind ("" if none).

        An error's kind is its exception type; the records of every failure are in
        ``failures/``.
        """
        if not self.failed:
            return ""
        kinds: dict[str, list[str]] = {}
        for label in self.failed:
            kind = self.errors.get(label, "unknown error").split(":", 1)[0]
            kinds.setdefault(kind, []).append(label)
        lines = [
            f"{_runs(len(self.failed))} of {self.total} failed twice: {_some(self.failed)}. "
            f"Each one's error and traceback are in {display_path(self.out / 'failures')}/; "
            "running the same command again retries them (and only them)."
        ]
        for kind, labels in kinds.items():
            first = labels[0]
            lines.append(
                f"  {kind} in {_runs(len(labels))}; the first, {first}: "
                + " ".join(self.errors.get(first, kind).split())
            )
        return "\n".join(lines)


class ExperimentInterrupted(KeyboardInterrupt):
    """A session stopped by Ctrl-C or SIGTERM, after its finished runs were saved.

    Attributes:
        report: What the session did before it stopped.
    """

    def __init__(self, report: SessionReport) -> None:
        super().__init__("interrupted")
        self.report = report


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def _some(labels: tuple[str, ...], shown: int = 5) -> str:
    return ", ".join(labels[:shown]) + (
        f", ... ({len(labels) - shown} more)" if len(labels) > shown else ""
    )


def results_folder(experiment: Experiment, out: str | Path | None = None) -> Path:
    """The results folder of a session: ``out``, or ``results/<experiment name>``."""
    return Path(out) if out is not None else Path("results") / experiment.name


def check_results_folder(experiment: Experiment, out: str | Path | None = None) -> Path:
    """Check, writing nothing, that a results folder can take an experiment's results.

    :func:`run_experiment` makes the same checks (and takes the folder's lock); this lets
    a caller refuse a bad folder before it starts anything costly, such as a cluster.

    Args:
        experiment: The experiment.
        out: The results folder (default ``results/<experiment name>``).

    Returns:
        The folder.

    Raises:
        ConfigError: As for :func:`run_experiment`.
    """
    store = ResultsStore(results_folder(experiment, out), experiment)
    store.check()
    store.check_writable()
    return store.root


Progress = Callable[[int, int, int], None]
"""Called as ``progress(done, skipped, total)`` after each run and once at the start."""


def run_experiment(
    experiment: Experiment,
    out: str | Path | None = None,
    *,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | Any | None = None,
    progress: Progress | None = None,
) -> SessionReport:
    """Run every unfinished run of an experiment into its results folder.

    Runs already in the folder are checked and skipped, so an interrupted experiment
    resumes where it stopped; a damaged one is run again. A run that fails is retried
    once; if it fails again its error is recorded in ``failures/`` and the other runs go
    on (the next session retries it). The folder is locked for the session.

    Args:
        experiment: The experiment (:func:`load_experiment`).
        out: The results folder (default ``results/<experiment name>``).
        engine: ``"local"`` or ``"dask"`` (:mod:`wfabm.batch.executor`).
        workers: Worker processes.
        scheduler: For Dask: a scheduler address or cluster object; None for a local
            cluster.
        progress: Told of each finished run.

    Returns:
        What this session did.

    Raises:
        ConfigError: If ``out`` cannot take this experiment's results, cannot be written,
            or another session is using it (checked before anything runs).
        ExperimentInterrupted: On Ctrl-C (or a SIGTERM the caller turns into one), once
            the workers are stopped and the manifest is saved.
    """
    started = time.perf_counter()
    store = ResultsStore(results_folder(experiment, out), experiment)
    # Refused before the folder is made or locked, so a refusal writes nothing.
    store.check()
    store.check_writable()
    with store.lock():
        # Read again under the lock: another session may have just finished or begun.
        manifest = store.check() or store.new_manifest()
        return _run_session(
            experiment, store, manifest, started, engine, workers, scheduler, progress
        )


def _run_session(
    experiment: Experiment,
    store: ResultsStore,
    manifest: dict,
    started: float,
    engine: str,
    workers: int,
    scheduler: str | Any | None,
    progress: Progress | None,
) -> SessionReport:
    from wfabm.batch.executor import batch_size, in_flight, open_executor, run_tasks

    store.remove_leftovers()
    repaired = store.verify(manifest)
    shown_scheduler = (
        None if scheduler is None else str(getattr(scheduler, "scheduler_address", scheduler))
    )
    session = session_entry(engine, workers, shown_scheduler)
    manifest["sessions"].append(session)
    store.write_manifest(manifest)
    store.write_design()

    pending = store.pending()
    total, skipped = len(experiment.runs), len(experiment.runs) - len(pending)
    tasks = [store.task(run) for run in pending]
    failed: list[str] = []
    errors: dict[str, str] = {}
    finished = 0
    report = progress or (lambda done, skipped, total: None)
    report(0, skipped, total)

    saved = time.perf_counter()

    def on_done(task, status, attempt: int) -> None:
        nonlocal finished, saved
        manifest["timings"][status.label] = round(status.seconds, 3)
        if status.ok:
            manifest[CHECKSUMS][status.label] = status.checksums
        # Keep the timings of a session that may be killed, without rewriting the
        # manifest (all the resolved configs) after every run of a large experiment.
        if time.perf_counter() - saved > _MANIFEST_EVERY:
            store.write_manifest(manifest)
            saved = time.perf_counter()
        if status.ok:
            finished += 1
            store.clear_failure(status.label)
        elif attempt >= 2:
            failed.append(status.label)
            errors[status.label] = status.error or "unknown error"
            store.record_failure(task, status, attempt)
        else:
            return
        report(finished + len(failed), skipped, total)

    size = batch_size(
        experiment.months, len(tasks), workers, experiment.spec["experiment"].get("batch_size")
    )

    def report_now() -> SessionReport:
        seconds = time.perf_counter() - started
        return SessionReport(
            store.root,
            total,
            skipped,
            finished,
            tuple(sorted(failed)),
            seconds,
            errors=dict(errors),
            repaired=tuple(repaired),
        )

    interrupted = False
    try:
        if tasks:
            with open_executor(engine, workers, scheduler) as executor:
                run_tasks(
                    executor,
                    tasks,
                    size,
                    on_done,
                    in_flight=in_flight(engine, workers, scheduler),
                )
    except KeyboardInterrupt:
        interrupted = True
    finally:
        outcome = report_now()
        finish_session(
            session,
            runs_skipped=skipped,
            runs_finished=finished,
            runs_failed=len(failed),
            runs_repaired=len(repaired),
            batch_size=size,
            wall_seconds=round(outcome.seconds, 3),
            interrupted=interrupted,
        )
        store.write_manifest(manifest)
    if interrupted:
        raise ExperimentInterrupted(outcome) from None
    return outcome


def design_seed(root: int) -> int:
    """Seed of an experiment's design sampler, from its root seed."""
    sequence = np.random.SeedSequence(root, spawn_key=(DESIGN_STREAM,))
    return int(sequence.generate_state(1)[0])


def load_experiment(path: str | Path, *, max_runs: int | None = None) -> Experiment:
    """Read, validate and expand an experiment spec.

    Args:
        path: The spec's TOML file.
        max_runs: Most runs the design may have; None: the spec's
            ``experiment.max_runs``, else :data:`MAX_RUNS`.

    Returns:
        The experiment, with every run's config resolved and validated.

    Raises:
        ConfigError: For anything wrong in the spec or in a scenario config, or a design
            of more than ``max_runs`` runs (found before it is expanded), before anything
            is run or written.
    """
    source = Path(path)
    file = display_path(source)
    if not source.is_file():
        raise ConfigError(
            f"no such experiment spec: {path}; pass a path to a .toml file "
            "(examples are in experiments/)."
        )
    raw = read_toml(source)
    spec = _validate(raw, file)
    scenarios = _scenarios(raw.get("scenarios"), source, file)
    parameters = _parameters(raw.get("parameters", {}), spec["design"], scenarios, file)
    _check_analysis(spec, scenarios, file)
    _check_size(spec, parameters, len(scenarios), max_runs, file)
    samples = _samples(spec, parameters, file)
    seeds = tuple(comparison_seeds(spec["experiment"]["seed"], spec["experiment"]["replicates"]))
    configs = {
        (name, index): _with_values(config, parameters, row, file)
        for name, config in scenarios.items()
        for index, row in enumerate(samples)
    }
    runs = tuple(
        Run(name, index, replicate, seed, configs[name, index])
        for replicate, seed in enumerate(seeds)
        for name in scenarios
        for index in range(len(samples))
    )
    spec["scenarios"] = {name: config.hash for name, config in scenarios.items()}
    spec["parameters"] = {
        p.key: ({"values": list(p.values)} if p.values else {"low": p.low, "high": p.high})
        for p in parameters
    }
    # The limit on the design's size does not change its results: a folder may be resumed
    # with the limit raised.
    hashed = {
        **spec,
        "experiment": {k: v for k, v in spec["experiment"].items() if k != "max_runs"},
    }
    digest = hashlib.sha256(
        json.dumps(hashed, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()[:16]
    return Experiment(
        name=spec["experiment"]["name"],
        source=source,
        spec=spec,
        scenarios=scenarios,
        parameters=parameters,
        samples=samples,
        seeds=seeds,
        runs=runs,
        hash=digest,
    )


# --------------------------------------------------------------------------- validation
def _validate(raw: dict, file: str) -> dict:
    unknown = [key for key in raw if key not in _SPEC_TABLES]
    if unknown:
        raise ConfigError(
            f"unknown table {format_path((unknown[0],))}; allowed tables: "
            f"{', '.join(_SPEC_TABLES)}.",
            file=file,
            key=unknown[0],
        )
    table = raw.get("experiment")
    months = table.get("months") if isinstance(table, Mapping) else None
    # The default window is a year, or the whole run if shorter; a bad month count is
    # reported by the validation below.
    window = months if type(months) is int and 1 <= months < 12 else 12
    # Tables the spec may leave out take these values.
    defaults = {
        "design": {"method": "none"},
        "outcomes": {
            "window_months": window,
            "summary": list(OUTCOMES),
            "series": ["headcount", "vacancy_rate", "leaver_rate", "burnout"],
            "flows": True,
            "metrics": False,
        },
        "analysis": {},
    }
    checked = {key: value for key, value in raw.items() if key in _SCHEMA}
    for table, values in defaults.items():
        given = checked.get(table, {})
        checked[table] = {**values, **given} if isinstance(given, Mapping) else given
    try:
        spec = validate(checked, _SCHEMA)
    except SchemaError as error:
        raise ConfigError(error.reason, file=file, key=format_path(error.path)) from None
    name = spec["experiment"]["name"]
    if not _NAME_RE.fullmatch(name):
        raise ConfigError(
            f"experiment.name = {toml_value(name)} cannot name a folder; allowed: {_NAME_RULE}.",
            file=file,
            key="experiment.name",
        )
    outcomes = spec["outcomes"]
    outcomes.setdefault("sectors", [WALES, "la", "independent", "agency", "nhs"])
    outcomes.setdefault("roles", list(_SERIES_ROLES))
    if spec["experiment"]["months"] < outcomes["window_months"]:
        raise ConfigError(
            f"outcomes.window_months = {outcomes['window_months']} is longer than the run "
            f"(experiment.months = {spec['experiment']['months']}); allowed: a whole number "
            "from 1 to experiment.months.",
            file=file,
            key="outcomes.window_months",
        )
    if not outcomes["summary"]:
        raise ConfigError(
            "outcomes.summary = [] keeps nothing; allowed: a list of any of "
            + ", ".join(toml_value(name) for name in OUTCOMES)
            + ".",
            file=file,
            key="outcomes.summary",
        )
    return spec


def _scenarios(table: Any, source: Path, file: str) -> dict[str, Config]:
    allowed = (
        f'allowed: "{BASELINE_NAME}", a path to a config file relative to '
        f"{display_path(source.parent)}/, or a packaged config such as "
        '"scenarios/zero_hours_ban".'
    )
    if not isinstance(table, Mapping) or not table:
        raise ConfigError(
            "missing required table [scenarios]: give each scenario a name and a config, "
            f'e.g. baseline = "{BASELINE_NAME}"; ' + allowed,
            file=file,
            key="scenarios",
        )
    scenarios: dict[str, Config] = {}
    for name, value in table.items():
        key = format_path(("scenarios", name))
        if not _NAME_RE.fullmatch(name):
            raise ConfigError(
                f"scenario name {toml_value(name)} cannot name a folder; allowed: {_NAME_RULE}.",
                file=file,
                key=key,
            )
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"{key} = {toml_value(value)} is not a config; {allowed}", file=file, key=key
            )
        beside = source.parent / value
        if value == BASELINE_NAME:
            scenarios[name] = load_config(BASELINE_NAME)
        elif beside.is_file():
            scenarios[name] = load_config(beside)
        else:
            try:
                scenarios[name] = load_config(value)
            except ConfigError:
                raise ConfigError(
                    f"{key} = {toml_value(value)}: there is no such config file "
                    f"({display_path(beside)}) or packaged config; {allowed}",
                    file=file,
                    key=key,
                ) from None
    return scenarios


def _parameters(
    table: Any, design: dict, scenarios: dict[str, Config], file: str
) -> tuple[Parameter, ...]:
    method = design["method"]
    if not isinstance(table, Mapping):
        raise ConfigError(
            f"parameters = {toml_value(table)} is not a table; allowed: one table per varied "
            'config key, e.g. [parameters."burnout.recovery_rate"] with low and high.',
            file=file,
            key="parameters",
        )
    entries = _parameter_entries(table, ())
    if method == "none" and entries:
        raise ConfigError(
            f'parameters.{entries[0][0]} is given but design.method = "none" varies '
            f"nothing; allowed: set design.method to one of {', '.join(DESIGNS[1:])}, "
            "or remove [parameters].",
            file=file,
            key="design.method",
        )
    if method != "none" and not entries:
        raise ConfigError(
            f'design.method = "{method}" needs parameters to vary; allowed: a '
            '[parameters."<config key>"] table for each, with values (grid) or low and '
            "high (latin, morris, sobol).",
            file=file,
            key="parameters",
        )
    schema = next(iter(scenarios.values())).schema
    parameters = []
    for key, entry in entries:
        label = f"parameters.{toml_value(key)}"
        try:
            path = parse_path(key)
        except ValueError:
            raise ConfigError(
                f"{label} is not a config key; allowed: a dotted key such as "
                '"burnout.recovery_rate" or "policy.pay_change[0].fraction".',
                file=file,
                key=label,
            ) from None
        param = _param_at(schema, path)
        if param is None or param.kind not in ("float", "int"):
            raise ConfigError(
                f"{label} is not a numeric config value; allowed: the dotted key of a number "
                "in the config (see `wfabm check baseline`).",
                file=file,
                key=label,
            )
        parameters.append(_parameter(key, param.kind, entry, method, label, file))
    return tuple(parameters)


def _parameter_entries(table: Mapping, prefix: tuple[str, ...]) -> list[tuple[str, dict]]:
    """Flatten ``[parameters]``: a quoted dotted key or nested tables both name a key."""
    entries: list[tuple[str, dict]] = []
    for name, value in table.items():
        path = (*prefix, name)
        if isinstance(value, Mapping) and not set(value) & set(_PARAMETER_KEYS):
            entries.extend(_parameter_entries(value, path))
        else:
            entries.append((".".join(path), value))
    return entries


def _param_at(schema: dict, path: tuple) -> Param | None:
    node: Any = schema
    for part in path:
        if isinstance(node, ListOf):
            if not isinstance(part, int):
                return None
            node = node.fields
            continue
        if isinstance(part, int):
            return None
        if isinstance(node, MapOf):
            node = node.value if part in node.keys else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node if isinstance(node, Param) else None


def _parameter(key: str, kind: str, entry: Any, method: str, label: str, file: str) -> Parameter:
    wanted = (
        "a table with values = [...] (a grid)"
        if method == "grid"
        else f"a table with low and high (the range {method} samples)"
    )
    if not isinstance(entry, Mapping):
        raise ConfigError(
            f"{label} = {toml_value(entry)} is not a table; allowed: {wanted}.",
            file=file,
            key=label,
        )
    unknown = [name for name in entry if name not in _PARAMETER_KEYS]
    given = set(entry) - set(unknown)
    expected = {"values"} if method == "grid" else {"low", "high"}
    if unknown or given != expected:
        shown = toml_value(dict(entry))
        raise ConfigError(
            f'{label} = {shown} does not suit design.method = "{method}"; allowed: {wanted}.',
            file=file,
            key=label,
        )

    def number(name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise ConfigError(
                f"{label}.{name} = {toml_value(value)} is not a number; allowed: a finite "
                "number the config key accepts.",
                file=file,
                key=f"{label}.{name}",
            )
        return float(value)

    if method == "grid":
        values = entry["values"]
        if not isinstance(values, list) or not values:
            raise ConfigError(
                f"{label}.values = {toml_value(values)} is not a list of numbers; allowed: a "
                "non-empty list of numbers the config key accepts.",
                file=file,
                key=f"{label}.values",
            )
        numbers = tuple(number("values", value) for value in values)
        return Parameter(key, kind, None, None, numbers)
    low, high = number("low", entry["low"]), number("high", entry["high"])
    if not low < high:
        raise ConfigError(
            f"{label}: low = {toml_value(low)} is not below high = {toml_value(high)}; "
            "allowed: low < high.",
            file=file,
            key=label,
        )
    return Parameter(key, kind, low, high, ())


def _check_analysis(spec: dict, scenarios: dict[str, Config], file: str) -> None:
    analysis = spec["analysis"]
    reference = analysis.setdefault("reference", next(iter(scenarios)))
    if reference not in scenarios:
        raise ConfigError(
            f"analysis.reference = {toml_value(reference)} is not a scenario of this "
            f"experiment; allowed: one of {', '.join(toml_value(n) for n in scenarios)}.",
            file=file,
            key="analysis.reference",
        )
    kept = spec["outcomes"]["summary"]
    preferred = [name for name in ("vacancy_rate", "leaver_rate") if name in kept]
    analysis.setdefault("sensitivity", preferred or kept[:1])
    analysis.setdefault("sector", WALES)
    analysis.setdefault("role", ALL_ROLES)
    missing = [name for name in analysis["sensitivity"] if name not in spec["outcomes"]["summary"]]
    if missing:
        raise ConfigError(
            f"analysis.sensitivity names {toml_value(missing[0])}, which outcomes.summary "
            "does not keep; allowed: outcomes listed in outcomes.summary.",
            file=file,
            key="analysis.sensitivity",
        )


# --------------------------------------------------------------------------- design
def _design_rows(spec: dict, parameters: tuple[Parameter, ...], file: str) -> int:
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


def _check_size(
    spec: dict,
    parameters: tuple[Parameter, ...],
    scenarios: int,
    max_runs: int | None,
    file: str,
) -> None:
    rows = _design_rows(spec, parameters, file)
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


def _samples(spec: dict, parameters: tuple[Parameter, ...], file: str) -> np.ndarray:
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


def _with_values(
    config: Config, parameters: tuple[Parameter, ...], row: np.ndarray, file: str
) -> Config:
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
