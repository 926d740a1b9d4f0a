"""Stage 3: growth in funded posts (scaled by the demand lever)."""

from __future__ import annotations

from wfabm.model.month import Month
from wfabm.world import employers as employer_rules
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Grow funded posts by the month's rate."""
    cfg = state.tables.cfg["employers"]
    employer_rules.grow_posts(
        state.employers,
        cfg["funded_post_growth"] * state.policy.demand_growth,
        cfg["nhs_post_growth"],
    )
