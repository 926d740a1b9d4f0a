"""Tests for ``wfabm.world.workers``: the worker table's slots, growth, compaction and lookup.

``empty_table`` allocates columns with no rows in use; ``append`` hands out increasing ids and
marks new workers active; ``reserve`` grows capacity without losing data; ``compact`` drops
departed rows in order and returns their columns; ``row_of`` and ``rows_of`` find rows by id.
"""

from __future__ import annotations

import numpy as np

from wfabm.world.workers import empty_table


def _table_with(n, capacity=10, tie_width=3):
    table = empty_table(capacity, tie_width)
    table.append({"role": np.arange(n) % 5, "age_months": 240 + np.arange(n)})
    return table


def test_empty_table_has_capacity_but_no_rows():
    table = empty_table(8, 4)
    assert table.size == 0
    assert table.next_id == 0
    assert table.capacity == 8
    assert table.ties.shape == (8, 4)
    assert np.all(table.ties == -1)
    assert not table.active.any()
    assert table.view() == slice(0, 0)
    assert "ties" in table.columns
    assert "size" not in table.columns


def test_append_assigns_increasing_ids_and_marks_active():
    table = empty_table(10, 2)
    first = table.append({"role": np.array([1, 2, 3])})
    second = table.append({"role": np.array([4, 5])})
    np.testing.assert_array_equal(first, [0, 1, 2])
    np.testing.assert_array_equal(second, [3, 4])
    np.testing.assert_array_equal(table.worker_id[:5], [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(table.role[:5], [1, 2, 3, 4, 5])
    assert table.active[:5].all()
    assert not table.active[5:].any()
    assert table.size == 5
    assert table.next_id == 5


def test_append_clears_ties_of_new_rows():
    table = empty_table(4, 2)
    table.ties[:] = 7  # stale values in unused slots
    rows = table.append({"role": np.array([0, 0])})
    assert np.all(table.ties[rows] == -1)


def test_ids_keep_growing_after_compaction():
    table = _table_with(4)
    table.active[[0, 1]] = False
    table.compact()
    rows = table.append({"role": np.array([0])})
    assert table.worker_id[rows[0]] == 4
    np.testing.assert_array_equal(table.worker_id[: table.size], [2, 3, 4])


def test_reserve_grows_capacity_keeping_data():
    table = empty_table(3, 2)
    table.append({"role": np.array([1, 2, 3]), "hours": np.array([10.0, 20.0, 30.0])})
    table.ties[:3] = [[1, 2], [0, -1], [0, -1]]
    table.reserve(5)
    assert table.capacity >= 8
    np.testing.assert_array_equal(table.role[:3], [1, 2, 3])
    np.testing.assert_array_equal(table.hours[:3], [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(table.worker_id[:3], [0, 1, 2])
    np.testing.assert_array_equal(table.ties[:3], [[1, 2], [0, -1], [0, -1]])
    assert np.all(table.ties[3:] == -1)
    assert not table.active[3:].any()
    # dtypes survive the growth
    assert table.role.dtype == np.int8
    assert table.ties.shape[1] == 2


def test_reserve_does_nothing_when_there_is_room():
    table = empty_table(10, 2)
    role = table.role
    table.reserve(10)
    assert table.role is role
    assert table.capacity == 10


def test_append_beyond_capacity_grows_the_table():
    table = empty_table(2, 2)
    table.append({"role": np.array([1, 1])})
    rows = table.append({"role": np.array([2, 2, 2])})
    np.testing.assert_array_equal(rows, [2, 3, 4])
    np.testing.assert_array_equal(table.role[:5], [1, 1, 2, 2, 2])
    np.testing.assert_array_equal(table.worker_id[:5], np.arange(5))
    assert table.capacity >= 5


def test_compact_drops_inactive_rows_keeping_order():
    table = _table_with(6, tie_width=2)
    table.ties[:6] = np.arange(12).reshape(6, 2)
    table.active[[1, 4]] = False
    departed = table.compact()
    assert table.size == 4
    np.testing.assert_array_equal(table.worker_id[:4], [0, 2, 3, 5])
    np.testing.assert_array_equal(table.age_months[:4], [240, 242, 243, 245])
    np.testing.assert_array_equal(table.ties[:4], [[0, 1], [4, 5], [6, 7], [10, 11]])
    assert table.active[:4].all()
    # Freed rows are reset.
    assert not table.active[4:6].any()
    assert np.all(table.ties[4:6] == -1)
    np.testing.assert_array_equal(departed["worker_id"], [1, 4])
    np.testing.assert_array_equal(departed["age_months"], [241, 244])
    assert not departed["active"].any()
    assert "ties" not in departed


def test_compact_with_nobody_departed_changes_nothing():
    table = _table_with(3)
    departed = table.compact()
    assert table.size == 3
    np.testing.assert_array_equal(table.worker_id[:3], [0, 1, 2])
    assert all(len(values) == 0 for values in departed.values())


def test_rows_of_finds_active_workers_by_id():
    table = _table_with(6)
    table.active[[1, 4]] = False
    table.compact()  # ids 0 2 3 5 in rows 0..3
    rows = table.rows_of(np.array([5, 0, 3, 2]))
    np.testing.assert_array_equal(rows, [3, 0, 2, 1])


def test_rows_of_gives_minus_one_for_departed_unknown_and_padding_ids():
    table = _table_with(5)
    table.active[2] = False  # departed, not yet compacted
    rows = table.rows_of(np.array([2, 99, -1, 1]))
    np.testing.assert_array_equal(rows, [-1, -1, -1, 1])


def test_rows_of_after_compaction_misses_compacted_ids():
    table = _table_with(5)
    table.active[[0, 2]] = False
    table.compact()
    np.testing.assert_array_equal(table.rows_of(np.array([0, 2, 4])), [-1, -1, 2])


def test_row_of_finds_active_and_uncompacted_departed_workers():
    table = _table_with(5)
    table.active[3] = False
    assert table.row_of(4) == 4
    assert table.row_of(3) == 3  # departed but still in its slot
    assert table.row_of(5) is None
    assert table.row_of(-1) is None
    table.compact()
    assert table.row_of(3) is None
    assert table.row_of(4) == 3


def test_rows_of_on_an_empty_table_finds_nobody():
    table = empty_table(4, 2)
    np.testing.assert_array_equal(table.rows_of(np.array([3, -1])), [-1, -1])


def test_rows_of_with_a_single_remaining_worker():
    table = _table_with(3)
    table.active[:2] = False
    table.compact()
    np.testing.assert_array_equal(table.rows_of(np.array([0, 1, 2, 3])), [-1, -1, 0, -1])
