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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from devicecontracts.catalog import Catalog, Contract, SchemaVersion
from devicecontracts.errors import CatalogError, Location
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
from devicecontracts.schema.compatibility import CompatibilityLevel, check_parsed
from devicecontracts.schema.diff import Change, diff_schemas

from ._templates import CSS, DIFF_JS, SEARCH_JS, page

__all__ = ["MANIFEST", "build_site"]

MANIFEST = ".contracts-docs"
"""The file in the out folder listing what the last build wrote (one relative path a line)."""

_PAIR_LEVELS = (CompatibilityLevel.BACKWARD, CompatibilityLevel.FORWARD, CompatibilityLevel.FULL)

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
_UNIT_WORDS = (
    "millivolts|volts|milliamperes|amperes|milliseconds|microseconds|nanoseconds|seconds|"
    "minutes|hours|days|millimetres|metres|meters|kilometres|degrees Celsius|degrees|"
    "percent|watt-hours|kilowatt-hours|watts|kilowatts|hertz|bytes|kilobytes|dBm|hectopascals"
)
_UNIT_RE = re.compile(rf"\b(?:in|as|of)\s+(?:whole\s+)?({_UNIT_WORDS})\b", re.IGNORECASE)


def build_site(
    catalog: Catalog,
    out: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write ``catalog``'s site into ``out`` and return the files written, sorted.

    ``progress(done, total)`` is called after each contract page. Raises `CatalogError` when
    ``out`` is a file, or a non-empty folder this function did not write.
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
        rendered = _ContractPage(catalog, contract)
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
    def __init__(self, catalog: Catalog, contract: Contract) -> None:
        self.catalog = catalog
        self.c = contract
        self.parsed = [v for v in contract.versions if v.schema is not None]
        self.present = {v.version: _field_keys(v) for v in self.parsed}

    def html(self) -> str:
        c = self.c
        parts = [f"<h1>{_e(c.name)}</h1>\n"]
        if c.description:
            parts.append(f"<p>{_e(c.description)}</p>\n")
        parts.append(self._facts())
        parts.append(self._data_contract())
        parts.append(self._ids())
        parts.append(self._timeline())
        parts.append(self._fields())
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
            items.append(
                f'<li><a href="#diff-v{v.version}">v{v.version}</a> '
                f"<span class=muted>({_e(', '.join(notes))})</span></li>"
            )
        return (
            '<section aria-labelledby="timeline-h"><h2 id="timeline-h">Versions</h2>'
            f'<ol id="timeline">{"".join(items)}</ol></section>\n'
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
            out.append(self._record_table(root, "fields", latest.version))
        else:
            out.append(f"<p>Type: {_type_words(root)}</p>")
        nested = [t for t in named if t is not root]
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
            rows.append(
                f'<tr id="{_field_id(record, f)}"><th scope=row><code>{_e(f.name)}</code></th>'
                f"<td>{_type_words(f.type)}</td><td>{default}</td><td>{_e(doc)}</td>"
                f"<td>{_e(_unit(f))}</td><td>v{added}</td></tr>"
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

    def _added(self, record: str, name: str, latest: int) -> int:
        """The first version from which every version up to ``latest`` has the field."""
        since = latest
        for v in reversed(self.parsed):
            if (record, name) not in self.present[v.version]:
                break
            since = v.version
        return since

    # -- evolution

    def _diffs(self) -> str:
        out = ['<section id="diff" aria-labelledby="diff-h"><h2 id="diff-h">Changes</h2>']
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
        changes: list[Change] = diff_schemas(a.schema.root, b.schema.root)
        items = (
            "".join(f"<li><code>{_e(ch.kind)}</code> {_e(ch.message)}</li>" for ch in changes)
            or "<li>No changes.</li>"
        )
        verdicts = []
        for level in _PAIR_LEVELS:
            result = check_parsed(b.schema, [a.schema], level, first_version=a.version)
            mark = (
                "<span class=ok>keeps</span>"
                if result.compatible
                else "<span class=bad>breaks</span>"
            )
            why = "".join(f"<li>{_e(i.message)}</li>" for i in result.issues)
            verdicts.append(
                f"<li>{_e(level.value)}: {mark}" + (f"<ul>{why}</ul>" if why else "") + "</li>"
            )
        crossing = self._major_break(a.version, b.version)
        return (
            head + f"<ul>{items}</ul><p>Levels:</p><ul>{''.join(verdicts)}</ul>{crossing}</section>"
        )

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
        parts = [
            f'<svg id="matrix" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="matrix-title" width="{size + 10}" height="{size + 10}" '
            f'viewBox="0 0 {size + 10} {size + 10}">'
            '<title id="matrix-title">Which version reads data written by which: rows are '
            "readers, columns writers; green reads, red does not</title>",
            f'<text x="{pad}" y="14">writer →</text>',
            f'<text x="4" y="{pad - 4}">reader ↓</text>',
        ]
        for i, v in enumerate(vs):
            x = pad + i * cell
            parts.append(f'<text x="{x + 8}" y="{pad - 8}">v{v.version}</text>')
            parts.append(f'<text x="{pad - 30}" y="{x + 22}">v{v.version}</text>')
        for r, reader in enumerate(vs):
            for w, writer in enumerate(vs):
                assert reader.schema is not None and writer.schema is not None
                ok = check_parsed(reader.schema, [writer.schema], CompatibilityLevel.BACKWARD)
                verdict = "reads" if ok.compatible else "cannot read"
                parts.append(
                    f'<rect class="{"ok" if ok.compatible else "bad"}" x="{pad + w * cell + 2}" '
                    f'y="{pad + r * cell + 2}" width="{cell - 4}" height="{cell - 4}">'
                    f"<title>v{reader.version} {verdict} data written by v{writer.version}"
                    "</title></rect>"
                )
        parts.append("</svg>")
        return (
            '<section aria-labelledby="matrix-h"><h2 id="matrix-h">Compatibility matrix</h2>'
            + "".join(parts)
            + "</section>\n"
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
                if isinstance(t, Record):
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
# Helpers


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


def _type_words(t: AvroType) -> str:
    """A readable type, as HTML: logical types in words, named types linked."""
    if isinstance(t, Union):
        branches = [b for b in t.branches if b.type != "null"]
        words = " or ".join(_type_words(b) for b in branches)
        return f"{words} or null" if len(branches) < len(t.branches) else words
    if isinstance(t, Array):
        return f"array of {_type_words(t.items)}"
    if isinstance(t, Map):
        return f"map of string to {_type_words(t.values)}"
    if isinstance(t, NamedType):
        extra = ""
        if isinstance(t, Fixed) and t.logical is not None:
            extra = f" ({_e(_logical_words(t.logical.name, t.logical.precision, t.logical.scale))})"
        return f'{_e(t.type)} <a href="#{_type_id(t)}"><code>{_e(t.name)}</code></a>{extra}'
    if isinstance(t, Primitive) and t.logical is not None:
        words = _logical_words(t.logical.name, t.logical.precision, t.logical.scale)
        return f"{_e(words)} <span class=muted>({_e(t.type)})</span>"
    return _e(_PRIMITIVE_WORDS.get(t.type, t.type))


def _logical_words(name: str, precision: int | None, scale: int | None) -> str:
    if name == "decimal":
        return f"decimal, precision {precision}, scale {scale or 0}"
    return _LOGICAL_WORDS.get(name, name)


def _unit(f: Field) -> str:
    """The unit a field's ``unit`` property or doc gives ("in millivolts"), or ""."""
    declared = f.props.get("unit")
    if isinstance(declared, str):
        return declared
    found = _UNIT_RE.search(f.doc or "")
    return found.group(1) if found else ""
