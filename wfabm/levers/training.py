"""More university places for social work and occupational therapy (``[policy.training]``).

Extra places change nothing until the first students they admit graduate, ``course_years``
after the start, so places added before the run graduate on time within it.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from wfabm.core.calendar import months_between
from wfabm.core.schema import Param
from wfabm.core.taxonomy import OCCUPATIONAL_THERAPIST, SOCIAL_WORKER
from wfabm.levers.base import Lever, LeverContext, LeverStart, LeverText

__all__ = ["Training"]

_WHEN = "when its first extra graduates arrive"


class Training(Lever):
    """From its first extra cohort, graduate cohorts of the two professions are multiplied.

    Attributes:
        first_cohort: Month index of the first graduates of the extra places (may be < 0).
        multiplier: The cohort multiplier of each role it covers.
    """

    table = "training"
    schema: ClassVar[dict] = {
        "social_work_places": Param("float", "multiplier", 0.0, 20.0),
        "occupational_therapy_places": Param("float", "multiplier", 0.0, 20.0),
        "course_years": Param("int", "years", 0, 10),
        "start": Param("month", "month"),
    }
    texts = (
        LeverText(
            "policy.training.social_work_places",
            "Recruitment",
            "Social work university places (× today)",
            "More places give bigger graduate cohorts once the course has run (three years).",
            "Social work students in Wales rose from 234 (2020-21) to 422 (2022-23) (Social "
            "Care Wales delivery plan 2024-2027).",
            "number",
            start="policy.training.start",
        ),
        LeverText(
            "policy.training.occupational_therapy_places",
            "Recruitment",
            "Occupational therapy places (× today)",
            "More commissioned places give bigger occupational therapy cohorts after the course.",
            "The Welsh Government has increased commissioned OT places (ADSS Cymru Briefing 5, "
            "2026).",
            "number",
        ),
    )

    def __init__(self, section: dict, context: LeverContext) -> None:
        """Resolve the first extra cohort's month and the multipliers."""
        # Counted from the real start, so places added before the run graduate on time.
        self.first_cohort = (
            months_between(context.start, section["start"]) + 12 * (section["course_years"])
        )
        self.multiplier = {
            SOCIAL_WORKER: section["social_work_places"],
            OCCUPATIONAL_THERAPIST: section["occupational_therapy_places"],
        }
        if set(self.multiplier.values()) != {1.0}:
            self.start = max(self.first_cohort, 0)

    @classmethod
    def first_acts(cls, section: dict, run_start: dt.date) -> list[LeverStart]:
        """The month its first extra graduates arrive, when it adds (or removes) places."""
        if (section["social_work_places"], section["occupational_therapy_places"]) == (1.0, 1.0):
            return []
        start = cls.starts_on("start", run_start, section["start"])
        return [LeverStart(start.key, start.month + 12 * section["course_years"], _WHEN)]

    def graduate_multiplier(self, role: int, month: int) -> float:
        """Multiplier on this month's graduate cohort of a role."""
        if month < self.first_cohort:
            return 1.0
        return self.multiplier.get(role, 1.0)
