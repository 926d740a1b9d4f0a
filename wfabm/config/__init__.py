"""Configuration: the parameter schema and loading TOML files."""

from wfabm.config.loading import *  # noqa: F403
from wfabm.config.loading import __all__  # noqa: F401
