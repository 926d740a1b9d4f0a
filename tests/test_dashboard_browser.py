"""Real-browser tests of the dashboard, as a workshop uses it, with no internet.

``wfabm dashboard`` is started as a process, as a user starts it, with Solara's public CDN
pointed at a dead local address and every proxy variable set to one, so any file missing
from the offline cache breaks the page. Debian's headless Chromium, driven by Playwright,
loads the app; every request that would leave this machine is refused and recorded, and
each test checks that there were none.

Screenshots of the views go to a temporary folder, or to the folder named by
``WFABM_DASHBOARD_SCREENSHOTS``. ``test_screenshots_of_every_view`` saves every view of a
zero-hours run at 1920×1080 and 1280×720, at a desk and in presenting mode
(``<view>-<size>[-presenting].png``); the ones in ``docs/dashboard/`` are made with::

    WFABM_DASHBOARD_SCREENSHOTS=docs/dashboard \
        .venv/bin/python -m pytest tests/test_dashboard_browser.py -k screenshots
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pypdf
import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEAD = "http://127.0.0.1:9"  # the discard port: nothing listens there
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
VIEWPORT = {"width": 1280, "height": 900}
LOAD_TIMEOUT = 90_000  # ms; the first page builds a Wales-scale model on a busy machine
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium: Playwright cannot download its own browser here.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "accept_downloads": True}


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    chosen = os.environ.get("WFABM_DASHBOARD_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_dashboard(log_path: Path) -> tuple[str, subprocess.Popen]:
    """``wfabm dashboard`` on a free port, cut off from the internet: its URL and process."""
    port = _free_port()
    env = {
        **os.environ,
        "SOLARA_ASSETS_CDN": f"{DEAD}/npm/",
        "HTTP_PROXY": DEAD,
        "HTTPS_PROXY": DEAD,
        "http_proxy": DEAD,
        "https_proxy": DEAD,
        "NO_PROXY": "",
        "no_proxy": "",
    }
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "wfabm", "dashboard", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            pytest.fail(f"wfabm dashboard exited: {log_path.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"wfabm dashboard did not start: {log_path.read_text()}")
            time.sleep(0.3)
    return f"http://127.0.0.1:{port}/", server


def stop_dashboard(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory):
    """``wfabm dashboard`` on a free port, cut off from the internet."""
    url, server = start_dashboard(tmp_path_factory.mktemp("server") / "server.log")
    yield url
    stop_dashboard(server)


def guard(context, refused: list[str]) -> None:
    """Refuse, and list, every request of a browser context that would leave this machine."""

    def route(route):
        url = route.request.url
        if urlparse(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", route)


@pytest.fixture
def outside(page: Page) -> list[str]:
    """Requests of the test's page that would have left this machine."""
    refused: list[str] = []
    guard(page.context, refused)
    return refused


def open_dashboard(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_text("Month shown")).to_be_visible(timeout=LOAD_TIMEOUT)
    # The page's hidden chart is drawn once plotly's widget code has loaded, as it will have
    # by the time a person has read the page.
    page.wait_for_selector(".js-plotly-plot", state="attached", timeout=LOAD_TIMEOUT)


def points(page: Page) -> int:
    """Points in the first trace of the first chart on the page (0 if none is drawn)."""
    return page.evaluate(
        "() => { const plot = document.querySelector('.js-plotly-plot');"
        " return plot && plot.data && plot.data.length ? plot.data[0].x.length : 0; }"
    )


def screenshot(page: Page, path: Path) -> None:
    """Save the page as a small PNG (256 colours are plenty for charts and text)."""
    image = Image.open(io.BytesIO(page.screenshot()))
    image.convert("RGB").quantize(colors=256).save(path, optimize=True)


def step(page: Page, month: str) -> None:
    page.get_by_role("button", name="Step a month").click()
    expect(page.get_by_text(f"Month shown: {month}")).to_be_visible(timeout=30_000)


def play(page: Page, *, speed: int, until_points: int) -> None:
    """Play at ``speed`` months a second until the chart has ``until_points`` months, then pause."""
    page.get_by_role("button", name=str(speed), exact=True).click()
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        f"() => document.querySelector('.js-plotly-plot').data[0].x.length >= {until_points}",
        timeout=120_000,
    )
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()


def play_to_horizon(page: Page, *, speed: int) -> None:
    """Play at ``speed`` months a second until the run reaches its horizon and play ends.

    Waiting for the end instead of pausing near it leaves no race between a Pause click and
    the last month on a busy machine.
    """
    page.get_by_role("button", name=str(speed), exact=True).click()
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Play")).to_be_disabled(timeout=300_000)


def show(page: Page, view: str) -> None:
    page.get_by_role("button", name=view, exact=True).click()


def chart_drawn(page: Page) -> None:
    page.wait_for_function(
        "() => { const plot = document.querySelector('.js-plotly-plot');"
        " return plot && plot.data && plot.data.length > 0; }",
        timeout=60_000,  # a chart's first drawing is slow on a busy machine
    )


def set_field(page: Page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")


def test_lever_play_and_charts_with_no_internet(page: Page, dashboard_url, outside, screenshots):
    open_dashboard(page, dashboard_url)
    expect(page.get_by_text("Scenario presets")).to_be_visible()
    expect(page.get_by_text("Evidence: Moves between care employers")).to_be_visible()
    screenshot(page, screenshots / "levers.png")

    set_field(page, "Pay rise for care staff (share, 0.05 = +5 %)", "0.05")
    page.get_by_role("button", name="Apply levers and restart").click()
    show(page, "Workforce")
    step(page, "April 2022")
    chart_drawn(page)
    assert points(page) == 1

    play(page, speed=5, until_points=4)
    shown = points(page)
    assert shown >= 4
    time.sleep(1.5)
    assert points(page) <= shown + 1  # paused (a step under way may still land)
    screenshot(page, screenshots / "workforce.png")
    assert outside == []


def test_a_bad_lever_value_is_refused_with_a_clear_message(page: Page, dashboard_url, outside):
    open_dashboard(page, dashboard_url)
    set_field(page, "Pay rise for care staff (share, 0.05 = +5 %)", "9")
    page.get_by_role("button", name="Apply levers and restart").click()
    expect(
        page.get_by_text(
            "Pay rise for care staff (share, 0.05 = +5 %): policy.pay_change[0].fraction = 9.0 "
            "is out of range; allowed: a number from -0.9 to 5 (share)."
        )
    ).to_be_visible()
    set_field(page, "Seed", "twelve")
    set_field(page, "Pay rise for care staff (share, 0.05 = +5 %)", "0")
    page.get_by_role("button", name="Apply levers and restart").click()
    expect(page.get_by_text('Seed: run.seed = "twelve" has the wrong type')).to_be_visible()
    assert outside == []


VIEWS = [
    ("Vacancies and turnover", "vacancies", "Vacancy rate by role"),
    ("Burnout", "burnout", "Burnout of Welsh social care workers"),
    ("Agency and unmet care", "agency", "Agency spend"),
    ("Flows", "flows", "Moves, arrivals and departures"),
    ("Map", "map", "Vacancy rate in social care"),
]


def test_every_view_opens(page: Page, dashboard_url, outside, screenshots):
    open_dashboard(page, dashboard_url)
    show(page, "Workforce")
    step(page, "April 2022")
    chart_drawn(page)
    play(page, speed=10, until_points=24)  # two years, so the screenshots show lines
    for button, name, title in VIEWS:
        show(page, button)
        expect(page.get_by_text(title).first).to_be_visible(timeout=30_000)
        chart_drawn(page)
        screenshot(page, screenshots / f"{name}.png")
        assert (screenshots / f"{name}.png").read_bytes().startswith(PNG)
    show(page, "Map")
    credit = page.get_by_text("Martin Chorley").first  # the boundaries' attribution
    # The map may redraw (and replace its attribution) while the page scrolls to it: the
    # locator finds the new one on the next try.
    for attempt in range(3):
        try:
            credit.scroll_into_view_if_needed(timeout=10_000)
            break
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(500)
    expect(credit).to_be_visible()
    screenshot(page, screenshots / "map.png")
    assert outside == []


def test_follow_a_worker(page: Page, dashboard_url, outside, screenshots):
    open_dashboard(page, dashboard_url)
    show(page, "Follow a worker")
    page.get_by_role("button", name="Follow someone").click()
    expect(page.get_by_text("Their story starts with the next month")).to_be_visible()
    for month in ("April 2022", "May 2022", "June 2022"):
        step(page, month)
    expect(page.get_by_text("Worker ").first).to_be_visible()
    expect(page.get_by_text("in Powys").first).to_be_visible()
    chart_drawn(page)
    assert points(page) == 3
    screenshot(page, screenshots / "follow.png")
    assert outside == []


def test_export_results_and_chart_png(page: Page, dashboard_url, outside, screenshots):
    open_dashboard(page, dashboard_url)
    show(page, "Workforce")
    step(page, "April 2022")
    chart_drawn(page)
    page.locator(".js-plotly-plot").first.hover()
    with page.expect_download() as png:
        page.locator(".modebar-btn[data-title^='Download plot']").first.click()
    assert png.value.suggested_filename == "wfabm-headcount.png"
    assert Path(png.value.path()).read_bytes().startswith(PNG)

    show(page, "Export")
    screenshot(page, screenshots / "export.png")
    with page.expect_download() as table:
        page.get_by_role("button", name="metrics.csv").click()
    assert table.value.suggested_filename == "wfabm-metrics-2022-04.csv"
    rows = list(csv.DictReader(io.StringIO(Path(table.value.path()).read_text())))
    assert {row["month"] for row in rows} == {"2022-04-01"}
    assert {"sector", "role", "local_authority", "vacancies"} <= set(rows[0])
    with page.expect_download() as parquet:
        page.get_by_role("button", name="flows.parquet").click()
    assert Path(parquet.value.path()).read_bytes()[:4] == b"PAR1"
    assert outside == []


def test_compare_with_the_baseline(page: Page, dashboard_url, outside, screenshots):
    open_dashboard(page, dashboard_url)
    page.get_by_text("Workload and wellbeing").click()
    set_field(page, "Growth of funded care posts (× baseline)", "5")
    set_field(page, "Horizon (months)", "6")
    page.get_by_role("button", name="Apply levers and restart").click()
    show(page, "Compare")
    set_field(page, "Replicates (seeds)", "2")
    page.get_by_role("button", name="Run comparison").click()
    table = page.get_by_text("Own levers against the baseline, Welsh social care")
    expect(table).to_be_visible(timeout=300_000)
    chart_drawn(page)
    expect(page.get_by_text("Vacancy rate").first).to_be_visible()
    table.scroll_into_view_if_needed()
    screenshot(page, screenshots / "compare.png")
    assert outside == []


def test_each_browser_session_has_its_own_model(page: Page, dashboard_url, outside):
    open_dashboard(page, dashboard_url)
    step(page, "April 2022")
    # Another browser session: its own cookies, as another laptop in the room.
    context = page.context.browser.new_context(viewport=VIEWPORT)
    guard(context, outside)
    try:
        other = context.new_page()
        open_dashboard(other, dashboard_url)
        expect(other.get_by_text("Month shown: not started")).to_be_visible()
        step(other, "April 2022")
        step(other, "May 2022")
    finally:
        context.close()
    expect(page.get_by_text("Month shown: April 2022")).to_be_visible()
    assert outside == []


SESSIONS = 30
MEMORY_LIMIT_MB = 600


def resident_mb(pid: int) -> float:
    """The resident memory of a process, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def open_sessions(url: str) -> int:
    """Sessions the server still holds (Solara's own count of its kernels)."""
    with urllib.request.urlopen(f"{url}resourcez", timeout=30) as answer:
        return json.load(answer)["kernels"]["total"]


def wait_until(condition, *, seconds: float) -> bool:
    """Whether ``condition()`` came true within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


@pytest.mark.slow
def test_closed_sessions_give_their_memory_back(browser, tmp_path):
    # A room of laptops over a workshop: each opens the page, steps, and closes it.
    url, server = start_dashboard(tmp_path / "server.log")
    refused: list[str] = []
    after_each: list[int] = []  # MB, for the message if the test fails
    try:
        for _ in range(SESSIONS):
            context = browser.new_context(viewport=VIEWPORT)
            guard(context, refused)
            page = context.new_page()
            open_dashboard(page, url)
            step(page, "April 2022")
            page.close()  # as a tab is closed: the page tells the server it has gone
            closed = wait_until(lambda: open_sessions(url) == 0, seconds=20)
            context.close()
            after_each.append(round(resident_mb(server.pid)))
            assert closed, f"a closed page's session is still open; MB after each: {after_each}"
        # The last session's memory is returned a moment after it closes.
        wait_until(lambda: resident_mb(server.pid) < MEMORY_LIMIT_MB, seconds=15)
        left = resident_mb(server.pid)
        assert left < MEMORY_LIMIT_MB, f"{left:.0f} MB left; MB after each: {after_each}"
    finally:
        stop_dashboard(server)
    assert refused == []


# ------------------------------------------------- Cymraeg / English, the scenario file, the link


def test_switch_language_twice_keeps_the_run(page: Page, dashboard_url, outside, screenshots):
    open_dashboard(page, dashboard_url)
    step(page, "April 2022")
    step(page, "May 2022")
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.get_by_text("Mis a ddangosir: Mai 2022")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Cam o fis")).to_be_visible()
    expect(page.get_by_text("Senarios parod")).to_be_visible()
    expect(page.get_by_text("Step a month")).to_have_count(0)
    screenshot(page, screenshots / "cymraeg.png")
    page.get_by_role("button", name="Cam o fis").click()
    expect(page.get_by_text("Mis a ddangosir: Mehefin 2022")).to_be_visible(timeout=30_000)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_text("Month shown: June 2022")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.get_by_text("Mis a ddangosir: Mehefin 2022")).to_be_visible(timeout=30_000)
    assert outside == []


def open_file(page: Page, path: Path) -> None:
    """Choose a file with the upload button, as in the browser's file dialog."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile("Open a scenario file")).click()
    chooser.value.set_files(str(path))


def test_download_and_upload_the_scenario(page: Page, dashboard_url, outside, tmp_path):
    open_dashboard(page, dashboard_url)
    page.get_by_text("Workload and wellbeing").click()
    set_field(page, "Wellbeing support (faster burnout recovery, share)", "0.35")
    set_field(page, "Horizon (months)", "30")
    page.get_by_role("button", name="Apply levers and restart").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the scenario (TOML)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "policy.wellbeing.recovery_boost = 0.35" in text
    assert "run.months = 30" in text

    # Back to the baseline, then open the file: the levers come back from it.
    page.get_by_role("button", name="Baseline: today's policy").click()
    set_field(page, "Horizon (months)", "12")
    page.get_by_role("button", name="Apply levers and restart").click()
    field = page.get_by_label("Wellbeing support (faster burnout recovery, share)", exact=True)
    expect(field).not_to_have_value("0.35")
    open_file(page, saved)
    expect(page.get_by_text(f"Opened {saved.name}")).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Horizon (months)", exact=True)).to_have_value("30")
    expect(field).to_have_value("0.35")

    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\nrun.months = -4\n', encoding="utf-8")
    open_file(page, bad)
    expect(page.get_by_text("bad.toml: run.months = -4 is out of range; allowed:")).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_label("Horizon (months)", exact=True)).to_have_value("30")
    assert outside == []


def test_a_shared_link_opens_the_same_dashboard_in_another_session(
    page: Page, dashboard_url, outside
):
    open_dashboard(page, dashboard_url)
    page.get_by_role("button", name="No zero-hours contracts in Welsh social care").click()
    show(page, "Map")
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.get_by_text("Mis a ddangosir")).to_be_visible(timeout=30_000)
    page.wait_for_function("() => window.location.search.includes('view=map')", timeout=30_000)
    link = page.url
    query = parse_qs(urlparse(link).query)
    assert query["lang"] == ["cy"]
    assert query["preset"] == ["zero_hours_ban"]

    # Another laptop in the room opens the link.
    context = page.context.browser.new_context(viewport=VIEWPORT)
    guard(context, outside)
    try:
        other = context.new_page()
        other.goto(link)
        expect(other.get_by_text("Mis a ddangosir: heb ddechrau")).to_be_visible(timeout=90_000)
        welsh_title = "Dim contractau dim oriau mewn gofal cymdeithasol yng Nghymru"
        expect(other.get_by_role("button", name=welsh_title)).to_be_visible()
        # The map view is open: its measure picker shows once a month is run.
        other.get_by_role("button", name="Cam o fis").click()
        expect(other.get_by_text("Mis a ddangosir: Ebrill 2022")).to_be_visible(timeout=30_000)
        expect(other.get_by_text("Lliwio yn ôl").first).to_be_attached(timeout=30_000)
        # The original session is untouched by the second.
        other.get_by_role("button", name="English").click()
        expect(other.get_by_text("Month shown")).to_be_visible(timeout=30_000)
    finally:
        context.close()
    expect(page.get_by_text("Mis a ddangosir")).to_be_visible()
    assert outside == []


def test_a_bad_link_says_why_and_opens_a_new_session(page: Page, dashboard_url, outside):
    page.goto(dashboard_url + "?lang=fr")
    expect(
        page.get_by_text(
            """the dashboard's link: lang = "fr" is not one of the choices; allowed: "en", "cy"."""
        )
    ).to_be_visible(timeout=90_000)
    expect(page.get_by_text("Month shown: not started")).to_be_visible()
    assert outside == []


def test_one_click_brief_in_the_sessions_language(page: Page, dashboard_url, outside, tmp_path):
    open_dashboard(page, dashboard_url)
    step(page, "April 2022")
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.get_by_text("Mis a ddangosir: Ebrill 2022")).to_be_visible(timeout=30_000)
    with page.expect_download(timeout=60_000) as pdf:
        page.get_by_role("button", name="Briff (PDF)").click()
    assert pdf.value.suggested_filename == "wfabm-brief-2022-04-cy.pdf"
    data = Path(pdf.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Ym mis Ebrill 2022, 1 mis i mewn i'r rhediad a ddangosir" in text
    assert "Briff polisi: Llinell sylfaen: polisi heddiw" in text
    with page.expect_download(timeout=60_000) as html_file:
        page.get_by_role("button", name="Briff (HTML)").click()
    html_text = Path(html_file.value.path()).read_text(encoding="utf-8")
    assert '<html lang="cy">' in html_text
    assert "data:image/svg+xml;base64," in html_text
    assert outside == []


def test_one_authoritys_vacancies_flows_and_the_levers_there(page: Page, dashboard_url, outside):
    open_dashboard(page, dashboard_url)
    set_field(page, "Horizon (months)", "3")
    page.get_by_role("button", name="Apply levers and restart").click()
    step(page, "April 2022")
    step(page, "May 2022")
    show(page, "One authority")
    expect(page.get_by_text("Social care vacancies in Powys")).to_be_visible(timeout=30_000)
    page.locator(".v-select__selections", has_text="Powys").first.click()
    page.get_by_role("option", name="Cardiff", exact=True).click()
    expect(page.get_by_text("Social care vacancies in Cardiff")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Leaving social care in Cardiff, a month")).to_be_visible()
    expect(page.get_by_text("Run the comparison (Compare view)")).to_be_visible()

    show(page, "Compare")
    set_field(page, "Replicates (seeds)", "2")
    page.get_by_role("button", name="Run comparison").click()
    done = page.get_by_text("Baseline: today's policy against the baseline, Welsh social care")
    expect(done).to_be_visible(timeout=300_000)
    show(page, "One authority")
    expect(page.get_by_text("Vacancies in Cardiff: chosen levers − baseline")).to_be_visible(
        timeout=30_000
    )
    assert outside == []


def test_the_cost_of_each_lever_as_a_waterfall(page: Page, dashboard_url, outside):
    open_dashboard(page, dashboard_url)
    page.get_by_text("Workload and wellbeing").click()
    set_field(page, "Wellbeing support (faster burnout recovery, share)", "0.3")
    set_field(page, "Growth of funded care posts (× baseline)", "3")
    set_field(page, "Horizon (months)", "3")
    page.get_by_role("button", name="Apply levers and restart").click()
    show(page, "Cost")
    set_field(page, "Replicates (seeds)", "1")
    page.get_by_role("button", name="Run the cost of each lever").click()
    expect(page.get_by_text("Net cost a year:")).to_be_visible(timeout=300_000)
    expect(page.get_by_text("Cost per vacancy avoided:")).to_be_visible()
    bars = page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".map(p => p.data && p.data[0]).filter(d => d && d.type === 'waterfall')[0].x"
    )
    assert bars == [
        "Wellbeing support (faster burnout recovery, share)",
        "Growth of funded care posts (× baseline)",
        "Net cost a year",
    ]


def no_traceback(page: Page) -> None:
    """The page shows no Python error in place of the app."""
    for words in ("Traceback", "KeyError", "Error:"):
        expect(page.get_by_text(words).first).to_have_count(0)


def test_following_someone_twice_follows_another_worker(page: Page, dashboard_url, outside):
    open_dashboard(page, dashboard_url)
    show(page, "Follow a worker")
    follow = page.get_by_role("button", name="Follow someone")
    follow.click()
    expect(page.get_by_text("Their story starts with the next month")).to_be_visible()
    worker = page.get_by_text(re.compile(r"^Worker \d+, aged"))
    first = worker.inner_text()
    follow.click()
    expect(worker).not_to_have_text(first, timeout=30_000)
    no_traceback(page)
    step(page, "April 2022")
    follow.click()
    expect(page.get_by_text("in Powys").first).to_be_visible()
    no_traceback(page)
    assert outside == []


ZERO_HOURS = "No zero-hours contracts in Welsh social care"


def apply(page: Page) -> None:
    page.get_by_role("button", name="Apply levers and restart").click()


def test_a_preset_change_then_compare_shows_the_new_preset(page: Page, dashboard_url, outside):
    open_dashboard(page, dashboard_url)
    set_field(page, "Horizon (months)", "3")
    apply(page)
    show(page, "Compare")
    set_field(page, "Replicates (seeds)", "1")
    page.get_by_role("button", name="Run comparison").click()
    first = page.get_by_text("Baseline: today's policy against the baseline")
    expect(first).to_be_visible(timeout=120_000)
    page.get_by_role("button", name=ZERO_HOURS).click()
    # The baseline's comparison is not shown as the new preset's.
    expect(first).to_have_count(0, timeout=30_000)
    expect(page.get_by_text(f"Levers applied: {ZERO_HOURS}")).to_be_visible()
    page.get_by_role("button", name="Run comparison").click()
    expect(page.get_by_text(f"{ZERO_HOURS} against the baseline")).to_be_visible(timeout=120_000)
    headline = page.get_by_text(re.compile(rf"^{ZERO_HOURS}: .* across 1 seed\.$")).first
    expect(headline).to_be_visible()
    no_traceback(page)
    assert outside == []


def test_policy_starts_are_marked_and_the_years_before_shaded(page: Page, dashboard_url, outside):
    open_dashboard(page, dashboard_url)
    page.get_by_role("button", name=ZERO_HOURS).click()
    show(page, "Vacancies and turnover")
    step(page, "April 2022")
    chart_drawn(page)
    page.get_by_role("button", name="10", exact=True).click()
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(  # past April 2026, when the ban starts
        "() => document.querySelector('.js-plotly-plot').data[0].x.length >= 50",
        timeout=120_000,
    )
    shapes = page.evaluate(
        "() => document.querySelector('.js-plotly-plot').layout.shapes"
        ".map(s => [s.type, s.x0.slice(0, 10), s.x1.slice(0, 10)])"
    )
    assert ["line", "2026-04-01", "2026-04-01"] in shapes
    assert ["line", "2025-07-01", "2025-07-01"] in shapes  # the visa route, in the baseline too
    assert ["rect", "2022-04-01", "2026-04-01"] in shapes  # the baseline's months, greyed
    expect(page.get_by_text("End zero-hours contracts from Apr 2026").first).to_be_visible()
    expect(page.get_by_text("before the policy: as the baseline").first).to_be_visible()
    assert outside == []


def test_levers_not_applied_and_refusals_are_in_sight_on_a_laptop(
    page: Page, dashboard_url, outside
):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_dashboard(page, dashboard_url)
    apply_button = page.get_by_role("button", name="Apply levers and restart")
    set_field(page, "Pay rise for care staff (share, 0.05 = +5 %)", "0.05")
    waiting = page.get_by_text("Levers changed but not applied")
    expect(waiting).to_be_in_viewport()
    expect(apply_button).to_be_in_viewport()
    set_field(page, "Pay rise for care staff (share, 0.05 = +5 %)", "9")
    apply_button.click()
    refused = page.get_by_text("Pay rise for care staff (share, 0.05 = +5 %): policy.pay_change")
    expect(refused).to_be_in_viewport()
    set_field(page, "Pay rise for care staff (share, 0.05 = +5 %)", "0.05")
    apply_button.click()
    expect(refused).to_have_count(0)
    expect(waiting).to_have_count(0)
    expect(page.get_by_text("Running: Own levers")).to_be_visible()
    assert outside == []


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_charts_fill_the_page_and_nothing_covers_them(page: Page, dashboard_url, outside):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_dashboard(page, dashboard_url)
    expect(page.get_by_text("This website runs on Solara")).to_have_count(0)
    # A preset's whole description, not its file's first line.
    expect(
        page.get_by_text("and the All Wales Pledge's agency pay cap extended to adult services")
    ).to_be_visible()
    show(page, "Workforce")
    step(page, "April 2022")
    chart_drawn(page)
    plot = page.locator(".js-plotly-plot").first
    assert plot.bounding_box()["width"] > 1000  # its column of a 1920 px page, not 700 px
    plot.hover()
    title = plot.locator(".gtitle").first.bounding_box()
    modebar = plot.locator(".modebar").first.bounding_box()
    assert not boxes_overlap(title, modebar)
    size = plot.locator(".gtitle").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 18
    show(page, "Flows")
    page.wait_for_function(
        "() => { const plot = document.querySelector('.js-plotly-plot');"
        " return plot && plot.data && plot.data.length && plot.data[0].type === 'sankey'; }",
        timeout=30_000,
    )
    colours = page.evaluate(
        "() => new Set(document.querySelector('.js-plotly-plot').data[0].link.color).size"
    )
    assert colours > 3  # by origin, not one grey
    expect(page.get_by_text(re.compile(r"^English border employers \(\d")).first).to_be_visible()
    assert outside == []


SHOWN_PLOTS = (
    "Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".filter(p => p.offsetParent !== null && p.data && p.data.length)"
)
PLOT_WIDTHS = (
    f"() => {SHOWN_PLOTS}.map(p => ({{title: p.layout.title.text,"
    " width: p.querySelector('.main-svg').getBoundingClientRect().width,"
    " column: (p.closest('.col') || document.body).getBoundingClientRect().width}))"
)


def titles_shown(page: Page) -> list[str]:
    return [plot["title"] for plot in page.evaluate(PLOT_WIDTHS)]


def wait_for_widths(page: Page, least: float, *, new_titles_after: list[str] | None = None):
    """Wait until every chart shown (of the new view) is drawn at least ``least`` wide."""
    old = new_titles_after or []
    try:
        page.wait_for_function(
            f"([least, old]) => {{ const plots = ({PLOT_WIDTHS})();"
            " const fresh = plots.filter(p => !old.includes(p.title));"
            " return fresh.length > 0 && fresh.every(p => p.width >= least"
            " && p.width >= 0.9 * p.column); }",
            arg=[least, old],
            timeout=30_000,
        )
    except PlaywrightTimeout:
        pytest.fail(
            f"charts narrower than {least} px or than their column: {page.evaluate(PLOT_WIDTHS)}"
        )


def test_every_chart_fills_its_column_at_1920_by_1080(page: Page, dashboard_url, outside):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_dashboard(page, dashboard_url)
    set_field(page, "Horizon (months)", "3")
    apply(page)
    show(page, "Compare")
    set_field(page, "Replicates (seeds)", "1")
    page.get_by_role("button", name="Run comparison").click()
    expect(page.get_by_text("Baseline: today's policy against the baseline")).to_be_visible(
        timeout=300_000
    )
    step(page, "April 2022")
    # Plotly's own default is 700 px: a chart must take its column instead.
    wait_for_widths(page, 1000)
    for view in ("Workforce", "Vacancies and turnover", "Flows", "Map", "Compare"):
        before = titles_shown(page)
        show(page, view)
        wait_for_widths(page, 1000, new_titles_after=before)
    page.get_by_text("Presenting mode").click()
    expect(page.get_by_text("Scenario presets")).to_have_count(0, timeout=30_000)
    wait_for_widths(page, 1700)  # the whole page's width
    assert outside == []


def test_the_comparison_charts_title_clears_its_toolbar(page: Page, dashboard_url, outside):
    for width, height in ((1920, 1080), (1280, 720)):
        page.set_viewport_size({"width": width, "height": height})
        open_dashboard(page, dashboard_url)
        set_field(page, "Horizon (months)", "3")
        apply(page)
        show(page, "Compare")
        set_field(page, "Replicates (seeds)", "1")
        page.get_by_role("button", name="Run comparison").click()
        expect(page.get_by_text("Baseline: today's policy against the baseline")).to_be_visible(
            timeout=300_000
        )
        plot = page.locator(".js-plotly-plot").first
        plot.hover()
        modebar = plot.locator(".modebar").first.bounding_box()
        for line in plot.locator(".gtitle").all():
            assert not boxes_overlap(line.bounding_box(), modebar), (width, line.text_content())
    assert outside == []


def test_policy_labels_starting_close_together_do_not_overlap(page: Page, dashboard_url, outside):
    page.set_viewport_size({"width": 1280, "height": 720})
    # The visa route closes in July 2025, a pay rise starts in October 2025 and the
    # zero-hours ban in January 2026: three labels within six months.
    page.goto(
        dashboard_url + "?lever.pay_rise=0.05&lever.pay_rise.start=%222025-10%22"
        "&lever.policy.zero_hours.ban=true&lever.policy.zero_hours.start=%222026-01%22"
    )
    expect(page.get_by_text("Month shown")).to_be_visible(timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".js-plotly-plot", state="attached", timeout=LOAD_TIMEOUT)
    show(page, "Vacancies and turnover")
    step(page, "April 2022")
    chart_drawn(page)
    page.get_by_role("button", name="10", exact=True).click()
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot').data[0].x.length >= 60",
        timeout=180_000,
    )
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(1500)
    plot = page.locator(".js-plotly-plot").first
    labels = [
        box
        for box in (
            note.bounding_box()
            for note in plot.locator(".annotation").all()
            # Every note of the chart but the shading's is a policy's label.
            if "before the policy" not in (note.text_content() or "")
        )
        if box
    ]
    assert len(labels) == 3
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not boxes_overlap(a, b), (a, b)
    assert outside == []


def test_play_pause_and_reset_in_a_row(page: Page, dashboard_url, outside):
    open_dashboard(page, dashboard_url)
    show(page, "Workforce")
    step(page, "April 2022")
    chart_drawn(page)
    for _ in range(2):
        chart_drawn(page)  # the run's chart, drawn again after each reset
        play(page, speed=10, until_points=3)
        page.get_by_role("button", name="Reset", exact=True).click()
        expect(page.get_by_text("Month shown: not started")).to_be_visible()
        step(page, "April 2022")
        page.get_by_role("button", name="Play", exact=True).click()
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Reset", exact=True).click()
        page.get_by_role("button", name="Reset", exact=True).click()
        expect(page.get_by_text("Month shown: not started")).to_be_visible()
        step(page, "April 2022")
        no_traceback(page)
    chart_drawn(page)
    assert points(page) == 1
    assert outside == []


def test_presenting_mode_is_large_and_full_width(page: Page, dashboard_url, outside):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_dashboard(page, dashboard_url)
    show(page, "Workforce")
    step(page, "April 2022")
    chart_drawn(page)
    page.get_by_text("Presenting mode").click()
    expect(page.get_by_text("Scenario presets")).to_have_count(0, timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot').layout.font.size >= 22", timeout=30_000
    )
    assert page.locator(".js-plotly-plot").first.bounding_box()["width"] > 1150
    page.get_by_text("Presenting mode").click()
    expect(page.get_by_text("Scenario presets")).to_be_visible(timeout=30_000)
    assert outside == []


def test_two_sessions_keep_their_own_scenarios(page: Page, dashboard_url, outside):
    open_dashboard(page, dashboard_url)
    show(page, "Compare")
    context = page.context.browser.new_context(viewport=VIEWPORT)
    guard(context, outside)
    try:
        other = context.new_page()
        open_dashboard(other, dashboard_url)
        show(other, "Compare")
        for session, name in ((page, "Ours"), (other, "Theirs")):
            session.get_by_label("Name for the levers applied").fill(name)
            session.get_by_role("button", name="Keep as a scenario").click()
        expect(other.get_by_text("Theirs", exact=True).first).to_be_visible()
        expect(other.get_by_text("Ours", exact=True)).to_have_count(0)
    finally:
        context.close()
    expect(page.get_by_text("Ours", exact=True).first).to_be_visible()
    expect(page.get_by_text("Theirs", exact=True)).to_have_count(0)
    assert outside == []


SIZES = {"1920x1080": (1920, 1080), "1280x720": (1280, 720)}
SHOTS = [
    ("About the model", "story"),
    ("Workforce", "workforce"),
    ("Vacancies and turnover", "vacancies"),
    ("Burnout", "burnout"),
    ("Agency and unmet care", "agency"),
    ("Flows", "flows"),
    ("Map", "map"),
    ("Compare", "compare"),
    ("Follow a worker", "follow"),
    ("Export", "export"),
]


@pytest.mark.slow
@pytest.mark.parametrize("presenting", [False, True], ids=["desk", "presenting"])
@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots_of_every_view(
    page: Page, dashboard_url, outside, screenshots, size, presenting
):
    # The zero-hours preset over five years, so the charts show its start and the baseline's.
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    open_dashboard(page, dashboard_url)
    page.get_by_role("button", name=ZERO_HOURS).click()
    set_field(page, "Horizon (months)", "72")
    apply(page)
    show(page, "Compare")
    set_field(page, "Replicates (seeds)", "2")
    page.get_by_role("button", name="Run comparison").click()
    show(page, "Workforce")
    step(page, "April 2022")
    chart_drawn(page)
    play_to_horizon(page, speed=10)
    show(page, "Compare")
    table = page.get_by_text(f"{ZERO_HOURS} against the baseline")
    expect(table).to_be_visible(timeout=300_000)
    if presenting:
        page.get_by_text("Presenting mode").click()
        expect(page.get_by_text("Scenario presets")).to_have_count(0, timeout=30_000)
    mode = "-presenting" if presenting else ""
    for button, name in SHOTS:
        show(page, button)
        if name == "follow":
            page.get_by_role("button", name="Follow someone").click()
        elif name not in ("story", "export", "compare"):
            chart_drawn(page)
        page.wait_for_timeout(1500)  # let the chart finish drawing
        path = screenshots / f"{name}-{size}{mode}.png"
        screenshot(page, path)
        assert path.read_bytes().startswith(PNG)
    no_traceback(page)
    assert outside == []
