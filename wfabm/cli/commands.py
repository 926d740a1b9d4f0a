"""The ``wfabm`` command line and its subcommands.

``run``, ``check``, ``compare``, ``calibrate``, ``report``, ``validate``, ``experiment``,
``analyse``, ``replicate`` and ``dashboard``.

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
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from wfabm.batch.progress import ProgressBar
from wfabm.cli.arguments import UsageError
from wfabm.cli.calibration import calibrate_command, report_command
from wfabm.cli.options import DEFAULT_DRAW_SEEDS, DEFAULT_DRAWS, config_value
from wfabm.cli.parser import build_parser, build_rerun_parser
from wfabm.cli.posterior import posterior_command
from wfabm.cli.validation import validate_command
from wfabm.config import Config, ConfigError, display_path, load_config

if TYPE_CHECKING:
    from wfabm.batch.ensemble import Ensemble

__all__ = ["main"]

_USAGE_ERROR = 2
_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wfabm`` command line.

    Args:
        argv: The arguments after the program name; defaults to ``sys.argv[1:]``.

    Returns:
        The exit status: 0 on success, 2 for a usage or config error, 130 when
        interrupted.
    """
    try:
        words = list(sys.argv[1:] if argv is None else argv)
        # `experiment rerun` is a command of its own; `experiment SPEC` takes a file.
        rerun = words[:2] == ["experiment", "rerun"]
        try:
            if rerun:
                args = build_rerun_parser().parse_args(words[2:])
            else:
                args = build_parser().parse_args(words)
        except SystemExit as done:
            # --help and --version exit through argparse; report their status.
            return done.code if isinstance(done.code, int) else 0
        return _HANDLERS[args.command](args)
    except (ConfigError, UsageError) as error:
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


def _replicate(args: argparse.Namespace) -> int:
    from wfabm.batch.replicate import load_replay

    # Everything is checked before the (slow) re-run starts.
    replay = load_replay(args.folder)
    if args.out is not None:
        replay.check_out(args.out)
    for warning in replay.warnings:
        print(f"wfabm: warning: {' '.join(warning.split())}", file=sys.stderr)
    bar = None if args.quiet else ProgressBar("replicate", "run")
    try:
        replication = replay.run(
            args.out,
            workers=args.workers,
            progress=not args.quiet,
            runs_done=None if bar is None else bar.update_to,
        )
    finally:
        if bar is not None:
            bar.close()
    print(replication.text())
    return 0 if replication.identical else 1


_RUNS_FAILED = 1
_TERMINATED = 128 + 15
"""Exit status after SIGTERM, as a shell reports a process it ended."""


def _experiment(args: argparse.Namespace) -> int:
    from wfabm.batch.cluster import ClusterError
    from wfabm.batch.experiment import (
        ExperimentInterrupted,
        check_results_folder,
        load_experiment,
        run_experiment,
    )

    if args.engine != "dask" and (args.scheduler or args.cluster):
        raise UsageError("--scheduler and --cluster need --engine dask")
    if args.scheduler and args.cluster:
        raise UsageError("give --scheduler or --cluster, not both")
    experiment = load_experiment(
        args.spec, max_runs=args.max_runs, months=args.months, replicates=args.replicates
    )
    from wfabm.batch.preview import dry_run_text, idle_lever_warnings

    if args.dry_run:
        for warning in idle_lever_warnings(experiment):
            _warn(warning)
        print(dry_run_text(experiment, args.workers))
        return 0
    # Before a cluster's jobs are submitted: a folder that cannot take the results is
    # refused while nothing has started.
    check_results_folder(experiment, args.out)
    scheduler, worker_timeout = args.scheduler, None
    if args.cluster:
        from wfabm.batch.cluster import check_submit_command, load_cluster_settings

        settings = load_cluster_settings(args.cluster)
        check_submit_command(settings)
        worker_timeout = settings["worker_timeout"]
    # Warned of once nothing is left to refuse, so that a refusal stays one paragraph.
    for warning in idle_lever_warnings(experiment):
        _warn(warning)
    bar = None if args.quiet else ProgressBar(experiment.name, "run")
    try:
        with _SigtermAsInterrupt() as sigterm:
            if args.cluster:
                from wfabm.batch.cluster import slurm_cluster

                scheduler = slurm_cluster(settings)
            outcome = run_experiment(
                experiment,
                args.out,
                engine=args.engine,
                workers=args.workers,
                scheduler=scheduler,
                progress=None if bar is None else _runs_progress(bar),
                worker_timeout=worker_timeout,
            )
    except ClusterError as error:
        if bar is not None:
            bar.close()
        _fail(f"{error} The runs finished so far are kept; run the same command again to resume.")
        return _RUNS_FAILED
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
    if args.cluster:
        from wfabm.batch.cluster import submission_failures

        failures = submission_failures(scheduler)
        if failures:
            _warn(f"{len(failures)} SLURM job(s) could not be submitted: {failures[0]}")
    if outcome.failed:
        print(outcome.failure_text(), file=sys.stderr)
        return _RUNS_FAILED
    return 0


def _runs_progress(bar: ProgressBar) -> Callable[[int, int, int], None]:
    """Adapt the bar to an experiment's ``(done, skipped, total)`` reports."""

    def report(done: int, skipped: int, total: int) -> None:
        # Runs kept from an earlier session count as done but not towards the rate.
        note = f"{skipped} from before" if skipped else ""
        bar.update_to(skipped + done, total, before=skipped, note=note)

    return report


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


def _experiment_rerun(args: argparse.Namespace) -> int:
    from wfabm.batch.rerun import rerun_run

    rerun = rerun_run(args.folder, args.run)
    for warning in rerun.warnings:
        _warn(warning)
    print(rerun.text())
    return 0 if rerun.identical else 1


def _analyse(args: argparse.Namespace) -> int:
    from wfabm.batch.analysis import analyse, check_expected, write_expected
    from wfabm.batch.discovery import discover, parse_condition

    # Checked before the analysis, which takes a while.
    condition = parse_condition(args.discover) if args.discover else None

    report = analyse(
        args.results,
        outcome=args.outcome,
        sector=args.sector,
        role=args.role,
        reference=args.reference,
    )
    print(report.text())
    if condition is not None:
        analysis = report.manifest["spec"]["analysis"]
        found = discover(
            args.results,
            condition,
            sector=analysis["sector"],
            role=analysis["role"],
        )
        print(found.text())
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
    from wfabm.batch.compare import (
        check_out,
        compare_configs,
        write_comparison,
        write_comparison_json,
    )

    if args.out is not None:
        check_out(args.out)
    if args.json is not None:
        _check_json_file(args.json)
    ensemble = _compare_ensemble(args, baseline, scenario, root)
    for config in (baseline, scenario):
        _warn_idle_levers(config, months)
    bar = None if args.quiet else ProgressBar("compare", "run")
    try:
        comparison = compare_configs(
            baseline,
            scenario,
            seeds=args.seeds or 10,
            months=months,
            root_seed=root,
            workers=args.workers,
            progress=None if bar is None else bar.update_to,
            ensemble=ensemble,
        )
    finally:
        # An error or Ctrl-C mid-way must not be printed on the end of the progress line.
        if bar is not None:
            bar.close()
    out = write_comparison(comparison, args.out) if args.out is not None else None
    if args.json is not None:
        write_comparison_json(comparison, args.json)
    print(comparison.text(out))
    return 0


def _compare_ensemble(
    args: argparse.Namespace, baseline: Config, scenario: Config, root: int
) -> Ensemble | None:
    """The ensemble ``--ensemble``/``--draws``/``--seeds`` ask for, or None for seeds alone."""
    if args.ensemble is None:
        if args.draws is not None:
            raise UsageError(
                f"--draws {args.draws} needs --ensemble DIR, the folder of parameter draws to "
                "take them from; without it a comparison runs the configs' own parameters on "
                "--seeds seeds."
            )
        return None
    from wfabm.batch.compare import comparison_seeds
    from wfabm.batch.ensemble import draw_ensemble, load_draws

    draws = load_draws(args.ensemble, baseline)
    load_draws(args.ensemble, scenario)
    count = args.draws or DEFAULT_DRAWS
    per_draw = args.seeds or DEFAULT_DRAW_SEEDS
    return draw_ensemble(
        draws,
        count=count,
        seeds=comparison_seeds(root, count * per_draw),
        seeds_per_draw=per_draw,
        root=root,
    )


def _check_json_file(path: str) -> None:
    """Refuse a ``--json`` path that is a folder, before any run starts."""
    from pathlib import Path

    if Path(path).is_dir():
        raise UsageError(
            f"--json {display_path(path)} is a folder; give the path of the JSON file to "
            "write, e.g. --json comparison.json."
        )


def _dashboard(args: argparse.Namespace) -> int:
    # Imported only now: the dashboard needs Solara, which the other commands do not.
    from wfabm.dashboard.server import ListenError, OfflineAssetsError, serve

    try:
        serve(args.host, args.port)
    except (OfflineAssetsError, ListenError) as error:
        raise UsageError(str(error)) from None
    return 0


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": _run,
    "check": _check,
    "compare": _compare,
    "calibrate": calibrate_command,
    "posterior": posterior_command,
    "report": report_command,
    "validate": validate_command,
    "experiment": _experiment,
    "experiment rerun": _experiment_rerun,
    "analyse": _analyse,
    "replicate": _replicate,
    "dashboard": _dashboard,
}
"""The function that carries out each subcommand, by the name :func:`build_parser` gives it."""


def _warn_idle_levers(config: Config, months: int) -> None:
    """Say on stderr which of the config's levers never act in a run of ``months`` months."""
    from wfabm.levers.idle import idle_levers

    for text in idle_levers(config.data, months):
        print(f"wfabm: warning: {display_path(config.chain[-1])}: {text}", file=sys.stderr)


def _warn(message: str) -> None:
    print(f"wfabm: warning: {' '.join(message.split())}", file=sys.stderr)


def _fail(message: str) -> None:
    print(f"wfabm: error: {' '.join(message.split())}", file=sys.stderr)
