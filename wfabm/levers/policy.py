"""The former name of the resolved policy levers, kept while the model is moved onto them.

``Policy`` is :class:`wfabm.levers.LeverSet` (same constructor, same answers); new code
imports ``LeverSet`` from :mod:`wfabm.levers` and ``WELSH_EMPLOYERS`` from
:mod:`wfabm.core.taxonomy`.
"""

from __future__ import annotations

from wfabm.core.taxonomy import WELSH_EMPLOYERS
from wfabm.levers.lever_set import LeverSet

__all__ = ["WELSH_EMPLOYERS", "Policy"]

Policy = LeverSet
