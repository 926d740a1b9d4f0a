"""The model: its monthly stages and the WorkforceModel that runs them."""

from wfabm.model.workforce import TYPICAL_EARNINGS_YEAR, WorkforceModel

__all__ = ["TYPICAL_EARNINGS_YEAR", "WorkforceModel"]
