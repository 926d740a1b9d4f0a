"""The one progress display: a line on stderr with the count, the rate and the time left.

Every long command (``run``'s months, ``compare``'s and ``experiment``'s runs,
``calibrate``'s candidates) draws its progress through :class:`ProgressBar`, a thin wrapper
around tqdm. The bar shows only when stderr is a terminal, so logs and pipes stay clean;
the environment variable ``WFABM_PROGRESS`` overrides that, for tests and CI: ``always``
draws it whatever stderr is, ``never`` hides it, ``auto`` (or unset) decides by the terminal.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from wfabm.config import check_argument
from wfabm.core.schema import Param

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = ["PROGRESS_VARIABLE", "SETTINGS", "ProgressBar", "pace", "progress_shown"]

PROGRESS_VARIABLE = "WFABM_PROGRESS"
SETTINGS = ("always", "never", "auto")
"""What ``WFABM_PROGRESS`` may be set to (an empty value counts as ``auto``)."""

_SETTING = Param("str", "an environment variable; unset is the same as auto", choices=SETTINGS)


def progress_shown() -> bool:
    """Say whether a progress bar asked for now would be drawn.

    Returns:
        True when ``WFABM_PROGRESS`` is ``always``, False when it is ``never``, and
        otherwise whether stderr is a terminal.

    Raises:
        ConfigError: If ``WFABM_PROGRESS`` holds anything else.
    """
    # Unset and empty both leave the choice to the terminal.
    setting = os.environ.get(PROGRESS_VARIABLE) or "auto"
    check_argument(setting, _SETTING, name=PROGRESS_VARIABLE)
    if setting == "auto":
        isatty = getattr(sys.stderr, "isatty", None)
        return bool(isatty and isatty())
    return setting == "always"


def pace(rate: float | None, unit: str, plural: str) -> str:
    """Write a rate of progress the way a person reads it.

    Args:
        rate: Units done per second, or None when unknown.
        unit: The name of one unit, e.g. ``"run"``.
        plural: The name of several, e.g. ``"runs"``.

    Returns:
        ``"2.5 runs/s"``, ``"12.0 runs/min"`` or ``"3.2 min/run"``, whichever has a number
        of one or more; an empty string when the rate is unknown or zero.
    """
    if not rate or rate <= 0:
        return ""
    if rate >= 1:
        return f"{rate:.1f} {plural}/s"
    if rate * 60 >= 1:
        return f"{rate * 60:.1f} {plural}/min"
    return f"{1 / (rate * 60):.1f} min/{unit}"


class ProgressBar:
    """A progress line on stderr, told the absolute count done so far.

    The callers' callbacks report ``(done, total)`` and the like rather than increments, so
    the bar is moved *to* a count. The tqdm bar itself is made at the first report, when
    the total and the count done before this session are known, so that neither shows
    as progress made now and the rate counts only this session's work.

    Use it as a context manager, or call :meth:`close` in a ``finally``: an error or a
    Ctrl-C must not be printed on the end of the progress line.

    Args:
        desc: What is progressing, shown first, e.g. ``"compare"``.
        unit: The name of one unit counted, e.g. ``"run"``.
        plural: The name of several; ``unit + "s"`` by default.

    Raises:
        ConfigError: If ``WFABM_PROGRESS`` is set to something not allowed; checked here,
            before the work starts.
    """

    def __init__(self, desc: str, unit: str, plural: str | None = None) -> None:
        self.desc = desc
        self.unit = unit
        self.plural = plural if plural is not None else f"{unit}s"
        self.shown = progress_shown()
        self._bar: tqdm | None = None

    def update_to(
        self, done: int, total: int | None = None, *, before: int = 0, note: str = ""
    ) -> None:
        """Move the bar to ``done`` units.

        Args:
            done: Units done in all, including ``before``.
            total: Units to do in all, or None when not known (then no time left is shown).
            before: Of ``done``, how many were done before this session; read at the first
                report only.
            note: Text shown after the rate, e.g. ``"best objective 0.52"``.
        """
        if not self.shown:
            return
        if self._bar is None:
            self._bar = _open_bar(self, total, before)
        bar = self._bar
        if total != bar.total:
            # A budget can become known (or unknown) mid-way: the bar follows it.
            bar.total = total
            bar.bar_format = _bar_format(total)
        bar.set_postfix_str(note, refresh=False)
        bar.update(done - bar.n)

    def close(self) -> None:
        """End the line (drawn once more with the final count); safe to call twice."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _open_bar(owner: ProgressBar, total: int | None, before: int) -> tqdm:
    # Imported only when a bar is drawn: quiet commands and worker processes never load it.
    from tqdm import tqdm

    class Bar(tqdm):
        # The bar is redrawn on every report; tqdm's monitor thread is not needed, and a
        # thread alive while the process pools fork is best avoided.
        monitor_interval = 0

        @property
        def format_dict(self) -> dict[str, Any]:
            values = super().format_dict
            rate, elapsed, total = values["rate"], values["elapsed"], values["total"]
            if rate is None and elapsed:
                rate = (self.n - self.initial) / elapsed
            stats = [pace(rate, owner.unit, owner.plural)]
            if rate and total:
                stats.append(f"{tqdm.format_interval((total - self.n) / rate)} left")
            values["stats"] = "".join(f", {text}" for text in stats if text)
            values["plural"] = owner.plural
            return values

    return Bar(
        total=total,
        initial=before,
        desc=owner.desc,
        unit=owner.unit,
        file=sys.stderr,
        bar_format=_bar_format(total),
        ascii=True,
        leave=True,
        dynamic_ncols=False,
    )


def _bar_format(total: int | None) -> str:
    if total is None:
        return "  {desc}: {n_fmt} {plural}{stats}{postfix}"
    return "  {desc}: |{bar:24}| {n_fmt}/{total_fmt} {plural}{stats}{postfix}"
