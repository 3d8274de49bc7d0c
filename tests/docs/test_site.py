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
from devicecontracts.catalog.census import CensusReport, PartitionCensus, Seen, report_path
from devicecontracts.cli import main
from devicecontracts.docs.site import MANIFEST, build_site

from ..support.catalogs import BUNDLED, field, make_catalog, message_toml, record

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
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "matrix-title matrix-desc"
    desc = root.findtext(f"{ns}desc") or ""
    assert "Below the diagonal a newer reader reads older data (backward)" in desc
    assert "above it an older reader reads newer data (forward)" in desc
    cells = [r for r in root.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert len(cells) == 9  # three versions on both axes
    verdicts = {c.findtext(f"{ns}title") for c in cells}
    # uptime_s has no default in v2, uptime_ms none in v3: neither reads the other.
    assert "v3 cannot read data written by v2 (backward: a newer reader, older data)" in verdicts
    assert "v2 cannot read data written by v3 (forward: an older reader, newer data)" in verdicts
    assert "v2 reads data written by v1 (backward: a newer reader, older data)" in verdicts
    assert "v1 reads data written by v2 (forward: an older reader, newer data)" in verdicts
    assert "v2 reads data written by v2 (the same version)" in verdicts
    # Each cell says its verdict by a symbol too, not by colour alone, and a key explains both.
    groups = [g for g in root.iter(f"{ns}g") if g.find(f"{ns}rect/{ns}title") is not None]
    for g in groups:
        title = g.findtext(f"{ns}rect/{ns}title") or ""
        mark = g.findtext(f"{ns}text")
        assert mark == ("✗" if "cannot read" in title else "✓"), title
        assert g.get("class") == ("bad" if "cannot read" in title else "ok")
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "reads" in texts and "cannot read" in texts
    caption = _text(site / "contracts" / "heartbeat.html")
    assert "Below the diagonal a newer reader reads data an older version wrote" in caption


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


# -- each change annotated with the levels it keeps or breaks and the rules it triggers ---------


class _Changes(HTMLParser):
    """The ``li.change`` items of one diff section: their data attributes and their text."""

    def __init__(self, section: str) -> None:
        super().__init__(convert_charrefs=True)
        self.section = section
        self.inside = 0  # depth of elements while inside the section
        self.items: list[dict[str, str]] = []
        self.item_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self.inside:
            self.inside += 1
        elif tag == "section" and a.get("id") == self.section:
            self.inside = 1
            return
        if self.inside and tag == "li" and "change" in a.get("class", "").split():
            self.items.append(
                {"kind": a["data-kind"], "breaks": a["data-breaks"], "rules": a["data-rules"]}
            )
            self.items[-1]["text"] = ""
            self.item_depth = self.inside

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if self.item_depth == self.inside:
            self.item_depth = None
        self.inside -= 1

    def handle_data(self, data: str) -> None:
        if self.item_depth is not None and self.items:
            self.items[-1]["text"] += data


def _changes(page: Path, section: str) -> dict[str, list[dict[str, str]]]:
    """The changes of diff section ``section`` of ``page``, grouped by kind."""
    parser = _Changes(section)
    parser.feed(page.read_text(encoding="utf-8"))
    grouped: dict[str, list[dict[str, str]]] = {}
    for item in parser.items:
        item["text"] = " ".join(item["text"].split())
        grouped.setdefault(item["kind"], []).append(item)
    assert parser.items, f"no changes in #{section}"
    return grouped


def _one(changes: dict[str, list[dict[str, str]]], kind: str) -> dict[str, str]:
    assert len(changes.get(kind, [])) == 1, (kind, changes)
    return changes[kind][0]


def _site_of(tmp_path: Path, versions: list[object], level: str = "NONE") -> Path:
    """The page of a one-message catalog with these versions (level NONE: any change loads)."""
    root = make_catalog(
        tmp_path / "cat", message_toml("reading", compatibility=level), {"reading": versions}
    )
    out = tmp_path / "site"
    build_site(load_catalog(root), out)
    return out / "contracts" / "reading.html"


KEEPS_ALL = "✓ keeps BACKWARD, FORWARD and FULL"


def test_bundled_adjacent_steps_are_annotated_change_by_change(site: Path) -> None:
    telemetry = site / "contracts" / "telemetry.html"
    v2 = _changes(telemetry, "diff-v2")
    assert [c["breaks"] for c in v2["field-added"]] == ["", ""]  # location, battery_mv
    assert all(KEEPS_ALL in c["text"] for c in v2["field-added"])
    assert all(
        c["rules"] == "" and "no dangerous-change rule" in c["text"] for c in v2["field-added"]
    )
    # v3 adds PRESSURE and CO2 to an enum whose default (UNKNOWN) old readers fall back to.
    symbols = _one(_changes(telemetry, "diff-v3"), "enum-symbols-added")
    assert symbols["breaks"] == "" and KEEPS_ALL in symbols["text"]

    # heartbeat v2 -> v3, the major break: each of its two field changes breaks one direction.
    heartbeat = site / "contracts" / "heartbeat.html"
    v3 = _changes(heartbeat, "diff-v3")
    added = _one(v3, "field-added-without-default")
    assert "'uptime_ms' added" in added["text"]
    assert added["breaks"] == "BACKWARD FULL"
    assert "✗ breaks BACKWARD: v3 readers cannot read v2 data" in added["text"]
    assert "✓ keeps FORWARD: v2 readers read v3 data" in added["text"]
    removed = _one(v3, "field-removed-without-default")
    assert "'uptime_s' removed" in removed["text"]
    assert removed["breaks"] == "FORWARD FULL"
    assert "✗ breaks FORWARD: v2 readers cannot read v3 data" in removed["text"]
    assert "✓ keeps BACKWARD: v3 readers read v2 data" in removed["text"]
    # The shared header's doc changed (v3 pins DeviceHeader v2): it keeps every level.
    doc = _one(v3, "doc-changed")
    assert "DeviceHeader" in doc["text"] and doc["breaks"] == "" and KEEPS_ALL in doc["text"]
    assert "Not tied to one change" not in heartbeat.read_text(encoding="utf-8")


def test_hidden_pairs_are_annotated_too(site: Path) -> None:
    telemetry = _changes(site / "contracts" / "telemetry.html", "diff-v1-v3")
    assert len(telemetry["field-added"]) == 3  # location, battery_mv, signal_dbm
    assert all(c["breaks"] == "" for items in telemetry.values() for c in items)
    heartbeat = _changes(site / "contracts" / "heartbeat.html", "diff-v1-v3")
    assert (
        "v3 readers cannot read v1 data" in _one(heartbeat, "field-added-without-default")["text"]
    )
    assert (
        "v1 readers cannot read v3 data" in _one(heartbeat, "field-removed-without-default")["text"]
    )
    assert [c["breaks"] for c in heartbeat["field-added"]] == ["", ""]


def test_field_changes_break_the_direction_they_break(tmp_path: Path) -> None:
    v1 = record(
        "Reading",
        [
            field("id", "string"),
            field("gone_a", "int"),
            field("gone_b", "long"),
            field("gone_c", "int", default=0),
            field("old_name", "string"),
            field("count", "int"),
        ],
    )
    v2 = record(
        "Reading",
        [
            field("id", "string"),
            field("new_name", "string", aliases=["old_name"]),
            field("count", "string"),
            field("needed", "int"),
            field("optional", ["null", "int"], default=None),
        ],
    )
    changes = _changes(_site_of(tmp_path, [v1, v2]), "diff-v2")
    # A field removed without a default: v1 readers need it, v2 readers ignore it.
    gone = changes["field-removed-without-default"]
    assert [("gone_a" in c["text"], "gone_b" in c["text"]) for c in gone] == [
        (True, False),
        (False, True),
    ]
    for c in gone:
        assert c["breaks"] == "FORWARD FULL"
        assert "✗ breaks FORWARD: v1 readers cannot read v2 data" in c["text"]
        assert "✓ keeps BACKWARD: v2 readers read v1 data" in c["text"]
    removed_with_default = _one(changes, "field-removed")
    assert removed_with_default["breaks"] == "" and KEEPS_ALL in removed_with_default["text"]
    # A field added without a default: v2 readers find nothing to read in v1 data.
    needed = _one(changes, "field-added-without-default")
    assert needed["breaks"] == "BACKWARD FULL"
    assert "✗ breaks BACKWARD: v2 readers cannot read v1 data" in needed["text"]
    assert "✓ keeps FORWARD: v1 readers read v2 data" in needed["text"]
    optional = _one(changes, "field-added")
    assert optional["breaks"] == "" and KEEPS_ALL in optional["text"]
    # int to string: neither reads the other.
    retyped = _one(changes, "type-changed")
    assert retyped["breaks"] == "BACKWARD FORWARD FULL"
    assert "✗ breaks BACKWARD" in retyped["text"] and "✗ breaks FORWARD" in retyped["text"]
    # A rename through an alias: v2 reads v1 through it, v1 readers know only the old name;
    # and it is a dangerous change, its rule named.
    renamed = _one(changes, "field-renamed")
    assert renamed["breaks"] == "FORWARD FULL"
    assert renamed["rules"] == "field-renamed"
    assert "triggers field-renamed (warning)" in renamed["text"]
    assert all(
        c["rules"] == ""
        for kind, items in changes.items()
        if kind != "field-renamed"
        for c in items
    )


def test_enum_symbols_added_break_forward_without_an_enum_default(tmp_path: Path) -> None:
    def version(symbols: list[str], default: str | None) -> dict[str, object]:
        kind: dict[str, object] = {"type": "enum", "name": "Kind", "symbols": symbols}
        if default:
            kind["default"] = default
        return record("Reading", [field("kind", kind)])

    bare = _changes(
        _site_of(tmp_path / "a", [version(["A"], None), version(["A", "B"], None)]), "diff-v2"
    )
    added = _one(bare, "enum-symbols-added")
    assert added["breaks"] == "FORWARD FULL"
    assert "✗ breaks FORWARD: v1 readers cannot read v2 data" in added["text"]
    assert "✓ keeps BACKWARD: v2 readers read v1 data" in added["text"]
    defaulted = _changes(
        _site_of(tmp_path / "b", [version(["A"], "A"), version(["A", "B"], "A")]), "diff-v2"
    )
    assert _one(defaulted, "enum-symbols-added")["breaks"] == ""
    removed = _changes(
        _site_of(tmp_path / "c", [version(["A", "B"], None), version(["A"], None)]), "diff-v2"
    )
    assert _one(removed, "enum-symbols-removed")["breaks"] == "BACKWARD FULL"


def test_dangerous_changes_name_their_rules(tmp_path: Path) -> None:
    millis = {"type": "long", "logicalType": "timestamp-millis"}
    micros = {"type": "long", "logicalType": "timestamp-micros"}
    v1 = record(
        "Reading",
        [
            field("at", millis),
            field("level", "int"),
            field("mv", "int", doc="Battery in millivolts."),
        ],
    )
    v2 = record(
        "Reading",
        [field("at", micros), field("level", "float"), field("mv", "int", doc="Battery in volts.")],
    )
    changes = _changes(_site_of(tmp_path, [v1, v2]), "diff-v2")
    logical = _one(changes, "logical-type-changed")
    assert logical["rules"] == "logical-type-changed"
    assert "triggers logical-type-changed (error)" in logical["text"]
    assert KEEPS_ALL in logical["text"]  # the wire reads it: only the rule catches it
    lossy = _one(changes, "type-widened-lossy")
    assert lossy["rules"] == "type-widened-lossy"
    # int to float: v2 reads v1's ints, v1 cannot read v2's floats.
    assert lossy["breaks"] == "FORWARD FULL"
    # A doc's unit changing is a doc change: no dangerous-change rule covers units, so the
    # change says what the unit was and is.
    unit = _one(changes, "doc-changed")
    assert unit["rules"] == "" and KEEPS_ALL in unit["text"]
    assert "its unit changes from millivolts to volts" in unit["text"]


def test_nested_changes_are_annotated_where_they_are(tmp_path: Path) -> None:
    def version(*inner: dict[str, object]) -> dict[str, object]:
        sample = {"type": "record", "name": "Sample", "fields": [field("v", "double"), *inner]}
        return record("Reading", [field("samples", {"type": "array", "items": sample})])

    changes = _changes(
        _site_of(
            tmp_path, [version(field("a", "int")), version(field("a", "int"), field("b", "int"))]
        ),
        "diff-v2",
    )
    added = _one(changes, "field-added-without-default")
    assert "'b' added to com.example.Sample" in added["text"]
    assert added["breaks"] == "BACKWARD FULL"


def test_the_matrix_and_the_pairs_agree(tmp_path: Path) -> None:
    """Each cell is its pair's verdict in the direction it reads: below the diagonal the pair's
    BACKWARD, above it its FORWARD."""
    v1 = record("Reading", [field("id", "string")])
    v2 = record("Reading", [field("id", "string"), field("needed", "int")])  # breaks BACKWARD
    v3 = record("Reading", [field("needed", "int")])  # drops id: breaks FORWARD
    page = _site_of(tmp_path, [v1, v2, v3])
    html = page.read_text(encoding="utf-8")
    svg = ET.fromstring(html[html.index("<svg") : html.index("</svg>") + len("</svg>")])
    ns = "{http://www.w3.org/2000/svg}"
    cells = {r.findtext(f"{ns}title") for r in svg.iter(f"{ns}rect")} - {None}
    backward = "(backward: a newer reader, older data)"
    forward = "(forward: an older reader, newer data)"
    assert f"v2 cannot read data written by v1 {backward}" in cells
    assert f"v1 reads data written by v2 {forward}" in cells
    assert f"v3 reads data written by v2 {backward}" in cells
    assert f"v2 cannot read data written by v3 {forward}" in cells
    assert f"v3 cannot read data written by v1 {backward}" in cells
    assert f"v1 cannot read data written by v3 {forward}" in cells
    for old, new, section in ((1, 2, "diff-v2"), (2, 3, "diff-v3"), (1, 3, "diff-v1-v3")):
        broken = {
            level
            for items in _changes(page, section).values()
            for c in items
            for level in c["breaks"].split()
        }
        assert ("BACKWARD" in broken) == (
            f"v{new} cannot read data written by v{old} {backward}" in cells
        )
        assert ("FORWARD" in broken) == (
            f"v{old} cannot read data written by v{new} {forward}" in cells
        )


# -- shared types: linked to their own contract's page, not copied ------------------------------


def test_shared_types_link_to_their_contracts_page(site: Path) -> None:
    telemetry = site / "contracts" / "telemetry.html"
    page = _parse(telemetry)
    html = telemetry.read_text(encoding="utf-8")
    header = "device_header.html#type-com-acme-fleet-common-DeviceHeader"
    geo = "geo_point.html#type-com-acme-fleet-common-GeoPoint"
    assert header in page.links and geo in page.links
    row = html[html.index('id="field-com-acme-fleet-telemetry-Telemetry-header"') :]
    row = row[: row.index("</tr>")]
    assert f'href="{header}"' in row and "(shared)" in row
    # Not shown again as if telemetry defined them: no table, no field rows of their own here.
    assert "type-com-acme-fleet-common-DeviceHeader" not in page.ids
    assert not [i for i in page.ids if i.startswith("field-com-acme-fleet-common-")]
    text = _text(telemetry)
    assert "com.acme.fleet.common.DeviceHeader (shared contract device_header v1" in text
    assert "com.acme.fleet.common.GeoPoint (shared contract geo_point v1" in text
    # heartbeat v3 references DeviceHeader v2.
    assert "DeviceHeader (shared contract device_header v2" in _text(
        site / "contracts" / "heartbeat.html"
    )
    # The shared contract's own page holds the anchored table the links lead to.
    shared = _parse(site / "contracts" / "device_header.html")
    assert "type-com-acme-fleet-common-DeviceHeader" in shared.ids
    assert "field-com-acme-fleet-common-DeviceHeader-device_id" in shared.ids
    # Search finds the shared fields under the contract that defines them, once.
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    entries = {e["name"]: e for e in index}
    assert not [f for f in entries["telemetry"]["fields"] if "DeviceHeader" in f["path"]]
    assert [f["path"] for f in entries["device_header"]["fields"]].count("device_id") == 1


def test_a_shared_type_nested_in_a_shared_type_links_to_its_definer(tmp_path: Path) -> None:
    point = record("Point", [field("lat", "double")], namespace="com.example.common")
    place = record(
        "Place",
        [
            field("at", "com.example.common.Point"),
            field("kind", {"type": "enum", "name": "Kind", "symbols": ["A"]}),
        ],
        namespace="com.example.common",
    )
    reading = record("Reading", [field("where", "com.example.common.Place")])
    toml = message_toml("reading") + "[shared.point]\n[shared.place]\n"
    root = make_catalog(
        tmp_path / "cat", toml, {"point": [point], "place": [place], "reading": [reading]}
    )
    out = tmp_path / "site"
    build_site(load_catalog(root), out)
    page = _parse(out / "contracts" / "reading.html")
    assert "place.html#type-com-example-common-Place" in page.links
    assert "point.html#type-com-example-common-Point" not in page.links  # not a field here
    # Place's page links Point to its own contract and shows its own enum Kind as its own.
    place_page = _parse(out / "contracts" / "place.html")
    assert "point.html#type-com-example-common-Point" in place_page.links
    assert "type-com-example-common-Kind" in place_page.ids
    assert "type-com-example-common-Point" not in place_page.ids
    assert "type-com-example-common-Kind" not in page.ids  # Place's, not reading's


def test_union_name_and_whole_schema_changes_are_annotated(tmp_path: Path) -> None:
    v1 = record(
        "Reading",
        [
            field("shrinks", ["null", "int", "string"], default=None),
            field("grows", ["null", "int"], default=None),
            field("loosens", "int"),
            field("size", {"type": "fixed", "name": "F", "size": 4}),
        ],
    )
    v2 = record(
        "Reading",
        [
            field("shrinks", ["null", "int"], default=None),
            field("grows", ["null", "int", "string"], default=None),
            field("loosens", ["null", "int"], default=None),
            field("size", {"type": "fixed", "name": "F", "size": 8}),
        ],
    )
    changes = _changes(_site_of(tmp_path / "a", [v1, v2]), "diff-v2")
    # v2 readers have no branch for the strings v1 wrote; v1 readers none for v2's.
    assert _one(changes, "union-branch-removed")["breaks"] == "BACKWARD FULL"
    assert _one(changes, "union-branch-added")["breaks"] == "FORWARD FULL"
    # int to ["null", "int"]: v1 readers cannot read a null; the default added breaks nothing.
    assert _one(changes, "made-optional")["breaks"] == "FORWARD FULL"
    assert _one(changes, "default-added")["breaks"] == ""
    assert _one(changes, "fixed-size-changed")["breaks"] == "BACKWARD FORWARD FULL"

    renamed = record("Renamed", [field("a", "int")])
    aliased = record("Renamed", [field("a", "int")], aliases=["com.example.Reading"])
    original = record("Reading", [field("a", "int")])
    plain = _changes(_site_of(tmp_path / "b", [original, renamed]), "diff-v2")
    assert _one(plain, "type-renamed")["breaks"] == "BACKWARD FORWARD FULL"
    assert _one(plain, "type-renamed")["rules"] == "type-renamed"
    # With the old name as an alias v2 reads v1; v1 still does not know the new name.
    alias = _changes(_site_of(tmp_path / "c", [original, aliased]), "diff-v2")
    assert _one(alias, "type-renamed")["breaks"] == "FORWARD FULL"

    # The whole schema's type: the issue is at the top, so is the change.
    whole = _changes(_site_of(tmp_path / "d", ['"int"', '"string"']), "diff-v2")
    assert _one(whole, "type-changed")["breaks"] == "BACKWARD FORWARD FULL"


def test_a_unit_is_only_said_to_change_when_both_docs_name_one(tmp_path: Path) -> None:
    def version(doc: str) -> dict[str, object]:
        inner = {"type": "record", "name": "Cell", "fields": [field("mv", "int", doc=doc)]}
        return record("Reading", [field("cells", {"type": "array", "items": inner})])

    page = _site_of(
        tmp_path,
        [
            version("Voltage in millivolts."),
            version("Cell voltage, in millivolts."),  # reworded, the same unit
            version("Cell voltage."),  # no unit said
            version("Cell voltage in volts."),  # a unit said again
            version("Cell voltage in millivolts."),  # in a nested record, in an array
        ],
    )
    for section in ("diff-v2", "diff-v3", "diff-v4"):
        [doc] = _changes(page, section)["doc-changed"]
        assert "its unit changes" not in doc["text"], section
    [doc] = _changes(page, "diff-v5")["doc-changed"]
    assert "its unit changes from volts to millivolts" in doc["text"]
    [doc] = _changes(page, "diff-v1-v4")["doc-changed"]
    assert "its unit changes from millivolts to volts" in doc["text"]


# ---------------------------------------------------------------------------------------------
# On the wire: the latest census of a message's topic


def _census_of_telemetry(subject: str, finished: str, v1: int, v3: int) -> CensusReport:
    from datetime import datetime

    t0 = 1_764_547_200_000  # 2025-12-01T00:00:00Z
    return CensusReport(
        topic="fleet.telemetry",
        environment="prod",
        finished_at=datetime.fromisoformat(finished),
        partitions=(
            PartitionCensus(
                partition=0,
                first_offset=0,
                last_offset=v1 + v3 + 2,
                schema_ids={
                    11: Seen(v1, t0, t0 + 60_000),
                    13: Seen(v3, t0 + 5_000, t0 + 90_000),
                    99: Seen(2, t0 + 7_000, t0 + 8_000),
                },
                unframed={"json": Seen(1, t0 + 9_000, t0 + 9_000)},
                seen=Seen(v1 + v3 + 3, t0, t0 + 90_000),
            ),
        ),
        known={11: (subject, 1), 13: (subject, 3)},
    )


def test_a_message_page_shows_the_latest_census_of_its_topic(
    catalog: Catalog, tmp_path: Path
) -> None:
    subject = catalog.contracts["telemetry"].subject
    older = _census_of_telemetry(subject, "2026-11-01T00:00:00+00:00", v1=50, v3=50)
    latest = _census_of_telemetry(subject, "2026-12-01T06:30:00+00:00", v1=3, v3=92)
    build_site(catalog, tmp_path / "site", census=(latest, older))
    page = (tmp_path / "site" / "contracts" / "telemetry.html").read_text()
    section = page[page.index('id="census"') : page.index("</section>", page.index('id="census"'))]
    parsed = _Page()
    parsed.feed(section)
    text = " ".join(" ".join(parsed.text).split())
    assert "lock environment prod: 98 records from 1 partition (from earliest)" in text
    assert "census of 2026-12-01 06:30 UTC" in text
    assert "v1 3 3.1% 2025-12-01 00:00 UTC 2025-12-01 00:01 UTC" in text
    assert "v3 92 93.9%" in text
    assert "unknown schema id 99 2" in text and "not framed: json 1" in text
    assert "v1 50" not in text  # the older census is not shown
    # A topic nobody took a census of, and a shared type, have no such section.
    for name in ("heartbeat", "device_header"):
        assert 'id="census"' not in (tmp_path / "site" / "contracts" / f"{name}.html").read_text()


def test_the_cli_shows_the_catalogs_census_and_survives_a_bad_report(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "catalog"
    shutil.copytree(BUNDLED, root)
    subject = load_catalog(root).contracts["telemetry"].subject
    report = _census_of_telemetry(subject, "2026-12-01T06:30:00+00:00", v1=3, v3=92)
    path = report_path(root, "fleet.telemetry", "prod")
    path.parent.mkdir(parents=True)
    path.write_text(report.to_json())
    result = CliRunner().invoke(
        main, ["docs", "--catalog", str(root), "--out", str(tmp_path / "a")]
    )
    assert result.exit_code == 0, result.output
    assert 'id="census"' in (tmp_path / "a" / "contracts" / "telemetry.html").read_text()

    path.write_text("{not json")
    result = CliRunner().invoke(
        main, ["docs", "--catalog", str(root), "--out", str(tmp_path / "b")]
    )
    assert result.exit_code == 0, result.output
    assert "warning: census not shown" in result.output and "fleet.telemetry.json" in result.output
    assert 'id="census"' not in (tmp_path / "b" / "contracts" / "telemetry.html").read_text()
