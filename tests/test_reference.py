"""Tests for wfabm.core.reference: packaged facts, local authorities, distances, adjacency, pay."""

from __future__ import annotations

import datetime
import re
import time

import numpy as np
import polars as pl
import pytest

from wfabm.core import reference
from wfabm.core.reference import Fact


def _fact(value: str) -> Fact:
    return Fact(key="k", value=value, unit="", year="", geography="", source="", notes="")


def _index(slug: str) -> int:
    return reference.local_authorities()["slug"].to_list().index(slug)


def _row(slug: str) -> dict:
    return reference.local_authorities().row(_index(slug), named=True)


# ----------------------------------------------------------------------------------------------
# facts
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9.90", 9.9),
        ("84134", 84134.0),
        ("~24637", 24637.0),
        ("86543 (mid-2018)", 86543.0),
        ("1.5 million", 1_500_000.0),
        ("-3.5", -3.5),
        ("NOT FOUND", None),
        ("NOT FOUND (direct)", None),
        ("yes", None),
        ("10-15", None),
        ("12.75-13.65", None),
        (">200", None),
        ("35 / 46", None),
        ("52.6 vs 24.1", None),
        ("22 Jul 2025", None),
        ("", None),
    ],
)
def test_fact_number_parsing(value, expected):
    assert _fact(value).number == expected


def test_facts_loaded_with_sources():
    all_facts = reference.facts()
    assert len(all_facts) > 500
    assert all(isinstance(f, Fact) for f in all_facts.values())
    rlw = reference.fact("rlw_uk_2024")
    assert rlw.value == "12.60"
    assert rlw.unit == "£/hour"
    assert rlw.source.startswith("http")
    assert reference.fact_number("rlw_uk_2024") == 12.60


def test_fact_unknown_key_raises_key_error():
    with pytest.raises(KeyError, match="no_such_key"):
        reference.fact("no_such_key")
    with pytest.raises(KeyError, match="no_such_key"):
        reference.fact_number("no_such_key")


def test_fact_number_non_numeric_names_key_and_value():
    with pytest.raises(ValueError, match=r"seed_wales_social_work_vacancy_rate_range.*10-15"):
        reference.fact_number("seed_wales_social_work_vacancy_rate_range")


def test_behaviour_anchors():
    anchors = reference.behaviour_anchors()
    assert {"key", "value", "unit", "source"} <= set(anchors.columns)
    assert "asc_wage_elasticity_labour_supply_overall" in anchors["key"].to_list()
    assert anchors["source"].str.len_chars().min() > 0


# ----------------------------------------------------------------------------------------------
# local authorities
# ----------------------------------------------------------------------------------------------


def test_local_authorities_shape_and_order():
    las = reference.local_authorities()
    assert las.height == 29
    assert las["code"].n_unique() == 29
    assert las["slug"].n_unique() == 29
    countries = las["country"].to_list()
    assert countries == ["Wales"] * 22 + ["England"] * 7
    codes = las["code"].to_list()
    assert codes[:22] == sorted(codes[:22])
    assert codes[22:] == sorted(codes[22:])
    assert all(c.startswith("W06") for c in codes[:22])
    assert all(c.startswith("E") for c in codes[22:])
    assert las.schema["population"] == pl.Int64
    assert las.schema["borders_england"] == pl.Boolean


def test_slugs_match_facts_keys():
    las = reference.local_authorities()
    expected = {
        "vale_of_glamorgan",
        "isle_of_anglesey",
        "rhondda_cynon_taf",
        "cheshire_west_and_chester",
        "forest_of_dean",
        "bristol",
        "south_gloucestershire",
        "herefordshire",
        "shropshire",
        "wirral",
    }
    assert expected <= set(las["slug"])
    for row in las.iter_rows(named=True):
        assert row["population_source"] in reference.facts()
        assert row["population_source"].endswith(row["slug"])


def test_welsh_population_matches_census_total():
    las = reference.local_authorities()
    welsh = las.filter(pl.col("country") == "Wales")
    total = reference.fact_number("wales_pop_2021_census")
    assert welsh["population"].sum() == pytest.approx(total, rel=0.005)
    assert (las["population"] > 50_000).all()


def test_forest_of_dean_population_caveat():
    row = _row("forest_of_dean")
    assert row["population"] == 86543
    assert "mid-2018" in row["population_note"]
    assert _row("cardiff")["population_note"] is None
    assert _row("cardiff")["population"] == 362312


def test_welsh_names_only_for_welsh_authorities():
    las = reference.local_authorities()
    assert las.filter(pl.col("country") == "Wales")["name_cy"].null_count() == 0
    assert las.filter(pl.col("country") == "England")["name_cy"].null_count() == 7
    assert _row("cardiff")["name_cy"] == "Caerdydd"
    assert _row("herefordshire")["name"] == "Herefordshire"


def test_land_borders_and_severn_crossings():
    las = reference.local_authorities()
    assert set(las.filter(pl.col("borders_england"))["slug"]) == {
        "flintshire",
        "wrexham",
        "powys",
        "monmouthshire",
    }
    assert set(las.filter(pl.col("borders_wales"))["slug"]) == {
        "cheshire_west_and_chester",
        "shropshire",
        "herefordshire",
        "forest_of_dean",
    }
    assert set(las.filter(pl.col("severn_crossing"))["slug"]) == {
        "newport",
        "monmouthshire",
        "bristol",
        "south_gloucestershire",
    }


def test_health_boards():
    assert _row("cardiff")["health_board"] == "Cardiff and Vale UHB"
    assert _row("bridgend")["health_board"] == "Cwm Taf Morgannwg UHB"
    assert _row("powys")["health_board"] == "Powys Teaching HB"
    assert _row("isle_of_anglesey")["health_board"] == "Betsi Cadwaladr UHB"
    assert _row("newport")["health_board"] == "Aneurin Bevan UHB"
    assert _row("swansea")["health_board"] == "Swansea Bay UHB"
    assert _row("shropshire")["health_board"] is None
    las = reference.local_authorities()
    welsh_boards = las.filter(pl.col("country") == "Wales")["health_board"]
    assert welsh_boards.null_count() == 0
    assert welsh_boards.n_unique() == 7


def test_areas_and_centroids_plausible():
    las = reference.local_authorities()
    welsh_area = las.filter(pl.col("country") == "Wales")["area_km2"].sum()
    assert welsh_area == pytest.approx(20_780, rel=0.03)  # Wales is about 20,780 km²
    assert _row("powys")["area_km2"] == pytest.approx(5_180, rel=0.03)
    assert _row("cardiff")["area_km2"] == pytest.approx(141, rel=0.05)
    cardiff = _row("cardiff")
    assert cardiff["centroid_lon"] == pytest.approx(-3.2, abs=0.1)
    assert cardiff["centroid_lat"] == pytest.approx(51.5, abs=0.1)
    assert las["centroid_lon"].is_between(-5.5, -2.3).all()
    assert las["centroid_lat"].is_between(51.3, 53.5).all()


# ----------------------------------------------------------------------------------------------
# distances and adjacency
# ----------------------------------------------------------------------------------------------


def test_distance_matrix_basic_properties():
    dist = reference.distance_km()
    assert dist.shape == (29, 29)
    assert dist.dtype == np.float64
    np.testing.assert_allclose(dist, dist.T)
    assert (dist > 0).all()
    off_diagonal = dist[~np.eye(29, dtype=bool)]
    assert off_diagonal.max() < 400


def test_distance_diagonal_is_disc_mean_distance():
    dist = reference.distance_km()
    area = reference.local_authorities()["area_km2"].to_numpy()
    np.testing.assert_allclose(np.diag(dist), 2 / 3 * np.sqrt(area / np.pi))


def test_distance_known_pairs():
    dist = reference.distance_km()
    cardiff, newport, wrexham = _index("cardiff"), _index("newport"), _index("wrexham")
    flintshire, swansea = _index("flintshire"), _index("swansea")
    cwac = _index("cheshire_west_and_chester")
    assert dist[cardiff, newport] < 25
    assert dist[cardiff, wrexham] > 120
    assert dist[flintshire, cwac] < dist[swansea, cwac]


def test_cached_arrays_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        reference.distance_km()[0, 1] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        reference.adjacent()[0, 1] = True


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("flintshire", "cheshire_west_and_chester"),
        ("wrexham", "shropshire"),
        ("powys", "shropshire"),
        ("powys", "herefordshire"),
        ("monmouthshire", "herefordshire"),
        ("monmouthshire", "forest_of_dean"),
        ("cardiff", "newport"),
        ("cardiff", "vale_of_glamorgan"),
    ],
)
def test_adjacent_pairs(a, b):
    adj = reference.adjacent()
    assert adj[_index(a), _index(b)]
    assert adj[_index(b), _index(a)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("cardiff", "powys"),
        ("newport", "bristol"),
        ("monmouthshire", "bristol"),
        ("flintshire", "wirral"),
        ("isle_of_anglesey", "conwy"),
    ],
)
def test_not_adjacent_pairs(a, b):
    adj = reference.adjacent()
    assert not adj[_index(a), _index(b)]
    assert not adj[_index(b), _index(a)]


def test_adjacency_matrix_properties_and_land_border_flags():
    adj = reference.adjacent()
    assert adj.shape == (29, 29)
    assert adj.dtype == np.bool_
    assert (adj == adj.T).all()
    assert np.diag(adj).all()
    las = reference.local_authorities()
    welsh = (las["country"] == "Wales").to_numpy()
    touches_other_country = (adj & (welsh[:, None] != welsh[None, :])).any(axis=1)
    np.testing.assert_array_equal(
        touches_other_country,
        (las["borders_england"] | las["borders_wales"]).to_numpy(),
    )


def test_adjacency_is_fast():
    reference.adjacent.cache_clear()
    start = time.perf_counter()
    reference.adjacent()
    assert time.perf_counter() - start < 1.0


# ----------------------------------------------------------------------------------------------
# pay
# ----------------------------------------------------------------------------------------------


def test_pay_scales_table():
    scales = reference.pay_scales()
    assert scales.columns == ["scale", "point", "effective", "value", "unit", "source"]
    assert scales.schema["effective"] == pl.Date
    assert scales.schema["value"] == pl.Float64
    assert set(scales["scale"]) == {"rlw", "nlw", "afc", "njc"}
    assert scales.select("scale", "point", "effective").is_duplicated().sum() == 0
    afc_points = set(scales.filter(pl.col("scale") == "afc")["point"])
    assert len(afc_points) == 13
    assert scales.filter(pl.col("scale") == "afc").height == 13 * 5
    assert scales.filter(pl.col("scale") == "njc").height == 2 * 4


def test_pay_rate_in_force():
    assert reference.pay_rate("rlw", "all", datetime.date(2023, 6, 1)) == 10.90
    assert reference.pay_rate("rlw", "all", datetime.date(2023, 4, 1)) == 10.90
    assert reference.pay_rate("rlw", "all", datetime.date(2023, 3, 31)) == 9.90
    assert reference.pay_rate("rlw", "all", datetime.date(2030, 1, 1)) == 13.45
    assert reference.pay_rate("nlw", "all", datetime.date(2024, 12, 25)) == 11.44
    assert reference.pay_rate("afc", "band5_entry", datetime.date(2025, 4, 1)) == 31049
    assert reference.pay_rate("njc", "scp2", datetime.datetime(2024, 7, 1, 12, 0)) == 23656


def test_pay_rate_errors():
    with pytest.raises(ValueError, match="2022-04-01"):
        reference.pay_rate("rlw", "all", datetime.date(2022, 3, 31))
    with pytest.raises(ValueError, match="no pay scale"):
        reference.pay_rate("rlw", "band9", datetime.date(2024, 1, 1))


def test_rlw_above_nlw_every_year():
    scales = reference.pay_scales()
    for effective in scales.filter(pl.col("scale") == "rlw")["effective"]:
        assert reference.pay_rate("rlw", "all", effective) > reference.pay_rate(
            "nlw", "all", effective
        )


def test_pay_scale_sources_cite_existing_facts():
    all_facts = reference.facts()
    for row in reference.pay_scales().iter_rows(named=True):
        source = row["source"]
        keys = re.findall(r"facts:([A-Za-z0-9_]+)", source)
        assert keys, f"row without a facts: key: {row}"
        for key in keys:
            assert key in all_facts, f"{key} cited by {row} is not in facts.csv"
        if "derived" not in source:
            assert source == f"facts:{keys[0]}"
            assert len(keys) == 1
            assert row["value"] == pytest.approx(all_facts[keys[0]].number, abs=0.005)
        else:
            assert source.startswith("derived: ")


def test_derived_pay_rates_follow_their_formula():
    def rate(scale, point, year):
        return reference.pay_rate(scale, point, datetime.date(year, 4, 1))

    for point in ["band2", "band5_entry", "band8a_top"]:
        v24 = rate("afc", point, 2024)
        assert rate("afc", point, 2023) == pytest.approx(v24 / 1.055, abs=1)
        assert rate("afc", point, 2022) == pytest.approx(v24 / 1.055 / 1.05, abs=1)
        assert rate("afc", point, 2026) == pytest.approx(rate("afc", point, 2025) * 1.033, abs=1)
    for point in ["scp2", "scp43"]:
        v24 = rate("njc", point, 2024)
        assert rate("njc", point, 2023) == v24 - 1290
        assert rate("njc", point, 2022) == v24 - 1290 - 1925
        # facts.csv carries its own derived 2025-26 figure: the two must agree.
        assert rate("njc", point, 2025) == reference.fact_number(f"njc_{point}_2025_26")
    assert rate("afc", "band5_entry", 2026) == reference.fact_number(
        "afc_band5_entry_2026_27_derived"
    )


def test_pay_scales_rounding():
    scales = reference.pay_scales()
    annual = scales.filter(pl.col("unit") == "£/year")["value"]
    hourly = scales.filter(pl.col("unit") == "£/hour")["value"]
    assert annual.len() + hourly.len() == scales.height
    assert (annual == annual.round(0)).all()
    assert (hourly == hourly.round(2)).all()
