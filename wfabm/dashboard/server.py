"""Serving the dashboard: ``wfabm dashboard [--host 127.0.0.1] [--port 8765]``.

The server is Solara's own (``solara run``), started with the settings a workshop needs:
production mode (no auto-restart, no tracebacks or code in the browser), no usage telemetry,
no version check against the package index, and Solara's browser files served read-only from
the folder the project's setup filled (:mod:`.assets`, :mod:`.cdn`), so nothing is fetched
from the internet and nothing under that folder is written or deleted. A session's model is
freed when its page closes, or :data:`IDLE_TIMEOUT` after its last page lost its connection.
Solara reads its settings from the environment when it is first imported, so they are set
before that.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import warnings
from pathlib import Path

from wfabm.dashboard import assets

__all__ = [
    "APP",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "IDLE_TIMEOUT",
    "ListenError",
    "OfflineAssetsError",
    "check_assets",
    "check_listen",
    "is_loopback",
    "open_to_the_network",
    "serve",
    "server_env",
    "solara_arguments",
]

APP = "wfabm.dashboard.app"
"""The module Solara serves (its ``Page`` component)."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

IDLE_TIMEOUT = "3m"
"""How long a session whose page lost its connection keeps its model (Solara's
``SOLARA_KERNEL_CULL_TIMEOUT``; Solara's own default is a day). A page that reconnects
sooner (a Wi-Fi drop) carries on; a closed page frees its model at once."""


class OfflineAssetsError(RuntimeError):
    """Solara's browser files are not installed, so the page would need the internet."""


class ListenError(RuntimeError):
    """The server cannot listen on the address and port asked for."""


def server_env(cache: Path) -> dict[str, str]:
    """The environment variables Solara must see before it is imported."""
    return {
        # Solara's app module registers the app it names on import, which serve() does
        # before ``solara run`` would set this.
        "SOLARA_APP": APP,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(cache),
        "SOLARA_KERNEL_CULL_TIMEOUT": IDLE_TIMEOUT,
        # Solara's "runs on Solara" badge sits over the bottom right of the last chart.
        "SOLARA_THEME_SHOW_BANNER": "False",
        "SOLARA_THEME_TITLE": "wfabm",
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


def check_listen(host: str, port: int) -> None:
    """Refuse an address that is not this machine's, or a port already taken, before starting.

    Raises:
        ListenError: Naming the host and port, why, and what is allowed.
    """
    allowed = (
        "allowed: an address of this machine (127.0.0.1, the default; 0.0.0.0 or :: for "
        "all its addresses) or a name that resolves to one, and a port no other program uses."
    )
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (OSError, UnicodeError) as error:
        raise ListenError(f"--host {host} is not a known address ({error}); {allowed}") from None
    with socket.socket(family, kind, protocol) as probe:
        # As the server will: a port left in TIME_WAIT by a server just stopped is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise ListenError(
                f"cannot listen on --host {host} --port {port} ({error.strerror}); {allowed}"
            ) from None


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, cache: Path | None = None) -> None:
    """Run the dashboard's server until interrupted.

    Args:
        host: Address to listen on; the default serves this machine only.
        port: Port to listen on.
        cache: Folder of Solara's browser files (default: :func:`.assets.cache_dir`).

    Raises:
        OfflineAssetsError: If the browser files are not installed.
        ListenError: If the server cannot listen on ``host`` and ``port``.
    """
    cache = assets.cache_dir() if cache is None else cache
    # Before anything imports Solara (finding the assets it needs does).
    os.environ.update(server_env(cache))
    check_assets(cache)
    check_listen(host, port)
    from solara.__main__ import cli
    from solara.server.starlette import app

    from wfabm.dashboard.cdn import ReadOnlyAssets
    from wfabm.dashboard.memory import SessionMemory

    # The app object uvicorn will import by name; middleware added now wraps every request.
    app.add_middleware(ReadOnlyAssets, directory=cache)
    memory = SessionMemory()
    memory.start()
    memory.watch()

    # Solara warns, for each page served over plain http, that a session cookie inside an
    # iframe would need https; the dashboard is not embedded in another site.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    if not is_loopback(host):
        print(open_to_the_network(host, port), file=sys.stderr, flush=True)
    print(f"wfabm dashboard: http://{_shown(host)}:{port}/ (Ctrl-C to stop)", flush=True)
    cli.main(solara_arguments(host, port), prog_name="solara", standalone_mode=False)


def is_loopback(host: str) -> bool:
    """Whether an address (or a host name) to listen on is reachable from this machine only.

    A name counts as loopback only if every address it resolves to is one; one that does not
    resolve does not.
    """
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None)
    except OSError:
        return False
    # An IPv6 address may carry a zone ("fe80::1%eth0").
    return bool(found) and all(
        ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in found
    )


def open_to_the_network(host: str, port: int) -> str:
    """The warning for a host other machines can reach: the dashboard has no login."""
    return (
        f"wfabm: warning: --host {host} serves the dashboard to other machines on port {port}, "
        "and it has no login: anyone who can reach this port can use it, and each visitor's "
        "model takes this machine's memory. On a shared network, keep the default "
        "(127.0.0.1) and put a reverse proxy with a password in front of it (README: 'Serving a "
        "workshop on a shared network')."
    )


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host
