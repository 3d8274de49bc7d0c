"""Data contracts: what ``contract.toml`` declares, and inline field tags, checked statically.

Rule category ``datacontract``. ``devicecontracts.catalog`` reads and type-checks each
contract's ``contract.toml`` (a malformed one is a `CatalogError`); this module checks what the
values mean, each finding pointing at the file and line:

* versions the file names exist, majors never decrease and need a compatibility group, a new
  major carries migration rules both ways (or a waiver), migrations sit on a major's first
  version;
* rules: valid and unique names, Confluent's kinds, modes, types and actions, a ``dlq.topic``
  for DLQ actions, CEL and JSONata that parse (on the ``rules`` extra: one finding when it is
  missing);
* tags and reserved names against the versions carrying them: ``[tags]`` paths and rule tags
  that exist, CEL_FIELD guards (``name == 'x'``) naming a primitive field, reserved names no
  version reuses, sensitive properties that exist; inline ``confluent:tags`` well-formed;
* each domain condition's examples, evaluated with the rule on every version carrying it: a
  pass example must hold and a fail example must fail. A CEL_FIELD example is a field value,
  evaluated as that field of a message; a CEL example is a table of the message's fields.

Static and fast: a catalog without ``contract.toml`` and without inline tags costs one
substring test per version file. Nothing here generates data (``contracts test`` does).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from devicecontracts.catalog import Catalog, Contract, SchemaVersion
from devicecontracts.catalog._contract_file import ContractFile, DeclaredRule
from devicecontracts.datacontracts import (
    ACTIONS,
    DOMAIN_MODES,
    ENABLE_AT,
    KINDS,
    MIGRATION_MODES,
    RESERVED_PROPERTY,
    RULE_NAME_MAX,
    Metadata,
    Rule,
    RuleSet,
    rule_name_problem,
)
from devicecontracts.datacontracts._guard import read_guard
from devicecontracts.errors import Location
from devicecontracts.findings import Finding, make
from devicecontracts.schema import AvroType, Field, Record, Union
from devicecontracts.schema.canonical import walk

__all__ = ["data_contract_findings"]

_INLINE_TAGS = "confluent:tags"
_TOPIC = re.compile(r"[A-Za-z0-9._-]{1,249}")
_PRIMITIVES = frozenset({"boolean", "int", "long", "float", "double", "bytes", "string"})
_DOMAIN_TYPES = ("CEL", "CEL_FIELD")
_MIGRATION_TYPES = ("JSONATA",)
_INT_RANGE = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_INSTALL_HINT = "install the rules extra: pip install 'devicecontracts[rules]'"


def data_contract_findings(catalog: Catalog) -> Iterator[Finding]:
    """Every data-contract finding of the catalog: each contract's ``contract.toml`` against
    its versions, and inline field tags. The rules extra is imported only when a rule needs
    it, and a missing extra is one finding for the whole catalog.

    cel-python and jsonata-python raise the interpreter's recursion limit when first used
    (to 2,500 and 10,000); a check leaves it as it found it."""
    limit = sys.getrecursionlimit()
    try:
        yield from _findings(catalog)
    finally:
        sys.setrecursionlimit(limit)


def _findings(catalog: Catalog) -> Iterator[Finding]:
    extra = _Extra()
    for contract in catalog.ordered():
        yield from _inline_tags(contract)
        if contract.data is not None:
            yield from _Scope(contract, contract.data, extra).findings()
    if extra.missing is not None:
        yield make(
            "rules-extra-missing",
            f"the catalog declares rules, but {extra.missing}: their expressions and examples "
            "were not checked",
            _INSTALL_HINT,
            location=Location(file=extra.file),
        )


class _Extra:
    """Whether the rules extra is installed, asked once, when a rule first needs it (without
    importing it: only evaluating an expression does)."""

    def __init__(self) -> None:
        self.checked = False
        self.missing: str | None = None
        self.file: str | None = None

    def available(self, file: str) -> bool:
        if not self.checked:
            self.checked = True
            absent = [
                name
                for module, name in (("celpy", "cel-python"), ("jsonata", "jsonata-python"))
                if importlib.util.find_spec(module) is None
            ]
            if absent:
                self.missing = " and ".join(absent) + (" is" if len(absent) == 1 else " are")
                self.missing += " not installed"
                self.file = file
        return self.missing is None


# -- inline tags ---------------------------------------------------------------------------


def _inline_tags(contract: Contract) -> Iterator[Finding]:
    for v in contract.versions:
        if v.schema is None or _INLINE_TAGS not in v.text:
            continue
        own = set(v.schema.references)
        for record, field in _fields(v):
            if record.fullname in own:
                continue
            tags = field.props.get(_INLINE_TAGS)
            if tags is None or (
                isinstance(tags, list) and all(isinstance(t, str) and t.strip() for t in tags)
            ):
                continue
            yield make(
                "tag-invalid",
                f'{record.name}.{field.name}: "{_INLINE_TAGS}" is {tags!r}, not a list of '
                "non-empty strings",
                f'write the field\'s tags as a list of names, such as "{_INLINE_TAGS}": ["PII"]',
                location=contract.location(v, f"{field.path}/{_INLINE_TAGS}"),
            )


# -- the schema side ------------------------------------------------------------------------


def _fields(v: SchemaVersion) -> list[tuple[Record, Field]]:
    """Every field of every record reachable from the version's top node."""
    if v.schema is None:
        return []
    return [(n, f) for n in walk(v.schema.root) if isinstance(n, Record) for f in n.fields]


def _primitive(node: AvroType) -> bool:
    """Whether CEL_FIELD sees the field's values: a primitive, or a union with one."""
    if isinstance(node, Union):
        return any(b.type in _PRIMITIVES for b in node.branches)
    return node.type in _PRIMITIVES


def _accepts(node: AvroType, value: Any) -> bool:
    """Whether generic ``value`` is a value of ``node`` (as TOML can write one)."""
    if isinstance(node, Union):
        return any(_accepts(b, value) for b in node.branches)
    kind = node.type
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in _INT_RANGE:
        low, high = _INT_RANGE[kind]
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if kind in ("float", "double"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "bytes":
        return isinstance(value, bytes)
    return False


def _shown_type(node: AvroType) -> str:
    if isinstance(node, Union):
        return "[" + ", ".join(b.type for b in node.branches) + "]"
    return node.type


@dataclass
class _Version:
    """What the checks need of one parsed version, gathered once."""

    version: SchemaVersion
    fields: list[tuple[Record, Field]]
    metadata: Metadata
    _tags: dict[tuple[int, str], frozenset[str]] | None = None

    def tags_of(self, record: Record, field: Field) -> frozenset[str]:
        from devicecontracts.datacontracts._eval import field_tags

        if self._tags is None:
            self._tags = {}
        key = (id(record), field.name)
        found = self._tags.get(key)
        if found is None:
            found = self._tags[key] = field_tags(record, field.name, self.metadata)
        return found

    def all_tags(self) -> set[str]:
        return {t for record, field in self.fields for t in self.tags_of(record, field)}

    def top_fields(self) -> list[Field]:
        root = self.version.schema.root if self.version.schema else None
        return list(root.fields) if isinstance(root, Record) else []


# -- one contract ---------------------------------------------------------------------------


class _Scope:
    def __init__(self, contract: Contract, data: ContractFile, extra: _Extra) -> None:
        self.contract = contract
        self.data = data
        self.extra = extra
        self.subject = contract.subject
        self.numbers = [v.version for v in contract.versions]
        self.known = set(self.numbers)
        self._parsed: dict[int, _Version | None] = {}

    # -- plumbing ----------------------------------------------------------------------------
    def at(self, line: int | None, version: int | None = None) -> Location:
        return self.data.location(self.subject, line=line, version=version)

    def parsed(self, number: int) -> _Version | None:
        if number not in self._parsed:
            v = next((x for x in self.contract.versions if x.version == number), None)
            self._parsed[number] = (
                _Version(v, _fields(v), self.data.metadata(number))
                if v is not None and v.schema is not None
                else None
            )
        return self._parsed[number]

    def carrying(self, declared: DeclaredRule) -> list[_Version]:
        found = (self.parsed(n) for n in self.numbers if declared.carried_by(n))
        return [p for p in found if p is not None]

    def findings(self) -> Iterator[Finding]:
        yield from self.versions_named()
        yield from self.majors()
        yield from self.reserved()
        yield from self.sensitive()
        yield from self.tag_paths()
        yield from self.rules()

    # -- versions and majors -----------------------------------------------------------------
    def unknown_version(self, what: str, number: int, line: int | None) -> Finding:
        have = f"v1..v{max(self.numbers)}" if self.numbers else "no versions"
        return make(
            "contract-version-unknown",
            f"{what} names version {number}, but {self.subject} has {have}",
            f"name an existing version, or add v{number}.avsc first",
            location=self.at(line),
        )

    def versions_named(self) -> Iterator[Finding]:
        data = self.data
        declared = sorted(set(data.majors) | set(data.version_properties))
        for number in declared:
            if number not in self.known:
                yield self.unknown_version(
                    f"[versions.{number}]", number, data.line_of(f"versions.{number}")
                )
        for name, since in data.reserved.items():
            if since not in self.known:
                yield self.unknown_version(
                    f"reserved.{name}", since, data.line_of(f"reserved.{name}")
                )
        for declared_rule in data.rules:
            rule = declared_rule.rule
            named: tuple[tuple[str, int | None], ...] = (
                ("from_version", declared_rule.from_version),
                ("until_version", declared_rule.until_version),
            )
            for what, bound in named:
                if bound is not None and bound not in self.known:
                    yield self.unknown_version(
                        f"rule {rule.name!r} {what}", bound, declared_rule.line
                    )
            until = declared_rule.until_version
            if until is not None and until < declared_rule.from_version:
                yield make(
                    "contract-version-unknown",
                    f"rule {rule.name!r}: until_version {until} is before from_version "
                    f"{declared_rule.from_version}, so no version carries it",
                    "set until_version to the last version carrying the rule, at or after "
                    "from_version",
                    location=self.at(declared_rule.line),
                )
        for migration in data.migrations:
            if migration.from_version not in self.known:
                yield self.unknown_version(
                    f"migration {migration.rule.name!r}", migration.from_version, migration.line
                )

    def majors(self) -> Iterator[Finding]:
        data = self.data
        group = data.compatibility_group
        if data.majors and not group:
            first = min(data.majors)
            yield make(
                "major-without-group",
                f"[versions.{first}] declares major = {data.majors[first]}, but contract.toml "
                "sets no compatibility_group: the registry would check every version against "
                "every earlier one, across majors",
                'set compatibility_group = "major_version" at the top of contract.toml (or '
                "remove the major)",
                location=self.at(data.line_of(f"versions.{first}"), first),
            )
        starts: set[int] = set()
        if group:
            for previous, number in zip(self.numbers, self.numbers[1:], strict=False):
                before, now = data.major(previous), data.major(number)
                line = data.line_of(f"versions.{number}")
                if now < before:
                    yield make(
                        "major-decreases",
                        f"v{number} is in major {now}, below v{previous}'s major {before}: "
                        "majors never decrease",
                        f"give v{number} major {before} or higher in [versions.{number}]",
                        location=self.at(line, number),
                        previous_version=previous,
                    )
                elif now > before:
                    starts.add(number)
                    yield from self.bridge(number, previous, before, now, line)
        for migration in data.migrations:
            number = migration.from_version
            if number in self.known and number not in starts:
                reason = (
                    "the contract sets no compatibility_group, so there are no majors"
                    if not group
                    else f"v{number} does not start a major (it is in major "
                    f"{data.major(number)}, as the version before it)"
                )
                yield make(
                    "migration-not-at-major",
                    f"migration {migration.rule.name!r} is on v{number}, but {reason}: clients "
                    "run migration rules only between majors",
                    "put it on the first version of a new major ([versions.N] major, with "
                    "compatibility_group set), or remove it",
                    location=self.at(migration.line, number),
                )

    def bridge(
        self, number: int, previous: int, before: int, now: int, line: int | None
    ) -> Iterator[Finding]:
        modes = {m.rule.mode for m in self.data.migrations if m.from_version == number}
        up = bool(modes & {"UPGRADE", "UPDOWN"})
        down = bool(modes & {"DOWNGRADE", "UPDOWN"})
        if up and down:
            return
        missing = " and ".join(
            name for name, have in (("UPGRADE", up), ("DOWNGRADE", down)) if not have
        )
        yield make(
            "major-without-migration",
            f"v{number} starts major {now} (a deliberate break from v{previous}, major {before}) "
            f"without {missing} migration rules: readers of one major cannot read the other's "
            "data",
            f'add [[migrations]] with version = {number} and mode = "UPGRADE" and '
            '"DOWNGRADE" (or one "UPDOWN"), or waive [major-without-migration] for '
            f"{self.subject} v{number} in waivers.toml",
            location=self.at(line, number),
            previous_version=previous,
        )

    # -- reserved names, sensitive properties, tag paths -------------------------------------
    def reserved(self) -> Iterator[Finding]:
        data = self.data
        places = [("[properties]", data.properties, data.line_of("properties"))] + [
            (f"[versions.{n}] properties", props, data.line_of(f"versions.{n}"))
            for n, props in sorted(data.version_properties.items())
        ]
        for where, props, line in places:
            if RESERVED_PROPERTY in props:
                yield make(
                    "reserved-in-properties",
                    f'{where} sets "{RESERVED_PROPERTY}" directly: a version could drop a name '
                    "an earlier version reserved",
                    "list reserved names in [reserved] instead (name = first version reserving "
                    "it): a name once reserved stays reserved in every later version",
                    location=self.at(line),
                )
        for name, since in sorted(data.reserved.items()):
            for number in self.numbers:
                parsed = self.parsed(number) if number >= since else None
                if parsed is None:
                    continue
                if any(f.name == name for f in parsed.top_fields()):
                    yield make(
                        "reserved-field-reused",
                        f"v{number} has a field {name!r}, reserved since v{since}",
                        f"rename the field in v{number}.avsc: reserved names are never reused "
                        "(the registry refuses the version when validateFields is on)",
                        location=self.at(data.line_of(f"reserved.{name}"), number),
                    )
                    break

    def sensitive(self) -> Iterator[Finding]:
        data = self.data
        if not data.sensitive:
            return
        names: set[str] = set()
        for number in self.numbers:
            names |= set(data.metadata(number).properties)
        for name in data.sensitive:
            if name not in names:
                yield make(
                    "contract-sensitive-unknown",
                    f"sensitive names property {name!r}, which no version's metadata has",
                    f"add {name} to [properties] (or a version's properties), or remove it "
                    "from sensitive",
                    location=self.at(data.line_of("sensitive")),
                )

    def tag_paths(self) -> Iterator[Finding]:
        data = self.data
        if not data.tags:
            return
        import fnmatch

        versions = [p for p in map(self.parsed, self.numbers) if p is not None]
        for pattern in data.tags:
            glob = pattern.replace("**", "*")
            if any(
                fnmatch.fnmatchcase(f"{r.fullname}.{f.name}", glob)
                or fnmatch.fnmatchcase(f"{r.name}.{f.name}", glob)
                for p in versions
                for r, f in p.fields
            ):
                continue
            yield make(
                "tag-unknown-field",
                f"[tags] path {pattern!r} matches no field of any version of {self.subject}",
                "write the path as Record.field (or the record's full name), with * or ** "
                "wildcards, of a field that exists",
                location=self.at(data.line_of("tags")),
            )

    # -- rules -------------------------------------------------------------------------------
    def rules(self) -> Iterator[Finding]:
        data = self.data
        seen: dict[str, int | None] = {}
        for declared in (*data.rules, *data.migrations):
            rule = declared.rule
            if rule.name in seen:
                yield self.duplicate(rule, declared.line, seen[rule.name])
            else:
                seen[rule.name] = declared.line
            yield from self.values(rule, declared.line, migration=declared.migration)
            if not self.runnable(rule, migration=declared.migration):
                continue
            syntax = self.syntax(rule, declared.line)
            if syntax is not None:
                yield syntax
                continue
            if not declared.migration:
                yield from self.rule_fields(declared)
                if self.extra.available(data.file):
                    yield from self.examples(declared)
        config = data.subject_config
        if config is not None:
            for name, rule_set in (
                ("default_rule_set", config.default_rule_set),
                ("override_rule_set", config.override_rule_set),
            ):
                if rule_set is not None:
                    yield from self.config_rules(name, rule_set, config.line)

    def config_rules(self, name: str, rule_set: RuleSet, line: int | None) -> Iterator[Finding]:
        if rule_set.enable_at is not None and rule_set.enable_at not in ENABLE_AT:
            yield make(
                "rule-invalid-value",
                f"[subject_config] {name}.enable_at is {rule_set.enable_at!r}",
                f"use one of {', '.join(ENABLE_AT)}",
                location=self.at(line),
            )
        seen: dict[str, int | None] = {}
        groups = (
            (rule_set.domain_rules, False),
            (rule_set.migration_rules, True),
            (rule_set.encoding_rules, False),
        )
        for rules, migration in groups:
            for rule in rules:
                if rule.name in seen:
                    yield self.duplicate(rule, line, line, where=f"[subject_config] {name}")
                seen[rule.name] = line
                yield from self.values(rule, line, migration=migration)
                if self.runnable(rule, migration=migration):
                    syntax = self.syntax(rule, line)
                    if syntax is not None:
                        yield syntax

    def duplicate(
        self, rule: Rule, line: int | None, first: int | None, where: str | None = None
    ) -> Finding:
        at = f" (first at line {first})" if first is not None and first != line else ""
        return make(
            "rule-duplicate-name",
            f"{where or self.subject}: two rules are named {rule.name!r}{at}",
            "give each rule of a subject its own name (a revised rule gets a new name, with "
            "until_version on the old one)",
            location=self.at(line),
        )

    def values(self, rule: Rule, line: int | None, *, migration: bool) -> Iterator[Finding]:
        where = self.at(line)
        label = f"{'migration' if migration else 'rule'} {rule.name!r}"
        problem = rule_name_problem(rule.name)
        if problem is not None:
            yield make(
                "rule-invalid-name",
                f"{label}: the registry refuses this name ({problem})",
                "start with a letter or _, then letters, digits, _ or -; at most "
                f"{RULE_NAME_MAX} characters",
                location=where,
            )
        modes = MIGRATION_MODES if migration else DOMAIN_MODES
        types = _MIGRATION_TYPES if migration else _DOMAIN_TYPES
        if rule.kind not in KINDS:
            yield _invalid(label, "kind", rule.kind, KINDS, where)
        elif migration and rule.kind != "TRANSFORM":
            yield _invalid(label, "kind", rule.kind, ("TRANSFORM",), where)
        if rule.mode not in modes:
            moved = ""
            if rule.mode in MIGRATION_MODES and not migration:
                moved = "; UPGRADE, DOWNGRADE and UPDOWN are for [[migrations]]"
            elif rule.mode in DOMAIN_MODES and migration:
                moved = "; WRITE, READ and WRITEREAD are for domain rules ([[rules]])"
            yield _invalid(label, "mode", rule.mode, modes, where, more=moved)
        if rule.type not in types:
            yield make(
                "rule-unsupported-type",
                f"{label}: type {rule.type!r} is not supported by devicecontracts for "
                f"{'migrations' if migration else 'domain rules'}: it checks and runs "
                f"{' and '.join(types)} only",
                f"use type {' or '.join(types)}; a rule for another executor (ENCRYPT, ...) "
                "cannot be checked or run here (demote this rule in [rules] warn to accept it)",
                location=where,
            )
        dlq = False
        for key, spec in (("on_success", rule.on_success), ("on_failure", rule.on_failure)):
            if spec is None:
                continue
            parts = [p.strip() for p in spec.split(",")]
            both = rule.mode in ("WRITEREAD", "UPDOWN")
            if len(parts) > 2 or (len(parts) == 2 and not both):
                yield make(
                    "rule-invalid-value",
                    f"{label}: {key} = {spec!r} gives {len(parts)} actions",
                    "give one action; two comma-separated actions (the first for "
                    "WRITE/UPGRADE, the second for READ/DOWNGRADE) only with mode WRITEREAD or "
                    "UPDOWN",
                    location=where,
                )
            for part in parts:
                if part not in ACTIONS:
                    yield _invalid(label, key, part or spec, ACTIONS, where)
                dlq = dlq or part == "DLQ"
        if dlq:
            topic = rule.params.get("dlq.topic")
            valid = topic is not None and _TOPIC.fullmatch(topic) and topic not in (".", "..")
            if not valid:
                problem = (
                    "names no dlq.topic in params"
                    if topic is None
                    else f"has dlq.topic {topic!r}, not a valid Kafka topic name"
                )
                yield make(
                    "rule-dlq-topic",
                    f"{label}: a DLQ action {problem}",
                    'add params = { "dlq.topic" = "<topic>" } (letters, digits, ., _ and -; at '
                    "most 249 characters)",
                    location=where,
                )

    @staticmethod
    def runnable(rule: Rule, *, migration: bool) -> bool:
        """Whether the rule's kind and type are ones whose expression can be evaluated."""
        if migration:
            return rule.kind == "TRANSFORM" and rule.type in _MIGRATION_TYPES
        return rule.kind in KINDS and rule.type in _DOMAIN_TYPES

    def syntax(self, rule: Rule, line: int | None) -> Finding | None:
        if not self.extra.available(self.data.file):
            return None
        from devicecontracts.datacontracts._eval import cel_syntax_error, jsonata_syntax_error

        expr = rule.expr or ""
        why = jsonata_syntax_error(expr) if rule.type == "JSONATA" else cel_syntax_error(expr)
        if why is None:
            return None
        language = "JSONata" if rule.type == "JSONATA" else "CEL"
        why = why.removeprefix(f"not valid {language}: ")
        return make(
            "rule-syntax-error",
            f"rule {rule.name!r}: expr is not valid {language}: {why}",
            f"fix the {language} expression"
            + (" (a CEL rule may be 'guard ; condition')" if language == "CEL" else ""),
            location=self.at(line),
        )

    def rule_fields(self, declared: DeclaredRule) -> Iterator[Finding]:
        """A rule's tags and a CEL_FIELD guard's field names, on each version carrying it."""
        rule = declared.rule
        versions = self.carrying(declared)
        for tag in rule.tags:
            lacking = [p.version.version for p in versions if tag not in p.all_tags()]
            if lacking:
                yield make(
                    "tag-unknown",
                    f"rule {rule.name!r} runs on fields tagged {tag!r}, but no field of "
                    f"{_versions(lacking)} carries it: the rule never runs there",
                    f'tag the fields inline ("{_INLINE_TAGS}") or in [tags], fix the tag name, '
                    "or start the rule (from_version) where the tag exists",
                    location=self.at(declared.line, lacking[0]),
                )
        if rule.type != "CEL_FIELD":
            return
        for name in _guard_names(rule.expr or ""):
            lacking = []
            for p in versions:
                types = [f.type for _, f in p.fields if f.name == name]
                if not any(_primitive(t) for t in types):
                    lacking.append(p.version.version)
            if lacking:
                yield make(
                    "rule-unknown-field",
                    f"the guard of rule {rule.name!r} names field {name!r}, which is not a "
                    f"primitive field of {_versions(lacking)}: the rule never runs there",
                    "name a field of primitive type (CEL_FIELD sees primitive values only), or "
                    "start the rule (from_version) at the version that adds the field",
                    location=self.at(declared.line, lacking[0]),
                )

    # -- examples ----------------------------------------------------------------------------
    def examples(self, declared: DeclaredRule) -> Iterator[Finding]:
        rule = declared.rule
        if rule.kind != "CONDITION":
            return
        line = declared.examples_line or declared.line
        missing = [
            kind
            for kind, examples in (
                ("pass", declared.examples_pass),
                ("fail", declared.examples_fail),
            )
            if not examples
        ]
        if missing:
            yield make(
                "rule-without-examples",
                f"rule {rule.name!r} has no {' and no '.join(missing)} examples: nothing shows "
                + (
                    "it accepts good data or refuses bad"
                    if len(missing) == 2
                    else "it accepts good data"
                    if missing == ["pass"]
                    else "it refuses bad data"
                ),
                "add examples = { pass = [...], fail = [...] }: values that must hold and must "
                "fail (for CEL_FIELD a field value, for CEL a table of the message's fields)",
                location=self.at(declared.line),
            )
        if not declared.examples_pass and not declared.examples_fail:
            return
        cases = [(e, True) for e in declared.examples_pass] + [
            (e, False) for e in declared.examples_fail
        ]
        versions = self.carrying(declared)
        for index, (example, should_hold) in enumerate(cases):
            for p in versions:
                why = self.example_problem(rule, p, example, should_hold=should_hold)
                if why is not None:
                    kind = "pass" if should_hold else "fail"
                    position = index + 1 if should_hold else index + 1 - len(declared.examples_pass)
                    yield make(
                        "rule-example-failed",
                        f"rule {rule.name!r}: {kind} example {position} ({example!r}) {why} "
                        f"on v{p.version.version}",
                        _example_hint(why),
                        location=self.at(line, p.version.version),
                    )
                    break

    def example_problem(
        self, rule: Rule, p: _Version, example: Any, *, should_hold: bool
    ) -> str | None:
        from devicecontracts.datacontracts._eval import condition_failure

        schema = p.version.schema
        assert schema is not None
        if rule.type == "CEL":
            if not isinstance(example, Mapping):
                return "is not a table of the message's fields (a CEL example is a message)"
            why = condition_failure(rule, schema.root, dict(example), p.metadata)
            return _verdict(why, should_hold)
        targets = self.targets(rule, p)
        if not targets:
            return None  # rule-unknown-field or tag-unknown says why
        fitting = [(r, f) for r, f in targets if _accepts(f.type, example)]
        if not fitting:
            shown = ", ".join(f"{f.name}: {_shown_type(f.type)}" for _, f in targets[:3])
            return f"is not a value of the fields the rule applies to ({shown})"
        verdicts = [
            condition_failure(rule, record, {field.name: example}, p.metadata)
            for record, field in fitting
        ]
        if should_hold:
            return next((_verdict(w, True) for w in verdicts if w is not None), None)
        if all(w is None for w in verdicts):
            return _verdict(None, False)
        return None

    def targets(self, rule: Rule, p: _Version) -> list[tuple[Record, Field]]:
        """The primitive fields a CEL_FIELD rule's examples stand for: the fields its guard
        names (when it names any) that carry one of its tags (when it has any)."""
        fields = [(r, f) for r, f in p.fields if _primitive(f.type)]
        names = _guard_names(rule.expr or "")
        if names:
            fields = [(r, f) for r, f in fields if f.name in names]
        if rule.tags:
            wanted = set(rule.tags)
            fields = [(r, f) for r, f in fields if wanted & p.tags_of(r, f)]
        return fields


def _example_hint(why: str) -> str:
    hint = "fix the rule's expression, or the example if it is the one that is wrong"
    if "NoneType" in why:
        # cel-python has no heterogeneous equality: 3000 != null does not evaluate.
        hint += (
            "; CEL cannot compare a number or string with null here: guard a nullable field "
            "with typeName != 'NULL' (name == 'f' && typeName != 'NULL' ; ...)"
        )
    return hint


def _verdict(why: str | None, should_hold: bool) -> str | None:
    if should_hold:
        return None if why is None else f"fails: {why}"
    return "holds, but a fail example must fail" if why is None else None


def _guard_names(expr: str) -> tuple[str, ...]:
    """The field names a CEL_FIELD guard picks (a top-level ``name == 'x'`` conjunct, as
    `read_guard` reads it): in the guard of ``guard ; body``, or the whole expression without
    one; none when the guard is not read (``||``, a comment, an escaped string)."""
    guard, sep, _ = expr.partition(";")
    return read_guard(guard if sep else expr).names()


def _versions(numbers: Sequence[int]) -> str:
    return ", ".join(f"v{n}" for n in numbers)


def _invalid(
    label: str, key: str, value: str, allowed: Sequence[str], where: Location, *, more: str = ""
) -> Finding:
    return make(
        "rule-invalid-value",
        f"{label}: {key} is {value!r}{more}",
        f"use one of {', '.join(allowed)}",
        location=where,
    )
