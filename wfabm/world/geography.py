"""Places: the 22 Welsh and 7 English border local authorities, their distances and reach."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfabm.core import reference


@dataclass(frozen=True)
class Geography:
    """Local authorities as arrays, in the order of ``reference.local_authorities()``.

    Attributes:
        codes: ONS codes.
        names: Names.
        welsh: True for the 22 Welsh authorities.
        population: Census 2021 population.
        health_board: Index into ``health_boards`` (-1 for English authorities).
        health_boards: Names of the 7 Welsh health boards.
        distance: Commuting distance, km: straight-line between centroids, except that
            neighbouring authorities are at most one typical within-authority commute apart
            (people living near a shared boundary work across it); the diagonal is the
            typical commute within the authority.
        borders_england: Welsh authorities with a land border with England.
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    welsh: np.ndarray
    population: np.ndarray
    health_board: np.ndarray
    health_boards: tuple[str, ...]
    distance: np.ndarray
    borders_england: np.ndarray

    @property
    def size(self) -> int:
        """Number of local authorities."""
        return len(self.codes)

    def index(self, code: str) -> int:
        """Index of a local authority by ONS code."""
        return self.codes.index(code)


def load_geography() -> Geography:
    """Build the geography from the packaged reference data."""
    table = reference.local_authorities()
    boards = tuple(sorted({b for b in table["health_board"].to_list() if b}))
    board_index = np.array(
        [boards.index(b) if b else -1 for b in table["health_board"].to_list()], dtype=np.int16
    )
    return Geography(
        codes=tuple(table["code"].to_list()),
        names=tuple(table["name"].to_list()),
        welsh=(table["country"] == "Wales").to_numpy(),
        population=table["population"].to_numpy().astype(np.float64),
        health_board=board_index,
        health_boards=boards,
        distance=commuting_distance(reference.distance_km(), reference.adjacent()),
        borders_england=table["borders_england"].fill_null(False).to_numpy(),
    )


def commuting_distance(centroid_km: np.ndarray, adjacent: np.ndarray) -> np.ndarray:
    """Commuting distance between authorities.

    Centroid distances overstate the commute between large neighbouring authorities (Powys
    and Shropshire are 57 km apart centre to centre, but towns on either side of the
    boundary are much closer). For neighbours the distance is therefore capped at the longer
    of the two authorities' typical within-authority commutes (the diagonal).

    Args:
        centroid_km: Centroid distances with typical within-authority commutes on the diagonal.
        adjacent: Whether two authorities share a boundary.

    Returns:
        Symmetric matrix of commuting distances, km.
    """
    within = np.diag(centroid_km)
    cap = np.maximum(within[:, None], within[None, :])
    capped = np.where(adjacent, np.minimum(centroid_km, cap), centroid_km)
    np.fill_diagonal(capped, within)
    return capped
