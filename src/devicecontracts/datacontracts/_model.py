"""Confluent's data-contract entities as plain, immutable data: `Rule`, `RuleSet`, `Metadata`.

The names and value sets are Schema Registry's REST entities (``Rule``, ``RuleSet``,
``Metadata``); `to_registry` writes the JSON the registry takes and returns (camelCase keys,
absent members left out) and `from_registry` reads it back, so a catalog's declaration and a
registry's answer compare as equal data. Standard library only: the runtime, the core and the
registry shell share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from devicecontracts._avro import java_letter

__all__ = [
    "ACTIONS",
    "DOMAIN_MODES",
    "EMPTY_METADATA",
    "EMPTY_RULE_SET",
    "ENABLE_AT",
    "KINDS",
    "MIGRATION_MODES",
    "MODES",
    "RESERVED_PROPERTY",
    "Metadata",
    "Rule",
    "RuleSet",
    "metadata_from_registry",
    "RULE_NAME_MAX",
    "rule_name_problem",
    "rule_set_from_registry",
]

KINDS = ("CONDITION", "TRANSFORM")
DOMAIN_MODES = ("WRITE", "READ", "WRITEREAD")
MIGRATION_MODES = ("UPGRADE", "DOWNGRADE", "UPDOWN")
MODES = DOMAIN_MODES + MIGRATION_MODES
ACTIONS = ("NONE", "ERROR", "DLQ")
"""Built-in rule actions. Registry rules may name other (custom) actions; the catalog accepts
these, as a client without custom executors can run no other."""
ENABLE_AT = ("ALL", "CLIENT", "GATEWAY", "SERVER", "NONE")
RESERVED_PROPERTY = "confluent:reserved"
"""The metadata property listing a subject's reserved field names, comma-separated."""

RULE_NAME_MAX = 64
"""The longest rule name the registry takes (``Rule.NAME_MAX_LENGTH``), in UTF-16 units."""

_EMPTY: Mapping[str, str] = MappingProxyType({})


def rule_name_problem(name: object) -> str | None:
    """Why Schema Registry refuses rule name ``name`` (its ``Rule.validate``, which answers
    42210 with these words), or None for a good one: a letter or ``_`` first, then letters,
    digits, ``_`` or ``-``, letters and digits as Java's ``Character`` sees them, at most
    `RULE_NAME_MAX` UTF-16 units."""
    if name is None:
        return "Missing rule name"
    if not isinstance(name, str) or not name:
        return "Empty rule name"
    if len(name.encode("utf-16-le")) // 2 > RULE_NAME_MAX:
        return "Rule name too long"
    if not (java_letter(name[0]) or name[0] == "_"):
        return f"Illegal initial character in rule name: {name}"
    for c in name[1:]:
        if not (java_letter(c) or (c.isdecimal() and ord(c) <= 0xFFFF) or c in "_-"):
            return f"Illegal character in rule name: {name}"
    return None


@dataclass(frozen=True)
class Rule:
    """One rule of a rule set, as Schema Registry stores it."""

    name: str
    kind: str
    mode: str
    type: str
    expr: str | None = None
    doc: str | None = None
    tags: tuple[str, ...] = ()
    params: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    on_success: str | None = None
    on_failure: str | None = None
    disabled: bool = False

    def to_registry(self) -> dict[str, Any]:
        """The rule as the registry's JSON: camelCase keys; unset members left out."""
        out: dict[str, Any] = {"name": self.name}
        if self.doc is not None:
            out["doc"] = self.doc
        out["kind"] = self.kind
        out["mode"] = self.mode
        out["type"] = self.type
        if self.tags:
            out["tags"] = list(self.tags)
        if self.params:
            out["params"] = dict(sorted(self.params.items()))
        if self.expr is not None:
            out["expr"] = self.expr
        if self.on_success is not None:
            out["onSuccess"] = self.on_success
        if self.on_failure is not None:
            out["onFailure"] = self.on_failure
        if self.disabled:
            out["disabled"] = True
        return out

    def action(self, mode: str, *, success: bool) -> str:
        """The action this rule takes in ``mode`` (WRITE, READ, UPGRADE or DOWNGRADE) on success
        or failure. A WRITEREAD or UPDOWN rule may give two comma-separated actions, the first
        for WRITE/UPGRADE and the second for READ/DOWNGRADE. The default is NONE on success and
        ERROR on failure."""
        spec = self.on_success if success else self.on_failure
        if not spec:
            return "NONE" if success else "ERROR"
        parts = [p.strip() for p in spec.split(",")]
        if len(parts) == 2:
            return parts[0] if mode in ("WRITE", "UPGRADE") else parts[1]
        return parts[0]


@dataclass(frozen=True)
class RuleSet:
    """A version's rules: domain rules (conditions and transforms on data), migration rules
    (between majors) and encoding rules, in the order they run."""

    domain_rules: tuple[Rule, ...] = ()
    migration_rules: tuple[Rule, ...] = ()
    encoding_rules: tuple[Rule, ...] = ()
    enable_at: str | None = None

    def __bool__(self) -> bool:
        return bool(self.domain_rules or self.migration_rules or self.encoding_rules)

    def to_registry(self) -> dict[str, Any]:
        """The rule set as the registry's JSON; an empty rule set is ``{}``."""
        out: dict[str, Any] = {}
        if self.migration_rules:
            out["migrationRules"] = [r.to_registry() for r in self.migration_rules]
        if self.domain_rules:
            out["domainRules"] = [r.to_registry() for r in self.domain_rules]
        if self.encoding_rules:
            out["encodingRules"] = [r.to_registry() for r in self.encoding_rules]
        if self.enable_at is not None:
            out["enableAt"] = self.enable_at
        return out

    def rules(self) -> tuple[Rule, ...]:
        """Every rule: migration, domain, then encoding rules."""
        return self.migration_rules + self.domain_rules + self.encoding_rules


@dataclass(frozen=True)
class Metadata:
    """A version's metadata: properties (owner, ``major_version``, ``confluent:reserved``...),
    tags by field path, and the names of sensitive properties."""

    properties: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    sensitive: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.properties or self.tags or self.sensitive)

    def to_registry(self) -> dict[str, Any]:
        """The metadata as the registry's JSON; empty metadata is ``{}``."""
        out: dict[str, Any] = {}
        if self.tags:
            out["tags"] = {k: sorted(v) for k, v in sorted(self.tags.items())}
        if self.properties:
            out["properties"] = dict(sorted(self.properties.items()))
        if self.sensitive:
            out["sensitive"] = sorted(self.sensitive)
        return out

    @property
    def reserved(self) -> tuple[str, ...]:
        """The field names ``confluent:reserved`` lists."""
        text = self.properties.get(RESERVED_PROPERTY, "")
        return tuple(n.strip() for n in text.split(",") if n.strip())


EMPTY_METADATA = Metadata()
EMPTY_RULE_SET = RuleSet()


def _rule_from_registry(data: Mapping[str, Any]) -> Rule:
    params = data.get("params") or {}
    return Rule(
        name=str(data.get("name", "")),
        kind=str(data.get("kind") or "TRANSFORM"),
        mode=str(data.get("mode") or "WRITEREAD"),  # the registry entity's defaults
        type=str(data.get("type") or ""),
        expr=data.get("expr"),
        doc=data.get("doc"),
        tags=tuple(str(t) for t in (data.get("tags") or ())),
        params=MappingProxyType({str(k): str(v) for k, v in params.items()}),
        on_success=data.get("onSuccess"),
        on_failure=data.get("onFailure"),
        disabled=bool(data.get("disabled", False)),
    )


def rule_set_from_registry(data: Mapping[str, Any] | None) -> RuleSet:
    """A registry's ``ruleSet`` JSON (None or ``{}`` for none) as a `RuleSet`."""
    if not data:
        return EMPTY_RULE_SET
    return RuleSet(
        domain_rules=tuple(_rule_from_registry(r) for r in data.get("domainRules") or ()),
        migration_rules=tuple(_rule_from_registry(r) for r in data.get("migrationRules") or ()),
        encoding_rules=tuple(_rule_from_registry(r) for r in data.get("encodingRules") or ()),
        enable_at=data.get("enableAt"),
    )


def metadata_from_registry(data: Mapping[str, Any] | None) -> Metadata:
    """A registry's ``metadata`` JSON (None or ``{}`` for none) as `Metadata`."""
    if not data:
        return EMPTY_METADATA
    tags = data.get("tags") or {}
    return Metadata(
        properties=MappingProxyType(
            {str(k): str(v) for k, v in (data.get("properties") or {}).items()}
        ),
        tags=MappingProxyType({str(k): tuple(sorted(map(str, v))) for k, v in tags.items()}),
        sensitive=tuple(sorted(str(s) for s in data.get("sensitive") or ())),
    )
