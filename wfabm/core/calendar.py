"""Months of a run: from ``YYYY-MM`` config text to month indices and back.

A run counts its months from zero at ``run.start``; levers, uplifts and reports name months
as ``YYYY-MM`` text or dates. These helpers convert between the two.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["month_date", "month_index", "months_between", "parse_month"]


def parse_month(text: str) -> dt.date:
    """The first day of a ``YYYY-MM`` (or ``YYYY-MM-DD``) month."""
    year, month = text.split("-")[:2]
    return dt.date(int(year), int(month), 1)


def months_between(start: dt.date, text: str) -> int:
    """Months from the run's first month to a ``YYYY-MM`` (or ``YYYY-MM-DD``) month (may be < 0)."""
    year, month = (int(part) for part in text.split("-")[:2])
    return (year - start.year) * 12 + (month - start.month)


def month_index(start: dt.date, text: str) -> int:
    """Month index a lever starting in ``text`` takes effect.

    A lever that started before the run is in force from its first month (index 0).
    """
    return max(months_between(start, text), 0)


def month_date(start: dt.date, month: int) -> dt.date:
    """First day of the month ``month`` months after ``start``'s month."""
    total = start.month - 1 + month
    return dt.date(start.year + total // 12, total % 12 + 1, 1)
