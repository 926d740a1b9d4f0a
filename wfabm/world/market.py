"""On-the-job search, choice between vacancies, and capacity-constrained matching.

A searcher sees a few open vacancies it can reach — within its commuting range, in a role its
qualifications allow, at a sponsor if it holds a visa, outside agency work while the All
Wales Pledge binds — drawn in proportion to the vacancies on offer, plus one job heard of
through a tie. It chooses by random utility (multinomial logit with Gumbel noise) between
them and staying. Employers then take as many of those who chose them as they have open
posts, in random order; the rest stay where they are.

Everything is computed for all searchers at once: candidate cells are drawn with one
``searchsorted`` over row-offset cumulative weights, so no Python loop runs over workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfabm.core.taxonomy import (
    AMHP,
    CARE_WORKER,
    DEPUTY_MANAGER,
    HEALTHCARE_ASSISTANT,
    N_ROLES,
    NURSE,
    OCCUPATIONAL_THERAPIST,
    RCC_WORKER,
    REGISTERED_MANAGER,
    SENIOR_CARE_WORKER,
    SOCIAL_WORKER,
)


def role_transitions(experienced: bool) -> np.ndarray:
    """Roles a worker may move into, ``T[from, to]``.

    Care workers can take healthcare assistant posts (same skills); healthcare assistants
    can return to care; senior, deputy and manager posts need experience; AMHPs can work as
    social workers but only warranted social workers fill AMHP posts. Ancillary and office
    staff move only within their own role (to another care employer); their other moves are
    out of the market, to outside work. Nurses move between care homes and the NHS in their
    own role.

    Args:
        experienced: Whether the worker has the experience for a step up.

    Returns:
        Boolean matrix of allowed moves.
    """
    allowed = np.eye(N_ROLES, dtype=bool)
    allowed[CARE_WORKER, HEALTHCARE_ASSISTANT] = True
    allowed[SENIOR_CARE_WORKER, HEALTHCARE_ASSISTANT] = True
    allowed[HEALTHCARE_ASSISTANT, CARE_WORKER] = True
    allowed[RCC_WORKER, CARE_WORKER] = True
    allowed[AMHP, SOCIAL_WORKER] = True
    if experienced:
        allowed[CARE_WORKER, SENIOR_CARE_WORKER] = True
        allowed[HEALTHCARE_ASSISTANT, SENIOR_CARE_WORKER] = True
        allowed[SENIOR_CARE_WORKER, REGISTERED_MANAGER] = True
        allowed[SENIOR_CARE_WORKER, DEPUTY_MANAGER] = True
        allowed[DEPUTY_MANAGER, REGISTERED_MANAGER] = True
        allowed[RCC_WORKER, REGISTERED_MANAGER] = True
    return allowed


@dataclass
class VacancyIndex:
    """Open vacancies arranged for sampling by (local authority, role) cell.

    Attributes:
        employer: Workplace of each entry (entries sorted by cell).
        role: Role of each entry.
        cumulative: Cumulative open vacancies over the sorted entries.
        cell_open: Open vacancies per cell, flat ``(L * R)``.
        cell_before: Open vacancies in all cells before each cell.
        entry_of_post: Entry of each open post, posts numbered in entry order, and one
            more value (the number of entries) for the number of posts.
    """

    employer: np.ndarray
    role: np.ndarray
    cumulative: np.ndarray
    cell_open: np.ndarray
    cell_before: np.ndarray
    entry_of_post: np.ndarray

    @classmethod
    def build(cls, open_posts: np.ndarray, workplace_la: np.ndarray, n_la: int) -> VacancyIndex:
        """Index the open vacancies ``open_posts[E, R]`` of workplaces in ``workplace_la``.

        Raises:
            ValueError: If open posts are not whole numbers.
        """
        employer, role = np.nonzero(open_posts > 0)
        counts = open_posts[employer, role]
        if np.any(counts != np.floor(counts)):
            msg = "open posts must be whole numbers"
            raise ValueError(msg)
        cell = workplace_la[employer].astype(np.int64) * N_ROLES + role
        order = np.argsort(cell, kind="stable")
        employer, role, counts, cell = employer[order], role[order], counts[order], cell[order]
        cell_open = np.bincount(cell, weights=counts, minlength=n_la * N_ROLES)
        cell_before = np.concatenate(([0.0], np.cumsum(cell_open)[:-1]))
        entry_of_post = np.append(
            np.repeat(np.arange(len(counts)), counts.astype(np.int64)), len(counts)
        )
        return cls(employer, role, np.cumsum(counts), cell_open, cell_before, entry_of_post)

    def sample_in_cells(self, cells: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Entry index of one vacancy drawn in each given cell (weighted by open posts)."""
        target = self.cell_before[cells] + u * self.cell_open[cells]
        # The entry is the number of cumulative counts at most the target. The counts are
        # whole numbers, so that is the number at most its floor: the entry of post
        # floor(target), read from a table instead of a binary search per draw.
        index = self.entry_of_post[np.floor(target).astype(np.int64)]
        return np.minimum(index, len(self.cumulative) - 1)


def sample_rows(cumulative: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Draw a column from each given row of a row-normalised cumulative matrix.

    Args:
        cumulative: ``(Q, C)`` cumulative weights, each row ending at 1 (or all 0).
        rows: Row of each draw.
        u: Uniform draws, same shape as ``rows``.

    Returns:
        Column index of each draw.
    """
    n_rows, n_cols = cumulative.shape
    flat = (np.arange(n_rows)[:, None] + cumulative).ravel()
    # Rows have few non-zero weights, so ``flat`` is mostly runs of equal values. The number
    # of entries at most a value is one past the last entry of the last run at most it, so
    # searching only the runs' last entries gives the same index from a far smaller array.
    last = np.flatnonzero(np.append(flat[1:] != flat[:-1], True))
    run = np.searchsorted(flat[last], rows + u, side="right")
    index = np.where(run > 0, last[np.maximum(run - 1, 0)] + 1, 0)
    return np.clip(index - rows * n_cols, 0, n_cols - 1)


def gumbel(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Standard Gumbel draws (the noise of the multinomial logit)."""
    return -np.log(-np.log(rng.random(shape)))


def match(
    chooser: np.ndarray,
    employer: np.ndarray,
    role: np.ndarray,
    capacity: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Accept choosers up to each (workplace, role) cell's capacity, in random order.

    Args:
        chooser: Row of each applicant.
        employer: Chosen workplace of each applicant.
        role: Chosen role of each applicant.
        capacity: Open posts by (workplace, role), shape ``(E, R)``; decremented in place.
        rng: Random generator.

    Returns:
        Mask over applicants of those taken on.
    """
    if len(chooser) == 0:
        return np.zeros(0, dtype=bool)
    cell = employer.astype(np.int64) * N_ROLES + role
    order = np.lexsort((rng.random(len(cell)), cell))
    sorted_cell = cell[order]
    first = np.searchsorted(sorted_cell, sorted_cell, side="left")
    rank = np.arange(len(cell)) - first
    flat_capacity = capacity.reshape(-1)
    accepted_sorted = rank < flat_capacity[sorted_cell]
    accepted = np.empty(len(cell), dtype=bool)
    accepted[order] = accepted_sorted
    np.subtract.at(flat_capacity, cell[accepted], 1.0)
    return accepted


PROFESSIONAL = np.zeros(N_ROLES, dtype=bool)
PROFESSIONAL[[SOCIAL_WORKER, AMHP, OCCUPATIONAL_THERAPIST, NURSE]] = True
VISA_ROLES = np.zeros(N_ROLES, dtype=bool)
VISA_ROLES[[CARE_WORKER, SENIOR_CARE_WORKER]] = True
