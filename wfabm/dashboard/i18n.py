"""The dashboard's words in the session's language.

Every text the dashboard shows goes through :func:`t`, so that catalogues can translate it.
"""

from __future__ import annotations

__all__ = ["t"]


def t(message: str, **values: object) -> str:
    """The message in the session's language (English until catalogues exist)."""
    return message.format(**values) if values else message
