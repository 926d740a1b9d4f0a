"""The ``wfabm validate`` command: arguments and handler.

:mod:`wfabm.cli.parser` adds it to the ``wfabm`` parser and :mod:`wfabm.cli.commands` runs
it; errors end as one ``wfabm: error:`` line and exit status 2 there, like every other
command. Figures outside their band are findings, not errors: the command then still
exits 0.
"""

from __future__ import annotations

import argparse

from wfabm.batch.progress import ProgressBar
from wfabm.cli.arguments import Subcommands, seed
from wfabm.cli.options import (
    CONFIG,
    FOLDER,
    SEEDS,
    VALIDATION_MONTHS,
    WORKERS,
    config_value,
    option_value,
)
from wfabm.config import BASELINE_NAME, load_config

__all__ = ["DEFAULT_OUT", "DEFAULT_SEEDS", "add_validate_command", "validate_command"]

DEFAULT_OUT = "results/validation"
DEFAULT_SEEDS = 10


def add_validate_command(commands: Subcommands) -> None:
    """Add ``validate``: the baseline over seeds against every observed figure.

    Args:
        commands: The subcommands of the ``wfabm`` parser.
    """
    # Imported here: the months default is the validation's, not a config's.
    from wfabm.validation.observe import FULL_MONTHS

    validate = commands.add_parser(
        "validate",
        help="set the baseline's runs beside every observed figure, fitted or held out",
        description=(
            "Run a config (the baseline by default) on several seeds and set every observed "
            "figure the project holds, fitted in the calibration or held out of it, beside "
            "the median and 90% interval of the runs and a persistence forecast (2022 held). "
            "Writes validation.parquet, runs.parquet, report.html and manifest.json; exits 0 "
            "whatever the figures' results."
        ),
    )
    validate.add_argument(
        "config",
        nargs="?",
        default=BASELINE_NAME,
        type=option_value("CONFIG", CONFIG),
        metavar="CONFIG",
        help=f'a .toml config file, or "{BASELINE_NAME}" (the default)',
    )
    validate.add_argument(
        "--seeds",
        type=option_value("--seeds", SEEDS),
        default=DEFAULT_SEEDS,
        metavar="N",
        help=f"seeds to run, 1 to 10000 (default: {DEFAULT_SEEDS})",
    )
    validate.add_argument(
        "--months",
        type=option_value("--months", VALIDATION_MONTHS),
        default=FULL_MONTHS,
        metavar="N",
        help=f"months per run, 12 to 1200 (default: {FULL_MONTHS}, to the latest figure, "
        "March 2025); figures after the last month are reported as not reached",
    )
    validate.add_argument(
        "--seed",
        type=seed,
        metavar="ROOT",
        help="root seed the run seeds derive from (default: the config's run.seed)",
    )
    validate.add_argument(
        "--workers",
        type=option_value("--workers", WORKERS),
        default=1,
        metavar="N",
        help="processes to run in, 1 to 1024 (default: 1); results do not depend on it",
    )
    validate.add_argument(
        "--out",
        type=option_value("--out", FOLDER),
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"folder for the report (default: {DEFAULT_OUT})",
    )
    validate.add_argument("--quiet", action="store_true", help="do not show progress")


def validate_command(args: argparse.Namespace) -> int:
    """Carry out ``wfabm validate``.

    Args:
        args: The parsed command line.

    Returns:
        0 once the report is written, whatever the figures' results.
    """
    config = load_config(args.config)
    root = args.seed if args.seed is not None else config_value(config, "run.seed", "--seed")
    # Imported only now so that `wfabm check` works without the model's dependencies.
    from wfabm.validation.report import check_out, validate, write_validation

    # The folder is checked before the first (slow) run.
    check_out(args.out)
    bar = None if args.quiet else ProgressBar("validate", "run")
    try:
        validation = validate(
            config,
            seeds=args.seeds,
            months=args.months,
            root_seed=root,
            workers=args.workers,
            progress=None if bar is None else bar.update_to,
        )
    finally:
        if bar is not None:
            bar.close()
    out = write_validation(validation, args.out)
    print(validation.text(out))
    return 0
