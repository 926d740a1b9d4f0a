"""A workshop's scenario as a TOML config file: downloaded to take home, uploaded to reopen.

The file is an ordinary wfabm config (``extends = "baseline"`` plus the levers, seed and
horizon as dotted keys), so ``wfabm run`` runs it as the dashboard did. Reading one back goes
through :func:`wfabm.config.load_config`, the schema every config file goes through, so a bad
file gives the same one-paragraph :class:`~wfabm.config.ConfigError` as on the command line. A
file that sets anything the dashboard has no lever for is refused too, rather than silently
run without it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wfabm.config import Config, ConfigError, load_config
from wfabm.core.schema import format_path, toml_value
from wfabm.dashboard.levers import configure, lever_values, policy_overrides

__all__ = ["Scenario", "read_scenario", "scenario_toml"]


@dataclass(frozen=True)
class Scenario:
    """What a scenario file holds, as the dashboard's levers see it.

    Attributes:
        values: Every lever's value (:func:`~wfabm.dashboard.levers.lever_values`).
        seed: The run's seed.
        horizon: Months to run.
    """

    values: dict[str, Any]
    seed: int
    horizon: int


def scenario_toml(config: Config, title: str) -> str:
    """The config of a workshop run as a TOML file over the baseline.

    Args:
        config: The run's config (from :func:`~wfabm.dashboard.levers.configure`).
        title: A line saying what the scenario is, written as the file's first comment.

    Returns:
        TOML text that :func:`read_scenario` and ``wfabm run`` read back to the same config.
    """
    run = config["run"]
    lines = [
        f"# Scenario: {' '.join(title.split())}.",
        "#",
        "# Saved from the wfabm policy workshop dashboard. Run it with `wfabm run <this file>`,",
        "# or open it in the dashboard again to carry on.",
        'extends = "baseline"',
        "",
        f"run.seed = {toml_value(run['seed'])}",
        f"run.months = {toml_value(run['months'])}",
    ]
    for path, value in _leaves(policy_overrides(lever_values(config)), ()):
        lines.append(f"{format_path(path)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def read_scenario(data: bytes, name: str, base: Config) -> Scenario:
    """Read an uploaded scenario file, checked as any config file is.

    Args:
        data: The file's bytes.
        name: The file's name as uploaded, named in errors.
        base: The baseline the dashboard's levers change.

    Returns:
        The scenario's levers, seed and horizon.

    Raises:
        ConfigError: If the file is not valid TOML or UTF-8, a key or value is not allowed,
            or it sets a key the dashboard has no lever for.
    """
    shown = Path(name).name or "scenario.toml"
    with tempfile.TemporaryDirectory(prefix="wfabm-upload-") as folder:
        path = Path(folder) / "upload.toml"
        path.write_bytes(data)
        try:
            config = load_config(path)
        except ConfigError as error:
            raise ConfigError(error.reason, file=shown, key=error.key) from None
    values = lever_values(config)
    run = config["run"]
    rebuilt = configure(values, seed=run["seed"], horizon=run["months"], base=base)
    extra = [
        format_path(path)
        for path, value in _leaves(config.to_dict(), ())
        if _at(rebuilt.to_dict(), path) != value
    ]
    if extra:
        raise ConfigError(
            f"sets {', '.join(extra[:5])}{' and more' if len(extra) > 5 else ''}, which the "
            "dashboard has no lever for; allowed: the levers, run.seed and run.months over "
            '`extends = "baseline"` (run other changes with `wfabm run`).',
            file=shown,
            key=extra[0],
        )
    return Scenario(values=values, seed=run["seed"], horizon=run["months"])


def _leaves(tree: dict, path: tuple) -> list[tuple[tuple, Any]]:
    """Every value that is not a table, with its key path."""
    found: list[tuple[tuple, Any]] = []
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            found += _leaves(value, (*path, key))
        else:
            found.append(((*path, key), value))
    return found


_ABSENT = object()


def _at(tree: dict, path: tuple) -> Any:
    node: Any = tree
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return _ABSENT
        node = node[part]
    return node
