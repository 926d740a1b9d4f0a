"""What an experiment would do, told before it runs: its size, its cost, its levers.

``wfabm experiment SPEC --dry-run`` prints :func:`dry_run_text` and writes nothing; every
session first warns (:func:`idle_lever_warnings`) of a scenario lever that never acts inside
the run window, since then the scenario is the baseline under another name and its
differences are all zero (a run shortened with ``--months`` is the usual cause).
"""

from __future__ import annotations

from wfabm.batch.design import CPU_SECONDS_PER_MONTH, CPU_SECONDS_PER_RUN
from wfabm.batch.spec import Experiment
from wfabm.core.calendar import month_date, parse_month
from wfabm.levers.idle import idle_levers, lever_starts

__all__ = ["dry_run_text", "estimated_seconds", "idle_lever_warnings", "lever_schedule"]


def estimated_seconds(experiment: Experiment, workers: int = 1) -> float:
    """Wall time the experiment's runs should take on ``workers`` workers of this machine type.

    From the stated costs :data:`~wfabm.batch.design.CPU_SECONDS_PER_RUN` (building a
    Wales-scale population) and :data:`~wfabm.batch.design.CPU_SECONDS_PER_MONTH` (one
    simulated month).
    """
    per_run = CPU_SECONDS_PER_RUN + experiment.months * CPU_SECONDS_PER_MONTH
    return len(experiment.runs) * per_run / max(1, min(workers, len(experiment.runs)))


def lever_schedule(experiment: Experiment) -> dict[str, list[str]]:
    """For each scenario, one line per switched-on lever: when it acts inside the run window.

    Args:
        experiment: The experiment.

    Returns:
        Scenario name → lines (``"no lever is switched on"`` for a scenario without any).
    """
    months = experiment.months
    schedule: dict[str, list[str]] = {}
    for name, config in experiment.scenarios.items():
        data = config.data
        run_start = parse_month(data["run"]["start"])
        last = month_date(run_start, months - 1)
        lines = []
        for lever in lever_starts(data):
            acts = month_date(run_start, lever.month)
            when = f" ({lever.when})" if lever.when else ""
            if lever.month < 0:
                lines.append(f"{lever.key}: acts from the first month (since {acts:%Y-%m}){when}")
            elif lever.month < months:
                lines.append(
                    f"{lever.key}: acts from {acts:%Y-%m}{when}, month {lever.month + 1} of "
                    f"{months}"
                )
            else:
                lines.append(
                    f"{lever.key}: NEVER acts: it first acts in {acts:%Y-%m}{when}, after the "
                    f"run's last month ({last:%Y-%m})"
                )
        schedule[name] = lines or ["no lever is switched on"]
    return schedule


def idle_lever_warnings(experiment: Experiment) -> list[str]:
    """One sentence per scenario lever that never acts in the experiment's run window."""
    return [
        f"scenario {name}: {text}"
        for name, config in experiment.scenarios.items()
        for text in idle_levers(config.data, experiment.months)
    ]


def dry_run_text(experiment: Experiment, workers: int = 1) -> str:
    """What ``--dry-run`` prints: runs, months, estimated time and each scenario's levers."""
    spec = experiment.spec["experiment"]
    samples, replicates = len(experiment.samples), spec["replicates"]
    scenarios = len(experiment.scenarios)
    seconds = estimated_seconds(experiment, workers)
    shown = f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"
    lines = [
        f"wfabm experiment {experiment.name} (dry run: nothing is run or written)",
        f"  {len(experiment.runs)} runs = {scenarios} scenario(s) x {samples} design point(s) "
        f"x {replicates} replicate(s), {experiment.months} months each "
        f"(summary over the last {experiment.outcomes['window_months']})",
        f"  estimated time: about {shown} on {workers} worker(s), at "
        f"{CPU_SECONDS_PER_RUN:g} s a run to build plus {CPU_SECONDS_PER_MONTH:g} s a simulated "
        "month (a Wales-scale run on this project's reference machine)",
        f"  spec hash {experiment.hash}",
    ]
    for name, levers in lever_schedule(experiment).items():
        lines.append(f"  scenario {name}:")
        lines.extend(f"    {line}" for line in levers)
    return "\n".join(lines)
