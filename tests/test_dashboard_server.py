"""The dashboard's server as a program: what it serves, what it refuses, where it listens.

Each server here is a real ``wfabm dashboard`` process (Solara's uvicorn server, with the
project's routes in front), reached over HTTP. Solara's public CDN is pointed at a local
server that records every request it gets, so a fetch from "the internet" shows.
"""

from __future__ import annotations

import gzip
import http.client
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from wfabm.dashboard import assets

FAKE_PACKAGE = "requirejs@2.3.6"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Recorder(http.server.BaseHTTPRequestHandler):
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.asked.append(self.path)
        body = b"fetched from outside"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def cdn():
    """A stand-in for the public CDN: the paths asked of it."""
    _Recorder.asked = []
    recorder = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{recorder.server_address[1]}/npm/", _Recorder.asked
    recorder.shutdown()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """An assets folder as setup leaves it: every package, a few files each."""
    folder = tmp_path_factory.mktemp("site") / "solara-assets"
    for spec in assets.packages():
        package = folder / spec
        (package / "dist").mkdir(parents=True)
        (package / "package.json").write_text(f'{{"name": "{spec}"}}')
        (package / "dist" / "main.js").write_text(f"// {spec}\n" + "x = 1;\n" * 400)
    # Beside the folder, where no request may reach.
    (folder.parent / "secret.txt").write_text("not for the browser")
    (folder / FAKE_PACKAGE / "dist" / "outside.js").symlink_to(folder.parent / "secret.txt")
    return folder


def start(arguments: list[str], env: dict[str, str], log: Path, port: int) -> subprocess.Popen:
    """Start a server and wait until it listens on ``port``."""
    with log.open("w") as out:
        server = subprocess.Popen(arguments, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            pytest.fail(f"the dashboard exited: {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the dashboard did not start: {log.read_text()}")
            time.sleep(0.3)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


def offline_env(cdn_url: str) -> dict[str, str]:
    return {**os.environ, "SOLARA_ASSETS_CDN": cdn_url, "NO_PROXY": "*", "no_proxy": "*"}


@pytest.fixture(scope="module")
def served(installed, cdn, tmp_path_factory):
    """The dashboard serving ``installed``: its port and the folder's files before it started."""
    port = _free_port()
    before = _files(installed)
    code = (
        "import sys; from pathlib import Path; from wfabm.dashboard import server; "
        f"server.serve('127.0.0.1', {port}, cache=Path(sys.argv[1]))"
    )
    log = tmp_path_factory.mktemp("server") / "server.log"
    server = start([sys.executable, "-c", code, str(installed)], offline_env(cdn[0]), log, port)
    yield port, before, log
    stop(server)


def get(
    port: int, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """Ask for ``path`` exactly as written (no client-side clean-up of ``..``)."""
    status, body, _ = ask(port, path, method, headers or {})
    return status, body


def ask(
    port: int, path: str, method: str, headers: dict[str, str]
) -> tuple[int, bytes, http.client.HTTPMessage]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


def test_a_package_file_is_served_as_installed(served, installed):
    port, _, _ = served
    status, body = get(port, f"/_solara/cdn/{FAKE_PACKAGE}/dist/main.js")
    assert status == 200
    assert body == (installed / FAKE_PACKAGE / "dist" / "main.js").read_bytes()


def test_a_package_file_is_sent_compressed_and_revalidated(served, installed):
    port, _, _ = served
    path = f"/_solara/cdn/{FAKE_PACKAGE}/dist/main.js"
    status, body, headers = ask(port, path, "GET", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (installed / FAKE_PACKAGE / "dist" / "main.js").read_bytes()
    assert "immutable" in headers["Cache-Control"]
    again = {"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]}
    assert ask(port, path, "GET", again)[0] == 304


@pytest.mark.parametrize(
    "path",
    [
        # Solara's handler deleted a cached folder named like this.
        "/_solara/cdn/@widgetti/solara-vuetify-app@10.1.1",
        f"/_solara/cdn/{FAKE_PACKAGE}/dist",
        "/_solara/cdn/font-awesome@4.5.0/dist/",
        # And fetched, then kept, a file it lacked.
        "/_solara/cdn/mermaid@11.0.0/dist/mermaid.min.js",
        f"/_solara/cdn/{FAKE_PACKAGE}/dist/missing.js",
        f"/_solara/cdn/{FAKE_PACKAGE}",
        "/_solara/cdn/",
    ],
)
def test_a_folder_or_an_unknown_asset_is_a_404_and_changes_nothing(served, installed, cdn, path):
    port, before, _ = served
    status, _ = get(port, path)
    assert status == 404
    assert _files(installed) == before
    assert cdn[1] == []


@pytest.mark.parametrize(
    "path",
    [
        "/_solara/cdn/../secret.txt",
        "/_solara/cdn/%2e%2e/secret.txt",
        "/_solara/cdn/requirejs@2.3.6/..%2f..%2fsecret.txt",
        f"/_solara/cdn/{FAKE_PACKAGE}/dist/outside.js",  # a symlink out of the folder
    ],
)
def test_nothing_outside_the_assets_folder_is_served(served, cdn, path):
    port, _, _ = served
    status, body = get(port, path)
    assert b"not for the browser" not in body
    assert status == 404
    assert cdn[1] == []


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_assets_are_read_only(served, installed, method):
    port, before, _ = served
    status, _ = get(port, f"/_solara/cdn/{FAKE_PACKAGE}/dist/main.js", method)
    assert status == 405
    assert _files(installed) == before


def test_the_page_is_still_solaras_and_loopback_gives_no_warning(served):
    port, _, log = served
    status, body = get(port, "/")
    assert status == 200
    assert b"/_solara/cdn/@widgetti/solara-vuetify-app@" in body
    assert "warning" not in log.read_text()


def test_listening_beyond_this_machine_warns_that_there_is_no_login(cdn, tmp_path):
    if not (assets.cache_dir() / "requirejs@2.3.6" / "package.json").is_file():
        pytest.fail("the browser files are not installed: run 'bash scripts/setup --dev'")
    port = _free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "wfabm", "dashboard", "--host", "0.0.0.0", "--port", str(port)]
    server = start(command, offline_env(cdn[0]), log, port)
    try:
        deadline = time.monotonic() + 10
        while "wfabm dashboard: http://" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop(server)
    text = " ".join(log.read_text().split())
    assert "wfabm: warning: --host 0.0.0.0 serves the dashboard to other machines" in text
    assert "it has no login" in text
    assert "reverse proxy" in text


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("no-such-host.invalid", False),
    ],
)
def test_which_hosts_count_as_this_machine_only(host, loopback):
    from wfabm.dashboard import server

    assert server.is_loopback(host) is loopback
