"""A steady start: the workforce after months of the model under unchanging 2022 conditions.

The synthesised workforce (:func:`~wfabm.world.population.synthesise`) has the 2022
collection's people in the 2022 posts, but its tenure, burnout, intent, absence and search
state are drawn from assumed distributions, not from the model's own dynamics: left to run,
the model would first relax away from them, and that start-up transient would read as a
trend. With ``run.burn_in_months`` above zero the model first runs that many months under
:func:`steady_conditions` (every driver frozen at its April 2022 value), and month 1 starts
from the workforce it reaches: the same posts and employers, the people in them as the
model's own turnover, burnout and search left them.

The burn-in is reproducible from the root seed (its month stream is the fifth child of the
seed's ``SeedSequence``; the first four are the run's own), and it depends only on the
config's non-policy values, so a scenario and its baseline start from the same workforce.
It is cached on disk (:func:`cache_folder`) under a hash of the steady config, the seed,
the months and the model's code, so that repeated runs do not pay for it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from wfabm.core.taxonomy import CARE_WORKER, INDEPENDENT
from wfabm.model.build import build_state, parse_month
from wfabm.model.plan import month_plan
from wfabm.world.employers import EmployerTable
from wfabm.world.workers import WorkerTable

__all__ = [
    "CACHE_ENTRIES",
    "burned_in_workers",
    "cache_folder",
    "steady_conditions",
]

CACHE_ENTRIES = 24
"""Burned-in workforces kept on disk (about 26 MB each); the least recently used go first."""

_PACKAGE = Path(__file__).resolve().parent.parent
# The code a burn-in's result depends on: the model, its world, levers, config and data.
_CODE = ("core", "config", "levers", "model", "world", "data")


def steady_conditions(cfg: dict[str, Any], baseline_policy: dict[str, Any]) -> dict[str, Any]:
    """The config with every driver of change frozen at its April 2022 value.

    The age structure is held at the base year's (``run.hold_age_profile``; it would
    otherwise drift for decades, :mod:`wfabm.world.ages`), pay scales keep their April 2022
    rates (``pay.uplifts`` false; a year's service still moves a worker up a point),
    typical earnings do not grow, funded social care and NHS posts do not grow, and the
    policy levers are today's (``baseline_policy``, so that a scenario's levers do not act
    before it starts). The overseas route is closed from the start: it opened in February
    2022 and its 2022 recruits came later in the year, so a steady April 2022 has none
    arriving (the synthesised visa holders stay; see :func:`burned_in_workers`). Entrants,
    returners and graduates arrive at their 2022 rates, as the config sets them.

    Args:
        cfg: The resolved config data.
        baseline_policy: The ``[policy]`` table of today's policy (the packaged baseline's).

    Returns:
        A new config data dict (``cfg`` is not changed), with ``run.burn_in_months`` 0.
    """
    steady = copy.deepcopy(cfg)
    steady["run"]["burn_in_months"] = 0
    steady["run"]["hold_age_profile"] = True
    steady["pay"]["uplifts"] = False
    steady["pay"]["typical_earnings_growth"] = 0.0
    steady["employers"]["funded_post_growth"] = 0.0
    steady["employers"]["nhs_post_growth"] = 0.0
    steady["policy"] = copy.deepcopy(baseline_policy)
    steady["policy"]["overseas_recruitment"]["close"] = parse_month(cfg["run"]["start"]).isoformat()
    return steady


def cache_folder() -> Path:
    """Where burned-in workforces are kept: ``$WFABM_CACHE_DIR/burn-in``.

    Without ``WFABM_CACHE_DIR``, ``$XDG_CACHE_HOME/wfabm`` (``~/.cache/wfabm``) is used.
    """
    root = os.environ.get("WFABM_CACHE_DIR")
    if root:
        return Path(root) / "burn-in"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "wfabm" / "burn-in"


@cache
def _code_hash() -> str:
    digest = hashlib.sha256()
    for folder in _CODE:
        for path in sorted((_PACKAGE / folder).rglob("*")):
            if path.suffix in (".py", ".csv", ".json", ".geojson", ".toml") and path.is_file():
                digest.update(str(path.relative_to(_PACKAGE)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(steady: dict[str, Any], seed: int, months: int) -> str:
    text = json.dumps(steady, sort_keys=True, default=str)
    payload = f"{text}|{seed}|{months}|{_code_hash()}".encode()
    return hashlib.sha256(payload).hexdigest()[:32]


def burned_in_workers(
    cfg: dict[str, Any],
    baseline_policy: dict[str, Any],
    seeds: tuple[np.random.SeedSequence, ...],
    seed: int,
    use_cache: bool = True,
) -> WorkerTable:
    """The workforce after ``run.burn_in_months`` months under :func:`steady_conditions`.

    The burn-in builds the run's own world (the population, pay and policy streams of the
    run, so the same workplaces and people) and steps it with its own month stream. The
    people in post at its end become the run's month-0 workforce: renumbered from 0 in
    their order (ties follow), counted as the base-year population (arrival -1), and with
    sponsored-visa holders topped up to ``workforce.contracts.initial_visa_share`` of
    Welsh independent care workers, the April 2022 share, since no recruits arrived.

    Args:
        cfg: The resolved config data (``run.burn_in_months`` > 0).
        baseline_policy: Today's ``[policy]`` table.
        seeds: The run's population, pay and policy seeds, then the burn-in's month seed.
        seed: The root seed (part of the cache key).
        use_cache: Read and write the on-disk cache.

    Returns:
        The month-0 worker table.
    """
    months = int(cfg["run"]["burn_in_months"])
    steady = steady_conditions(cfg, baseline_policy)
    steady["run"]["months"] = months
    key = _key(steady, seed, months)
    path = cache_folder() / f"{key}.npz"
    if use_cache:
        cached = _load(path)
        if cached is not None:
            return cached
    population_seed, pay_seed, policy_seed, month_seed = seeds
    rng = np.random.default_rng(month_seed)
    state = build_state(steady, rng, (population_seed, pay_seed, policy_seed), False)
    plan = month_plan()
    for _ in range(months):
        plan.run_month(state)
    workers = state.workers
    workers.compact(archive=False)
    _renumber(workers)
    workers.arrival[: workers.size] = -1
    workers.arrived[: workers.size] = -1
    workers.pledge_until[: workers.size] = -1
    _top_up_visas(
        workers, state.employers, cfg["workforce"]["contracts"]["initial_visa_share"], rng
    )
    if use_cache:
        _store(path, workers)
    return workers


def _renumber(workers: WorkerTable) -> None:
    """Ids 0..n-1 in row order; ties to people who left point to nobody (-1)."""
    n = workers.size
    new_id = np.full(workers.next_id + 1, -1, np.int64)
    new_id[workers.worker_id[:n]] = np.arange(n)
    ties = workers.ties[:n]
    workers.ties[:n] = np.where(ties >= 0, new_id[np.maximum(ties, 0)], -1)
    workers.worker_id[:n] = np.arange(n)
    workers.next_id = n
    workers.row_by_id = np.full(n + 1, -1, np.int64)
    workers.row_by_id[:n] = np.arange(n)


def _top_up_visas(
    workers: WorkerTable, employers: EmployerTable, share: float, rng: np.random.Generator
) -> None:
    """Give visas to care workers at Welsh sponsors until the April 2022 share holds."""
    n = workers.size
    role, employer = workers.role[:n], workers.employer[:n]
    welsh_care = (role == CARE_WORKER) & (employers.sector[employer] == INDEPENDENT)
    wanted = round(share * np.count_nonzero(welsh_care))
    holders = np.count_nonzero(workers.visa[:n] & welsh_care)
    eligible = np.flatnonzero(welsh_care & employers.sponsor[employer] & ~workers.visa[:n])
    extra = min(max(wanted - holders, 0), len(eligible))
    if extra:
        workers.visa[rng.choice(eligible, extra, replace=False)] = True


def _store(path: Path, workers: WorkerTable) -> None:
    """Write the columns in use, atomically, and keep the cache to its size."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    n = workers.size
    columns = {name: getattr(workers, name)[:n] for name in workers.columns}
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as handle:
        np.savez(handle, **columns)
    os.replace(handle.name, path)
    entries = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[CACHE_ENTRIES:]:
        stale.unlink(missing_ok=True)


def _load(path: Path) -> WorkerTable | None:
    """The cached table, or None if absent or unreadable."""
    try:
        with np.load(path) as stored:
            columns = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, KeyError):
        return None
    n = len(columns["worker_id"])
    workers = WorkerTable(**columns)
    workers.size = n
    workers.next_id = n
    workers.row_by_id = np.full(n + 1, -1, np.int64)
    workers.row_by_id[:n] = np.arange(n)
    # Touch it, so the least recently used entries are the ones dropped.
    os.utime(path)
    return workers
