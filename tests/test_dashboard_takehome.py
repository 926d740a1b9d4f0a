"""What a workshop takes home: the scenario as a TOML file, and the session as a link.

A downloaded file must be a config that ``wfabm`` loads to the very config the dashboard ran;
a bad upload is the schema's one-paragraph message with nothing applied. A link must open the
same levers, preset, language and view, and a bad link is refused the same way.
"""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import pytest
import solara

from wfabm.config import ConfigError, load_config
from wfabm.dashboard import app, i18n
from wfabm.dashboard.levers import configure, lever_values, presets
from wfabm.dashboard.scenario_file import read_scenario, scenario_toml
from wfabm.dashboard.share import SharedState, read_query
from wfabm.dashboard.takehome import open_link
from wfabm.dashboard.workshop import DEFAULT_HORIZON, Workshop

VIEWS = tuple(app.VIEWS)


@pytest.fixture(scope="module")
def baseline():
    return load_config()


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.session_language().set(i18n.DEFAULT_LANGUAGE)


def preset_config(name: str, baseline, *, seed: int = 7, horizon: int = 24):
    (preset,) = [p for p in presets() if p.name == name]
    return configure(lever_values(load_config(preset.path)), seed=seed, horizon=horizon)


@pytest.mark.parametrize("name", [p.name for p in presets()])
def test_a_downloaded_scenario_loads_to_the_config_that_ran(name, baseline, tmp_path):
    ran = preset_config(name, baseline)
    text = scenario_toml(ran, "a test")
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    # As `wfabm run scenario.toml` reads it.
    assert load_config(path).hash == ran.hash
    scenario = read_scenario(text.encode(), "scenario.toml", baseline)
    again = configure(scenario.values, seed=scenario.seed, horizon=scenario.horizon)
    assert again.hash == ran.hash
    assert (scenario.seed, scenario.horizon) == (7, 24)


def test_a_pay_rise_survives_the_round_trip(baseline):
    values = {**lever_values(baseline), "pay_rise": 0.07, "pay_rise.start": "2027-04"}
    ran = configure(values, seed=3, horizon=30)
    scenario = read_scenario(scenario_toml(ran, "pay").encode(), "pay.toml", baseline)
    assert scenario.values["pay_rise"] == 0.07
    assert scenario.values["pay_rise.start"] == "2027-04"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'extends = "baseline"\npolicy.wellbeing.recovery_boost = 9\n',
            "mine.toml: policy.wellbeing.recovery_boost = 9 is out of range; allowed: ",
        ),
        (b"run.seed = [", "mine.toml: malformed TOML: Invalid value"),
        (
            b'extends = "baseline"\nrun.seed = "x"\n',
            'mine.toml: run.seed = "x" has the wrong type (a string); allowed: a whole number',
        ),
        (
            b'extends = "baseline"\nchoice.switching_cost = 0.123\n',
            "mine.toml: sets choice.switching_cost, which the dashboard has no lever for; "
            'allowed: the levers, run.seed and run.months over `extends = "baseline"`',
        ),
        (b"\xff\xfe", "mine.toml: is UTF-16"),
    ],
)
def test_a_bad_scenario_file_is_refused_in_one_paragraph(data, message, baseline):
    with pytest.raises(ConfigError) as refused:
        read_scenario(data, "mine.toml", baseline)
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)


def upload(rc, name: str, data: bytes) -> None:
    (widget,) = rc.find(ipywidgets.FileUpload).widgets
    widget.value = ({"name": name, "type": "", "size": len(data), "content": memoryview(data)},)


def alerts(rc) -> list[str]:
    return [c for w in rc.find(v.Alert).widgets for c in w.children if isinstance(c, str)]


def test_uploading_a_scenario_sets_the_levers_and_a_bad_one_changes_nothing(baseline):
    workshop = Workshop()
    _, rc = solara.render(app.Dashboard(workshop), handle_error=False)
    try:
        text = scenario_toml(preset_config("zero_hours_ban", baseline, horizon=36), "zero hours")
        upload(rc, "zero.toml", text.encode())
        run = workshop.simulation.value
        assert run.config.get("policy.zero_hours.ban") is True
        assert run.config["run"]["months"] == 36
        assert workshop.values.value["policy.zero_hours.ban"] is True
        assert any("Opened zero.toml" in a for a in alerts(rc))

        upload(rc, "bad.toml", b'extends = "baseline"\nrun.months = -4\n')
        (message,) = [a for a in alerts(rc) if a.startswith("bad.toml")]
        assert message.startswith("bad.toml: run.months = -4 is out of range; allowed: ")
        assert workshop.simulation.value is run
        assert workshop.values.value["policy.zero_hours.ban"] is True
        assert workshop.horizon.value == "36"
    finally:
        rc.close()


def test_a_link_carries_what_differs_from_a_new_session(baseline):
    state = SharedState(
        language="cy",
        preset="zero_hours_ban",
        view="map",
        seed=5,
        horizon=36,
        levers={"policy.zero_hours.ban": True, "policy.wellbeing.recovery_boost": 0.3},
    )
    query = state.query(baseline, DEFAULT_HORIZON)
    assert query.startswith("lang=cy&view=map&preset=zero_hours_ban&seed=5&months=36&")
    back = read_query(query, baseline, VIEWS)
    assert back.language == "cy"
    assert back.view == "map"
    assert (back.seed, back.horizon) == (5, 36)
    assert back.levers["policy.wellbeing.recovery_boost"] == 0.3
    assert back.levers["policy.zero_hours.ban"] is True
    assert SharedState().query(baseline, DEFAULT_HORIZON) == ""


def test_opening_a_link_starts_the_session_in_its_state(baseline):
    query = "lang=cy&view=agency&preset=zero_hours_ban&months=18&lever.policy.demand.growth=2"
    workshop, error = open_link(query, VIEWS)
    assert error is None
    assert i18n.session_language().value == "cy"
    assert workshop.view.value == "agency"
    assert workshop.preset.value == "zero_hours_ban"
    config = workshop.simulation.value.config
    assert config.get("policy.zero_hours.ban") is True
    assert config.get("policy.demand.growth") == 2
    assert config["run"]["months"] == 18
    # The session gives back the link it was opened from.
    again = workshop.shared(i18n.session_language().value).query(workshop.baseline, DEFAULT_HORIZON)
    assert read_query(again, baseline, VIEWS) == read_query(query, baseline, VIEWS)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("lang=fr", 'lang = "fr" is not one of the choices; allowed: "en", "cy".'),
        (
            "view=charts",
            'view = "charts" is not one of the choices; allowed: "story", "workforce", ',
        ),
        ("seed=ten", 'seed = "ten" is not a whole number; allowed: a whole number.'),
        ("colour=red", 'colour = "red" is not a setting of the dashboard; allowed: lang, view, '),
        (
            "lever.policy.wellbeing.recovery_boost=9",
            "Wellbeing support (faster burnout recovery, share): "
            "policy.wellbeing.recovery_boost = 9 is out of range",
        ),
        ("lever.policy.zero_hours.ban=yes", 'lever.policy.zero_hours.ban = "yes" is not a value'),
    ],
)
def test_a_bad_link_is_refused_in_one_paragraph_and_opens_a_new_session(query, message, baseline):
    with pytest.raises(ConfigError) as refused:
        read_query(query, baseline, VIEWS)
    assert f"the dashboard's link: {message}" in str(refused.value)
    workshop, error = open_link(query, VIEWS)
    assert error == str(refused.value)
    assert i18n.session_language().value == "en"
    fresh = configure(lever_values(baseline), seed=baseline["run"]["seed"], horizon=DEFAULT_HORIZON)
    assert workshop.simulation.value.config.hash == fresh.hash
