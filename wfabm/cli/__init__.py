"""The wfabm command."""

from wfabm.cli.commands import main

__all__ = ["main"]
