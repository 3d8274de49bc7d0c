"""``contracts docs``' static site: content, determinism, escaping, links, the matrix, the CLI."""

from __future__ import annotations

import importlib
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.cli import main
from devicecontracts.docs.site import MANIFEST, build_site

from ..support.catalogs import BUNDLED

HOSTILE = "</td><script>alert(\"x\")</script> & 'quoted' <b>bold</b>"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(BUNDLED)


@pytest.fixture(scope="module")
def site(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(catalog, out)
    return out


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.svg: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if a.get("id"):
            self.ids.add(str(a["id"]))
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(str(a[key]))
        if tag == "script":
            self.scripts.append(str(a.get("src")))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _text(path: Path) -> str:
    return " ".join(" ".join(_parse(path).text).split())


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_the_index_lists_every_contract(site: Path, catalog: Catalog) -> None:
    page = _parse(site / "index.html")
    assert page.lang == "en"
    for c in catalog.contracts.values():
        assert f"contracts/{c.name}.html" in page.links
        assert (site / "contracts" / f"{c.name}.html").is_file()
        for v in c.versions:
            assert (site / "schemas" / c.name / f"v{v.version}.avsc").read_bytes() == (
                v.file.read_bytes()
            )
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count('class="contract"') == len(catalog.contracts)
    for hook in ('id="search"', 'id="results"', 'name="viewport"', 'id="contracts"'):
        assert hook in index
    assert "Periodic sensor readings." in _text(site / "index.html")
    assert "fleet-platform" in _text(site / "index.html")  # heartbeat's owner


def test_the_telemetry_page_shows_battery_mv_with_doc_unit_and_version(site: Path) -> None:
    html = (site / "contracts" / "telemetry.html").read_text(encoding="utf-8")
    page = _parse(site / "contracts" / "telemetry.html")
    assert {"fields", "diff", "matrix", "timeline", "downloads"} <= page.ids
    row_id = "field-com-acme-fleet-telemetry-Telemetry-battery_mv"
    assert row_id in page.ids
    row = html[html.index(f'id="{row_id}"') :]
    row = row[: row.index("</tr>")]
    assert "Battery voltage in millivolts" in row
    assert "<td>millivolts</td>" in row
    assert "<td>v2</td>" in row  # the version that added it
    text = _text(site / "contracts" / "telemetry.html")
    assert "timestamp, milliseconds, UTC" in text
    assert "FULL_TRANSITIVE (declared in catalog.toml)" in text
    # nested records get their own tables, linked from the type column
    assert "type-com-acme-fleet-telemetry-SensorReading" in page.ids
    assert "#type-com-acme-fleet-telemetry-SensorReading" in page.links


def test_the_level_says_when_it_is_the_directions_default(site: Path) -> None:
    text = _text(site / "contracts" / "alarm.html")
    assert "BACKWARD_TRANSITIVE (the default for device-to-cloud messages)" in text


def test_the_facts_show_key_and_producers_when_declared(site: Path, tmp_path: Path) -> None:
    text = _text(site / "contracts" / "command.html")
    assert "Key device_id, the target AWS IoT thing name (string)" in text
    assert "Producers fleet-command-service" in text
    shared = _text(site / "contracts" / "geo_point.html")
    assert "Key" not in shared.split() and "Producers" not in shared.split()
    root = _hostile_catalog(tmp_path / "cat")
    toml = (root / "catalog.toml").read_text(encoding="utf-8")
    toml += 'key = "<i>id</i>"\nproducers = ["<script>x</script>", "b & c"]\n'
    (root / "catalog.toml").write_text(toml, encoding="utf-8")
    build_site(load_catalog(root), tmp_path / "out")
    page = tmp_path / "out" / "contracts" / "evil.html"
    assert "<i>id" not in page.read_text(encoding="utf-8")
    assert "Producers <script>x</script>, b & c" in _text(page)


def test_heartbeat_shows_its_major_break_and_migrations(site: Path) -> None:
    text = _text(site / "contracts" / "heartbeat.html")
    assert "Major break: v2 is in major 1, v3 in major 2" in text
    assert "uptime_s_to_uptime_ms (UPGRADE)" in text
    assert "uptime_ms_to_uptime_s (DOWNGRADE)" in text
    v3 = text[text.index("v2 → v3") :]
    assert "BACKWARD: breaks" in v3
    assert "field 'uptime_s' removed" in v3
    # The verdicts name the versions compared, not their positions in the comparison.
    assert "cannot read data written with version 2" in v3
    assert "version 1" not in v3[: v3.index("Major break")]


def test_two_builds_are_byte_identical(catalog: Catalog, site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build_site(load_catalog(BUNDLED), again)
    assert _tree(again) == _tree(site)
    build_site(catalog, again)  # a rebuild in place
    assert _tree(again) == _tree(site)


def test_every_link_resolves_to_a_file_of_the_site(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 1
    for path in pages:
        page = _parse(path)
        for link in page.links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{path.name}: external {link}"
            if not parts.path:
                assert parts.fragment in page.ids, f"{path.name}: no anchor {link}"
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{path.name}: {link} does not resolve"
            assert site.resolve() in target.parents
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in _parse(target).ids, f"{path.name}: {link}"


def test_the_matrix_is_well_formed_svg(site: Path) -> None:
    html = (site / "contracts" / "heartbeat.html").read_text(encoding="utf-8")
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("id") == "matrix"
    cells = root.findall(f"{ns}rect")
    assert len(cells) == 9  # three versions on both axes
    verdicts = {c.findtext(f"{ns}title") for c in cells}
    assert "v3 cannot read data written by v2" in verdicts  # uptime_s has no default in v3
    assert "v2 reads data written by v1" in verdicts


def test_the_search_index_holds_contracts_and_fields(site: Path) -> None:
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    telemetry = next(e for e in index if e["name"] == "telemetry")
    field = next(f for f in telemetry["fields"] if f["path"] == "battery_mv")
    assert field["url"] == (
        "contracts/telemetry.html#field-com-acme-fleet-telemetry-Telemetry-battery_mv"
    )
    script = (site / "search-index.js").read_text(encoding="utf-8")
    assert script.startswith("window.CONTRACTS_SEARCH_INDEX = ")
    assert json.loads(script.split(" = ", 1)[1].rstrip().rstrip(";")) == index
    assert _parse(site / "index.html").scripts == ["search-index.js", "search.js"]


def _hostile_catalog(root: Path) -> Path:
    root.mkdir()
    (root / "catalog.toml").write_text(
        '[messages.evil]\ndescription = "a <b> & \\"c\\""\ntopic = "t.evil"\n'
        'direction = "device-to-cloud"\n',
        encoding="utf-8",
    )
    (root / "evil").mkdir()
    schema = {
        "type": "record",
        "name": "Evil",
        "namespace": "x.y",
        "doc": HOSTILE,
        "fields": [{"name": "f", "type": "string", "doc": HOSTILE, "default": HOSTILE}],
    }
    (root / "evil" / "v1.avsc").write_text(json.dumps(schema), encoding="utf-8")
    return root


def test_text_from_schemas_is_escaped(tmp_path: Path) -> None:
    catalog = load_catalog(_hostile_catalog(tmp_path / "cat"))
    out = tmp_path / "site"
    build_site(catalog, out)
    for path in [out / "index.html", out / "contracts" / "evil.html", out / "search-index.js"]:
        raw = path.read_text(encoding="utf-8")
        assert "<script>alert" not in raw
        assert "<b>bold" not in raw and "<b> &" not in raw
        assert "</td><script>" not in raw
    page = _parse(out / "contracts" / "evil.html")
    assert page.scripts == ["../diff.js"]  # the site's own, nothing from the docs
    assert HOSTILE in "".join(page.text)  # shown as text, intact
    assert 'a <b> & "c"' in "".join(_parse(out / "index.html").text)


def test_an_out_folder_it_did_not_write_is_refused(catalog: Catalog, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    runner = CliRunner()
    result = runner.invoke(main, ["docs", "--catalog", str(BUNDLED), "--out", str(out)])
    assert result.exit_code == 2
    assert "not written by contracts docs" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_a_rebuild_removes_only_what_it_wrote(tmp_path: Path) -> None:
    catalog = load_catalog(_hostile_catalog(tmp_path / "cat"))
    out = tmp_path / "site"
    build_site(catalog, out)
    (out / "contracts" / "stale.html").write_text("not ours")
    manifest = out / MANIFEST
    manifest.write_text(manifest.read_text() + "contracts/gone.html\n../outside.txt\n")
    (out / "contracts" / "gone.html").write_text("ours, no longer built")
    (tmp_path / "outside.txt").write_text("outside")
    build_site(catalog, out)
    assert not (out / "contracts" / "gone.html").exists()
    assert (out / "contracts" / "stale.html").read_text() == "not ours"
    assert (tmp_path / "outside.txt").read_text() == "outside"


def test_the_cli_builds_the_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["docs", "--catalog", str(BUNDLED), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"open {out / 'index.html'}" in result.output
    assert "10 pages" in result.output
    assert (out / "index.html").is_file()


def test_the_cli_refuses_a_file_and_a_missing_catalog(tmp_path: Path) -> None:
    runner = CliRunner()
    a_file = tmp_path / "f"
    a_file.write_text("x")
    result = runner.invoke(main, ["docs", "--catalog", str(BUNDLED), "--out", str(a_file)])
    assert result.exit_code == 2
    assert "is a file" in result.output
    assert a_file.read_text() == "x"
    result = runner.invoke(
        main, ["docs", "--catalog", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_the_cli_shows_progress_on_large_catalogs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs_cli = importlib.import_module("devicecontracts.cli.docs")
    monkeypatch.setattr(docs_cli, "PROGRESS_EVERY", 4)
    result = CliRunner().invoke(
        main, ["docs", "--catalog", str(BUNDLED), "--out", str(tmp_path / "s")]
    )
    assert result.exit_code == 0
    assert "contracts docs: 4/9 contracts" in result.output
    assert "contracts docs: 9/9 contracts" in result.output


def test_the_cli_warns_of_load_problems_and_still_builds(tmp_path: Path) -> None:
    catalog = _hostile_catalog(tmp_path / "cat")
    (catalog / "evil" / "notes.txt").write_text("stray")
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["docs", "--catalog", str(catalog), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "catalog-stray-file" in result.output
    assert (out / "contracts" / "evil.html").is_file()


def test_the_cli_refuses_a_catalog_that_cannot_be_loaded(tmp_path: Path) -> None:
    catalog = tmp_path / "cat"
    catalog.mkdir()
    (catalog / "catalog.toml").write_text("[messages.x\n")
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["docs", "--catalog", str(catalog), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.startswith("contracts: ")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_every_pair_of_versions_has_its_diff_hidden_until_chosen(site: Path) -> None:
    html = (site / "contracts" / "telemetry.html").read_text(encoding="utf-8")
    page = _parse(site / "contracts" / "telemetry.html")
    assert {"pair", "diff-old", "diff-new", "diff-v2", "diff-v3", "diff-v1-v3"} <= page.ids
    assert '<form id="pair" hidden>' in html  # the chooser needs JavaScript
    pair = html[html.index('id="diff-v1-v3"') :]
    pair = pair[: pair.index("</section>")]
    assert 'data-old="1" data-new="3" hidden>' in pair
    assert "field &#x27;battery_mv&#x27; added" in pair
    assert "field &#x27;signal_dbm&#x27; added" in pair
    assert "BACKWARD: <span class=ok>keeps</span>" in pair
    adjacent = html[html.index('id="diff-v3"') :]
    assert adjacent.startswith('id="diff-v3" class="pair" data-old="2" data-new="3">')
    assert _parse(site / "contracts" / "telemetry.html").scripts == ["../diff.js"]
