"""Command-line values, checked by the same schema and messages as config values.

Every value the ``wfabm`` commands take is declared here as a :class:`~wfabm.core.schema.Param`,
or stands for a config key (``--seed`` is ``run.seed``) and is then checked as that key,
by the schema the configs are checked by. A bad value is a
:class:`~wfabm.config.ConfigError` naming the option: ``--months=0 is out of range for
run.months; allowed: a whole number from 1 to 1200 (months).`` It is raised while the
command line is read, before any config is loaded or anything written.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from typing import Any

from wfabm.config import Config, ConfigError, check_argument, check_as
from wfabm.config import loading as configs
from wfabm.core.schema import Param, parse_path, spec_at

__all__ = [
    "BUDGET",
    "CONFIG",
    "DEFAULT_DRAWS",
    "DEFAULT_DRAW_SEEDS",
    "DRAWS",
    "FILE",
    "FOLDER",
    "GENERATIONS",
    "HOST",
    "PARTICLES",
    "PORT",
    "RUN_LIMIT",
    "SCHEDULER",
    "SEEDS",
    "VALIDATION_MONTHS",
    "WORKERS",
    "choice",
    "config_value",
    "option_value",
]

SEEDS = Param("int", "seeds", 1, 10_000)
DRAWS = Param("int", "parameter draws", 1, 10_000)
DEFAULT_DRAWS = 10
DEFAULT_DRAW_SEEDS = 2
"""A comparison's default ensemble of parameter draws: 10 draws × 2 seeds, 40 runs, which at
about 2 s a 60-month run takes under a minute on 2 cores."""
WORKERS = Param("int", "processes", 1, 1024)
BUDGET = Param("int", "candidates", 1, 100_000)
RUN_LIMIT = Param("int", "runs", 1, 10**12)
EXPERIMENT_MONTHS = Param("int", "months", 1, 1200)
PARTICLES = Param("int", "particles", 2, 100_000)
GENERATIONS = Param("int", "generations", 1, 100)
REPLICATES = Param("int", "replicates", 1, 100_000)
PORT = Param("int", "port", 1, 65535)
HOST = Param("name", "a host name or IP address")
SCHEDULER = Param("name", "a Dask scheduler address")
CONFIG = Param("path", 'a .toml file or "baseline"')
FOLDER = Param("path", "folder")
FILE = Param("path", "file")
VALIDATION_MONTHS = Param("int", "months: the base year's 12 at least", 12, 1200)

# Numbers as TOML writes them, so that "1.5" is refused as a number where a whole one is due.
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:inf|nan)")


def option_value(
    name: str, spec: Param | None = None, *, key: str | None = None
) -> Callable[[str], Any]:
    """Make the argparse ``type`` of an option (or positional argument).

    Args:
        name: How the command line shows it: ``"--seed"``, or a metavar such as
            ``"CONFIG"``.
        spec: Its declaration, when it stands for no config key.
        key: The config key it stands for, e.g. ``"run.seed"``; it is then checked by
            that key's declaration in the config schema at the time of use.

    Returns:
        A function from the command-line text to the checked value.

    Raises:
        ValueError: If neither or both of ``spec`` and ``key`` are given.
    """
    if (spec is None) == (key is None):
        raise ValueError("give spec or key, not both or neither")

    def convert(text: str) -> Any:
        if key is not None:
            # Looked up now, not at import, so the limits are the schema's of the moment.
            declared = spec_at(configs.default_schema(), parse_path(key))
            return check_as(key, _from_text(text, declared), name=name)
        return check_argument(_from_text(text, spec), spec, name=name)

    # argparse names a failing type by its __name__; ours raise their own messages.
    convert.__name__ = name
    return convert


def choice(name: str, choices: tuple[str, ...], unit: str = "") -> Callable[[str], str]:
    """Make the argparse ``type`` of an option that takes one of a few words.

    Args:
        name: How the command line shows it.
        choices: The allowed words.
        unit: Shown in the message after what is allowed.

    Returns:
        A function from the command-line text to the checked word.
    """
    return option_value(name, Param("str", unit, choices=choices))


def config_value(config: Config, key: str, option: str) -> Any:
    """Return a config's value for ``key``, the default of ``option``.

    Args:
        config: The resolved config.
        key: The dotted key, e.g. ``"run.seed"``.
        option: The option that would set it instead, named if the config lacks it.

    Returns:
        The value.

    Raises:
        ConfigError: If the config sets no such key.
    """
    try:
        return config.get(key)
    except KeyError:
        raise ConfigError(f"the config sets no {key}; pass {option}.") from None


def _from_text(text: str, spec: Any) -> Any:
    """Read command-line text as the value a config file would hold.

    Numbers become numbers where a number is due; anything else stays text, so that the
    schema can say what it is.
    """
    if not isinstance(spec, Param) or spec.kind not in ("int", "float"):
        return text
    if _INTEGER_RE.fullmatch(text):
        # int() refuses more than 4300 digits; Decimal reads any number of them.
        return int(decimal.Decimal(text))
    if _FLOAT_RE.fullmatch(text):
        return float(text)
    return text
