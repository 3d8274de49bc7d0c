"""``build_site``: a catalog as a static, self-contained HTML site.

The site works from ``file://`` and any static host: relative links only, no CDN, no fonts, no
server; JavaScript only adds search. Output is deterministic (sorted iteration, no timestamps,
ids derived from names), so a rebuild is byte-identical. Every text taken from a schema or a
catalog file is escaped. Element ids and classes tests rely on are listed in `_templates`.

The out folder is owned through a manifest (``.contracts-docs``) listing the files written: a
rebuild replaces those and removes the ones no longer written, and a folder that is not empty
and holds no manifest is refused, so no file the site did not write is ever touched.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from devicecontracts.catalog import Catalog, Contract, ContractKind, Direction, SchemaVersion
from devicecontracts.catalog.census import NONE_SEEN, CensusReport, Seen, latest_census
from devicecontracts.check.consumers import field_unit
from devicecontracts.check.deprecation import field_at
from devicecontracts.check.semantic import DANGEROUS
from devicecontracts.errors import CatalogError, Location
from devicecontracts.findings import RULES
from devicecontracts.schema import (
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    Map,
    NamedType,
    Primitive,
    Record,
    Union,
)
from devicecontracts.schema.compatibility import (
    CompatibilityCache,
    CompatibilityIssue,
    CompatibilityLevel,
    IssueDirection,
    check_parsed,
)
from devicecontracts.schema.diff import Change, diff_schemas, translate_path

from ._templates import CSS, DIFF_JS, SEARCH_JS, page
from .examples import Examples

__all__ = ["MANIFEST", "build_site"]

MANIFEST = ".contracts-docs"
"""The file in the out folder listing what the last build wrote (one relative path a line)."""

_BACKWARD, _FULL = CompatibilityLevel.BACKWARD, CompatibilityLevel.FULL
_PAIR_LEVELS = (_BACKWARD, CompatibilityLevel.FORWARD, _FULL)

_LOGICAL_WORDS = {
    "timestamp-millis": "timestamp, milliseconds, UTC",
    "timestamp-micros": "timestamp, microseconds, UTC",
    "timestamp-nanos": "timestamp, nanoseconds, UTC",
    "local-timestamp-millis": "local date and time, milliseconds, no time zone",
    "local-timestamp-micros": "local date and time, microseconds, no time zone",
    "local-timestamp-nanos": "local date and time, nanoseconds, no time zone",
    "date": "date, days since 1970-01-01",
    "time-millis": "time of day, milliseconds since midnight",
    "time-micros": "time of day, microseconds since midnight",
    "uuid": "UUID",
    "duration": "duration: months, days, milliseconds",
}
_PRIMITIVE_WORDS = {
    "int": "int (32-bit)",
    "long": "long (64-bit)",
    "float": "float (32-bit)",
    "double": "double (64-bit)",
}


def build_site(
    catalog: Catalog,
    out: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    examples: Examples | None = None,
    census: Sequence[CensusReport] = (),
) -> list[Path]:
    """Write ``catalog``'s site into ``out`` and return the files written, sorted.

    ``examples`` are each version's example message by (contract name, version), made
    elsewhere (``contracts docs`` draws them with the testing extra); None says none were
    generated, which the pages say. ``census`` are the catalog's census reports (`read_census`):
    each message's page shows the latest of its topic per environment. ``progress(done,
    total)`` is called after each contract page. Raises `CatalogError` when ``out`` is a file,
    or a non-empty folder this function did not write.
    """
    out = Path(out)
    previous = _owned(out)
    files: dict[str, bytes] = {}

    def put(rel: str, text: str) -> None:
        files[rel] = text.encode("utf-8")

    contracts = catalog.ordered()
    put("style.css", CSS)
    put("search.js", SEARCH_JS)
    put("diff.js", DIFF_JS)
    index_entries: list[dict[str, Any]] = []
    for done, contract in enumerate(contracts, start=1):
        rendered = _ContractPage(catalog, contract, examples, census)
        put(f"contracts/{_slug(contract.name)}.html", rendered.html())
        for v in contract.versions:
            files[f"schemas/{_slug(contract.name)}/v{v.version}.avsc"] = v.text.encode("utf-8")
        index_entries.append(rendered.search_entry())
        if progress is not None:
            progress(done, len(contracts))
    extra = _asyncapi(catalog)
    files.update(extra)
    search_json = json.dumps(index_entries, ensure_ascii=False, sort_keys=True, indent=1)
    put("search-index.json", search_json + "\n")
    # No <, > or & appears raw in the script, whatever the docs hold.
    script = json.dumps(index_entries, ensure_ascii=True, sort_keys=True)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        script = script.replace(char, escaped)
    put("search-index.js", f"window.CONTRACTS_SEARCH_INDEX = {script};\n")
    put("index.html", _index(catalog, contracts, sorted(extra)))
    return _write(out, files, previous)


# ---------------------------------------------------------------------------------------------
# The out folder


def _owned(out: Path) -> set[str]:
    """The files the last build wrote into ``out`` (empty for a new or empty folder)."""
    where = Location(file=str(out))
    if out.exists() and not out.is_dir():
        raise CatalogError("the site's out path is a file, not a folder", where)
    if not out.exists():
        return set()
    manifest = out / MANIFEST
    if manifest.is_file():
        names = manifest.read_text(encoding="utf-8").splitlines()
        return {n for n in names if n and _inside(n)}
    if any(out.iterdir()):
        raise CatalogError(
            f"not empty and not written by contracts docs (no {MANIFEST}): "
            "choose a new or empty folder",
            where,
        )
    return set()


def _inside(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts


def _write(out: Path, files: dict[str, bytes], previous: set[str]) -> list[Path]:
    try:
        out.mkdir(parents=True, exist_ok=True)
        # The manifest first: an interrupted build still owns what it wrote.
        (out / MANIFEST).write_text("".join(f"{n}\n" for n in sorted(set(files) | previous)))
        written = []
        for rel in sorted(files):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.is_file() or target.read_bytes() != files[rel]:
                target.write_bytes(files[rel])
            written.append(target)
        for rel in sorted(previous - set(files)):
            stale = out / rel
            if stale.is_file() and not stale.is_symlink():
                stale.unlink()
        (out / MANIFEST).write_text("".join(f"{n}\n" for n in sorted(files)))
    except OSError as exc:
        raise CatalogError(
            f"cannot write the site: {exc.strerror or exc}", Location(file=str(out))
        ) from None
    return written


def _asyncapi(catalog: Catalog) -> dict[str, bytes]:
    """The AsyncAPI export beside the site, when the exporter is available: its module's
    ``asyncapi_document`` and ``asyncapi_json``. The hook for further exports is here."""
    try:
        from devicecontracts.docs import asyncapi
    except ImportError:
        return {}
    document = asyncapi.asyncapi_document(catalog)
    return {"asyncapi.json": asyncapi.asyncapi_json(document).encode("utf-8")}


# ---------------------------------------------------------------------------------------------
# The index page


def _index(catalog: Catalog, contracts: list[Contract], exports: list[str]) -> str:
    rows = []
    for c in contracts:
        latest = c.latest
        owner = c.data.owner if c.data is not None and c.data.owner else ""
        href = f"contracts/{_slug(c.name)}.html"
        rows.append(
            f'<tr class="contract" data-name="{_e(c.name)}">'
            f'<th scope="row"><a href="{href}">{_e(c.name)}</a></th>'
            f"<td>{_e(c.kind.value)}</td><td>{_code(c.topic)}</td><td>{_code(c.subject)}</td>"
            f"<td>{_e(c.direction.value if c.direction else '')}</td>"
            f"<td>{_e(c.level.value)}</td><td>{_e(owner)}</td>"
            f"<td>{'v' + str(latest.version) if latest else ''}</td>"
            f"<td>{_e(c.description or '')}</td></tr>"
        )
    links = "".join(f'<li><a href="{_e(x)}">{_e(x)}</a></li>' for x in exports)
    body = (
        "<h1>Device contracts</h1>\n"
        f"<p>{len(contracts)} contracts. Each page shows fields, versions, diffs and the "
        "compatibility matrix.</p>\n"
        '<search><label for="search" hidden>Search contracts and fields</label> '
        '<input id="search" type="search" hidden autocomplete="off" '
        'placeholder="Search contracts and fields">\n'
        '<ul id="results" aria-live="polite"></ul></search>\n'
        '<div class="table-wrap"><table id="contracts"><caption>Contracts</caption>\n'
        "<thead><tr><th scope=col>Name</th><th scope=col>Kind</th><th scope=col>Topic</th>"
        "<th scope=col>Subject</th><th scope=col>Direction</th><th scope=col>Level</th>"
        "<th scope=col>Owner</th><th scope=col>Latest</th><th scope=col>Description</th>"
        "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table></div>\n"
    )
    if links:
        body += (
            '<section aria-labelledby="exports"><h2 id="exports">Exports</h2>'
            f"<ul>{links}</ul></section>\n"
        )
    return page("Device contracts", body, root="", scripts=("search-index.js", "search.js"))


# ---------------------------------------------------------------------------------------------
# A contract's page


@dataclass
class _Row:
    record: Record
    field: Field
    added: int


class _ContractPage:
    def __init__(
        self,
        catalog: Catalog,
        contract: Contract,
        examples: Examples | None = None,
        census: Sequence[CensusReport] = (),
    ) -> None:
        self.catalog = catalog
        self.c = contract
        self.examples = examples
        self.census = census
        self.parsed = [v for v in contract.versions if v.schema is not None]
        self.present = {v.version: _field_keys(v) for v in self.parsed}
        # Each pair of versions is compared once, for its diff and the matrix's two cells; the
        # cache shares the comparisons of unchanged structures across the contract's pairs.
        self._pairs: dict[tuple[int, int], _Pair] = {}
        self._cache = CompatibilityCache()
        # Named types the latest version has from shared contracts: linked to their own pages,
        # never shown here as if they were this contract's.
        latest = self.parsed[-1] if self.parsed else None
        self.shared = _imported(catalog, latest) if latest is not None else {}
        self.links = {name: link for name, (_, link) in self.shared.items()}

    def html(self) -> str:
        c = self.c
        parts = [f"<h1>{_e(c.name)}</h1>\n"]
        if c.description:
            parts.append(f"<p>{_e(c.description)}</p>\n")
        parts.append(self._facts())
        parts.append(self._data_contract())
        parts.append(self._consumers())
        parts.append(self._ids())
        parts.append(self._timeline())
        parts.append(self._on_the_wire())
        parts.append(self._fields())
        parts.append(self._examples())
        parts.append(self._diffs())
        parts.append(self._matrix())
        parts.append(self._downloads())
        return page(f"{c.name}: device contract", "".join(parts), root="../", scripts=("diff.js",))

    def _facts(self) -> str:
        c = self.c
        why = (
            "declared in catalog.toml"
            if c.level_declared
            else (
                f"the default for {c.direction.value} messages"
                if c.direction is not None
                else f"the default for {c.kind.value} contracts"
            )
        )
        items = [
            ("Kind", _e(c.kind.value)),
            ("Topic", _code(c.topic)),
            ("Subject", _code(c.subject)),
            *([("Key", _e(c.key))] if c.key else []),
            ("Direction", _e(c.direction.value if c.direction else "")),
            ("Compatibility", f"{_e(c.level.value)} <span class=muted>({_e(why)})</span>"),
        ]
        if c.producers:
            items.append(("Producers", ", ".join(_e(p) for p in c.producers)))
        if c.data is not None and c.data.owner:
            items.append(("Owner", _e(c.data.owner)))
        if c.data is not None and c.data.compatibility_group:
            items.append(("Compatibility group", _code(c.data.compatibility_group)))
        dl = "".join(f"<dt>{k}</dt><dd>{v or '—'}</dd>" for k, v in items)
        props = ""
        if c.data is not None and c.data.properties:
            rows = "".join(
                f"<tr><th scope=row>{_e(k)}</th><td>{_e(v)}</td></tr>"
                for k, v in sorted(c.data.properties.items())
            )
            props = (
                '<div class="table-wrap"><table><caption>Properties</caption>'
                f"<tbody>{rows}</tbody></table></div>"
            )
        if c.data is not None and c.data.tags:
            rows = "".join(
                f"<tr><th scope=row>{_e(k)}</th><td>{_e(', '.join(v))}</td></tr>"
                for k, v in sorted(c.data.tags.items())
            )
            props += (
                '<div class="table-wrap"><table><caption>Tags</caption>'
                f"<tbody>{rows}</tbody></table></div>"
            )
        return (
            '<section aria-labelledby="about"><h2 id="about">About</h2>'
            f"<dl>{dl}</dl>{props}</section>\n"
        )

    def _data_contract(self) -> str:
        data = self.c.data
        if data is None or not (data.rules or data.migrations):
            return ""
        out = ['<section id="rules" aria-labelledby="rules-h"><h2 id="rules-h">Rules</h2>']
        for title, declared in (("Domain rules", data.rules), ("Migrations", data.migrations)):
            if not declared:
                continue
            rows = []
            for d in declared:
                r = d.rule
                span = f"v{d.from_version}" + (
                    f" to v{d.until_version}" if d.until_version else " on"
                )
                rows.append(
                    f"<tr><th scope=row>{_e(r.name)}</th><td>{_e(r.type)}</td>"
                    f"<td>{_e(r.mode)}</td><td>{span}</td>"
                    f"<td><pre><code>{_e((r.expr or '').strip())}</code></pre></td>"
                    f"<td>{_e(r.doc or '')}</td><td>{_e(r.on_failure or '')}</td></tr>"
                )
            out.append(
                f'<div class="table-wrap"><table><caption>{title}</caption><thead><tr>'
                "<th scope=col>Name</th><th scope=col>Type</th><th scope=col>Mode</th>"
                "<th scope=col>Versions</th><th scope=col>Expression</th><th scope=col>Doc</th>"
                "<th scope=col>On failure</th></tr></thead><tbody>"
                + "".join(rows)
                + "</tbody></table></div>"
            )
        out.append("</section>\n")
        return "".join(out)

    def _consumers(self) -> str:
        """The services whose consumer contracts (``consumers/*.toml``) read this subject."""
        readers = self.catalog.consumers_of(self.c.subject)
        if not readers:
            return ""
        rows = []
        for consumer, read in sorted(readers, key=lambda pair: pair[0].service):
            number = read.reader_version(self.c)
            reader = read.describe_reader()
            if number is not None and reader != f"v{number}":
                reader += f" (v{number})"
            fields = ", ".join(f"<code>{_e(p)}</code>" for p in read.fields)
            rows.append(
                f"<tr><th scope=row>{_e(consumer.service)}</th><td>{_e(consumer.owner)}</td>"
                f"<td>{_e(reader)}</td><td>{fields}</td>"
                f"<td>{_e(consumer.description or '')}</td></tr>"
            )
        return (
            '<section id="consumers" aria-labelledby="consumers-h"><h2 id="consumers-h">'
            "Consumers</h2>"
            '<div class="table-wrap"><table><caption>Services that declare what they read '
            "(consumers/*.toml), checked by contracts check</caption><thead><tr>"
            "<th scope=col>Service</th><th scope=col>Owner</th><th scope=col>Decodes into</th>"
            "<th scope=col>Fields it reads</th><th scope=col>About</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></div></section>\n"
        )

    def _ids(self) -> str:
        released = self.catalog.lock.released(self.c.subject)
        envs = sorted({env for e in released.values() for env in e.ids})
        if not released or not envs:
            said = "No id is recorded" if released else "No version is released"
            return (
                '<section id="ids" aria-labelledby="ids-h"><h2 id="ids-h">Schema ids</h2>'
                f"<p>{said} in the lock yet (<code>contracts register</code> records the "
                "registry's ids per environment).</p></section>\n"
            )
        head = "".join(f"<th scope=col>{_e(env)}</th>" for env in envs)
        rows = []
        for number in sorted(released):
            e = released[number]
            cells = "".join(f"<td>{e.ids.get(env, '—')}</td>" for env in envs)
            rows.append(f"<tr><th scope=row>v{number}</th>{cells}</tr>")
        return (
            '<section id="ids" aria-labelledby="ids-h"><h2 id="ids-h">Schema ids</h2>'
            '<div class="table-wrap"><table><caption>Registry ids per environment, from the '
            f"lock</caption><thead><tr><th scope=col>Version</th>{head}</tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></div></section>\n"
        )

    def _timeline(self) -> str:
        items = []
        for v in self.c.versions:
            released = self.catalog.lock.entry(self.c.subject, v.version) is not None
            major = self.c.major(v.version)
            notes = ["released" if released else "not released yet"]
            if major is not None:
                notes.append(f"major {major}")
            if v.schema is None:
                notes.append("invalid")
            deprecated = self.c.data.deprecated_versions.get(v.version) if self.c.data else None
            if deprecated is not None:  # [deprecated.versions.<n>] of contract.toml
                notes.append(deprecated.describe())
            items.append(
                f'<li><a href="#diff-v{v.version}">v{v.version}</a> '
                f"<span class=muted>({_e(', '.join(notes))})</span></li>"
            )
        return (
            '<section aria-labelledby="timeline-h"><h2 id="timeline-h">Versions</h2>'
            f'<ol id="timeline">{"".join(items)}</ol></section>\n'
        )

    def _on_the_wire(self) -> str:
        """The latest census of this message's topic per environment (``census/<env>/``):
        records per version of this subject, first and last seen, and what else the topic
        carried. Nothing for a shared type, or a topic nobody has taken a census of."""
        topic = self.c.topic
        if topic is None:
            return ""
        folders = sorted({r.environment or "" for r in self.census if r.topic == topic})
        if not folders:
            return ""
        out = [
            '<section id="census" aria-labelledby="census-h"><h2 id="census-h">On the wire</h2>'
            f"<p>What <code>contracts census</code> last counted on <code>{_e(topic)}</code>, "
            "by record timestamps (first and last seen).</p>"
        ]
        for folder in folders:
            report = latest_census(self.census, topic, environment=folder or None)
            assert report is not None  # a folder listed has a report
            out.append(self._census_table(report))
        out.append("</section>\n")
        return "".join(out)

    def _census_table(self, report: CensusReport) -> str:
        total = report.total().count
        rows: list[tuple[str, Seen]] = []
        other = NONE_SEEN
        for (subject, version), seen in report.versions().items():
            if subject == self.c.subject:
                rows.append((f"v{version}", seen))
            else:
                other = other.plus(seen)
        if other.count:
            rows.append(("other subjects", other))
        rows += [(f"unknown schema id {i}", seen) for i, seen in report.unknown_ids().items()]
        rows += [(f"not framed: {kind}", seen) for kind, seen in report.unframed().items()]

        def when(moment: datetime | None) -> str:
            return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"

        body = "".join(
            f"<tr><th scope=row>{_e(label)}</th><td>{seen.count:,}</td>"
            f"<td>{seen.count / total:.1%}</td><td>{when(seen.first)}</td>"
            f"<td>{when(seen.last)}</td></tr>"
            for label, seen in rows
        )
        how = f"from {report.start}"
        if report.group:
            how += f", group {report.group}"
        if report.readers > 1:
            how += f", {report.readers} readers merged"
        caption = (
            f"{_e(report.id_source)}: {total:,} records from {len(report.partitions)} "
            f"partition{'' if len(report.partitions) == 1 else 's'} ({_e(how)}), census of "
            f"{report.finished_at:%Y-%m-%d %H:%M} UTC"
        )
        return (
            f'<div class="table-wrap"><table><caption>{caption}</caption><thead><tr>'
            "<th scope=col>Records</th><th scope=col>Count</th><th scope=col>Share</th>"
            "<th scope=col>First seen</th><th scope=col>Last seen</th></tr></thead><tbody>"
            f"{body}</tbody></table></div>"
        )

    # -- fields

    def _fields(self) -> str:
        latest = self.parsed[-1] if self.parsed else None
        if latest is None or latest.schema is None:
            return '<section><h2 id="fields-h">Fields</h2><p>No valid version.</p></section>\n'
        root = latest.schema.root
        named = list(_named_types(root))
        out = [
            f'<section aria-labelledby="fields-h"><h2 id="fields-h">Fields of v{latest.version}'
            "</h2>"
        ]
        if isinstance(root, Record):
            # Anchored as a type too: other contracts' pages link a shared type here.
            table = self._record_table(root, "fields", latest.version)
            out.append(f'<div id="{_type_id(root)}">{table}</div>')
        else:
            out.append(f"<p>Type: {_type_words(root, self.links)}</p>")
        out.append(self._shared_types(latest))
        nested = [t for t in named if t is not root and t.fullname not in self.links]
        if nested:
            out.append(
                '<section id="types" aria-labelledby="types-h"><h3 id="types-h">Named types</h3>'
            )
            for t in nested:
                anchor = _type_id(t)
                doc = f"<p>{_e(t.doc)}</p>" if t.doc else ""
                out.append(
                    f'<section id="{anchor}" aria-labelledby="{anchor}-h">'
                    f'<h4 id="{anchor}-h">{_e(t.type)} <code>{_e(t.fullname)}</code></h4>{doc}'
                )
                if isinstance(t, Record):
                    out.append(self._record_table(t, None, latest.version))
                elif isinstance(t, Enum):
                    default = (
                        f" Readers that do not know a symbol read <code>{_e(t.default)}</code>."
                        if t.default
                        else ""
                    )
                    symbols = ", ".join(f"<code>{_e(s)}</code>" for s in t.symbols)
                    out.append(f"<p>Symbols: {symbols}.{default}</p>")
                elif isinstance(t, Fixed):
                    out.append(f"<p>{t.size} bytes.</p>")
                out.append("</section>")
            out.append("</section>")
        out.append("</section>\n")
        return "".join(out)

    def _shared_types(self, latest: SchemaVersion) -> str:
        """The shared types the latest version references, each linked to its own page."""
        items = []
        for ref in latest.references:
            found = self.shared.get(ref.name)
            if found is None:
                continue
            words, link = found
            items.append(
                f'<li><a href="{_e(link)}"><code>{_e(ref.name)}</code></a> '
                f"<span class=muted>(shared contract {_e(words)}, subject "
                f"<code>{_e(ref.subject)}</code>)</span></li>"
            )
        if not items:
            return ""
        return (
            '<section id="shared-types" aria-labelledby="shared-types-h">'
            '<h3 id="shared-types-h">Shared types</h3><p>Types this contract uses from shared '
            "contracts, each documented on its own page, in the version referenced:</p>"
            f"<ul>{''.join(items)}</ul></section>"
        )

    def _record_table(self, record: Record, table_id: str | None, latest: int) -> str:
        rows = []
        for f in record.fields:
            added = self._added(record.fullname, f.name, latest)
            default = _code(json.dumps(f.default, ensure_ascii=False)) if f.has_default else "—"
            doc = f.doc or ""
            deprecated = f.props.get("deprecated")
            if deprecated:
                doc += " (deprecated" + (f": {deprecated}" if isinstance(deprecated, str) else "")
                doc += ")"
            declared = self._deprecated_field(record, f)
            if declared:  # [deprecated.fields."<path>"] of contract.toml
                doc += f" ({declared})"
            rows.append(
                f'<tr id="{_field_id(record, f)}"><th scope=row><code>{_e(f.name)}</code></th>'
                f"<td>{_type_words(f.type, self.links)}</td><td>{default}</td><td>{_e(doc)}</td>"
                f"<td>{_e(field_unit(f))}</td><td>v{added}</td></tr>"
            )
        ident = f' id="{table_id}"' if table_id else ""
        return (
            f'<div class="table-wrap"><table{ident}><caption>Fields of '
            f"<code>{_e(record.fullname)}</code></caption><thead><tr><th scope=col>Name</th>"
            "<th scope=col>Type</th><th scope=col>Default</th><th scope=col>Doc</th>"
            "<th scope=col>Unit</th><th scope=col>Since</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></div>"
        )

    def _deprecated_field(self, record: Record, f: Field) -> str:
        """What ``contract.toml`` deprecates at field ``f`` of ``record`` (a record of the
        latest version): ``deprecated since v2, sunset ...: reason`` for the field itself, and
        ``firmware_version: deprecated ...`` for a field under it in a shared type, whose
        table is on the shared contract's page; "" when nothing."""
        latest = self.parsed[-1].schema if self.parsed else None
        if self.c.data is None or latest is None:
            return ""
        notes = []
        for path, deprecation in sorted(self.c.data.deprecated_fields.items()):
            names = path.split(".")
            for depth in range(len(names), 0, -1):
                found = field_at(latest.root, names[:depth])
                if found is None or found[0].fullname in self.links:
                    continue  # not a row of this page
                if found[0] is record and found[1] is f:
                    rest = ".".join(names[depth:])
                    notes.append((f"{rest}: " if rest else "") + deprecation.describe())
                break
        return "; ".join(notes)

    def _added(self, record: str, name: str, latest: int) -> int:
        """The first version from which every version up to ``latest`` has the field."""
        since = latest
        for v in reversed(self.parsed):
            if (record, name) not in self.present[v.version]:
                break
            since = v.version
        return since

    # -- examples

    def _examples(self) -> str:
        """Each version's example message, in the Avro JSON encoding and as a device's JSON."""
        c = self.c
        head = (
            '<section id="examples" aria-labelledby="examples-h"><h2 id="examples-h">Examples</h2>'
        )
        if self.examples is None:
            return (
                head + "<p>No examples were generated for this build: <code>contracts docs</code> "
                "draws them when the testing extra is installed "
                "(<code>pip install 'devicecontracts[testing]'</code>).</p></section>\n"
            )
        parts = [
            head,
            "<p>One message per version, drawn from the version's schema by the hypothesis "
            "strategies of <code>devicecontracts.testing</code> (<code>from_avro_schema</code>) "
            "with a fixed seed: valid by construction, and the same in every build. Values "
            "stay within the ranges the field docs and the contract's field rules state.</p>",
        ]
        if c.kind is ContractKind.SHARED:
            parts.append(
                "<p>A shared type is never sent alone: it is a field of the messages that use "
                "it. Its device form is how it appears inside such a message's JSON, which the "
                "bridge validates as part of that message.</p>"
            )
        for v in c.versions:
            n = v.version
            example = self.examples.get((c.name, n))
            parts.append(
                f'<section id="example-v{n}" aria-labelledby="example-v{n}-h">'
                f'<h3 id="example-v{n}-h">v{n}</h3>'
            )
            if example is None:
                why = (
                    "this version is not a valid schema"
                    if v.schema is None
                    else "none could be drawn (the build's warnings say why)"
                )
                parts.append(f"<p>No example: {why}.</p>")
            else:
                parts.append(
                    _example_figure(
                        "avro-json",
                        "<strong>Avro JSON encoding</strong>: the Avro specification's JSON "
                        'form, a union\'s value as <code>{"branch": value}</code>, bytes as '
                        "ISO-8859-1 text, timestamps as epoch numbers",
                        example.avro_json,
                    )
                )
                if example.device_json is not None:
                    parts.append(
                        _example_figure("device-json", self._device_label(n), example.device_json)
                    )
            parts.append("</section>")
        parts.append("</section>\n")
        return "".join(parts)

    def _device_label(self, n: int) -> str:
        forms = (
            "unions as their plain value, timestamps as ISO 8601 text in UTC, decimals as "
            "text, bytes as base64"
        )
        bridge = f"<code>devicecontracts.bridge</code> validates into the v{n} model"
        if self.c.kind is ContractKind.SHARED:
            return f"<strong>Inside a device's JSON</strong>: {forms}"
        if self.c.direction is Direction.CLOUD_TO_DEVICE:
            return (
                f"<strong>As JSON for the bridge</strong>: what {bridge} (this contract flows "
                f"from the cloud to devices: the form for a producer that writes JSON); {forms}"
            )
        return (
            f"<strong>As a device sends it</strong>: JSON over MQTT, which {bridge} and frames "
            f"for Kafka; {forms}"
        )

    # -- evolution

    def _diffs(self) -> str:
        out = [
            '<section id="diff" aria-labelledby="diff-h"><h2 id="diff-h">Changes</h2>'
            '<p class="muted">Each change says which levels it keeps or breaks on its own '
            "(BACKWARD: the newer version reads data the older one wrote; FORWARD: the older "
            "reads the newer's), and which dangerous-change rules of <code>contracts check</code> "
            "it triggers.</p>"
        ]
        versions = self.c.versions
        out.append(
            f'<section id="diff-v{versions[0].version}"><h3>v1</h3><p>First version.</p></section>'
            if versions
            else ""
        )
        if len(versions) > 2:
            options = "".join(
                f'<option value="{v.version}">v{v.version}</option>' for v in versions
            )
            out.append(
                '<form id="pair" hidden><p>Compare '
                f'<label>from <select id="diff-old">{options}</select></label> '
                f'<label>to <select id="diff-new">{options}</select></label></p>'
                '<p id="pair-note" class="muted" aria-live="polite"></p></form>'
            )
        for a, b in itertools.pairwise(versions):
            out.append(self._diff(a, b))
        # Every other pair, hidden: diff.js shows the one the reader chooses.
        for i, a in enumerate(versions):
            for b in versions[i + 2 :]:
                out.append(self._diff(a, b, hidden=True))
        out.append("</section>\n")
        return "".join(out)

    def _diff(self, a: SchemaVersion, b: SchemaVersion, *, hidden: bool = False) -> str:
        ident = f"diff-v{a.version}-v{b.version}" if hidden else f"diff-v{b.version}"
        head = (
            f'<section id="{ident}" class="pair" data-old="{a.version}" '
            f'data-new="{b.version}"{" hidden" if hidden else ""}>'
            f"<h3>v{a.version} → v{b.version}</h3>"
        )
        if a.schema is None or b.schema is None:
            return head + "<p>One of these versions is invalid: no diff.</p></section>"
        pair = self._pair(a, b)
        items = [
            _change_item(
                change, pair.blame[i], pair.dangerous, a.version, b.version, unit=pair.units.get(i)
            )
            for i, change in enumerate(pair.changes)
        ]
        if pair.unattributed:
            items.append(_unattributed_item(pair.unattributed, a.version, b.version))
        listed = "".join(items) or "<li>No changes.</li>"
        verdicts = []
        for level in _PAIR_LEVELS:
            issues = [
                i
                for i in pair.issues
                if level is _FULL or (i.direction is not None and i.direction.value == level.value)
            ]
            mark = "<span class=ok>keeps</span>" if not issues else "<span class=bad>breaks</span>"
            why = "" if level is _FULL else "".join(f"<li>{_e(i.message)}</li>" for i in issues)
            verdicts.append(
                f"<li>{_e(level.value)}: {mark} "
                f"<span class=muted>({_e(_level_words(level, a.version, b.version))})</span>"
                + (f"<ul>{why}</ul>" if why else "")
                + "</li>"
            )
        crossing = self._major_break(a.version, b.version)
        return (
            head
            + f'<ul class="changes">{listed}</ul><p>Levels, for the pair:</p>'
            + f'<ul class="verdicts">{"".join(verdicts)}</ul>{crossing}</section>'
        )

    def _pair(self, a: SchemaVersion, b: SchemaVersion) -> _Pair:
        """``a`` and ``b`` compared once (the diff, the matrix and both directions share it)."""
        key = (a.version, b.version)
        found = self._pairs.get(key)
        if found is None:
            assert a.schema is not None and b.schema is not None
            found = self._pairs[key] = _compare(a, b, self._cache)
        return found

    def _reads(self, reader: SchemaVersion, writer: SchemaVersion) -> bool:
        """Whether ``reader`` reads data written with ``writer``, from the pair's check."""
        if reader.version == writer.version:
            assert reader.schema is not None
            same = check_parsed(reader.schema, [reader.schema], _BACKWARD, cache=self._cache)
            return same.compatible
        if reader.version > writer.version:
            return not self._pair(writer, reader).broken(IssueDirection.BACKWARD)
        return not self._pair(reader, writer).broken(IssueDirection.FORWARD)

    def _major_break(self, old: int, new: int) -> str:
        crossing = self.c.major_break(old, new)
        if crossing is None:
            return ""
        bridge = crossing.migrations
        text = (
            f"<p><strong>Major break:</strong> v{old} is in major {crossing.old_major}, v{new} in "
            f"major {crossing.new_major} (compatibility group <code>{_e(crossing.group)}"
            "</code>): the registry checks neither against the other.</p>"
        )
        if not bridge:
            return text + "<p>No migration rules bridge it.</p>"
        rules = "".join(
            f"<li><code>{_e(m.rule.name)}</code> ({_e(m.rule.mode)})"
            + (f": {_e(m.rule.doc)}" if m.rule.doc else "")
            + "</li>"
            for m in bridge
        )
        return text + f"<p>Bridged by migration rules:</p><ul>{rules}</ul>"

    def _matrix(self) -> str:
        vs = self.parsed
        if len(vs) < 2:
            return ""
        cell, pad = 36, 60
        size = pad + cell * len(vs)
        width, height = max(size + 10, 330), size + 82
        parts = [
            f'<svg id="matrix" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="matrix-title matrix-desc" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">'
            f'<title id="matrix-title">Which version of {_e(self.c.name)} reads data written by '
            "which: rows are readers, columns writers</title>"
            '<desc id="matrix-desc">Below the diagonal a newer reader reads older data '
            "(backward); above it an older reader reads newer data (forward). A tick on green: "
            "reads; a cross on red: cannot read.</desc>",
            f'<text x="{pad}" y="14">writer →</text>',
            f'<text x="4" y="{pad - 4}">reader ↓</text>',
        ]
        for i, v in enumerate(vs):
            x = pad + i * cell
            parts.append(f'<text x="{x + 8}" y="{pad - 8}">v{v.version}</text>')
            parts.append(f'<text x="{pad - 30}" y="{x + 22}">v{v.version}</text>')
        for r, reader in enumerate(vs):
            for w, writer in enumerate(vs):
                ok = self._reads(reader, writer)
                verdict = "reads" if ok else "cannot read"
                how = (
                    "backward: a newer reader, older data"
                    if r > w
                    else "forward: an older reader, newer data"
                    if r < w
                    else "the same version"
                )
                x, y = pad + w * cell, pad + r * cell
                parts.append(
                    f'<g class="{"ok" if ok else "bad"}"><rect x="{x + 2}" y="{y + 2}" '
                    f'width="{cell - 4}" height="{cell - 4}">'
                    f"<title>v{reader.version} {verdict} data written by v{writer.version} "
                    f"({how})</title></rect>"
                    f'<text class="mark" x="{x + cell // 2}" y="{y + cell // 2 + 5}" '
                    f'text-anchor="middle" aria-hidden="true">{"✓" if ok else "✗"}</text></g>'
                )
        key = size + 14
        parts.append(
            f'<g class="ok"><rect x="4" y="{key}" width="20" height="20"/><text class="mark" '
            f'x="14" y="{key + 15}" text-anchor="middle">✓</text></g>'
            f'<text x="30" y="{key + 15}">reads</text>'
            f'<g class="bad"><rect x="100" y="{key}" width="20" height="20"/><text class="mark" '
            f'x="110" y="{key + 15}" text-anchor="middle">✗</text></g>'
            f'<text x="126" y="{key + 15}">cannot read</text>'
            f'<text x="4" y="{key + 40}">below the diagonal: backward (newer reads older)</text>'
            f'<text x="4" y="{key + 58}">above the diagonal: forward (older reads newer)</text>'
        )
        parts.append("</svg>")
        return (
            '<section aria-labelledby="matrix-h"><h2 id="matrix-h">Compatibility matrix</h2>'
            "<figure>"
            + "".join(parts)
            + '<figcaption id="matrix-key">Rows are the reader\'s version, columns the '
            "writer's. <strong>Below the diagonal</strong> a newer reader reads data an older "
            "version wrote: that is <strong>BACKWARD</strong>. <strong>Above it</strong> an older "
            "reader reads data a newer version wrote: <strong>FORWARD</strong>. FULL holds for "
            "a pair when both of its cells are ✓. ✓ on green: reads; ✗ on red: cannot read. "
            "Each cell names its pair when pointed at.</figcaption></figure></section>\n"
        )

    def _downloads(self) -> str:
        items = "".join(
            f'<li><a href="../schemas/{_slug(self.c.name)}/v{v.version}.avsc" '
            f"download>v{v.version}.avsc</a></li>"
            for v in self.c.versions
        )
        return (
            '<section aria-labelledby="downloads-h"><h2 id="downloads-h">Schemas</h2>'
            f'<ul id="downloads">{items}</ul></section>\n'
        )

    # -- search

    def search_entry(self) -> dict[str, Any]:
        c = self.c
        url = f"contracts/{_slug(c.name)}.html"
        fields: list[dict[str, str]] = []
        latest = self.parsed[-1] if self.parsed else None
        if latest is not None and latest.schema is not None:
            for t in _named_types(latest.schema.root):
                # A shared type's fields are found on its own contract's entry.
                if isinstance(t, Record) and t.fullname not in self.links:
                    for f in t.fields:
                        path = f.name if t is latest.schema.root else f"{t.name}.{f.name}"
                        fields.append(
                            {
                                "path": path,
                                "doc": f.doc or "",
                                "url": f"{url}#{_field_id(t, f)}",
                                "text": f"{path} {f.doc or ''}".lower(),
                            }
                        )
        text = " ".join(
            [c.name, c.topic or "", c.subject, c.description or ""] + [f["path"] for f in fields]
        )
        return {"name": c.name, "url": url, "text": text.lower(), "fields": fields}


# ---------------------------------------------------------------------------------------------
# A pair of versions: its changes, each annotated with the levels it breaks and the rules it
# triggers


@dataclass(frozen=True)
class _Pair:
    """Two versions compared once: ``changes`` (`diff_schemas`), the ``dangerous`` ones
    (their kind is a semantic rule's id, as `dangerous_changes` finds them), the ``issues`` of
    a FULL check (both directions: BACKWARD, the newer reads the older's data; FORWARD, the
    reverse), and which issues each change causes (``blame``, by the change's index) or none
    does."""

    changes: list[Change]
    dangerous: frozenset[Change]
    issues: tuple[CompatibilityIssue, ...]
    blame: list[list[CompatibilityIssue]]
    unattributed: list[CompatibilityIssue]
    units: dict[int, tuple[str, str]]
    """The doc changes that change a field's unit: the unit before and after, by index."""

    def broken(self, direction: IssueDirection) -> bool:
        return any(i.direction is direction for i in self.issues)


# Kinds of change that never change a verdict on their own (Confluent ignores docs, order,
# defaults of fields both sides have, logical types; names match unqualified): an issue found
# where one of these and another change meet is the other change's.
_NEUTRAL = frozenset(
    {
        "doc-changed",
        "field-order-changed",
        "default-added",
        "default-changed",
        "default-removed",
        "logical-type-changed",
        "decimal-changed",
        "namespace-changed",
        "field-added",
        "field-removed",
        "fields-reordered",
        "union-reordered",
        "enum-symbols-reordered",
    }
)


def _compare(a: SchemaVersion, b: SchemaVersion, cache: CompatibilityCache) -> _Pair:
    assert a.schema is not None and b.schema is not None
    old, new = a.schema.root, b.schema.root
    changes = diff_schemas(old, new)
    # What check.semantic.dangerous_changes(old, new) gives, without diffing a second time.
    dangerous = frozenset(c for c in changes if c.kind in DANGEROUS)
    result = check_parsed(b.schema, [a.schema], _FULL, first_version=a.version, cache=cache)
    blame: list[list[CompatibilityIssue]] = [[] for _ in changes]
    unattributed = []
    paths = [_tokens(c.path) for c in changes]
    for issue in result.issues:
        # An issue's path is in its reader: the newer version for BACKWARD, the older one for
        # FORWARD, followed into the newer one where the change paths are.
        where = issue.path
        if issue.direction is IssueDirection.FORWARD:
            where = translate_path(old, new, where)
        culprits = _culprits(_tokens(where), paths, changes)
        for i in culprits:
            blame[i].append(issue)
        if not culprits:
            unattributed.append(issue)
    units = {}
    for i, change in enumerate(changes):
        if change.kind == "doc-changed":
            unit = _unit_change(change, old, new)
            if unit is not None:
                units[i] = unit
    return _Pair(changes, dangerous, result.issues, blame, unattributed, units)


def _unit_change(change: Change, old: AvroType, new: AvroType) -> tuple[str, str] | None:
    """The units a field's doc change moves between ("millivolts", "volts"), or None: the
    field found at the change's path in ``new``, and by name (or alias) in the record of the
    same full name in ``old``."""
    tokens = _tokens(change.path)
    if len(tokens) < 3 or tokens[-1] != "doc" or tokens[-3] != "fields":
        return None
    record = _node_at(new, tokens[:-3])
    position = tokens[-2]
    if not isinstance(record, Record) or not position.isdigit():
        return None
    if int(position) >= len(record.fields):
        return None
    f = record.fields[int(position)]
    before = next(
        (t for t in _named_types(old) if isinstance(t, Record) and t.fullname == record.fullname),
        None,
    )
    if before is None:
        return None
    previous = before.field_named(f.name) or next(
        (p for p in before.fields if p.name in f.aliases), None
    )
    if previous is None:
        return None
    a, b = field_unit(previous), field_unit(f)
    return (a, b) if a and b and a.lower() != b.lower() else None


def _node_at(root: AvroType, tokens: tuple[str, ...]) -> AvroType | None:
    """The type at a JSON path of the schema (``fields/2/type/items``), or None."""
    node: AvroType = root
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "fields" and isinstance(node, Record) and i + 1 < len(tokens):
            index = tokens[i + 1]
            if not index.isdigit() or int(index) >= len(node.fields):
                return None
            if i + 2 == len(tokens):
                return None  # a field, not a type
            if tokens[i + 2] != "type":
                return None
            node = node.fields[int(index)].type
            i += 3
        elif token == "items" and isinstance(node, Array):
            node, i = node.items, i + 1
        elif token == "values" and isinstance(node, Map):
            node, i = node.values, i + 1
        elif token.isdigit() and isinstance(node, Union) and int(token) < len(node.branches):
            node, i = node.branches[int(token)], i + 1
        else:
            return None
    return node


def _tokens(path: str) -> tuple[str, ...]:
    return tuple(t for t in path.split("/") if t)


def _culprits(
    at: tuple[str, ...], paths: list[tuple[str, ...]], changes: list[Change]
) -> list[int]:
    """The changes an issue at ``at`` (a path in the newer version) is due to: those at the
    same place, or above or below it, the nearest first; changes that never break a level
    only when nothing else is there. Where nothing is, the place one step up is tried (a
    union branch's index may be the writer's), up to the whole schema."""
    while True:
        related = [
            i
            for i, path in enumerate(paths)
            # At the top, only a change of the whole schema: every change is below it.
            if ((path[: len(at)] == at or at[: len(path)] == path) if at else not path)
        ]
        if related:
            acting = [i for i in related if changes[i].kind not in _NEUTRAL] or related
            exact = [i for i in acting if paths[i] == at]
            if exact:
                return exact
            nearest = max(min(len(paths[i]), len(at)) for i in acting)
            return [i for i in acting if min(len(paths[i]), len(at)) == nearest]
        if not at:
            return []
        at = at[:-1]


def _reads_words(reader: int, writer: int, *, reads: bool) -> str:
    verb = "read" if reads else "cannot read"
    return f"v{reader} readers {verb} v{writer} data"


def _level_words(level: CompatibilityLevel, old: int, new: int) -> str:
    if level is _BACKWARD:
        return f"a newer reader, older data: v{new} reads what v{old} wrote"
    if level is _FULL:
        return "both directions, as above"
    return f"an older reader, newer data: v{old} reads what v{new} wrote"


def _levels_note(directions: set[IssueDirection], old: int, new: int) -> str:
    """What one change keeps or breaks, in words, direction named."""
    if not directions:
        return "<span class=ok>✓ keeps BACKWARD, FORWARD and FULL</span>"
    said = []
    for direction in (IssueDirection.BACKWARD, IssueDirection.FORWARD):
        reader, writer = (new, old) if direction is IssueDirection.BACKWARD else (old, new)
        broken = direction in directions
        mark = "<span class=bad>✗ breaks" if broken else "<span class=ok>✓ keeps"
        said.append(
            f"{mark} {direction.value}</span>: {_reads_words(reader, writer, reads=not broken)}"
        )
    said.append("<span class=bad>✗ breaks FULL</span>")
    return "; ".join(said)


def _rules_note(change: Change, dangerous: frozenset[Change]) -> str:
    if change not in dangerous:
        return "<span class=muted>no dangerous-change rule</span>"
    rule = RULES[change.kind]
    return f"triggers <code>{_e(rule.id)}</code> ({_e(rule.severity.value)}): {_e(rule.summary)}"


def _change_item(
    change: Change,
    issues: list[CompatibilityIssue],
    dangerous: frozenset[Change],
    old: int,
    new: int,
    *,
    unit: tuple[str, str] | None = None,
) -> str:
    directions = {i.direction for i in issues if i.direction is not None}
    meaning = ""
    if unit is not None:
        meaning = (
            f'<span class="unit bad">its unit changes from {_e(unit[0])} to {_e(unit[1])}: '
            "the same numbers now mean something else (the wire cannot tell)</span>"
        )
    breaks = " ".join(
        [d.value for d in (IssueDirection.BACKWARD, IssueDirection.FORWARD) if d in directions]
        + (["FULL"] if directions else [])
    )
    rules = change.kind if change in dangerous else ""
    return (
        f'<li class="change" data-kind="{_e(change.kind)}" data-breaks="{breaks}" '
        f'data-rules="{_e(rules)}"><code>{_e(change.kind)}</code> {_e(change.message)}'
        f'<span class="levels">{_levels_note(directions, old, new)}</span>'
        f'<span class="rules">{_rules_note(change, dangerous)}</span>{meaning}</li>'
    )


def _unattributed_item(issues: list[CompatibilityIssue], old: int, new: int) -> str:
    directions = {i.direction for i in issues if i.direction is not None}
    why = "".join(f"<li>{_e(i.message)}</li>" for i in issues)
    return (
        '<li class="change" data-kind="" data-breaks="'
        + " ".join([*sorted(d.value for d in directions), "FULL"])
        + '" data-rules="">Not tied to one change listed here:'
        f'<span class="levels">{_levels_note(directions, old, new)}</span><ul>{why}</ul></li>'
    )


# ---------------------------------------------------------------------------------------------
# Helpers


def _example_figure(kind: str, caption: str, text: str) -> str:
    return (
        f'<figure class="example {kind}"><figcaption>{caption}</figcaption>'
        f"<pre><code>{escape(text.rstrip(), quote=False)}</code></pre></figure>"
    )


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _code(text: str | None) -> str:
    return f"<code>{_e(text)}</code>" if text else ""


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)


def _type_id(t: NamedType) -> str:
    return "type-" + _slug(t.fullname)


def _field_id(record: Record, f: Field) -> str:
    return f"field-{_slug(record.fullname)}-{_slug(f.name)}"


def _named_types(root: AvroType) -> Iterator[NamedType]:
    """Every named type reachable from ``root``, each once, in first-use order."""
    seen: set[int] = set()
    stack: list[AvroType] = [root]
    while stack:
        t = stack.pop()
        if isinstance(t, Union):
            stack.extend(reversed(t.branches))
        elif isinstance(t, Array):
            stack.append(t.items)
        elif isinstance(t, Map):
            stack.append(t.values)
        elif isinstance(t, NamedType):
            if id(t) in seen:
                continue
            seen.add(id(t))
            yield t
            if isinstance(t, Record):
                stack.extend(reversed([f.type for f in t.fields]))


def _field_keys(v: SchemaVersion) -> set[tuple[str, str]]:
    assert v.schema is not None
    return {
        (t.fullname, f.name)
        for t in _named_types(v.schema.root)
        if isinstance(t, Record)
        for f in t.fields
    }


def _type_words(t: AvroType, links: Mapping[str, str] | None = None) -> str:
    """A readable type, as HTML: logical types in words, named types linked (to their anchor
    on this page, or to ``links[full name]``, a shared type's place on its own page)."""
    if isinstance(t, Union):
        branches = [b for b in t.branches if b.type != "null"]
        words = " or ".join(_type_words(b, links) for b in branches)
        return f"{words} or null" if len(branches) < len(t.branches) else words
    if isinstance(t, Array):
        return f"array of {_type_words(t.items, links)}"
    if isinstance(t, Map):
        return f"map of string to {_type_words(t.values, links)}"
    if isinstance(t, NamedType):
        extra = ""
        if isinstance(t, Fixed) and t.logical is not None:
            extra = f" ({_e(_logical_words(t.logical.name, t.logical.precision, t.logical.scale))})"
        shared = links.get(t.fullname) if links else None
        if shared is not None:
            extra += " <span class=muted>(shared)</span>"
        href = shared if shared is not None else f"#{_type_id(t)}"
        return f'{_e(t.type)} <a href="{_e(href)}"><code>{_e(t.name)}</code></a>{extra}'
    if isinstance(t, Primitive) and t.logical is not None:
        words = _logical_words(t.logical.name, t.logical.precision, t.logical.scale)
        return f"{_e(words)} <span class=muted>({_e(t.type)})</span>"
    return _e(_PRIMITIVE_WORDS.get(t.type, t.type))


def _imported(catalog: Catalog, v: SchemaVersion) -> dict[str, tuple[str, str]]:
    """The named types ``v`` has from shared contracts (its references, and theirs), by full
    name: the referenced version's words ("device_header v1") and the link to the type on the
    page of the contract that defines it (its anchored table, when that page shows the type)."""
    shared = [c for c in catalog.ordered() if c.kind is ContractKind.SHARED]
    by_subject = {c.subject: c for c in shared}
    definers = {c.fullname: c for c in shared if c.fullname}
    found: dict[str, tuple[str, str]] = {}
    for ref in v.references:
        owner = by_subject.get(ref.subject)
        if owner is None or not 1 <= ref.version <= len(owner.versions):
            continue
        target = owner.versions[ref.version - 1].schema
        if target is None:
            continue
        for t in _named_types(target.root):
            if t.fullname in found:
                continue
            definer = definers.get(t.fullname, owner)
            page = f"{_slug(definer.name)}.html"
            if t.fullname in _own_types(catalog, definer):
                page += f"#{_type_id(t)}"
            words = f"{definer.name} v{ref.version}" if t.fullname == ref.name else definer.name
            found[t.fullname] = (words, page)
    return found


def _own_types(catalog: Catalog, contract: Contract) -> set[str]:
    """The full names of the named types ``contract``'s page shows as its own: its latest valid
    version's, less those it has from shared contracts."""
    latest = next((v for v in reversed(contract.versions) if v.schema is not None), None)
    if latest is None or latest.schema is None:
        return set()
    names = {t.fullname for t in _named_types(latest.schema.root)}
    return names - set(_imported(catalog, latest))


def _logical_words(name: str, precision: int | None, scale: int | None) -> str:
    if name == "decimal":
        return f"decimal, precision {precision}, scale {scale or 0}"
    return _LOGICAL_WORDS.get(name, name)
