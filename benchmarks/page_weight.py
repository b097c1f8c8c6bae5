"""Bytes a reader downloads per page of the built book, uncompressed.

For every page: the first visit (empty cache) and the next page (the reader has
already opened another page of the site, so the shared files are cached). The
site is served on 127.0.0.1 without compression and loaded in headless Debian
Chromium; the bytes are those Chromium receives over the network (a cached file
costs nothing, a revalidation only its headers).

Usage: python benchmarks/page_weight.py BUILT_HTML_FOLDER [--via intro.html]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def received_bytes(context: BrowserContext, url: str) -> int:
    """Bytes received over the network while ``url`` loads and settles."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    total = [0]
    cdp.on("Network.loadingFinished", lambda e: total.__setitem__(0, total[0] + e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(200)
    page.close()
    return total[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built book's HTML folder")
    parser.add_argument("--via", default="intro.html", help="page opened before each next page")
    args = parser.parse_args()
    pages = sorted(str(p.relative_to(args.html)) for p in args.html.rglob("*.html")
                   if not {"vendor", "_static"} & set(p.relative_to(args.html).parts))
    print(f"{'page':44s} {'first visit MB':>15s} {'next page MB':>13s}")
    worst = [0, 0]
    with serve(args.html) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for rel in pages:
            fresh = browser.new_context()
            first = received_bytes(fresh, f"{base}/{rel}")
            fresh.close()
            warm = browser.new_context()
            received_bytes(warm, f"{base}/{args.via}")
            after = received_bytes(warm, f"{base}/{rel}")
            warm.close()
            worst = [max(worst[0], first), max(worst[1], after)]
            print(f"{rel:44s} {first / 1e6:15.2f} {after / 1e6:13.2f}")
        browser.close()
    site = sum(f.stat().st_size for f in args.html.rglob("*") if f.is_file())
    print(f"{'largest':44s} {worst[0] / 1e6:15.2f} {worst[1] / 1e6:13.2f}")
    print(f"site on disk: {site / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
