"""wfabm: an agent-based model of the Welsh social care labour market.

The two names most users need are importable from the package itself::

    from wfabm import WorkforceModel, load_config
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["WorkforceModel", "load_config"]

if TYPE_CHECKING:
    from wfabm.config import load_config
    from wfabm.model.workforce import WorkforceModel


def __getattr__(name: str) -> Any:
    # Imported on first use so `wfabm check` does not pay for importing Mesa.
    if name == "WorkforceModel":
        from wfabm.model.workforce import WorkforceModel

        return WorkforceModel
    if name == "load_config":
        from wfabm.config import load_config

        return load_config
    msg = f"module 'wfabm' has no attribute {name!r}"
    raise AttributeError(msg)
