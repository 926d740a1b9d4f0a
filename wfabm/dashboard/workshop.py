"""One browser session of the dashboard: its levers, run state, model and comparison.

:class:`Workshop` holds Solara reactive values, so the components that read them redraw
when they change; its methods are what the buttons do. It knows nothing of how the views
are drawn (:mod:`.app`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

import solara

from wfabm.config import Config, load_config
from wfabm.dashboard.i18n import t
from wfabm.dashboard.levers import GROUPS, LeverError, configure, lever_values, presets
from wfabm.dashboard.replicates import Replicates, run_replicates
from wfabm.dashboard.scenario_file import Scenario
from wfabm.dashboard.share import SharedState
from wfabm.dashboard.simulation import Simulation

__all__ = [
    "DEFAULT_HORIZON",
    "MAX_REPLICATES",
    "SPEEDS",
    "Workshop",
    "number_or_text",
    "typed_number",
]

SPEEDS = (1, 2, 5, 10)
"""Months a second that play can run at."""

DEFAULT_HORIZON = 120
MAX_REPLICATES = 10


class Workshop:
    """One browser session's state: levers, seed, horizon, the model and the comparison.

    Attributes:
        values: Lever values (:func:`~wfabm.dashboard.levers.lever_values`), as edited.
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
        comparison: The finished comparison, if any.
        compare_request: Bumped to start a comparison.
        compare_progress: ``(runs done, runs in all)`` of the comparison under way.
        replicates: Seeds per config in a comparison.
        compare_error: Why the last comparison did not run, or None.
        compare_workers: Processes a comparison runs in (two: the machine's cores).
        compared: The config hash of the scenario the comparison was run on.
    """

    def __init__(self, shared: SharedState | None = None) -> None:
        """Start a session: the baseline, or the state a link carries.

        Args:
            shared: The state of a link (:func:`~.share.read_query`), already checked.
        """
        self.baseline = load_config()
        self.values = solara.reactive(lever_values(self.baseline))
        self.preset = solara.reactive("baseline")
        self.seed = solara.reactive(str(self.baseline["run"]["seed"]))
        self.horizon = solara.reactive(str(DEFAULT_HORIZON))
        self.error: solara.Reactive[str | None] = solara.reactive(None)
        self.simulation: solara.Reactive[Simulation | None] = solara.reactive(None)
        self.tick = solara.reactive(0)
        self.playing = solara.reactive(False)
        self.speed = solara.reactive(SPEEDS[1])
        self.view = solara.reactive("workforce")
        self.lever_group: solara.Reactive[str | None] = solara.reactive(GROUPS[0])
        self.comparison: solara.Reactive[Replicates | None] = solara.reactive(None)
        self.compare_request = solara.reactive(0)
        self.compare_progress: solara.Reactive[tuple[int, int] | None] = solara.reactive(None)
        self.replicates = solara.reactive(3)
        self.compare_error: solara.Reactive[str | None] = solara.reactive(None)
        self.compare_workers = 2
        self.compared: str | None = None
        self.lock = threading.RLock()
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

    def open_scenario(self, scenario: Scenario) -> bool:
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

    # ------------------------------------------------------------------ run
    def restart(self) -> bool:
        """Build a new model from the levers, back at the first month.

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
        self.error.set(None)
        self.simulation.set(simulation)
        self.tick.set(0)
        return True

    def step(self) -> bool:
        """Simulate one month; False once the horizon is reached."""
        simulation = self.simulation.value
        if simulation is None:
            return False
        with self.lock:
            stepped = simulation.step()
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
    def compare(self, cancel: threading.Event) -> None:
        """Run the levers of the run shown against the baseline on common seeds.

        The seeds derive from the run's seed and the runs go to its horizon (see
        :mod:`.replicates`).
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
        scenario = simulation.config
        run = scenario["run"]
        baseline = configure(
            lever_values(self.baseline), seed=run["seed"], horizon=run["months"], base=self.baseline
        )
        self.compare_error.set(None)
        self.comparison.set(None)
        try:
            result = run_replicates(
                baseline,
                scenario,
                replicates=replicates,
                months=run["months"],
                root_seed=run["seed"],
                workers=self.compare_workers,
                progress=lambda done, total: self.compare_progress.set((done, total)),
                cancel=cancel,
            )
        except Exception as error:  # shown to the room rather than lost in a thread
            self.compare_error.set(t("The comparison failed: {error}", error=error))
            return
        finally:
            self.compare_progress.set(None)
        if result is not None:
            self.compared = scenario.hash
            self.comparison.set(result)

    def comparison_of_run(self) -> Replicates | None:
        """The comparison, if it was run on the config of the run shown (else None)."""
        simulation = self.simulation.value
        comparison = self.comparison.value
        if simulation is None or comparison is None or self.compared != simulation.config.hash:
            return None
        return comparison


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
