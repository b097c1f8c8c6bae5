"""Real-browser tests: headless Debian Chromium driven by Playwright.

* every page of the built book loads with no request leaving the site and no
  JavaScript error;
* moving a static explorer's slider (no kernel) changes the picture;
* a live explorer served by Voila on 127.0.0.1 redraws when its slider moves.

Screenshots are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import inspect
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from mgcourse import explorers as mgcourse_explorers

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# every explorer factory of mgcourse.explorers, so a new explorer is tested live automatically
LIVE_EXPLORERS = tuple(
    name for name, func in inspect.getmembers(mgcourse_explorers, inspect.isfunction)
    if name.endswith("_explorer") and func.__module__ == mgcourse_explorers.__name__
)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(built_book: Path) -> Iterator[str]:
    """Serve the built book on 127.0.0.1 and yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian chromium is missing: run scripts/install-system-deps.sh"
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


class PageWatch:
    """Collects off-site requests, failed responses and JavaScript errors of a page."""

    def __init__(self, page, base: str) -> None:
        self.offsite: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        local = (base, "data:", "blob:", "about:")
        page.on("request", lambda r: r.url.startswith(local) or self.offsite.append(r.url))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))


def _pages(built_book: Path) -> list[str]:
    return sorted(str(p.relative_to(built_book)) for p in built_book.rglob("*.html")
                  if not {"vendor", "_static"} & set(p.parts))


def test_every_page_loads_self_contained(built_book, site, browser_context, artifacts):
    pages = _pages(built_book)
    assert len(pages) >= 7
    problems = {}
    for rel in pages:
        page = browser_context.new_page()
        watch = PageWatch(page, site)
        page.goto(f"{site}/{rel}", wait_until="networkidle")
        if page.locator("script[type='application/vnd.jupyter.widget-state+json']").count():
            page.wait_for_selector(".mgcourse-explorer img", timeout=30_000)
        page.wait_for_timeout(300)
        if watch.offsite or watch.failed or watch.errors:
            problems[rel] = {"offsite": watch.offsite, "failed": watch.failed, "errors": watch.errors}
        page.screenshot(path=str(artifacts / f"page-{rel.replace('/', '-')}.png"), full_page=True)
        page.close()
    assert not problems


def _visible_frame_alt(explorer) -> str:
    frames = explorer.locator("img.mgcourse-frame")
    visible = [frames.nth(i) for i in range(frames.count()) if frames.nth(i).is_visible()]
    assert len(visible) == 1, f"expected one visible frame, found {len(visible)}"
    return visible[0].get_attribute("alt") or ""


def test_static_slider_changes_the_picture(built_book, site, browser_context, artifacts):
    checked = 0
    for rel in _pages(built_book):
        html = (built_book / rel).read_text(encoding="utf-8")
        if "mgcourse-static" not in html:
            continue
        page = browser_context.new_page()
        watch = PageWatch(page, site)
        page.goto(f"{site}/{rel}", wait_until="networkidle")
        page.wait_for_selector(".mgcourse-static img.mgcourse-frame", timeout=30_000)
        explorers = page.locator(".mgcourse-static")
        for i in range(explorers.count()):
            explorer = explorers.nth(i)
            explorer.scroll_into_view_if_needed()
            before_alt = _visible_frame_alt(explorer)
            before_png = explorer.screenshot()
            handle = explorer.locator(".noUi-handle").last
            at_start = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemin")
            handle.focus()
            handle.press("ArrowRight" if at_start else "ArrowLeft")
            page.wait_for_timeout(200)
            after_alt = _visible_frame_alt(explorer)
            after_png = explorer.screenshot(path=str(artifacts / f"static-{rel.replace('/', '-')}-{i}.png"))
            assert after_alt != before_alt, f"{rel} explorer {i}: frame did not change"
            assert after_png != before_png
            checked += 1
        assert not watch.errors and not watch.offsite
        page.close()
    assert checked >= 3, f"only {checked} static explorers found in the book"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("voila")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from mgcourse import explorers")] + [
        nbformat.v4.new_code_cell(f"explorers.{name}().live()") for name in LIVE_EXPLORERS
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "live.ipynb")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("MGCOURSE_WIDGETS", "MPLBACKEND")}
    log = (folder / "voila.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("voila")), "live.ipynb", "--no-browser",
         f"--port={port}", "--Voila.ip=127.0.0.1", "--ServerApp.allow_root=True"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    ready = False
    while time.monotonic() < deadline and proc.poll() is None and not ready:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                ready = True
        except OSError:
            time.sleep(0.5)
    try:
        assert ready and proc.poll() is None, (folder / "voila.log").read_text()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_live_explorers_in_voila_redraw(voila_url, browser_context, artifacts):
    page = browser_context.new_page()
    page.goto(voila_url, wait_until="domcontentloaded", timeout=120_000)
    explorers = page.locator(".mgcourse-explorer")
    explorers.nth(len(LIVE_EXPLORERS) - 1).wait_for(timeout=120_000)
    assert explorers.count() == len(LIVE_EXPLORERS)
    for index, name in enumerate(LIVE_EXPLORERS):
        explorer = explorers.nth(index)
        explorer.scroll_into_view_if_needed()
        image = explorer.locator("img").last
        image.wait_for(timeout=60_000)
        before = image.get_attribute("src")
        handles = explorer.locator(".noUi-handle")
        if handles.count():
            handle = handles.first
            handle.focus()
            for _ in range(3):
                handle.press("ArrowRight")
        else:  # an explorer whose controls are all drop-downs
            select = explorer.locator("select").first
            values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
            current = select.input_value()
            select.select_option(next(v for v in values if v != current))
        page.wait_for_function(
            "([el, old]) => el.getAttribute('src') !== old", arg=[image.element_handle(), before],
            timeout=30_000,
        )
        explorer.screenshot(path=str(artifacts / f"voila-live-{name}.png"))
        assert image.get_attribute("src") != before, f"{name} did not redraw"
    page.close()
