"""The policy workshop dashboard, for ``solara run dashboards/workshop.py``.

The app lives in the package (:mod:`wfabm.dashboard.app`), so that it ships with an
installed wfabm and ``wfabm dashboard`` can serve it; this file is the same app for Solara's
own command. ``wfabm dashboard`` is the way to serve a workshop: it also switches off
telemetry, binds to 127.0.0.1 and uses the offline copy of Solara's browser files.
"""

from __future__ import annotations

from wfabm.dashboard.app import Page

__all__ = ["Page"]
