"""Real-browser tests: headless Debian Chromium driven by Playwright.

* every page of the built book loads with no request leaving the site and no
  JavaScript error, and is no wider than a phone (390 px);
* axe-core finds no serious or critical WCAG 2.1 A/AA problem on any page, at
  1366 px and 390 px, in light and dark mode;
* on a phone the menu button opens the table of contents;
* every static explorer (no kernel) is driven by the keyboard alone: Tab reaches
  each control, an arrow key changes the figure and its text alternative.

Live explorers served by Voila are tested in ``test_voila.py``, which shares
this module's browser fixture and helpers.

Screenshots are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
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
        page.wait_for_timeout(300)
        if watch.offsite or watch.failed or watch.errors:
            problems[rel] = {"offsite": watch.offsite, "failed": watch.failed, "errors": watch.errors}
        page.close()
    assert not problems


def test_no_page_is_wider_than_a_phone(built_book, site, browser_context):
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    wide = {}
    for rel in _pages(built_book):
        page.goto(f"{site}/{rel}", wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[rel] = width
    page.close()
    assert not wide


def test_phone_menu_opens_the_contents(built_book, site, browser_context, artifacts):
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    watch = PageWatch(page, site)
    page.goto(f"{site}/chapter1/measuring.html", wait_until="networkidle")
    toggle = page.locator(".primary-toggle:visible")
    assert toggle.count() == 1
    toggle.click()
    dialog = page.locator("dialog#pst-primary-sidebar-modal")
    dialog.wait_for(state="visible", timeout=5_000)
    link = dialog.get_by_role("link", name="Measuring insulin resistance", exact=False).first
    assert link.is_visible()
    page.screenshot(path=str(artifacts / "phone-menu-open.png"))
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=5_000)
    assert page.locator("#pst-primary-sidebar .bd-toc-link, #pst-primary-sidebar a").count()
    # the contents button of the page's own headings opens too
    page.locator(".secondary-toggle:visible").first.click()
    page.locator("dialog#pst-secondary-sidebar-modal").wait_for(state="visible", timeout=5_000)
    assert not watch.errors
    page.close()


def _serious_axe_nodes(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
                 values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')[:160]}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "390px"])
def test_axe_finds_nothing_serious(built_book, site, browser_context, viewport, scheme):
    assert AXE.is_file(), "axe-core is missing: run `npm ci`"
    page = browser_context.new_page()
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    found = {}
    for rel in _pages(built_book):
        page.goto(f"{site}/{rel}", wait_until="networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
        nodes = _serious_axe_nodes(page)
        if nodes:
            found[rel] = nodes
    page.close()
    assert not found


def _explorer_state(explorer) -> tuple[str, str]:
    """The drawing over the figure on show (wide or narrow layout) and the text alternative."""
    overlay = explorer.locator(".mgcourse-figure:visible g.mgcourse-layer").inner_html()
    return overlay, explorer.locator(".mgcourse-alt").inner_text()


def _drive_by_keyboard(page, explorer) -> int:
    """Tab to each control of one explorer and move it with an arrow key; return controls driven."""
    controls = explorer.locator("input[type=range], select")
    explorer.locator(".mgcourse-title").click()  # start just before the first control
    driven = 0
    for i in range(controls.count()):
        control = controls.nth(i)
        page.keyboard.press("Tab")
        assert control.evaluate("el => el === document.activeElement"), f"Tab missed control {i}"
        before = _explorer_state(explorer)
        said = control.get_attribute("aria-valuetext")
        last = control.evaluate("el => el.value === (el.max || String(el.options.length - 1))")
        page.keyboard.press("ArrowLeft" if last else "ArrowRight")
        after = _explorer_state(explorer)
        assert after[0] != before[0], f"control {i}: the figure did not change"
        assert after[1] != before[1], f"control {i}: the text alternative did not change"
        if said is not None:
            assert control.get_attribute("aria-valuetext") != said
        # and back: the script redraws exactly what Python drew into the page for this state
        page.keyboard.press("ArrowRight" if last else "ArrowLeft")
        assert _explorer_state(explorer) == before, f"control {i}: back is not the page's drawing"
        driven += 1
    return driven


def test_every_static_explorer_works_by_keyboard(built_book, site, browser_context, artifacts):
    explorer_pages = [rel for rel in _pages(built_book)
                      if "mgcourse-static" in (built_book / rel).read_text(encoding="utf-8")]
    assert len(explorer_pages) >= 10
    explorers = 0
    for rel in explorer_pages:
        page = browser_context.new_page()
        page.set_viewport_size(DESKTOP)
        watch = PageWatch(page, site)
        page.goto(f"{site}/{rel}", wait_until="networkidle")
        found = page.locator(".mgcourse-static")
        for i in range(found.count()):
            explorer = found.nth(i)
            explorer.scroll_into_view_if_needed()
            assert _drive_by_keyboard(page, explorer) == len(
                explorer.locator("[data-param]").all())
            explorers += 1
        assert not watch.errors and not watch.offsite, rel
        page.close()
    assert explorers >= 13


# Screen size of the smallest and largest text in the figure on show of each explorer: SVG
# text sizes are in the figure's units, scaled by the width it is drawn at.
FIGURE_TEXT = """root => [...root.querySelectorAll('.mgcourse-figure')]
  .filter(f => f.getClientRects().length)
  .map(f => {
    const svg = f.querySelector('svg');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('text')]
      .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    return {layout: f.dataset.layout, box: svg.getBoundingClientRect().width,
            min: Math.min(...sizes), count: sizes.length,
            body: parseFloat(getComputedStyle(root.closest('article') || document.body).fontSize)};
  })"""


@pytest.mark.parametrize(("viewport", "layout"), [(DESKTOP, "wide"), (PHONE, "narrow")])
def test_explorer_figure_text_is_readable(built_book, site, browser_context, viewport, layout):
    """Figure text is at least 12 px on a phone and as large as the page's text on a desktop."""
    page = browser_context.new_page()
    page.set_viewport_size(viewport)
    seen = 0
    for rel in _pages(built_book):
        if "mgcourse-static" not in (built_book / rel).read_text(encoding="utf-8"):
            continue
        page.goto(f"{site}/{rel}", wait_until="networkidle")
        for k in range(page.locator(".mgcourse-static").count()):
            shown = page.locator(".mgcourse-static").nth(k).evaluate(FIGURE_TEXT)
            assert [f["layout"] for f in shown] == [layout], (rel, shown)
            (figure,) = shown
            floor = 12.0 if layout == "narrow" else figure["body"]
            assert figure["count"] > 0 and figure["min"] >= floor - 0.05, (rel, figure)
            seen += 1
    page.close()
    assert seen >= 13


def test_pointing_at_a_curve_shows_its_values(built_book, site, browser_context):
    """Hovering (or touching) a curve shows its label and values in the axes' units."""
    page = browser_context.new_page()
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{site}/chapter3/whole-body.html", wait_until="networkidle")
        explorer = page.locator(".mgcourse-static", has=page.locator("text=IVGTT")).first
        explorer.scroll_into_view_if_needed()
        readout = explorer.locator(".mgcourse-readout")
        hint = readout.inner_text()
        box = explorer.locator(".mgcourse-figure:visible").bounding_box()
        marker = explorer.locator(".mgcourse-figure:visible g.mgcourse-hover circle")
        values = []
        for step in range(40):  # sweep across the figure's upper half
            page.mouse.move(box["x"] + box["width"] * (0.1 + 0.02 * step), box["y"] + box["height"] * 0.3)
            if readout.inner_text() != hint:
                values.append(readout.inner_text())
                assert marker.count() == 1  # the point read is marked on the curve
        assert values, f"no curve value shown at {viewport}"
        assert any(re.search(r"glucose \(mg/dL\) [0-9.]+", t) and "time after the glucose bolus (min)" in t
                   for t in values), values
        page.mouse.move(0, 0)
        assert readout.inner_text() == hint
    page.close()


def test_explorer_screenshots_at_both_widths(built_book, site, browser_context, artifacts):
    page = browser_context.new_page()
    for name, viewport in (("explorer-desktop", DESKTOP), ("explorer-phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(f"{site}/chapter1/measuring.html", wait_until="networkidle")
        explorer = page.locator(".mgcourse-static").first
        explorer.scroll_into_view_if_needed()
        box = explorer.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        explorer.screenshot(path=str(artifacts / f"{name}.png"))
    page.close()
