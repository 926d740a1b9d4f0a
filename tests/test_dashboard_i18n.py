"""The dashboard in Welsh and English: the catalogue is complete, and the switch changes it all.

Every message the dashboard can show (the first argument of ``t``/``N_`` in its code, the
levers' texts, the presets' titles) must have a Welsh translation with the same placeholders,
so text added in English only fails here until it is translated (``bash scripts/translations``).
"""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pytest
import solara
from babel.messages.pofile import read_po

from wfabm.dashboard import app, charts, i18n
from wfabm.dashboard.catalogue import data_messages, literal_messages, messages, template
from wfabm.dashboard.i18n import catalogue_path, month_year, number, percent, t, translate
from wfabm.dashboard.levers import LEVERS, presets
from wfabm.dashboard.workshop import Workshop


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.session_language().set(i18n.DEFAULT_LANGUAGE)


def welsh_catalogue():
    with catalogue_path("cy").open("rb") as source:
        return read_po(source, locale="cy")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_the_dashboard_shows_has_a_welsh_translation():
    catalogue = welsh_catalogue()
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(messages() - set(translated))
    assert missing == [], f"not translated into Welsh (run bash scripts/translations): {missing}"
    for message in messages():
        assert fields(translated[message]) == fields(message), message


def test_the_catalogue_holds_no_message_the_dashboard_no_longer_shows():
    stale = {m.id for m in welsh_catalogue() if m.id} - messages()
    assert stale == set(), "run bash scripts/translations to drop them"


def test_extraction_finds_messages_in_code_and_in_data():
    literal = literal_messages()
    assert "Apply levers and restart" in literal
    assert "wfabm/dashboard/app.py" in {file for file, _ in literal["Apply levers and restart"]}
    # Marked in a table at import time, translated where shown.
    assert "Vacancies and turnover" in literal
    shown = data_messages()
    for lever in LEVERS:
        assert lever.label in shown
        assert lever.explanation in shown
    assert {m.id for m in template() if m.id} == messages()


def test_no_literal_message_escapes_extraction():
    # Babel's extractor does not look inside f-strings on Python 3.11: a t("...") written
    # there would be shown in English only, and no other test would notice.
    written = set()
    for path in Path(app.__file__).parent.glob("*.py"):
        if path.name == "i18n.py":  # defines t; its docstring shows how it is called
            continue
        source = path.read_text(encoding="utf-8")
        written |= set(
            re.findall(r"""\b(?:t|N_|translate)\(\s*['"]([^'"{}]+)['"]\s*[,)]""", source)
        )
    assert written, "the pattern finds messages"
    assert sorted(written - messages()) == []


def test_t_translates_in_the_sessions_language_and_fills_placeholders():
    assert t("Play") == "Play"
    assert t("Month shown: {when}", when="April 2022") == "Month shown: April 2022"
    i18n.set_language("cy")
    assert t("Play") == "Chwarae"
    assert t("Month shown: {when}", when="Ebrill 2022") == "Mis a ddangosir: Ebrill 2022"
    assert t("Vacancy rate") == "Cyfradd swyddi gwag"
    # A message the catalogue lacks is shown in English rather than lost.
    assert t("Not in any catalogue {x}", x=1) == "Not in any catalogue 1"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match=r'language = "fr" is not one of the choices; allowed: '):
        i18n.set_language("fr")
    assert i18n.session_language().value == "en"


def test_numbers_and_months_are_written_as_each_language_writes_them():
    assert month_year(dt.date(2022, 5, 1), "cy") == "Mai 2022"
    assert month_year(dt.date(2022, 6, 1), "cy") == "Mehefin 2022"
    assert month_year(dt.date(2022, 6, 1), "en") == "June 2022"
    assert number(12345.678, 1, "cy") == "12,345.7"
    assert percent(0.0512, 1, "en") == "5.1%"
    assert translate("Burnout", "cy") == "Gorflinder"


def test_time_axes_and_hovers_name_months_in_the_sessions_language():
    # Plotly would write "Jun 2022" in either language; the axis is labelled here instead.
    dates = [dt.date(2022, 4, 1) + dt.timedelta(days=31 * i) for i in range(30)]
    dates = [day.replace(day=1) for day in dates]
    for code, july in (("en", "Jul 2022"), ("cy", "Gor 2022")):
        i18n.set_language(code)
        figure = charts.lines("Vacancy rate", dates, {"all": np.linspace(0, 1, 30)}, percent=True)
        axis = figure.layout.xaxis
        assert axis.tickmode == "array"
        assert len(axis.ticktext) == 10  # every quarter of a run of 30 months
        assert axis.ticktext[1] == july
        (trace,) = figure.data
        assert trace.customdata[3] == july
        assert trace.hovertemplate.startswith("%{customdata}")


def test_preset_titles_are_their_files_whole_first_paragraph():
    (pledge,) = [p for p in presets() if p.name == "social_worker_terms_and_pledge"]
    assert pledge.title.endswith(
        "and the All Wales Pledge's agency pay cap extended to adult services"
    )


def texts(rc) -> str:
    found = []
    for widget in rc.find(v.Html).widgets + rc.find(v.Btn).widgets:
        found += [c for c in widget.children if isinstance(c, str)]
    for widget in rc.find(v.VuetifyTemplate).widgets:
        found.append(re.sub(r"<[^>]+>", "", str(widget.template)))
    for widget in rc.find(v.TextField).widgets + rc.find(v.Select).widgets:
        found.append(str(widget.label))
    return "\n".join(found)


def button(rc, label: str):
    found = [w for w in rc.find(v.Btn).widgets if label in w.children]
    assert len(found) == 1, label
    return found[0]


def test_the_switch_changes_every_label_and_keeps_the_run():
    workshop = Workshop()
    _, rc = solara.render(app.Dashboard(workshop), handle_error=False)
    try:
        button(rc, "Step a month").click()
        button(rc, "Step a month").click()
        run = workshop.simulation.value
        assert "Month shown: May 2022" in texts(rc)

        button(rc, "Cymraeg").click()
        shown = texts(rc)
        assert "Mis a ddangosir: Mai 2022" in shown
        for welsh in (
            "Rhoi'r ysgogiadau ar waith ac ailddechrau",
            "Cam o fis",
            "Llinell sylfaen: polisi heddiw",
            "Gweithlu",
        ):
            assert welsh in shown, welsh
        for english in (
            "Month shown",
            "Step a month",
            "Baseline: today's policy",
            "Scenario presets",
        ):
            assert english not in shown, english
        workshop.view.set("workforce")
        chart = next(w for w in rc.find(app.ChartWidget).widgets if w.data)
        assert chart.layout.title.text == "Nifer y staff fesul sector yng Nghymru"
        assert workshop.simulation.value is run
        assert run.month == 2

        button(rc, "English").click()
        shown = texts(rc)
        assert "Month shown: May 2022" in shown
        assert "Mis a ddangosir" not in shown
        assert workshop.simulation.value is run
    finally:
        rc.close()
