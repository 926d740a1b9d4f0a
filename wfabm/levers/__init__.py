"""Policy levers: one class per lever (:mod:`wfabm.levers.base`) and the set of a config.

:class:`LeverSet` resolves every lever of a config against the model's workplaces; the
three orders (schema, pay, dashboard) are explicit tuples of the lever classes.
"""

from __future__ import annotations

from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText
from wfabm.levers.lever_set import DASHBOARD_ORDER, PAY_ORDER, SCHEMA_ORDER, LeverSet, overrides

__all__ = [
    "DASHBOARD_ORDER",
    "PAY_ORDER",
    "SCHEMA_ORDER",
    "Lever",
    "LeverContext",
    "LeverSet",
    "LeverStart",
    "LeverText",
    "overrides",
]
