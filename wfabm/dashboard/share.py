"""A session's state as a link: language, preset, levers, seed, horizon and view in the URL.

Opening the link starts a session in that state. The query holds only what differs from a
fresh session (``?lang=cy&view=map&preset=zero_hours_ban&lever.policy.zero_hours.ban=true``),
each lever value as JSON, so a link stays short and says what was changed. A link is checked
as a config file is: a name the dashboard does not know, or a value the schema refuses, is a
:class:`~wfabm.config.ConfigError` in one paragraph naming the query key, the value and what is
allowed, and nothing of the link is applied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from wfabm.config import Config, ConfigError, load_config
from wfabm.dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES
from wfabm.dashboard.levers import LeverError, configure, lever_values, presets

__all__ = ["DEFAULT_VIEW", "LEVER_PREFIX", "SharedState", "read_query"]

LEVER_PREFIX = "lever."
DEFAULT_VIEW = "story"
_QUERY = "the dashboard's link"


@dataclass(frozen=True)
class SharedState:
    """What a link carries.

    Attributes:
        language: A key of :data:`~wfabm.dashboard.i18n.LANGUAGES`.
        preset: The preset the levers were set from (``"baseline"``).
        view: The view shown (a key of ``wfabm.dashboard.app.VIEWS``).
        seed: The run's seed.
        horizon: Months to run.
        levers: Lever values that differ from the baseline's
            (:func:`~wfabm.dashboard.levers.lever_values`).
    """

    language: str = DEFAULT_LANGUAGE
    preset: str = "baseline"
    view: str = DEFAULT_VIEW
    seed: int | None = None
    horizon: int | None = None
    levers: dict[str, Any] = field(default_factory=dict)

    def query(self, baseline: Config, default_horizon: int) -> str:
        """The URL query (without ``?``) for this state, omitting what a new session has.

        Args:
            baseline: The config a new session starts from.
            default_horizon: The horizon a new session has.
        """
        pairs: list[tuple[str, str]] = []
        if self.language != DEFAULT_LANGUAGE:
            pairs.append(("lang", self.language))
        if self.view != DEFAULT_VIEW:
            pairs.append(("view", self.view))
        if self.preset != "baseline":
            pairs.append(("preset", self.preset))
        if self.seed is not None and self.seed != baseline["run"]["seed"]:
            pairs.append(("seed", str(self.seed)))
        if self.horizon is not None and self.horizon != default_horizon:
            pairs.append(("months", str(self.horizon)))
        pairs += [
            (LEVER_PREFIX + name, json.dumps(value, separators=(",", ":")))
            for name, value in sorted(self.levers.items())
        ]
        return urlencode(pairs)


def read_query(query: str | None, baseline: Config, views: tuple[str, ...]) -> SharedState:
    """The state a link's query describes, checked through the config schema.

    Args:
        query: The URL's query, without ``?`` (None or empty: a new session).
        baseline: The config the levers change.
        views: The names of the dashboard's views.

    Returns:
        The state, its levers complete (the baseline's, then the preset's, then the link's).

    Raises:
        ConfigError: For an unknown query key, a value not allowed, or levers the schema
            refuses together; ``key`` is the query key.
    """
    pairs = parse_qsl(query or "", keep_blank_values=True)
    values = lever_values(baseline)
    known = set(values)
    state: dict[str, Any] = {}
    changed: dict[str, Any] = {}
    for key, text in pairs:
        if key == "lang":
            state["language"] = _choice(key, text, tuple(LANGUAGES))
        elif key == "view":
            state["view"] = _choice(key, text, views)
        elif key == "preset":
            names = ("baseline", *(p.name for p in presets()))
            state["preset"] = _choice(key, text, names)
        elif key in ("seed", "months"):
            state["seed" if key == "seed" else "horizon"] = _whole(key, text)
        elif key.startswith(LEVER_PREFIX) and key[len(LEVER_PREFIX) :] in known:
            changed[key[len(LEVER_PREFIX) :]] = _json(key, text)
        else:
            raise ConfigError(
                f"{key} = {json.dumps(text)} is not a setting of the dashboard; allowed: "
                "lang, view, preset, seed, months and lever.<name> for a lever "
                f"(e.g. {LEVER_PREFIX}policy.zero_hours.ban).",
                file=_QUERY,
                key=key,
            )
    preset = state.get("preset", "baseline")
    if preset != "baseline":
        values = lever_values(load_config(next(p.path for p in presets() if p.name == preset)))
    values = {**values, **changed}
    try:
        configure(
            values,
            seed=state.get("seed", baseline["run"]["seed"]),
            horizon=state.get("horizon", 12),
            base=baseline,
        )
    except LeverError as error:
        raise ConfigError(str(error), file=_QUERY, key=error.lever) from None
    base_values = lever_values(baseline)
    levers = {name: value for name, value in values.items() if base_values.get(name) != value}
    return SharedState(levers=levers, **state)


def _choice(key: str, text: str, allowed: tuple[str, ...]) -> str:
    if text in allowed:
        return text
    shown = ", ".join(json.dumps(a) for a in allowed)
    raise ConfigError(
        f"{key} = {json.dumps(text)} is not one of the choices; allowed: {shown}.",
        file=_QUERY,
        key=key,
    )


def _whole(key: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(
            f"{key} = {json.dumps(text)} is not a whole number; allowed: a whole number.",
            file=_QUERY,
            key=key,
        ) from None


def _json(key: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise ConfigError(
            f"{key} = {json.dumps(text)} is not a value; allowed: a number, true or false, "
            'a quoted text such as "mandatory", a list such as ["social_worker"], or null.',
            file=_QUERY,
            key=key,
        ) from None
