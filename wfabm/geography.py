"""Places: the 22 Welsh and 7 English border local authorities, their distances and reach."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfabm import reference


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
        distance: Straight-line distance between centroids, km (diagonal: typical commute).
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
        distance=np.asarray(reference.distance_km(), dtype=np.float64),
        borders_england=table["borders_england"].fill_null(False).to_numpy(),
    )
