"""Packaged reference data: sourced facts, local authorities, distances and pay scales.

Everything here is read from the files shipped in ``wfabm/data`` (see ``wfabm/data/README.md``)
and cached on first use, so repeated calls are cheap and return the same object. Treat the
returned objects as read-only: the numpy arrays are flagged non-writeable, and the dicts are
shared between callers.

The local authorities are the 22 Welsh unitary authorities and the 7 English authorities on or
next to the Welsh border. Every function that returns one row or one row/column per authority
uses the order of :func:`local_authorities`: Welsh authorities by ONS code, then English
authorities by ONS code.
"""

from __future__ import annotations

import bisect
import csv
import datetime
import functools
import io
import json
import math
import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import numpy as np
import polars as pl

__all__ = [
    "ADJACENCY_TOLERANCE_KM",
    "EARTH_RADIUS_KM",
    "Fact",
    "adjacent",
    "behaviour_anchors",
    "boundaries",
    "distance_km",
    "fact",
    "fact_number",
    "facts",
    "local_authorities",
    "pay_rate",
    "pay_scales",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG) used for great-circle distances and projected areas."""

ADJACENCY_TOLERANCE_KM = 1.5
"""Two authorities touch if any of their boundary vertices are at most this far apart."""

_BORDERS_WALES = frozenset(
    {"cheshire_west_and_chester", "shropshire", "herefordshire", "forest_of_dean"}
)
"""English authorities with a land border with Wales (Wikipedia: England-Wales border)."""

_SEVERN_CROSSING = frozenset({"newport", "monmouthshire", "bristol", "south_gloucestershire"})
"""Authorities at either end of the Severn crossings (M4 Prince of Wales Bridge, M48)."""

_NAME_SUFFIXES = (", County of", ", City of")

_NUMBER_RE = re.compile(
    r"""
    ^\s*
    (?:~|c\.\s*|approx\.?\s*)?            # approximate marker
    £?
    (?P<num>-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)
    \s*(?P<scale>million|bn|billion)?
    \s*%?
    \s*(?:\([^()]*\))?                    # one parenthesised qualifier, e.g. "(mid-2018)"
    \s*$
    """,
    re.VERBOSE,
)
_SCALES = {None: 1.0, "million": 1e6, "bn": 1e9, "billion": 1e9}
_FACT_KEY_RE = re.compile(r"facts:([A-Za-z0-9_]+)")


def _data_text(name: str) -> str:
    """Read a packaged data file as UTF-8 text.

    Args:
        name: File name inside ``wfabm/data``.

    Returns:
        The file's contents.
    """
    return (files("wfabm") / "data" / name).read_text(encoding="utf-8")


def _read_csv(name: str, **kwargs: Any) -> pl.DataFrame:
    """Read a packaged CSV file with every column as text unless overridden.

    Args:
        name: File name inside ``wfabm/data``.
        **kwargs: Passed on to :func:`polars.read_csv`.

    Returns:
        The table.
    """
    kwargs.setdefault("infer_schema", False)
    return pl.read_csv(io.StringIO(_data_text(name)), **kwargs)


# --------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One sourced figure from ``facts.csv``.

    Attributes:
        key: Unique identifier, e.g. ``"rlw_uk_2024"``.
        value: The value exactly as written in the file (may be text, a range or a caveat).
        unit: Unit of the value, e.g. ``"£/hour"``, ``"%"``, ``"people"``, ``"text"``.
        year: Year or period the figure refers to.
        geography: Area the figure refers to.
        source: Where the figure comes from (URL or document).
        notes: Description and caveats.
    """

    key: str
    value: str
    unit: str
    year: str
    geography: str
    source: str
    notes: str

    @property
    def number(self) -> float | None:
        """The value as a number, or None if it is not a single number.

        Accepts a plain number with an optional approximate marker (``"~24637"``), thousands
        separators (``"800,000"``), a leading ``£``, a trailing ``%``, a ``million``/``bn``
        multiplier (``"1.5 million"`` is 1,500,000) and one trailing parenthesised qualifier
        (``"86543 (mid-2018)"`` is 86543). Text (``"yes"``, ``"NOT FOUND"``), ranges
        (``"10-15"``), bounds (``">200"``), lists (``"35 / 46"``), comparisons and dates
        give None.
        """
        match = _NUMBER_RE.match(self.value)
        if match is None:
            return None
        return float(match["num"].replace(",", "")) * _SCALES[match["scale"]]


@functools.cache
def facts() -> dict[str, Fact]:
    """All figures in ``facts.csv``, by key.

    Returns:
        Mapping from key to :class:`Fact`, in file order. Shared between callers: do not
        modify it.

    Raises:
        ValueError: If the file repeats a key.
    """
    result: dict[str, Fact] = {}
    for row in csv.DictReader(io.StringIO(_data_text("facts.csv"))):
        item = Fact(
            key=row["key"],
            value=row["value"],
            unit=row["unit"],
            year=row["year"],
            geography=row["geography"],
            source=row["source"],
            notes=row["notes"],
        )
        if item.key in result:
            raise ValueError(f"facts.csv repeats the key {item.key!r}")
        result[item.key] = item
    return result


def fact(key: str) -> Fact:
    """One figure from ``facts.csv``.

    Args:
        key: The fact's key, e.g. ``"rlw_uk_2024"``.

    Returns:
        The fact.

    Raises:
        KeyError: If ``facts.csv`` has no such key.
    """
    try:
        return facts()[key]
    except KeyError:
        raise KeyError(f"no fact with key {key!r} in wfabm/data/facts.csv") from None


def fact_number(key: str) -> float:
    """The numeric value of one figure from ``facts.csv``.

    Args:
        key: The fact's key.

    Returns:
        The value as a float (see :attr:`Fact.number` for what counts as a number).

    Raises:
        KeyError: If ``facts.csv`` has no such key.
        ValueError: If the value is not a single number.
    """
    item = fact(key)
    number = item.number
    if number is None:
        raise ValueError(f"fact {key!r} is not a single number: its value is {item.value!r}")
    return number


@functools.cache
def behaviour_anchors() -> pl.DataFrame:
    """Published behavioural estimates from ``behaviour_anchors.csv``.

    Returns:
        Columns ``key``, ``value``, ``unit``, ``population``, ``source``, ``notes``, all text
        (some values are qualitative); one row per estimate.
    """
    return _read_csv("behaviour_anchors.csv")


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------


@functools.cache
def boundaries() -> dict[str, Any]:
    """The parsed ``wales_and_border_lads.geojson`` (WGS84 lon/lat, simplified).

    Returns:
        A GeoJSON FeatureCollection with one feature per authority; properties ``code``,
        ``name``, ``name_cy`` and ``country``. Shared between callers: do not modify it.
        Attribution: Martin Chorley, UK-GeoJSON (CC BY 4.0); contains OS and ONS data
        © Crown copyright and database right 2014.
    """
    return json.loads(_data_text("wales_and_border_lads.geojson"))


def _slug(name: str) -> str:
    """Make the facts.csv key fragment for an authority name.

    Args:
        name: Name as in the geojson, e.g. ``"Herefordshire, County of"``.

    Returns:
        Lower-case words joined by underscores, e.g. ``"herefordshire"``.
    """
    for suffix in _NAME_SUFFIXES:
        name = name.removesuffix(suffix)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _polygons(geometry: dict[str, Any]) -> list[list[np.ndarray]]:
    """Split a Polygon or MultiPolygon into polygons of (n, 2) lon/lat ring arrays.

    Args:
        geometry: A GeoJSON geometry.

    Returns:
        One list per polygon: the outer ring first, then any holes.

    Raises:
        ValueError: For other geometry types.
    """
    if geometry["type"] == "Polygon":
        parts = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        parts = geometry["coordinates"]
    else:
        raise ValueError(f"unsupported geometry type {geometry['type']!r}")
    return [[np.asarray(ring, dtype=np.float64)[:, :2] for ring in polygon] for polygon in parts]


def _ring_area_centroid(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Area and centroid of a simple ring in planar coordinates (shoelace formula).

    Args:
        x: Vertex x coordinates (the ring may or may not repeat its first vertex).
        y: Vertex y coordinates.

    Returns:
        Unsigned area, centroid x, centroid y.
    """
    x0, y0 = x[0], y[0]
    xs, ys = x - x0, y - y0  # shift to the first vertex for precision
    xn, yn = np.roll(xs, -1), np.roll(ys, -1)
    cross = xs * yn - xn * ys
    signed = cross.sum() / 2.0
    if signed == 0.0:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((xs + xn) * cross).sum() / (6.0 * signed) + x0
    cy = ((ys + yn) * cross).sum() / (6.0 * signed) + y0
    return abs(float(signed)), float(cx), float(cy)


def _geometry_area_centroid(geometry: dict[str, Any]) -> tuple[float, float, float]:
    """Area (km²) and area-weighted centroid (lon, lat) of a polygonal geometry.

    Each polygon is projected with an equirectangular projection at its outer ring's mean
    latitude; holes are subtracted.

    Args:
        geometry: A GeoJSON Polygon or MultiPolygon in WGS84 lon/lat.

    Returns:
        Area in km², centroid longitude, centroid latitude.
    """
    km_per_degree = EARTH_RADIUS_KM * math.pi / 180.0
    total = lon_sum = lat_sum = 0.0
    for rings in _polygons(geometry):
        kx = km_per_degree * math.cos(math.radians(float(rings[0][:, 1].mean())))
        area = cx_sum = cy_sum = 0.0
        for index, ring in enumerate(rings):
            ring_area, cx, cy = _ring_area_centroid(ring[:, 0] * kx, ring[:, 1] * km_per_degree)
            sign = 1.0 if index == 0 else -1.0
            area += sign * ring_area
            cx_sum += sign * ring_area * cx
            cy_sum += sign * ring_area * cy
        if area <= 0.0:
            continue
        total += area
        lon_sum += cx_sum / kx
        lat_sum += cy_sum / km_per_degree
    return total, lon_sum / total, lat_sum / total


def _population(slug: str, welsh: bool) -> tuple[int, str, str | None]:
    """Census 2021 population of an authority from facts.csv.

    Args:
        slug: The authority's slug.
        welsh: Whether it is a Welsh authority.

    Returns:
        Population, the facts key it came from, and a caveat if the value is not a plain
        Census 2021 count (e.g. a mid-2018 estimate), else None.
    """
    key = f"pop_census2021_{slug}" if welsh else f"eng_border_pop_{slug}"
    item = fact(key)
    population = int(fact_number(key))
    note = None
    if item.value.strip() != str(population):
        qualifier = re.search(r"\(([^()]*)\)", item.value)
        what = qualifier[1] if qualifier else "approximate"
        note = f"{what} figure, not Census 2021 (facts.csv value {item.value!r})"
    return population, key, note


@functools.cache
def local_authorities() -> pl.DataFrame:
    """The 22 Welsh and 7 English border local authorities.

    Returns:
        29 rows, Welsh authorities by ONS code then English ones by ONS code, with columns:

        - ``code``: ONS code (``W06...`` / ``E0...``).
        - ``name``, ``name_cy``: English and Welsh names (``name_cy`` is None for English
          authorities). ``name`` drops ONS's ", County of" / ", City of".
        - ``country``: ``"Wales"`` or ``"England"``.
        - ``slug``: lower-case key fragment used in facts.csv, e.g. ``"vale_of_glamorgan"``.
        - ``population``: Census 2021 usual residents (facts ``pop_census2021_<slug>`` for
          Wales, ``eng_border_pop_<slug>`` for England).
        - ``population_source``: the facts key of ``population``.
        - ``population_note``: caveat where the figure is not a Census 2021 count (Forest of
          Dean: mid-2018 estimate), else None.
        - ``health_board``: Welsh local health board (facts ``health_board_<slug>``); None
          for English authorities.
        - ``borders_england``: Welsh authority with a land border with England (facts
          ``borders_england_<slug>`` starts with "yes"): Flintshire, Wrexham, Powys,
          Monmouthshire.
        - ``severn_crossing``: at either end of the Severn crossings (Newport, Monmouthshire,
          Bristol, South Gloucestershire).
        - ``borders_wales``: English authority with a land border with Wales (Cheshire West
          and Chester, Shropshire, Herefordshire, Forest of Dean).
        - ``centroid_lon``, ``centroid_lat``: area-weighted centroid of the boundary polygons
          (WGS84 degrees).
        - ``area_km2``: area of the (simplified) boundary polygons, equirectangular
          approximation.

    Raises:
        KeyError: If facts.csv lacks a figure an authority needs.
    """
    rows: list[dict[str, Any]] = []
    for feature in boundaries()["features"]:
        props = feature["properties"]
        welsh = props["country"] == "Wales"
        name = props["name"]
        for suffix in _NAME_SUFFIXES:
            name = name.removesuffix(suffix)
        slug = _slug(props["name"])
        population, population_source, population_note = _population(slug, welsh)
        area, lon, lat = _geometry_area_centroid(feature["geometry"])
        rows.append(
            {
                "code": props["code"],
                "name": name,
                "name_cy": props["name_cy"] if welsh else None,
                "country": props["country"],
                "slug": slug,
                "population": population,
                "population_source": population_source,
                "population_note": population_note,
                "health_board": fact(f"health_board_{slug}").value if welsh else None,
                "borders_england": welsh
                and fact(f"borders_england_{slug}").value.strip().lower().startswith("yes"),
                "severn_crossing": slug in _SEVERN_CROSSING,
                "borders_wales": not welsh and slug in _BORDERS_WALES,
                "centroid_lon": lon,
                "centroid_lat": lat,
                "area_km2": area,
            }
        )
    rows.sort(key=lambda row: (row["country"] != "Wales", row["code"]))
    schema = {
        "code": pl.String,
        "name": pl.String,
        "name_cy": pl.String,
        "country": pl.String,
        "slug": pl.String,
        "population": pl.Int64,
        "population_source": pl.String,
        "population_note": pl.String,
        "health_board": pl.String,
        "borders_england": pl.Boolean,
        "severn_crossing": pl.Boolean,
        "borders_wales": pl.Boolean,
        "centroid_lon": pl.Float64,
        "centroid_lat": pl.Float64,
        "area_km2": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def _ordered_geometries() -> list[dict[str, Any]]:
    """Boundary geometries in the order of :func:`local_authorities`.

    Returns:
        One GeoJSON geometry per authority.
    """
    by_code = {f["properties"]["code"]: f["geometry"] for f in boundaries()["features"]}
    return [by_code[code] for code in local_authorities()["code"]]


def _readonly(array: np.ndarray) -> np.ndarray:
    """Flag an array non-writeable so a cached result cannot be changed by a caller.

    Args:
        array: The array.

    Returns:
        The same array.
    """
    array.flags.writeable = False
    return array


@functools.cache
def distance_km() -> np.ndarray:
    """Straight-line distances between local authorities, in km.

    Off the diagonal: great-circle (haversine) distance between the authorities' centroids.
    This is straight-line distance, not road distance: it ignores the road network and
    estuaries (Newport to Bristol is short in a straight line but crosses the Severn).
    On the diagonal: the typical commute within the authority, taken as the mean distance
    from the centre of a disc of the authority's area, ``2/3 * sqrt(area / pi)``.

    Returns:
        A read-only symmetric (29, 29) float64 array in the order of
        :func:`local_authorities`.
    """
    las = local_authorities()
    lon = np.radians(las["centroid_lon"].to_numpy())
    lat = np.radians(las["centroid_lat"].to_numpy())
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = (
        np.sin(dlat / 2.0) ** 2
        + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2.0) ** 2
    )
    dist = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    dist = (dist + dist.T) / 2.0  # exact symmetry
    area = las["area_km2"].to_numpy()
    np.fill_diagonal(dist, 2.0 / 3.0 * np.sqrt(area / np.pi))
    return _readonly(dist)


@functools.cache
def adjacent() -> np.ndarray:
    """Which local authorities share a boundary.

    Two authorities are adjacent if any pair of their boundary vertices (one from each) lies
    within :data:`ADJACENCY_TOLERANCE_KM` (1.5 km), measured on an equirectangular projection
    at the study area's mean latitude. Authorities separated by an estuary (Newport and
    Bristol) are not adjacent.

    Returns:
        A read-only symmetric (29, 29) bool array in the order of :func:`local_authorities`,
        True on the diagonal.
    """
    geometries = _ordered_geometries()
    lonlat = [
        np.concatenate([ring for rings in _polygons(g) for ring in rings], axis=0)
        for g in geometries
    ]
    lat0 = math.radians(float(np.concatenate(lonlat)[:, 1].mean()))
    scale = np.array([math.cos(lat0), 1.0]) * EARTH_RADIUS_KM * math.pi / 180.0
    points = [ll * scale for ll in lonlat]
    lo = np.array([p.min(axis=0) for p in points]) - ADJACENCY_TOLERANCE_KM
    hi = np.array([p.max(axis=0) for p in points]) + ADJACENCY_TOLERANCE_KM
    n = len(points)
    result = np.eye(n, dtype=bool)
    tol2 = ADJACENCY_TOLERANCE_KM**2
    for i in range(n):
        for j in range(i + 1, n):
            if np.any(lo[i] > hi[j]) or np.any(lo[j] > hi[i]):
                continue  # bounding boxes (grown by the tolerance) do not overlap
            a = points[i][np.all((points[i] >= lo[j]) & (points[i] <= hi[j]), axis=1)]
            b = points[j][np.all((points[j] >= lo[i]) & (points[j] <= hi[i]), axis=1)]
            if len(a) == 0 or len(b) == 0:
                continue
            d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
            result[i, j] = result[j, i] = bool((d2 <= tol2).any())
    return _readonly(result)


# --------------------------------------------------------------------------------------------
# Pay
# --------------------------------------------------------------------------------------------


@functools.cache
def pay_scales() -> pl.DataFrame:
    """Pay rates in force from given dates, from ``pay_scales.csv``.

    Returns:
        Columns ``scale`` (``rlw``, ``nlw``, ``afc``, ``njc``), ``point`` (``all``,
        ``band5_entry``, ``scp2``, ...), ``effective`` (pl.Date, the rate applies from this
        date until the next row's), ``value`` (float: £/hour or £/year), ``unit`` and
        ``source`` (``facts:<key>`` or ``derived: <formula> from facts:<key> ...``).
    """
    return _read_csv(
        "pay_scales.csv",
        schema_overrides={"effective": pl.Date, "value": pl.Float64},
    )


@functools.cache
def _pay_index() -> dict[tuple[str, str], tuple[list[datetime.date], list[float]]]:
    """Pay rates by (scale, point), sorted by effective date.

    Returns:
        Mapping from (scale, point) to parallel lists of effective dates and values.
    """
    index: dict[tuple[str, str], tuple[list[datetime.date], list[float]]] = {}
    for scale, point, effective, value in (
        pay_scales().sort("effective").select("scale", "point", "effective", "value").iter_rows()
    ):
        dates, values = index.setdefault((scale, point), ([], []))
        dates.append(effective)
        values.append(value)
    return index


def _pay_series(scale: str, point: str) -> tuple[list[datetime.date], list[float]]:
    series = _pay_index().get((scale, point))
    if series is None:
        known = ", ".join(f"{s}/{p}" for s, p in sorted(_pay_index()))
        raise ValueError(f"no pay scale {scale!r} point {point!r}; known: {known}")
    return series


def last_effective(scale: str, point: str) -> datetime.date:
    """The effective date of the last published rate of a scale point.

    Raises:
        ValueError: If the scale/point is unknown.
    """
    return _pay_series(scale, point)[0][-1]


def pay_rate(scale: str, point: str, on: datetime.date) -> float:
    """The pay rate in force on a date.

    Args:
        scale: Pay scale: ``"rlw"``, ``"nlw"`` (£/hour), ``"afc"``, ``"njc"`` (£/year).
        point: Point on the scale, e.g. ``"all"``, ``"band3_entry"``, ``"scp43"``.
        on: The date (a datetime is reduced to its date).

    Returns:
        The value of the latest row with ``effective <= on``.

    Raises:
        ValueError: If the scale/point is unknown or ``on`` is before its first effective date.
    """
    if isinstance(on, datetime.datetime):
        on = on.date()
    dates, values = _pay_series(scale, point)
    position = bisect.bisect_right(dates, on)
    if position == 0:
        raise ValueError(
            f"no {scale}/{point} rate in force on {on.isoformat()}: "
            f"the first is effective {dates[0].isoformat()}"
        )
    return values[position - 1]
