"""The dashboard's chart widget: a plotly figure drawn in place, sized for the room.

:func:`Chart` draws a figure and restyles the same chart in place the next month (one
message instead of a redraw). In presenting mode (:data:`Presenting`, provided by the page)
the figure's type is enlarged and the chart made taller, to be read from the back of a room.
"""

from __future__ import annotations

from typing import Any

import ipyvuetify as v
import plotly.graph_objects as go
import solara
import traitlets
from plotly.graph_objs._figurewidget import FigureWidget

__all__ = ["PRESENTING_FONT", "Chart", "ChartSizer", "ChartWidget", "Presenting", "room_layout"]

Presenting = solara.create_context(False)
"""Whether the page is in presenting mode (the charts read it)."""

PRESENTING_FONT = 22
"""Base font size of a chart in presenting mode (px); titles are larger."""


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
            # Refit to the container on a window resize; ChartSizer calls the same handler.
            "responsive": True,
            "toImageButtonOptions": {"format": "png", "filename": self.image_name, "scale": 2},
        }


class ChartSizer(v.VuetifyTemplate):
    """Fits every chart on the page to its column, as the page's layout changes.

    Plotly sizes a chart to its container when it is first drawn and again on a window
    resize. A chart's widget is drawn before the page places it (Solara attaches widgets to
    the page afterwards), so plotly falls back to its default of 700 px; and a switch of
    view or of presenting mode changes the columns without resizing the window. This
    invisible element watches for charts placed on the page and for columns changing width,
    and then has every chart drawn and shown fit its container again (through the handler
    plotly gives a chart with ``responsive`` set, which :class:`ChartWidget` sets).
    """

    template = traitlets.Unicode(
        """
<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    const widths = new WeakMap();
    let timer = null;
    const fit = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        // Only charts plotly has finished drawing have this handler (config.responsive).
        for (const found of document.querySelectorAll(".js-plotly-plot")) {
          if (found._responsiveChartHandler && found.offsetParent !== null) {
            found._responsiveChartHandler();
          }
        }
      }, 150);
    };
    this.sizes = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const width = Math.round(entry.contentRect.width);
        if (width > 0 && widths.get(entry.target) !== width) {
          widths.set(entry.target, width);
          fit();
        }
      }
    });
    const watch = (node) => {
      if (!(node instanceof Element)) return;
      const plot = ".js-plotly-plot";
      const plots = node.matches(plot) ? [node] : node.querySelectorAll(plot);
      for (const found of plots) {
        if (found.parentElement) this.sizes.observe(found.parentElement);
        fit();
      }
    };
    this.placed = new MutationObserver((records) => {
      for (const record of records) record.addedNodes.forEach(watch);
    });
    this.placed.observe(document.body, {childList: true, subtree: true});
    watch(document.body);
  },
  beforeDestroy() {
    this.placed.disconnect();
    this.sizes.disconnect();
  },
};
</script>
"""
    ).tag(sync=True)


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


def room_layout(layout: go.Layout) -> dict[str, Any]:
    """Presenting mode's changes to a figure's layout: larger type, a taller chart.

    Args:
        layout: The figure's own layout (left unchanged).

    Returns:
        A layout update.
    """
    base = PRESENTING_FONT
    return {
        "font": {"size": base},
        "title": {"font": {"size": round(base * 1.25)}},
        "height": max(round((layout.height or 420) * 1.45), 560),
        "legend": {"font": {"size": base}},
        "margin": {"t": (layout.margin.t or 60) + 30, "b": (layout.margin.b or 40) + 40},
    }


@solara.component
def _Chart(drawing: _Drawing, name: str) -> None:
    """Draw a figure; the next month of the same chart restyles its traces in place.

    Restyling sends one message instead of redrawing, so the chart moves smoothly.
    """
    figure = drawing.figure
    presenting = solara.use_context(Presenting)
    room = room_layout(figure.layout) if presenting else {}
    element = ChartWidget.element(image_name=f"wfabm-{name}")

    def draw() -> None:
        widget = solara.get_widget(element)
        same_shape = len(widget.data) == len(figure.data) and all(
            old.type == new.type for old, new in zip(widget.data, figure.data, strict=True)
        )
        if not same_shape:
            widget.data = []
            widget.layout = figure.layout
            widget.layout.update(room)
            widget.add_traces(figure.data)
            return
        layout = figure.layout.to_plotly_json()
        # The template never changes, and checking it again took most of an update.
        layout.pop("template", None)
        for key, value in room.items():
            layout[key] = {**layout.get(key, {}), **value} if isinstance(value, dict) else value
        with widget.batch_update():
            for old, new in zip(widget.data, figure.data, strict=True):
                old.update(new.to_plotly_json(), overwrite=True)
            widget.layout.update(layout, overwrite=True)

    solara.use_effect(draw, [drawing, presenting])
    return element
