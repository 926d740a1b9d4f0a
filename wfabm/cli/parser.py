"""The ``wfabm`` command's parser: one function per subcommand, declaring its arguments.

Which function handles each subcommand is decided by :mod:`wfabm.cli.commands`, from the
subcommand's name in ``args.command``; this module only declares what each one takes.
"""

from __future__ import annotations

from wfabm import __version__
from wfabm.cli.arguments import Parser, Subcommands, months, seed
from wfabm.cli.calibration import add_calibrate_command, add_report_command
from wfabm.cli.options import (
    CONFIG,
    DEFAULT_DRAW_SEEDS,
    DEFAULT_DRAWS,
    DRAWS,
    EXPERIMENT_MONTHS,
    FILE,
    FOLDER,
    HOST,
    PORT,
    REPLICATES,
    RUN_LIMIT,
    SCHEDULER,
    SEEDS,
    WORKERS,
    choice,
    option_value,
)
from wfabm.cli.posterior import add_posterior_command
from wfabm.cli.validation import add_validate_command
from wfabm.config import BASELINE_NAME
from wfabm.core.schema import Param

__all__ = [
    "add_analyse_command",
    "add_check_command",
    "add_compare_command",
    "add_dashboard_command",
    "add_experiment_command",
    "add_replicate_command",
    "add_run_command",
    "build_parser",
    "build_rerun_parser",
]


def build_parser() -> Parser:
    """Build the ``wfabm`` parser with every subcommand, in the order ``--help`` lists them.

    Returns:
        The parser; ``args.command`` names the subcommand given.
    """
    parser = Parser(
        prog="wfabm",
        description="An agent-based model of the Welsh social care labour market.",
    )
    parser.add_argument("--version", action="version", version=f"wfabm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_run_command(commands)
    add_check_command(commands)
    add_compare_command(commands)
    add_calibrate_command(commands)
    add_posterior_command(commands)
    add_report_command(commands)
    add_validate_command(commands)
    add_experiment_command(commands)
    add_analyse_command(commands)
    add_replicate_command(commands)
    add_dashboard_command(commands)
    return parser


def add_run_command(commands: Subcommands) -> None:
    """Add ``run``: run a config and write its results.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
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
        type=seed,
        metavar="N",
        help="random seed, as run.seed allows (default: the config's run.seed)",
    )
    run.add_argument(
        "--months",
        type=months,
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


def add_check_command(commands: Subcommands) -> None:
    """Add ``check``: validate a config and print it resolved.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
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


def add_compare_command(commands: Subcommands) -> None:
    """Add ``compare``: a scenario against a baseline on common seeds.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
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
        metavar="N",
        help="seeds to run each config on, 1 to 10000 (default: 10; intervals need 2 or "
        "more); with --ensemble, seeds per parameter draw (default: 2)",
    )
    compare.add_argument(
        "--ensemble",
        type=option_value("--ensemble", FOLDER),
        metavar="DIR",
        help="also vary the parameters: run both configs on draws taken by weight from this "
        "folder of parameter draws (draws.parquet: draw, weight and one column per dotted "
        "config key), so that intervals hold parameter as well as seed uncertainty",
    )
    compare.add_argument(
        "--draws",
        type=option_value("--draws", DRAWS),
        metavar="N",
        help=f"parameter draws to take with --ensemble, 1 to 10000 (default: {DEFAULT_DRAWS}; "
        f"with {DEFAULT_DRAW_SEEDS} seeds each, a 60-month comparison is "
        f"{2 * DEFAULT_DRAWS * DEFAULT_DRAW_SEEDS} runs, under a minute with --workers 2 on "
        "2 cores)",
    )
    compare.add_argument(
        "--json",
        type=option_value("--json", FILE),
        metavar="FILE",
        help="also write the whole comparison (every row, the members and the manifest) to "
        "this JSON file",
    )
    compare.add_argument(
        "--months",
        type=months,
        metavar="N",
        help="months per run, as run.months allows (default: BASELINE's run.months)",
    )
    compare.add_argument(
        "--seed",
        type=seed,
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


def add_experiment_command(commands: Subcommands) -> None:
    """Add ``experiment``: run a batch experiment from a spec.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
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
            "130 on Ctrl-C and 143 on SIGTERM (run again to resume). "
            "`wfabm experiment rerun DIR RUN` runs one stored run again and checks its "
            "table is identical."
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
    experiment.add_argument(
        "--months",
        type=option_value("--months", EXPERIMENT_MONTHS),
        metavar="N",
        help="months per run instead of the spec's (a shorter outcomes window is cut to "
        "fit); part of the spec hash, so the default folder becomes "
        "results/<name>_months-N",
    )
    experiment.add_argument(
        "--replicates",
        type=option_value("--replicates", REPLICATES),
        metavar="N",
        help="replicates instead of the spec's; part of the spec hash, like --months",
    )
    experiment.add_argument(
        "--dry-run",
        action="store_true",
        help="print the run count, the estimated time and when each scenario's levers act "
        "in the run window; run and write nothing",
    )
    experiment.add_argument("--quiet", action="store_true", help="do not show progress")


def build_rerun_parser() -> Parser:
    """The parser of ``wfabm experiment rerun DIR RUN``.

    Returns:
        The parser; ``args.command`` is ``"experiment rerun"``.
    """
    parser = Parser(
        prog="wfabm experiment rerun",
        description=(
            "Run one run of an experiment's results folder again, from the folder's "
            "manifest (its scenario's resolved config, sample values, seed and months), "
            "and compare its table cell for cell with the stored one; DIR is only read. "
            "Exit status 0 when identical, 1 when it differs (what differs is printed), "
            "2 for a folder or run that cannot be re-run."
        ),
    )
    parser.set_defaults(command="experiment rerun")
    parser.add_argument(
        "folder", type=option_value("DIR", FOLDER), metavar="DIR", help="the results folder"
    )
    parser.add_argument(
        "run",
        metavar="RUN",
        help="<scenario>/sample-NNNNN_replicate-NNNN, or the run's file under DIR/runs/",
    )
    return parser


def add_analyse_command(commands: Subcommands) -> None:
    """Add ``analyse``: summarise an experiment's results folder.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
    analyse = commands.add_parser(
        "analyse",
        help="summarise an experiment's results: tables, sensitivity indices, plots",
        description=(
            "Read an experiment's results folder and write analysis/: mean and 95% intervals "
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
    for name, what in (
        ("--outcome", "the outcome of the sensitivity indices and response plots"),
        ("--sector", "the sector analysed (e.g. wales, la, independent)"),
        ("--role", "the role analysed (e.g. all, care_worker)"),
        ("--reference", "the scenario the others are compared with"),
    ):
        analyse.add_argument(
            name,
            type=option_value(name, Param("name", name.removeprefix("--"))),
            metavar=name.removeprefix("--").upper(),
            help=f"{what}; default: the spec's [analysis]. Not part of the spec's hash",
        )
    analyse.add_argument(
        "--discover",
        metavar="CONDITION",
        help="scenario discovery (EMA Workbench): PRIM boxes and feature scores of where a "
        'condition holds, e.g. "vacancy_rate<0.08" (for --sector and --role); written to '
        "analysis/discovery/",
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


def add_replicate_command(commands: Subcommands) -> None:
    """Add ``replicate``: re-run a results folder and check it is identical.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
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


def add_dashboard_command(commands: Subcommands) -> None:
    """Add ``dashboard``: serve the policy workshop dashboard.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
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
