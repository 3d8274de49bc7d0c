"""The generated documentation site, driven in a real headless Chromium.

The browser is the system's Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it),
driven through Playwright's Python client pointed at that binary: Playwright downloads no
browser of its own. Without the binary or the client the tests here skip and say why.

Every page is opened from ``file://``, as a reader who downloaded the site would, with no
``--allow-file-access-from-files``: a site that only works from a server fails here. Each test
records every request the page makes, every console message and every uncaught page error, and
ends with `Watched.assert_clean`: no request outside ``file://``, no console error, no page error.

Screenshots go to the folder named by ``DEVICECONTRACTS_ARTIFACTS`` (CI keeps it), else to the
test's temporary folder; their paths are printed.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.docs.site import build_site
from devicecontracts.schema import Record

from ..support.catalogs import BUNDLED

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the playwright Python package is not installed (it is in the dev extra)",
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless, no sandbox (CI runs as root in a container), and none of Chromium's own background
# traffic (component updates, safe browsing), so every request recorded is the page's.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]
TIMEOUT_MS = 5_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole module, closed after it."""
    if CHROMIUM is None:
        pytest.skip("no Chromium on PATH: install Debian's `chromium` (.ci/run does) to run this")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$DEVICECONTRACTS_ARTIFACTS``, else a temporary folder."""
    named = os.environ.get("DEVICECONTRACTS_ARTIFACTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Watched:
    """A page and everything it did: requests, console messages, uncaught errors."""

    page: Page
    artifacts: Path
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def outside_file(self) -> list[str]:
        """Every request URL whose scheme is not ``file``."""
        return [url for url in self.requests if urlsplit(url).scheme != "file"]

    def assert_clean(self) -> None:
        assert self.outside_file() == [], "the page made requests outside file://"
        assert self.console_errors == [], "the console showed errors"
        assert self.page_errors == [], "the page threw uncaught errors"

    def screenshot(self, name: str, selector: str | None = None) -> Path:
        """The whole page, or the element ``selector`` names, as ``<artifacts>/<name>.png``."""
        path = self.artifacts / f"{name}.png"
        if selector is None:
            self.page.screenshot(path=str(path), full_page=True)
        else:
            self.page.locator(selector).screenshot(path=str(path))
        print(f"screenshot: {path}")
        return path


@pytest.fixture
def watched(browser: Browser, artifacts: Path) -> Iterator[Watched]:
    """A fresh page whose requests, console errors and page errors are recorded.

    Requests outside ``file://`` are recorded and then aborted, so a test never reaches the
    network even when the site would.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = Watched(page=page, artifacts=artifacts)

    def on_request(request: Request) -> None:
        watch.requests.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(error: Any) -> None:
        watch.page_errors.append(str(error))

    def refuse(route: Any) -> None:
        route.abort()

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    context.route(lambda url: urlsplit(url).scheme in ("http", "https", "ws", "wss"), refuse)
    try:
        yield watch
    finally:
        context.close()


# -- the machinery itself, on hand-written pages: each check can fail ------------------------


def test_harness_records_requests_outside_file(watched: Watched, tmp_path: Path) -> None:
    page = tmp_path / "remote.html"
    (tmp_path / "local.css").write_text("body { color: black; }", encoding="utf-8")
    page.write_text(
        '<!doctype html><html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="local.css">'
        '<link rel="stylesheet" href="https://cdn.example.invalid/site.css"></head>'
        "<body><p>remote</p></body></html>",
        encoding="utf-8",
    )
    watched.open(page)
    assert any(url.endswith("/local.css") for url in watched.requests)
    assert watched.outside_file() == ["https://cdn.example.invalid/site.css"]
    with pytest.raises(AssertionError, match="outside file://"):
        watched.assert_clean()


def test_harness_records_console_and_page_errors(watched: Watched, tmp_path: Path) -> None:
    page = tmp_path / "errors.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head><body>'
        "<script>console.log('fine'); console.error('boom');</script>"
        "<script>undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    watched.open(page)
    assert [text.split(" (")[0] for text in watched.console_errors] == ["boom"]
    assert len(watched.page_errors) == 1 and "undefinedFunction" in watched.page_errors[0]
    with pytest.raises(AssertionError, match="console"):
        watched.assert_clean()


def test_harness_passes_a_clean_page_and_saves_a_screenshot(
    watched: Watched, tmp_path: Path
) -> None:
    page = tmp_path / "clean.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head><body>'
        '<svg id="box" width="40" height="30"><rect width="40" height="30"/></svg></body></html>',
        encoding="utf-8",
    )
    watched.open(page)
    box = watched.page.locator("#box").bounding_box()
    assert box is not None and box["width"] == 40 and box["height"] == 30
    shot = watched.screenshot("harness-clean")
    assert shot.read_bytes().startswith(b"\x89PNG")
    watched.assert_clean()


# -- the bundled catalog's site ----------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(BUNDLED)


@pytest.fixture(scope="module")
def site(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalog's site, built once for the module."""
    out = tmp_path_factory.mktemp("site")
    written = build_site(catalog, out)
    assert (out / "index.html") in [Path(path) for path in written]
    return out


def test_index_lists_every_contract(watched: Watched, site: Path, catalog: Catalog) -> None:
    watched.open(site / "index.html")
    entries = watched.page.locator(".contract")
    texts = entries.all_inner_texts()
    for name in catalog.contracts:
        assert any(name in text for text in texts), f"{name} is not listed on the index"
    # Each entry links to its page, and the page is there.
    for name in catalog.contracts:
        link = entries.filter(has_text=name).first.locator("a").first
        href = link.get_attribute("href")
        assert href is not None and (site / href).is_file(), f"{name}'s link {href!r}"
    watched.screenshot("index")
    watched.assert_clean()


def test_telemetry_page_shows_fields_with_docs_and_units(
    watched: Watched, site: Path, catalog: Catalog
) -> None:
    watched.open(site / "contracts" / "telemetry.html")
    table = watched.page.locator("#fields")
    row = table.locator("tr", has_text="battery_mv").first
    assert row.is_visible()
    # The cells under their column headers (the field's name is the row's header cell).
    headers = [h.strip().lower() for h in table.locator("thead th").all_inner_texts()]
    cells = [c.strip() for c in row.locator(":scope > th, :scope > td").all_inner_texts()]
    assert len(cells) == len(headers), (headers, cells)
    column = dict(zip(headers, cells, strict=True))
    assert column["doc"].startswith("Battery voltage in millivolts"), column
    assert column["unit"] in ("mV", "millivolts"), column
    assert column["since"] == "v2", column
    # Every top-level field of the newest version has its row, with its doc.
    newest = catalog.contracts["telemetry"].versions[-1].schema
    assert newest is not None and isinstance(newest.root, Record)
    for f in newest.root.fields:
        named = table.locator("tbody > tr", has=watched.page.locator(f"th >> text='{f.name}'"))
        assert named.count() == 1, f.name
        assert (f.doc or "") in named.inner_text(), f.name
    watched.screenshot("telemetry")
    watched.assert_clean()


def test_search_finds_battery_mv(watched: Watched, site: Path) -> None:
    watched.open(site / "index.html")
    watched.page.locator("#search").fill("battery_mv")
    hit = watched.page.locator("#results li", has_text="battery_mv").first
    hit.wait_for(state="visible")
    assert "telemetry" in hit.inner_text()
    assert "Battery voltage in millivolts" in hit.inner_text()
    # The contracts table keeps only the contract that matches.
    shown = watched.page.locator(".contract:visible")
    assert [shown.nth(i).get_attribute("data-name") for i in range(shown.count())] == ["telemetry"]
    watched.screenshot("search")
    # The result leads to the field's row on the telemetry page.
    hit.locator("a").click()
    watched.page.wait_for_url("**/contracts/telemetry.html#*")
    anchor = urlsplit(watched.page.url).fragment
    assert "battery_mv" in watched.page.locator(f"[id='{anchor}']").inner_text()
    watched.assert_clean()


def test_matrix_svg_renders(watched: Watched, site: Path) -> None:
    watched.open(site / "contracts" / "telemetry.html")
    matrix = watched.page.locator("svg#matrix")
    box = matrix.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    # Drawn, not just sized: its shapes have area too, and every version labels an axis.
    shapes = matrix.locator("rect")
    assert shapes.count() > 0
    drawn = shapes.first.bounding_box()
    assert drawn is not None and drawn["width"] > 0 and drawn["height"] > 0
    labels = matrix.locator("text").all_text_contents()
    for version in ("v1", "v2", "v3"):
        assert any(version in label for label in labels), labels
    watched.assert_clean()


_VERDICT = re.compile(r"^(BACKWARD|FORWARD|FULL): (keeps|breaks)\b", re.MULTILINE)


def _verdicts(text: str) -> dict[str, str]:
    """The "LEVEL: keeps|breaks" lines of a diff section, by level."""
    return dict(_VERDICT.findall(text))


def test_each_version_shows_its_diff_with_verdicts_without_javascript(
    watched: Watched, site: Path
) -> None:
    """The evolution view as the page opens: each version's diff against its predecessor, in
    words, with the verdict per level (what a reader without JavaScript sees too)."""
    watched.open(site / "contracts" / "telemetry.html")
    diff = watched.page.locator("#diff")
    assert diff.is_visible()
    assert "First version" in diff.locator("#diff-v1").inner_text()
    v2 = diff.locator("#diff-v2").inner_text()
    assert "v1 → v2" in v2
    assert "'location' added" in v2 and "'battery_mv' added" in v2
    assert "signal_dbm" not in v2
    assert _verdicts(v2) == {"BACKWARD": "keeps", "FORWARD": "keeps", "FULL": "keeps"}
    v3 = diff.locator("#diff-v3").inner_text()
    assert "v2 → v3" in v3 and "'signal_dbm' added" in v3 and "PRESSURE, CO2" in v3
    assert _verdicts(v3) == {"BACKWARD": "keeps", "FORWARD": "keeps", "FULL": "keeps"}
    watched.screenshot("telemetry-diff", "#diff")
    watched.assert_clean()

    # A breaking step says so, level by level: heartbeat v3 renames uptime_s to uptime_ms.
    watched.open(site / "contracts" / "heartbeat.html")
    v3 = watched.page.locator("#diff-v3").inner_text()
    assert "uptime_ms" in v3 and "uptime_s" in v3
    assert _verdicts(v3) == {"BACKWARD": "breaks", "FORWARD": "breaks", "FULL": "breaks"}
    watched.assert_clean()


def _choose(watched: Watched, old: str, new: str) -> None:
    """Choose a pair in the picker as a reader does: a real selection in each ``<select>``."""
    assert watched.page.locator("#pair").is_visible()
    assert watched.page.select_option("#diff-old", label=old) == [old.removeprefix("v")]
    assert watched.page.select_option("#diff-new", label=new) == [new.removeprefix("v")]


def _shown_pairs(watched: Watched) -> list[str]:
    shown = watched.page.locator("#diff section.pair:visible")
    return [str(shown.nth(i).get_attribute("id")) for i in range(shown.count())]


def test_choosing_v1_and_v3_shows_their_diff_annotated(watched: Watched, site: Path) -> None:
    watched.open(site / "contracts" / "telemetry.html")
    pair = watched.page.locator("#diff-v1-v3")
    assert not pair.is_visible()  # hidden until chosen
    assert len(_shown_pairs(watched)) == 2  # v1 -> v2 and v2 -> v3, as without JavaScript
    _choose(watched, "v1", "v3")
    pair.wait_for(state="visible")
    assert _shown_pairs(watched) == ["diff-v1-v3"]
    assert "from v1 to v3" in watched.page.locator("#pair-note").inner_text()
    assert watched.page.locator("#pair-note").get_attribute("aria-live") == "polite"
    text = pair.inner_text()
    assert "v1 → v3" in text
    assert _verdicts(text) == {"BACKWARD": "keeps", "FORWARD": "keeps", "FULL": "keeps"}
    # Every change, annotated on screen: location, battery_mv, signal_dbm and two symbols.
    changes = pair.locator("li.change")
    assert changes.count() == 4
    for i in range(changes.count()):
        change = changes.nth(i)
        assert change.locator(".levels").is_visible()
        assert "keeps BACKWARD, FORWARD and FULL" in change.locator(".levels").inner_text()
        assert "no dangerous-change rule" in change.locator(".rules").inner_text()
    added = pair.locator("li.change", has_text="'signal_dbm' added")
    assert added.get_attribute("data-kind") == "field-added"
    watched.screenshot("telemetry-diff-v1-v3", "#diff")
    watched.assert_clean()

    # A pair that breaks says which way, change by change: heartbeat v1 -> v3.
    watched.open(site / "contracts" / "heartbeat.html")
    _choose(watched, "v1", "v3")
    pair = watched.page.locator("#diff-v1-v3")
    pair.wait_for(state="visible")
    text = pair.inner_text()
    assert _verdicts(text) == {"BACKWARD": "breaks", "FORWARD": "breaks", "FULL": "breaks"}
    added = pair.locator("li.change[data-kind='field-added-without-default']")
    assert "✗ breaks BACKWARD: v3 readers cannot read v1 data" in added.inner_text()
    assert "✓ keeps FORWARD: v1 readers read v3 data" in added.inner_text()
    removed = pair.locator("li.change[data-kind='field-removed-without-default']")
    assert "✗ breaks FORWARD: v1 readers cannot read v3 data" in removed.inner_text()
    # Choosing them the wrong way round shows nothing, and the note says why.
    _choose(watched, "v3", "v1")
    assert _shown_pairs(watched) == []
    assert "older version first" in watched.page.locator("#pair-note").inner_text()
    watched.assert_clean()


def _focused(watched: Watched) -> dict[str, str]:
    """The focused element's id and tag, and its computed outline."""
    found: dict[str, str] = watched.page.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e);
        return {id: e.id, tag: e.tagName.toLowerCase(), style: s.outlineStyle,
                width: s.outlineWidth}; }"""
    )
    return found


def _tab_to(watched: Watched, element_id: str, limit: int) -> dict[str, str]:
    """Press Tab from the top of the page until ``element_id`` has focus (at most ``limit``)."""
    for _ in range(limit):
        watched.page.keyboard.press("Tab")
        focused = _focused(watched)
        if focused["id"] == element_id:
            return focused
    raise AssertionError(f"Tab never reached #{element_id} in {limit} presses")


def _visible_outline(focused: dict[str, str]) -> bool:
    return focused["style"] not in ("none", "") and float(focused["width"].removesuffix("px")) > 0


def test_the_keyboard_reaches_search_and_the_picker(watched: Watched, site: Path) -> None:
    watched.open(site / "index.html")
    first = watched.page.keyboard
    first.press("Tab")
    skip = _focused(watched)
    assert skip["tag"] == "a" and _visible_outline(skip)  # the skip link, shown on focus
    search = _tab_to(watched, "search", 10)
    assert search["tag"] == "input" and _visible_outline(search), search
    watched.page.keyboard.type("battery_mv")
    watched.page.locator("#results li", has_text="battery_mv").first.wait_for(state="visible")
    watched.assert_clean()

    watched.open(site / "contracts" / "telemetry.html")
    older = _tab_to(watched, "diff-old", 200)
    assert older["tag"] == "select" and _visible_outline(older), older
    # Keyboard only: the older version one up (v2 to v1), the newer one left at v3.
    watched.page.keyboard.press("ArrowUp")
    assert watched.page.locator("#diff-old").input_value() == "1"
    watched.page.keyboard.press("Tab")
    newer = _focused(watched)
    assert newer["id"] == "diff-new" and _visible_outline(newer), newer
    watched.page.keyboard.press("ArrowUp")
    watched.page.keyboard.press("ArrowDown")
    assert watched.page.locator("#diff-new").input_value() == "3"
    watched.page.locator("#diff-v1-v3").wait_for(state="visible")
    assert _shown_pairs(watched) == ["diff-v1-v3"]
    watched.assert_clean()


def test_the_matrix_explains_its_directions(watched: Watched, site: Path) -> None:
    watched.open(site / "contracts" / "heartbeat.html")
    matrix = watched.page.locator("svg#matrix")
    box = matrix.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    # Each cell's verdict is a symbol drawn on it, not only a colour.
    marks = matrix.locator("g text.mark")
    assert marks.count() == 9 + 2  # the cells, and the key's two
    mark_box = marks.first.bounding_box()
    assert mark_box is not None and mark_box["width"] > 0
    assert sorted(set(marks.all_text_contents())) == ["✓", "✗"]
    caption = watched.page.locator("#matrix-key")
    assert caption.is_visible()
    assert "Below the diagonal" in caption.inner_text() and "BACKWARD" in caption.inner_text()
    assert watched.page.locator("#matrix-title").count() == 1
    watched.screenshot("heartbeat-matrix", "svg#matrix")
    watched.assert_clean()


def test_a_phone_shows_no_horizontal_overflow(watched: Watched, site: Path) -> None:
    watched.page.set_viewport_size({"width": 390, "height": 844})
    for page in ("index.html", "contracts/telemetry.html", "contracts/heartbeat.html"):
        watched.open(site / page)
        widths = watched.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.body.scrollWidth,"
            " window.innerWidth]"
        )
        assert widths[0] <= widths[2] and widths[1] <= widths[2], (page, widths)
        if page == "contracts/telemetry.html":
            watched.screenshot("phone-telemetry")
    watched.assert_clean()
