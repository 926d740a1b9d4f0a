"""Each preset's header says what the preset does: its numbers are checked against its config.

A preset in ``configs/scenarios/`` opens with a comment saying what it represents. Where that
comment states a number (a lever's size, a start month, a baseline value it builds on), the
number is read from the comment and compared, at the precision it is written to, with the
resolved config of the preset or of the baseline. Every preset has its claims here, so a new
preset, or a recalibration that moves a value a comment quotes, fails until its comment is
true again.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from wfabm.config import load_config
from wfabm.core.reference import fact_number

SCENARIOS = Path(__file__).resolve().parent.parent / "configs" / "scenarios"
WORDS = {"three": 3, "five": 5}
MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
MONTHS_BY_NUMBER = {number: name for name, number in MONTHS.items()}


@dataclass(frozen=True)
class Claim:
    """A sentence of a header with numbers in it, and where those numbers come from.

    Attributes:
        pattern: Matches the sentence; each group is one number (digits, or a word).
        values: From the preset's and the baseline's resolved config data, the numbers
            the groups must equal.
    """

    pattern: str
    values: Callable[[dict, dict], tuple[float, ...]]


def _policy(data: dict, lever: str, key: str) -> object:
    return data["policy"][lever][key]


def _start(data: dict, lever: str) -> tuple[int, int]:
    year, month = _policy(data, lever, "start").split("-")
    return MONTHS_BY_NUMBER[int(month)], int(year)


CLAIMS: dict[str, list[Claim]] = {
    "england_fair_pay_agreement.toml": [
        Claim(
            r"pay care workers and senior care workers (\d+)% more",
            lambda p, b: (100 * _policy(p, "england", "pay_change"),),
        ),
        Claim(
            r"the size of the rise \((\d+)%",
            lambda p, b: (100 * _policy(p, "england", "pay_change"),),
        ),
    ],
    "fair_work_package.toml": [
        Claim(r"combining (\w+) levers", lambda p, b: (len(_changed_levers(p, b)),)),
        Claim(
            r"burnout recovery (\d+)% faster",
            lambda p, b: (100 * _policy(p, "wellbeing", "recovery_boost"),),
        ),
        Claim(
            r"capped at ([0-9.]+) × the employed rate", lambda p, b: (_policy(p, "agency", "cap"),)
        ),
        Claim(
            r"the wellbeing effect \(([0-9.]+)\) and the agency cap \(([0-9.]+)\)",
            lambda p, b: (_policy(p, "wellbeing", "recovery_boost"), _policy(p, "agency", "cap")),
        ),
    ],
    "nhs_parity_occupational_therapists.toml": [
        Claim(r"gap_closed = ([0-9.]+)\)", lambda p, b: (_policy(p, "nhs_parity", "gap_closed"),)),
        Claim(
            r"the terms gap \(([0-9.]+) x \(1 - ([0-9.]+)\) = ([0-9.]+) in utility",
            lambda p, b: (
                b["choice"]["nhs_terms"],
                b["choice"]["la_terms"],
                b["choice"]["nhs_terms"] * (1 - b["choice"]["la_terms"]),
            ),
        ),
    ],
    "overseas_never_closed.toml": [
        Claim(
            r"closed to applicants from overseas on (\d+) July (\d{4})",
            lambda p, b: _day_and_year(b["policy"]["overseas_recruitment"]["close"], 7),
        ),
        Claim(
            r"inflows\.uk_care_visas\.after_data \(([0-9,]+) a year",
            lambda p, b: (p["inflows"]["uk_care_visas"]["after_data"],),
        ),
    ],
    "pay_framework_mandatory.toml": [
        Claim(
            r"\(baseline: care worker (\d), senior care worker and residential child care worker "
            r"(\d), registered manager (\d), social worker and occupational therapist (\d), "
            r"AMHP (\d)\)",
            lambda p, b: tuple(
                p["policy"]["pay_framework"]["afc_band"][role]
                for role in (
                    "care_worker",
                    "senior_care_worker",
                    "registered_manager",
                    "social_worker",
                    "amhp",
                )
            ),
        ),
    ],
    "social_worker_terms_and_pledge.toml": [
        Claim(
            r"paid at most ([0-9.]+) times the employed local authority rate",
            lambda p, b: (_policy(p, "agency", "cap"),),
        ),
        Claim(
            r"pay\.agency_markup_professional, is ([0-9.]+)\)",
            lambda p, b: (b["pay"]["agency_markup_professional"],),
        ),
        Claim(r"the cap of ([0-9.]+)", lambda p, b: (_policy(p, "agency", "cap"),)),
    ],
    "training_expansion.toml": [
        Claim(
            r"With (\w+)-year courses the first larger cohorts graduate in September (\d{4})",
            lambda p, b: (
                _policy(p, "training", "course_years"),
                int(_policy(p, "training", "start")[:4]) + _policy(p, "training", "course_years"),
            ),
        ),
        Claim(
            r"([0-9.]+) × (\d+) social work and ([0-9.]+) × (\d+) OT graduates a year",
            lambda p, b: (
                _policy(p, "training", "social_work_places"),
                p["inflows"]["social_work_graduates"],
                _policy(p, "training", "occupational_therapy_places"),
                p["inflows"]["occupational_therapy_graduates"],
            ),
        ),
        Claim(
            r"the size of the expansion \(([0-9.]+) for both\)",
            lambda p, b: (_policy(p, "training", "social_work_places"),),
        ),
    ],
    "wellbeing_programme.toml": [
        Claim(
            r"recovery rate of workers at Welsh local authorities, independent providers and "
            r"agencies is (\d+)% higher",
            lambda p, b: (100 * _policy(p, "wellbeing", "recovery_boost"),),
        ),
        Claim(
            r"burnout\.recovery_rate,? (?:calibrated at )?([0-9.]+)(?: a month,)? × ([0-9.]+) = "
            r"([0-9.]+) a month",
            lambda p, b: (
                b["burnout"]["recovery_rate"],
                1 + _policy(p, "wellbeing", "recovery_boost"),
                b["burnout"]["recovery_rate"] * (1 + _policy(p, "wellbeing", "recovery_boost")),
            ),
        ),
    ],
    "zero_hours_ban.toml": [
        Claim(
            r"In 2022 (\d+)% of Welsh care workers were on zero-hours contracts",
            lambda p, b: (fact_number("seed_care_workers_zero_hours_share"),),
        ),
        Claim(
            r"in the 2024 survey (\d+)% of respondents were",
            lambda p, b: (fact_number("wales_zero_hours_2024_survey"),),
        ),
    ],
}


def _day_and_year(date: str, month: int) -> tuple[int, int]:
    parsed = dt.date.fromisoformat(date)
    return (parsed.day, parsed.year) if parsed.month == month else (0, 0)


def _changed_levers(preset: dict, baseline: dict) -> list[str]:
    return [
        lever for lever in preset["policy"] if preset["policy"][lever] != baseline["policy"][lever]
    ]


def header(path: Path) -> str:
    """The comment before a preset's first setting, as one line of text."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(" ".join(lines).split())


def _number(text: str) -> float:
    return float(WORDS.get(text, text.replace(",", "")))


def _precision(text: str) -> float:
    """Half a unit of the last digit written: 0.153 is any value from 0.1525 to 0.1535."""
    if text in WORDS or "." not in text:
        return 0.5
    return 0.5 * 10.0 ** -len(text.split(".")[1])


PRESETS = sorted(SCENARIOS.glob("*.toml"))


def test_every_preset_has_its_claims() -> None:
    assert sorted(CLAIMS) == [path.name for path in PRESETS]


@pytest.fixture(scope="module")
def baseline() -> dict:
    return load_config().data


@pytest.mark.parametrize("path", PRESETS, ids=lambda path: path.stem)
def test_the_numbers_of_a_presets_header_are_those_of_its_config(path: Path, baseline) -> None:
    text = header(path)
    preset = load_config(path).data
    for claim in CLAIMS[path.name]:
        found = re.search(claim.pattern, text)
        assert found, f"{path.name}: the header no longer says {claim.pattern!r}"
        expected = claim.values(preset, baseline)
        written = found.groups()
        assert len(written) == len(expected)
        for text_value, value in zip(written, expected, strict=True):
            assert abs(_number(text_value) - value) <= _precision(text_value) + 1e-12, (
                f"{path.name}: the header says {found.group(0)!r}, but the config gives "
                f"{value:g} for {text_value!r}"
            )


@pytest.mark.parametrize("path", PRESETS, ids=lambda path: path.stem)
def test_a_presets_levers_start_in_the_month_its_header_names(path: Path) -> None:
    # Only the levers the file itself sets: their start months, and the header's
    # "from <month> <year>" (not a run's "from April 2022 to ..."), must be the same months.
    own = tomllib.loads(path.read_text(encoding="utf-8")).get("policy", {})
    preset = load_config(path).data
    starts = {_start(preset, lever) for lever in own if "start" in preset["policy"][lever]}
    named = {
        (month, int(year))
        for month, year in re.findall(rf"from ({'|'.join(MONTHS)}) (\d{{4}})(?! to )", header(path))
    }
    assert named == starts, f"{path.name}: header names {named}, levers start {starts}"
