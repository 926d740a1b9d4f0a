"""The policy workshop dashboard (a Solara app): ``wfabm dashboard`` serves :func:`Page`.

Each browser session renders its own :func:`Page`, which makes its own
:class:`~.workshop.Workshop` (levers, run state and one model), so sessions share nothing.
The levers panel turns plain-language levers into a config through the model's schema; the
run controls step that session's model; the views read it. Presenting mode (a switch at the
top) hides the levers and enlarges the type and the charts for a projector.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import reacton.core
import solara

from wfabm.core.taxonomy import ENGLISH_SECTORS, SECTORS
from wfabm.dashboard import charts
from wfabm.dashboard.authority_view import AuthorityView
from wfabm.dashboard.comparing import CompareView, difference_table
from wfabm.dashboard.cost_view import CostStudy, CostView
from wfabm.dashboard.i18n import N_, month_year, number, percent, t
from wfabm.dashboard.levers import GROUPS, LEVERS, Lever, chart_markers, lever_values, presets
from wfabm.dashboard.measures import CARE_ROLES, MAP_MEASURES
from wfabm.dashboard.simulation import BURNOUT_BINS, Simulation
from wfabm.dashboard.story import StoryView
from wfabm.dashboard.takehome import LanguageSwitch, ScenarioFile, ShareLink, open_link
from wfabm.dashboard.widgets import Chart, ChartSizer, ChartWidget, Presenting
from wfabm.dashboard.workshop import SPEEDS, Workshop, number_or_text
from wfabm.world.geography import load_geography

__all__ = [
    "VIEWS",
    "Chart",
    "ChartWidget",
    "CompareView",
    "Dashboard",
    "Page",
    "difference_table",
    "live_figures",
]

VIEWS: dict[str, str] = {
    "story": N_("About the model"),
    "workforce": N_("Workforce"),
    "vacancies": N_("Vacancies and turnover"),
    "burnout": N_("Burnout"),
    "agency": N_("Agency and unmet care"),
    "flows": N_("Flows"),
    "map": N_("Map"),
    "authority": N_("One authority"),
    "compare": N_("Compare"),
    "cost": N_("Cost"),
    "follow": N_("Follow a worker"),
    "export": N_("Export"),
}
"""The views, by name, with the labels of their buttons (in English: shown through ``t``)."""

_PERCENT = frozenset({"vacancy_rate", "turnover"})
_GEOGRAPHY = load_geography()


# ---------------------------------------------------------------------- components
@solara.component
def Page() -> None:
    """The app's page: a new :class:`~.workshop.Workshop` for every browser session.

    A session opened from a shared link starts in the link's state (:mod:`.share`).
    """
    router = solara.use_router()
    workshop, link_error = solara.use_memo(lambda: open_link(router.search, tuple(VIEWS)), [])
    solara.Title(t("wfabm: policy workshop"))
    if link_error:
        solara.Error(link_error)
    Dashboard(workshop)


@solara.component
def Dashboard(workshop: Workshop) -> None:
    """Levers on the left; run controls and the chosen view on the right.

    In presenting mode the levers are hidden and the view takes the whole width.
    """
    workshop.shown_on(reacton.core.get_render_context())
    solara.use_thread(
        workshop.play,
        dependencies=[workshop.playing.value, workshop.simulation.value],
        intrusive_cancel=False,
    )
    solara.use_thread(
        workshop.compare, dependencies=[workshop.compare_request.value], intrusive_cancel=False
    )
    costs = solara.use_memo(CostStudy, [workshop])
    solara.use_thread(
        lambda cancel: costs.run(workshop, cancel),
        dependencies=[costs.request.value],
        intrusive_cancel=False,
    )
    ShareLink(workshop)
    presenting = workshop.presenting.value
    Presenting.provide(presenting)
    solara.Style(_CSS)
    with solara.Column(
        classes=["wfabm-page", *(["wfabm-presenting"] if presenting else [])],
        style={"padding": "8px 12px"},
    ):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Markdown(
                "## " + t("wfabm: the Welsh social care workforce, agent by agent"),
                style={"flex": "1 1 auto"},
            )
            LanguageSwitch()
            solara.Switch(
                label=t("Presenting mode"), value=workshop.presenting, classes=["wfabm-present"]
            )
        if presenting:
            RunControls(workshop)
            ViewPicker(workshop)
            View(workshop, costs)
        else:
            with solara.Columns([4, 8], gutters_dense=True):
                with solara.Column():
                    Levers(workshop)
                    ScenarioFile(workshop)
                with solara.Column():
                    RunControls(workshop)
                    ViewPicker(workshop)
                    View(workshop, costs)
    # An empty chart, hidden, from the first render: it makes the browser load plotly's
    # widget code with the page. Traces sent to a chart while that code is still loading are
    # lost (the first chart shown could stay empty), and a chart first appears only after a
    # step, by when the code is loaded.
    solara.Div(children=[ChartWidget.element()], style={"display": "none"})
    ChartSizer.element()


_CSS = """
.wfabm-preset .v-btn__content { white-space: normal; text-align: left; flex: 1 1 auto; }
.wfabm-preset.v-btn { height: auto !important; min-height: 30px; padding: 4px 10px !important;
  text-transform: none; letter-spacing: normal; width: 100%; justify-content: flex-start; }
.wfabm-note { font-size: 0.9em; display: block; line-height: 1.35; }
.wfabm-source { font-size: 0.8em; color: #4a4a4a; display: block; line-height: 1.35; }
.wfabm-page { font-size: 16px; color: #111111; }
.wfabm-page .js-plotly-plot, .wfabm-page .plot-container { width: 100% !important; }
.wfabm-apply { position: sticky; top: 0; z-index: 4; }
/* Solara's columns scroll by themselves, which would keep the apply bar from sticking. */
.wfabm-page .row > .col { overflow: visible !important; }
.wfabm-view-button.v-btn { text-transform: none; letter-spacing: normal; font-size: 15px; }
.wfabm-presenting { font-size: 24px; background: #ffffff; color: #000000; }
.wfabm-presenting .v-btn { font-size: 20px !important; }
.wfabm-presenting .wfabm-view-button.v-btn { font-size: 20px; height: 44px !important; }
.wfabm-presenting .v-label, .wfabm-presenting input, .wfabm-presenting .v-select__selection {
  font-size: 20px !important; }
.wfabm-presenting h3 { font-size: 30px; line-height: 1.35; }
.wfabm-presenting table { font-size: 22px; }
.wfabm-presenting .v-alert { font-size: 22px; }
"""


@solara.component
def Levers(workshop: Workshop) -> None:
    """The apply bar, then presets, then every lever by group."""
    ApplyBar(workshop)
    Presets(workshop)
    values = workshop.values.value
    group_open = workshop.lever_group.value

    def open_group(index: int | None) -> None:
        workshop.lever_group.set(None if index is None else GROUPS[index])

    # One group open at a time keeps the panel short enough to find a lever in a room.
    with solara.v.ExpansionPanels(
        v_model=GROUPS.index(group_open) if group_open in GROUPS else None,
        on_v_model=open_group,
    ):
        for group in GROUPS:
            with solara.v.ExpansionPanel():
                solara.v.ExpansionPanelHeader(children=[t(group)])
                with solara.v.ExpansionPanelContent():
                    if group == group_open:
                        for lever in LEVERS:
                            if lever.group == group:
                                LeverInput(lever, values, workshop.set_lever)


@solara.component
def ApplyBar(workshop: Workshop) -> None:
    """Seed, horizon and the apply button, in sight at the top of the levers.

    Below the button: why a value was refused, or that edited levers wait to be applied.
    """
    pending = workshop.pending
    with solara.Card(margin=0, classes=["wfabm-apply"], style={"margin-bottom": "8px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.InputText(t("Seed"), value=workshop.seed, continuous_update=False)
            solara.InputText(t("Horizon (months)"), value=workshop.horizon, continuous_update=False)
        solara.Button(
            t("Apply levers and restart"),
            on_click=workshop.restart,
            color="warning" if pending else "primary",
            icon_name="mdi-refresh",
            block=True,
        )
        if workshop.error.value:
            solara.Error(workshop.error.value)
        elif pending:
            solara.Warning(
                t(
                    "Levers changed but not applied: the run shown still uses the levers of "
                    "{name}. Press Apply levers and restart.",
                    name=t(workshop.applied_name.value),
                )
            )
        else:
            solara.Text(
                t("Running: {name}", name=t(workshop.applied_name.value)), classes=["wfabm-note"]
            )


@solara.component
def Presets(workshop: Workshop) -> None:
    """The scenario presets as one-click cards."""
    chosen = workshop.preset.value
    cards = [("baseline", t("Baseline: today's policy"))]
    cards += [(p.name, t(p.title[0].upper() + p.title[1:])) for p in presets()]
    with solara.Card(t("Scenario presets"), margin=0, style={"margin-bottom": "8px"}):
        for name, title in cards:
            solara.Button(
                title,
                on_click=lambda name=name: workshop.apply_preset(name),
                outlined=name != chosen,
                color="primary",
                small=True,
                classes=["wfabm-preset"],
                style={"margin-bottom": "4px"},
            )


@solara.component
def LeverInput(lever: Lever, values: dict, on_change: Callable[[str, Any], None]) -> None:
    """One lever: its input, a line on what it does, and its evidence."""
    value = values.get(lever.name)
    label = t(lever.label)
    # The padding keeps a field's floating label clear of the lever above.
    with solara.Column(gap="2px", style={"padding-top": "14px"}):
        with solara.Row(style={"align-items": "center"}):
            if lever.kind == "switch":
                solara.Switch(
                    label=label,
                    value=bool(value),
                    on_value=lambda v: on_change(lever.name, v),
                )
            elif lever.kind in ("choice", "roles"):
                many = lever.kind == "roles"
                solara.v.Select(
                    label=label,
                    items=[{"text": t(text), "value": key} for key, text in lever.choices],
                    v_model=list(value or []) if many else value,
                    on_v_model=lambda v: on_change(lever.name, list(v) if many else v),
                    multiple=many,
                    chips=many,
                    dense=True,
                    hide_details=True,
                )
            else:
                shown = (
                    ""
                    if value is None
                    else (f"{value:g}" if isinstance(value, float) else str(value))
                )
                solara.InputText(
                    label,
                    value=shown,
                    on_value=lambda text: on_change(lever.name, number_or_text(text)),
                    continuous_update=False,
                    dense=True,
                )
            if lever.start is not None:
                solara.InputText(
                    t("from (month)"),
                    value=str(values.get(lever.start, "")),
                    on_value=lambda text: on_change(lever.start, text.strip()),
                    continuous_update=False,
                    dense=True,
                    style={"max-width": "110px"},
                )
        solara.Text(t(lever.explanation), classes=["wfabm-note"])
        solara.Text(t("Evidence: {source}", source=lever.source), classes=["wfabm-source"])


@solara.component
def RunControls(workshop: Workshop) -> None:
    """Play, pause, step a month, reset, speed, and the month shown."""
    simulation = workshop.simulation.value
    _ = workshop.tick.value  # read, so the month shown redraws after every step
    playing = workshop.playing.value
    with solara.Card(margin=0, style={"margin-bottom": "8px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                t("Pause") if playing else t("Play"),
                icon_name="mdi-pause" if playing else "mdi-play",
                on_click=lambda: workshop.playing.set(not playing),
                color="primary",
                disabled=simulation is None or simulation.done,
            )
            solara.Button(
                t("Step a month"),
                icon_name="mdi-skip-next",
                on_click=workshop.step,
                disabled=playing or simulation is None or simulation.done,
            )
            solara.Button(t("Reset"), icon_name="mdi-restart", on_click=workshop.restart)
            solara.Text(t("Speed (months a second):"))
            solara.ToggleButtonsSingle(value=workshop.speed, values=list(SPEEDS), dense=True)
        if simulation is not None:
            shown = simulation.last_date
            when = month_year(shown) if shown else t("not started")
            solara.Markdown(
                "**"
                + t("Month shown: {when}", when=when)
                + "** "
                + t(
                    "({month} of {horizon} months from {start})",
                    month=simulation.month,
                    horizon=simulation.horizon,
                    start=month_year(simulation.model.start),
                )
                + " — "
                + t(workshop.applied_name.value)
            )
            solara.ProgressLinear(100 * simulation.month / max(simulation.horizon, 1))


@solara.component
def ViewPicker(workshop: Workshop) -> None:
    """Buttons choosing the view."""
    with solara.ToggleButtonsSingle(value=workshop.view, style={"flex-wrap": "wrap"}):
        for name, label in VIEWS.items():
            solara.Button(t(label), value=name, classes=["wfabm-view-button"])


@solara.component
def View(workshop: Workshop, costs: CostStudy) -> None:
    """The chosen view (only that one is drawn, so a month costs one view's charts)."""
    simulation = workshop.simulation.value
    tick = workshop.tick.value
    name = workshop.view.value
    if name == "story":
        StoryView(workshop)
        return
    if simulation is None:
        solara.Info(t("Set the levers and press Apply."))
        return
    if name == "compare":
        CompareView(workshop)
    elif name == "cost":
        CostView(workshop, costs, Chart)
    elif name == "follow":
        FollowView(workshop, simulation, tick)
    elif name == "export":
        ExportView(simulation, tick)
    elif simulation.month == 0:
        solara.Info(t("Press Play or Step a month to start the run."))
    elif name == "flows":
        FlowsView(workshop, simulation, tick)
    elif name == "map":
        MapView(workshop, simulation, tick)
    elif name == "authority":
        AuthorityView(workshop, Chart)
    else:
        markers = chart_markers(workshop.applied.value, lever_values(workshop.baseline))
        with workshop.lock:
            figures = live_figures(simulation, name, markers)
        for key, figure in figures.items():
            Chart(figure, key)


def live_figures(
    simulation: Simulation, view: str, markers: list[charts.Marker] | None = None
) -> dict[str, go.Figure]:
    """The charts of one of the live views, by file name.

    Args:
        simulation: The session's run.
        view: ``"workforce"``, ``"vacancies"``, ``"burnout"`` or ``"agency"``.
        markers: Policy starts to mark on the time charts (:func:`charts.mark_policies`).

    Returns:
        ``{name: figure}``.
    """
    series = simulation.series
    dates = simulation.dates
    marked = markers or []
    roles = {t(charts.ROLE_LABELS[r]): i for i, r in enumerate(CARE_ROLES)}
    if view == "workforce":
        headcount = series["sector_headcount"]
        welsh = {
            t(charts.SECTOR_LABELS[s]): headcount[:, i]
            for i, s in enumerate(SECTORS)
            if i not in ENGLISH_SECTORS
        }
        english = {
            t(charts.SECTOR_LABELS[SECTORS[i]]): headcount[:, i] for i in sorted(ENGLISH_SECTORS)
        }
        return {
            "headcount": charts.lines(
                t("Headcount by sector in Wales"),
                dates,
                welsh,
                y_title=t("people"),
                markers=marked,
            ),
            "headcount-england": charts.lines(
                t("Headcount of the English border employers (their own scale)"),
                dates,
                english,
                y_title=t("people"),
                markers=marked,
            ),
        }
    if view == "vacancies":
        vacancy, turnover = series.vacancy_rate(), series.turnover()
        return {
            "vacancy-rate": charts.lines(
                t("Vacancy rate by role (Welsh social care)"),
                dates,
                {label: vacancy[:, i] for label, i in roles.items()},
                percent=True,
                markers=marked,
            ),
            "turnover": charts.lines(
                t("12-month turnover by role (Welsh social care)"),
                dates,
                {label: turnover[:, i] for label, i in roles.items()},
                y_title=t("leavers a year per worker"),
                percent=True,
                markers=marked,
            ),
        }
    if view == "burnout":
        counts = simulation.burnout_histogram()
        labels = [f"{low:.2f}-{high:.2f}" for low, high in itertools.pairwise(BURNOUT_BINS)]
        burnout = series.burnout()
        return {
            "burnout-distribution": charts.bars(
                t(
                    "Burnout of Welsh social care workers, {month}",
                    month=month_year(simulation.last_date),
                ),
                labels,
                counts,
                x_title=t("burnout (0 = none, 1 = exhausted)"),
                y_title=t("workers"),
            ),
            "burnout-by-role": charts.lines(
                t("Mean burnout by role"),
                dates,
                {label: burnout[:, i] for label, i in roles.items()},
                y_title=t("burnout"),
                markers=marked,
            ),
        }
    if view == "agency":
        # Welsh employers buy agency cover; the agencies' own cells have none.
        employers = {t(charts.SECTOR_LABELS[s]): i for i, s in enumerate(("la", "independent"))}
        spend, unmet = series["sector_agency_spend"], series["sector_unmet_hours"]
        return {
            "agency-spend": charts.lines(
                t("Agency spend (£ a month)"),
                dates,
                {label: spend[:, i] for label, i in employers.items()},
                y_title="£",
                markers=marked,
            ),
            "unmet-care-hours": charts.lines(
                t("Unmet care hours (a month)"),
                dates,
                {label: unmet[:, i] for label, i in employers.items()},
                y_title=t("funded hours covered by neither staff nor agency"),
                markers=marked,
            ),
        }
    raise ValueError(f"unknown view {view!r}")


@solara.component
def FlowsView(workshop: Workshop, simulation: Simulation, tick: int) -> None:
    """A Sankey diagram of the month's, or the run's, flows between sectors and out."""
    cumulative, set_cumulative = solara.use_state(False)
    role, set_role = solara.use_state("all")
    with solara.Row(style={"align-items": "center"}):
        solara.Switch(
            label=t("Since the start (off: last month)"),
            value=cumulative,
            on_value=set_cumulative,
        )
        solara.v.Select(
            label=t("Role"),
            items=[{"text": t("All roles"), "value": "all"}]
            + [{"text": t(charts.ROLE_LABELS[r]), "value": r} for r in charts.ROLE_LABELS],
            v_model=role,
            on_v_model=set_role,
            dense=True,
            style_="max-width: 300px",
        )
    with workshop.lock:
        flows = simulation.flows(cumulative=cumulative, role=None if role == "all" else role)
    period = (
        t(
            "{start} to {end}",
            start=month_year(simulation.model.start),
            end=month_year(simulation.last_date),
        )
        if cumulative
        else month_year(simulation.last_date)
    )
    who = t("all roles") if role == "all" else t(charts.ROLE_LABELS[role]).lower()
    Chart(
        charts.sankey(
            flows,
            t("Moves, arrivals and departures, {who}, {period}", who=who, period=period),
        ),
        "flows",
    )
    solara.Text(
        t(
            "Each flow is coloured by where people came from, and each box shows how many. "
            "Moves between English border employers are left out: they are England's own."
        ),
        classes=["wfabm-note"],
    )


@solara.component
def MapView(workshop: Workshop, simulation: Simulation, tick: int) -> None:
    """Wales's 22 authorities and the English border authorities coloured by a measure."""
    measure, set_measure = solara.use_state("vacancy_rate")
    solara.v.Select(
        label=t("Colour by"),
        items=[{"text": t(text), "value": key} for key, text in MAP_MEASURES.items()],
        v_model=measure,
        on_v_model=set_measure,
        dense=True,
        style_="max-width: 400px",
    )
    with workshop.lock:
        values = simulation.series.local_authority(measure)
    title = t(
        "{measure} in social care, {month}",
        measure=t(MAP_MEASURES[measure]),
        month=month_year(simulation.last_date),
    )
    Chart(
        charts.map_of_authorities(_GEOGRAPHY.codes, values, title, percent=measure in _PERCENT),
        f"map-{measure}",
    )
    solara.Text(charts.ATTRIBUTION, classes=["wfabm-source"])


@solara.component
def FollowView(workshop: Workshop, simulation: Simulation, tick: int) -> None:
    """Follow one worker: their employer, pay, workload, burnout and moves over time."""
    role, set_role = solara.use_state("care_worker")
    authority, set_authority = solara.use_state("W06000023")  # Powys
    pick, set_pick = solara.use_state(0)
    welsh = [
        (c, n)
        for c, n, w in zip(_GEOGRAPHY.codes, _GEOGRAPHY.names, _GEOGRAPHY.welsh, strict=True)
        if w
    ]

    def follow() -> None:
        with workshop.lock:
            ids = simulation.candidates(role, authority)
            if len(ids):
                simulation.follow_worker(int(ids[pick % len(ids)]))
        set_pick(pick + 1)
        workshop.tick.set(workshop.tick.value + 1)

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.v.Select(
            label=t("Role"),
            items=[{"text": t(charts.ROLE_LABELS[r]), "value": r} for r in CARE_ROLES],
            v_model=role,
            on_v_model=set_role,
            dense=True,
            style_="max-width: 260px",
        )
        solara.v.Select(
            label=t("Working in"),
            items=[{"text": name, "value": code} for code, name in welsh],
            v_model=authority,
            on_v_model=set_authority,
            dense=True,
            style_="max-width: 260px",
        )
        solara.Button(
            t("Follow someone"), icon_name="mdi-account-search", on_click=follow, color="primary"
        )
    if simulation.follow is None:
        solara.Info(t("Choose a role and an authority, then press Follow someone."))
        return
    with workshop.lock:
        worker = simulation.worker()
        trace = list(simulation.follow.trace)
    if worker is None:
        return
    names = dict(zip(_GEOGRAPHY.codes, _GEOGRAPHY.names, strict=True))
    # A name of its own: ``role`` is the chosen role's key, which the button still reads.
    job = t(_ONE_OF_ROLE[worker["role"]])
    where = t(
        "{employer} ({service}) in {authority}",
        employer=t(_EMPLOYER_OF[worker["sector"]]),
        service=t(worker["service"].replace("_", " ")),
        authority=names[worker["workplace_local_authority"]],
    )
    if worker["active"]:
        pay = (
            ""
            if worker["hourly_pay"] is None
            else t("£{pay} an hour, ", pay=number(worker["hourly_pay"], 2))
        )
        now = t(
            "{role} at {where}; lives in {home}. {pay}{hours} hours a week{zero}; burnout "
            "{burnout}; intent to leave {intent}.",
            role=job,
            where=where,
            home=names[worker["home_local_authority"]],
            pay=pay,
            hours=number(worker["hours"]),
            zero=t(" (zero hours)") if worker["zero_hours"] else "",
            burnout=number(worker["burnout"], 2),
            intent=percent(worker["intent_to_leave"], 0),
        )
    else:
        now = t("{role}, last at {where}; has left the modelled market.", role=job, where=where)
    solara.Markdown(
        t(
            "**Worker {worker}**, aged {age}, {now}",
            worker=worker["worker_id"],
            age=number(worker["age"]),
            now=now,
        )
    )
    if trace:
        Chart(charts.worker_story(trace, worker["history"]), "worker")
    else:
        solara.Info(t("Their story starts with the next month: press Play or Step a month."))
    moves = [e for e in worker["history"] if e["kind"] != "arrival"]
    if moves:
        heads = (t("month"), t("what"), t("from"), t("to"))
        rows = ["| " + " | ".join(heads) + " |", "|---|---|---|---|"]
        rows += [
            f"| {month_year(event['month'])} | {t(event['kind'].replace('_', ' '))} | "
            f"{_workplace(simulation, event['origin_employer'])} | "
            f"{_workplace(simulation, event['destination_employer'])} |"
            for event in moves
        ]
        solara.Markdown("\n".join(rows))


_EMPLOYER_OF = {
    "la": N_("a Welsh council"),
    "independent": N_("an independent provider"),
    "agency": N_("an agency"),
    "nhs": N_("NHS Wales"),
    "england_la": N_("an English council"),
    "england_independent": N_("an English provider"),
    "england_nhs": N_("the English NHS"),
}

_ONE_OF_ROLE = {
    "care_worker": N_("care worker"),
    "senior_care_worker": N_("senior care worker"),
    "residential_child_care_worker": N_("residential child care worker"),
    "social_worker": N_("social worker"),
    "occupational_therapist": N_("occupational therapist"),
    "amhp": N_("AMHP"),
    "registered_manager": N_("registered manager"),
    "healthcare_assistant": N_("healthcare assistant"),
    "nurse": N_("nurse"),
    "deputy_manager": N_("deputy manager"),
    "ancillary_worker": N_("ancillary worker"),
    "administrator": N_("administrator"),
}
"""One person of each role, as a sentence about them names it."""


def _workplace(simulation: Simulation, employer: int) -> str:
    if employer < 0:
        return "–"
    employers = simulation.model.employers
    sector = SECTORS[int(employers.sector[employer])]
    return f"{t(charts.SECTOR_LABELS[sector])}, {_GEOGRAPHY.names[int(employers.la[employer])]}"


@solara.component
def ExportView(simulation: Simulation, tick: int) -> None:
    """Downloads of the current results, and how to save each chart."""
    stamp = f"{simulation.last_date:%Y-%m}" if simulation.month else "start"
    solara.Markdown(
        t(
            "Results of this run so far ({months} months), as `wfabm run` writes them: "
            "`metrics` has one row per month, sector, role and authority; `flows` one per "
            "month, role, origin and destination.",
            months=simulation.month,
        )
    )
    with solara.Row(style={"flex-wrap": "wrap"}):
        for table in ("metrics", "flows"):
            for file_format in ("csv", "parquet"):
                solara.FileDownload(
                    lambda table=table, file_format=file_format: simulation.export(
                        table, file_format
                    ),
                    filename=f"wfabm-{table}-{stamp}.{file_format}",
                    label=f"{table}.{file_format}",
                )
    solara.Markdown(
        t(
            "Each chart's camera button (top right of the chart) saves it as a PNG; this "
            "works with no internet connection."
        )
    )
