"""The ``wfabm posterior`` command: Bayesian calibration by ABC-SMC, and its posterior folder.

:mod:`wfabm.cli.parser` adds it to the ``wfabm`` parser and :mod:`wfabm.cli.commands` runs
it; errors end as one ``wfabm: error:`` line and exit status 2 there, like every other
command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from wfabm.batch.progress import ProgressBar
from wfabm.cli.arguments import Subcommands, seed
from wfabm.cli.options import (
    CONFIG,
    EXPERIMENT_MONTHS,
    FOLDER,
    GENERATIONS,
    PARTICLES,
    WORKERS,
    choice,
    option_value,
)
from wfabm.config import BASELINE_NAME, display_path, load_config

if TYPE_CHECKING:
    from wfabm.calibration.abc import Posterior

__all__ = ["add_posterior_command", "posterior_command"]


def add_posterior_command(commands: Subcommands) -> None:
    """Add ``posterior``: ABC-SMC calibration of the free parameters.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
    posterior = commands.add_parser(
        "posterior",
        help="Bayesian calibration: a posterior sample of the free parameters (ABC-SMC)",
        description=(
            "Calibrate the free behavioural parameters by approximate Bayesian computation "
            "(sequential Monte Carlo, with pyabc): uniform priors within each parameter's "
            "bounds, the distance of the point fit, a tolerance tightened each generation. "
            "Writes a folder of weighted parameter draws that `wfabm compare --ensemble` "
            "reads. The same options give the same posterior with any number of workers; "
            "running the command again with the same --work folder resumes after the last "
            "finished generation."
        ),
    )
    posterior.add_argument(
        "config",
        nargs="?",
        default=BASELINE_NAME,
        type=option_value("CONFIG", CONFIG),
        metavar="CONFIG",
        help=f'the config whose parameters are calibrated (default: "{BASELINE_NAME}")',
    )
    posterior.add_argument(
        "--particles",
        type=option_value("--particles", PARTICLES),
        default=200,
        metavar="N",
        help="population size of each generation, the posterior's draws, 2 to 100000 "
        "(default: 200)",
    )
    posterior.add_argument(
        "--generations",
        type=option_value("--generations", GENERATIONS),
        default=6,
        metavar="N",
        help="generations, each with a tighter tolerance, 1 to 100 (default: 6)",
    )
    posterior.add_argument(
        "--months",
        type=option_value("--months", EXPERIMENT_MONTHS),
        default=12,
        metavar="N",
        help="months per run, 1 to 1200 (default: 12, the base year the targets describe)",
    )
    posterior.add_argument(
        "--seed", type=seed, default=20220401, metavar="ROOT", help="root seed (default: 20220401)"
    )
    posterior.add_argument(
        "--workers",
        type=option_value("--workers", WORKERS),
        default=1,
        metavar="N",
        help="processes to run in, 1 to 1024 (default: 1); the posterior does not depend on it",
    )
    posterior.add_argument(
        "--engine",
        type=choice("--engine", ("local", "dask")),
        default="local",
        help="local processes, or a local Dask cluster (default: local)",
    )
    posterior.add_argument(
        "--work",
        type=option_value("--work", FOLDER),
        default="results/posterior-calibration",
        metavar="DIR",
        help="folder for pyabc's history, where a run resumes "
        "(default: results/posterior-calibration)",
    )
    posterior.add_argument(
        "--out",
        type=option_value("--out", FOLDER),
        default="results/posterior",
        metavar="DIR",
        help="the posterior folder to write: draws.parquet and manifest.json "
        "(default: results/posterior)",
    )
    posterior.add_argument("--quiet", action="store_true", help="do not show progress")


def posterior_command(args: argparse.Namespace) -> int:
    """Run ``wfabm posterior``: calibrate, write the posterior folder, print its summary."""
    base = load_config(args.config)
    # Imported only now: pyabc and the model load slowly and other commands need neither.
    from wfabm.calibration.abc import AbcSettings, calibrate_posterior, write_posterior

    settings = AbcSettings(
        particles=args.particles,
        generations=args.generations,
        months=args.months,
        root_seed=args.seed,
        workers=args.workers,
        engine=args.engine,
    )
    bar = None if args.quiet else ProgressBar("posterior", "generation")
    try:
        posterior = calibrate_posterior(
            base, settings, args.work, progress=None if bar is None else bar.update_to
        )
    finally:
        if bar is not None:
            bar.close()
    out = write_posterior(posterior, args.out)
    print(summary(posterior, out))
    return 0


def summary(posterior: Posterior, out: Path) -> str:
    """The posterior in a few lines: the run, and each parameter's median and 90 % interval."""
    tolerances = ", ".join(f"{e:.3g}" for e in posterior.epsilons)
    lines = [
        f"wfabm posterior: {len(posterior.weights)} draws in {display_path(out)}",
        f"{len(posterior.epsilons)} generations, {posterior.runs} model runs; "
        f"tolerance by generation: {tolerances}",
        f"effective sample size {posterior.effective_sample_size:.1f}",
        "",
        f"  {'parameter':<34}{'median':>10}  {'90% interval':<22}{'sd / prior sd':>14}",
    ]
    medians, ratios = posterior.medians(), posterior.prior_ratios()
    low, high = posterior.quantiles(0.05), posterior.quantiles(0.95)
    for parameter in posterior.parameters:
        name = parameter.name
        verdict = "pinned" if ratios[name] < 0.5 else "prior-dominated"
        lines.append(
            f"  {name:<34}{medians[name]:>10.4g}  "
            f"{f'{low[name]:.4g} to {high[name]:.4g}':<22}{ratios[name]:>8.2f} {verdict}"
        )
    return "\n".join(lines)
