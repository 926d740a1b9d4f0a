"""The policy workshop dashboard (a Solara app): ``wfabm dashboard`` serves :func:`Page`.

Each browser session renders its own :func:`Page`, which makes its own
:class:`~.workshop.Workshop` (levers, run state and one model), so sessions share nothing.
The levers panel turns plain-language levers into a config through the model's schema; the
run controls step that session's model; the views read it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import solara
import traitlets
from plotly.graph_objs._figurewidget import FigureWidget

from wfabm.core.taxonomy import ENGLISH_SECTORS, SECTORS
from wfabm.dashboard import charts
from wfabm.dashboard.authority_view import AuthorityView
from wfabm.dashboard.cost_view import CostStudy, CostView
from wfabm.dashboard.differences import difference_rows
from wfabm.dashboard.i18n import N_, month_year, number, percent, t
from wfabm.dashboard.levers import GROUPS, LEVERS, Lever, presets
from wfabm.dashboard.measures import CARE_ROLES, MAP_MEASURES, WALES_MEASURES
from wfabm.dashboard.replicates import Replicates
from wfabm.dashboard.simulation import BURNOUT_BINS, Simulation
from wfabm.dashboard.takehome import LanguageSwitch, ScenarioFile, ShareLink, open_link
from wfabm.dashboard.workshop import SPEEDS, Workshop, number_or_text
from wfabm.world.geography import load_geography

__all__ = ["VIEWS", "ChartWidget", "Dashboard", "Page", "difference_table", "live_figures"]

VIEWS: dict[str, str] = {
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
    """Levers on the left; run controls and the chosen view on the right."""
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
    with solara.Row(justify="end", style={"padding": "8px 8px 0 8px"}):
        LanguageSwitch()
    with solara.Columns([4, 8], style={"padding": "8px"}):
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


_CSS = """
.wfabm-preset .v-btn__content { white-space: normal; text-align: left; flex: 1 1 auto; }
.wfabm-preset.v-btn { height: auto !important; min-height: 30px; padding: 4px 10px !important;
  text-transform: none; letter-spacing: normal; width: 100%; justify-content: flex-start; }
.wfabm-note { font-size: 0.85em; display: block; line-height: 1.3; }
.wfabm-source { font-size: 0.75em; color: #5f6368; display: block; line-height: 1.3; }
"""


@solara.component
def Levers(workshop: Workshop) -> None:
    """Presets, then every lever by group, with the seed, horizon and an apply button."""
    solara.Style(_CSS)
    solara.Markdown("## " + t("Levers"))
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
    with solara.Card(t("Run"), margin=0, style={"margin-top": "8px"}):
        with solara.Row():
            solara.InputText(t("Seed"), value=workshop.seed, continuous_update=False)
            solara.InputText(t("Horizon (months)"), value=workshop.horizon, continuous_update=False)
        solara.Button(
            t("Apply levers and restart"),
            on_click=workshop.restart,
            color="primary",
            icon_name="mdi-refresh",
        )
    if workshop.error.value:
        solara.Error(workshop.error.value)


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
    # The padding keeps a field's floating label clear of the lever above.
    with solara.Column(gap="2px", style={"padding-top": "14px"}):
        with solara.Row(style={"align-items": "center"}):
            if lever.kind == "switch":
                solara.Switch(
                    label=t(lever.label),
                    value=bool(value),
                    on_value=lambda v: on_change(lever.name, v),
                )
            elif lever.kind in ("choice", "roles"):
                many = lever.kind == "roles"
                solara.v.Select(
                    label=t(lever.label),
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
                    t(lever.label),
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
            )
            solara.ProgressLinear(100 * simulation.month / max(simulation.horizon, 1))


@solara.component
def ViewPicker(workshop: Workshop) -> None:
    """Buttons choosing the view."""
    with solara.ToggleButtonsSingle(value=workshop.view, style={"flex-wrap": "wrap"}):
        for name, label in VIEWS.items():
            solara.Button(t(label), value=name, style={"text-transform": "none"})


@solara.component
def View(workshop: Workshop, costs: CostStudy) -> None:
    """The chosen view (only that one is drawn, so a month costs one view's charts)."""
    simulation = workshop.simulation.value
    tick = workshop.tick.value
    name = workshop.view.value
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
        with workshop.lock:
            figures = live_figures(simulation, name)
        for key, figure in figures.items():
            Chart(figure, key)


def live_figures(simulation: Simulation, view: str) -> dict[str, go.Figure]:
    """The charts of one of the live views, by file name.

    Args:
        simulation: The session's run.
        view: ``"workforce"``, ``"vacancies"``, ``"burnout"`` or ``"agency"``.

    Returns:
        ``{name: figure}``.
    """
    series = simulation.series
    dates = simulation.dates
    roles = {t(charts.ROLE_LABELS[r]): i for i, r in enumerate(CARE_ROLES)}
    if view == "workforce":
        headcount = series["sector_headcount"]
        lines = {
            t(charts.SECTOR_LABELS[s]): headcount[:, i]
            for i, s in enumerate(SECTORS)
            if i not in ENGLISH_SECTORS
        }
        lines[t("English border employers")] = headcount[:, list(ENGLISH_SECTORS)].sum(axis=1)
        return {
            "headcount": charts.lines(t("Headcount by sector"), dates, lines, y_title=t("people"))
        }
    if view == "vacancies":
        vacancy, turnover = series.vacancy_rate(), series.turnover()
        return {
            "vacancy-rate": charts.lines(
                t("Vacancy rate by role (Welsh social care)"),
                dates,
                {label: vacancy[:, i] for label, i in roles.items()},
                percent=True,
            ),
            "turnover": charts.lines(
                t("12-month turnover by role (Welsh social care)"),
                dates,
                {label: turnover[:, i] for label, i in roles.items()},
                y_title=t("leavers a year per worker"),
                percent=True,
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
            ),
            "unmet-care-hours": charts.lines(
                t("Unmet care hours (a month)"),
                dates,
                {label: unmet[:, i] for label, i in employers.items()},
                y_title=t("funded hours covered by neither staff nor agency"),
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
    title = t("Moves, arrivals and departures, {who}, {period}", who=who, period=period)
    Chart(charts.sankey(flows, title), "flows")


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


@solara.component
def CompareView(workshop: Workshop) -> None:
    """The levers against the baseline on the same seeds, with bands and a table."""
    progress = workshop.compare_progress.value
    comparison = workshop.comparison.value
    measure, set_measure = solara.use_state("vacancy_rate")
    with solara.Card(t("Levers against the baseline"), margin=0):
        solara.Markdown(
            t(
                "Runs the baseline and the levers of the run shown on the same seeds (common "
                "random numbers, derived from its seed) to its horizon, in worker processes. "
                "Each run at Wales scale takes several seconds."
            )
        )
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt(t("Replicates (seeds)"), value=workshop.replicates)
            solara.Button(
                t("Run comparison"),
                icon_name="mdi-compare",
                color="primary",
                disabled=progress is not None,
                on_click=lambda: workshop.compare_request.set(workshop.compare_request.value + 1),
            )
        if progress is not None:
            done, total = progress
            solara.Text(t("Running: {done} of {total} runs done", done=done, total=total))
            solara.ProgressLinear(100 * done / max(total, 1))
        if workshop.compare_error.value:
            solara.Error(workshop.compare_error.value)
    if comparison is None:
        return
    solara.v.Select(
        label=t("Measure"),
        items=[{"text": t(text), "value": key} for key, text in WALES_MEASURES.items()],
        v_model=measure,
        on_v_model=set_measure,
        dense=True,
        style_="max-width: 400px",
    )
    runs = {
        t("Baseline"): comparison.lines["baseline"][measure],
        t("Chosen levers"): comparison.lines["scenario"][measure],
    }
    Chart(
        charts.bands(
            t(
                "{measure}, Welsh social care: mean and range of {seeds} seeds",
                measure=t(WALES_MEASURES[measure]),
                seeds=len(comparison.seeds),
            ),
            comparison.dates,
            runs,
            percent=measure in _PERCENT,
        ),
        f"compare-{measure}",
    )
    solara.Markdown(difference_table(comparison))


def difference_table(comparison: Replicates) -> str:
    """The Wales-wide differences at the horizon as a Markdown table."""
    heading = t(
        "Differences over the last {months} months, Welsh social care (chosen levers − "
        "baseline, mean and 95 % interval over {seeds} paired seeds)",
        months=min(12, len(comparison.dates)),
        seeds=len(comparison.seeds),
    )
    columns = (
        t("measure"),
        t("baseline"),
        t("chosen levers"),
        t("difference"),
        t("95 % interval"),
    )
    lines = [f"**{heading}**", "", "| " + " | ".join(columns) + " |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in difference_rows(comparison)]
    return "\n".join(lines)


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


class ChartWidget(FigureWidget):
    """Plotly's figure widget, with the mode bar shown and PNGs named for the chart."""

    image_name = traitlets.Unicode("chart")

    def __init__(self, *args: Any, image_name: str = "chart", **kwargs: Any) -> None:
        # The figures are the dashboard's own (see charts._figure): not validated again.
        kwargs.setdefault("_validate", False)
        super().__init__(*args, **kwargs)
        self.image_name = image_name
        self._name_changed()

    @traitlets.observe("image_name")
    def _name_changed(self, change: Any = None) -> None:
        self._config = {
            "displaylogo": False,
            "displayModeBar": True,
            "toImageButtonOptions": {"format": "png", "filename": self.image_name, "scale": 2},
        }


class _Drawing:
    """A figure passed to :func:`_Chart`, equal only to itself.

    The element tree compares a component's arguments with the last ones to decide whether
    to redraw it; plotly figures compare by their whole contents, which cost tens of
    milliseconds a chart each month.
    """

    __slots__ = ("figure",)

    def __init__(self, figure: go.Figure) -> None:
        self.figure = figure


def Chart(figure: go.Figure, name: str) -> solara.Element:
    """A plotly figure whose camera button saves ``wfabm-<name>.png``."""
    return _Chart(_Drawing(figure), name)


@solara.component
def _Chart(drawing: _Drawing, name: str) -> None:
    """Draw a figure; the next month of the same chart restyles its traces in place.

    Restyling sends one message instead of redrawing, so the chart moves smoothly.
    """
    figure = drawing.figure
    element = ChartWidget.element(image_name=f"wfabm-{name}")

    def draw() -> None:
        widget = solara.get_widget(element)
        same_shape = len(widget.data) == len(figure.data) and all(
            old.type == new.type for old, new in zip(widget.data, figure.data, strict=True)
        )
        if not same_shape:
            widget.data = []
            widget.layout = figure.layout
            widget.add_traces(figure.data)
            return
        layout = figure.layout.to_plotly_json()
        # The template never changes, and checking it again took most of an update.
        layout.pop("template", None)
        with widget.batch_update():
            for old, new in zip(widget.data, figure.data, strict=True):
                old.update(new.to_plotly_json(), overwrite=True)
            widget.layout.update(layout, overwrite=True)

    solara.use_effect(draw, [drawing])
    return element
