"""Tests for ``wfabm.world.market``: role moves, vacancy sampling, matching and logit noise.

Covers ``role_transitions`` (allowed moves, steps up needing experience);
``VacancyIndex.build`` with ``sample_in_cells`` (draws land only on workplaces with open
posts in the requested (authority, role) cell, in proportion to their open posts);
``sample_rows`` (draws follow each row's weights, never a zero-weight column); ``match``
(capacity respected and decremented, random order from the generator); and ``gumbel``
(standard Gumbel moments).
"""

from __future__ import annotations

import numpy as np
import pytest

from wfabm.core.taxonomy import (
    AMHP,
    CARE_WORKER,
    HEALTHCARE_ASSISTANT,
    N_ROLES,
    NURSE,
    REGISTERED_MANAGER,
    SENIOR_CARE_WORKER,
    SOCIAL_WORKER,
)
from wfabm.world.market import VacancyIndex, gumbel, match, role_transitions, sample_rows


# ------------------------------------------------------------------ role_transitions
def test_everyone_may_stay_in_their_role():
    for experienced in (False, True):
        assert np.all(np.diag(role_transitions(experienced)))


def test_care_worker_may_become_healthcare_assistant_and_back():
    allowed = role_transitions(False)
    assert allowed[CARE_WORKER, HEALTHCARE_ASSISTANT]
    assert allowed[HEALTHCARE_ASSISTANT, CARE_WORKER]


def test_senior_posts_need_experience():
    assert not role_transitions(False)[CARE_WORKER, SENIOR_CARE_WORKER]
    assert role_transitions(True)[CARE_WORKER, SENIOR_CARE_WORKER]
    assert not role_transitions(False)[SENIOR_CARE_WORKER, REGISTERED_MANAGER]
    assert role_transitions(True)[SENIOR_CARE_WORKER, REGISTERED_MANAGER]


def test_experience_only_adds_moves():
    assert np.all(role_transitions(True) >= role_transitions(False))


def test_professional_boundaries_hold_even_with_experience():
    allowed = role_transitions(True)
    assert not allowed[NURSE, SOCIAL_WORKER]
    assert not allowed[SOCIAL_WORKER, AMHP]  # only warranted social workers fill AMHP posts
    assert allowed[AMHP, SOCIAL_WORKER]
    assert not allowed[CARE_WORKER, NURSE]
    assert not allowed[CARE_WORKER, SOCIAL_WORKER]


# ------------------------------------------------------------------ VacancyIndex
def _open_posts():
    """Five workplaces in three authorities; open posts in care worker and social worker."""
    open_posts = np.zeros((5, N_ROLES))
    open_posts[0, CARE_WORKER] = 1
    open_posts[1, CARE_WORKER] = 3
    open_posts[2, CARE_WORKER] = 6  # same authority (0) as workplaces 0 and 1
    open_posts[3, CARE_WORKER] = 2  # authority 2
    open_posts[1, SOCIAL_WORKER] = 4
    open_posts[4, SOCIAL_WORKER] = 1  # authority 1
    workplace_la = np.array([0, 0, 0, 2, 1])
    return open_posts, workplace_la


def test_vacancy_index_counts_open_posts_per_cell():
    open_posts, workplace_la = _open_posts()
    index = VacancyIndex.build(open_posts, workplace_la, 3)
    cell_open = index.cell_open.reshape(3, N_ROLES)
    assert cell_open[0, CARE_WORKER] == 10
    assert cell_open[2, CARE_WORKER] == 2
    assert cell_open[0, SOCIAL_WORKER] == 4
    assert cell_open[1, SOCIAL_WORKER] == 1
    assert cell_open.sum() == open_posts.sum()
    assert index.cumulative[-1] == open_posts.sum()


def test_sample_in_cells_draws_only_workplaces_with_open_posts_in_that_cell():
    open_posts, workplace_la = _open_posts()
    index = VacancyIndex.build(open_posts, workplace_la, 3)
    rng = np.random.default_rng(0)
    for la, role, expected in (
        (0, CARE_WORKER, {0, 1, 2}),
        (2, CARE_WORKER, {3}),
        (0, SOCIAL_WORKER, {1}),
        (1, SOCIAL_WORKER, {4}),
    ):
        cells = np.full(2000, la * N_ROLES + role)
        entries = index.sample_in_cells(cells, rng.random(2000))
        assert set(index.employer[entries].tolist()) == expected
        assert np.all(index.role[entries] == role)
        assert np.all(workplace_la[index.employer[entries]] == la)


def test_sample_in_cells_is_proportional_to_open_posts():
    open_posts, workplace_la = _open_posts()
    index = VacancyIndex.build(open_posts, workplace_la, 3)
    n = 60_000
    cells = np.full(n, 0 * N_ROLES + CARE_WORKER)
    entries = index.sample_in_cells(cells, np.random.default_rng(1).random(n))
    share = np.bincount(index.employer[entries], minlength=5)[:3] / n
    np.testing.assert_allclose(share, [0.1, 0.3, 0.6], atol=0.01)


def test_sample_in_cells_at_the_edges_of_u_stays_in_the_cell():
    open_posts, workplace_la = _open_posts()
    index = VacancyIndex.build(open_posts, workplace_la, 3)
    cell = 0 * N_ROLES + CARE_WORKER
    entries = index.sample_in_cells(np.array([cell, cell]), np.array([0.0, 1.0 - 1e-12]))
    np.testing.assert_array_equal(index.employer[entries], [0, 2])


def test_sample_in_cells_picks_the_entry_whose_posts_hold_the_target():
    # The target post (cell start + u * open posts) falls in exactly one entry's run of
    # posts: the first whose cumulative count exceeds it.
    rng = np.random.default_rng(4)
    for _ in range(50):
        n_employers, n_la = int(rng.integers(1, 200)), int(rng.integers(1, 8))
        open_posts = np.floor(rng.random((n_employers, N_ROLES)) * 12) * (
            rng.random((n_employers, N_ROLES)) < 0.3
        )
        workplace_la = rng.integers(0, n_la, n_employers)
        index = VacancyIndex.build(open_posts, workplace_la, n_la)
        cells = rng.integers(0, n_la * N_ROLES, 3000)
        u = np.concatenate(([0.0, 0.5, 1.0 - 2**-53], rng.random(2997)))
        target = index.cell_before[cells] + u * index.cell_open[cells]
        expected = np.searchsorted(index.cumulative, target, side="right")
        expected = np.minimum(expected, len(index.cumulative) - 1)
        np.testing.assert_array_equal(index.sample_in_cells(cells, u), expected)


def test_vacancy_index_refuses_fractional_posts():
    open_posts, workplace_la = _open_posts()
    open_posts[0, CARE_WORKER] = 0.5
    with pytest.raises(ValueError, match="whole numbers"):
        VacancyIndex.build(open_posts, workplace_la, 3)


# ------------------------------------------------------------------ sample_rows
def _cumulative(weights):
    weights = np.asarray(weights, dtype=float)
    totals = weights.sum(axis=1, keepdims=True)
    return np.cumsum(weights, axis=1) / np.where(totals > 0, totals, 1.0)


def test_sample_rows_picks_the_first_column_past_the_draw():
    # Each row is offset by its index and the rows searched as one sorted array: the column
    # drawn is the first whose offset cumulative weight exceeds row + u (clipped to the row).
    rng = np.random.default_rng(6)
    for _ in range(40):
        n_rows, n_cols = int(rng.integers(1, 80)), int(rng.integers(1, 60))
        weights = rng.random((n_rows, n_cols)) * (rng.random((n_rows, n_cols)) < 0.2)
        weights[rng.random(n_rows) < 0.2] = 0.0
        cumulative = _cumulative(weights)
        rows = rng.integers(0, n_rows, 2000)
        u = np.concatenate(([0.0, 1.0 - 2**-53], rng.random(1998)))
        flat = (np.arange(n_rows)[:, None] + cumulative).ravel()
        expected = np.searchsorted(flat, rows + u, side="right") - rows * n_cols
        np.testing.assert_array_equal(
            sample_rows(cumulative, rows, u), np.clip(expected, 0, n_cols - 1)
        )


def test_sample_rows_follows_the_row_weights():
    weights = np.array([[0.0, 1.0, 0.0, 3.0], [2.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 5.0]])
    cumulative = _cumulative(weights)
    rng = np.random.default_rng(2)
    n = 40_000
    for row in range(3):
        cols = sample_rows(cumulative, np.full(n, row), rng.random(n))
        share = np.bincount(cols, minlength=4) / n
        np.testing.assert_allclose(share, weights[row] / weights[row].sum(), atol=0.01)
        assert np.all(weights[row, cols] > 0)


def test_sample_rows_mixes_rows_in_one_call():
    weights = np.eye(5)[[3, 0, 4, 1, 2]]
    cumulative = _cumulative(weights)
    rows = np.random.default_rng(3).integers(0, 5, 5000)
    cols = sample_rows(cumulative, rows, np.random.default_rng(4).random(5000))
    np.testing.assert_array_equal(cols, np.array([3, 0, 4, 1, 2])[rows])


def test_sample_rows_never_draws_zero_weight_columns_at_the_edges():
    weights = np.array([[0.0, 0.0, 1.0, 0.0, 1.0, 0.0]] * 3)
    cumulative = _cumulative(weights)
    rows = np.array([0, 1, 2, 1, 2, 0])
    u = np.array([0.0, 0.0, 0.0, 1 - 1e-12, 0.5, 0.4999999])
    cols = sample_rows(cumulative, rows, u)
    np.testing.assert_array_equal(cols, [2, 2, 2, 4, 4, 2])


# ------------------------------------------------------------------ match
def test_match_never_exceeds_capacity_and_decrements_it():
    capacity = np.zeros((3, N_ROLES), dtype=np.int64)
    capacity[0, CARE_WORKER] = 2
    capacity[1, CARE_WORKER] = 5
    capacity[2, SOCIAL_WORKER] = 0
    employer = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    role = np.array([CARE_WORKER] * 6 + [SOCIAL_WORKER] * 2)
    chooser = np.arange(8)
    accepted = match(chooser, employer, role, capacity, np.random.default_rng(0))
    assert accepted[:4].sum() == 2
    assert accepted[4:6].all()
    assert not accepted[6:].any()
    assert capacity[0, CARE_WORKER] == 0
    assert capacity[1, CARE_WORKER] == 3
    assert capacity[2, SOCIAL_WORKER] == 0
    assert np.all(capacity >= 0)


def test_match_accepts_everyone_when_capacity_suffices():
    capacity = np.full((4, N_ROLES), 10, dtype=np.int64)
    rng = np.random.default_rng(5)
    employer = rng.integers(0, 4, 30)
    role = rng.integers(0, N_ROLES, 30)
    before = capacity.copy()
    accepted = match(np.arange(30), employer, role, capacity, rng)
    assert accepted.all()
    taken = np.zeros_like(before)
    np.add.at(taken, (employer, role), 1)
    np.testing.assert_array_equal(capacity, before - taken)


def test_match_order_is_random_and_depends_on_the_generator():
    employer = np.zeros(50, dtype=np.int64)
    role = np.full(50, CARE_WORKER)

    def winners(seed):
        capacity = np.zeros((1, N_ROLES), dtype=np.int64)
        capacity[0, CARE_WORKER] = 5
        accepted = match(np.arange(50), employer, role, capacity, np.random.default_rng(seed))
        return frozenset(np.flatnonzero(accepted).tolist())

    assert winners(1) == winners(1)
    draws = {winners(seed) for seed in range(10)}
    assert len(draws) > 5
    assert all(len(w) == 5 for w in draws)
    # Not first come, first served.
    assert any(w != frozenset(range(5)) for w in draws)


def test_match_with_no_applicants():
    capacity = np.ones((2, N_ROLES), dtype=np.int64)
    accepted = match(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), capacity, None)
    assert accepted.shape == (0,)
    assert np.all(capacity == 1)


# ------------------------------------------------------------------ gumbel
def test_gumbel_has_standard_moments():
    draws = gumbel(np.random.default_rng(7), (400_000,))
    assert draws.mean() == pytest.approx(np.euler_gamma, abs=0.01)
    assert draws.std() == pytest.approx(np.pi / np.sqrt(6), abs=0.01)


def test_gumbel_has_the_requested_shape_and_is_finite():
    draws = gumbel(np.random.default_rng(8), (100, 3))
    assert draws.shape == (100, 3)
    assert np.isfinite(draws).all()
