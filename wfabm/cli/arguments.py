"""What every ``wfabm`` subcommand's arguments share: the parser, its error and option types.

The parser raises :class:`UsageError` instead of printing and exiting, so that a bad command
line ends as one ``wfabm: error:`` line and exit status 2, as a bad config does. The values
themselves are declared in :mod:`wfabm.cli.options`.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn, Protocol

from wfabm.cli.options import option_value

__all__ = ["Parser", "Subcommands", "UsageError", "months", "seed"]


class UsageError(Exception):
    """A command-line mistake, raised instead of argparse's print-and-exit."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are :class:`UsageError`, pointing to ``--help``."""

    def error(self, message: str) -> NoReturn:
        """Raise the mistake rather than print it and exit.

        Args:
            message: argparse's explanation.

        Raises:
            UsageError: Always.
        """
        raise UsageError(f"{message}; see '{self.prog} --help'.")


class Subcommands(Protocol):
    """The subcommands of a parser, to which each command module adds its own."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """Add the subcommand ``name``, made with argparse's keyword arguments."""
        ...


# Options that stand for config keys are checked as those keys.
seed = option_value("--seed", key="run.seed")
months = option_value("--months", key="run.months")
