"""Tests for ``wfabm.world.network``: the padded tie array and its networkx view.

``colleague_edges`` draws the same Watts-Strogatz graph as networkx for the same seed.
``build_ties`` links colleagues only inside a workplace and friends only inside a home
authority, symmetrically, without self-ties, padded with -1 to a fixed width, and
reproducibly for a given random generator. ``to_networkx`` keeps active workers as nodes and
drops ties to workers who have left.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from wfabm.world.network import build_ties, colleague_edges, to_networkx


def _population(sizes, homes_per_workplace=1, seed=0):
    """Workers in workplaces of the given sizes; homes spread over ``homes_per_workplace``."""
    employer = np.repeat(np.arange(len(sizes)), sizes)
    # Shuffle so members of a workplace are not contiguous rows.
    rng = np.random.default_rng(seed)
    employer = rng.permutation(employer)
    home = rng.integers(0, homes_per_workplace * len(sizes), len(employer))
    return employer, home


def _pairs(ties):
    rows, cols = np.nonzero(ties >= 0)
    return rows, ties[rows, cols]


def test_colleague_ties_stay_inside_the_workplace():
    employer, home = _population([1, 2, 3, 7, 20, 45])
    ties = build_ties(employer, home, 4, 0.3, 0.0, np.random.default_rng(1))
    source, target = _pairs(ties)
    assert len(source) > 0
    np.testing.assert_array_equal(employer[source], employer[target])


def test_every_worker_in_a_large_workplace_has_colleague_ties():
    employer, home = _population([30, 30])
    ties = build_ties(employer, home, 4, 0.0, 0.0, np.random.default_rng(1))
    # A ring lattice without rewiring gives each worker exactly k ties.
    np.testing.assert_array_equal((ties >= 0).sum(axis=1), 4)


def test_a_worker_alone_in_a_workplace_has_no_ties_and_is_padded():
    employer, home = _population([1, 1, 5])
    ties = build_ties(employer, home, 4, 0.1, 0.0, np.random.default_rng(1))
    assert ties.shape == (len(employer), 4 + 2)  # colleague_degree + max(2, 3 * 0)
    alone = np.isin(employer, [0, 1])
    assert np.all(ties[alone] == -1)


def test_padding_comes_after_the_ties():
    employer, home = _population([3, 10, 25], homes_per_workplace=2)
    ties = build_ties(employer, home, 4, 0.2, 1.5, np.random.default_rng(3))
    present = ties >= 0
    # Once a slot is -1 every later slot in the row is -1 too.
    assert np.all(present[:, :-1] >= present[:, 1:])
    assert np.all(ties[~present] == -1)


def test_ties_are_symmetric_without_truncation():
    employer, home = _population([2, 3, 6, 40])
    ties = build_ties(employer, home, 4, 0.0, 0.0, np.random.default_rng(2))
    source, target = _pairs(ties)
    forward = set(zip(source.tolist(), target.tolist(), strict=True))
    assert forward == {(b, a) for a, b in forward}


def test_ties_are_symmetric_unless_the_other_row_is_full():
    employer, home = _population([5, 12, 60, 60], homes_per_workplace=1)
    ties = build_ties(employer, home, 4, 0.5, 3.0, np.random.default_rng(5))
    width = ties.shape[1]
    source, target = _pairs(ties)
    full = (ties >= 0).sum(axis=1) == width
    listed = {(a, b) for a, b in zip(source.tolist(), target.tolist(), strict=True)}
    missing = [(a, b) for a, b in listed if (b, a) not in listed]
    assert all(full[b] for _, b in missing)
    assert len(missing) < len(listed)


def test_no_self_ties():
    employer, home = _population([2, 3, 10, 50], homes_per_workplace=1)
    ties = build_ties(employer, home, 6, 0.5, 2.0, np.random.default_rng(7))
    source, target = _pairs(ties)
    assert len(source) > 0
    assert not np.any(source == target)


def test_friend_ties_stay_inside_the_home_authority():
    rng = np.random.default_rng(0)
    n = 600
    employer = np.arange(n)  # everyone alone at work: only friend ties can form
    home = rng.integers(0, 4, n)
    ties = build_ties(employer, home, 0, 0.1, 2.0, np.random.default_rng(9))
    assert ties.shape == (n, 6)  # 0 + ceil(3 * 2)
    source, target = _pairs(ties)
    assert len(source) > n  # mean degree about 2
    np.testing.assert_array_equal(home[source], home[target])


def test_friend_degree_sets_the_mean_number_of_friends():
    rng = np.random.default_rng(0)
    n = 4000
    employer = np.arange(n)
    home = rng.integers(0, 3, n)
    ties = build_ties(employer, home, 0, 0.1, 2.0, np.random.default_rng(9))
    assert abs((ties >= 0).sum(axis=1).mean() - 2.0) < 0.15


def test_same_seed_same_ties_different_seed_different_ties():
    employer, home = _population([4, 15, 30, 80], homes_per_workplace=2)
    first = build_ties(employer, home, 4, 0.2, 2.0, np.random.default_rng(11))
    again = build_ties(employer, home, 4, 0.2, 2.0, np.random.default_rng(11))
    other = build_ties(employer, home, 4, 0.2, 2.0, np.random.default_rng(12))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_to_networkx_keeps_active_workers_and_drops_ties_to_leavers():
    worker_ids = np.array([10, 11, 12, 13])
    ties = np.array(
        [
            [11, 12, -1],
            [10, 13, -1],
            [10, -1, -1],
            [11, -1, -1],
        ]
    )
    active = np.array([True, True, False, True])
    graph = to_networkx(worker_ids, ties, active)
    assert set(graph.nodes) == {10, 11, 13}
    assert {frozenset(edge) for edge in graph.edges} == {frozenset((10, 11)), frozenset((11, 13))}


def test_to_networkx_keeps_isolated_active_workers():
    worker_ids = np.array([0, 1, 2])
    ties = np.full((3, 2), -1)
    graph = to_networkx(worker_ids, ties, np.array([True, True, False]))
    assert set(graph.nodes) == {0, 1}
    assert graph.number_of_edges() == 0


def test_to_networkx_of_built_ties_matches_the_array():
    employer, home = _population([6, 9])
    ties = build_ties(employer, home, 2, 0.0, 0.0, np.random.default_rng(1))
    ids = np.arange(len(employer))
    graph = to_networkx(ids, ties, np.ones(len(employer), dtype=bool))
    assert graph.number_of_nodes() == len(employer)
    # Symmetric ties: each undirected edge appears twice in the array.
    assert graph.number_of_edges() == (ties >= 0).sum() // 2


@pytest.mark.parametrize("degree", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("rewire", [0.0, 0.1, 0.6, 1.0])
def test_colleague_edges_are_networkx_watts_strogatz_graphs(degree, rewire):
    for size in [*range(2, 40), 120]:
        for seed in range(4):
            k = min(degree, size - 1)
            graph = (
                nx.complete_graph(size) if k < 2 else nx.watts_strogatz_graph(size, k, rewire, seed)
            )
            expected = {tuple(sorted(edge)) for edge in graph.edges()}
            drawn = colleague_edges(size, degree, rewire, seed)
            assert len(drawn) == len(expected)
            assert {tuple(edge) for edge in drawn.tolist()} == expected
