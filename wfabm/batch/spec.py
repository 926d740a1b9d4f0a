"""Experiment specs: scenarios × parameter samples × replicates, expanded into a run table.

A spec is a TOML file (see ``experiments/``) naming the scenarios (config files), the
parameters to vary and how (:mod:`wfabm.batch.design`), the number of replicates, months,
root seed and the outcomes each run keeps. It is validated like a config: every problem is
a :class:`~wfabm.config.ConfigError` of one paragraph naming the file, the key, the value
and what is allowed.

Seeds: replicate ``r`` of every scenario and sample runs on seed
``comparison_seeds(root, replicates)[r]`` (``SeedSequence(root).spawn``), so scenarios and
samples are compared on common random numbers and a run's results depend only on its
config and replicate, never on which engine, worker or order ran it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wfabm.batch.compare import comparison_seeds
from wfabm.batch.design import (
    DESIGNS,
    Parameter,
    check_size,
    design_samples,
    design_seed,
    salib_problem,
    with_values,
)
from wfabm.batch.spechash import spec_hash
from wfabm.config import (
    BASELINE_NAME,
    Config,
    ConfigError,
    display_path,
    load_config,
    named_config_path,
    read_toml,
)
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

__all__ = ["SHORTENED", "Experiment", "Run", "load_experiment"]

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


SHORTENED = "command_line"
"""Key of ``[experiment]`` in a validated spec: the values ``--months`` and ``--replicates``
put in place of the file's. It is part of the spec, so of its hash: a shortened experiment
is another experiment, resumed or replicated only with the same options."""


def load_experiment(
    path: str | Path,
    *,
    max_runs: int | None = None,
    months: int | None = None,
    replicates: int | None = None,
) -> Experiment:
    """Read, validate and expand an experiment spec.

    Args:
        path: The spec's TOML file.
        max_runs: Most runs the design may have; None: the spec's
            ``experiment.max_runs``, else :data:`MAX_RUNS`.
        months: Months per run instead of the spec's ``experiment.months`` (``--months``);
            a longer ``outcomes.window_months`` is cut to the run.
        replicates: Replicates instead of the spec's (``--replicates``).

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
    given = {
        key: value
        for key, value in (("months", months), ("replicates", replicates))
        if value is not None
    }
    if given:
        raw = _shortened(raw, given)
    spec = _validate(raw, file)
    if given:
        spec["experiment"][SHORTENED] = given
    scenarios = _scenarios(raw.get("scenarios"), source, file)
    parameters = _parameters(raw.get("parameters", {}), spec["design"], scenarios, file)
    _check_analysis(spec, scenarios, file)
    check_size(spec, parameters, len(scenarios), max_runs, file)
    samples = design_samples(spec, parameters, file)
    seeds = tuple(comparison_seeds(spec["experiment"]["seed"], spec["experiment"]["replicates"]))
    configs = {
        (name, index): with_values(config, parameters, row, file)
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
    digest = spec_hash(spec)
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


def _shortened(raw: dict, given: dict[str, int]) -> dict:
    """The spec's tables with ``--months``/``--replicates`` in place of its own values."""
    table = raw.get("experiment")
    if not isinstance(table, Mapping):
        return raw
    shortened = {**raw, "experiment": {**table, **given}}
    outcomes = raw.get("outcomes")
    window = outcomes.get("window_months") if isinstance(outcomes, Mapping) else None
    if "months" in given and isinstance(window, int) and window > given["months"]:
        shortened["outcomes"] = {**outcomes, "window_months": given["months"]}
    return shortened


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
        # Relative to the spec, never to the folder the command runs from, so that a spec
        # means the same wherever it is run and wherever it is copied with its files.
        beside = source.parent / value
        packaged = named_config_path(value)
        if value == BASELINE_NAME:
            scenarios[name] = load_config(BASELINE_NAME)
        elif beside.is_file():
            scenarios[name] = load_config(beside)
        elif not Path(value).is_absolute() and packaged.is_file():
            # By its name, as the manifest shows it, unless a file of the current folder
            # would shadow the name.
            scenarios[name] = load_config(packaged if Path(value).exists() else value)
        else:
            raise ConfigError(
                f"{key} = {toml_value(value)}: there is no such config file "
                f"({display_path(beside)}) or packaged config; {allowed} A spec copied "
                "elsewhere needs its scenario files copied beside it.",
                file=file,
                key=key,
            )
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
