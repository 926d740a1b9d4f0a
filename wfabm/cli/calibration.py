"""The ``wfabm calibrate`` and ``wfabm report calibration`` commands: arguments and handlers.

:mod:`wfabm.cli.parser` adds them to the ``wfabm`` parser and :mod:`wfabm.cli.commands` runs
them; errors end as one ``wfabm: error:`` line and exit status 2 there, like every other
command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from wfabm.batch.progress import ProgressBar
from wfabm.cli.arguments import Subcommands, seed
from wfabm.cli.options import (
    BUDGET,
    CONFIG,
    FOLDER,
    SEEDS,
    WORKERS,
    choice,
    config_value,
    option_value,
)
from wfabm.config import BASELINE_NAME, display_path, load_config

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "add_calibrate_command",
    "add_report_command",
    "calibrate_command",
    "report_command",
]


def add_calibrate_command(commands: Subcommands) -> None:
    """Add ``calibrate``: fit the free parameters and write calibrated.toml and a report.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
    calibrate = commands.add_parser(
        "calibrate",
        help="fit the free behavioural parameters to the 2022 targets",
        description=(
            "Fit the free behavioural parameters to the 2022 Welsh workforce targets by the "
            "method of simulated moments on common seeds; write calibrated.toml and a report. "
            "Re-running the same command resumes from the cache in the output folder."
        ),
    )
    calibrate.add_argument(
        "config",
        nargs="?",
        default=BASELINE_NAME,
        type=option_value("CONFIG", CONFIG),
        metavar="CONFIG",
        help=f'the config whose parameters are fitted (default: "{BASELINE_NAME}")',
    )
    calibrate.add_argument(
        "--budget",
        type=option_value("--budget", BUDGET),
        default=110,
        metavar="N",
        help="most candidates to evaluate, each on every seed (default: 110, as shipped)",
    )
    calibrate.add_argument(
        "--seeds",
        type=option_value("--seeds", SEEDS),
        default=6,
        metavar="K",
        help="seeds every candidate runs on (default: 6, as shipped)",
    )
    calibrate.add_argument(
        "--seed",
        type=seed,
        metavar="ROOT",
        help="root seed the seeds derive from (default: the config's run.seed)",
    )
    calibrate.add_argument(
        "--report-seeds",
        type=option_value("--report-seeds", SEEDS),
        default=6,
        metavar="K",
        help="seeds for the report's intervals (default: 6, as shipped)",
    )
    _add_workers_and_out(calibrate, "results/calibration")
    calibrate.add_argument(
        "--install",
        action="store_true",
        help="also write the result over the packaged configs/calibrated.toml "
        "that the baseline extends",
    )


def add_report_command(commands: Subcommands) -> None:
    """Add ``report``: how a config fits the calibration targets.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
    report = commands.add_parser(
        "report",
        help="report how a config fits the calibration targets",
        description="Reports on a config. 'wfabm report calibration' runs the config over "
        "the base year on common seeds and sets every 2022 target beside the simulated mean "
        "and its 95% interval; it writes targets.csv, targets.md and fit.png.",
    )
    report.add_argument(
        "kind", type=choice("KIND", ("calibration",)), metavar="KIND", help='"calibration"'
    )
    report.add_argument(
        "config",
        nargs="?",
        default=BASELINE_NAME,
        type=option_value("CONFIG", CONFIG),
        metavar="CONFIG",
        help=f'a .toml config file, or "{BASELINE_NAME}" (the default)',
    )
    report.add_argument(
        "--seeds",
        type=option_value("--seeds", SEEDS),
        default=10,
        metavar="K",
        help="seeds to run (default: 10)",
    )
    report.add_argument(
        "--seed",
        type=seed,
        metavar="ROOT",
        help="root seed the seeds derive from (default: the config's run.seed)",
    )
    _add_workers_and_out(report, "results/calibration/report")


def _add_workers_and_out(parser: argparse.ArgumentParser, out: str) -> None:
    parser.add_argument(
        "--workers",
        type=option_value("--workers", WORKERS),
        default=1,
        metavar="N",
        help="processes to run in (default: 1); results do not depend on it",
    )
    parser.add_argument(
        "--out",
        type=option_value("--out", FOLDER),
        default=out,
        metavar="DIR",
        help=f"output folder (default: {out})",
    )
    parser.add_argument("--quiet", action="store_true", help="do not show progress")


def calibrate_command(args: argparse.Namespace) -> int:
    """Carry out ``wfabm calibrate``: fit, write calibrated.toml, then the report.

    Args:
        args: The parsed command line.

    Returns:
        The exit status, 0.
    """
    config = load_config(args.config)
    root = args.seed if args.seed is not None else config_value(config, "run.seed", "--seed")
    # Imported only now so that `wfabm check` works without the model's dependencies.
    from wfabm.batch.atomic import write_text
    from wfabm.batch.compare import comparison_seeds
    from wfabm.batch.run import check_results_folder
    from wfabm.calibration import fit as calib
    from wfabm.calibration.report import REPORT_FILES, sensitivity, target_table, write_report
    from wfabm.config import named_config_path

    out = check_results_folder(args.out, (calib.CACHE_FILE, calib.CALIBRATED_FILE, "report"))
    check_results_folder(out / "report", REPORT_FILES)
    bar = None if args.quiet else ProgressBar("calibrate", "candidate")
    try:
        result = calib.calibrate(
            config,
            budget=args.budget,
            seeds=args.seeds,
            root_seed=root,
            workers=args.workers,
            cache=out / calib.CACHE_FILE,
            progress=None if bar is None else _candidates_progress(bar),
        )
    finally:
        if bar is not None:
            bar.close()
    text = calib.calibrated_toml(result)
    write_text(out / calib.CALIBRATED_FILE, text)
    written = display_path(out / calib.CALIBRATED_FILE)
    print(
        f"wfabm calibrate: {result.evaluations} candidates, objective {result.objective:.4g} "
        f"({result.stopped.rstrip('.')}); parameters in {written}"
    )
    if args.install:
        installed = write_text(named_config_path("calibrated"), text)
        print(f"installed as {display_path(installed)}")
    calibrated = calib.candidate_config(config, result.values)
    report_seeds = tuple(comparison_seeds(root, args.report_seeds))
    if not args.quiet:
        sys.stderr.write(
            f"  report: the calibrated config on {len(report_seeds)} seeds, then the sensitivity "
            f"check ({len(calib.FREE_PARAMETERS)} steps on {len(result.seeds)} seeds)\n"
        )
    with calib.Evaluator(
        calibrated, report_seeds, result.months, out / calib.CACHE_FILE, args.workers
    ) as evaluator:
        table = target_table(evaluator)
        # The sensitivity runs on the calibration's seeds; the report's seeds measure the noise.
        evaluator.seeds = result.seeds
        spread = dict(zip(table["key"], table["sd"].fill_null(float("nan")), strict=True))
        tables = sensitivity(evaluator, result.values, spread)
    write_report(out / "report", table, tables)
    print(_report_text(table, out / "report", args.report_seeds))
    return 0


def report_command(args: argparse.Namespace) -> int:
    """Carry out ``wfabm report calibration``: the config's fit to the targets.

    Args:
        args: The parsed command line.

    Returns:
        The exit status, 0.
    """
    config = load_config(args.config)
    root = args.seed if args.seed is not None else config_value(config, "run.seed", "--seed")

    from wfabm.batch.compare import comparison_seeds
    from wfabm.batch.run import check_results_folder
    from wfabm.calibration.fit import Evaluator
    from wfabm.calibration.report import REPORT_FILES, target_table, write_report

    out = check_results_folder(Path(args.out), REPORT_FILES)
    if not args.quiet:
        sys.stderr.write(f"  report: {display_path(out)}: running {args.seeds} seeds\n")
    with Evaluator(config, tuple(comparison_seeds(root, args.seeds)), workers=args.workers) as ev:
        table = target_table(ev)
    write_report(out, table)
    print(_report_text(table, out, args.seeds))
    return 0


def _candidates_progress(bar: ProgressBar) -> Callable[[int, int | None, float], None]:
    """Adapt the bar to the fit's ``(candidates done, budget, best objective)`` reports."""

    def report(done: int, budget: int | None, best: float) -> None:
        bar.update_to(done, budget, note=f"best objective {best:.4g}")

    return report


def _report_text(table: pl.DataFrame, out: Path, seeds: int) -> str:
    from wfabm.calibration.report import format_targets

    return (
        f"Calibration targets, base year (first 12 months), mean over {seeds} seeds; "
        f"report in {display_path(out)}\n{format_targets(table)}"
    )
