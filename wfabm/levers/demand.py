"""Faster or slower growth of funded social care posts (``[policy.demand]``)."""

from __future__ import annotations

from typing import ClassVar

from wfabm.core.schema import Param
from wfabm.levers.base import Lever, LeverContext, LeverText

__all__ = ["Demand"]


class Demand(Lever):
    """Scales the yearly growth of funded social care posts from the first month."""

    table = "demand"
    schema: ClassVar[dict] = {"growth": Param("float", "multiplier", 0.0, 10.0)}
    texts = (
        LeverText(
            "policy.demand.growth",
            "Workload and wellbeing",
            "Growth of funded care posts (× baseline)",
            "Scales the yearly growth of funded social care posts (1 = the baseline's 1 % a year).",
            "Need grows faster than funding: +85 % demand for care 2017-2035 (Welsh "
            "projections); the baseline growth is an assumption.",
            "number",
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Resolve the multiplier; it acts from the first month unless it is 1."""
        self.growth = section["growth"]
        self.start = 0 if self.growth != 1.0 else None

    def post_growth(self) -> float:
        """The multiplier on funded post growth."""
        return self.growth
