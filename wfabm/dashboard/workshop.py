"""One browser session of the dashboard: its levers, run state, model and comparison.

:class:`Workshop` holds Solara reactive values, so the components that read them redraw
when they change; its methods are what the buttons do. It knows nothing of how the views
are drawn (:mod:`.app`).
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from contextlib import AbstractContextManager
from typing import Any

import solara

from wfabm.config import Config, load_config
from wfabm.dashboard.i18n import N_, t
from wfabm.dashboard.levers import GROUPS, LeverError, configure, lever_values, presets
from wfabm.dashboard.replicates import Paired, Replicates, run_replicates
from wfabm.dashboard.scenario_file import Scenario as ScenarioOnFile
from wfabm.dashboard.scenarios import MAX_COMPARED, Scenario, check_name
from wfabm.dashboard.share import SharedState
from wfabm.dashboard.simulation import Simulation

__all__ = [
    "APPLIED",
    "DEFAULT_HORIZON",
    "MAX_REPLICATES",
    "SPEEDS",
    "Workshop",
    "number_or_text",
    "typed_number",
]

SPEEDS = (1, 2, 5, 10)
"""Months a second that play can run at."""

APPLIED = ""
"""In :attr:`Workshop.compare_choice`: the levers of the run shown, whatever they are."""

DEFAULT_HORIZON = 120
MAX_REPLICATES = 10


class Workshop:
    """One browser session's state: levers, seed, horizon, the model and the comparison.

    What other panels read (a brief, a cost panel) is public here:

    - :attr:`comparison` is the comparison shown: a
      :class:`~wfabm.dashboard.replicates.Replicates`, whose ``results`` is the project's
      :class:`~wfabm.outcomes.results.Results` (per-run summaries and Wales lines) and whose
      :meth:`~wfabm.dashboard.replicates.Replicates.table` gives a scenario's paired
      differences from the baseline;
    - :attr:`compared` is the list of the scenarios it compares, each a
      :class:`~wfabm.dashboard.scenarios.Scenario` (name and lever values);
    - :attr:`scenarios` holds the scenarios the room has named and kept.

    Attributes:
        values: Lever values (:func:`~wfabm.dashboard.levers.lever_values`), as edited.
        applied: The lever values of the run shown (the last applied).
        applied_name: The name of the levers of the run shown (a preset's title, or
            "Own levers"), in English: the catalogue's key, shown through ``t``.
        preset: Name of the preset the levers were last set from (``"baseline"``).
        seed: The seed as typed.
        horizon: Months to run, as typed.
        error: The message for a refused lever, seed or horizon, or None.
        simulation: The session's model and series.
        tick: Bumped after every simulated month, so the views redraw.
        playing: Whether play is on.
        speed: Months a second while playing.
        view: The view shown (a key of :data:`~.app.VIEWS`).
        lever_group: The lever group open in the panel (None: all closed).
        scenarios: Named scenarios kept this session, in the order they were named.
        scenario_error: Why the last name was refused, or None.
        compare_choice: Names of kept scenarios to compare (:data:`APPLIED`: the levers of
            the run shown), at most :data:`~.scenarios.MAX_COMPARED`.
        comparison: The comparison shown (runs done so far while it runs), if any.
        compared: The scenarios of :attr:`comparison`.
        compared_run: The seed and horizon :attr:`comparison` was run on.
        compare_request: Bumped to start a comparison.
        compare_progress: ``(runs done, runs in all, seconds left)`` while one runs.
        replicates: Seeds per config in a comparison.
        compare_error: Why the last comparison did not run, or None.
        compare_workers: Processes a comparison runs in (two: the machine's cores).
        presenting: Whether the page is in presenting mode (large type, full width).
    """

    def __init__(self, shared: SharedState | None = None) -> None:
        """Start a session: the baseline, or the state a link carries.

        Args:
            shared: The state of a link (:func:`~.share.read_query`), already checked.
        """
        self.baseline = load_config()
        self.values = solara.reactive(lever_values(self.baseline))
        self.applied = solara.reactive(self.values.value)
        self.applied_name = solara.reactive(N_("Baseline: today's policy"))
        self.preset = solara.reactive("baseline")
        self.seed = solara.reactive(str(self.baseline["run"]["seed"]))
        self.horizon = solara.reactive(str(DEFAULT_HORIZON))
        self.error: solara.Reactive[str | None] = solara.reactive(None)
        self.simulation: solara.Reactive[Simulation | None] = solara.reactive(None)
        self.tick = solara.reactive(0)
        self.playing = solara.reactive(False)
        self.speed = solara.reactive(SPEEDS[1])
        self.view = solara.reactive("story")
        self.lever_group: solara.Reactive[str | None] = solara.reactive(GROUPS[0])
        self.scenarios: solara.Reactive[tuple[Scenario, ...]] = solara.reactive(())
        self.scenario_error: solara.Reactive[str | None] = solara.reactive(None)
        self.compare_choice: solara.Reactive[list[str]] = solara.reactive([APPLIED])
        self.comparison: solara.Reactive[Replicates | None] = solara.reactive(None)
        self.compared: solara.Reactive[tuple[Scenario, ...]] = solara.reactive(())
        self.compared_run: tuple[int, int] | None = None
        self.compare_request = solara.reactive(0)
        self.compare_progress: solara.Reactive[tuple[int, int, float] | None] = solara.reactive(
            None
        )
        self.replicates = solara.reactive(3)
        self._page: weakref.ref[Any] | None = None
        self.compare_error: solara.Reactive[str | None] = solara.reactive(None)
        self.compare_workers = 2
        self.presenting = solara.reactive(False)
        self.lock = threading.RLock()
        self._generation = 0  # of comparisons: a stopped one's late runs are dropped
        self._compared_applied = False  # whether the comparison has the levers applied
        if shared is not None:
            self.values.set({**self.values.value, **shared.levers})
            self.preset.set(shared.preset)
            self.view.set(shared.view)
            if shared.seed is not None:
                self.seed.set(str(shared.seed))
            if shared.horizon is not None:
                self.horizon.set(str(shared.horizon))
        self.restart()

    def shared(self, language: str) -> SharedState:
        """The session's state as a link carries it (levers as edited, not only as applied)."""
        base = lever_values(self.baseline)
        return SharedState(
            language=language,
            preset=self.preset.value,
            view=self.view.value,
            seed=_whole_or_none(self.seed.value),
            horizon=_whole_or_none(self.horizon.value),
            levers={k: v for k, v in self.values.value.items() if base.get(k) != v},
        )

    def open_scenario(self, scenario: ScenarioOnFile) -> bool:
        """Set the levers, seed and horizon from a scenario file, and restart."""
        self.values.set(scenario.values)
        self.seed.set(str(scenario.seed))
        self.horizon.set(str(scenario.horizon))
        self.preset.set("file")
        return self.restart()

    # ------------------------------------------------------------------ levers
    def config(self) -> Config:
        """The config of the levers, seed and horizon as they stand.

        Raises:
            LeverError: For a value the schema refuses.
        """
        return configure(
            self.values.value,
            seed=typed_number(self.seed.value),
            horizon=typed_number(self.horizon.value),
            base=self.baseline,
        )

    @property
    def pending(self) -> bool:
        """Whether levers, the seed or the horizon were edited since the last apply."""
        simulation = self.simulation.value
        if self.values.value != self.applied.value or simulation is None:
            return True
        run = simulation.config["run"]
        return (typed_number(self.seed.value), typed_number(self.horizon.value)) != (
            run["seed"],
            run["months"],
        )

    def set_lever(self, name: str, value: Any) -> None:
        """Change one lever (it takes effect at the next restart)."""
        self.values.set({**self.values.value, name: value})

    def apply_preset(self, name: str) -> None:
        """Set every lever to a preset's values (``"baseline"``: today's policy), and restart."""
        if name == "baseline":
            config = self.baseline
        else:
            config = load_config(next(p.path for p in presets() if p.name == name))
        self.values.set(lever_values(config))
        self.preset.set(name)
        self.restart()

    def _name_of(self, values: dict[str, Any]) -> str:
        """The preset title the values are, or "Own levers"."""
        if values == lever_values(self.baseline):
            return N_("Baseline: today's policy")
        preset = self.preset.value
        for found in presets():
            if found.name == preset and values == lever_values(load_config(found.path)):
                return found.title[0].upper() + found.title[1:]
        return N_("Own levers")

    # ------------------------------------------------------------------ scenarios
    def keep_scenario(self, name: str) -> bool:
        """Keep the applied levers as a named scenario (and choose it for comparing).

        Returns:
            False (and :attr:`scenario_error` set) if the name is refused.
        """
        taken = [scenario.name for scenario in self.scenarios.value]
        try:
            name = check_name(name, taken)
        except LeverError as error:
            self.scenario_error.set(str(error))
            return False
        scenario = Scenario(name, dict(self.applied.value), self.preset.value)
        self.scenarios.set((*self.scenarios.value, scenario))
        self.scenario_error.set(None)
        chosen = [n for n in self.compare_choice.value if n != APPLIED][: MAX_COMPARED - 1]
        self.compare_choice.set([*chosen, name])
        return True

    def forget_scenario(self, name: str) -> None:
        """Drop a kept scenario."""
        self.scenarios.set(tuple(s for s in self.scenarios.value if s.name != name))
        self.compare_choice.set([n for n in self.compare_choice.value if n != name])

    def chosen_scenarios(self) -> tuple[Scenario, ...]:
        """The scenarios :attr:`compare_choice` names (the applied levers as they stand)."""
        kept = {scenario.name: scenario for scenario in self.scenarios.value}
        chosen = []
        for name in self.compare_choice.value[:MAX_COMPARED] or [APPLIED]:
            if name == APPLIED:
                chosen.append(
                    Scenario(
                        t(self.applied_name.value), dict(self.applied.value), self.preset.value
                    )
                )
            elif name in kept:
                chosen.append(kept[name])
        return tuple(chosen)

    # ------------------------------------------------------------------ run
    def restart(self) -> bool:
        """Build a new model from the levers, back at the first month.

        A comparison of the levers applied before is stopped and dropped: it no longer
        shows what the levers say.

        Returns:
            False (and :attr:`error` set) if a lever, the seed or the horizon is refused.
        """
        try:
            config = self.config()
        except LeverError as error:
            self.error.set(str(error))
            return False
        self.playing.set(False)
        with self.lock:
            followed = None
            old = self.simulation.value
            if old is not None and old.follow is not None:
                followed = old.follow.worker_id
            simulation = Simulation(config)
            if followed is not None:
                # The same seed builds the same people, so they can be followed again.
                with contextlib.suppress(KeyError):
                    simulation.follow_worker(followed)
        values = dict(self.values.value)
        name = self._name_of(values)
        changed = old is None or values != self.applied.value or config != old.config
        with self._one_render():
            if changed and self._compared_applied:
                self._drop_comparison()
            self.applied.set(values)
            self.applied_name.set(name)
            self.error.set(None)
            self.simulation.set(simulation)
            self.tick.set(0)
        return True

    def shown_on(self, page: Any) -> None:
        """Say which page draws this session, so that a month redraws it once.

        Args:
            page: The page's render context (``reacton.core.get_render_context()``, read
                while the page renders). Held weakly: a closed page is forgotten.
        """
        self._page = weakref.ref(page)

    def _one_render(self) -> AbstractContextManager[Any]:
        """Batch the changes made inside into one redraw of the page.

        Several components read :attr:`tick`, and each would otherwise redraw the page on
        its own (three renders a month instead of one).
        """
        page = self._page() if self._page is not None else None
        return page if page is not None else contextlib.nullcontext()

    def step(self) -> bool:
        """Simulate one month; False once the horizon is reached."""
        simulation = self.simulation.value
        if simulation is None:
            return False
        with self.lock:
            stepped = simulation.step()
        with self._one_render():
            if stepped:
                self.tick.set(self.tick.value + 1)
            else:
                self.playing.set(False)
        return stepped

    def play(self, cancel: threading.Event) -> None:
        """Step at :attr:`speed` until paused, cancelled or at the horizon."""
        while self.playing.value and not cancel.is_set():
            started = time.perf_counter()
            if not self.step():
                break
            delay = 1.0 / self.speed.value - (time.perf_counter() - started)
            if delay > 0:
                cancel.wait(delay)

    # ------------------------------------------------------------------ compare
    def _drop_comparison(self) -> None:
        self._generation += 1
        self.comparison.set(None)
        self.compared.set(())
        self._compared_applied = False
        self.compare_progress.set(None)

    def compare(self, cancel: threading.Event) -> None:
        """Run the chosen scenarios against the baseline on common seeds.

        The seeds derive from the run's seed and the runs go to its horizon (see
        :mod:`.replicates`); :attr:`comparison` shows the runs as they finish.
        """
        simulation = self.simulation.value
        if self.compare_request.value == 0 or simulation is None:
            return
        replicates = self.replicates.value
        if not isinstance(replicates, int) or not 1 <= replicates <= MAX_REPLICATES:
            self.compare_error.set(
                t(
                    "Replicates (seeds) = {replicates} is not allowed; allowed: a whole number "
                    "from 1 to {most} (2 or more give intervals).",
                    replicates=replicates,
                    most=MAX_REPLICATES,
                )
            )
            return
        run = simulation.config["run"]
        scenarios = self.chosen_scenarios()
        try:
            configs = {
                scenario.name: configure(
                    dict(scenario.values),
                    seed=run["seed"],
                    horizon=run["months"],
                    base=self.baseline,
                )
                for scenario in scenarios
            }
        except LeverError as error:
            self.compare_error.set(str(error))
            return
        baseline = configure(
            lever_values(self.baseline), seed=run["seed"], horizon=run["months"], base=self.baseline
        )
        self._drop_comparison()
        generation = self._generation
        self.compare_error.set(None)
        self.compared.set(scenarios)
        self._compared_applied = APPLIED in (self.compare_choice.value[:MAX_COMPARED] or [APPLIED])
        self.compared_run = (run["seed"], run["months"])

        def current() -> bool:
            return generation == self._generation

        def update(replicates: Replicates) -> None:
            if current():
                self.comparison.set(replicates)

        def progress(done: int, total: int, left: float) -> None:
            if current():
                self.compare_progress.set((done, total, left))

        self.compare_progress.set((0, replicates * (len(configs) + 1), 0.0))
        try:
            run_replicates(
                baseline,
                configs,
                replicates=replicates,
                months=run["months"],
                root_seed=run["seed"],
                workers=self.compare_workers,
                on_update=update,
                progress=progress,
                cancel=lambda: cancel.is_set() or not current(),
            )
        except Exception as error:  # shown to the room rather than lost in a thread
            if current():
                self.compare_error.set(t("The comparison failed: {error}", error=error))
        finally:
            if current():
                self.compare_progress.set(None)

    def comparison_of_run(self) -> Paired | None:
        """The comparison's scenario with the levers, seed and horizon of the run shown.

        What the panels about the run shown read (the brief, one authority): the scenario
        of :attr:`compared` whose levers are those applied, paired with the baseline over
        the seeds done for both; None if no such scenario was compared on the run's seed
        and horizon.
        """
        simulation = self.simulation.value
        comparison = self.comparison.value
        if simulation is None or comparison is None:
            return None
        run = simulation.config["run"]
        if self.compared_run != (run["seed"], run["months"]):
            return None
        applied = self.applied.value
        for scenario in self.compared.value:
            if dict(scenario.values) == applied:
                return comparison.pair(scenario.name)
        return None


def _whole_or_none(text: str) -> int | None:
    number = typed_number(text)
    return number if isinstance(number, int) else None


def typed_number(text: str) -> int | str:
    """A whole number typed in a box, or the text itself for the schema to refuse."""
    try:
        return int(text.strip())
    except ValueError:
        return text


def number_or_text(text: str) -> float | str | None:
    """A number typed in a box (None if empty), or the text itself for the schema to refuse."""
    stripped = text.strip()
    if not stripped:
        return None
    try:
        return float(stripped)
    except ValueError:
        return stripped
