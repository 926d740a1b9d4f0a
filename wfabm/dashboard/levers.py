"""The dashboard's policy levers in plain language, the scenario presets, and their config.

Each lever is one value of the config's ``[policy]`` section (plus one made of several
``[[policy.pay_change]]`` entries: a pay rise for the care roles). Values are checked by the
model's own schema (:mod:`wfabm.core.schema` through :meth:`wfabm.config.Config.with_overrides`),
so the dashboard accepts exactly what a config file may say, and a refused value gets the
same one-paragraph message, prefixed with the lever's plain-language name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wfabm.config import Config, ConfigError, default_schema, load_config, named_config_path
from wfabm.core.schema import describe, format_path, parse_path

__all__ = [
    "GROUPS",
    "LEVERS",
    "PAY_RISE",
    "PAY_RISE_ROLES",
    "PAY_RISE_SECTORS",
    "Lever",
    "LeverError",
    "Preset",
    "configure",
    "lever_values",
    "policy_overrides",
    "presets",
]

GROUPS: tuple[str, ...] = ("Pay", "Recruitment", "Workload and wellbeing", "Contracts", "Agency")
"""Lever groups, in the order the dashboard shows them."""

PAY_RISE = "pay_rise"
"""Name of the pay rise lever, which becomes one ``[[policy.pay_change]]`` per sector and role."""

PAY_RISE_ROLES = ("care_worker", "senior_care_worker", "residential_child_care_worker")
PAY_RISE_SECTORS = ("la", "independent")


@dataclass(frozen=True)
class Lever:
    """A policy lever as a workshop sees it.

    Attributes:
        name: The dotted config key it sets (``PAY_RISE`` for the pay rise).
        group: One of :data:`GROUPS`.
        label: Plain-language name.
        explanation: One line on what it does to the people in the model.
        source: The evidence behind it, or what is assumed.
        kind: ``"number"``, ``"optional_number"`` (None = not set), ``"switch"``,
            ``"choice"`` or ``"roles"`` (a list of role names).
        choices: The allowed values of a ``"choice"`` or ``"roles"`` lever, with labels.
        start: Dotted key of the month the lever takes effect, if it has one.
    """

    name: str
    group: str
    label: str
    explanation: str
    source: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    start: str | None = None


_PARITY_ROLES = (
    ("care_worker", "care workers"),
    ("senior_care_worker", "senior care workers"),
    ("residential_child_care_worker", "residential child care workers"),
    ("social_worker", "social workers"),
    ("occupational_therapist", "occupational therapists"),
    ("amhp", "AMHPs"),
)

LEVERS: tuple[Lever, ...] = (
    Lever(
        PAY_RISE,
        "Pay",
        "Pay rise for care staff (share, 0.05 = +5 %)",
        "Care workers, senior care workers and residential child care workers at Welsh councils "
        "and independent providers are paid this much more, on top of the usual uplifts.",
        "Moves between care employers are very pay-sensitive: labour supply elasticity about 4 "
        "(Vadean, Allan and Teo, NIHR ASCRU); leaving care is not (0.1-0.3).",
        "number",
        start="pay_rise.start",
    ),
    Lever(
        "policy.pay_framework.mode",
        "Pay",
        "Pay and Progression Framework",
        "Adopting employers pay each role at least the NHS (Agenda for Change) band it is "
        "pegged to, with yearly pay-point steps.",
        "Social Care Fair Work Forum framework: five bands comparable with NHS bands, voluntary "
        "today (ADSS Cymru Briefing 5, 2026); band pegs are an assumption.",
        "choice",
        (("none", "not in place"), ("voluntary", "voluntary"), ("mandatory", "mandatory")),
        start="policy.pay_framework.start",
    ),
    Lever(
        "policy.pay_framework.adoption",
        "Pay",
        "Framework adoption by independent providers (share)",
        "When the framework is voluntary, this share of independent providers adopts it; "
        "councils always do.",
        "Assumption: no figure for take-up exists.",
        "number",
    ),
    Lever(
        "policy.nhs_parity.roles",
        "Pay",
        "NHS pay parity for council staff",
        "Council pay for these roles moves toward NHS Wales pay, and their posts gain the NHS "
        "terms (pension, leave) in job choice.",
        "ADSS Cymru: council occupational therapists do equivalent work for 'significantly "
        "less pay' (Briefing 5, 2026); the size of the gap is not published.",
        "roles",
        _PARITY_ROLES,
        start="policy.nhs_parity.start",
    ),
    Lever(
        "policy.nhs_parity.gap_closed",
        "Pay",
        "Share of the NHS gap closed",
        "How much of the pay gap and of the NHS terms advantage parity closes (1 = all).",
        "Scenario choice.",
        "number",
    ),
    Lever(
        "policy.social_worker_terms.harmonised",
        "Pay",
        "One social worker rate across Wales",
        "Every council pays social workers and AMHPs the same rate (today's mean), ending "
        "the spread between authorities.",
        "Councils place social workers on the common NJC spine by their own job evaluation "
        "(ADSS Cymru Briefing 5, 2026; Social Care Wales delivery plan 2024-2027).",
        "switch",
        start="policy.social_worker_terms.start",
    ),
    Lever(
        "policy.england.pay_change",
        "Pay",
        "English care pay rise (share)",
        "English employers in the border authorities pay care workers this much more; Wales "
        "does not respond.",
        "A Fair Pay Agreement for English adult social care, first planned by April 2028 "
        "(DHSC consultation, 30 September 2025); its size is an assumption.",
        "number",
        start="policy.england.start",
    ),
    Lever(
        "policy.overseas_recruitment.close",
        "Recruitment",
        "Overseas care worker visa route",
        "While the route is open, overseas recruits arrive, tied to a sponsoring provider.",
        "The care worker visa route closed to overseas applicants on 22 July 2025 (UK "
        "Government); 'never' is the counterfactual.",
        "choice",
        (("2025-07-22", "closed on 22 July 2025"), ("never", "never closed")),
    ),
    Lever(
        "policy.training.social_work_places",
        "Recruitment",
        "Social work university places (× today)",
        "More places give bigger graduate cohorts once the course has run (three years).",
        "Social work students in Wales rose from 234 (2020-21) to 422 (2022-23) (Social Care "
        "Wales delivery plan 2024-2027).",
        "number",
        start="policy.training.start",
    ),
    Lever(
        "policy.training.occupational_therapy_places",
        "Recruitment",
        "Occupational therapy places (× today)",
        "More commissioned places give bigger occupational therapy cohorts after the course.",
        "The Welsh Government has increased commissioned OT places (ADSS Cymru Briefing 5, 2026).",
        "number",
    ),
    Lever(
        "policy.wellbeing.recovery_boost",
        "Workload and wellbeing",
        "Wellbeing support (faster burnout recovery, share)",
        "Welsh care workers recover from burnout this much faster each month (0.2 = 20 % faster).",
        "31 % of the workforce had enough support with workplace stress in 2023, 41 % in 2024 "
        "(Social Care Wales surveys); the size of the effect is an assumption.",
        "number",
        start="policy.wellbeing.start",
    ),
    Lever(
        "policy.caseload.cap",
        "Workload and wellbeing",
        "Social worker caseload cap (cases)",
        "Council social work teams carry at most this many cases each; the rest goes to "
        "agencies or waits (unmet hours). Empty = no cap.",
        "Children's social workers in England average 16 cases (DfE 2023); Welsh councils "
        "typically 16-23 (FOI responses, 2016, low reliability).",
        "optional_number",
        start="policy.caseload.start",
    ),
    Lever(
        "policy.demand.growth",
        "Workload and wellbeing",
        "Growth of funded care posts (× baseline)",
        "Scales the yearly growth of funded social care posts (1 = the baseline's 1 % a year).",
        "Need grows faster than funding: +85 % demand for care 2017-2035 (Welsh projections); "
        "the baseline growth is an assumption.",
        "number",
    ),
    Lever(
        "policy.zero_hours.ban",
        "Contracts",
        "End zero-hours contracts",
        "Zero-hours contracts at Welsh employers become guaranteed hours; English employers "
        "are not covered.",
        "11 % of Welsh survey respondents were on zero hours in 2024, and 65 % of them would "
        "prefer fixed hours (Social Care Wales).",
        "switch",
        start="policy.zero_hours.start",
    ),
    Lever(
        "policy.agency.cap",
        "Agency",
        "Agency pay cap (× employed pay)",
        "Agency workers in the chosen roles are paid at most this multiple of the employed "
        "rate. Empty = no cap.",
        "The All Wales Pledge (2022) for agency social workers; its rate is not public, so "
        "the cap is an assumption.",
        "optional_number",
        start="policy.agency.start",
    ),
    Lever(
        "policy.agency.roles",
        "Agency",
        "Roles the agency cap covers",
        "The cap applies to agency workers in these roles.",
        "The Pledge covers children's social workers and is to extend to adult services.",
        "roles",
        (*_PARITY_ROLES, ("registered_manager", "registered managers")),
    ),
)
"""Every lever, grouped by :attr:`Lever.group` in :data:`GROUPS` order."""

_BY_NAME = {lever.name: lever for lever in LEVERS}
_PAY_RISE_START = "pay_rise.start"
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
class Preset:
    """A ready-made scenario from ``configs/scenarios/``.

    Attributes:
        name: The file's stem, e.g. ``"zero_hours_ban"``.
        title: The one-line description the file begins with.
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
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        # "Scenario: X." or "Scenario (counterfactual): X." -> "X"
        title = first.split(":", 1)[1].strip() if first.startswith("Scenario") else first
        found.append(Preset(path.stem, title.rstrip("."), path))
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
                f"{lever.label}: no value given; allowed: {_allowed(lever.name)}.", lever.name
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
        return "Seed"
    if name == "run.months":
        return "Horizon (months)"
    for lever in LEVERS:
        if name == lever.name:
            return lever.label
        if name == lever.start:
            return f"{lever.label}, start month"
    return format_path(parse_path(name))
