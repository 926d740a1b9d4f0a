"""The one-page brief, without a browser: HTML and PDF (parsed back), in Welsh and English.

The brief of a real session must carry the headline of its comparison, the levers it
changed, its interval and the manifest that repeats it; the PDF is read back with pypdf.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest

from wfabm.config import load_config
from wfabm.dashboard import i18n
from wfabm.dashboard.brief import Brief, BriefChart, BriefLine, brief_html, brief_pdf, chart_svg
from wfabm.dashboard.brief_content import session_brief
from wfabm.dashboard.levers import configure, lever_values
from wfabm.dashboard.replicates import run_replicates
from wfabm.dashboard.simulation import Simulation

MONTHS = 3


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.session_language().set(i18n.DEFAULT_LANGUAGE)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def small_brief(language: str = "cy") -> Brief:
    dates = tuple(dt.date(2022, month, 1) for month in (4, 5, 6))
    return Brief(
        language=language,
        title="Dim contractau dim oriau",
        made=dt.date(2026, 5, 4),
        headline="Mae cyfradd swyddi gwag gofal cymdeithasol yn gostwng o 6.0% i 5.1%.",
        levers=(("Rhoi terfyn ar gontractau dim oriau", "ie"),),
        charts=(
            BriefChart(
                "Cyfradd swyddi gwag",
                dates,
                (
                    BriefLine("Llinell sylfaen", (0.06, 0.061, 0.062), (0.05,) * 3, (0.07,) * 3),
                    BriefLine("Yr ysgogiadau a ddewiswyd", (0.055, 0.052, 0.051)),
                ),
                percent=True,
            ),
        ),
        differences=(("Cyfradd swyddi gwag", "6.00%", "5.10%", "-0.90%", "-1.20% i -0.60%"),),
        uncertainty="Cyfwng 95 % dros 3 hedyn pâr.",
        manifest=(("Hash y ffurfweddiad", "abc123"), ("Ymrwymiad wfabm", "f" * 40)),
    )


def test_a_brief_prints_to_a_pdf_that_reads_back_its_headline_levers_and_manifest():
    data = brief_pdf(small_brief())
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Mae cyfradd swyddi gwag gofal cymdeithasol yn gostwng o 6.0% i 5.1%." in text
    assert "Rhoi terfyn ar gontractau dim oriau" in text
    assert "-1.20% i -0.60%" in text
    assert "abc123" in text
    # Its own headings are in the brief's language.
    assert "Ansicrwydd" in text
    assert "Uncertainty" not in text


def test_the_html_is_self_contained_and_in_its_language():
    page = brief_html(small_brief())
    assert '<html lang="cy">' in page
    assert page.count("data:image/svg+xml;base64,") == 1
    assert not re.search(r"""(src|href)=["']https?:""", page)
    assert "Ansicrwydd" in page
    english = brief_html(small_brief("en"))
    assert "Uncertainty" in english
    assert "Ansicrwydd" not in english


def test_a_chart_is_drawn_as_svg_with_welsh_months():
    chart = small_brief().charts[0]
    svg = chart_svg(chart, "cy")
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    # Text is drawn as paths, so the month names are in the SVG's glyph ids, not as text.
    assert svg == chart_svg(chart, "cy")  # the same chart gives the same file


@pytest.fixture(scope="module")
def compared():
    """A 3-month run of the zero-hours ban and its comparison with the baseline on 2 seeds."""
    base = load_config()
    values = {
        **lever_values(base),
        "policy.zero_hours.ban": True,
        "policy.zero_hours.start": "2022-04",
    }
    scenario = configure(values, seed=11, horizon=MONTHS, base=base)
    baseline = configure(lever_values(base), seed=11, horizon=MONTHS, base=base)
    simulation = Simulation(scenario)
    for _ in range(MONTHS):
        simulation.step()
    comparison = run_replicates(
        baseline, {"No zero hours": scenario}, replicates=2, months=MONTHS, root_seed=11, workers=1
    ).pair("No zero hours")
    return simulation, comparison, lever_values(base)


def test_a_sessions_brief_states_its_comparison_and_how_to_repeat_it(compared):
    simulation, comparison, base_values = compared
    brief = session_brief(
        simulation, comparison, preset="zero_hours_ban", baseline_values=base_values
    )
    assert brief.language == "en"
    assert brief.title == "No zero-hours contracts in Welsh social care"
    assert brief.headline.startswith("Over the 3 months to June 2022, the vacancy rate")
    assert "95 % interval" in brief.headline
    assert ("End zero-hours contracts", "yes, from 2022-04") in brief.levers
    assert len(brief.levers) == 1
    assert [row[0] for row in brief.differences][:2] == ["Headcount (mean)", "Vacancy rate"]
    manifest = dict(brief.manifest)
    assert manifest["Config hash"] == simulation.config.hash
    assert manifest["Seeds of the comparison"] == ", ".join(map(str, comparison.seeds))
    assert re.fullmatch(r"[0-9a-f]{40}", manifest["wfabm commit"])
    assert "mesa 3.3.1" in manifest["Versions"]
    # Two charts, baseline and levers, with the range over the two seeds.
    assert [len(chart.lines) for chart in brief.charts] == [2, 2]
    assert brief.charts[0].lines[0].low is not None
    text = pdf_text(brief_pdf(brief))
    assert brief.headline[:60] in text


def test_the_brief_is_in_the_sessions_language(compared):
    simulation, comparison, base_values = compared
    i18n.set_language("cy")
    brief = session_brief(
        simulation, comparison, preset="zero_hours_ban", baseline_values=base_values
    )
    assert brief.language == "cy"
    assert brief.title == "Dim contractau dim oriau mewn gofal cymdeithasol yng Nghymru"
    assert "Mehefin 2022" in brief.headline
    assert ("Rhoi terfyn ar gontractau dim oriau", "ie, o 2022-04") in brief.levers
    # speaking() makes a brief in another language without changing the session's.
    with i18n.speaking("en"):
        english = session_brief(
            simulation, comparison, preset="zero_hours_ban", baseline_values=base_values
        )
    assert english.language == "en"
    assert english.levers == (("End zero-hours contracts", "yes, from 2022-04"),)
    assert i18n.session_language().value == "cy"


def test_without_a_comparison_the_brief_says_it_has_no_interval(compared):
    simulation, _, base_values = compared
    brief = session_brief(simulation, None, preset="file", baseline_values=base_values)
    assert brief.differences == ()
    assert "This is one seed" in brief.headline
    assert brief.uncertainty.startswith("No interval yet")
    assert [len(chart.lines) for chart in brief.charts] == [1, 1]
