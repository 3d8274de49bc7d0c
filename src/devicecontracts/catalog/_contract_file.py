"""``<contract>/contract.toml``: a contract's data contract, beside its version files.

Why a sidecar per contract rather than tables in ``catalog.toml``: the rules sit next to the
schemas they constrain, a contract's owner can own its folder (CODEOWNERS), a review of a new
version shows schema and rules together, and ``catalog.toml`` stays a short index. Field tags
are written inline in the ``.avsc`` files (``"confluent:tags": ["PII"]``), as Confluent does::

    owner = "fleet-platform"                 # metadata property "owner" of every version
    compatibility_group = "major_version"    # optional: the subject's compatibilityGroup
    sensitive = ["oncall"]                   # names of sensitive properties

    [properties]                             # more metadata properties of every version
    oncall = "fleet-oncall@example.com"

    [tags]                                   # metadata tags by field path (besides inline ones)
    "Telemetry.location" = ["GEO"]

    [reserved]                               # field name = the first version reserving it
    rssi_dbm = 3

    [versions.3]                             # per version: its major, more properties
    major = 2                                # the group's property (major_version = "2") is
                                             # set from the first declared major on

    [[rules]]                                # domain rules, run on write and/or read
    name = "battery_mv_in_range"
    type = "CEL_FIELD"                       # CEL or CEL_FIELD
    mode = "WRITEREAD"                       # WRITE, READ or WRITEREAD
    expr = "name == 'battery_mv' && typeName != 'NULL' ; value >= 2500 && value <= 4500"
    # (cel-python cannot compare an int with null, so the guard tests the union branch instead)
    on_failure = "DLQ"
    params = { "dlq.topic" = "fleet.telemetry.dlq" }
    from_version = 2                         # the versions carrying it: from_version..until_version
    examples = { pass = [3300], fail = [2499] }

    [[migrations]]                           # JSONata migrations on the first version of a major
    name = "uptime_seconds_to_millis"
    version = 3
    mode = "UPGRADE"                         # UPGRADE, DOWNGRADE or UPDOWN
    expr = '$merge([$sift($, function($v, $k) {$k != "uptime_s"}), {"uptime_ms": uptime_s * 1000}])'

    [subject_config]                         # optional: more of the subject's config
    default_metadata = { properties = { tier = "gold" } }
    override_rule_set = { domain_rules = [ { name = "...", ... } ] }

    [deprecated.versions.1]                  # a version writers should stop sending
    since = 2026-03-01                       # the date it was deprecated
    sunset = 2027-06-30                      # the last day it may still be sent
    reason = "firmware < 2.0 is end of life"

    [deprecated.fields."header.firmware_version"]   # a field path (dots through records)
    since = 3                                # the first version marking it deprecated: a
    sunset = 2027-12-31                      # version number, which must carry the field
    reason = "read firmware from the device registry instead"

Deprecation is the catalog's alone: it is not part of a version's registry metadata (released
versions are immutable, and deprecating one must not change what the lock recorded).
``contracts check`` gates the sunsets against the census (``devicecontracts.check.deprecation``),
the generated models carry a version's deprecation (``AVRO_DEPRECATED``) and the serializer
warns once per process when it writes a deprecated version.

`read_contract_file` reads and type-checks it (a missing file declares nothing); anything
malformed raises `CatalogError` naming the file and line. What the values mean (enum values,
unique names, expressions that parse, tags and reserved names against the schemas) is checked by
``devicecontracts.check.datacontracts``, with the file and line kept here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from devicecontracts.catalog._toml import read_toml
from devicecontracts.datacontracts import RESERVED_PROPERTY, Metadata, Rule, RuleSet
from devicecontracts.errors import CatalogError, Location

__all__ = [
    "CONTRACT_FILE",
    "ContractFile",
    "DeclaredRule",
    "Deprecation",
    "SubjectConfig",
    "read_contract_file",
]

CONTRACT_FILE = "contract.toml"

_TOP_KEYS = {
    "owner",
    "compatibility_group",
    "sensitive",
    "properties",
    "tags",
    "reserved",
    "versions",
    "rules",
    "migrations",
    "subject_config",
    "deprecated",
}
_DEPRECATION_KEYS = {"since", "sunset", "reason"}
_RULE_KEYS = {
    "name",
    "doc",
    "kind",
    "mode",
    "type",
    "expr",
    "params",
    "tags",
    "on_success",
    "on_failure",
    "disabled",
}
_DOMAIN_KEYS = _RULE_KEYS | {"from_version", "until_version", "examples"}
_MIGRATION_KEYS = _RULE_KEYS | {"version"}
_VERSION_KEYS = {"major", "properties"}
_CONFIG_KEYS = {
    "default_metadata",
    "override_metadata",
    "default_rule_set",
    "override_rule_set",
}
_METADATA_KEYS = {"properties", "tags", "sensitive"}
_RULE_SET_KEYS = {"domain_rules", "migration_rules", "encoding_rules", "enable_at"}
_HEADER = re.compile(r"^\s*\[(\[)?\s*([^\]]+?)\s*\]", re.MULTILINE)


@dataclass(frozen=True)
class DeclaredRule:
    """A rule as the contract file declares it: the registry's `Rule`, where it is (``line``),
    the versions carrying it, and its examples (kept here, never sent to the registry).

    A domain rule is carried by versions ``from_version`` to ``until_version`` (None: every
    later one); a migration rule by ``from_version`` alone, the first version of a major."""

    rule: Rule
    line: int | None
    from_version: int = 1
    until_version: int | None = None
    migration: bool = False
    examples_pass: tuple[Any, ...] = ()
    examples_fail: tuple[Any, ...] = ()
    examples_line: int | None = None

    def carried_by(self, version: int) -> bool:
        """Whether version ``version`` carries this rule."""
        if self.migration:
            return version == self.from_version
        return self.from_version <= version and (
            self.until_version is None or version <= self.until_version
        )


@dataclass(frozen=True)
class SubjectConfig:
    """The subject config a contract declares beyond its level: the registry's
    ``defaultMetadata``/``overrideMetadata`` and ``defaultRuleSet``/``overrideRuleSet``."""

    default_metadata: Metadata | None = None
    override_metadata: Metadata | None = None
    default_rule_set: RuleSet | None = None
    override_rule_set: RuleSet | None = None
    line: int | None = None


@dataclass(frozen=True)
class Deprecation:
    """A deprecated version or field: ``since`` (a version's: the date it was deprecated; a
    field's: the first version marking it deprecated), ``sunset`` (the last day it may still
    be sent), ``reason``, and the line of its table."""

    since: dt.date | int
    sunset: dt.date
    reason: str
    line: int | None = None

    def describe(self) -> str:
        """``deprecated since 2026-03-01, sunset 2027-06-30: firmware < 2.0 is end of life``
        (``since v3`` for a field)."""
        since = f"v{self.since}" if isinstance(self.since, int) else self.since.isoformat()
        return f"deprecated since {since}, sunset {self.sunset.isoformat()}: {self.reason}"


@dataclass(frozen=True)
class ContractFile:
    """A contract's ``contract.toml``, read and type-checked (see the module docstring)."""

    file: str
    owner: str | None = None
    compatibility_group: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)
    sensitive: tuple[str, ...] = ()
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reserved: Mapping[str, int] = field(default_factory=dict)
    majors: Mapping[int, int] = field(default_factory=dict)
    version_properties: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    rules: tuple[DeclaredRule, ...] = ()
    migrations: tuple[DeclaredRule, ...] = ()
    subject_config: SubjectConfig | None = None
    deprecated_versions: Mapping[int, Deprecation] = field(default_factory=dict)
    """``[deprecated.versions.<n>]``, by version."""
    deprecated_fields: Mapping[str, Deprecation] = field(default_factory=dict)
    """``[deprecated.fields."<path>"]``, by field path."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """Lines of what findings point at: ``owner``, ``compatibility_group``, ``sensitive``,
    ``properties``, ``tags``, ``reserved``, ``reserved.<name>``, ``versions.<n>``,
    ``subject_config``."""

    def line_of(self, key: str) -> int | None:
        """The line of ``key`` (see `lines`), or None."""
        return self.lines.get(key)

    def location(
        self,
        subject: str,
        key: str | None = None,
        *,
        line: int | None = None,
        version: int | None = None,
    ) -> Location:
        """Where ``key`` (or ``line``) of this file is, for a finding about ``subject``."""
        return Location(
            file=self.file,
            subject=subject,
            version=version,
            line=line if line is not None else (self.lines.get(key) if key else None),
        )

    def major(self, version: int) -> int:
        """The major of ``version``: the last major declared at or before it (1 when none)."""
        found = 1
        for v in sorted(self.majors):
            if v <= version:
                found = self.majors[v]
        return found

    def metadata(self, version: int) -> Metadata:
        """The metadata version ``version`` is registered with."""
        props: dict[str, str] = dict(self.properties)
        if self.owner is not None:
            props["owner"] = self.owner
        props.update(self.version_properties.get(version, {}))
        if self.compatibility_group and self.majors and version >= min(self.majors):
            # From the first declared major on: versions before it keep the metadata they were
            # registered with (no group property, which the registry groups together), so
            # adopting a group for a deliberate break leaves released versions as they are.
            props[self.compatibility_group] = str(self.major(version))
        reserved = sorted(n for n, since in self.reserved.items() if since <= version)
        if reserved:
            props[RESERVED_PROPERTY] = ",".join(reserved)
        return Metadata(
            properties=MappingProxyType(dict(sorted(props.items()))),
            tags=MappingProxyType(dict(self.tags)),
            sensitive=tuple(sorted(self.sensitive)),
        )

    def rule_set(self, version: int) -> RuleSet:
        """The rule set version ``version`` is registered with."""
        return RuleSet(
            domain_rules=tuple(r.rule for r in self.rules if r.carried_by(version)),
            migration_rules=tuple(r.rule for r in self.migrations if r.carried_by(version)),
        )


def read_contract_file(folder: Path, display: str) -> ContractFile | None:
    """``folder/contract.toml`` read and type-checked, or None when there is none. ``display``
    is the file's path as messages show it."""
    path = folder / CONTRACT_FILE
    if not path.is_file():
        return None
    text, data = read_toml(path, display)
    return _Reader(display, text).read(data)


class _Reader:
    def __init__(self, display: str, text: str) -> None:
        self.display = display
        self.lines = text.splitlines()
        self.headers: list[tuple[int, bool, str]] = []  # (line, array, name)
        for number, raw in enumerate(self.lines, start=1):
            match = _HEADER.match(raw)
            if match and not raw.lstrip().startswith("#"):
                self.headers.append((number, bool(match[1]), match[2].replace('"', "")))

    # -- positions -------------------------------------------------------------------------
    def _header_line(self, name: str, index: int = 0, *, array: bool = False) -> int | None:
        seen = 0
        for number, is_array, header in self.headers:
            if header == name and is_array == array:
                if seen == index:
                    return number
                seen += 1
        return None

    def _key_line(self, key: str, section: int | None = None) -> int | None:
        """The line of ``key = ...`` in the block after header line ``section`` (the top of the
        file when None), or None."""
        start = section or 0
        end = len(self.lines)
        for number, _, _ in self.headers:
            if number > start:
                end = number - 1
                break
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
        for number in range(start + 1, end + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return section

    def _fail(self, message: str, line: int | None) -> CatalogError:
        return CatalogError(message, Location(file=self.display, line=line))

    # -- reading ---------------------------------------------------------------------------
    def read(self, data: dict[str, Any]) -> ContractFile:
        self._unknown(data, _TOP_KEYS, "the file", None)
        lines: dict[str, int] = {}
        for key in ("owner", "compatibility_group", "sensitive"):
            line = self._key_line(key)
            if key in data and line is not None:
                lines[key] = line
        owner = self._text(data, "owner", lines.get("owner"))
        group = self._text(data, "compatibility_group", lines.get("compatibility_group"))
        sensitive = self._texts(data.get("sensitive", []), "sensitive", lines.get("sensitive"))
        properties = self._properties(data.get("properties", {}), "properties")
        properties_line = self._header_line("properties")
        if properties_line is not None:
            lines["properties"] = properties_line
        tags_line = self._header_line("tags")
        if tags_line is not None:
            lines["tags"] = tags_line
        tags = self._tags(data.get("tags", {}), "tags", tags_line)
        reserved = self._reserved(data.get("reserved", {}), lines)
        majors, version_properties = self._versions(data.get("versions", {}), lines)
        rules = self._rules(data.get("rules", []), "rules", migration=False)
        migrations = self._rules(data.get("migrations", []), "migrations", migration=True)
        config = self._subject_config(data.get("subject_config"), lines)
        dep_versions, dep_fields = self._deprecated(data.get("deprecated", {}))
        return ContractFile(
            file=self.display,
            owner=owner,
            compatibility_group=group,
            properties=properties,
            sensitive=sensitive,
            tags=tags,
            reserved=reserved,
            majors=majors,
            version_properties=version_properties,
            rules=rules,
            migrations=migrations,
            subject_config=config,
            deprecated_versions=dep_versions,
            deprecated_fields=dep_fields,
            lines=lines,
        )

    def _unknown(
        self, table: Mapping[str, Any], known: set[str], where: str, line: int | None
    ) -> None:
        extra = sorted(set(table) - known)
        if extra:
            raise self._fail(
                f"unknown key {extra[0]!r} in {where}; expected one of: {', '.join(sorted(known))}",
                self._key_line(extra[0], line) if line is not None or where == "the file" else line,
            )

    def _text(self, table: Mapping[str, Any], key: str, line: int | None) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self._fail(f"{key} must be a non-empty string", line)
        return value

    def _texts(self, value: Any, where: str, line: int | None) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self._fail(f"{where} must be a list of non-empty strings", line)
        return tuple(value)

    def _properties(self, value: Any, where: str, line: int | None = None) -> Mapping[str, str]:
        if line is None:
            line = self._header_line(where)
        if not isinstance(value, dict):
            raise self._fail(f"{where} must be a table of string values", line)
        for key, item in value.items():
            if not isinstance(item, str):
                raise self._fail(
                    f"{where}.{key} must be a string (metadata properties are strings)",
                    self._key_line(key, line) if line else line,
                )
        return MappingProxyType(dict(value))

    def _tags(self, value: Any, where: str, line: int | None) -> Mapping[str, tuple[str, ...]]:
        if not isinstance(value, dict):
            raise self._fail(f"{where} must be a table of field path = [tags]", line)
        out: dict[str, tuple[str, ...]] = {}
        for path, tags in value.items():
            out[path] = self._texts(
                tags, f"{where}.{path}", self._key_line(path, line) if line else line
            )
        return MappingProxyType(out)

    def _reserved(self, value: Any, lines: dict[str, int]) -> Mapping[str, int]:
        line = self._header_line("reserved")
        if not isinstance(value, dict):
            raise self._fail("reserved must be a table of field name = first version", line)
        if line is not None:
            lines["reserved"] = line
        out: dict[str, int] = {}
        for name, since in value.items():
            key_line = self._key_line(name, line) if line else line
            if key_line is not None:
                lines[f"reserved.{name}"] = key_line
            if not _is_version(since):
                raise self._fail(
                    f"reserved.{name} must be a version number (the first version reserving it)",
                    key_line,
                )
            out[name] = since
        return MappingProxyType(out)

    def _versions(
        self, value: Any, lines: dict[str, int]
    ) -> tuple[Mapping[int, int], Mapping[int, Mapping[str, str]]]:
        if not isinstance(value, dict):
            raise self._fail("versions must hold one [versions.<n>] table per version", None)
        majors: dict[int, int] = {}
        props: dict[int, Mapping[str, str]] = {}
        for key, table in value.items():
            line = self._header_line(f"versions.{key}")
            if line is None:  # only [versions.N.properties] written
                line = self._header_line(f"versions.{key}.properties")
            if not (key.isdigit() and int(key) >= 1):
                raise self._fail(f"[versions.{key}]: the key must be a version number", line)
            number = int(key)
            if line is not None:
                lines[f"versions.{number}"] = line
            if not isinstance(table, dict):
                raise self._fail(f"versions.{key} must be a table", line)
            self._unknown(table, _VERSION_KEYS, f"[versions.{key}]", line)
            if "major" in table:
                if not _is_version(table["major"]):
                    raise self._fail(
                        f"versions.{key}.major must be a whole number from 1",
                        self._key_line("major", line) if line else line,
                    )
                majors[number] = table["major"]
            if "properties" in table:
                props[number] = self._properties(
                    table["properties"], f"versions.{key}.properties", line
                )
        return MappingProxyType(majors), MappingProxyType(props)

    def _rules(self, value: Any, where: str, *, migration: bool) -> tuple[DeclaredRule, ...]:
        if not isinstance(value, list):
            raise self._fail(f"{where} must be an array of tables ([[{where}]])", None)
        return tuple(
            self._rule(item, where, index, migration=migration) for index, item in enumerate(value)
        )

    def _rule(self, table: Any, where: str, index: int, *, migration: bool) -> DeclaredRule:
        line = self._header_line(where, index, array=True)
        label = f"[[{where}]] entry {index + 1}"
        if not isinstance(table, dict):
            raise self._fail(f"{label} must be a table", line)
        self._unknown(table, _MIGRATION_KEYS if migration else _DOMAIN_KEYS, label, line)
        rule = self._registry_rule(table, label, line, migration=migration)

        def key_line(key: str) -> int | None:
            return self._key_line(key, line) if line else line

        if migration:
            if not _is_version(table.get("version")):
                raise self._fail(
                    f"{label}: version must name the version that starts the major "
                    "(its migration rules bridge from the version before it)",
                    key_line("version") if "version" in table else line,
                )
            return DeclaredRule(rule, line, from_version=table["version"], migration=True)
        since = table.get("from_version", 1)
        until = table.get("until_version")
        if not _is_version(since) or (until is not None and not _is_version(until)):
            raise self._fail(
                f"{label}: from_version and until_version must be version numbers", line
            )
        examples = table.get("examples", {})
        if not isinstance(examples, dict) or set(examples) - {"pass", "fail"}:
            raise self._fail(
                f"{label}: examples must be a table with pass = [...] and fail = [...]",
                key_line("examples"),
            )
        for key in ("pass", "fail"):
            if not isinstance(examples.get(key, []), list):
                raise self._fail(f"{label}: examples.{key} must be a list", key_line("examples"))
        return DeclaredRule(
            rule,
            line,
            from_version=since,
            until_version=until,
            examples_pass=tuple(examples.get("pass", [])),
            examples_fail=tuple(examples.get("fail", [])),
            examples_line=key_line("examples") if "examples" in table else None,
        )

    def _registry_rule(
        self, table: Mapping[str, Any], label: str, line: int | None, *, migration: bool
    ) -> Rule:
        def key_line(key: str) -> int | None:
            return self._key_line(key, line) if line else line

        for key in ("name", "mode", "expr") + (() if migration else ("type",)):
            value = table.get(key)
            if not isinstance(value, str) or not value.strip():
                raise self._fail(
                    f"{label}: {key} must be a non-empty string",
                    key_line(key) if key in table else line,
                )
        for key in ("doc", "kind", "type", "on_success", "on_failure"):
            if key in table and not isinstance(table[key], str):
                raise self._fail(f"{label}: {key} must be a string", key_line(key))
        if "disabled" in table and not isinstance(table["disabled"], bool):
            raise self._fail(f"{label}: disabled must be true or false", key_line("disabled"))
        params = self._properties(table.get("params", {}), f"{label} params", line)
        tags = self._texts(table.get("tags", []), f"{label} tags", key_line("tags"))
        return Rule(
            name=table["name"],
            kind=table.get("kind", "TRANSFORM" if migration else "CONDITION"),
            mode=table["mode"],
            type=table.get("type", "JSONATA" if migration else ""),
            expr=table["expr"],
            doc=table.get("doc"),
            tags=tags,
            params=params,
            on_success=table.get("on_success"),
            on_failure=table.get("on_failure"),
            disabled=table.get("disabled", False),
        )

    def _deprecated(
        self, value: Any
    ) -> tuple[Mapping[int, Deprecation], Mapping[str, Deprecation]]:
        line = self._header_line("deprecated")
        if not isinstance(value, dict):
            raise self._fail(
                "deprecated must hold [deprecated.versions.<n>] and "
                '[deprecated.fields."<field path>"] tables',
                line,
            )
        extra = sorted(set(value) - {"versions", "fields"})
        if extra:
            raise self._fail(
                f"unknown key {extra[0]!r} in [deprecated]; expected one of: fields, versions",
                self._header_line(f"deprecated.{extra[0]}") or self._key_line(extra[0], line),
            )
        versions: dict[int, Deprecation] = {}
        fields: dict[str, Deprecation] = {}
        for group in ("versions", "fields"):
            tables = value.get(group, {})
            if not isinstance(tables, dict):
                raise self._fail(
                    f"deprecated.{group} must hold one table per "
                    + (
                        "version: [deprecated.versions.<n>]"
                        if group == "versions"
                        else 'field path: [deprecated.fields."<path>"]'
                    ),
                    self._header_line(f"deprecated.{group}") or line,
                )
            for key, table in tables.items():
                where = self._header_line(f"deprecated.{group}.{key}")
                if where is None:  # written inline: versions = { 1 = {...} }
                    where = self._header_line(f"deprecated.{group}") or line
                label = (
                    f"[deprecated.{group}.{key}]"
                    if group == "versions"
                    else (f'[deprecated.fields."{key}"]')
                )
                if group == "versions":
                    if not (key.isdigit() and int(key) >= 1):
                        raise self._fail(f"{label}: the key must be a version number", where)
                    versions[int(key)] = self._deprecation(table, label, where, field=False)
                else:
                    names = key.split(".")
                    if not all(names):
                        raise self._fail(
                            f"{label}: the key must be a field path, field names joined by "
                            'dots (such as "header.firmware_version")',
                            where,
                        )
                    fields[key] = self._deprecation(table, label, where, field=True)
        return MappingProxyType(versions), MappingProxyType(fields)

    def _deprecation(self, table: Any, label: str, line: int | None, *, field: bool) -> Deprecation:
        if not isinstance(table, dict):
            raise self._fail(f"{label} must be a table with since, sunset and reason", line)
        self._unknown(table, _DEPRECATION_KEYS, label, line)

        def key_line(key: str) -> int | None:
            return self._key_line(key, line) if line and key in table else line

        since: Any = table.get("since")
        if field:
            if not _is_version(since):
                raise self._fail(
                    f"{label}: since must be a version number (the first version marking the "
                    "field deprecated), such as since = 3",
                    key_line("since"),
                )
        elif type(since) is not dt.date:
            raise self._fail(
                f"{label}: since must be a date (when the version was deprecated), such as "
                "since = 2026-03-01",
                key_line("since"),
            )
        sunset = table.get("sunset")
        if type(sunset) is not dt.date:
            raise self._fail(
                f"{label}: sunset must be a date (the last day it may still be sent), such as "
                "sunset = 2027-06-30",
                key_line("sunset"),
            )
        if isinstance(since, dt.date) and sunset < since:
            raise self._fail(
                f"{label}: sunset {sunset.isoformat()} is before since {since.isoformat()}",
                key_line("sunset"),
            )
        reason = table.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise self._fail(
                f"{label}: reason must be a non-empty string (why, and what to use instead)",
                key_line("reason"),
            )
        return Deprecation(since=since, sunset=sunset, reason=reason.strip(), line=line)

    def _subject_config(self, value: Any, lines: dict[str, int]) -> SubjectConfig | None:
        if value is None:
            return None
        line = self._header_line("subject_config")
        if line is not None:
            lines["subject_config"] = line
        if not isinstance(value, dict):
            raise self._fail("subject_config must be a table", line)
        self._unknown(value, _CONFIG_KEYS, "[subject_config]", line)
        return SubjectConfig(
            default_metadata=self._metadata(
                value.get("default_metadata"), "default_metadata", line
            ),
            override_metadata=self._metadata(
                value.get("override_metadata"), "override_metadata", line
            ),
            default_rule_set=self._rule_set(
                value.get("default_rule_set"), "default_rule_set", line
            ),
            override_rule_set=self._rule_set(
                value.get("override_rule_set"), "override_rule_set", line
            ),
            line=line,
        )

    def _metadata(self, value: Any, key: str, line: int | None) -> Metadata | None:
        if value is None:
            return None
        where = f"subject_config.{key}"
        if not isinstance(value, dict):
            raise self._fail(f"{where} must be a table", line)
        self._unknown(value, _METADATA_KEYS, where, line)
        return Metadata(
            properties=self._properties(value.get("properties", {}), f"{where}.properties", line),
            tags=self._tags(value.get("tags", {}), f"{where}.tags", line),
            sensitive=tuple(
                sorted(self._texts(value.get("sensitive", []), f"{where}.sensitive", line))
            ),
        )

    def _rule_set(self, value: Any, key: str, line: int | None) -> RuleSet | None:
        if value is None:
            return None
        where = f"subject_config.{key}"
        if not isinstance(value, dict):
            raise self._fail(f"{where} must be a table", line)
        self._unknown(value, _RULE_SET_KEYS, where, line)
        groups: dict[str, tuple[Rule, ...]] = {}
        for group in ("domain_rules", "migration_rules", "encoding_rules"):
            items = value.get(group, [])
            if not isinstance(items, list):
                raise self._fail(f"{where}.{group} must be a list of rule tables", line)
            rules = []
            for index, item in enumerate(items):
                label = f"{where}.{group} entry {index + 1}"
                if not isinstance(item, dict):
                    raise self._fail(f"{label} must be a table", line)
                self._unknown(item, _RULE_KEYS, label, line)
                rules.append(
                    self._registry_rule(item, label, line, migration=group == "migration_rules")
                )
            groups[group] = tuple(rules)
        enable_at = value.get("enable_at")
        if enable_at is not None and not isinstance(enable_at, str):
            raise self._fail(f"{where}.enable_at must be a string", line)
        return RuleSet(enable_at=enable_at, **groups)


def _is_version(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1
