"""What a workshop takes home: the language switch, the scenario file, and the link.

:func:`LanguageSwitch` changes every label of the session at once, keeping its run.
:func:`ScenarioFile` downloads the run's scenario as a TOML config and opens one again
(:mod:`.scenario_file`); :func:`ShareLink` keeps the page's URL equal to the session's state
(:mod:`.share`), so the address bar is a link that opens the same dashboard elsewhere.
"""

from __future__ import annotations

import ipywidgets
import solara

from wfabm.config import ConfigError, load_config
from wfabm.dashboard.brief import brief_html, brief_pdf
from wfabm.dashboard.brief_content import session_brief
from wfabm.dashboard.i18n import LANGUAGES, session_language, set_language, speaking, t
from wfabm.dashboard.levers import lever_values, presets
from wfabm.dashboard.scenario_file import read_scenario, scenario_toml
from wfabm.dashboard.share import read_query
from wfabm.dashboard.simulation import Simulation
from wfabm.dashboard.workshop import DEFAULT_HORIZON, Workshop

__all__ = ["BriefDownloads", "LanguageSwitch", "ScenarioFile", "ShareLink", "open_link"]


def open_link(query: str | None, views: tuple[str, ...]) -> tuple[Workshop, str | None]:
    """A new session in the state a link's query describes.

    Args:
        query: The URL's query (None: none).
        views: The dashboard's view names.

    Returns:
        The session, and the message for a link that cannot be opened (the session then
        starts as a new one, with nothing of the link applied), or None.
    """
    try:
        shared = read_query(query, load_config(), views)
    except ConfigError as error:
        return Workshop(), str(error)
    set_language(shared.language)
    return Workshop(shared), None


@solara.component
def LanguageSwitch() -> None:
    """Cymraeg / English, each named in itself; the session's language is filled in."""
    chosen = session_language().value
    with solara.Row(gap="4px"):
        for code, name in LANGUAGES.items():
            solara.Button(
                name,
                on_click=lambda code=code: set_language(code),
                color="primary",
                outlined=code != chosen,
                small=True,
                style={"text-transform": "none"},
                attributes={"lang": code},
            )


@solara.component
def ScenarioFile(workshop: Workshop) -> None:
    """Download the run's scenario as TOML; upload one to set the levers from it."""
    error, set_error = solara.use_state(None)
    opened, set_opened = solara.use_state(None)
    simulation = workshop.simulation.value

    def on_upload(files: tuple) -> None:
        if not files:
            return
        upload = files[0]
        try:
            scenario = read_scenario(bytes(upload["content"]), upload["name"], workshop.baseline)
        except ConfigError as refused:
            set_error(str(refused))
            set_opened(None)
            return
        set_error(None)
        if workshop.open_scenario(scenario):
            set_opened(upload["name"])

    with solara.Card(t("Take it home"), margin=0, style={"margin-top": "8px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            if simulation is not None:
                solara.FileDownload(
                    lambda: scenario_toml(simulation.config, _title(workshop)).encode("utf-8"),
                    filename=f"wfabm-scenario-{workshop.preset.value}.toml",
                    label=t("Download the scenario (TOML)"),
                )
            ipywidgets.FileUpload.element(
                accept=".toml",
                multiple=False,
                description=t("Open a scenario file"),
                value=(),
                on_value=on_upload,
                layout={"width": "auto"},
            )
        if simulation is not None:
            BriefDownloads(workshop, simulation)
        if opened:
            solara.Success(t("Opened {file}: levers, seed and horizon set.", file=opened))
        if error:
            solara.Error(error)


@solara.component
def BriefDownloads(workshop: Workshop, simulation: Simulation) -> None:
    """One click for the brief of the run shown, as HTML or PDF, in the session's language."""
    _ = workshop.tick.value, workshop.comparison.value  # redraw as the run goes on
    code = session_language().value

    def brief() -> object:
        # Made when the button is pressed, in the language the page showed then.
        with speaking(code), workshop.lock:
            return session_brief(
                simulation,
                workshop.comparison_of_run(),
                preset=workshop.preset.value,
                baseline_values=lever_values(workshop.baseline),
            )

    stamp = f"{simulation.last_date:%Y-%m}" if simulation.month else "start"
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.FileDownload(
            lambda: brief_html(brief()).encode("utf-8"),
            filename=f"wfabm-brief-{stamp}-{code}.html",
            label=t("Brief (HTML)"),
        )
        solara.FileDownload(
            lambda: brief_pdf(brief()),
            filename=f"wfabm-brief-{stamp}-{code}.pdf",
            label=t("Brief (PDF)"),
        )


def _title(workshop: Workshop) -> str:
    for preset in presets():
        if preset.name == workshop.preset.value:
            return preset.title
    if workshop.preset.value == "baseline":
        return "levers set from the baseline in the wfabm dashboard"
    return "levers set in the wfabm dashboard"


@solara.component
def ShareLink(workshop: Workshop) -> None:
    """Keep the address bar equal to the session's state, and show it as a link to copy."""
    router = solara.use_router()
    query = workshop.shared(session_language().value).query(workshop.baseline, DEFAULT_HORIZON)

    def update() -> None:
        # Rendered outside the server (as the tests render the page) there is no address bar.
        if router.set_path is not None and (router.search or "") != query:
            router.push(f"{router.path}?{query}" if query else router.path)

    solara.use_effect(update, [query])
