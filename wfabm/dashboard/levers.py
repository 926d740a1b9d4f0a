"""The dashboard's policy levers in plain language, the scenario presets, and their config.

Each lever is one value of the config's ``[policy]`` section (plus one made of several
``[[policy.pay_change]]`` entries: a pay rise for the care roles). Values are checked by the
model's own schema (:mod:`wfabm.core.schema` through :meth:`wfabm.config.Config.with_overrides`),
so the dashboard accepts exactly what a config file may say, and a refused value gets the
same one-paragraph message, prefixed with the lever's plain-language name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from wfabm.config import Config, ConfigError, default_schema, load_config, named_config_path
from wfabm.core.schema import describe, format_path, parse_path
from wfabm.dashboard.i18n import t
from wfabm.levers import DASHBOARD_ORDER, LeverText
from wfabm.levers.pay_change import PAY_RISE, PAY_RISE_ROLES, PAY_RISE_SECTORS

__all__ = [
    "GROUPS",
    "LEVERS",
    "PAY_RISE",
    "PAY_RISE_ROLES",
    "PAY_RISE_SECTORS",
    "Lever",
    "LeverError",
    "PolicyStart",
    "Preset",
    "chart_markers",
    "configure",
    "lever_values",
    "policy_overrides",
    "policy_starts",
    "presets",
]

GROUPS: tuple[str, ...] = ("Pay", "Recruitment", "Workload and wellbeing", "Contracts", "Agency")
"""Lever groups, in the order the dashboard shows them."""


@dataclass(frozen=True)
class Lever(LeverText):
    """A policy lever as a workshop sees it: one lever class's text (:class:`LeverText`).

    The dashboard's own type, so that its records keep their name where they are listed or
    stored; the fields are :class:`~wfabm.levers.base.LeverText`'s.
    """


LEVERS: tuple[Lever, ...] = tuple(
    Lever(**{field.name: getattr(text, field.name) for field in fields(text)})
    for lever in DASHBOARD_ORDER
    for text in lever.texts
)
"""Every lever, grouped by :attr:`Lever.group` in :data:`GROUPS` order."""

_BY_NAME = {lever.name: lever for lever in LEVERS}
_PAY_RISE_START = "pay_rise.start"
_OVERSEAS_CLOSE = "policy.overseas_recruitment.close"
_START_OF = {
    lever.name: f"{lever.name.rsplit('.', 1)[0]}.start"
    for lever in LEVERS
    if lever.start is None and f"{lever.name.rsplit('.', 1)[0]}.start" in {x.start for x in LEVERS}
}
"""The start month of each lever that has none of its own: its lever class's."""
_DEFAULT_PAY_RISE_START = "2026-04"


class LeverError(ValueError):
    """A lever value the model refuses, explained in one paragraph.

    Attributes:
        lever: The lever's name (or ``"run.seed"``/``"run.months"``), if known.
    """

    def __init__(self, message: str, lever: str | None = None) -> None:
        super().__init__(message)
        self.lever = lever


@dataclass(frozen=True)
class PolicyStart:
    """A policy's first month, as a chart marks it.

    Attributes:
        month: ``"YYYY-MM"``.
        label: What starts, in plain language.
        differs: Whether the run differs from the baseline from this month (the months
            before the first such start are the baseline's).
    """

    month: str
    label: str
    differs: bool


@dataclass(frozen=True)
class Preset:
    """A ready-made scenario from ``configs/scenarios/``.

    Attributes:
        name: The file's stem, e.g. ``"zero_hours_ban"``.
        title: The description the file begins with (its first comment paragraph).
        path: The file.
    """

    name: str
    title: str
    path: Path


def presets() -> list[Preset]:
    """The scenario presets that ship with wfabm, in file-name order."""
    # Beside the baseline, in an installed wheel and in a source checkout alike.
    folder = named_config_path("baseline").parent / "scenarios"
    found = []
    for path in sorted(folder.glob("*.toml")):
        # The first paragraph of the file's opening comment, which may run over lines.
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.lstrip("#").strip()
            if not line.startswith("#") or not text:
                break
            lines.append(text)
        first = " ".join(lines)
        # "Scenario: X." or "Scenario (counterfactual): X." -> "X"
        title = first.split(":", 1)[1].strip() if first.startswith("Scenario") else first
        found.append(Preset(path.stem, title.rstrip("."), path))
    return found


def policy_starts(values: dict[str, Any], baseline: dict[str, Any]) -> list[PolicyStart]:
    """When each policy of a run starts, for the charts' markers.

    Every lever that differs from the baseline is marked at its start month; a lever
    without a start month of its own (e.g. the framework's adoption) starts with the lever
    it belongs to. The closing of the overseas care visa route is a policy of the baseline
    too: it is marked whenever it closes, and a run that closes it at another date (or
    never) differs from the baseline from the earlier of the two dates.

    Args:
        values: Lever values (:func:`lever_values`) of a run.
        baseline: The baseline's lever values.

    Returns:
        One :class:`PolicyStart` per start, in lever order.
    """
    starts: list[PolicyStart] = []
    seen: set[str] = set()
    for lever in LEVERS:
        value = values.get(lever.name)
        if lever.name == _OVERSEAS_CLOSE:
            starts += _overseas_starts(value, baseline.get(lever.name))
            continue
        start = lever.start or _START_OF.get(lever.name)
        if start is None or value == baseline.get(lever.name):
            continue
        if start in seen or not isinstance(values.get(start), str):
            continue
        seen.add(start)
        starts.append(PolicyStart(str(values[start])[:7], lever.label, differs=True))
    return starts


def chart_markers(
    values: dict[str, Any], baseline: dict[str, Any]
) -> list[tuple[dt.date, str, bool]]:
    """:func:`policy_starts` as the charts mark them: ``(first day, label, differs)``."""
    return [
        (dt.date(int(start.month[:4]), int(start.month[5:7]), 1), start.label, start.differs)
        for start in policy_starts(values, baseline)
    ]


def _overseas_starts(close: Any, baseline_close: Any) -> list[PolicyStart]:
    def month(value: Any) -> str | None:
        return value[:7] if isinstance(value, str) and value[:4].isdigit() else None

    ours, theirs = month(close), month(baseline_close)
    if close == baseline_close:
        return (
            [PolicyStart(ours, t("Overseas care visa route closes"), differs=False)] if ours else []
        )
    found = []
    if ours:
        found.append(PolicyStart(ours, t("Overseas care visa route closes"), differs=True))
    if theirs:
        label = t("Baseline closes the overseas care visa route")
        found.append(PolicyStart(theirs, label, differs=True))
    return found


def lever_values(config: Config) -> dict[str, Any]:
    """The value of every lever (and its start month) in a config.

    Args:
        config: A resolved config, e.g. the baseline or a preset.

    Returns:
        ``{name: value}`` for every lever and every start key.
    """
    values: dict[str, Any] = {}
    for lever in LEVERS:
        if lever.name == PAY_RISE:
            values[PAY_RISE], values[_PAY_RISE_START] = _pay_rise_of(config)
        else:
            values[lever.name] = config.get(lever.name, None)
        if lever.start is not None and lever.start != _PAY_RISE_START:
            values[lever.start] = config.get(lever.start)
    return values


def _pay_rise_of(config: Config) -> tuple[float, str]:
    entries = config.get("policy.pay_change")
    ours = [
        entry
        for entry in entries
        if entry["role"] in PAY_RISE_ROLES
        and entry["sector"] in PAY_RISE_SECTORS
        and entry.get("local_authority") is None
    ]
    if not ours:
        return 0.0, _DEFAULT_PAY_RISE_START
    return ours[0]["fraction"], ours[0]["start"]


def policy_overrides(values: dict[str, Any]) -> dict[str, Any]:
    """Turn lever values into a nested override of the config.

    Args:
        values: ``{name: value}`` as from :func:`lever_values` (missing names are left
            as the config has them).

    Returns:
        A nested dict for :meth:`wfabm.config.Config.with_overrides`.
    """
    overrides: dict[str, Any] = {}
    for name, value in values.items():
        if name == _PAY_RISE_START:
            continue
        if name == PAY_RISE:
            start = values.get(_PAY_RISE_START, _DEFAULT_PAY_RISE_START)
            entries = [
                {"sector": sector, "role": role, "fraction": value, "start": start}
                for sector in PAY_RISE_SECTORS
                for role in PAY_RISE_ROLES
            ]
            _set(overrides, ("policy", "pay_change"), entries if value != 0 else [])
            continue
        if value is None:
            # An optional value left empty: absent from the config (e.g. no cap).
            continue
        _set(overrides, parse_path(name), value)
    return overrides


def _set(tree: dict, path: tuple, value: Any) -> None:
    node = tree
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def configure(
    values: dict[str, Any], *, seed: Any, horizon: Any, base: Config | None = None
) -> Config:
    """The config a workshop run uses: the baseline with the levers, seed and horizon.

    Presets are lever values too (:func:`lever_values` of the preset's file), so every run
    starts from the baseline and a lever left empty (no cap) is simply absent.

    Args:
        values: Lever values (:func:`lever_values`).
        seed: The root seed, as typed (it is checked like ``run.seed`` in a file).
        horizon: Months to run, as typed (checked like ``run.months``).
        base: The config the levers change; defaults to the packaged baseline.

    Returns:
        The validated config.

    Raises:
        LeverError: If the schema refuses a value; the message names the lever in plain
            language, then says what the config key allows.
    """
    base = load_config() if base is None else base
    for lever in LEVERS:
        if lever.kind == "number" and values.get(lever.name, 0) is None:
            raise LeverError(
                t(
                    "{lever}: no value given; allowed: {allowed}.",
                    lever=t(lever.label),
                    allowed=_allowed(lever.name),
                ),
                lever.name,
            )
    overrides = policy_overrides(values)
    try:
        return base.with_overrides({**overrides, "run": {"seed": seed, "months": horizon}})
    except ConfigError as error:
        lever = _lever_of(error.key)
        label = _label_of(lever)
        prefix = f"{label}: " if label else ""
        raise LeverError(f"{prefix}{error.reason}", lever) from None


def _allowed(name: str) -> str:
    """What the schema allows for a lever, in words."""
    if name == PAY_RISE:
        return describe(default_schema()["policy"]["pay_change"].fields["fraction"])
    spec: Any = default_schema()
    for part in parse_path(name):
        spec = spec[part]
    return describe(spec)


def _lever_of(key: str | None) -> str | None:
    if key is None:
        return None
    if key.startswith("policy.pay_change"):
        return _PAY_RISE_START if key.endswith(".start") else PAY_RISE
    if key in ("run.seed", "run.months"):
        return key
    for lever in LEVERS:
        if key in (lever.name, lever.start):
            return key
    return None


def _label_of(name: str | None) -> str | None:
    if name is None:
        return None
    if name == "run.seed":
        return t("Seed")
    if name == "run.months":
        return t("Horizon (months)")
    for lever in LEVERS:
        if name == lever.name:
            return t(lever.label)
        if name == lever.start:
            return t("{lever}, start month", lever=t(lever.label))
    return format_path(parse_path(name))
