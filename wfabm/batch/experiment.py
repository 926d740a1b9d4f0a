"""Experiments: a spec's scenarios × parameter samples × replicates, run into a folder.

The parts live in one module each: the spec and its run table (:mod:`wfabm.batch.spec`),
the design (:mod:`wfabm.batch.design`) and the running (:mod:`wfabm.batch.session`). This
module gathers their public names, where callers import them from.
"""

from __future__ import annotations

from wfabm.batch.design import (
    CPU_SECONDS_PER_MONTH,
    CPU_SECONDS_PER_RUN,
    DESIGN_STREAM,
    DESIGNS,
    MAX_RUNS,
    Parameter,
    design_seed,
    salib_problem,
)
from wfabm.batch.session import (
    ExperimentInterrupted,
    SessionReport,
    check_results_folder,
    results_folder,
    run_experiment,
)
from wfabm.batch.spec import Experiment, Run, load_experiment

__all__ = [
    "CPU_SECONDS_PER_MONTH",
    "CPU_SECONDS_PER_RUN",
    "DESIGNS",
    "DESIGN_STREAM",
    "MAX_RUNS",
    "Experiment",
    "ExperimentInterrupted",
    "Parameter",
    "Run",
    "SessionReport",
    "check_results_folder",
    "design_seed",
    "load_experiment",
    "results_folder",
    "run_experiment",
    "salib_problem",
]
