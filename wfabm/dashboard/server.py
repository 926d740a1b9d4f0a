"""Serving the dashboard: ``wfabm dashboard [--host 127.0.0.1] [--port 8765]``.

The server is Solara's own (``solara run``), started with the settings a workshop needs:
production mode (no auto-restart, no tracebacks or code in the browser), no usage telemetry,
no version check against the package index, and Solara's browser files read from the
project's offline cache (:mod:`.assets`). Solara reads its settings from the environment
when it is first imported, so they are set before that.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from wfabm.dashboard import assets

__all__ = [
    "APP",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "OfflineAssetsError",
    "check_assets",
    "serve",
    "server_env",
    "solara_arguments",
]

APP = "wfabm.dashboard.app"
"""The module Solara serves (its ``Page`` component)."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class OfflineAssetsError(RuntimeError):
    """Solara's browser files are not installed, so the page would need the internet."""


def server_env(cache: Path) -> dict[str, str]:
    """The environment variables Solara must see before it is imported."""
    return {
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(cache),
    }


def solara_arguments(host: str, port: int) -> list[str]:
    """The ``solara run`` command line for the dashboard."""
    return [
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def check_assets(cache: Path) -> None:
    """Refuse to start without Solara's browser files, which an offline venue cannot fetch.

    Raises:
        OfflineAssetsError: Naming the missing packages and how to install them.
    """
    lacking = assets.missing(cache, assets.packages())
    if lacking:
        raise OfflineAssetsError(
            f"Solara's browser files are not installed in {cache} (missing "
            f"{', '.join(lacking)}), so the dashboard would need the internet; run "
            "'bash scripts/setup' (or '.venv/bin/python -m wfabm.dashboard.assets') first."
        )


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, cache: Path | None = None) -> None:
    """Run the dashboard's server until interrupted.

    Args:
        host: Address to listen on; the default serves this machine only.
        port: Port to listen on.
        cache: Folder of Solara's browser files (default: :func:`.assets.cache_dir`).

    Raises:
        OfflineAssetsError: If the browser files are not installed.
    """
    cache = assets.cache_dir() if cache is None else cache
    # Before anything imports Solara (finding the assets it needs does).
    os.environ.update(server_env(cache))
    check_assets(cache)
    from solara.__main__ import cli

    # Solara warns, for each page served over plain http, that a session cookie inside an
    # iframe would need https; the dashboard is not embedded in another site.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    print(f"wfabm dashboard: http://{_shown(host)}:{port}/ (Ctrl-C to stop)", flush=True)
    cli.main(solara_arguments(host, port), prog_name="solara", standalone_mode=False)


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host
