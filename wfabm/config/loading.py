"""Loading, merging and validating TOML configuration files.

A config file may begin with ``extends = "baseline"`` (the packaged baseline) or
``extends = "<path>"``, relative to the extending file's folder or absolute, so a base
file of one's own may live anywhere. A chain holds at most :data:`MAX_EXTENDS` files and
never a cycle. Files are UTF-8, with or without a byte-order mark. :func:`load_config`
follows that chain, deep-merges the tables (later files win, arrays are replaced wholesale),
applies any overrides, and validates the result against a schema (by default
``wfabm.config.parameters.SCHEMA``). Every problem becomes a :class:`ConfigError` whose
message is a single paragraph naming the file, the key, the value and what is
allowed. Nothing is written anywhere.

Tests can point "baseline" at a temporary file with the ``baseline`` keyword of
:func:`load_config`, and pass their own ``schema``; code that calls
:func:`load_config` without those (such as the command line) can be redirected by
monkeypatching :func:`baseline_path` and :func:`default_schema` in this module.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.resources
import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wfabm.core.schema import (
    KeyPath,
    MissingKeysError,
    Param,
    SchemaError,
    check_value,
    format_path,
    parse_path,
    spec_at,
    toml_value,
    validate,
)

__all__ = [
    "BASELINE_NAME",
    "MAX_EXTENDS",
    "Config",
    "ConfigError",
    "as_config",
    "baseline_path",
    "check_argument",
    "check_as",
    "config_from_data",
    "default_schema",
    "display_path",
    "load_config",
    "named_config_path",
    "read_toml",
    "required",
]

BASELINE_NAME = "baseline"
MAX_EXTENDS = 16
"""The most files an ``extends`` chain may hold, the file itself included."""
_EXTENDS = "extends"
# Deeper than any config the schema allows; it stops a table that contains itself.
_MAX_NESTING = 64
_SOURCE = Param("path", 'a .toml file, "baseline" or the name of another packaged config')
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
_TOML_POSITION_RE = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)$", re.DOTALL)
_MISSING = object()


class ConfigError(Exception):
    """A configuration problem, explained in one paragraph.

    Attributes:
        reason: The explanation without the file name.
        file: The file (or chain of files) the problem is in, if known.
        key: The dotted key at fault, if there is one.
    """

    def __init__(self, reason: str, *, file: str | None = None, key: str | None = None) -> None:
        # The CLI prints this as a single "wfabm: error:" line, so keep it on one.
        self.reason = " ".join(reason.split())
        self.file = file
        self.key = key
        super().__init__(f"{file}: {self.reason}" if file else self.reason)


def named_config_path(name: str) -> Path:
    """Find a config that ships with wfabm, such as ``"baseline"``.

    Installed wheels carry the repository's ``configs/`` folder as
    ``wfabm/configs``; a source checkout keeps it next to the package.

    Args:
        name: The config's name relative to ``configs/``, with or without
            ``.toml``, e.g. ``"baseline"`` or ``"scenarios/foo"``.

    Returns:
        Its path, which may not exist if no such config ships.
    """
    parts = name.split("/")
    if not parts[-1].endswith(".toml"):
        parts[-1] += ".toml"
    packaged = importlib.resources.files("wfabm").joinpath("configs", *parts)
    if isinstance(packaged, Path) and packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2].joinpath("configs", *parts)


def baseline_path() -> Path:
    """Return the path of the packaged baseline config."""
    return named_config_path(BASELINE_NAME)


def default_schema() -> dict:
    """Return the model's parameter schema, ``wfabm.config.parameters.SCHEMA``."""
    # Imported here so configs can be loaded with another schema without it.
    from wfabm.config.parameters import SCHEMA

    return SCHEMA


def display_path(path: str | Path) -> str:
    """Show a path relative to the working directory when it is inside it.

    Args:
        path: Any file path.

    Returns:
        The relative path if ``path`` is under the working directory, else the
        absolute path.
    """
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):
        # A loop of symbolic links cannot be resolved; it is shown as given.
        resolved = Path(path).absolute()
    try:
        return resolved.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(resolved)


def check_argument(value: Any, spec: Param, *, name: str) -> Any:
    """Check a value that stands for no config key (an option or argument) by ``spec``.

    Args:
        value: The value.
        spec: Its declaration.
        name: How the caller calls it, e.g. ``"--workers"``; the message names it.

    Returns:
        The normalised value.

    Raises:
        ConfigError: If ``spec`` does not allow the value.
    """
    try:
        return check_value(value, spec, (), name=name)
    except SchemaError as error:
        raise ConfigError(error.reason, key=name) from None


def check_as(key: str, value: Any, *, name: str, schema: dict | None = None) -> Any:
    """Check a value given outside a config (an option or argument) as the config key ``key``.

    Args:
        key: The dotted config key it stands for, e.g. ``"run.seed"``.
        value: The value.
        name: How the caller calls it, e.g. ``"--seed"`` or ``"seed"``; the message names it.
        schema: The schema; defaults to :func:`default_schema`.

    Returns:
        The normalised value.

    Raises:
        ConfigError: If the config would refuse the value, with the message it would give.
    """
    path = parse_path(key)
    spec = spec_at(default_schema() if schema is None else schema, path)
    try:
        return check_value(value, spec, path, name=name)
    except SchemaError as error:
        raise ConfigError(error.reason, key=name) from None


def as_config(value: Any, *, name: str = "config") -> Config:
    """Return ``value`` if it is a :class:`Config`, else load the config it names.

    Args:
        value: A :class:`Config`, a path, a packaged config's name or None (the baseline).
        name: The caller's name for it, used in the message.

    Returns:
        The config.

    Raises:
        ConfigError: If ``value`` is of another type, or the config it names is not valid.
    """
    if isinstance(value, Config):
        return value
    return load_config(None if value is None else _source_name(value, name))


class Config:
    """A resolved, validated configuration. Build one with :func:`load_config`.

    Treat :attr:`data` and the tables from ``config[name]`` as read-only: they
    are shared, and :attr:`hash` is fixed when the config is built. Use
    :meth:`to_dict` for a copy to change, or :meth:`with_overrides`.

    Attributes:
        data: The resolved nested dict of plain Python values, in schema order.
        source: The path it was loaded from, or ``"baseline"``.
        chain: The files merged, the furthest ancestor first and ``source`` last.
        hash: First 16 hex digits of the SHA-256 of :attr:`data` as canonical JSON.
    """

    __slots__ = ("_baseline", "_provenance", "_schema", "chain", "data", "hash", "source")

    def __init__(
        self,
        data: dict,
        *,
        source: Path | str,
        chain: list[Path],
        schema: dict,
        baseline: Path,
        provenance: dict[KeyPath, str],
    ) -> None:
        set_ = object.__setattr__
        set_(self, "data", data)
        set_(self, "source", source)
        set_(self, "chain", list(chain))
        set_(self, "hash", _hash(data))
        set_(self, "_schema", schema)
        set_(self, "_baseline", baseline)
        set_(self, "_provenance", provenance)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Config is immutable; use with_overrides() for a changed copy")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Config is immutable")

    def __getitem__(self, table: str) -> Any:
        return self.data[table]

    def __contains__(self, table: object) -> bool:
        return table in self.data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Config):
            return NotImplemented
        return self.data == other.data

    def __hash__(self) -> int:
        return hash(self.hash)

    def __reduce__(self) -> tuple:
        # The default pickling restores slots through __setattr__, which refuses;
        # rebuilding keeps configs usable across processes (e.g. batch runs).
        return (_unpickle, (self._state(),))

    def __repr__(self) -> str:
        source = self.source if isinstance(self.source, str) else display_path(self.source)
        return f"Config(source={source!r}, hash={self.hash!r})"

    @property
    def schema(self) -> dict:
        """The schema the config was validated against (shared: treat it as read-only)."""
        return self._schema

    @property
    def name(self) -> str:
        """A short name for output folders: ``"baseline"`` or the file's stem."""
        return self.source if isinstance(self.source, str) else self.source.stem

    def get(self, dotted: str, default: Any = _MISSING) -> Any:
        """Look up a value by dotted key, e.g. ``"policy.pay_change[0].fraction"``.

        Args:
            dotted: The key; list entries are counted from zero.
            default: Returned when the key is absent; without it, absence raises.

        Returns:
            The value (shared, not copied).

        Raises:
            KeyError: If the key is absent and no default was given.
        """
        node: Any = self.data
        for part in parse_path(dotted):
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                if default is _MISSING:
                    raise KeyError(dotted) from None
                return default
        return node

    def to_dict(self) -> dict:
        """Return a deep copy of :attr:`data` that is safe to change."""
        return copy.deepcopy(self.data)

    def to_toml(self) -> str:
        """Render the resolved config as TOML that :mod:`tomllib` reads back to :attr:`data`.

        Returns:
            TOML text in schema order, with no ``extends``.
        """
        lines: list[str] = []
        _write_table(self.data, (), lines)
        return "\n".join(lines).strip("\n") + "\n"

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        """Return a new config with ``overrides`` merged in and validated again.

        Args:
            overrides: A nested dict merged like a child config file.

        Returns:
            The new config; ``source`` and ``chain`` are unchanged.

        Raises:
            ConfigError: If the result is not valid.
        """
        provenance = dict(self._provenance)
        label = f"overrides to {self._label()}"
        merged = _merge(self.data, _overrides(overrides, self._schema), label, provenance)
        return _build(
            merged,
            source=self.source,
            chain=self.chain,
            schema=self._schema,
            baseline=self._baseline,
            provenance=provenance,
        )

    def check(self, key: str, value: Any, *, name: str) -> Any:
        """Check a value given outside the config as ``key``, by this config's schema.

        Args:
            key: The dotted config key, e.g. ``"run.months"``.
            value: The value.
            name: How the caller calls it, e.g. ``"months"``; the message names it.

        Returns:
            The normalised value.

        Raises:
            ConfigError: If the schema does not allow the value.
        """
        return check_as(key, value, name=name, schema=self._schema)

    def _label(self) -> str:
        return display_path(self.chain[-1])

    def _state(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "source": self.source,
            "chain": self.chain,
            "schema": self._schema,
            "baseline": self._baseline,
            "provenance": self._provenance,
        }


def _unpickle(state: dict[str, Any]) -> Config:
    data = state.pop("data")
    return Config(data, **state)


def required(config: Config, key: str, advice: str, *, subject: str = "the config") -> Any:
    """A config's value for ``key``, which the caller cannot do without.

    Args:
        config: The resolved config.
        key: The dotted key, e.g. ``"run.seed"``.
        advice: What to do instead if the config lacks it, e.g. ``"pass --seed"``.
        subject: How the message names the config, e.g. ``"the baseline config"``.

    Returns:
        The value.

    Raises:
        ConfigError: ``"<subject> sets no <key>; <advice>."`` if the config lacks ``key``.
    """
    try:
        return config.get(key)
    except KeyError:
        raise ConfigError(f"{subject} sets no {key}; {advice}.") from None


def load_config(
    source: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    schema: dict | None = None,
    *,
    baseline: str | Path | None = None,
) -> Config:
    """Load a config file, follow its ``extends`` chain, merge and validate.

    Args:
        source: A path to a ``.toml`` file, ``"baseline"`` or None for the
            packaged baseline, or the name of another packaged config.
        overrides: A nested dict merged over the files, as if by a last child file.
        schema: The schema to validate against; defaults to
            ``wfabm.config.parameters.SCHEMA``.
        baseline: The file that ``"baseline"`` means; defaults to
            :func:`baseline_path`. Mainly for tests.

    Returns:
        The validated config.

    Raises:
        ConfigError: For a missing or malformed file, a cycle in ``extends`` or a chain
            longer than :data:`MAX_EXTENDS`, any key or value the schema does not allow,
            or a ``source``, ``overrides`` or ``baseline`` of the wrong type.
    """
    schema = default_schema() if schema is None else schema
    source = None if source is None else _source_name(source, "source")
    baseline_file = (
        Path(_source_name(baseline, "baseline")) if baseline is not None else baseline_path()
    )
    # Checked before any file is read, so a wrong type is reported as such.
    extra = None if overrides is None else _overrides(overrides, schema)
    shown_source, top = _resolve_source(source, baseline_file)
    layers = _read_chain(top, baseline_file)
    provenance: dict[KeyPath, str] = {}
    merged: dict = {}
    for path, data in layers:
        merged = _merge(merged, data, display_path(path), provenance)
    if extra:
        label = f"overrides to {display_path(top)}"
        merged = _merge(merged, extra, label, provenance)
    return _build(
        merged,
        source=shown_source,
        chain=[path for path, _ in layers],
        schema=schema,
        baseline=baseline_file,
        provenance=provenance,
    )


def config_from_data(data: Mapping[str, Any], *, name: str, file: str | Path) -> Config:
    """Rebuild a resolved config from its data, such as a results manifest's ``config``.

    The data is validated as it stands, with nothing inherited: it must be a whole resolved
    config (:meth:`Config.to_dict`), not a file that ``extends`` another.

    Args:
        data: The resolved config's nested tables.
        name: The config's name (:attr:`Config.name`), e.g. ``"baseline"``.
        file: Where the data was read from, named in errors.

    Returns:
        The validated config; its :attr:`Config.hash` equals the original's when the data
        is unchanged.

    Raises:
        ConfigError: If any key or value is one the schema does not allow.
    """
    return _build(
        _plain_table(data, ()),
        source=name,
        chain=[Path(file)],
        schema=default_schema(),
        baseline=baseline_path(),
        provenance={},
    )


def _build(
    merged: dict,
    *,
    source: Path | str,
    chain: list[Path],
    schema: dict,
    baseline: Path,
    provenance: dict[KeyPath, str],
) -> Config:
    try:
        data = validate(merged, schema)
    except MissingKeysError as error:
        raise ConfigError(
            error.reason, file=_chain_label(chain), key=format_path(error.path)
        ) from None
    except SchemaError as error:
        file = _origin(error.path, provenance) or _chain_label(chain)
        raise ConfigError(error.reason, file=file, key=format_path(error.path)) from None
    return Config(
        data,
        source=source,
        chain=chain,
        schema=schema,
        baseline=baseline,
        provenance=provenance,
    )


def _source_name(value: Any, name: str) -> str | Path:
    """Check that ``value`` can name a config file, keeping a path a path."""
    text = os.fspath(value) if isinstance(value, os.PathLike) else value
    check_argument(text, _SOURCE, name=name)
    return value if isinstance(value, Path) else text


def _resolve_source(source: str | Path | None, baseline: Path) -> tuple[Path | str, Path]:
    """Return how to show the source and the file it names."""
    try:
        return _find_source(source, baseline)
    except OSError as error:
        # e.g. a name longer than the file system allows.
        raise ConfigError(
            f"cannot use {source} as a config file: {error.strerror}; "
            f'pass a path to a .toml file or "{BASELINE_NAME}".'
        ) from None


def _find_source(source: str | Path | None, baseline: Path) -> tuple[Path | str, Path]:
    if source is None or source == BASELINE_NAME:
        if not baseline.is_file():
            raise ConfigError(
                f"the packaged baseline config is missing: {display_path(baseline)}; "
                "reinstall wfabm or pass a path to a .toml file."
            )
        return BASELINE_NAME, baseline
    path = Path(source)
    if path.is_file():
        return path, path
    if path.is_dir():
        raise ConfigError(
            f"{display_path(path)} is a folder, not a config file; "
            f'pass a path to a .toml file or "{BASELINE_NAME}".'
        )
    if isinstance(source, str) and not path.is_absolute():
        packaged = named_config_path(source)
        if packaged.is_file():
            return path, packaged
    where = "" if path.is_absolute() else " (looked in the current directory)"
    raise ConfigError(
        f'no such config file: {source}{where}; pass a path to a .toml file or "{BASELINE_NAME}".'
    )


def _read_chain(top: Path, baseline: Path) -> list[tuple[Path, dict]]:
    """Read ``top`` and its ancestors, returning them furthest ancestor first."""
    layers: list[tuple[Path, dict]] = []
    seen: list[Path] = []
    path: Path | None = top
    while path is not None:
        resolved = _resolved(path, seen)
        if resolved in seen:
            cycle = " -> ".join(display_path(p) for p in [*seen[seen.index(resolved) :], resolved])
            raise ConfigError(
                f"extends makes a cycle: {cycle}; the chain must end at a file "
                f'without extends, such as "{BASELINE_NAME}".',
                file=display_path(seen[-1]),
                key=_EXTENDS,
            )
        if len(seen) == MAX_EXTENDS:
            raise ConfigError(
                f"extends chains more than {MAX_EXTENDS} files ({display_path(seen[0])} -> "
                f"{display_path(seen[1])} -> ... -> {display_path(seen[-1])} -> "
                f"{display_path(resolved)}); at most {MAX_EXTENDS} may be chained, so merge "
                "some of them.",
                file=display_path(seen[-1]),
                key=_EXTENDS,
            )
        seen.append(resolved)
        data = read_toml(resolved)
        parent = data.pop(_EXTENDS, None)
        layers.append((resolved, data))
        path = None if parent is None else _resolve_extends(parent, resolved, baseline)
    layers.reverse()
    return layers


def _resolved(path: Path, seen: list[Path]) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as error:
        # Python 3.11 reports a loop of symbolic links as a RuntimeError.
        reason = getattr(error, "strerror", None) or "it is a loop of symbolic links"
        where = {"file": display_path(seen[-1]), "key": _EXTENDS} if seen else {}
        raise ConfigError(f"cannot follow {path}: {reason}.", **where) from None


def _resolve_extends(value: Any, child: Path, baseline: Path) -> Path:
    file = display_path(child)
    allowed = (
        f'allowed: "{BASELINE_NAME}", or a path to a .toml file, absolute or relative to '
        f"{display_path(child.parent)}/."
    )
    if not isinstance(value, str) or not value or "\0" in value:
        raise ConfigError(
            f"{_EXTENDS} = {toml_value(value)} is not a file name; {allowed}",
            file=file,
            key=_EXTENDS,
        )
    if value == BASELINE_NAME:
        if not baseline.is_file():
            raise ConfigError(
                f"{_EXTENDS} = {toml_value(value)} but the packaged baseline is missing: "
                f"{display_path(baseline)}; reinstall wfabm.",
                file=file,
                key=_EXTENDS,
            )
        return baseline
    parent = _resolved(child.parent / value, [child])
    try:
        found = parent.is_file()
    except OSError as error:
        raise ConfigError(
            f"{_EXTENDS} = {toml_value(value)} cannot be used: {error.strerror}; {allowed}",
            file=file,
            key=_EXTENDS,
        ) from None
    if not found:
        raise ConfigError(
            f"{_EXTENDS} = {toml_value(value)} but there is no such file: "
            f"{display_path(parent)}; {allowed}",
            file=file,
            key=_EXTENDS,
        )
    return parent


def read_toml(path: Path) -> dict:
    """Read one TOML file as UTF-8 (a byte-order mark allowed) into plain tables.

    Raises:
        ConfigError: If the file cannot be read, is in another encoding, or is not TOML.
    """
    file = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read the file: {error.strerror}.", file=file) from None
    for mark, encoding in _OTHER_BOMS.items():
        if raw.startswith(mark):
            raise ConfigError(
                f"is {encoding} text (it starts with a {encoding} byte-order mark); "
                "save it as UTF-8.",
                file=file,
            )
    try:
        # Editors on Windows often start UTF-8 files with a byte-order mark; TOML does not.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"is not UTF-8 text (bad byte at offset {error.start}); save it as UTF-8.",
            file=file,
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_describe_toml_error(str(error)), file=file) from None
    except RecursionError:
        raise ConfigError(
            "malformed TOML: arrays or inline tables are nested too deeply to read.", file=file
        ) from None
    except ValueError:
        # The only other failure: a whole number longer than Python converts (4300 digits).
        raise ConfigError(
            "malformed TOML: a number has too many digits to read.", file=file
        ) from None


def _describe_toml_error(message: str) -> str:
    match = _TOML_POSITION_RE.match(message)
    if match is None:
        return f"malformed TOML: {message.rstrip('.')}."
    text, line, column = match.groups()
    return f"malformed TOML at line {line}, column {column}: {text.rstrip('.')}."


def _merge(base: dict, child: Mapping, label: str, provenance: dict[KeyPath, str]) -> dict:
    """Deep-merge ``child`` over ``base`` into a new dict, noting where keys came from."""
    return _merge_at(base, child, label, provenance, ())


def _merge_at(
    base: dict, child: Mapping, label: str, provenance: dict[KeyPath, str], prefix: KeyPath
) -> dict:
    out = dict(base)
    for key, value in child.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_at(out[key], value, label, provenance, path)
        else:
            # A replaced subtree's old origins no longer apply.
            for stale in [p for p in provenance if p[: len(path)] == path]:
                del provenance[stale]
            out[key] = value
            _note_origin(value, label, provenance, path)
        provenance[path] = label
    return out


def _note_origin(value: Any, label: str, provenance: dict[KeyPath, str], path: KeyPath) -> None:
    provenance[path] = label
    if isinstance(value, dict):
        for key, item in value.items():
            _note_origin(item, label, provenance, (*path, key))


def _origin(path: KeyPath, provenance: dict[KeyPath, str]) -> str | None:
    """Return the file that set ``path``, or its nearest recorded ancestor."""
    for end in range(len(path), 0, -1):
        label = provenance.get(path[:end])
        if label is not None:
            return label
    return None


def _chain_label(chain: list[Path]) -> str:
    names = [display_path(path) for path in reversed(chain)]
    if len(names) == 1:
        return names[0]
    return f"{names[0]} (extends " + ", which extends ".join(names[1:]) + ")"


def _overrides(overrides: Any, schema: dict) -> dict:
    """Check a caller's overrides and copy them into plain dicts and lists."""
    try:
        check_value(overrides, schema, (), name="overrides")
    except SchemaError as error:
        raise ConfigError(error.reason, key="overrides") from None
    return _plain_table(overrides, ())


def _plain_table(table: Mapping, path: KeyPath) -> dict:
    out = {}
    for key, item in table.items():
        if not isinstance(key, str):
            shown = format_path(path) + "." if path else ""
            raise ConfigError(
                f"overrides key {shown}{key!r} is not a string; config keys are strings, "
                'e.g. {"run": {"seed": 3}}.',
                key="overrides",
            )
        out[key] = _plain_item(item, (*path, key))
    return out


def _plain_item(value: Any, path: KeyPath) -> Any:
    """Copy one value, so later changes to the caller's objects cannot leak in."""
    nested = isinstance(value, Mapping | list | tuple)
    if nested and len(path) > _MAX_NESTING:
        raise ConfigError(
            f"overrides nest more than {_MAX_NESTING} tables or arrays deep under "
            f"{format_path(path[:2])}; a table or array that contains itself never ends.",
            key="overrides",
        )
    if isinstance(value, Mapping):
        return _plain_table(value, path)
    if isinstance(value, list | tuple):
        return [_plain_item(item, (*path, index)) for index, item in enumerate(value)]
    return copy.deepcopy(value)


def _hash(data: dict) -> str:
    canonical = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _write_table(table: dict, header: KeyPath, lines: list[str], *, headed: bool = False) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict) and not _is_table_array(v)}
    # TOML creates parent tables implicitly, so a header is only needed for an
    # empty table or one with its own key/values.
    if header and not headed and (scalars or not table):
        lines.extend(["", f"[{format_path(header)}]"])
    lines.extend(f"{format_path((key,))} = {toml_value(value)}" for key, value in scalars.items())
    for key, value in table.items():
        if isinstance(value, dict):
            _write_table(value, (*header, key), lines)
        elif _is_table_array(value):
            for item in value:
                lines.extend(["", f"[[{format_path((*header, key))}]]"])
                _write_table(item, (*header, key), lines, headed=True)
