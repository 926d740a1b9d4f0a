"""Declaring model parameters and checking configuration values against them.

A schema is a nested dict mapping a TOML table or key name to one of:

* another dict (a TOML table such as ``[burnout]``);
* a :class:`Param` (a single required value);
* a :class:`MapOf` (a table whose keys come from a fixed set, e.g. role names);
* a :class:`ListOf` (an array of tables such as ``[[policy.pay_change]]``).

:func:`validate` returns a normalised copy of the data in schema order, or raises
:class:`SchemaError` naming the offending key as a dotted path. List entries are
counted from zero, so ``policy.pay_change[1].fraction`` is the ``fraction`` of the
second ``[[policy.pay_change]]`` table, the same path :meth:`wfabm.config.Config.get`
accepts.

This module knows nothing about files; :mod:`wfabm.config` adds the file name.
"""

from __future__ import annotations

import datetime
import difflib
import json
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "KINDS",
    "ListOf",
    "MapOf",
    "MissingKeysError",
    "Param",
    "SchemaError",
    "check_value",
    "describe",
    "format_path",
    "nest_dotted",
    "parse_path",
    "spec_at",
    "toml_value",
    "validate",
]

KINDS = (
    "float",
    "int",
    "bool",
    "str",
    "str_list",
    "month",
    "date",
    "month_or_never",
    "date_or_never",
    "path",
    "name",
)
_NUMERIC_KINDS = ("float", "int")
_NEVER = "never"
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
_PATH_TOKEN_RE = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
_MAX_SHOWN = 60
_MAX_NAME_BYTES = 255

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Param:
    """A single required configuration value.

    Attributes:
        kind: One of :data:`KINDS`. ``"month"`` accepts ``"YYYY-MM"`` or
            ``"YYYY-MM-DD"`` (and TOML dates) and is kept as ``"YYYY-MM"``;
            ``"date"`` is kept as ``"YYYY-MM-DD"``; ``"month_or_never"`` is a
            month or the string ``"never"``; ``"date_or_never"`` is a date (a month
            means its first day), kept as ``"YYYY-MM-DD"``, or ``"never"``.
        unit: Unit shown in error messages and docs, e.g. ``"share"`` or ``"£/hour"``.
        minimum: Inclusive lower bound for ``"float"`` and ``"int"`` kinds.
        maximum: Inclusive upper bound for ``"float"`` and ``"int"`` kinds.
        choices: Allowed values for the ``"str"`` kind, for each item of the
            ``"str_list"`` kind (a list of strings), and the allowed months (``"YYYY-MM"``)
            of the ``"month"`` kind.
        doc: One-line description for generated documentation.
        optional: When true the key may be left out (and is then absent from the result).
        reason: Why only ``choices`` are allowed, said after them in error messages.
    """

    kind: str
    unit: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    doc: str = ""
    optional: bool = False
    reason: str = ""

    def __post_init__(self) -> None:
        # Schema mistakes are programming errors: fail at import, not mid-run.
        if self.kind not in KINDS:
            raise ValueError(f"Param kind must be one of {KINDS}, got {self.kind!r}")
        bounded = self.minimum is not None or self.maximum is not None
        if bounded and self.kind not in _NUMERIC_KINDS:
            raise ValueError(f"minimum/maximum only apply to numeric kinds, not {self.kind!r}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum} is greater than maximum {self.maximum}")
        if self.choices is not None:
            if self.kind not in ("str", "str_list", "month"):
                raise ValueError(
                    f"choices only apply to kinds 'str', 'str_list' and 'month', not {self.kind!r}"
                )
            if not self.choices:
                raise ValueError("choices must not be empty")
            malformed = [
                choice
                for choice in self.choices
                if self.kind == "month"
                and (not _MONTH_RE.fullmatch(choice) or _parse_calendar(choice) is None)
            ]
            if malformed:
                raise ValueError(f"month choices must be 'YYYY-MM', not {malformed[0]!r}")


@dataclass(frozen=True)
class MapOf:
    """A table whose keys come from a fixed set, each value checked by ``value``.

    Attributes:
        keys: The allowed keys, in display order.
        value: The declaration every value in the table must satisfy.
        required: When true, every key must be present after resolution; when
            false, keys may be left out and an absent table becomes ``{}``.
    """

    keys: tuple[str, ...]
    value: Param
    required: bool = True


@dataclass(frozen=True)
class ListOf:
    """An array of tables, each checked against ``fields``; absent means ``[]``.

    Attributes:
        fields: A schema dict every table in the array must satisfy.
        doc: One-line description for generated documentation.
    """

    fields: dict
    doc: str = ""


class SchemaError(ValueError):
    """A value does not satisfy its declaration.

    Attributes:
        path: Where the problem is, as a tuple of keys and list indices.
        reason: One-sentence description that already names the dotted key.
    """

    def __init__(self, reason: str, path: KeyPath) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path


class MissingKeysError(SchemaError):
    """Required keys are absent; ``paths`` lists every one found."""

    def __init__(self, reason: str, paths: list[KeyPath]) -> None:
        super().__init__(reason, paths[0])
        self.paths = paths


def validate(data: Mapping[str, Any], schema: dict) -> dict:
    """Check ``data`` against ``schema`` and return a normalised copy.

    The copy uses plain Python types, lists keys in schema order, converts ints
    to floats where a float is declared, normalises months to ``"YYYY-MM"`` and
    fills absent :class:`ListOf` (and optional :class:`MapOf`) entries with
    empty containers.

    Args:
        data: The merged configuration.
        schema: The schema to check against.

    Returns:
        The normalised configuration.

    Raises:
        SchemaError: For the first unknown key or bad value, in schema order.
        MissingKeysError: When values are fine but required keys are absent.
    """
    missing: list[KeyPath] = []
    result = _check_table(data, schema, (), missing)
    if missing:
        raise MissingKeysError(_missing_reason(missing, schema), missing)
    return result


def check_value(value: Any, spec: Param | dict, path: KeyPath, *, name: str | None = None) -> Any:
    """Check a single value given outside a config file, e.g. a command-line option.

    Args:
        value: The value, already converted from text where it came as text.
        spec: Its declaration. For a table (a dict) only the value's type is checked, and
            it is returned as it is: its keys are checked when the whole config is.
        path: The config key it is checked as, or ``()`` if it stands for none.
        name: What the caller calls it (an option such as ``"--seed"`` or an argument
            such as ``"seed"``); messages then read ``--seed=5 is out of range for
            run.seed``. Without it they name ``path`` as for a config value.

    Returns:
        The normalised value.

    Raises:
        SchemaError: If the value is not allowed.
    """
    if isinstance(spec, dict):
        if not isinstance(value, Mapping):
            raise _wrong_type(value, spec, path, name)
        return value
    return _check_param(value, spec, path, name)


def spec_at(schema: dict, path: KeyPath) -> Param | MapOf | ListOf | dict:
    """Return the declaration of the key at ``path``.

    Args:
        schema: A schema.
        path: A key path; list indices are skipped, so any entry of a list will do.

    Returns:
        The declaration.

    Raises:
        KeyError: If the schema declares no such key.
    """
    return _lookup(schema, path)


def describe(spec: Param | MapOf | ListOf | dict) -> str:
    """Say in words what a declaration allows, for error messages.

    Args:
        spec: Any schema node.

    Returns:
        A phrase such as ``"a number from 0 to 1 (share per month)"``.
    """
    if isinstance(spec, MapOf):
        return f"a table with keys {', '.join(spec.keys)}, each {describe(spec.value)}"
    if isinstance(spec, ListOf):
        return f"an array of tables with keys {', '.join(spec.fields)}"
    if isinstance(spec, dict):
        return f"a table with keys {', '.join(spec)}"
    unit = f" ({spec.unit})" if spec.unit else ""
    if spec.kind == "float":
        return f"a number{_range_text(spec)}{unit}"
    if spec.kind == "int":
        return f"a whole number{_range_text(spec)}{unit}"
    if spec.kind == "bool":
        return "true or false"
    if spec.kind == "str_list":
        if spec.choices:
            return "a list of any of " + ", ".join(toml_value(c) for c in spec.choices)
        return f"a list of strings{unit}"
    if spec.kind == "str":
        if spec.choices:
            return "one of " + ", ".join(toml_value(c) for c in spec.choices)
        return f"a string{unit}"
    if spec.kind == "month":
        if spec.choices:
            months = ", ".join(toml_value(c) for c in spec.choices)
            allowed = (
                f"the month {months}" if len(spec.choices) == 1 else f"one of the months {months}"
            )
            return f"{allowed} ({spec.reason})" if spec.reason else allowed
        return 'a month as "YYYY-MM" (or a date as "YYYY-MM-DD")'
    if spec.kind == "date":
        return 'a date as "YYYY-MM-DD"'
    if spec.kind in ("path", "name"):
        return f"a {spec.kind}{unit}"
    if spec.kind == "date_or_never":
        return 'a date as "YYYY-MM-DD" (or a month as "YYYY-MM"), or "never"'
    return 'a month as "YYYY-MM" (or a date as "YYYY-MM-DD"), or "never"'


def format_path(path: KeyPath) -> str:
    """Render a path tuple as a dotted key.

    Args:
        path: Keys and list indices, e.g. ``("policy", "pay_change", 1, "fraction")``.

    Returns:
        The dotted form, e.g. ``"policy.pay_change[1].fraction"``.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = part if _BARE_KEY_RE.fullmatch(part) else json.dumps(part)
            text += f".{key}" if text else key
    return text


def nest_dotted(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values by dotted key as the nested tables a config file or override holds.

    Args:
        values: E.g. ``{"burnout.recovery_rate": 0.1, "workforce.la_share.social_worker":
            0.8}``.

    Returns:
        E.g. ``{"burnout": {"recovery_rate": 0.1}, "workforce": {"la_share":
        {"social_worker": 0.8}}}``.

    Raises:
        ValueError: If a key is not well formed or names a list item (``a[1].b``).
    """
    nested: dict[str, Any] = {}
    for dotted, value in values.items():
        *tables, leaf = parse_path(dotted)
        if any(isinstance(part, int) for part in (*tables, leaf)):
            raise ValueError(f"a list item cannot be set by a dotted key: {dotted!r}")
        node = nested
        for table in tables:
            node = node.setdefault(table, {})
        node[leaf] = value
    return nested


def parse_path(dotted: str) -> KeyPath:
    """Split a dotted key into a path tuple, the inverse of :func:`format_path`.

    Args:
        dotted: A key such as ``"burnout.recovery_rate"`` or
            ``"policy.pay_change[1].fraction"``.

    Returns:
        The path tuple.

    Raises:
        ValueError: If ``dotted`` is not a well-formed key.
    """
    parts: list[str | int] = []
    position = 0
    for match in _PATH_TOKEN_RE.finditer(dotted):
        key, index = match.groups()
        dotted_key = match.group(0).startswith(".")
        # A key needs a dot before it unless it comes first; an index never does.
        if match.start() != position or (key is not None and dotted_key != bool(parts)):
            break
        parts.append(int(index) if index is not None else key)
        position = match.end()
    if not parts or position != len(dotted) or isinstance(parts[0], int):
        raise ValueError(f"not a dotted key: {dotted!r}")
    return tuple(parts)


def toml_value(value: Any) -> str:
    """Render a value as an inline TOML literal.

    Args:
        value: A string, number, bool, date, list or mapping.

    Returns:
        The TOML text, e.g. ``'"2024-04"'`` or ``"{ a = 1 }"``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # JSON string escapes are a subset of TOML's, except DEL which TOML wants escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return repr(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = ", ".join(f"{format_path((str(k),))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def _check_table(table: Any, schema: dict, path: KeyPath, missing: list[KeyPath]) -> dict:
    if not isinstance(table, Mapping):
        raise _wrong_type(table, schema, path)
    _reject_unknown(table, tuple(schema), path)
    out: dict = {}
    for key, spec in schema.items():
        sub = (*path, key)
        if key in table:
            out[key] = _check_value(table[key], spec, sub, missing)
            continue
        default = _absent(spec, sub, missing)
        if default is not None:
            out[key] = default
    return out


def _absent(spec: Any, path: KeyPath, missing: list[KeyPath]) -> dict | list | None:
    """Return the value an absent key takes, recording it in ``missing`` if required."""
    if isinstance(spec, ListOf):
        return []
    if isinstance(spec, MapOf):
        if spec.required and spec.keys:
            missing.append(path)
        return {}
    if isinstance(spec, dict):
        # Report a wholly absent table once rather than as every key inside it.
        inner: list[KeyPath] = []
        result = _check_table({}, spec, path, inner)
        if inner:
            missing.append(path)
        return result
    if isinstance(spec, Param) and spec.optional:
        return None
    missing.append(path)
    return None


def _check_value(value: Any, spec: Any, path: KeyPath, missing: list[KeyPath]) -> Any:
    if isinstance(spec, dict):
        return _check_table(value, spec, path, missing)
    if isinstance(spec, MapOf):
        if not isinstance(value, Mapping):
            raise _wrong_type(value, spec, path)
        _reject_unknown(value, spec.keys, path)
        out = {}
        for key in spec.keys:
            if key in value:
                out[key] = _check_value(value[key], spec.value, (*path, key), missing)
            elif spec.required:
                missing.append((*path, key))
        return out
    if isinstance(spec, ListOf):
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            raise _wrong_type(value, spec, path)
        return [
            _check_table(item, spec.fields, (*path, index), missing)
            for index, item in enumerate(value)
        ]
    return _check_param(value, spec, path)


def _check_param(value: Any, param: Param, path: KeyPath, name: str | None = None) -> Any:
    kind = param.kind
    if kind in _NUMERIC_KINDS:
        wanted = numbers.Integral if kind == "int" else numbers.Real
        if isinstance(value, bool) or not isinstance(value, wanted):
            raise _wrong_type(value, param, path, name)
        try:
            number = int(value) if kind == "int" else float(value)
        except OverflowError:
            # A whole number beyond any float is beyond every range a number may have.
            raise _bad_value(value, param, path, "is out of range", name=name) from None
        if kind == "float" and not math.isfinite(number):
            raise _bad_value(value, param, path, "is not a finite number", name=name)
        too_low = param.minimum is not None and number < param.minimum
        too_high = param.maximum is not None and number > param.maximum
        if too_low or too_high:
            raise _bad_value(value, param, path, "is out of range", name=name)
        return number
    if kind == "bool":
        if not isinstance(value, bool):
            raise _wrong_type(value, param, path, name)
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise _wrong_type(value, param, path, name)
        if param.choices is not None and value not in param.choices:
            close = difflib.get_close_matches(value, param.choices, n=1)
            hint = f"did you mean {toml_value(close[0])}?" if close else ""
            raise _bad_value(
                value, param, path, "is not one of the allowed choices", hint=hint, name=name
            )
        return str(value)
    if kind == "str_list":
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise _wrong_type(value, param, path, name)
        for item in value:
            if not isinstance(item, str):
                raise _wrong_type(value, param, path, name)
            if param.choices is not None and item not in param.choices:
                close = difflib.get_close_matches(item, param.choices, n=1)
                hint = f"did you mean {toml_value(close[0])}?" if close else ""
                raise _bad_value(
                    value,
                    param,
                    path,
                    f"contains {item!r}, not an allowed choice",
                    hint=hint,
                    name=name,
                )
        return [str(item) for item in value]
    if kind in ("path", "name"):
        return _check_name(value, param, path, name)
    return _check_calendar(value, param, path, name)


def _check_name(value: Any, param: Param, path: KeyPath, name: str | None) -> str:
    if not isinstance(value, str):
        raise _wrong_type(value, param, path, name)
    # The operating system takes none of these, and would say so only once something is
    # written. File systems hold names of at most 255 bytes.
    too_long = param.kind == "path" and any(
        len(part.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES
        for part in re.split(r"[\\/]", value)
    )
    flaws = (
        ("it is empty", not value),
        ("it holds a NUL character", "\0" in value),
        (f"a name in it is longer than {_MAX_NAME_BYTES} bytes", too_long),
    )
    for flaw, present in flaws:
        if present:
            problem = f"is not a usable {param.kind} ({flaw})"
            raise _bad_value(value, param, path, problem, name=name)
    return value


def _check_calendar(value: Any, param: Param, path: KeyPath, name: str | None) -> str:
    if isinstance(value, datetime.datetime) or not isinstance(value, str | datetime.date):
        # A TOML date-time carries a time of day the model cannot use.
        raise _wrong_type(value, param, path, name)
    if param.kind in ("month_or_never", "date_or_never") and value == _NEVER:
        return _NEVER
    parsed = _parse_calendar(value)
    if parsed is None:
        noun = "date" if param.kind in ("date", "date_or_never") else "month"
        raise _bad_value(value, param, path, f"is not a valid {noun}", name=name)
    day, has_day = parsed
    if param.kind == "date_or_never":
        return day.isoformat()
    if param.kind == "date":
        if not has_day:
            raise _bad_value(value, param, path, "is a month, not a date", name=name)
        return day.isoformat()
    month = f"{day.year:04d}-{day.month:02d}"
    if param.choices is not None and month not in param.choices:
        raise _bad_value(value, param, path, "is not an allowed month")
    return month


def _parse_calendar(value: str | datetime.date) -> tuple[datetime.date, bool] | None:
    """Return the date and whether it had a day, or None if malformed."""
    if isinstance(value, datetime.date):
        return value, True
    match = _DATE_RE.fullmatch(value) or _MONTH_RE.fullmatch(value)
    if match is None:
        return None
    year, month, *rest = (int(group) for group in match.groups())
    try:
        return datetime.date(year, month, rest[0] if rest else 1), bool(rest)
    except ValueError:
        return None


def _reject_unknown(table: Mapping, allowed: tuple[str, ...], path: KeyPath) -> None:
    unknown = [key for key in table if key not in allowed]
    if not unknown:
        return
    key = unknown[0]
    where = _table_name(path)
    listing = f"keys in {where}" if path else "top-level keys"
    close = difflib.get_close_matches(str(key), allowed, n=1)
    bad = format_path((*path, str(key)))
    if close:
        suggestion = format_path((*path, close[0]))
        reason = f"unknown key {bad}; did you mean {suggestion}? Allowed {listing}: "
    else:
        reason = f"unknown key {bad}; allowed {listing}: "
    raise SchemaError(reason + ", ".join(allowed) + ".", (*path, str(key)))


def _wrong_type(value: Any, spec: Any, path: KeyPath, name: str | None = None) -> SchemaError:
    return _bad_value(value, spec, path, f"has the wrong type ({_type_name(value)})", name=name)


def _bad_value(
    value: Any,
    spec: Any,
    path: KeyPath,
    problem: str,
    *,
    hint: str = "",
    name: str | None = None,
) -> SchemaError:
    shown = _shown(value)
    allowed = f"{hint} Allowed" if hint else "allowed"
    if name is None:
        subject = f"{format_path(path)} = {shown} {problem}"
    else:
        # Written as the caller would write it: --seed=5 on a command line, seed=5 in Python.
        key = f" for {format_path(path)}" if path else ""
        subject = f"{name}={shown} {problem}{key}"
    return SchemaError(f"{subject}; {allowed}: {describe(spec)}.", path)


def _shown(value: Any) -> str:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        # Python will not print a whole number of more than 4300 digits.
        digits = int(int(value).bit_length() * math.log10(2)) + 1
        if digits > _MAX_SHOWN:
            return f"(a whole number of about {digits} digits)"
    try:
        shown = toml_value(value)
    except RecursionError:
        return "(a value nested too deeply to show)"
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 3] + "..."
    return shown


def _missing_reason(missing: list[KeyPath], schema: dict) -> str:
    if len(missing) == 1:
        path = missing[0]
        spec = _lookup(schema, path)
        if isinstance(spec, Param):
            return f"missing required key {format_path(path)}; allowed: {describe(spec)}."
        return f"missing required table {_table_name(path)}; allowed: {describe(spec)}."
    names = [
        format_path(path) if isinstance(_lookup(schema, path), Param) else _table_name(path)
        for path in missing
    ]
    shown = ", ".join(names[:8])
    more = f" and {len(names) - 8} more" if len(names) > 8 else ""
    return f"missing required keys {shown}{more}; set them in this file or in a file it extends."


def _lookup(schema: dict, path: KeyPath) -> Any:
    spec: Any = schema
    for part in path:
        if isinstance(part, int):
            continue
        if isinstance(spec, ListOf):
            spec = spec.fields
        spec = spec.value if isinstance(spec, MapOf) else spec[part]
    return spec


def _table_name(path: KeyPath) -> str:
    if path and isinstance(path[-1], int):
        return f"[[{format_path(path[:-1])}]]"
    return f"[{format_path(path)}]"


def _range_text(param: Param) -> str:
    low, high = param.minimum, param.maximum
    if low is not None and high is not None:
        return f" from {_number(low)} to {_number(high)}"
    if low is not None:
        return f" of at least {_number(low)}"
    if high is not None:
        return f" of at most {_number(high)}"
    return ""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, numbers.Integral):
        return "a whole number"
    if isinstance(value, numbers.Real):
        return "a number"
    if isinstance(value, datetime.datetime):
        return "a date-time"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, bytes | bytearray):
        return "bytes"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, Sequence):
        return "an array"
    return type(value).__name__
