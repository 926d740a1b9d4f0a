"""The Cost view: the net cost a year of the levers shown, lever by lever, as a waterfall.

:class:`CostStudy` holds one session's cost runs (they outlive a change of view);
:func:`CostView` asks for them and draws :func:`waterfall` and the cost per vacancy and per
leaver avoided. The computation is :mod:`.costs`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import solara

from wfabm.dashboard.costs import CostBreakdown, CostRates, run_cost_steps
from wfabm.dashboard.i18n import money, number, t
from wfabm.dashboard.levers import LEVERS, lever_values
from wfabm.dashboard.workshop import MAX_REPLICATES, Workshop, typed_number

__all__ = ["CostStudy", "CostView", "waterfall"]

_LABELS = {lever.name: lever.label for lever in LEVERS}


class CostStudy:
    """One session's cost runs.

    Attributes:
        request: Bumped to start the runs.
        progress: ``(runs done, runs in all)`` while they run.
        result: The last breakdown, with the config hash of the run it was made for.
        error: Why the last request did not run, or None.
        wellbeing, training: The cost rates as typed.
    """

    def __init__(self) -> None:
        rates = CostRates()
        self.request = solara.reactive(0)
        self.progress: solara.Reactive[tuple[int, int] | None] = solara.reactive(None)
        self.result: solara.Reactive[tuple[str, CostBreakdown] | None] = solara.reactive(None)
        self.error: solara.Reactive[str | None] = solara.reactive(None)
        self.wellbeing = solara.reactive(f"{rates.wellbeing_per_worker:g}")
        self.training = solara.reactive(f"{rates.training_per_student:g}")

    def rates(self) -> CostRates:
        """The cost rates typed.

        Raises:
            ValueError: With the one-paragraph message for a rate that is not a number >= 0.
        """
        values = {}
        for name, text, label in (
            (
                "wellbeing_per_worker",
                self.wellbeing.value,
                t("Wellbeing support, £ a worker a year"),
            ),
            ("training_per_student", self.training.value, t("Training, £ an extra student a year")),
        ):
            try:
                value = float(text)
            except ValueError:
                value = -1.0
            if not value >= 0:
                raise ValueError(
                    t(
                        '{label} = "{text}" is not allowed; allowed: a number of pounds, 0 '
                        "or more.",
                        label=label,
                        text=text,
                    )
                )
            values[name] = value
        return CostRates(**values)

    def run(self, workshop: Workshop, cancel: threading.Event) -> None:
        """Run the steps for the levers of the run shown (a thread of the page)."""
        simulation = workshop.simulation.value
        if self.request.value == 0 or simulation is None:
            return
        replicates = workshop.replicates.value
        try:
            rates = self.rates()
            if not isinstance(typed_number(str(replicates)), int) or not (
                1 <= replicates <= MAX_REPLICATES
            ):
                raise ValueError(
                    t(
                        "Replicates (seeds) = {replicates} is not allowed; allowed: a whole "
                        "number from 1 to {most} (2 or more give intervals).",
                        replicates=replicates,
                        most=MAX_REPLICATES,
                    )
                )
        except ValueError as error:
            self.error.set(str(error))
            return
        config = simulation.config
        self.error.set(None)
        try:
            breakdown = run_cost_steps(
                lever_values(config),
                lever_values(workshop.baseline),
                base=workshop.baseline,
                seed=config["run"]["seed"],
                months=config["run"]["months"],
                replicates=replicates,
                rates=rates,
                workers=workshop.compare_workers,
                progress=lambda done, total: self.progress.set((done, total)),
                cancel=cancel.is_set,
            )
        except Exception as error:  # shown to the room rather than lost in a thread
            self.error.set(t("The cost runs failed: {error}", error=error))
            return
        finally:
            self.progress.set(None)
        if breakdown is not None:
            self.result.set((config.hash, breakdown))


def waterfall(breakdown: CostBreakdown, title: str) -> go.Figure:
    """Each lever's net cost a year as a step from the baseline to the scenario's total.

    Args:
        breakdown: The costs (:func:`~wfabm.dashboard.costs.run_cost_steps`).
        title: The chart's title.
    """
    steps = breakdown.steps
    figure = go.Figure(
        go.Waterfall(
            orientation="v",
            measure=["relative"] * len(steps) + ["total"],
            x=[t(_LABELS.get(step.lever, step.lever)) for step in steps] + [t("Net cost a year")],
            y=[step.net for step in steps] + [breakdown.net],
            text=[money(step.net) for step in steps] + [money(breakdown.net)],
            textposition="outside",
            hovertext=[
                t(
                    "wages {wages}, agency {agency}, programmes {programmes}",
                    wages=money(step.wage_bill),
                    agency=money(step.agency_spend),
                    programmes=money(step.programmes),
                )
                for step in steps
            ]
            + [""],
            connector={"line": {"color": "#999999"}},
            increasing={"marker": {"color": "#c5221f"}},
            decreasing={"marker": {"color": "#188038"}},
            totals={"marker": {"color": "#1a73e8"}},
        ),
        layout={
            # The title below the camera and zoom buttons of the chart's top right corner.
            "title": {
                "text": title,
                "x": 0.01,
                "xanchor": "left",
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 34},
            },
            "height": 420,
            "margin": {"l": 60, "r": 20, "t": 80, "b": 120},
            "yaxis": {"title": t("£ a year against the baseline"), "tickformat": ",.3~s"},
            "template": "plotly_white",
        },
    )
    return figure


@solara.component
def CostView(workshop: Workshop, study: CostStudy, chart: Callable[[go.Figure, str], Any]) -> None:
    """Cost rates, a button to run the steps, then the waterfall and the cost per avoided.

    Args:
        workshop: The session.
        study: Its cost runs.
        chart: Draws a figure as the dashboard's other charts (``app.Chart``).
    """
    simulation = workshop.simulation.value
    progress = study.progress.value
    result = study.result.value
    with solara.Card(t("Net cost a year against the baseline"), margin=0):
        solara.Markdown(
            t(
                "Runs the baseline, then the levers of the run shown added one at a time, each "
                "on the same seeds, to its horizon; each lever's bar is what it adds to the "
                "cost of the last 12 months (the order of the levers is the panel's). Cost: "
                "the wage bill of Welsh councils and independent providers, their agency spend, "
                "and the levers not paid as wages at the rates below (assumptions)."
            )
        )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.InputText(
                t("Wellbeing support, £ a worker a year"),
                value=study.wellbeing,
                continuous_update=False,
            )
            solara.InputText(
                t("Training, £ an extra student a year"),
                value=study.training,
                continuous_update=False,
            )
            solara.InputInt(t("Replicates (seeds)"), value=workshop.replicates)
            solara.Button(
                t("Run the cost of each lever"),
                icon_name="mdi-cash",
                color="primary",
                disabled=progress is not None or simulation is None,
                on_click=lambda: study.request.set(study.request.value + 1),
            )
        if progress is not None:
            done, total = progress
            solara.Text(t("Running: {done} of {total} runs done", done=done, total=total))
            solara.ProgressLinear(100 * done / max(total, 1))
        if study.error.value:
            solara.Error(study.error.value)
    if result is None or simulation is None:
        return
    made_for, breakdown = result
    if made_for != simulation.config.hash:
        solara.Info(t("The levers have changed since these costs were run: run them again."))
        return
    if not breakdown.steps:
        solara.Info(t("The run shown is the baseline: no lever changes the cost."))
        return
    chart(
        waterfall(
            breakdown,
            t(
                "What each lever adds to the yearly cost, mean of {seeds} seeds",
                seeds=len(breakdown.seeds),
            ),
        ),
        "cost",
    )
    per_vacancy = breakdown.per_vacancy_avoided
    per_leaver = breakdown.per_leaver_avoided
    lines = [
        t("**Net cost a year:** {net}", net=money(breakdown.net)),
        t(
            "**Vacancies avoided:** {vacancies}; **leavers avoided a year:** {leavers}",
            vacancies=number(breakdown.vacancies_avoided),
            leavers=number(breakdown.leavers_avoided),
        ),
        t("**Cost per vacancy avoided:** {cost}", cost=money(per_vacancy))
        if per_vacancy is not None
        else t("**Cost per vacancy avoided:** none avoided"),
        t("**Cost per leaver avoided:** {cost}", cost=money(per_leaver))
        if per_leaver is not None
        else t("**Cost per leaver avoided:** none avoided"),
    ]
    solara.Markdown("\n\n".join(lines))
