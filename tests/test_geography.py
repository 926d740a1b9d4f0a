"""Tests for ``wfabm.world.geography``: the 22 Welsh and 7 English border authorities.

Checks the counts, that exactly the English authorities lack a health board, the seven
health boards, the four Welsh authorities with a land border with England, the distance
matrix, and lookup by ONS code.
"""

from __future__ import annotations

import numpy as np
import pytest

from wfabm.world.geography import load_geography


@pytest.fixture(scope="module")
def geography():
    return load_geography()


def test_twenty_nine_authorities_of_which_twenty_two_welsh(geography):
    assert geography.size == 29
    assert len(geography.names) == 29
    assert geography.welsh.sum() == 22
    welsh_codes = [c for c, w in zip(geography.codes, geography.welsh, strict=True) if w]
    assert all(code.startswith("W06") for code in welsh_codes)
    other = [c for c, w in zip(geography.codes, geography.welsh, strict=True) if not w]
    assert all(code.startswith("E") for code in other)


def test_health_board_is_minus_one_exactly_for_english_authorities(geography):
    np.testing.assert_array_equal(geography.health_board == -1, ~geography.welsh)


def test_seven_health_boards_each_with_authorities(geography):
    assert len(geography.health_boards) == 7
    used = np.unique(geography.health_board[geography.welsh])
    np.testing.assert_array_equal(used, np.arange(7))
    powys = geography.index("W06000023")
    assert geography.health_boards[geography.health_board[powys]] == "Powys Teaching HB"
    cardiff = geography.index("W06000015")
    vale = geography.index("W06000014")
    assert geography.health_board[cardiff] == geography.health_board[vale]


def test_four_border_authorities_are_flagged(geography):
    flagged = {geography.codes[i] for i in np.flatnonzero(geography.borders_england)}
    # Flintshire, Wrexham, Monmouthshire, Powys.
    assert flagged == {"W06000005", "W06000006", "W06000021", "W06000023"}
    assert not geography.borders_england[~geography.welsh].any()


def test_index_finds_an_authority_by_code(geography):
    for i, code in enumerate(geography.codes):
        assert geography.index(code) == i
    assert geography.names[geography.index("W06000015")] == "Cardiff"
    with pytest.raises(ValueError, match="not in tuple"):
        geography.index("W99999999")


def test_distances_are_symmetric_and_populations_positive(geography):
    distance = geography.distance
    assert distance.shape == (29, 29)
    np.testing.assert_allclose(distance, distance.T)
    assert np.all(geography.population > 0)
    off_diagonal = distance[~np.eye(29, dtype=bool)]
    assert np.all(off_diagonal > 0)
    cardiff, newport = geography.index("W06000015"), geography.index("W06000022")
    anglesey = geography.index("W06000001")
    assert distance[cardiff, newport] < distance[cardiff, anglesey]
