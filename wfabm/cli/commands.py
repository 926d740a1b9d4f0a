"""The ``wfabm`` command line and its subcommands.

``run``, ``check``, ``compare``, ``calibrate``, ``report``, ``experiment``, ``analyse``,
``replicate`` and ``dashboard``.

Every user mistake (a bad config, a bad option) ends as a single
``wfabm: error: ...`` line on stderr and exit status 2, never a traceback, and
configs are validated before anything is written.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, NoReturn

from wfabm import __version__
from wfabm.cli.options import (
    CONFIG,
    FILE,
    FOLDER,
    HOST,
    PORT,
    RUN_LIMIT,
    SCHEDULER,
    SEEDS,
    WORKERS,
    choice,
    config_value,
    option_value,
)
from wfabm.config import BASELINE_NAME, Config, ConfigError, display_path, load_config

__all__ = ["main"]

_USAGE_ERROR = 2
_INTERRUPTED = 130


class _UsageError(Exception):
    """A command-line mistake, raised instead of argparse's print-and-exit."""


# Options that stand for config keys are checked as those keys.
_seed = option_value("--seed", key="run.seed")
_months = option_value("--months", key="run.months")


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
        type=option_value("CONFIG", CONFIG),
        metavar="CONFIG",
        help=f'a .toml config file, or "{BASELINE_NAME}" (the default)',
    )
    run.add_argument(
        "--seed",
        type=_seed,
        metavar="N",
        help="random seed, as run.seed allows (default: the config's run.seed)",
    )
    run.add_argument(
        "--months",
        type=_months,
        metavar="N",
        help="months to simulate, as run.months allows (default: the config's run.months)",
    )
    run.add_argument(
        "--out",
        type=option_value("--out", FOLDER),
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
        "config",
        type=option_value("CONFIG", CONFIG),
        metavar="CONFIG",
        help=f'a .toml config file, or "{BASELINE_NAME}"',
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
        "baseline",
        type=option_value("BASELINE", CONFIG),
        metavar="BASELINE",
        help=f'a .toml config file, or "{BASELINE_NAME}"',
    )
    compare.add_argument(
        "scenario",
        type=option_value("SCENARIO", CONFIG),
        metavar="SCENARIO",
        help=f'a .toml config file, or "{BASELINE_NAME}"',
    )
    compare.add_argument(
        "--seeds",
        type=option_value("--seeds", SEEDS),
        default=10,
        metavar="N",
        help="seeds to run each config on, 1 to 10000 (default: 10; intervals need 2 or more)",
    )
    compare.add_argument(
        "--months",
        type=_months,
        metavar="N",
        help="months per run, as run.months allows (default: BASELINE's run.months)",
    )
    compare.add_argument(
        "--seed",
        type=_seed,
        metavar="ROOT",
        help="root seed the run seeds derive from, as run.seed allows "
        "(default: BASELINE's run.seed)",
    )
    compare.add_argument(
        "--workers",
        type=option_value("--workers", WORKERS),
        default=1,
        metavar="N",
        help="processes to run in, 1 to 1024 (default: 1); results do not depend on it",
    )
    compare.add_argument(
        "--out",
        type=option_value("--out", FOLDER),
        metavar="DIR",
        help="write comparison.parquet, comparison.csv and runs.parquet to this folder",
    )
    compare.add_argument("--quiet", action="store_true", help="do not show progress")
    compare.set_defaults(handler=_compare)
    # Imported here: the calibration commands use this module's option types.
    from wfabm.cli.calibration import add_calibration_commands

    add_calibration_commands(commands)
    _add_experiment_commands(commands)
    _add_replicate_command(commands)

    dashboard = commands.add_parser(
        "dashboard",
        help="serve the policy workshop dashboard",
        description=(
            "Serve the policy workshop dashboard (works with no internet). Each browser "
            "session gets its own model."
        ),
    )
    dashboard.add_argument(
        "--host",
        type=option_value("--host", HOST),
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; the dashboard has "
        "no login, see the README before serving other machines)",
    )
    dashboard.add_argument(
        "--port",
        type=option_value("--port", PORT),
        default=8765,
        metavar="N",
        help="port, 1-65535 (default: 8765)",
    )
    dashboard.set_defaults(handler=_dashboard)
    return parser


def _add_experiment_commands(commands: argparse._SubParsersAction) -> None:
    experiment = commands.add_parser(
        "experiment",
        help="run a batch experiment from a spec",
        description=(
            "Expand an experiment spec (scenarios x parameter samples x replicates) into runs "
            "and run them into a results folder. Finished runs are kept: running the same "
            "command again resumes (and runs again any stored run found damaged). A failing "
            "run is retried once, then recorded in failures/ while the rest go on. Exit "
            "status: 0 when every run is done, 1 when any failed (run again to retry them), "
            "2 for a bad spec, option or folder (or a folder another session is using), "
            "130 on Ctrl-C and 143 on SIGTERM (run again to resume)."
        ),
    )
    experiment.add_argument(
        "spec", type=option_value("SPEC", FILE), metavar="SPEC", help="an experiment spec (.toml)"
    )
    experiment.add_argument(
        "--engine",
        type=choice("--engine", ("local", "dask")),
        metavar="{local,dask}",
        default="local",
        help="local: a process pool on this machine (default); dask: Dask distributed",
    )
    experiment.add_argument(
        "--workers",
        type=option_value("--workers", WORKERS),
        default=1,
        metavar="N",
        help="worker processes, 1 to 1024 (default: 1); results do not depend on it",
    )
    experiment.add_argument(
        "--scheduler",
        type=option_value("--scheduler", SCHEDULER),
        metavar="ADDRESS",
        help="with --engine dask: the address of a running Dask scheduler (default: start a "
        "local cluster of --workers processes)",
    )
    experiment.add_argument(
        "--cluster",
        type=option_value("--cluster", FILE),
        metavar="FILE",
        help="with --engine dask: submit workers to SLURM as a TOML file's [slurm] table "
        "says (see experiments/cluster/slurm.toml)",
    )
    experiment.add_argument(
        "--out",
        type=option_value("--out", FOLDER),
        metavar="DIR",
        help="results folder (default: results/<experiment name>)",
    )
    experiment.add_argument(
        "--max-runs",
        type=option_value("--max-runs", RUN_LIMIT),
        metavar="N",
        help="refuse a design of more than N runs, 1 to 10^12 (default: the spec's "
        "experiment.max_runs, else 100000)",
    )
    experiment.add_argument("--quiet", action="store_true", help="do not show progress")
    experiment.set_defaults(handler=_experiment)

    analyse = commands.add_parser(
        "analyse",
        help="summarise an experiment's results: tables, sensitivity indices, plots",
        description=(
            "Read an experiment's results folder and write analysis/: mean and 95%% intervals "
            "by scenario and month, SALib indices for Morris and Sobol designs, PNG plots and "
            "report.html."
        ),
    )
    analyse.add_argument(
        "results",
        type=option_value("DIR", FOLDER),
        metavar="DIR",
        help="the --out folder of wfabm experiment",
    )
    analyse.add_argument(
        "--expected",
        type=option_value("--expected", FILE),
        metavar="CSV",
        help="compare the expected summary with this file and fail (exit 1) where it moved",
    )
    analyse.add_argument(
        "--write-expected",
        type=option_value("--write-expected", FILE),
        metavar="CSV",
        help="write the expected summary (for CI replay) to this file",
    )
    analyse.set_defaults(handler=_analyse)


def _add_replicate_command(commands: argparse._SubParsersAction) -> None:
    replicate = commands.add_parser(
        "replicate",
        help="re-run a results folder from its manifest and check every table is identical",
        description=(
            "Re-run the folder of a `wfabm run` or `wfabm compare --out` from its manifest "
            "(configs, seeds, months) into another folder, never touching DIR, and compare "
            "every table cell for cell. Warns when the installed versions or git commit "
            "differ from the manifest's. Exit status 0 when every table is identical, 1 when "
            "any differs, 2 for a folder that cannot be replicated."
        ),
    )
    replicate.add_argument(
        "folder",
        type=option_value("DIR", FOLDER),
        metavar="DIR",
        help="the results folder to check",
    )
    replicate.add_argument(
        "--out",
        type=option_value("--out", FOLDER),
        metavar="DIR2",
        help="keep the re-run's files here (default: not kept)",
    )
    replicate.add_argument(
        "--workers",
        type=option_value("--workers", WORKERS),
        default=1,
        metavar="N",
        help="processes for a comparison's runs, 1 to 1024 (default: 1); results do not "
        "depend on it",
    )
    replicate.add_argument("--quiet", action="store_true", help="do not show progress")
    replicate.set_defaults(handler=_replicate)


def _replicate(args: argparse.Namespace) -> int:
    from wfabm.batch.replicate import load_replay

    # Everything is checked before the (slow) re-run starts.
    replay = load_replay(args.folder)
    if args.out is not None:
        replay.check_out(args.out)
    for warning in replay.warnings:
        print(f"wfabm: warning: {' '.join(warning.split())}", file=sys.stderr)
    progress = _RunsDone()
    try:
        replication = replay.run(
            args.out,
            workers=args.workers,
            progress=not args.quiet,
            runs_done=None if args.quiet else progress,
        )
    finally:
        progress.close()
    print(replication.text())
    return 0 if replication.identical else 1


_RUNS_FAILED = 1
_TERMINATED = 128 + 15
"""Exit status after SIGTERM, as a shell reports a process it ended."""


def _experiment(args: argparse.Namespace) -> int:
    from wfabm.batch.experiment import (
        ExperimentInterrupted,
        check_results_folder,
        load_experiment,
        run_experiment,
    )

    if args.engine != "dask" and (args.scheduler or args.cluster):
        raise _UsageError("--scheduler and --cluster need --engine dask")
    if args.scheduler and args.cluster:
        raise _UsageError("give --scheduler or --cluster, not both")
    experiment = load_experiment(args.spec, max_runs=args.max_runs)
    # Before a cluster's jobs are submitted: a folder that cannot take the results is
    # refused while nothing has started.
    check_results_folder(experiment, args.out)
    scheduler = args.scheduler
    bar = None if args.quiet else _RunsBar(experiment.name)
    try:
        with _SigtermAsInterrupt() as sigterm:
            if args.cluster:
                from wfabm.batch.executor import load_cluster_settings, slurm_cluster

                scheduler = slurm_cluster(load_cluster_settings(args.cluster))
            outcome = run_experiment(
                experiment,
                args.out,
                engine=args.engine,
                workers=args.workers,
                scheduler=scheduler,
                progress=bar,
            )
    except ExperimentInterrupted as interrupt:
        if bar is not None:
            bar.close()
        done = interrupt.report
        print(done.text(), file=sys.stderr)
        print(
            f"wfabm: interrupted{' (SIGTERM)' if sigterm.received else ''}: "
            f"{done.skipped + done.finished} of {done.total} runs are done and kept in "
            f"{display_path(done.out)}; run the same command again to resume.",
            file=sys.stderr,
        )
        return _TERMINATED if sigterm.received else _INTERRUPTED
    finally:
        if bar is not None:
            bar.close()
        if args.cluster and scheduler is not None:
            scheduler.close()
    print(outcome.text())
    if outcome.failed:
        print(outcome.failure_text(), file=sys.stderr)
        return _RUNS_FAILED
    return 0


class _SigtermAsInterrupt:
    """While open, SIGTERM stops the command as Ctrl-C does (workers ended, work saved).

    A second SIGTERM during that clean-up ends the process at once; the pool's workers
    end with it, and every file is whole.
    """

    def __init__(self) -> None:
        self.received = False
        self._before: Any = None

    def __enter__(self) -> _SigtermAsInterrupt:
        # Signal handlers can only be set from the main thread.
        if threading.current_thread() is threading.main_thread():
            self._before = signal.signal(signal.SIGTERM, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._before is not None:
            signal.signal(signal.SIGTERM, self._before)

    def _handle(self, signum: int, frame: object) -> None:
        self.received = True
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise KeyboardInterrupt


def _analyse(args: argparse.Namespace) -> int:
    from wfabm.batch.analysis import analyse, check_expected, write_expected

    report = analyse(args.results)
    print(report.text())
    if args.write_expected:
        written = write_expected(report, args.write_expected)
        print(f"expected summary written to {display_path(written)}")
    if args.expected:
        differences = check_expected(report, args.expected)
        if differences:
            print(differences, file=sys.stderr)
            return 1
        print(f"the expected summary matches {display_path(args.expected)}")
    return 0


class _StderrLine:
    """A progress line on stderr, redrawn in place and ended by :meth:`close`."""

    open = False

    def close(self) -> None:
        if self.open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.open = False


class _RunsBar(_StderrLine):
    """A one-line progress bar of finished runs, with the rate and time left, on stderr."""

    _WIDTH = 24

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = time.monotonic()

    def __call__(self, done: int, skipped: int, total: int) -> None:
        finished = skipped + done
        filled = round(self._WIDTH * finished / total) if total else self._WIDTH
        elapsed = time.monotonic() - self.started
        text = f"\r  {self.name} [{'#' * filled:<{self._WIDTH}}] {finished}/{total} runs"
        if skipped:
            text += f" ({skipped} from before)"
        if done:
            rate = done / elapsed
            left = (total - finished) / rate
            text += f", {60 * rate:.1f} runs/min, {_duration(left)} left"
        sys.stderr.write(text + "  ")
        sys.stderr.flush()
        self.open = True


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    seed = args.seed if args.seed is not None else config_value(config, "run.seed", "--seed")
    months = (
        args.months if args.months is not None else config_value(config, "run.months", "--months")
    )
    # Imported only now so that `wfabm check` works without the model's dependencies.
    from wfabm.batch.run import check_results_folder, results_folder, run_to_directory

    check_results_folder(results_folder(config, seed, args.out))
    _warn_idle_levers(config, months)
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
        args.months if args.months is not None else config_value(baseline, "run.months", "--months")
    )
    root = args.seed if args.seed is not None else config_value(baseline, "run.seed", "--seed")
    # Imported only now so that `wfabm check` works without the model's dependencies.
    from wfabm.batch.compare import check_out, compare_configs, write_comparison

    if args.out is not None:
        check_out(args.out)
    for config in (baseline, scenario):
        _warn_idle_levers(config, months)
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


def _dashboard(args: argparse.Namespace) -> int:
    # Imported only now: the dashboard needs Solara, which the other commands do not.
    from wfabm.dashboard.server import ListenError, OfflineAssetsError, serve

    try:
        serve(args.host, args.port)
    except (OfflineAssetsError, ListenError) as error:
        raise _UsageError(str(error)) from None
    return 0


class _RunsDone(_StderrLine):
    """A one-line count of finished runs on stderr, redrawn in place."""

    def __call__(self, done: int, total: int) -> None:
        sys.stderr.write(f"\r  compare: {done}/{total} runs done")
        sys.stderr.flush()
        self.open = True


def _warn_idle_levers(config: Config, months: int) -> None:
    """Say on stderr which of the config's levers never act in a run of ``months`` months."""
    from wfabm.levers.idle import idle_levers

    for text in idle_levers(config.data, months):
        print(f"wfabm: warning: {display_path(config.chain[-1])}: {text}", file=sys.stderr)


def _fail(message: str) -> None:
    print(f"wfabm: error: {' '.join(message.split())}", file=sys.stderr)
