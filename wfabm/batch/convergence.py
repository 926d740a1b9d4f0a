"""Whether a design was large enough for its sensitivity indices to mean something.

SALib's bootstrap confidence intervals (``S1_conf``, ``ST_conf``, ``mu_star_conf``) say how
far an index could move with another draw of the same size; a small design gives Sobol
indices outside [0, 1] (S1 = 1.09, S1 = -0.08) and intervals as wide as the index. Each
check here returns plain sentences for the report's notes and the command's warnings.
"""

from __future__ import annotations

import polars as pl

__all__ = ["MIN_MORRIS_TRAJECTORIES", "MIN_SOBOL_SAMPLES", "WIDE_INTERVAL", "convergence_notes"]

MIN_SOBOL_SAMPLES = 512
"""Base samples (design.samples) below which Sobol indices are flagged as unconverged; the
SALib documentation's examples use 1024 and more, Saltelli et al. (2010) several hundred."""

MIN_MORRIS_TRAJECTORIES = 10
"""Trajectories below which Morris's mu* ranking is flagged (Campolongo et al. use 10-20)."""

WIDE_INTERVAL = 0.1
"""Half-width of a Sobol index's 95 % bootstrap interval above which it is flagged."""


def convergence_notes(table: pl.DataFrame, method: str, samples: int, label: str) -> list[str]:
    """Warnings about one outcome's indices: a small design, impossible values, wide intervals.

    Args:
        table: :func:`wfabm.batch.analysis.sensitivity_indices`' table (parameter, index,
            value, ci_low, ci_high).
        method: ``"sobol"`` or ``"morris"``.
        samples: The design's base samples (Sobol) or trajectories (Morris).
        label: What the indices are of, e.g. ``"vacancy_rate for baseline"``.

    Returns:
        Sentences, none when the indices look converged.
    """
    notes = []
    if method == "sobol":
        if samples < MIN_SOBOL_SAMPLES:
            notes.append(
                f"Sobol indices of {label} come from design.samples = {samples}, fewer than "
                f"{MIN_SOBOL_SAMPLES}: they have not converged; read them as a rough order "
                "at most and use a larger design."
            )
        outside = table.filter(
            pl.col("index").is_in(["S1", "ST"])
            & ((pl.col("value") < -0.05) | (pl.col("value") > 1.05))
        )
        for parameter, index, value in outside.select("parameter", "index", "value").iter_rows():
            notes.append(
                f"{index} of {parameter} for {label} is {value:.2f}, outside [0, 1], which only "
                "a design too small for the variance of the outcome gives."
            )
        wide = table.filter(
            pl.col("index").is_in(["S1", "ST"])
            & ((pl.col("ci_high") - pl.col("ci_low")) / 2 > WIDE_INTERVAL)
        )
        if wide.height:
            shown = ", ".join(f"{p} {i}" for p, i in wide.select("parameter", "index").iter_rows())
            notes.append(
                f"the 95% bootstrap intervals of {label} are wider than +/-{WIDE_INTERVAL:g} "
                f"for {shown}: more samples are needed to rank them."
            )
    elif method == "morris" and samples < MIN_MORRIS_TRAJECTORIES:
        notes.append(
            f"Morris indices of {label} come from {samples} trajectories, fewer than "
            f"{MIN_MORRIS_TRAJECTORIES}: the ranking by mu* is not reliable; use more."
        )
    return notes
