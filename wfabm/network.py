"""The social network: colleague and friend ties between workers.

Ties are built once with networkx (a Watts-Strogatz small world inside each workplace, and a
sparse Erdős–Rényi graph of friends among residents of the same local authority) and then held
as a compact padded array ``ties[worker, k]`` of worker ids (``-1`` = no tie), which the
monthly step reads without touching networkx.
"""

from __future__ import annotations

import networkx as nx
import numpy as np


def _graph_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


def build_ties(
    employer: np.ndarray,
    home: np.ndarray,
    colleague_degree: int,
    rewire: float,
    friend_degree: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Build the tie array for a population.

    Args:
        employer: Workplace index of each worker.
        home: Home local authority index of each worker.
        colleague_degree: Ties per worker inside the workplace (even numbers work best).
        rewire: Watts-Strogatz rewiring probability.
        friend_degree: Mean friend ties per worker among residents of the same authority.
        rng: Random generator; every networkx call gets a seed drawn from it.

    Returns:
        Array ``(n_workers, width)`` of tied worker rows, ``-1`` padded.
    """
    n = len(employer)
    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []

    def add_graph(graph: nx.Graph, members: np.ndarray) -> None:
        if graph.number_of_edges() == 0:
            return
        edges = np.asarray(graph.edges(), dtype=np.int64)
        a, b = members[edges[:, 0]], members[edges[:, 1]]
        sources.extend((a, b))
        targets.extend((b, a))

    order = np.argsort(employer, kind="stable")
    bounds = np.flatnonzero(np.diff(employer[order])) + 1
    for members in np.split(order, bounds):
        size = len(members)
        if size < 2 or colleague_degree == 0:
            continue
        k = min(colleague_degree, size - 1)
        if k < 2:
            graph = nx.complete_graph(size)
        else:
            graph = nx.watts_strogatz_graph(size, k, rewire, seed=_graph_seed(rng))
        add_graph(graph, members)

    if friend_degree > 0:
        order = np.argsort(home, kind="stable")
        bounds = np.flatnonzero(np.diff(home[order])) + 1
        for members in np.split(order, bounds):
            size = len(members)
            if size < 2:
                continue
            # fast_gnp is linear in nodes + edges; gnm is several times slower here.
            probability = min(1.0, friend_degree / (size - 1))
            graph = nx.fast_gnp_random_graph(size, probability, seed=_graph_seed(rng))
            add_graph(graph, members)

    width = colleague_degree + max(2, int(np.ceil(3 * friend_degree)))
    ties = np.full((n, width), -1, dtype=np.int32)
    if not sources:
        return ties
    src = np.concatenate(sources)
    dst = np.concatenate(targets)
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    first = np.searchsorted(src, src, side="left")
    position = np.arange(len(src)) - first
    keep = position < width
    ties[src[keep], position[keep]] = dst[keep]
    return ties


def to_networkx(worker_ids: np.ndarray, ties: np.ndarray, active: np.ndarray) -> nx.Graph:
    """Return the ties of active workers as an undirected networkx graph (for analysis).

    Args:
        worker_ids: Id of each row.
        ties: Padded tie array of worker ids.
        active: Which rows are active.

    Returns:
        A graph whose nodes are the ids of active workers.
    """
    rows, cols = np.nonzero(ties >= 0)
    source = worker_ids[rows]
    target = ties[rows, cols]
    alive = set(worker_ids[active].tolist())
    graph = nx.Graph()
    graph.add_nodes_from(alive)
    graph.add_edges_from(
        (a, b)
        for a, b, ok in zip(source.tolist(), target.tolist(), active[rows].tolist(), strict=True)
        if ok and b in alive
    )
    return graph
