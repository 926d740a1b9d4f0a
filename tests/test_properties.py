"""Property tests: thousands of malformed configs and command lines, none of them a crash.

Every input either runs or exits 2 with one ``wfabm: error:`` line on stderr; never a
traceback (any exception escaping :func:`wfabm.cli.commands.main` fails the test) and never a
half-written output folder. The schema is the model's own tables for the run, the
workforce and every policy lever (so every kind of declaration is exercised), and the
baseline is those tables of the packaged baseline. The slow work behind a valid command
stands in as follows: ``run`` gets a simulation that returns two rows of results at once,
so the real folder checks, atomic write and summary run; the other commands stop where
their first run would start, and an output folder must not exist by then.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfabm.batch import compare as compare_module
from wfabm.batch import experiment
from wfabm.batch import run as runner
from wfabm.calibration import fit as calibration
from wfabm.cli import commands as cli
from wfabm.config import load_config
from wfabm.config import loading as config_module
from wfabm.config.parameters import SCHEMA as MODEL_SCHEMA
from wfabm.core.schema import ListOf, MapOf, Param, format_path, toml_value
from wfabm.dashboard import server

SCHEMA = {table: MODEL_SCHEMA[table] for table in ("run", "workforce", "policy")}
SEED_LIMIT = 2**63 - 1
MONTH_LIMIT = 1200
EXAMPLES = 1000
# Fixed examples and no database: CI runs the same 1,000 inputs every time.
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class ReachedTheWorkError(Exception):
    """Raised where a valid command's slow work would begin."""


def stop(*args, **kwargs):
    raise ReachedTheWorkError


def key_paths(schema: dict, prefix: tuple = ()) -> list[tuple]:
    """Every key a config may set, tables and values alike."""
    paths = []
    for key, spec in schema.items():
        path = (*prefix, key)
        paths.append(path)
        if isinstance(spec, dict):
            paths.extend(key_paths(spec, path))
        elif isinstance(spec, MapOf):
            paths.extend((*path, name) for name in spec.keys)
    return paths


KEYS = key_paths(SCHEMA)


def example_values(spec) -> tuple[list, list]:
    """Values a declaration allows (its bounds and choices) and values just past them."""
    if isinstance(spec, Param):
        low, high = spec.minimum, spec.maximum
        allowed = [value for value in (low, high) if value is not None]
        allowed += list(spec.choices or ())
        allowed += CALENDAR_EXAMPLES.get(spec.kind, [])
        if spec.kind == "str_list":
            allowed = [list(spec.choices or ())[:2], []]
        past = [value for value in (low and low - 1, high and high + 1) if value]
        return allowed, past
    if isinstance(spec, ListOf):
        return [[]], [[{}], [dict.fromkeys(spec.fields, 1)]]
    return [], [{}]


CALENDAR_EXAMPLES = {
    "month": ["2024-01", "2030-12-01"],
    "date": ["2024-01-31"],
    "month_or_never": ["never", "2025-05"],
    "date_or_never": ["never", "2025-05-01"],
}


def spec_of(path: tuple):
    spec = SCHEMA
    for part in path:
        spec = spec.value if isinstance(spec, MapOf) else spec[part]
    return spec


text = st.text(max_size=12)
scalars = st.one_of(
    st.integers(-3, 3000),
    st.integers(-(2**80), 2**80),
    # Beyond any float.
    st.sampled_from([10**400, -(10**400)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    text,
    st.sampled_from(["2022-04", "2026-04-01", "never", "2022-13", "2023-02-30", "", "all"]),
    st.dates(),
    st.datetimes(),
    st.times(),
)
toml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)


class Literal(str):
    """TOML text written as it is."""


def literal(value: object) -> str:
    return value if isinstance(value, Literal) else toml_value(value)


@st.composite
def setting(draw) -> tuple[tuple, object]:
    """One key and a value: one it allows, one just past its limits, anything; or a new key."""
    path = draw(st.sampled_from(KEYS))
    if draw(st.integers(0, 9)) == 0:
        path = (*path[:-1], draw(text.filter(bool)))
    allowed, past = example_values(spec_of(path)) if path in KEYS else ([], [])
    pick = draw(st.sampled_from(["allowed", "allowed", "past", "anything", "digits"]))
    if pick == "digits":
        # More than the 4300 digits Python converts from text.
        return path, Literal("7" * draw(st.integers(4000, 5000)))
    if pick == "allowed" and allowed:
        return path, draw(st.sampled_from(allowed))
    if pick == "past" and past:
        return path, draw(st.sampled_from(past))
    return path, draw(toml_values)


TIDY_KEYS = [path for path in KEYS if example_values(spec_of(path))[0]]


@st.composite
def config_bytes(draw, folder: Path) -> bytes:
    """A config file's bytes: a few settings over an extends, then perhaps some damage.

    One in three is tidy: it extends the baseline and sets only values the schema allows.
    """
    if draw(st.integers(0, 2)) == 0:
        lines = ['extends = "baseline"']
        for path in draw(st.lists(st.sampled_from(TIDY_KEYS), max_size=3, unique=True)):
            value = draw(st.sampled_from(example_values(spec_of(path))[0]))
            lines.append(f"{format_path(path)} = {toml_value(value)}")
        return ("\n".join(lines) + "\n").encode("utf-8")
    extends = draw(
        st.sampled_from(
            [
                None,
                "baseline",
                "baseline",
                "baseline",
                "baseline",
                "self.toml",
                "missing.toml",
                "cycle_a.toml",
                str(folder / "elsewhere" / "base.toml"),
                "long_chain.toml",
                "",
                7,
            ]
        )
    )
    lines = [] if extends is None else [f"extends = {toml_value(extends)}"]
    for path, value in draw(st.lists(setting(), max_size=3)):
        lines.append(f"{format_path(path)} = {literal(value)}")
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    damage = draw(st.sampled_from(["none"] * 6 + ["bom", "utf-16", "bytes", "cut", "deep"]))
    if damage == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif damage == "utf-16":
        raw = raw.decode("utf-8").encode("utf-16")
    elif damage == "bytes":
        where = draw(st.integers(0, len(raw)))
        raw = raw[:where] + draw(st.binary(min_size=1, max_size=4)) + raw[where:]
    elif damage == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif damage == "deep":
        depth = draw(st.integers(100, 3000))
        raw += b"nested = " + b"[" * depth + b"]" * depth + b"\n"
    return raw


@pytest.fixture(scope="module")
def world() -> Iterator[Path]:
    """A folder with the stand-in baseline and the files configs may extend."""
    folder = Path(tempfile.mkdtemp(prefix="wfabm-properties-"))
    real = load_config()
    lines = [f"{key} = {toml_value(real[key])}" for key in SCHEMA]
    (folder / "baseline.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "elsewhere").mkdir()
    (folder / "elsewhere" / "base.toml").write_text('extends = "baseline"\n', encoding="utf-8")
    (folder / "self.toml").write_text('extends = "self.toml"\n', encoding="utf-8")
    (folder / "cycle_a.toml").write_text('extends = "cycle_b.toml"\n', encoding="utf-8")
    (folder / "cycle_b.toml").write_text('extends = "cycle_a.toml"\n', encoding="utf-8")
    (folder / "link_0.toml").write_text('extends = "baseline"\n', encoding="utf-8")
    for number in range(1, 20):
        link = f'extends = "link_{number - 1}.toml"\n'
        (folder / f"link_{number}.toml").write_text(link, encoding="utf-8")
    (folder / "long_chain.toml").write_text('extends = "link_19.toml"\n', encoding="utf-8")
    (folder / "good.toml").write_text('extends = "baseline"\n[run]\nseed = 3\n', encoding="utf-8")
    (folder / "bad.toml").write_text('extends = "baseline"\n[run]\nmonths = 0\n', encoding="utf-8")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def two_rows(config, *, seed: int, months: int, progress: bool = False):
    """Stands in for the simulation, after checking it was given what the schema allows."""
    assert type(seed) is int, seed
    assert 0 <= seed <= SEED_LIMIT, seed
    assert type(months) is int, months
    assert 1 <= months <= MONTH_LIMIT, months
    start = dt.date.fromisoformat(config["run"]["start"] + "-01")
    metrics = pl.DataFrame(
        {
            "month": [start, start],
            "sector": ["la", "independent"],
            "role": ["care_worker", "care_worker"],
            "headcount": [10.0, 20.0],
            "funded_posts": [11.0, 22.0],
            "vacancies": [1.0, 2.0],
            "joiners": [1, 2],
            "leavers": [1, 1],
        }
    )
    flows = pl.DataFrame({"destination": ["retired"], "count": [1]})

    class Ran:
        pass

    model = Ran()
    model.metrics, model.flows = metrics, flows
    return model, 0.0


@pytest.fixture
def stand_ins(world: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(config_module, "baseline_path", lambda: world / "baseline.toml")
    monkeypatch.setattr(config_module, "default_schema", lambda: SCHEMA)
    monkeypatch.setattr(runner, "run_model", two_rows)
    monkeypatch.setattr(compare_module, "compare_configs", stop)
    monkeypatch.setattr(calibration, "calibrate", stop)
    monkeypatch.setattr(calibration, "Evaluator", stop)
    monkeypatch.setattr(experiment, "run_experiment", stop)
    monkeypatch.setattr(server, "serve", stop)
    # The parser is the same every time; building it 1,000 times would cost most of the run.
    monkeypatch.setattr(cli, "build_parser", functools.cache(cli.build_parser))
    monkeypatch.chdir(world)
    return world


def outcome(argv: list[str]) -> tuple[int | None, str, str]:
    """Run the command line; the status is None where the slow work would have begun."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(argv)
        except ReachedTheWorkError:
            status = None
    return status, out.getvalue(), err.getvalue()


def assert_one_error_paragraph(err: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("wfabm: error: "), err
    assert "Traceback" not in err


def test_malformed_configs_are_checked_or_refused_in_one_paragraph(stand_ins: Path) -> None:
    seen = {"refused": 0, "valid": 0}

    @PROPERTY
    @given(raw=config_bytes(stand_ins))
    def check(raw: bytes) -> None:
        path = stand_ins / "candidate.toml"
        path.write_bytes(raw)
        status, out, err = outcome(["check", str(path)])
        if status == 2:
            assert_one_error_paragraph(err)
            assert out == ""
            seen["refused"] += 1
            return
        assert status == 0, (status, err)
        assert err == ""
        header, _, body = out.partition("\n")
        config = load_config(path)
        assert tomllib.loads(body) == config.data
        assert header.endswith(f"hash {config.hash}")
        seen["valid"] += 1

    check()
    # Both outcomes must be common, or the property says little about one of them.
    assert seen["refused"] >= EXAMPLES // 4, seen
    assert seen["valid"] >= EXAMPLES // 5, seen


NUMBERS = st.one_of(
    st.integers(1, 30).map(str),
    st.integers(1, 30).map(str),
    st.integers(-5, 1300).map(str),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", "1.5", "1e3", "inf", "nan", "-0", "+3", " 5", "0x10", "1_000", "٣"]),
    st.just("9" * 5000),
    text,
)
PATHS = st.one_of(
    st.sampled_from(["out/a", "out/b", "baseline.toml", "elsewhere", "", "x\x00y", "a" * 300]),
    text,
)
CONFIGS = st.one_of(
    st.sampled_from(["baseline", "good.toml", "bad.toml", "self.toml", "nope.toml", ""]),
    text,
)
FLAG = st.none()
COMMANDS = {
    "run": (
        [CONFIGS],
        {"--seed": NUMBERS, "--months": NUMBERS, "--out": PATHS, "--quiet": FLAG},
    ),
    "check": ([CONFIGS], {}),
    "compare": (
        [CONFIGS, CONFIGS],
        {
            "--seeds": NUMBERS,
            "--months": NUMBERS,
            "--seed": NUMBERS,
            "--workers": NUMBERS,
            "--out": PATHS,
            "--quiet": FLAG,
        },
    ),
    "calibrate": (
        [CONFIGS],
        {
            "--budget": NUMBERS,
            "--seeds": NUMBERS,
            "--seed": NUMBERS,
            "--report-seeds": NUMBERS,
            "--workers": NUMBERS,
            "--out": PATHS,
            "--quiet": FLAG,
        },
    ),
    "report": (
        [st.sampled_from(["calibration", "calibrashun", ""]) | text, CONFIGS],
        {"--seeds": NUMBERS, "--seed": NUMBERS, "--workers": NUMBERS, "--out": PATHS},
    ),
    "experiment": (
        [st.sampled_from(["good.toml", "nope.toml", ""]) | text],
        {
            "--engine": st.sampled_from(["local", "dask", "dusk", ""]) | text,
            "--workers": NUMBERS,
            "--scheduler": st.sampled_from(["tcp://127.0.0.1:1", ""]) | text,
            "--cluster": PATHS,
            "--out": PATHS,
            "--months": NUMBERS,
            "--replicates": NUMBERS,
            "--dry-run": FLAG,
            "--quiet": FLAG,
        },
    ),
    "analyse": (
        [PATHS],
        {
            "--expected": PATHS,
            "--write-expected": PATHS,
            "--outcome": st.sampled_from(["vacancy_rate", ""]) | text,
            "--sector": st.sampled_from(["wales", "mars"]) | text,
            "--discover": st.sampled_from(["vacancy_rate<0.08", "x"]) | text,
        },
    ),
    "dashboard": ([], {"--host": st.sampled_from(["127.0.0.1", ""]) | text, "--port": NUMBERS}),
}
OUTPUT_OPTIONS = ("--out", "--write-expected")


@st.composite
def command_lines(draw) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    positionals, options = COMMANDS[command]
    argv = [command]
    given_positionals = draw(st.integers(0, len(positionals)))
    argv.extend(draw(strategy) for strategy in positionals[:given_positionals])
    names = draw(st.lists(st.sampled_from(sorted(options)), max_size=4)) if options else []
    for name in names:
        value = draw(options[name])
        argv.extend([name] if value is None else [name, value])
    if draw(st.integers(0, 14)) == 0:
        argv.insert(draw(st.integers(1, len(argv))), draw(st.sampled_from(["--bogus", "-x"])))
    return argv


def output_paths(argv: list[str]) -> list[Path]:
    return [Path(argv[i + 1]) for i, word in enumerate(argv[:-1]) if word in OUTPUT_OPTIONS]


def usable(path: Path) -> bool:
    return "\x00" not in str(path) and len(path.name) < 255 and str(path) != ""


def test_command_lines_run_or_are_refused_in_one_paragraph(stand_ins: Path) -> None:
    seen = {"refused": 0, "ran": 0, "reached the work": 0}

    fixtures = set(stand_ins.iterdir())

    @PROPERTY
    @given(argv=command_lines())
    def check(argv: list[str]) -> None:
        # Each command line starts from the same folder: what an earlier one wrote goes.
        for path in set(stand_ins.iterdir()) - fixtures:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        outputs = [path for path in output_paths(argv) if usable(path)]
        existed = {path: path.exists() for path in outputs}
        status, out, err = outcome(argv)
        for path in outputs:
            # Nothing is left half-written: no staging folder beside any output.
            assert not list(path.parent.glob(f".{path.name}-*")), argv
        if status == 2:
            assert_one_error_paragraph(err)
            assert out == ""
            for path in outputs:
                assert path.exists() == existed[path], argv
            seen["refused"] += 1
            return
        if status is None:
            # A valid command stopped where its first run would start: nothing written yet.
            assert "wfabm: error" not in err
            for path in outputs:
                assert path.exists() == existed[path], argv
            seen["reached the work"] += 1
            return
        assert status == 0, (argv, status, err)
        assert all(line.startswith("wfabm: warning: ") for line in err.splitlines()), err
        if argv[0] == "run":
            # The summary's first line ends with the folder, whatever characters it holds.
            written = out.partition(", results in ")[2].partition("\nWales social care")[0]
            folder = Path(written)
            assert sorted(p.name for p in folder.iterdir()) == sorted(runner.RUN_FILES)
        seen["ran"] += 1

    check()
    assert seen["refused"] >= EXAMPLES // 4, seen
    assert seen["ran"] >= EXAMPLES // 50, seen
    assert seen["ran"] + seen["reached the work"] >= EXAMPLES // 10, seen
