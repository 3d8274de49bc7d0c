"""``contracts check`` as a pure function: a loaded catalog in, findings out.

What it checks, in order:

1. the catalog itself (folders, version numbering) and every schema's validity;
2. each subject's level against its direction (old writers or old readers must be protected);
3. wire compatibility: every version against its predecessors at the subject's level, as the
   registry would have checked it on register, transitive breaks included;
4. the lock: released versions are unchanged, present and numbered as released;
5. dangerous changes the wire accepts (logical types, decimals, renames, string/bytes, lossy
   promotions), between each unreleased version and its predecessor;
6. lint rules for device fleets, on unreleased versions (released ones are history: a finding
   there could not be fixed).

``[rules]`` in catalog.toml may ``disable`` rule ids or ``warn`` (demote them to warnings).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from devicecontracts.catalog import Catalog, Contract, SchemaVersion
from devicecontracts.catalog.lock import content_hash
from devicecontracts.check._jsonpos import locate
from devicecontracts.check.staleness import GeneratedModels, stale_model_findings
from devicecontracts.errors import Location, SchemaError, SchemaJSONError
from devicecontracts.findings import RULES, Finding, Severity, make
from devicecontracts.schema import (
    NO_DEFAULT,
    Enum,
    Fixed,
    NamedType,
    Primitive,
    Record,
    Schema,
    Union,
    describe_type,
    walk,
)
from devicecontracts.schema.compatibility import (
    CompatibilityCache,
    CompatibilityIssue,
    check_parsed,
)
from devicecontracts.schema.diff import diff_schemas, translate_path

__all__ = ["CheckReport", "check_catalog"]

_DANGEROUS = {
    "logical-type-changed",
    "decimal-changed",
    "string-bytes-changed",
    "type-widened-lossy",
    "type-renamed",
    "namespace-changed",
    "field-renamed",
}


@dataclass
class CheckReport:
    """The findings of one check, and what was checked."""

    findings: list[Finding]
    subjects: int = 0
    versions: int = 0
    pending: list[tuple[str, int]] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """Findings that fail the check."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        """True when nothing fails the check."""
        return not self.errors


def check_catalog(catalog: Catalog, *, models: GeneratedModels | None = None) -> CheckReport:
    """Run every check on a loaded catalog; with ``models`` (the generated models' manifest as
    data, see `staleness.read_models`), report stale models too. Reads no file."""
    found: list[Finding] = []
    for problem in catalog.problems:
        # A problem names its contract; a finding names the contract's registry subject.
        owner = catalog.contracts.get(problem.location.subject or "")
        where = replace(problem.location, subject=owner.subject) if owner else problem.location
        found.append(make(problem.rule, problem.message, problem.hint, location=where))
    found += _duplicate_subjects(catalog)
    pending: list[tuple[str, int]] = []
    versions = 0
    for contract in catalog.ordered():
        versions += len(contract.versions)
        found += _level(contract)
        found += _validity(contract)
        found += _wire(contract)
        released = catalog.lock.released(contract.subject)
        for v in contract.versions:
            if v.version not in released:
                pending.append((contract.subject, v.version))
                found += _lint(contract, v)
                found += _dangerous(contract, v)
    found += _lock(catalog)
    if models is not None:
        found += stale_model_findings(catalog, models)
    return CheckReport(
        _configured(_located(found, catalog), catalog), len(catalog.contracts), versions, pending
    )


def _where(contract: Contract, v: SchemaVersion, path: str | None = None) -> Location:
    return Location(file=v.display, subject=contract.subject, version=v.version, path=path)


def _level(contract: Contract) -> Iterator[Finding]:
    direction = contract.direction
    if direction is None or contract.level in direction.minimum_levels:
        return
    wanted = " or ".join(sorted(level.value for level in direction.minimum_levels))
    party = (
        "devices keep writing old versions for years"
        if direction.value == "device-to-cloud"
        else "old firmware keeps reading commands for years"
    )
    yield make(
        "level-below-minimum",
        f"{contract.subject} is {direction.value} at {contract.level.value}, which does not "
        f"protect it: {party}",
        f'set compatibility = "{direction.default_level.value}" for [messages.{contract.name}] '
        f"(allowed: {wanted})",
        location=Location(subject=contract.subject),
    )


def _validity(contract: Contract) -> Iterator[Finding]:
    for v in contract.versions:
        if v.problem is None:
            continue
        problem: SchemaError = v.problem
        rule = "invalid-json" if isinstance(problem, SchemaJSONError) else "invalid-schema"
        hint = (
            "fix the JSON syntax at that line and column"
            if rule == "invalid-json"
            else "fix the schema at that path; the registry would reject it with 42201"
        )
        where = problem.location
        yield make(
            rule,
            problem.message,
            hint,
            location=Location(
                v.display, contract.subject, v.version, where.path, where.line, where.column
            ),
        )


def _wire(contract: Contract) -> Iterator[Finding]:
    """Each version against its predecessors, as register would have checked it."""
    parsed = [v for v in contract.versions if v.schema is not None]
    cache = CompatibilityCache()
    for k, v in enumerate(parsed):
        if k == 0:
            continue
        assert v.schema is not None
        history = [p.schema for p in parsed[:k] if p.schema is not None]
        result = check_parsed(
            v.schema, history, contract.level, first_version=parsed[0].version, cache=cache
        )
        grouped: dict[tuple[str, str, str | None], list[CompatibilityIssue]] = {}
        for issue in result.issues:
            grouped.setdefault((issue.kind, issue.path, issue.direction), []).append(issue)
        # A break that spares the latest version is what latest-only tools miss.
        transitive_only = parsed[k - 1].version not in result.broken_versions
        for issues in grouped.values():
            yield _incompatible(contract, v, parsed, issues, transitive_only)


def _incompatible(
    contract: Contract,
    v: SchemaVersion,
    parsed: list[SchemaVersion],
    issues: list[CompatibilityIssue],
    transitive_only: bool,
) -> Finding:
    first = issues[0]
    broken = sorted({i.previous_version for i in issues if i.previous_version is not None})
    message = first.message
    if len(broken) > 1:
        message += " (also breaks against " + ", ".join(f"v{b}" for b in broken[:-1][::-1]) + ")"
    predecessor = parsed[parsed.index(v) - 1].version
    if transitive_only:
        message += (
            f"; v{predecessor} is fine, so a check against latest only (the Maven plugin, the "
            "Confluent CLI) would pass this and register would then fail"
        )
    by_number = {p.version: p for p in parsed}
    reader = v if first.direction == "BACKWARD" else by_number.get(first.previous_version or 0, v)
    path = first.path
    if reader is not v and reader.schema is not None and v.schema is not None:
        # Java's path is in the reader, here the old version: show the same place in the new
        # file, the one the change is in.
        path = translate_path(reader.schema.root, v.schema.root, first.path)
    return make(
        "incompatible",
        f"{contract.level.value}: {message}",
        _wire_hint(first, reader),
        location=_where(contract, v, path),
        previous_version=first.previous_version,
    )


def _wire_hint(issue: CompatibilityIssue, reader: SchemaVersion) -> str:
    kind = issue.kind
    if kind == "READER_FIELD_MISSING_DEFAULT_VALUE":
        name, typ = _field_at(reader.schema, issue.path)
        if issue.direction == "BACKWARD":
            optional = typ if typ.startswith("[") else f'["null", {typ}]'
            return (
                f"give field {name!r} a default, such as type {optional} with "
                '"default": null, or a default of its type'
            )
        return (
            f"keep field {name!r}: version {issue.previous_version} reads it and has no default "
            "for it (deprecate it instead of removing it)"
        )
    if kind == "TYPE_MISMATCH":
        return "keep the old type; add a new field (with a default) for the new type instead"
    if kind == "MISSING_ENUM_SYMBOLS":
        if issue.direction == "BACKWARD":
            return 'do not remove enum symbols (or give the enum an enum-level "default")'
        return (
            "old readers' enum has no enum-level default, so new symbols break them: add a new "
            'enum field instead; give every enum a "default" from v1 next time'
        )
    if kind == "MISSING_UNION_BRANCH":
        return "keep every union branch the other side may write (add branches, do not remove them)"
    if kind == "NAME_MISMATCH":
        return 'keep the old name, or add the old full name to the type\'s "aliases"'
    if kind == "FIXED_SIZE_MISMATCH":
        return "a fixed size cannot change: add a new field with a new fixed type instead"
    if kind == "AMBIGUOUS_ALIAS":
        return "remove the alias that matches a second field of the old version"
    return "make the change compatible, or introduce a new subject for a breaking change"


def _field_at(schema: Schema | None, path: str) -> tuple[str, str]:
    """Name and JSON type of the field at a path like /fields/2/type/fields/0 in ``schema``."""
    node: Any = schema.root if schema else None
    field_name, type_text = "?", "the field's type"
    for token in [t for t in path.split("/") if t]:
        if isinstance(node, Record) and token.isdigit() and int(token) < len(node.fields):
            f = node.fields[int(token)]
            field_name, type_text = f.name, json.dumps(_short_type(f.type))
            node = f
        elif token == "type" and hasattr(node, "type") and not isinstance(node.type, str):
            node = node.type
        elif token in ("items", "values") and hasattr(node, token):
            node = getattr(node, token)
        elif isinstance(node, Union) and token.isdigit():
            node = node.branches[int(token)]
    return field_name, type_text


def _short_type(t: Any) -> Any:
    if isinstance(t, NamedType):
        return t.fullname
    if isinstance(t, Union):
        return [_short_type(b) for b in t.branches]
    if isinstance(t, Primitive):
        return t.type
    return describe_type(t)


def _duplicate_subjects(catalog: Catalog) -> Iterator[Finding]:
    owners: dict[str, list[Contract]] = {}
    for contract in catalog.ordered():
        owners.setdefault(contract.subject, []).append(contract)
    for subject, contracts in owners.items():
        if len(contracts) > 1:
            names = ", ".join(c.name for c in contracts)
            yield make(
                "catalog-duplicate-subject",
                f"contracts {names} all register under subject {subject}: the registry would "
                "check them as one history",
                "give each its own topic, subject or subject_strategy in catalog.toml",
                location=Location(subject=subject),
            )


def _lock(catalog: Catalog) -> Iterator[Finding]:
    by_subject = {c.subject: c for c in catalog.contracts.values()}
    for subject, released in catalog.lock.subjects.items():
        contract = by_subject.get(subject)
        if contract is None:
            yield make(
                "released-subject-missing",
                f"{subject} has released versions {sorted(released)} but no contract in the "
                "catalog declares it",
                "restore the contract (released subjects are never removed), or fix a changed "
                "topic, subject or strategy in catalog.toml",
                location=Location(file=str(catalog.lock.path), subject=subject),
            )
            continue
        files = {v.version: v for v in contract.versions}
        fingerprints = {e.fingerprint: n for n, e in released.items()}
        for number, entry in sorted(released.items()):
            v = files.get(number)
            if v is None:
                yield make(
                    "released-version-missing",
                    f"released version v{number} of {subject} has no file",
                    f"restore {contract.name}/v{number}.avsc from git: released versions are "
                    "never deleted",
                    location=Location(
                        file=str(contract.folder / f"v{number}.avsc"),
                        subject=subject,
                        version=number,
                    ),
                )
                continue
            if v.schema is None:
                continue  # reported as invalid already
            if v.schema.fingerprint != entry.fingerprint:
                moved = fingerprints.get(v.schema.fingerprint)
                detail = (
                    f"its content is released v{moved}: versions were renumbered"
                    if moved is not None
                    else "its canonical form differs from what was released"
                )
                yield make(
                    "released-version-changed",
                    f"released version v{number} of {subject} was edited: {detail}",
                    f"revert {v.display} (git checkout it) and put the change in a new version "
                    f"v{len(contract.versions) + 1}.avsc",
                    location=_where(contract, v, "/"),
                )
            elif content_hash(v.schema.source) != entry.content:
                yield make(
                    "released-version-changed",
                    f"released version v{number} of {subject} was edited (doc, default, alias, "
                    "order or another attribute): the registry would see a new schema",
                    f"revert {v.display} and put the change in a new version",
                    location=_where(contract, v, "/"),
                )


def _dangerous(contract: Contract, v: SchemaVersion) -> Iterator[Finding]:
    index = contract.versions.index(v)
    if index == 0 or v.schema is None:
        return
    previous = contract.versions[index - 1]
    if previous.schema is None:
        return
    for change in diff_schemas(previous.schema.root, v.schema.root):
        kind = change.kind
        if kind not in _DANGEROUS:
            continue
        yield make(
            kind,
            f"v{previous.version} -> v{v.version}: {change.message}",
            _DANGER_HINTS[kind],
            location=_where(contract, v, change.path),
        )


_DANGER_HINTS = {
    "logical-type-changed": "keep the logical type; add a new field with the new one "
    "(for example ts_us alongside ts)",
    "decimal-changed": "keep precision and scale; add a new decimal field instead",
    "string-bytes-changed": "keep the type; add a new field of the other type",
    "type-widened-lossy": "widen without loss (int to long, float to double) or add a new field",
    "type-renamed": "keep the name; a rename needs a new subject and a migration",
    "namespace-changed": "keep the namespace; a move needs a new subject and a migration",
    "field-renamed": "keep the field name; if the rename is wanted, tell consumers first "
    "(or add [rules] warn/disable in catalog.toml)",
}


def _lint(contract: Contract, v: SchemaVersion) -> Iterator[Finding]:
    schema = v.schema
    if schema is None:
        return
    root = schema.root
    if isinstance(root, NamedType) and not root.namespace:
        yield make(
            "missing-namespace",
            f"{root.fullname} has no namespace",
            'add "namespace", such as "com.example.fleet"',
            location=_where(contract, v, root.path or "/"),
        )
    for t in schema.named.values():
        yield from _lint_named(contract, v, t)
    for node in walk(root):
        if (
            isinstance(node, (Primitive, Fixed))
            and "logicalType" in node.props
            and not node.logical
        ):
            yield make(
                "invalid-logical-type",
                f"logicalType {json.dumps(node.props['logicalType'])} is unknown or does not fit "
                f"{describe_type(node)}: Avro ignores it, so readers see a plain {node.type}",
                "use a logical type the Avro specification defines on its base type "
                "(e.g. timestamp-millis on long; decimal needs precision and a scale <= precision)",
                location=_where(contract, v, node.path or "/"),
            )


def _lint_named(
    contract: Contract, v: SchemaVersion, t: Record | Enum | Fixed
) -> Iterable[Finding]:
    if not t.doc:
        yield make(
            "missing-doc",
            f"{t.type} {t.fullname} has no doc",
            'add "doc": a sentence saying what it is',
            location=_where(contract, v, t.path or "/"),
        )
    if isinstance(t, Enum) and t.default is None:
        yield make(
            "enum-without-default",
            f"enum {t.fullname} has no enum-level default",
            f'add "default": "{_fallback_symbol(t)}" so readers can read symbols added later',
            location=_where(contract, v, t.path or "/"),
        )
    if not isinstance(t, Record):
        return
    yield from _alias_collisions(contract, v, t)
    for f in t.fields:
        if not f.doc:
            yield make(
                "missing-doc",
                f"field {f.name!r} of {t.fullname} has no doc",
                'add "doc": a sentence saying what the field holds, with its unit',
                location=_where(contract, v, f.path),
            )
        ft = f.type
        if isinstance(ft, Union) and _badly_optional(ft, f.default):
            inner = [_short_type(b) for b in ft.branches if b.type != "null"]
            shown = json.dumps(["null", *inner])
            yield make(
                "optional-field-shape",
                f'optional field {f.name!r} of {t.fullname} is not ["null", T] with default null',
                f'declare it as "type": {shown}, "default": null',
                location=_where(contract, v, f.path),
            )
        if isinstance(ft, Enum) and f.default is not NO_DEFAULT and f.default not in ft.symbols:
            yield make(
                "enum-field-default-not-symbol",
                f"the default {json.dumps(f.default)} of field {f.name!r} is not a symbol of "
                f"{ft.fullname}",
                f"use one of {list(ft.symbols)}",
                location=_where(contract, v, f.path + "/default"),
            )


def _alias_collisions(contract: Contract, v: SchemaVersion, t: Record) -> Iterator[Finding]:
    """Aliases that can make two fields read the same writer field.

    Java's checker accepts it; fastavro gives each writer field to one reader field only, so the
    runtime would fail on data the registry called compatible.
    """
    claimed: dict[str, str] = {f.name: f.name for f in t.fields}
    for f in t.fields:
        for alias in f.aliases:
            owner = claimed.get(alias)
            if owner is not None and owner != f.name:
                yield make(
                    "field-alias-collision",
                    f"alias {alias!r} of field {f.name!r} in {t.fullname} is already "
                    f"{'the name' if alias == owner else 'an alias'} of field {owner!r}",
                    f"remove {alias!r} from the aliases of {f.name!r}",
                    location=_where(contract, v, f.path + "/aliases"),
                )
            claimed.setdefault(alias, f.name)


def _badly_optional(union: Union, default: Any) -> bool:
    """A union with null that is not ``["null", ...]`` with ``"default": null``."""
    has_null = any(b.type == "null" for b in union.branches)
    return has_null and (union.branches[0].type != "null" or default is not None)


def _fallback_symbol(t: Enum) -> str:
    return "UNKNOWN" if "UNKNOWN" in t.symbols else t.symbols[0] if t.symbols else "UNKNOWN"


def _located(found: list[Finding], catalog: Catalog) -> list[Finding]:
    """Fill in line and column from the file text for findings with a schema path."""
    texts = {v.display: v.text for v in catalog.versions()}
    out: list[Finding] = []
    for f in found:
        position = (
            locate(texts[f.file], f.path) if f.line is None and f.path and f.file in texts else None
        )
        located = replace(f.location, line=position[0], column=position[1]) if position else None
        out.append(replace(f, location=located) if located else f)
    return out


def _configured(found: list[Finding], catalog: Catalog) -> list[Finding]:
    disabled = set(catalog.rules.get("disable", []))
    warned = set(catalog.rules.get("warn", []))
    out = [
        f.with_severity(Severity.WARNING) if f.rule in warned else f
        for f in found
        if f.rule not in disabled
    ]
    return sorted(
        out, key=lambda f: (f.subject or "", f.version or 0, RULES.get(f.rule) is None, f.rule)
    )
