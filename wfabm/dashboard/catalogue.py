"""Every message the dashboard shows, for its translation catalogues.

Most messages are literal in the dashboard's code, as the first argument of ``t`` or ``N_``
(:data:`~wfabm.dashboard.i18n.KEYWORDS`), and Babel's extractor finds them. The others are
data the dashboard shows through ``t``: the levers' texts (written with each lever class), the
titles of the scenario presets (the first line of each file), the names of services and of a
worker's events. :func:`messages` is both, for ``scripts/translations`` to write the catalogue
template and for the tests to check that every one is translated.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

from wfabm.core.taxonomy import SERVICES
from wfabm.dashboard.i18n import DOMAIN, KEYWORDS
from wfabm.dashboard.levers import GROUPS, LEVERS, presets
from wfabm.world.events import EVENT_KINDS

__all__ = ["data_messages", "literal_messages", "messages", "template"]

_DASHBOARD = Path(__file__).parent


def literal_messages() -> dict[str, list[tuple[str, int]]]:
    """Messages written in the dashboard's code, with where each is written.

    Returns:
        ``{message: [(file, line), ...]}``, files relative to the package's folder.
    """
    found: dict[str, list[tuple[str, int]]] = {}
    results = extract_from_dir(
        _DASHBOARD,
        method_map=[("**.py", "python")],
        keywords=dict.fromkeys(KEYWORDS),
    )
    for filename, line, message, _comments, _context in results:
        if isinstance(message, str) and message:
            found.setdefault(message, []).append((f"wfabm/dashboard/{filename}", line))
    return found


def data_messages() -> dict[str, str]:
    """Messages the dashboard shows from data, with where each comes from.

    Returns:
        ``{message: origin}``, the origin as a comment for translators.
    """
    found: dict[str, str] = {}
    for group in GROUPS:
        found.setdefault(group, "lever group")
    for lever in LEVERS:
        found.setdefault(lever.label, f"label of the lever {lever.name}")
        found.setdefault(lever.explanation, f"what the lever {lever.name} does")
        for _key, text in lever.choices:
            found.setdefault(text, f"a choice of the lever {lever.name}")
    for preset in presets():
        found.setdefault(preset.title[0].upper() + preset.title[1:], f"preset {preset.name}")
    for service in SERVICES:
        found.setdefault(service.replace("_", " "), "a kind of service")
    for kind in EVENT_KINDS:
        found.setdefault(kind.replace("_", " "), "what happened to a worker")
    return found


def messages() -> set[str]:
    """Every message the dashboard may pass to ``t``."""
    return set(literal_messages()) | set(data_messages())


def template(locale: str | None = None) -> Catalog:
    """The catalogue template (``messages.pot``): every message, none translated.

    Args:
        locale: The language of a new catalogue made from it (None: the template itself).
    """
    catalog = Catalog(locale=locale, domain=DOMAIN, project="wfabm", charset="utf-8")
    for message, places in sorted(literal_messages().items()):
        catalog.add(message, locations=places)
    for message, origin in sorted(data_messages().items()):
        if message in catalog:
            continue
        catalog.add(message, auto_comments=[origin])
    return catalog
