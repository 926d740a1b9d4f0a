"""The hashes of an experiment spec: what it is, and what its results depend on.

A results folder takes only the runs of the spec it was made with (its hash); a spec that
differs only in how its results are analysed (``[analysis]``) or in its size limit
(``experiment.max_runs``) makes the same runs, so it may use the folder too.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["results_hash", "spec_hash"]


def _digest(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _without_limit(spec: dict[str, Any]) -> dict[str, Any]:
    experiment = spec.get("experiment", {})
    return {**spec, "experiment": {k: v for k, v in experiment.items() if k != "max_runs"}}


def spec_hash(spec: dict[str, Any]) -> str:
    """The hash of a validated spec (its scenarios as config hashes), without its size limit."""
    return _digest(_without_limit(spec))


def results_hash(spec: dict[str, Any]) -> str:
    """The hash of what a spec's runs depend on: :func:`spec_hash` without ``[analysis]``."""
    return _digest({k: v for k, v in _without_limit(spec).items() if k != "analysis"})
