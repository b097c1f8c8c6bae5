"""Live explorers served by Voila on 127.0.0.1, in headless Debian Chromium.

One Voila server and one page hold every explorer factory of
``mgcourse.explorers`` live (with a kernel), so a new explorer is tested
automatically:

* Tab reaches every control of every explorer, an arrow key moves it and the
  image is redrawn; a slider handle is named by its visible description and
  announces its value with the unit (``aria-valuetext``); the image has a text
  alternative and is described by the explorer's headline, a polite live region;
* axe-core finds no serious or critical WCAG 2.1 A/AA problem at 1366 px and
  390 px, after the controls have moved;
* the page logs no console error and requests nothing outside 127.0.0.1.

Screenshots of every live explorer are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import inspect
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from mgcourse import explorers as mgcourse_explorers
from mgcourse.widgets import VOILA_OPTIONS, VOILA_PATH
from test_browser import (
    AXE,
    DESKTOP,
    PHONE,
    PageWatch,
    _serious_axe_nodes,
    browser_context,  # noqa: F401  (the shared Chromium fixture)
)

pytestmark = pytest.mark.browser

# every explorer factory of mgcourse.explorers, so a new explorer is tested live automatically
LIVE_EXPLORERS = tuple(
    name for name, func in inspect.getmembers(mgcourse_explorers, inspect.isfunction)
    if name.endswith("_explorer") and func.__module__ == mgcourse_explorers.__name__
)
# the keyboard-operable controls of a live explorer: slider handles and drop-downs
CONTROLS = '[role="slider"], select'


def live_notebook(cells: Sequence[str]) -> nbformat.NotebookNode:
    """A Python 3 notebook of code ``cells``, for Voila to run and serve."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_voila(notebook: Path, timeout: float = 90.0) -> Iterator[str]:
    """Serve ``notebook`` with Voila on 127.0.0.1 (``mgcourse`` template) and yield its URL.

    The server's log is written next to the notebook (``voila.log``).
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("MGCOURSE_WIDGETS", "MPLBACKEND")}
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(VOILA_PATH), env.get("JUPYTER_PATH")]))
    log_path = notebook.with_name("voila.log")
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("voila")), notebook.name, "--no-browser",
             f"--port={port}", "--Voila.ip=127.0.0.1", "--ServerApp.allow_root=True",
             *VOILA_OPTIONS],
            cwd=notebook.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            ready = False
            while time.monotonic() < deadline and proc.poll() is None and not ready:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=2):
                        ready = True
                except OSError:
                    time.sleep(0.5)
            if not ready or proc.poll() is not None:
                raise RuntimeError(f"Voila did not start:\n{log_path.read_text()}")
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a Voila page with every explorer live."""
    notebook = tmp_path_factory.mktemp("voila") / "live.ipynb"
    nbformat.write(live_notebook(["from mgcourse import explorers"] + [
        f"explorers.{name}().live()" for name in LIVE_EXPLORERS]), notebook)
    with serve_voila(notebook) as url:
        yield url


@pytest.fixture(scope="module")
def live_page(voila_url, browser_context):  # noqa: F811  (imported fixture)
    """The Voila page, loaded once with every explorer rendered, and its watch."""
    page = browser_context.new_page()
    page.set_viewport_size(DESKTOP)
    watch = PageWatch(page, voila_url.rstrip("/"))
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(voila_url, wait_until="domcontentloaded", timeout=120_000)
    explorers = page.locator(".mgcourse-explorer")
    explorers.nth(len(LIVE_EXPLORERS) - 1).locator("img").wait_for(timeout=120_000)
    assert explorers.count() == len(LIVE_EXPLORERS)
    yield page, watch, sockets
    page.close()


def _unit(description: str) -> str:
    match = re.search(r"\(([^()]+)\)\s*$", description)
    return match.group(1) if match else ""


def _is_focused(control) -> bool:
    return control.evaluate("el => el === document.activeElement")


def _move(page, control, image) -> None:
    """Move a focused control one step with an arrow key and wait for the image to change."""
    before = image.get_attribute("src")
    if control.get_attribute("role") == "slider":
        last = control.get_attribute("aria-valuenow") == control.get_attribute("aria-valuemax")
        page.keyboard.press("ArrowLeft" if last else "ArrowRight")
    else:
        last = control.evaluate("el => el.selectedIndex === el.options.length - 1")
        page.keyboard.press("ArrowUp" if last else "ArrowDown")
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                           arg=[image.element_handle(), before], timeout=30_000)


def test_every_live_explorer_works_by_keyboard(live_page, artifacts):
    page, _, _ = live_page
    page.set_viewport_size(DESKTOP)
    explorers = page.locator(".mgcourse-explorer")
    driven = 0
    for index, name in enumerate(LIVE_EXPLORERS):
        explorer = explorers.nth(index)
        explorer.scroll_into_view_if_needed()
        image = explorer.locator("img").last
        assert image.get_attribute("alt"), f"{name}: the image has no text alternative"
        headline = explorer.locator(".mgcourse-alt")
        if headline.count():  # the model's verdict describes the image and is read out
            assert headline.get_attribute("id"), name
            assert image.get_attribute("aria-describedby") == headline.get_attribute("id"), name
            assert headline.get_attribute("aria-live") == "polite", name
        controls = explorer.locator(CONTROLS)
        assert controls.count() >= 1, name
        explorer.locator("strong").first.click()  # start just before the first control
        for i in range(controls.count()):
            control = controls.nth(i)
            for _ in range(3):  # a slider's typed-value field comes between two handles
                page.keyboard.press("Tab")
                if _is_focused(control):
                    break
            assert _is_focused(control), f"{name}: Tab did not reach control {i}"
            said = control.get_attribute("aria-valuetext")
            _move(page, control, image)
            driven += 1
            if control.get_attribute("role") != "slider":
                continue
            name_of = control.evaluate(
                "el => el.getAttribute('aria-labelledby') ? document.getElementById("
                "el.getAttribute('aria-labelledby'))?.textContent : el.getAttribute('aria-label')")
            assert name_of, f"{name}: slider {i} has no accessible name"
            page.wait_for_function("([el, old]) => el.getAttribute('aria-valuetext') !== old",
                                   arg=[control.element_handle(), said], timeout=5_000)
            shown = control.locator(
                "xpath=ancestor::*[contains(@class, 'widget-slider')][1]"
                "/*[contains(@class, 'widget-readout')]").inner_text().strip()
            unit = _unit(name_of)
            assert control.get_attribute("aria-valuetext") == (
                f"{shown} {unit}" if unit else shown), f"{name}: slider {i}"
        explorer.screenshot(path=str(artifacts / f"voila-live-{name}.png"))
    assert driven >= 2 * len(LIVE_EXPLORERS) - 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "390px"])
def test_axe_finds_nothing_serious_on_the_live_page(live_page, viewport):
    assert AXE.is_file(), "axe-core is missing: run `npm ci`"
    page, _, _ = live_page
    page.set_viewport_size(viewport)
    page.wait_for_timeout(300)  # let the widgets lay themselves out again
    assert _serious_axe_nodes(page) == []


def test_live_page_is_self_contained(live_page):
    """No console error and no request or websocket leaving 127.0.0.1 (checked last)."""
    page, watch, sockets = live_page
    page.wait_for_timeout(300)
    assert watch.offsite == [] and watch.failed == [] and watch.errors == []
    host = page.url.split("//", 1)[1].split("/", 1)[0]
    assert sockets and all(url.startswith(f"ws://{host}/") for url in sockets), sockets
