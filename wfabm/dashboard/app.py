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

from wfabm.batch.compare import ALL_ROLES, WALES
from wfabm.core.taxonomy import ENGLISH_SECTORS, SECTORS
from wfabm.dashboard import charts
from wfabm.dashboard.levers import GROUPS, LEVERS, Lever, presets
from wfabm.dashboard.measures import CARE_ROLES, MAP_MEASURES, WALES_MEASURES
from wfabm.dashboard.replicates import Replicates
from wfabm.dashboard.simulation import BURNOUT_BINS, Simulation
from wfabm.dashboard.workshop import SPEEDS, Workshop, number_or_text
from wfabm.world.geography import load_geography

__all__ = ["VIEWS", "ChartWidget", "Dashboard", "Page", "difference_table", "live_figures"]

VIEWS: dict[str, str] = {
    "workforce": "Workforce",
    "vacancies": "Vacancies and turnover",
    "burnout": "Burnout",
    "agency": "Agency and unmet care",
    "flows": "Flows",
    "map": "Map",
    "compare": "Compare",
    "follow": "Follow a worker",
    "export": "Export",
}
"""The views, by name, with the labels of their buttons."""

_PERCENT = frozenset({"vacancy_rate", "turnover"})
_GEOGRAPHY = load_geography()


# ---------------------------------------------------------------------- components
@solara.component
def Page() -> None:
    """The app's page: a new :class:`~.workshop.Workshop` for every browser session."""
    workshop = solara.use_memo(Workshop, [])
    solara.Title("wfabm: policy workshop")
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
    with solara.Columns([4, 8], style={"padding": "8px"}):
        with solara.Column():
            Levers(workshop)
        with solara.Column():
            RunControls(workshop)
            ViewPicker(workshop)
            View(workshop)
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
    solara.Markdown("## Levers")
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
                solara.v.ExpansionPanelHeader(children=[group])
                with solara.v.ExpansionPanelContent():
                    if group == group_open:
                        for lever in LEVERS:
                            if lever.group == group:
                                LeverInput(lever, values, workshop.set_lever)
    with solara.Card("Run", margin=0, style={"margin-top": "8px"}):
        with solara.Row():
            solara.InputText("Seed", value=workshop.seed, continuous_update=False)
            solara.InputText("Horizon (months)", value=workshop.horizon, continuous_update=False)
        solara.Button(
            "Apply levers and restart",
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
    cards = [("baseline", "Baseline: today's policy")]
    cards += [(p.name, p.title[0].upper() + p.title[1:]) for p in presets()]
    with solara.Card("Scenario presets", margin=0, style={"margin-bottom": "8px"}):
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
                    label=lever.label,
                    value=bool(value),
                    on_value=lambda v: on_change(lever.name, v),
                )
            elif lever.kind in ("choice", "roles"):
                many = lever.kind == "roles"
                solara.v.Select(
                    label=lever.label,
                    items=[{"text": text, "value": key} for key, text in lever.choices],
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
                    lever.label,
                    value=shown,
                    on_value=lambda text: on_change(lever.name, number_or_text(text)),
                    continuous_update=False,
                    dense=True,
                )
            if lever.start is not None:
                solara.InputText(
                    "from (month)",
                    value=str(values.get(lever.start, "")),
                    on_value=lambda text: on_change(lever.start, text.strip()),
                    continuous_update=False,
                    dense=True,
                    style={"max-width": "110px"},
                )
        solara.Text(lever.explanation, classes=["wfabm-note"])
        solara.Text(f"Evidence: {lever.source}", classes=["wfabm-source"])


@solara.component
def RunControls(workshop: Workshop) -> None:
    """Play, pause, step a month, reset, speed, and the month shown."""
    simulation = workshop.simulation.value
    _ = workshop.tick.value  # read, so the month shown redraws after every step
    playing = workshop.playing.value
    with solara.Card(margin=0, style={"margin-bottom": "8px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                "Pause" if playing else "Play",
                icon_name="mdi-pause" if playing else "mdi-play",
                on_click=lambda: workshop.playing.set(not playing),
                color="primary",
                disabled=simulation is None or simulation.done,
            )
            solara.Button(
                "Step a month",
                icon_name="mdi-skip-next",
                on_click=workshop.step,
                disabled=playing or simulation is None or simulation.done,
            )
            solara.Button("Reset", icon_name="mdi-restart", on_click=workshop.restart)
            solara.Text("Speed (months a second):")
            solara.ToggleButtonsSingle(value=workshop.speed, values=list(SPEEDS), dense=True)
        if simulation is not None:
            shown = simulation.last_date
            when = shown.strftime("%B %Y") if shown else "not started"
            solara.Markdown(
                f"**Month shown: {when}** ({simulation.month} of {simulation.horizon} months "
                f"from {simulation.model.start:%B %Y})"
            )
            solara.ProgressLinear(100 * simulation.month / max(simulation.horizon, 1))


@solara.component
def ViewPicker(workshop: Workshop) -> None:
    """Buttons choosing the view."""
    with solara.ToggleButtonsSingle(value=workshop.view, style={"flex-wrap": "wrap"}):
        for name, label in VIEWS.items():
            solara.Button(label, value=name, style={"text-transform": "none"})


@solara.component
def View(workshop: Workshop) -> None:
    """The chosen view (only that one is drawn, so a month costs one view's charts)."""
    simulation = workshop.simulation.value
    tick = workshop.tick.value
    name = workshop.view.value
    if simulation is None:
        solara.Info("Set the levers and press Apply.")
        return
    if name == "compare":
        CompareView(workshop)
    elif name == "follow":
        FollowView(workshop, simulation, tick)
    elif name == "export":
        ExportView(simulation, tick)
    elif simulation.month == 0:
        solara.Info("Press Play or Step a month to start the run.")
    elif name == "flows":
        FlowsView(workshop, simulation, tick)
    elif name == "map":
        MapView(workshop, simulation, tick)
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
    roles = {charts.ROLE_LABELS[r]: i for i, r in enumerate(CARE_ROLES)}
    if view == "workforce":
        headcount = series["sector_headcount"]
        lines = {
            charts.SECTOR_LABELS[s]: headcount[:, i]
            for i, s in enumerate(SECTORS)
            if i not in ENGLISH_SECTORS
        }
        lines["English border employers"] = headcount[:, list(ENGLISH_SECTORS)].sum(axis=1)
        return {"headcount": charts.lines("Headcount by sector", dates, lines, y_title="people")}
    if view == "vacancies":
        vacancy, turnover = series.vacancy_rate(), series.turnover()
        return {
            "vacancy-rate": charts.lines(
                "Vacancy rate by role (Welsh social care)",
                dates,
                {label: vacancy[:, i] for label, i in roles.items()},
                percent=True,
            ),
            "turnover": charts.lines(
                "12-month turnover by role (Welsh social care)",
                dates,
                {label: turnover[:, i] for label, i in roles.items()},
                y_title="leavers a year per worker",
                percent=True,
            ),
        }
    if view == "burnout":
        counts = simulation.burnout_histogram()
        labels = [f"{low:.2f}-{high:.2f}" for low, high in itertools.pairwise(BURNOUT_BINS)]
        burnout = series.burnout()
        return {
            "burnout-distribution": charts.bars(
                f"Burnout of Welsh social care workers, {simulation.last_date:%B %Y}",
                labels,
                counts,
                x_title="burnout (0 = none, 1 = exhausted)",
                y_title="workers",
            ),
            "burnout-by-role": charts.lines(
                "Mean burnout by role",
                dates,
                {label: burnout[:, i] for label, i in roles.items()},
                y_title="burnout",
            ),
        }
    if view == "agency":
        # Welsh employers buy agency cover; the agencies' own cells have none.
        employers = {charts.SECTOR_LABELS[s]: i for i, s in enumerate(("la", "independent"))}
        spend, unmet = series["sector_agency_spend"], series["sector_unmet_hours"]
        return {
            "agency-spend": charts.lines(
                "Agency spend (£ a month)",
                dates,
                {label: spend[:, i] for label, i in employers.items()},
                y_title="£",
            ),
            "unmet-care-hours": charts.lines(
                "Unmet care hours (a month)",
                dates,
                {label: unmet[:, i] for label, i in employers.items()},
                y_title="funded hours covered by neither staff nor agency",
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
            label="Since the start (off: last month)", value=cumulative, on_value=set_cumulative
        )
        solara.v.Select(
            label="Role",
            items=[{"text": "All roles", "value": "all"}]
            + [{"text": charts.ROLE_LABELS[r], "value": r} for r in charts.ROLE_LABELS],
            v_model=role,
            on_v_model=set_role,
            dense=True,
            style_="max-width: 300px",
        )
    with workshop.lock:
        flows = simulation.flows(cumulative=cumulative, role=None if role == "all" else role)
    period = (
        f"{simulation.model.start:%B %Y} to {simulation.last_date:%B %Y}"
        if cumulative
        else f"{simulation.last_date:%B %Y}"
    )
    who = "all roles" if role == "all" else charts.ROLE_LABELS[role].lower()
    Chart(charts.sankey(flows, f"Moves, arrivals and departures, {who}, {period}"), "flows")


@solara.component
def MapView(workshop: Workshop, simulation: Simulation, tick: int) -> None:
    """Wales's 22 authorities and the English border authorities coloured by a measure."""
    measure, set_measure = solara.use_state("vacancy_rate")
    solara.v.Select(
        label="Colour by",
        items=[{"text": text, "value": key} for key, text in MAP_MEASURES.items()],
        v_model=measure,
        on_v_model=set_measure,
        dense=True,
        style_="max-width: 400px",
    )
    with workshop.lock:
        values = simulation.series.local_authority(measure)
    title = f"{MAP_MEASURES[measure]} in social care, {simulation.last_date:%B %Y}"
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
    with solara.Card("Levers against the baseline", margin=0):
        solara.Markdown(
            "Runs the baseline and the levers of the run shown on the same seeds (common "
            "random numbers, derived from its seed) to its horizon, in worker processes. "
            "Each run at Wales scale takes several seconds."
        )
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt("Replicates (seeds)", value=workshop.replicates)
            solara.Button(
                "Run comparison",
                icon_name="mdi-compare",
                color="primary",
                disabled=progress is not None,
                on_click=lambda: workshop.compare_request.set(workshop.compare_request.value + 1),
            )
        if progress is not None:
            done, total = progress
            solara.Text(f"Running: {done} of {total} runs done")
            solara.ProgressLinear(100 * done / max(total, 1))
        if workshop.compare_error.value:
            solara.Error(workshop.compare_error.value)
    if comparison is None:
        return
    solara.v.Select(
        label="Measure",
        items=[{"text": text, "value": key} for key, text in WALES_MEASURES.items()],
        v_model=measure,
        on_v_model=set_measure,
        dense=True,
        style_="max-width: 400px",
    )
    runs = {
        "Baseline": comparison.lines["baseline"][measure],
        "Chosen levers": comparison.lines["scenario"][measure],
    }
    Chart(
        charts.bands(
            f"{WALES_MEASURES[measure]}, Welsh social care: mean and range of "
            f"{len(comparison.seeds)} seeds",
            comparison.dates,
            runs,
            percent=measure in _PERCENT,
        ),
        f"compare-{measure}",
    )
    solara.Markdown(difference_table(comparison))


def difference_table(comparison: Replicates) -> str:
    """The Wales-wide differences at the horizon as a Markdown table."""
    table = comparison.table
    rows = table.filter((table["sector"] == WALES) & (table["role"] == ALL_ROLES))
    lines = [
        f"**Differences over the last {min(12, len(comparison.dates))} months, Welsh social "
        "care (chosen levers − baseline, mean and 95 % interval over "
        f"{len(comparison.seeds)} paired seeds)**",
        "",
        "| measure | baseline | chosen levers | difference | 95 % interval |",
        "|---|---|---|---|---|",
    ]
    for row in rows.iter_rows(named=True):
        outcome = row["outcome"]
        style = (
            "{:.2%}"
            if outcome.endswith("_rate")
            else "{:.3f}"
            if outcome == "burnout"
            else "{:,.0f}"
        )
        shown = {
            key: "–" if row[key] is None else style.format(row[key])
            for key in ("baseline_mean", "scenario_mean", "difference", "ci_low", "ci_high")
        }
        interval = (
            f"{shown['ci_low']} to {shown['ci_high']}"
            if row["ci_low"] is not None
            else "needs 2 seeds"
        )
        lines.append(
            f"| {_OUTCOME_LABELS[outcome]} | {shown['baseline_mean']} | {shown['scenario_mean']} "
            f"| {shown['difference']} | {interval} |"
        )
    return "\n".join(lines)


_OUTCOME_LABELS = {
    "headcount": "Headcount (mean)",
    "vacancy_rate": "Vacancy rate",
    "leaver_rate": "Leavers per worker, a year",
    "joiner_rate": "Joiners per worker, a year",
    "burnout": "Mean burnout",
    "agency_spend": "Agency spend (£)",
    "wage_bill": "Wage bill (£)",
    "unmet_hours": "Unmet care hours",
}


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
            label="Role",
            items=[{"text": charts.ROLE_LABELS[r], "value": r} for r in CARE_ROLES],
            v_model=role,
            on_v_model=set_role,
            dense=True,
            style_="max-width: 260px",
        )
        solara.v.Select(
            label="Working in",
            items=[{"text": name, "value": code} for code, name in welsh],
            v_model=authority,
            on_v_model=set_authority,
            dense=True,
            style_="max-width: 260px",
        )
        solara.Button(
            "Follow someone", icon_name="mdi-account-search", on_click=follow, color="primary"
        )
    if simulation.follow is None:
        solara.Info("Choose a role and an authority, then press Follow someone.")
        return
    with workshop.lock:
        worker = simulation.worker()
        trace = list(simulation.follow.trace)
    if worker is None:
        return
    names = dict(zip(_GEOGRAPHY.codes, _GEOGRAPHY.names, strict=True))
    # A name of its own: ``role`` is the chosen role's key, which the button still reads.
    job = charts.ROLE_LABELS[worker["role"]].lower().removesuffix("s")
    where = (
        f"{_EMPLOYER_OF[worker['sector']]} ({worker['service'].replace('_', ' ')}) in "
        f"{names[worker['workplace_local_authority']]}"
    )
    if worker["active"]:
        pay = "" if worker["hourly_pay"] is None else f"£{worker['hourly_pay']:.2f} an hour, "
        now = (
            f"{job} at {where}; lives in {names[worker['home_local_authority']]}. {pay}"
            f"{worker['hours']:.0f} hours a week{' (zero hours)' if worker['zero_hours'] else ''}; "
            f"burnout {worker['burnout']:.2f}; intent to leave {worker['intent_to_leave']:.0%}."
        )
    else:
        now = f"{job}, last at {where}; has left the modelled market."
    solara.Markdown(f"**Worker {worker['worker_id']}**, aged {worker['age']:.0f}, {now}")
    if trace:
        Chart(charts.worker_story(trace, worker["history"]), "worker")
    else:
        solara.Info("Their story starts with the next month: press Play or Step a month.")
    moves = [e for e in worker["history"] if e["kind"] != "arrival"]
    if moves:
        rows = ["| month | what | from | to |", "|---|---|---|---|"]
        rows += [
            f"| {event['month']:%B %Y} | {event['kind'].replace('_', ' ')} | "
            f"{_workplace(simulation, event['origin_employer'])} | "
            f"{_workplace(simulation, event['destination_employer'])} |"
            for event in moves
        ]
        solara.Markdown("\n".join(rows))


_EMPLOYER_OF = {
    "la": "a Welsh council",
    "independent": "an independent provider",
    "agency": "an agency",
    "nhs": "NHS Wales",
    "england_la": "an English council",
    "england_independent": "an English provider",
    "england_nhs": "the English NHS",
}


def _workplace(simulation: Simulation, employer: int) -> str:
    if employer < 0:
        return "–"
    employers = simulation.model.employers
    sector = SECTORS[int(employers.sector[employer])]
    return f"{charts.SECTOR_LABELS[sector]}, {_GEOGRAPHY.names[int(employers.la[employer])]}"


@solara.component
def ExportView(simulation: Simulation, tick: int) -> None:
    """Downloads of the current results, and how to save each chart."""
    stamp = f"{simulation.last_date:%Y-%m}" if simulation.month else "start"
    solara.Markdown(
        f"Results of this run so far ({simulation.month} months), as `wfabm run` writes them: "
        "`metrics` has one row per month, sector, role and authority; `flows` one per month, "
        "role, origin and destination."
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
        "Each chart's camera button (top right of the chart) saves it as a PNG; this works "
        "with no internet connection."
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
