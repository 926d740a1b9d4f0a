"""The month as a declared list of named stages, which can be listed and timed."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wfabm.model.month import Month
from wfabm.model.stages import (
    begin,
    clock,
    demand,
    employers,
    exits,
    inflows,
    levers_start,
    moves,
    progression,
    recording,
    uplifts,
    workload,
)
from wfabm.world.state import State


@dataclass(frozen=True)
class Stage:
    """One named step of the month.

    Attributes:
        name: The stage's name.
        run: The stage: it acts on the state and the month's scratch values.
    """

    name: str
    run: Callable[[State, Month], None]


class Plan:
    """The month as an ordered list of stages.

    ``str(plan)`` lists the stages in order. After :meth:`time`, :attr:`timings` adds up
    the seconds spent in each stage over the months run.

    Args:
        stages: The stages, in the order they run.

    Attributes:
        stages: The stages.
        timings: Seconds spent in each stage since timing was turned on, or None when off.
    """

    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = tuple(stages)
        names = [stage.name for stage in self.stages]
        if len(set(names)) != len(names):
            msg = f"stage names must be distinct, got {names}"
            raise ValueError(msg)
        self.timings: dict[str, float] | None = None

    def __str__(self) -> str:
        return "\n".join(f"{i:2d}. {stage.name}" for i, stage in enumerate(self.stages))

    @property
    def names(self) -> tuple[str, ...]:
        """The stages' names, in order."""
        return tuple(stage.name for stage in self.stages)

    def time(self, on: bool = True) -> None:
        """Start timing each stage afresh (``on``), or stop timing."""
        self.timings = dict.fromkeys(self.names, 0.0) if on else None

    def run_month(self, state: State) -> None:
        """Run every stage once, in order: one month."""
        now = Month()
        timings = self.timings
        if timings is None:
            for stage in self.stages:
                stage.run(state, now)
            return
        for stage in self.stages:
            started = time.perf_counter()
            stage.run(state, now)
            timings[stage.name] += time.perf_counter() - started


def month_plan() -> Plan:
    """The model's month (ODD section 3), as a new plan with timing off."""
    return Plan(
        [
            Stage("begin", begin.run),
            Stage("levers_start", levers_start.run),
            Stage("uplifts", uplifts.run),
            Stage("demand", demand.run),
            Stage("employers", employers.run),
            Stage("workload", workload.run),
            Stage("exits", exits.run),
            Stage("moves", moves.run),
            Stage("inflows", inflows.run),
            Stage("progression", progression.run),
            Stage("recording", recording.run),
            Stage("clock", clock.run),
        ]
    )
