"""Regenerate the README's screenshot: the bundled catalog's telemetry page.

    .venv/bin/python docs/images/screenshot.py

Builds the site of ``schemas/`` into a temporary folder and photographs
``contracts/telemetry.html``, scrolled to its fields, in headless Chromium (the system's
``chromium``, driven by Playwright's Python client, as ``tests/docs/test_browser.py`` does),
1200x900, light theme, into ``docs/images/contracts-docs-telemetry.png``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from devicecontracts.catalog import load_catalog
from devicecontracts.docs.site import build_site

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "contracts-docs-telemetry.png"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no chromium on PATH (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build_site(load_catalog(REPO / "schemas"), site)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            try:
                page = browser.new_page(
                    viewport={"width": 1200, "height": 900}, color_scheme="light"
                )
                page.goto(
                    (site / "contracts" / "telemetry.html").as_uri() + "#fields-h",
                    wait_until="load",
                )
                page.screenshot(path=str(OUT))
            finally:
                browser.close()
    print(f"wrote {OUT.relative_to(REPO)} ({OUT.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
