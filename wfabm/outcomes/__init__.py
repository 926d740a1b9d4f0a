"""Outcomes of runs: summaries, statistics and the results object."""
