"""The opening panel: what the model is, what a run shows, where its figures come from.

It ends with the headline of the comparison shown, if there is one, so the room sees the
answer in words before the charts.
"""

from __future__ import annotations

import solara

from wfabm.dashboard.comparing import Headlines
from wfabm.dashboard.i18n import t
from wfabm.dashboard.workshop import Workshop

__all__ = ["StoryView"]


@solara.component
def StoryView(workshop: Workshop) -> None:
    """The model in plain words, then the current comparison's headline."""
    comparison = workshop.comparison.value
    with solara.Card(margin=0):
        solara.Markdown(
            t(
                "### What this model is\n\n"
                "About 84,000 people work in Welsh social care. wfabm follows each of them "
                "month by month from April 2022: their pay, hours, workload and burnout, and "
                "whether they stay, move to another provider, a council, NHS Wales, an "
                "English employer across the border or an agency, leave the sector or "
                "retire. Employers recruit to fill their funded posts from new entrants, "
                "returners, graduates and, while the route was open, overseas recruits. "
                "Vacancies, turnover, agency spend and the wage bill add up from those "
                "individual decisions; no total is set from outside.\n\n"
                "### What a run shows\n\n"
                "A run starts from the 2022 workforce and applies the levers on the left from "
                "their start month, most of them April 2026. Before a policy starts, a run is "
                "the baseline: the charts shade those months grey and mark each start with a "
                "dashed line, so the early ups and downs are not read as the policy's "
                "effect. The live run is one seed, one possible history; **Compare** runs "
                "scenarios and the baseline on the same several seeds and gives the "
                "differences with their range across seeds.\n\n"
                "### Where the figures come from\n\n"
                "The starting workforce, pay scales, vacancies and turnover come from Social "
                "Care Wales's workforce data for 2022, the NJC and NHS Agenda for Change pay "
                "scales, Welsh Government and ONS statistics; the behaviour rules come from "
                "published surveys and studies. Each lever shows its evidence; every "
                "parameter and its source is listed in the model's description (docs/ODD.md) "
                "and in configs/baseline.toml. Figures are model results, not forecasts: "
                "they say what the levers change, other things equal."
            )
        )
    solara.Markdown(t("### The comparison shown"))
    if comparison is None:
        solara.Info(
            t(
                "No comparison yet: choose a preset or set the levers, apply them, and press "
                "Run comparison in the Compare view."
            )
        )
        return
    Headlines(workshop)
    if not comparison.complete:
        solara.Text(
            t(
                "{done} of {total} runs done; the figures firm up as the rest arrive.",
                done=comparison.done,
                total=comparison.total,
            )
        )
