"""The social network: colleague and friend ties between workers.

Colleague ties form a Watts-Strogatz small world inside each workplace, drawn by networkx's
algorithm and random stream (``networkx.watts_strogatz_graph``, reproduced edge for edge
without building a graph object, which costs most of the time). Generating thousands of
small graphs one by one takes seconds, so up to
``VARIANTS`` graphs are drawn for each team size and reused, with members shuffled, for
other workplaces of that size (graphs of one size are exchangeable, so shuffled copies are
as good as fresh draws for the statistics the model uses). Friend ties are an Erdős–Rényi
G(n, m) graph among residents of each local authority: ``m = n * friend_degree / 2``
uniformly random pairs.

Ties are held as a compact padded array ``ties[worker, k]`` of worker ids (``-1`` = no tie),
which the monthly step reads without touching networkx.
"""

from __future__ import annotations

import random

import networkx as nx
import numpy as np

VARIANTS = 3


def _graph_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


def colleague_edges(size: int, degree: int, rewire: float, seed: int) -> np.ndarray:
    """Edges ``(m, 2)`` of a Watts-Strogatz graph of one workplace's ``size`` members.

    The edge set is that of ``networkx.watts_strogatz_graph(size, k, rewire, seed)`` with
    ``k = min(degree, size - 1)`` (a complete graph when ``k < 2``).
    """
    if size < 2 or degree == 0:
        return np.zeros((0, 2), dtype=np.int64)
    k = min(degree, size - 1)
    if k < 2:
        return np.column_stack(np.triu_indices(size, 1)).astype(np.int64)
    neighbours = _watts_strogatz(size, k, rewire, random.Random(seed))
    return np.array(
        [(u, v) for u, others in enumerate(neighbours) for v in others if v > u], dtype=np.int64
    ).reshape(-1, 2)


def _watts_strogatz(n: int, k: int, p: float, stream: random.Random) -> list[set[int]]:
    """Neighbour sets of networkx's Watts-Strogatz graph, drawing from ``stream`` in its order.

    A ring in which each node is joined to its ``k // 2`` nearest neighbours on each side;
    then, offset by offset and node by node, each edge ``(u, u + j)`` is replaced with
    probability ``p`` by an edge from ``u`` to a random node that is neither ``u`` nor
    already a neighbour (skipped if ``u`` is joined to everyone).
    """
    offsets = [*range(1, k // 2 + 1), *(n - j for j in range(1, k // 2 + 1))]
    neighbours = [{(u + j) % n for j in offsets} for u in range(n)]
    nodes = list(range(n))
    draw, choice = stream.random, stream.choice
    for j in range(1, k // 2 + 1):
        for u in range(n):
            if draw() < p:
                own = neighbours[u]
                w = choice(nodes)
                while w == u or w in own:
                    w = choice(nodes)
                    if len(own) >= n - 1:
                        break
                else:
                    v = (u + j) % n
                    own.remove(v)
                    neighbours[v].remove(u)
                    own.add(w)
                    neighbours[w].add(u)
    return neighbours


def build_ties(
    employer: np.ndarray,
    home: np.ndarray,
    colleague_degree: int,
    rewire: float,
    friend_degree: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Build the tie array for a population whose ids are its rows.

    Args:
        employer: Workplace index of each worker.
        home: Home local authority index of each worker.
        colleague_degree: Ties per worker inside the workplace (even numbers work best).
        rewire: Watts-Strogatz rewiring probability.
        friend_degree: Mean friend ties per worker among residents of the same authority.
        rng: Random generator; every networkx call gets a seed drawn from it.

    Returns:
        Array ``(n_workers, width)`` of tied worker ids, ``-1`` padded.
    """
    n = len(employer)
    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []

    def add(a: np.ndarray, b: np.ndarray) -> None:
        sources.extend((a, b))
        targets.extend((b, a))

    templates: dict[int, list[np.ndarray]] = {}
    order = np.argsort(employer, kind="stable")
    bounds = np.flatnonzero(np.diff(employer[order])) + 1
    for members in np.split(order, bounds):
        size = len(members)
        if size < 2 or colleague_degree == 0:
            continue
        variants = templates.setdefault(size, [])
        if len(variants) < VARIANTS:
            variants.append(colleague_edges(size, colleague_degree, rewire, _graph_seed(rng)))
            edges = variants[-1]
        else:
            edges = variants[int(rng.integers(len(variants)))]
        shuffled = members[rng.permutation(size)]
        add(shuffled[edges[:, 0]], shuffled[edges[:, 1]])

    if friend_degree > 0:
        order = np.argsort(home, kind="stable")
        bounds = np.flatnonzero(np.diff(home[order])) + 1
        for residents in np.split(order, bounds):
            size = len(residents)
            pairs = round(size * friend_degree / 2)
            if size < 2 or pairs == 0:
                continue
            a = rng.integers(0, size, pairs)
            b = (a + rng.integers(1, size, pairs)) % size  # never a self-tie
            add(residents[a], residents[b])

    width = colleague_degree + max(2, int(np.ceil(3 * friend_degree)))
    ties = np.full((n, width), -1, dtype=np.int32)
    if not sources:
        return ties
    # Each (source, target) pair as one integer: sorting those orders ties by source, then
    # target, and dropping repeats counts a friend who is also a colleague once.
    pair = np.sort(np.concatenate(sources) * n + np.concatenate(targets))
    pair = pair[np.r_[True, pair[1:] != pair[:-1]]]
    src, dst = np.divmod(pair, n)
    starts = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(src)]))
    position = np.arange(len(src)) - first
    keep = position < width
    ties.reshape(-1)[src[keep] * width + position[keep]] = dst[keep]
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
