"""Tests for wfabm.core.schema and wfabm.config, using a small schema of their own."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import textwrap
import tomllib
from pathlib import Path

import pytest

from wfabm.config import (
    BASELINE_NAME,
    Config,
    ConfigError,
    baseline_path,
    load_config,
    named_config_path,
)
from wfabm.config import loading as config_module
from wfabm.core.schema import ListOf, MapOf, Param, SchemaError, format_path, parse_path, validate

ROLES = ("care_worker", "nurse")

SCHEMA = {
    "run": {
        "start": Param("month", "month"),
        "end": Param("month_or_never", "month"),
        "months": Param("int", "months", 1, 600),
        "seed": Param("int", "", 0),
    },
    "burnout": {
        "rise_rate": Param("float", "share per month", 0.0, 1.0),
        "recovery_rate": Param("float", "share per month", 0.0, 1.0),
        "model": Param("str", "", choices=("linear", "logistic")),
        "enabled": Param("bool", ""),
    },
    "wages": {
        "by_role": MapOf(ROLES, Param("float", "£/hour", 0.0, 500.0)),
        "bonus": MapOf(ROLES, Param("float", "£", 0.0), required=False),
    },
    "policy": {
        "pay_change": ListOf(
            {"start": Param("date", "date"), "fraction": Param("float", "share", -1.0, 1.0)}
        ),
    },
}

BASELINE = """\
[run]
start = "2022-04"
end = "never"
months = 120
seed = 1

[burnout]
rise_rate = 0.1
recovery_rate = 0.2
model = "linear"
enabled = true

[wages.by_role]
care_worker = 11.5
nurse = 20.0

[[policy.pay_change]]
start = "2023-04-01"
fraction = 0.05

[[policy.pay_change]]
start = "2024-04-01"
fraction = 0.03
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def baseline(tmp_path: Path) -> Path:
    return write(tmp_path / "configs" / "baseline.toml", BASELINE)


@pytest.fixture
def load(baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """load_config with the test schema and baseline, run from tmp_path."""
    monkeypatch.chdir(tmp_path)

    def _load(source=None, overrides=None) -> Config:
        return load_config(source, overrides, SCHEMA, baseline=baseline)

    return _load


def error_of(load, source=None, overrides=None) -> str:
    with pytest.raises(ConfigError) as caught:
        load(source, overrides)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- loading and extends --------------------------------------------------------------


def test_baseline_by_name_and_by_default(load, baseline: Path) -> None:
    for source in (None, BASELINE_NAME):
        config = load(source)
        assert config.source == BASELINE_NAME
        assert config.name == BASELINE_NAME
        assert config.chain == [baseline.resolve()]
        assert config["burnout"]["rise_rate"] == 0.1
        assert config.get("policy.pay_change[1].fraction") == 0.03


def test_extends_baseline_child_wins(load, tmp_path: Path) -> None:
    child = write(
        tmp_path / "child.toml",
        """
        extends = "baseline"
        [burnout]
        rise_rate = 0.3
        """,
    )
    config = load(child)
    assert config.get("burnout.rise_rate") == 0.3
    assert config.get("burnout.recovery_rate") == 0.2
    assert config.source == child
    assert config.name == "child"
    assert "extends" not in config.data


def test_three_level_chain_with_relative_paths(load, tmp_path: Path, baseline: Path) -> None:
    bottom = write(
        tmp_path / "bottom.toml",
        """
        extends = "baseline"
        [burnout]
        rise_rate = 0.3
        recovery_rate = 0.3
        """,
    )
    middle = write(
        tmp_path / "levels" / "middle.toml",
        """
        extends = "../bottom.toml"
        [burnout]
        recovery_rate = 0.4
        model = "logistic"
        """,
    )
    top = write(
        tmp_path / "top.toml",
        """
        extends = "levels/middle.toml"
        [burnout]
        model = "linear"
        """,
    )
    config = load(top)
    assert config.chain == [baseline.resolve(), bottom.resolve(), middle.resolve(), top.resolve()]
    assert config["burnout"] == {
        "rise_rate": 0.3,
        "recovery_rate": 0.4,
        "model": "linear",
        "enabled": True,
    }


def test_overrides_win_over_files(load, tmp_path: Path) -> None:
    child = write(tmp_path / "c.toml", 'extends = "baseline"\n[burnout]\nrise_rate = 0.3\n')
    config = load(child, {"burnout": {"rise_rate": 0.5}, "run": {"seed": 9}})
    assert config.get("burnout.rise_rate") == 0.5
    assert config.get("run.seed") == 9
    assert config.get("burnout.recovery_rate") == 0.2


def test_lists_replace_wholesale(load, tmp_path: Path) -> None:
    child = write(
        tmp_path / "c.toml",
        """
        extends = "baseline"
        [[policy.pay_change]]
        start = "2030-01-01"
        fraction = 0.5
        """,
    )
    assert load(child)["policy"]["pay_change"] == [{"start": "2030-01-01", "fraction": 0.5}]
    assert load(None, {"policy": {"pay_change": []}})["policy"]["pay_change"] == []


def test_absent_list_and_optional_map_default_to_empty(tmp_path: Path) -> None:
    text = BASELINE.split("[[policy.pay_change]]")[0]
    config = load_config(write(tmp_path / "b.toml", text), schema=SCHEMA, baseline=tmp_path / "b")
    assert config["policy"] == {"pay_change": []}
    assert config["wages"]["bonus"] == {}


def test_extends_cycle_is_detected(load, tmp_path: Path) -> None:
    write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    message = error_of(load, tmp_path / "a.toml")
    assert message.startswith("b.toml: extends makes a cycle: a.toml -> b.toml -> a.toml")


def test_self_extension_is_a_cycle(load, tmp_path: Path) -> None:
    write(tmp_path / "a.toml", 'extends = "a.toml"\n')
    assert "cycle" in error_of(load, tmp_path / "a.toml")


def test_missing_file(load) -> None:
    assert error_of(load, "nope.toml") == (
        "no such config file: nope.toml (looked in the current directory); "
        'pass a path to a .toml file or "baseline".'
    )


def test_extends_missing_file(load, tmp_path: Path) -> None:
    write(tmp_path / "c.toml", 'extends = "gone.toml"\n')
    message = error_of(load, tmp_path / "c.toml")
    assert message.startswith('c.toml: extends = "gone.toml" but there is no such file: gone.toml')


def test_folder_is_not_a_config(load, tmp_path: Path) -> None:
    assert "is a folder" in error_of(load, tmp_path)


def test_malformed_toml_names_the_line(load, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", '[burnout]\nrise_rate = 0.1\nmodel = "linear\n')
    message = error_of(load, bad)
    assert message.startswith("bad.toml: malformed TOML at line 3, column ")
    assert message.endswith(".")


# --- validation -----------------------------------------------------------------------


def test_unknown_key_suggests_the_close_match(load, tmp_path: Path) -> None:
    child = write(tmp_path / "x.toml", 'extends = "baseline"\n[burnout]\nrecovry_rate = 0.1\n')
    assert error_of(load, child) == (
        "x.toml: unknown key burnout.recovry_rate; did you mean burnout.recovery_rate? "
        "Allowed keys in [burnout]: rise_rate, recovery_rate, model, enabled."
    )


def test_unknown_table_without_close_match(load, tmp_path: Path) -> None:
    child = write(tmp_path / "x.toml", 'extends = "baseline"\n[zzz]\na = 1\n')
    assert error_of(load, child) == (
        "x.toml: unknown key zzz; allowed top-level keys: run, burnout, wages, policy."
    )


@pytest.mark.parametrize(
    ("table", "line", "expected"),
    [
        ("burnout", 'rise_rate = "high"', 'burnout.rise_rate = "high" has the wrong type'),
        ("run", "months = true", "run.months = true has the wrong type (true/false)"),
        ("run", "months = 12.0", "run.months = 12.0 has the wrong type (a number)"),
        ("burnout", "enabled = 1", "burnout.enabled = 1 has the wrong type"),
        ("burnout", "rise_rate = nan", "burnout.rise_rate = nan is not a finite number"),
        ("run", "start = 2024", "run.start = 2024 has the wrong type"),
    ],
)
def test_wrong_type(load, tmp_path: Path, table: str, line: str, expected: str) -> None:
    child = write(tmp_path / "x.toml", f'extends = "baseline"\n[{table}]\n{line}\n')
    assert error_of(load, child).startswith(f"x.toml: {expected}")


def test_int_is_accepted_where_float_is_expected(load, tmp_path: Path) -> None:
    child = write(tmp_path / "x.toml", 'extends = "baseline"\n[burnout]\nrise_rate = 1\n')
    value = load(child).get("burnout.rise_rate")
    assert value == 1.0
    assert isinstance(value, float)


def test_out_of_range(load, tmp_path: Path) -> None:
    child = write(tmp_path / "x.toml", 'extends = "baseline"\n[burnout]\nrecovery_rate = 1.7\n')
    assert error_of(load, child) == (
        "x.toml: burnout.recovery_rate = 1.7 is out of range; "
        "allowed: a number from 0 to 1 (share per month)."
    )


def test_below_a_one_sided_minimum(load) -> None:
    message = error_of(load, None, {"run": {"seed": -1}})
    assert "run.seed = -1 is out of range; allowed: a whole number of at least 0." in message


def test_bad_choice_suggests(load, tmp_path: Path) -> None:
    child = write(tmp_path / "x.toml", 'extends = "baseline"\n[burnout]\nmodel = "logistc"\n')
    assert error_of(load, child) == (
        'x.toml: burnout.model = "logistc" is not one of the allowed choices; '
        'did you mean "logistic"? Allowed: one of "linear", "logistic".'
    )


@pytest.mark.parametrize("value", ['"2024-13"', '"2024-4"', '"April 2024"', '"2023-02-29"'])
def test_bad_month(load, tmp_path: Path, value: str) -> None:
    child = write(tmp_path / "x.toml", f'extends = "baseline"\n[run]\nstart = {value}\n')
    assert error_of(load, child).startswith(f"x.toml: run.start = {value} is not a valid month;")


@pytest.mark.parametrize(
    ("value", "expected"),
    [('"2024-04"', "2024-04"), ('"2024-04-15"', "2024-04"), ("2024-04-15", "2024-04")],
)
def test_months_are_normalised(load, tmp_path: Path, value: str, expected: str) -> None:
    child = write(
        tmp_path / "x.toml", f'extends = "baseline"\n[run]\nstart = {value}\nend = {value}\n'
    )
    config = load(child)
    assert config.get("run.start") == expected
    assert config.get("run.end") == expected


def test_month_or_never_rejects_other_words(load) -> None:
    message = error_of(load, None, {"run": {"end": "later"}})
    assert 'run.end = "later" is not a valid month' in message
    assert '"never"' in message


def test_date_needs_a_day(load) -> None:
    overrides = {"policy": {"pay_change": [{"start": "2024-04", "fraction": 0.1}]}}
    assert 'policy.pay_change[0].start = "2024-04" is a month, not a date' in error_of(
        load, None, overrides
    )


def test_missing_required_key_names_key_and_chain(load, tmp_path: Path) -> None:
    text = BASELINE.replace("recovery_rate = 0.2\n", "")
    base = write(tmp_path / "base.toml", text)
    child = write(tmp_path / "child.toml", f'extends = "{base.name}"\n')
    assert error_of(load, child) == (
        "child.toml (extends base.toml): missing required key burnout.recovery_rate; "
        "allowed: a number from 0 to 1 (share per month)."
    )


def test_several_missing_keys_and_tables_are_listed_together(tmp_path: Path) -> None:
    bare = write(tmp_path / "bare.toml", "[run]\nmonths = 12\n")
    with pytest.raises(ConfigError) as caught:
        load_config(bare, schema=SCHEMA, baseline=tmp_path / "none")
    assert caught.value.reason == (
        "missing required keys run.start, run.end, run.seed, [burnout], [wages]; "
        "set them in this file or in a file it extends."
    )


def test_map_with_unknown_key(load) -> None:
    message = error_of(load, None, {"wages": {"by_role": {"nurs": 30}}})
    assert message.endswith(
        "unknown key wages.by_role.nurs; did you mean wages.by_role.nurse? "
        "Allowed keys in [wages.by_role]: care_worker, nurse."
    )


def test_map_with_missing_key(load, tmp_path: Path) -> None:
    text = BASELINE.replace("nurse = 20.0\n", "")
    base = write(tmp_path / "b.toml", text)
    assert error_of(load, base) == (
        "b.toml: missing required key wages.by_role.nurse; "
        "allowed: a number from 0 to 500 (£/hour)."
    )


def test_list_entry_bad_field_is_reported_with_its_index(load, tmp_path: Path) -> None:
    child = write(
        tmp_path / "x.toml",
        """
        extends = "baseline"
        [[policy.pay_change]]
        start = "2030-01-01"
        fraction = 0.1

        [[policy.pay_change]]
        start = "2031-01-01"
        fraction = 2.5
        """,
    )
    assert error_of(load, child) == (
        "x.toml: policy.pay_change[1].fraction = 2.5 is out of range; "
        "allowed: a number from -1 to 1 (share)."
    )


def test_list_entry_unknown_field(load) -> None:
    overrides = {"policy": {"pay_change": [{"start": "2030-01-01", "fraction": 0.1, "x": 1}]}}
    assert "Allowed keys in [[policy.pay_change]]" not in error_of(load, None, overrides)
    assert "allowed keys in [[policy.pay_change]]: start, fraction." in error_of(
        load, None, overrides
    )


def test_errors_name_the_file_that_set_the_value(load, tmp_path: Path, baseline: Path) -> None:
    baseline.write_text(BASELINE.replace("rise_rate = 0.1", "rise_rate = 3.0"), encoding="utf-8")
    child = write(tmp_path / "x.toml", 'extends = "baseline"\n[run]\nseed = 2\n')
    assert error_of(load, child).startswith("configs/baseline.toml: burnout.rise_rate = 3.0")
    message = error_of(load, child, {"burnout": {"rise_rate": 0.2, "recovery_rate": 7}})
    assert message.startswith("overrides to x.toml: burnout.recovery_rate = 7 is out of range")


def test_table_given_as_value_and_value_given_as_table(load) -> None:
    assert "burnout = 3 has the wrong type (a whole number); allowed: a table" in error_of(
        load, None, {"burnout": 3}
    )
    message = error_of(load, None, {"burnout": {"rise_rate": {"x": 1}}})
    assert "burnout.rise_rate = { x = 1 } has the wrong type (a table)" in message


def test_validation_writes_nothing(load, tmp_path: Path) -> None:
    child = write(tmp_path / "x.toml", 'extends = "baseline"\n')
    before = sorted(tmp_path.rglob("*"))
    load(child)
    error_of(load, None, {"burnout": {"rise_rate": 9}})
    assert sorted(tmp_path.rglob("*")) == before


# --- the Config object ----------------------------------------------------------------


def test_hash_is_stable_across_key_order(tmp_path: Path) -> None:
    first = load_config(write(tmp_path / "a.toml", BASELINE), schema=SCHEMA, baseline=tmp_path)
    reordered = BASELINE.replace(
        "rise_rate = 0.1\nrecovery_rate = 0.2\n", "recovery_rate = 0.2\nrise_rate = 0.1\n"
    )
    reordered = reordered.replace(
        "care_worker = 11.5\nnurse = 20.0\n", "nurse = 20\ncare_worker = 11.5\n"
    )
    second = load_config(write(tmp_path / "b.toml", reordered), schema=SCHEMA, baseline=tmp_path)
    assert first.hash == second.hash
    assert len(first.hash) == 16
    assert first == second
    assert first.with_overrides({"run": {"seed": 2}}).hash != first.hash


def test_to_toml_round_trips(load) -> None:
    overrides = {"wages": {"bonus": {"nurse": 100}}, "burnout": {"model": "logistic"}}
    config = load(None, overrides)
    text = config.to_toml()
    assert tomllib.loads(text) == config.data
    assert text.startswith("[run]\n")
    assert "[[policy.pay_change]]" in text
    empty = load(None, {"policy": {"pay_change": []}})
    assert tomllib.loads(empty.to_toml()) == empty.data


def test_to_toml_is_stable_whatever_the_file_order(load, tmp_path: Path) -> None:
    shuffled = write(
        tmp_path / "s.toml",
        """
        extends = "baseline"
        [burnout]
        enabled = true
        model = "linear"
        [run]
        seed = 1
        """,
    )
    assert load(shuffled).to_toml() == load().to_toml()


def test_config_is_read_only_and_to_dict_is_a_copy(load) -> None:
    config = load()
    with pytest.raises(AttributeError):
        config.data = {}
    copy = config.to_dict()
    copy["burnout"]["rise_rate"] = 0.9
    assert config.get("burnout.rise_rate") == 0.1


def test_get(load) -> None:
    config = load()
    assert config.get("policy.pay_change[0].start") == "2023-04-01"
    assert config.get("wages.by_role.nurse") == 20.0
    assert config.get("burnout.nope", None) is None
    with pytest.raises(KeyError):
        config.get("policy.pay_change[5].start")
    assert "burnout" in config


def test_with_overrides_revalidates(load) -> None:
    config = load()
    changed = config.with_overrides({"burnout": {"rise_rate": 0.25}})
    assert changed.get("burnout.rise_rate") == 0.25
    assert config.get("burnout.rise_rate") == 0.1
    assert changed.chain == config.chain
    with pytest.raises(ConfigError, match=r"burnout\.rise_rate = 2 is out of range"):
        config.with_overrides({"burnout": {"rise_rate": 2}})


def test_overrides_are_copied(load) -> None:
    overrides = {"policy": {"pay_change": [{"start": "2030-01-01", "fraction": 0.1}]}}
    config = load(None, overrides)
    overrides["policy"]["pay_change"][0]["fraction"] = 0.9
    assert config.get("policy.pay_change[0].fraction") == 0.1


def test_config_pickles(load) -> None:
    config = load()
    again = pickle.loads(pickle.dumps(config))
    assert again == config
    assert again.hash == config.hash
    assert again.with_overrides({"run": {"seed": 3}}).get("run.seed") == 3


def test_default_schema_and_baseline_can_be_monkeypatched(
    baseline: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config_module, "baseline_path", lambda: baseline)
    monkeypatch.setattr(config_module, "default_schema", lambda: SCHEMA)
    assert load_config().chain == [baseline.resolve()]


def test_packaged_paths() -> None:
    assert baseline_path().parts[-2:] == ("configs", "baseline.toml")
    assert named_config_path("scenarios/foo").parts[-3:] == ("configs", "scenarios", "foo.toml")
    assert named_config_path("x.toml").name == "x.toml"


# --- schema helpers -------------------------------------------------------------------


def test_paths_round_trip() -> None:
    for dotted in ("run", "burnout.rise_rate", "policy.pay_change[1].fraction"):
        assert format_path(parse_path(dotted)) == dotted
    for bad in ("", ".a", "a..b", "a[1]b", "[0]", "a."):
        with pytest.raises(ValueError, match="not a dotted key"):
            parse_path(bad)


def test_validate_returns_schema_order() -> None:
    data = tomllib.loads(BASELINE)
    data["burnout"] = dict(reversed(list(data["burnout"].items())))
    assert list(validate(data, SCHEMA)["burnout"]) == list(SCHEMA["burnout"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "decimal", "unit": ""},
        {"kind": "str", "unit": "", "minimum": 0},
        {"kind": "float", "unit": "", "minimum": 2, "maximum": 1},
        {"kind": "int", "unit": "", "choices": ("a",)},
        {"kind": "str", "unit": "", "choices": ()},
    ],
)
def test_bad_declarations_fail_early(kwargs: dict) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        Param(**kwargs)


START_SCHEMA = {
    "run": {
        "start": Param(
            "month", "month", choices=("2022-04", "2023-04"), reason="the data are for them"
        )
    }
}


@pytest.mark.parametrize("value", ["2023-04", "2023-04-30", dt.date(2022, 4, 1)])
def test_month_choices_accept_any_spelling_of_an_allowed_month(value) -> None:
    assert validate({"run": {"start": value}}, START_SCHEMA)["run"]["start"] == str(value)[:7]


def test_month_choices_refuse_other_months_and_say_why() -> None:
    with pytest.raises(SchemaError) as caught:
        validate({"run": {"start": "2024-04-01"}}, START_SCHEMA)
    assert caught.value.reason == (
        'run.start = "2024-04-01" is not an allowed month; allowed: one of the months '
        '"2022-04", "2023-04" (the data are for them).'
    )
    assert caught.value.path == ("run", "start")


@pytest.mark.parametrize("choices", [("2022-4",), ("April",), ("2022-13",)])
def test_month_choices_must_be_months(choices: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        Param("month", "month", choices=choices)


LEVER_SCHEMA = {
    "agency": {
        "roles": Param("str_list", "roles", choices=ROLES),
        "cap": Param("float", "ratio", 1.0, 5.0, optional=True),
    }
}


def test_optional_param_may_be_left_out() -> None:
    assert validate({"agency": {"roles": []}}, LEVER_SCHEMA) == {"agency": {"roles": []}}
    given = validate({"agency": {"roles": ["nurse"], "cap": 1.2}}, LEVER_SCHEMA)
    assert given["agency"]["cap"] == 1.2


def test_optional_param_is_still_checked_when_given() -> None:
    with pytest.raises(ValueError, match=r"agency\.cap = 9.0 is out of range"):
        validate({"agency": {"roles": [], "cap": 9.0}}, LEVER_SCHEMA)


def test_string_list_checks_each_item() -> None:
    assert validate({"agency": {"roles": ["nurse", "care_worker"]}}, LEVER_SCHEMA)["agency"][
        "roles"
    ] == ["nurse", "care_worker"]
    with pytest.raises(ValueError, match=r"contains 'nurce'.*did you mean \"nurse\""):
        validate({"agency": {"roles": ["nurce"]}}, LEVER_SCHEMA)
    with pytest.raises(ValueError, match=r"agency\.roles"):
        validate({"agency": {"roles": "nurse"}}, LEVER_SCHEMA)
    with pytest.raises(ValueError, match=r"agency\.roles"):
        validate({"agency": {"roles": [3]}}, LEVER_SCHEMA)


def test_required_list_param_is_reported_missing() -> None:
    with pytest.raises(ValueError, match=r"agency\.roles"):
        validate({"agency": {}}, LEVER_SCHEMA)


# --- what extends may name, and files that are not plain UTF-8 ------------------------


def test_utf8_byte_order_mark_is_accepted(load, tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'extends = "baseline"\n[run]\nseed = 5\n')
    assert load(path)["run"]["seed"] == 5


def test_utf16_is_refused_clearly(load, tmp_path: Path) -> None:
    path = tmp_path / "wide.toml"
    path.write_text('extends = "baseline"\n', encoding="utf-16")
    assert error_of(load, path) == (
        "wide.toml: is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8."
    )


def chain(tmp_path: Path, length: int) -> Path:
    """Files c1 ... c<length>, each extending the one before; c1 extends the baseline."""
    write(tmp_path / "c1.toml", 'extends = "baseline"\n')
    for number in range(2, length + 1):
        write(tmp_path / f"c{number}.toml", f'extends = "c{number - 1}.toml"\n')
    return tmp_path / f"c{length}.toml"


def test_a_chain_of_sixteen_files_loads(load, tmp_path: Path) -> None:
    # Fifteen files of one's own and the baseline.
    assert len(load(chain(tmp_path, 15)).chain) == 16


def test_a_chain_longer_than_sixteen_files_is_refused(load, tmp_path: Path) -> None:
    message = error_of(load, chain(tmp_path, 16))
    assert message == (
        "c1.toml: extends chains more than 16 files (c16.toml -> c15.toml -> ... -> "
        "c1.toml -> configs/baseline.toml); at most 16 may be chained, so merge some of them."
    )


def test_a_very_long_chain_is_refused_without_reading_it_all(load, tmp_path: Path) -> None:
    assert "extends chains more than 16 files" in error_of(load, chain(tmp_path, 3000))


def test_the_cycle_is_named_without_the_files_leading_to_it(load, tmp_path: Path) -> None:
    write(tmp_path / "start.toml", 'extends = "a.toml"\n')
    write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    assert error_of(load, tmp_path / "start.toml") == (
        "b.toml: extends makes a cycle: a.toml -> b.toml -> a.toml; the chain must end at a "
        'file without extends, such as "baseline".'
    )


def test_extends_may_name_a_file_outside_the_folder_by_absolute_path(
    load, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    own_base = 'extends = "baseline"\n[run]\nseed = 9\n'
    elsewhere = write(tmp_path_factory.mktemp("elsewhere") / "mine.toml", own_base)
    child = write(tmp_path / "child.toml", f"extends = {json.dumps(str(elsewhere))}\n")
    config = load(child)
    assert config["run"]["seed"] == 9
    assert config.chain[-2] == elsewhere.resolve()


def test_a_loop_of_symbolic_links_is_a_config_error(load, tmp_path: Path) -> None:
    (tmp_path / "loop1.toml").symlink_to(tmp_path / "loop2.toml")
    (tmp_path / "loop2.toml").symlink_to(tmp_path / "loop1.toml")
    write(tmp_path / "child.toml", 'extends = "loop1.toml"\n')
    message = error_of(load, tmp_path / "child.toml")
    assert message.startswith("child.toml: cannot follow ")
    assert "loop1.toml" in message


def test_arrays_nested_too_deeply_to_read_are_a_config_error(load, tmp_path: Path) -> None:
    deep = write(tmp_path / "deep.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert error_of(load, deep) == (
        "deep.toml: malformed TOML: arrays or inline tables are nested too deeply to read."
    )


def test_a_number_too_long_to_read_is_a_config_error(load, tmp_path: Path) -> None:
    long = write(tmp_path / "long.toml", "[run]\nseed = " + "1" * 5000 + "\n")
    expected = "long.toml: malformed TOML: a number has too many digits to read."
    assert error_of(load, long) == expected


# --- the Python API refuses wrong types with the config's own error ----------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (42, "source=42 has the wrong type (a whole number)"),
        (b"x.toml", "source=b'x.toml' has the wrong type (bytes)"),
        ("", 'source="" is not a usable path (it is empty)'),
    ],
)
def test_source_of_the_wrong_type(load, source, expected: str) -> None:
    assert error_of(load, source) == (
        f"{expected}; allowed: a path (a .toml file, "
        '"baseline" or the name of another packaged config).'
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            [("run", {"seed": 3})],
            'overrides=[["run", { seed = 3 }]] has the wrong type (an array); '
            "allowed: a table with keys run, burnout, wages, policy.",
        ),
        (
            "run.seed=3",
            'overrides="run.seed=3" has the wrong type (a string); '
            "allowed: a table with keys run, burnout, wages, policy.",
        ),
        (
            {"run": {1: 3}},
            "overrides key run.1 is not a string; config keys are strings, "
            'e.g. {"run": {"seed": 3}}.',
        ),
    ],
)
def test_overrides_of_the_wrong_type(load, overrides, expected: str) -> None:
    assert error_of(load, None, overrides) == expected


def test_overrides_that_contain_themselves_are_refused(load) -> None:
    table: dict = {}
    table["run"] = table
    assert error_of(load, None, table).startswith("overrides nest more than 64 tables or arrays")


def test_with_overrides_checks_the_type_too(load) -> None:
    with pytest.raises(ConfigError, match=r"^overrides=3 has the wrong type \(a whole number\)"):
        load().with_overrides(3)


@pytest.mark.parametrize("key", ["run.months", "burnout.rise_rate"])
def test_a_whole_number_beyond_any_float_is_out_of_range(load, tmp_path: Path, key: str) -> None:
    table, name = key.split(".")
    huge = write(
        tmp_path / "huge.toml", f'extends = "baseline"\n[{table}]\n{name} = 1{"0" * 400}\n'
    )
    assert error_of(load, huge).startswith(
        f"huge.toml: {key} = (a whole number of about 401 digits) is out of range; allowed: "
    )
