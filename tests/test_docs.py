"""The model description's configuration tables say what the baseline config holds.

``docs/ODD.md`` lists every value of the resolved baseline (``configs/baseline.toml`` with
the ``configs/calibrated.toml`` it extends) in one table per config table. A recalibration
or a changed assumption that is not carried into the description fails here, naming the
row; so does a config key with no row, or a row with no key.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from wfabm.config import load_config

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
_HEADING = re.compile(r"^#### `\[(?P<table>[a-z_.]+)\]`")
_ROW = re.compile(r"^\| `(?P<key>[a-z0-9_]+)` \| (?P<value>[^|]+) \|")
# Arrays of tables are described in prose (7.16), not in a table of values.
_ARRAYS_OF_TABLES = {("policy", "pay_change")}


def documented_values() -> dict[tuple[str, ...], str]:
    """(table path..., key) -> the value cell of every row of the configuration tables."""
    text = ODD.read_text(encoding="utf-8")
    section = text.split("### Configuration values", 1)[1]
    rows: dict[tuple[str, ...], str] = {}
    table: tuple[str, ...] | None = None
    for line in section.splitlines():
        if line.startswith("## ") or line.startswith("### "):
            break
        heading = _HEADING.match(line)
        if heading:
            table = tuple(heading["table"].split("."))
            continue
        row = _ROW.match(line)
        if row and table is not None:
            rows[(*table, row["key"])] = row["value"].strip()
    return rows


def config_values(data: dict[str, Any], path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """(table path..., key) -> value of every leaf of the resolved config."""
    leaves: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            leaves.update(config_values(value, (*path, key)))
        elif not (isinstance(value, list) and value and isinstance(value[0], dict)):
            leaves[(*path, key)] = value
    return leaves


def _parse(cell: str) -> Any:
    if cell in ("true", "false"):
        return cell == "true"
    return json.loads(cell)


def _same(documented: Any, value: Any) -> bool:
    if isinstance(value, bool) or isinstance(documented, bool):
        return documented is value
    if isinstance(value, int | float) and isinstance(documented, int | float):
        return math.isclose(documented, value, rel_tol=1e-9, abs_tol=1e-12)
    return documented == value


@pytest.fixture(scope="module")
def baseline() -> dict[tuple[str, ...], Any]:
    return config_values(load_config("baseline").data)


def test_every_documented_value_is_the_baselines(baseline):
    wrong = []
    for path, cell in documented_values().items():
        if path not in baseline:
            wrong.append(f"{'.'.join(path)}: documented, but not a key of the baseline")
            continue
        try:
            documented = _parse(cell)
        except json.JSONDecodeError:
            wrong.append(f"{'.'.join(path)}: value cell {cell!r} is not a TOML value")
            continue
        if not _same(documented, baseline[path]):
            wrong.append(f"{'.'.join(path)}: ODD says {cell}, the baseline has {baseline[path]!r}")
    assert not wrong, "\n".join(wrong)


def test_every_baseline_value_has_a_row(baseline):
    documented = documented_values()
    missing = [
        ".".join(path)
        for path in baseline
        if path not in documented and path not in _ARRAYS_OF_TABLES
    ]
    assert not missing, "no row in docs/ODD.md for: " + ", ".join(missing)
