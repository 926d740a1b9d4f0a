"""wfabm: an agent-based model of the Welsh social care labour market."""

from __future__ import annotations

__version__ = "0.1.0"
