"""The dashboard in Welsh or English: its text, numbers and dates in the session's language.

Every user-visible string is written in English as ``t("English text", name=value)``; the
English is the message's key in the gettext catalogue
``wfabm/dashboard/locale/cy/LC_MESSAGES/messages.po``, and ``{name}`` placeholders are filled
with ``str.format`` after translation, so a translation may put them in another order.
Labels kept in tables at import time are marked with :func:`N_` and translated where they are
shown. The catalogue is read as a ``.po`` file when first needed (compiled in memory by Babel):
an installed wheel carries the file with the package, so no build step can forget to compile
it. ``scripts/translations`` extracts the messages (keywords ``t`` and ``N_``) and updates it.

The session's language is a Solara reactive value, which Solara keeps per browser session, so
two people in a room can read the dashboard in different languages; a component that calls
:func:`t` redraws when it changes.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

if TYPE_CHECKING:
    import solara

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "KEYWORDS",
    "LANGUAGES",
    "LOCALE_FOLDER",
    "N_",
    "catalogue_path",
    "current_language",
    "money",
    "month_year",
    "number",
    "percent",
    "session_language",
    "set_language",
    "short_month_year",
    "speaking",
    "t",
    "translate",
    "translations",
]

LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
"""The dashboard's languages by code, each named in itself (as the switch shows them)."""

DEFAULT_LANGUAGE = "en"
LOCALE_FOLDER = Path(__file__).parent / "locale"
DOMAIN = "messages"
KEYWORDS: tuple[str, ...] = ("t", "N_", "translate")
"""The functions whose first argument is a message, for extraction."""

_session: list = []  # the reactive value, made when first asked for


def session_language() -> solara.Reactive[str]:
    """The session's language (a key of :data:`LANGUAGES`), a Solara reactive value.

    Made when first asked for, so that the modules that only mark messages (the measures,
    the levers) do not load Solara, for instance in the comparison's worker processes.
    """
    if not _session:
        import solara

        _session.append(solara.reactive(DEFAULT_LANGUAGE))
    return _session[0]


_speaking: contextvars.ContextVar[str | None] = contextvars.ContextVar("speaking", default=None)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a marker)
    """Mark a message for the catalogue where it is defined; :func:`t` translates it later."""
    return message


def catalogue_path(code: str) -> Path:
    """The ``.po`` file of a language (English, the source language, has none)."""
    return LOCALE_FOLDER / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(code: str) -> NullTranslations:
    """The gettext translations of a language, read from its catalogue once.

    Args:
        code: A key of :data:`LANGUAGES`.

    Returns:
        Translations whose ``gettext`` gives a message in that language (English itself for
        a message the catalogue lacks, or marks fuzzy).
    """
    if code == DEFAULT_LANGUAGE:
        return NullTranslations()
    with catalogue_path(code).open("rb") as source:
        catalog = read_po(source, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translate(message: str, code: str, **values: object) -> str:
    """A message in the given language, its ``{name}`` placeholders filled from ``values``."""
    text = translations(code).gettext(message)
    return text.format(**values) if values else text


def t(message: str, **values: object) -> str:
    """A message in the session's language, its ``{name}`` placeholders filled from ``values``.

    Args:
        message: The English text, the catalogue's key.
        **values: What fills its placeholders (already formatted, e.g. with :func:`number`).

    Returns:
        The text to show.
    """
    return translate(message, current_language(), **values)


def current_language() -> str:
    """The language :func:`t` speaks now: :func:`speaking`'s, else the session's."""
    return _speaking.get() or session_language().value


@contextlib.contextmanager
def speaking(code: str) -> Iterator[None]:
    """Within the block, :func:`t` and the formatters use ``code`` in this thread.

    For work done away from the page (a file made when a button is pressed) in the language
    the page showed, without changing the session's language.
    """
    token = _speaking.set(code)
    try:
        yield
    finally:
        _speaking.reset(token)


def set_language(code: str) -> None:
    """Switch the session's language.

    Raises:
        ValueError: For a code not in :data:`LANGUAGES`.
    """
    if code not in LANGUAGES:
        allowed = ", ".join(f'"{key}"' for key in LANGUAGES)
        raise ValueError(f'language = "{code}" is not one of the choices; allowed: {allowed}.')
    session_language().set(code)


def _locale(code: str | None) -> str:
    return current_language() if code is None else code


def number(value: float, digits: int = 0, code: str | None = None) -> str:
    """A number with grouped thousands and ``digits`` decimals, as the language writes it."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=_locale(code))


def percent(value: float, digits: int = 1, code: str | None = None) -> str:
    """A share (0.05) as a percentage (5.0%), as the language writes it."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, pattern, locale=_locale(code))


def money(value: float, code: str | None = None) -> str:
    """Pounds, whole, as the language writes them (``£1,234``)."""
    return format_currency(value, "GBP", "¤#,##0", locale=_locale(code), currency_digits=False)


def month_year(day: dt.date, code: str | None = None) -> str:
    """A month and year with the month's name in the language (``Ebrill 2022``)."""
    return format_date(day, "LLLL y", locale=_locale(code))


def short_month_year(day: dt.date, code: str | None = None) -> str:
    """A month, abbreviated, and year in the language (``Apr 2026``, ``Ebr 2026``)."""
    return format_date(day, "LLL y", locale=_locale(code))
