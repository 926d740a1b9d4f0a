"""Solara's ``/_solara/cdn/`` route, answered read-only from the installed browser files.

Solara's own handler of that route is a caching proxy: a file it lacks is fetched from a
public CDN and written into the cache, and a request naming a cached folder deletes that
folder (a clean-up of an old cache layout), so one request can empty an offline install.
:class:`ReadOnlyAssets` sits in front of Solara's app and answers every request under the
route itself, so Solara's handler is never reached: files are sent as they are on disk
(``GET`` and ``HEAD`` only), anything else under the route is a 404, a path that leads out
of the folder (``..``, a symlink) is refused, and nothing is fetched, written or deleted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from solara.server import compress
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.responses import Response
from starlette.routing import Mount, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

__all__ = ["CDN_ROUTE", "ReadOnlyAssets"]

CDN_ROUTE = "/_solara/cdn"
"""Where Solara's page asks for its browser files (``solara.server.cdn_helper``)."""

# npm never republishes a version, so a file under an exact version cannot change.
_EXACT_VERSION = re.compile(r"@\d+\.\d+\.\d+(?:[-+][\w.]+)?/")
_IMMUTABLE = "public, max-age=31536000, immutable"


class _PackageFiles(StaticFiles):
    """The folder's regular files, never following a link out of it, cached by browsers.

    They are compressed as Solara compresses its own static files: once per file, kept in
    memory, rather than again for every visitor.
    """

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file's response, compressed if the browser accepts it."""
        response = await super().get_response(path, scope)
        return await compress.compress_file_response(response, scope)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        # A 304 carries the validators of the compressed 200 it stands for.
        compress.update_not_modified(response, str(full_path), stat_result, scope)
        if _EXACT_VERSION.search(scope["path"]):
            response.headers["Cache-Control"] = _IMMUTABLE
        return response


class ReadOnlyAssets:
    """ASGI middleware: serve :data:`CDN_ROUTE` from ``directory``, the rest from ``app``.

    Args:
        app: Solara's ASGI app.
        directory: The folder of browser files (:func:`.assets.cache_dir`), laid out as
            ``<package>@<version>/<file>``.
    """

    def __init__(self, app: ASGIApp, directory: Path) -> None:
        self.app = app
        self.directory = Path(directory)
        files = _PackageFiles(directory=self.directory, follow_symlink=False)
        mount = Mount(CDN_ROUTE, app=files)
        # Solara's exception handler is inside the app this wraps; this one turns the files'
        # refusals (404, 405) into responses.
        self.files = ExceptionMiddleware(Router(routes=[mount], redirect_slashes=False))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a request under :data:`CDN_ROUTE` from the folder; pass on any other."""
        if scope["type"] not in ("http", "websocket") or not _under_route(scope):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await WebSocketClose()(scope, receive, send)
        else:
            # The router answers a path it cannot match (the bare route) with a 404 too.
            await self.files(scope, receive, send)


def _under_route(scope: Scope) -> bool:
    # The path Starlette routes on: every path Solara's own cdn mount would match is in.
    root = scope.get("root_path", "")
    path = scope["path"]
    if root and path.startswith(root):
        path = path[len(root) :]
    return path == CDN_ROUTE or path.startswith(CDN_ROUTE + "/")
