"""The ``wfabm`` command line: ``run``, ``check``, ``compare``, ``calibrate`` and ``report``.

Every user mistake (a bad config, a bad option) ends as a single
``wfabm: error: ...`` line on stderr and exit status 2, never a traceback, and
configs are validated before anything is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from wfabm import __version__
from wfabm.config import BASELINE_NAME, Config, ConfigError, display_path, load_config

__all__ = ["main"]

_USAGE_ERROR = 2
_INTERRUPTED = 130


class _UsageError(Exception):
    """A command-line mistake, raised instead of argparse's print-and-exit."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message}; see '{self.prog} --help'.")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wfabm`` command line.

    Args:
        argv: The arguments after the program name; defaults to ``sys.argv[1:]``.

    Returns:
        The exit status: 0 on success, 2 for a usage or config error, 130 when
        interrupted.
    """
    try:
        try:
            args = _build_parser().parse_args(argv)
        except SystemExit as done:
            # --help and --version exit through argparse; report their status.
            return done.code if isinstance(done.code, int) else 0
        return args.handler(args)
    except (ConfigError, _UsageError) as error:
        _fail(str(error))
        return _USAGE_ERROR
    except KeyboardInterrupt:
        print("wfabm: interrupted", file=sys.stderr)
        return _INTERRUPTED
    except BrokenPipeError:
        # The reader (e.g. `head`) went away; silence the flush at exit as well.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="wfabm",
        description="An agent-based model of the Welsh social care labour market.",
    )
    parser.add_argument("--version", action="version", version=f"wfabm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="run the model and write results",
        description="Validate a config, run the model and write its results.",
    )
    run.add_argument(
        "config",
        nargs="?",
        default=BASELINE_NAME,
        metavar="CONFIG",
        help=f'a .toml config file, or "{BASELINE_NAME}" (the default)',
    )
    run.add_argument(
        "--seed",
        type=_seed,
        metavar="N",
        help="random seed, a whole number >= 0 (default: the config's run.seed)",
    )
    run.add_argument(
        "--months",
        type=_months,
        metavar="N",
        help="months to simulate, a whole number >= 1 (default: the config's run.months)",
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        help="output folder (default: results/<config name>/seed-<N>)",
    )
    run.add_argument("--quiet", action="store_true", help="do not show progress")
    run.set_defaults(handler=_run)

    check = commands.add_parser(
        "check",
        help="validate a config and print it fully resolved",
        description="Validate a config and print it with every inherited value filled in.",
    )
    check.add_argument(
        "config", metavar="CONFIG", help=f'a .toml config file, or "{BASELINE_NAME}"'
    )
    check.set_defaults(handler=_check)

    compare = commands.add_parser(
        "compare",
        help="compare a scenario with a baseline over the same seeds",
        description=(
            "Run both configs on the same seeds (common random numbers), summarise each run "
            "over its last 12 months, and report scenario - baseline differences with 95% "
            "intervals over seeds."
        ),
    )
    compare.add_argument(
        "baseline", metavar="BASELINE", help=f'a .toml config file, or "{BASELINE_NAME}"'
    )
    compare.add_argument(
        "scenario", metavar="SCENARIO", help=f'a .toml config file, or "{BASELINE_NAME}"'
    )
    compare.add_argument(
        "--seeds",
        type=_count,
        default=10,
        metavar="N",
        help="seeds to run each config on, a whole number >= 1 (default: 10; "
        "intervals need 2 or more)",
    )
    compare.add_argument(
        "--months",
        type=_months,
        metavar="N",
        help="months per run, a whole number >= 1 (default: BASELINE's run.months)",
    )
    compare.add_argument(
        "--seed",
        type=_seed,
        metavar="ROOT",
        help="root seed the run seeds derive from, a whole number >= 0 "
        "(default: BASELINE's run.seed)",
    )
    compare.add_argument(
        "--workers",
        type=_count,
        default=1,
        metavar="N",
        help="processes to run in, a whole number >= 1 (default: 1); results do not depend on it",
    )
    compare.add_argument(
        "--out",
        metavar="DIR",
        help="write comparison.parquet, comparison.csv and runs.parquet to this folder",
    )
    compare.add_argument("--quiet", action="store_true", help="do not show progress")
    compare.set_defaults(handler=_compare)
    _add_calibration_commands(commands)
    return parser


def _add_calibration_commands(commands: argparse._SubParsersAction) -> None:
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
        metavar="CONFIG",
        help=f'the config whose parameters are fitted (default: "{BASELINE_NAME}")',
    )
    calibrate.add_argument(
        "--budget",
        type=_count,
        default=200,
        metavar="N",
        help="most candidates to evaluate, each on every seed (default: 200, as shipped)",
    )
    calibrate.add_argument(
        "--seeds",
        type=_count,
        default=3,
        metavar="K",
        help="seeds every candidate runs on (default: 3, as shipped)",
    )
    calibrate.add_argument(
        "--seed",
        type=_seed,
        metavar="ROOT",
        help="root seed the seeds derive from (default: the config's run.seed)",
    )
    calibrate.add_argument(
        "--report-seeds",
        type=_count,
        default=10,
        metavar="K",
        help="seeds for the report's intervals (default: 10)",
    )
    _add_workers_and_out(calibrate, "results/calibration")
    calibrate.add_argument(
        "--install",
        action="store_true",
        help="also write the result over the packaged configs/calibrated.toml "
        "that the baseline extends",
    )
    calibrate.set_defaults(handler=_calibrate)

    report = commands.add_parser(
        "report",
        help="report how a config fits the calibration targets",
        description="Reports on a config. 'wfabm report calibration' runs the config over "
        "the base year on common seeds and sets every 2022 target beside the simulated mean "
        "and its 95% interval; it writes targets.csv, targets.md and fit.png.",
    )
    report.add_argument("kind", choices=["calibration"], metavar="KIND", help='"calibration"')
    report.add_argument(
        "config",
        nargs="?",
        default=BASELINE_NAME,
        metavar="CONFIG",
        help=f'a .toml config file, or "{BASELINE_NAME}" (the default)',
    )
    report.add_argument(
        "--seeds", type=_count, default=10, metavar="K", help="seeds to run (default: 10)"
    )
    report.add_argument(
        "--seed",
        type=_seed,
        metavar="ROOT",
        help="root seed the seeds derive from (default: the config's run.seed)",
    )
    _add_workers_and_out(report, "results/calibration/report")
    report.set_defaults(handler=_report)


def _add_workers_and_out(parser: argparse.ArgumentParser, out: str) -> None:
    parser.add_argument(
        "--workers",
        type=_count,
        default=1,
        metavar="N",
        help="processes to run in (default: 1); results do not depend on it",
    )
    parser.add_argument("--out", default=out, metavar="DIR", help=f"output folder (default: {out})")
    parser.add_argument("--quiet", action="store_true", help="do not show progress")


def _run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    seed = args.seed if args.seed is not None else _from_config(config, "run.seed", "--seed")
    months = (
        args.months if args.months is not None else _from_config(config, "run.months", "--months")
    )
    # Imported only now so that `wfabm check` works without the model's dependencies.
    from wfabm.runner import run_to_directory

    result = run_to_directory(
        config, seed=seed, months=months, out=args.out, progress=not args.quiet
    )
    print(result.summary_text())
    return 0


def _check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    files = ", ".join(display_path(path) for path in config.chain)
    print(f"# wfabm config merged from {files} (later files win); hash {config.hash}")
    print(config.to_toml(), end="")
    return 0


def _compare(args: argparse.Namespace) -> int:
    # Both configs and the output folder are checked before the first (slow) run.
    baseline = load_config(args.baseline)
    scenario = load_config(args.scenario)
    months = (
        args.months if args.months is not None else _from_config(baseline, "run.months", "--months")
    )
    root = args.seed if args.seed is not None else _from_config(baseline, "run.seed", "--seed")
    # Imported only now so that `wfabm check` works without the model's dependencies.
    from wfabm.compare import check_out, compare_configs, write_comparison

    if args.out is not None:
        check_out(args.out)
    progress = _RunsDone()
    try:
        comparison = compare_configs(
            baseline,
            scenario,
            seeds=args.seeds,
            months=months,
            root_seed=root,
            workers=args.workers,
            progress=None if args.quiet else progress,
        )
    finally:
        # An error or Ctrl-C mid-way must not be printed on the end of the progress line.
        progress.close()
    out = write_comparison(comparison, args.out) if args.out is not None else None
    print(comparison.text(out))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    root = args.seed if args.seed is not None else _from_config(config, "run.seed", "--seed")
    # Imported only now so that `wfabm check` works without the model's dependencies.
    from wfabm import calibration as calib
    from wfabm.calibration_report import REPORT_FILES, sensitivity, target_table, write_report
    from wfabm.compare import comparison_seeds
    from wfabm.config import named_config_path
    from wfabm.runner import check_results_folder

    out = check_results_folder(args.out, (calib.CACHE_FILE, calib.CALIBRATED_FILE, "report"))
    check_results_folder(out / "report", REPORT_FILES)
    progress = None if args.quiet else calib.show_progress
    try:
        result = calib.calibrate(
            config,
            budget=args.budget,
            seeds=args.seeds,
            root_seed=root,
            workers=args.workers,
            cache=out / calib.CACHE_FILE,
            progress=progress,
        )
    finally:
        if progress is not None:
            sys.stderr.write("\n")
    text = calib.calibrated_toml(result)
    calib.write_text_atomically(out / calib.CALIBRATED_FILE, text)
    written = display_path(out / calib.CALIBRATED_FILE)
    print(
        f"wfabm calibrate: {result.evaluations} candidates, objective {result.objective:.4g} "
        f"({result.stopped.rstrip('.')}); parameters in {written}"
    )
    if args.install:
        installed = calib.write_text_atomically(named_config_path("calibrated"), text)
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


def _report(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    root = args.seed if args.seed is not None else _from_config(config, "run.seed", "--seed")
    from pathlib import Path

    from wfabm.calibration import Evaluator
    from wfabm.calibration_report import REPORT_FILES, target_table, write_report
    from wfabm.compare import comparison_seeds
    from wfabm.runner import check_results_folder

    out = check_results_folder(Path(args.out), REPORT_FILES)
    if not args.quiet:
        sys.stderr.write(f"  report: {display_path(out)}: running {args.seeds} seeds\n")
    with Evaluator(config, tuple(comparison_seeds(root, args.seeds)), workers=args.workers) as ev:
        table = target_table(ev)
    write_report(out, table)
    print(_report_text(table, out, args.seeds))
    return 0


def _report_text(table, out, seeds: int) -> str:
    from wfabm.calibration_report import format_targets

    return (
        f"Calibration targets, base year (first 12 months), mean over {seeds} seeds; "
        f"report in {display_path(out)}\n{format_targets(table)}"
    )


class _RunsDone:
    """A one-line count of finished runs on stderr, redrawn in place."""

    def __init__(self) -> None:
        self.open = False

    def __call__(self, done: int, total: int) -> None:
        sys.stderr.write(f"\r  compare: {done}/{total} runs done")
        sys.stderr.flush()
        self.open = True

    def close(self) -> None:
        if self.open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.open = False


def _from_config(config: Config, key: str, option: str) -> int:
    try:
        return config.get(key)
    except KeyError:
        raise ConfigError(f"the config sets no {key}; pass {option}.") from None


def _seed(text: str) -> int:
    return _whole_number(text, minimum=0)


def _months(text: str) -> int:
    return _whole_number(text, minimum=1)


def _count(text: str) -> int:
    return _whole_number(text, minimum=1)


def _whole_number(text: str, *, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise argparse.ArgumentTypeError(f"must be a whole number >= {minimum}, not {text!r}")
    return value


def _fail(message: str) -> None:
    print(f"wfabm: error: {' '.join(message.split())}", file=sys.stderr)
