"""The local registry's data contracts: metadata and rule sets as Confluent stores, merges,
validates and compares them.

Read from Confluent's schema-registry source (read, not copied): the REST entities
``Metadata``, ``RuleSet`` and ``Rule`` (client module), ``AbstractSchemaRegistry.
maybeSetMetadataRuleSet`` and ``validateReservedFields``, ``Config.mergeConfigs`` and
``ConfigValue.update``:

* a ``metadata`` or ``ruleSet`` absent from a register request is ``null``: the version
  inherits the previous live version's; an explicit ``{}`` is empty and inherits nothing. Both
  are then merged as *default < specific < override* with the subject config's
  ``defaultMetadata``/``overrideMetadata`` and ``defaultRuleSet``/``overrideRuleSet``;
* merging metadata: a later layer's tag list or property replaces an earlier one of the same
  path or name, sensitive names are united; merging rule sets: per group, a later layer's rule
  replaces an earlier one of the same name, and is appended after the earlier layer's others;
* ``null`` and ``{}`` differ (a schema's identity, its id included, covers schema, references,
  metadata and rule set), while an empty list and a missing one do not (the entities turn
  ``null`` collections into empty ones);
* ``RuleSet.validate`` (422, error code 42210): rule names unique across the three groups,
  names as `rule_name_problem` checks them (Java letters, digits, ``_`` and ``-``, at most 64
  UTF-16 units, ``Rule.NAME_MAX_LENGTH``), a type, two comma-separated
  actions only on WRITEREAD and UPDOWN rules, migration rules UPGRADE, DOWNGRADE or UPDOWN and
  domain and encoding rules WRITE, READ or WRITEREAD. Here, too, an unknown kind or mode (which
  Confluent refuses while reading the JSON), and a CEL, CEL_FIELD or JSONATA expression that
  does not parse (with the ``rules`` extra installed; Confluent's open-source server does not
  parse expressions).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from devicecontracts.datacontracts import rule_name_problem
from devicecontracts.errors import RegistryAPIError

__all__ = [
    "CONFLUENT_VERSION",
    "canonical",
    "group_value",
    "merge_metadata",
    "merge_rule_sets",
    "metadata",
    "reserved_fields",
    "rule_set",
    "same",
    "validate_rule_set",
    "without_version",
]

JSON = Any
CONFLUENT_VERSION = "confluent:version"
RESERVED = "confluent:reserved"
_KINDS = ("TRANSFORM", "CONDITION")
_MIGRATION = ("UPGRADE", "DOWNGRADE", "UPDOWN")
_DOMAIN = ("WRITE", "READ", "WRITEREAD")
_GROUPS = ("migrationRules", "domainRules", "encodingRules")


def _invalid(message: str) -> RegistryAPIError:
    return RegistryAPIError(422, 42201, f"Invalid schema: {message}")


def _ruleset_error(message: str) -> RegistryAPIError:
    return RegistryAPIError(422, 42210, message)


def metadata(raw: JSON) -> dict[str, Any] | None:
    """A request's ``metadata`` in canonical form (None for null): sorted, empty parts left out."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _invalid("'metadata' must be an object")
    tags = raw.get("tags") or {}
    props = raw.get("properties") or {}
    sensitive = raw.get("sensitive") or []
    if not (
        isinstance(tags, dict)
        and all(isinstance(v, list) and all(isinstance(t, str) for t in v) for v in tags.values())
    ):
        raise _invalid("metadata 'tags' must map paths to lists of strings")
    if not (isinstance(props, dict) and all(isinstance(v, str) for v in props.values())):
        raise _invalid("metadata 'properties' must map names to strings")
    if not (isinstance(sensitive, list) and all(isinstance(s, str) for s in sensitive)):
        raise _invalid("metadata 'sensitive' must be a list of strings")
    out: dict[str, Any] = {}
    if tags:
        out["tags"] = {k: sorted(set(v)) for k, v in sorted(tags.items())}
    if props:
        out["properties"] = dict(sorted(props.items()))
    if sensitive:
        out["sensitive"] = sorted(set(sensitive))
    return out


def _rule(raw: JSON) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _ruleset_error("A rule must be an object")
    kind = raw.get("kind") or "TRANSFORM"
    mode = raw.get("mode") or "WRITEREAD"
    if kind not in _KINDS:
        raise _ruleset_error(f"Invalid rule kind {kind!r}: use CONDITION or TRANSFORM")
    if mode not in _MIGRATION + _DOMAIN:
        raise _ruleset_error(f"Invalid rule mode {mode!r}")
    out: dict[str, Any] = {"name": raw.get("name")}
    if raw.get("doc") is not None:
        out["doc"] = raw["doc"]
    out.update(kind=kind, mode=mode, type=raw.get("type"))
    tags = raw.get("tags") or []
    params = raw.get("params") or {}
    if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise _ruleset_error("Rule tags must be a list of strings")
    if not (isinstance(params, dict) and all(isinstance(v, str) for v in params.values())):
        raise _ruleset_error("Rule params must map names to strings")
    if tags:
        out["tags"] = sorted(set(tags))
    if params:
        out["params"] = dict(sorted(params.items()))
    for key in ("expr", "onSuccess", "onFailure"):
        if raw.get(key) is not None:
            out[key] = raw[key]
    out["disabled"] = bool(raw.get("disabled", False))
    return out


def rule_set(raw: JSON) -> dict[str, Any] | None:
    """A request's ``ruleSet`` in canonical form (None for null); malformed rules: 42210."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _ruleset_error("The rule set must be an object")
    out: dict[str, Any] = {}
    for group in _GROUPS:
        items = raw.get(group) or []
        if not isinstance(items, list):
            raise _ruleset_error(f"{group} must be a list of rules")
        if items:
            out[group] = [_rule(r) for r in items]
    if raw.get("enableAt") is not None:
        out["enableAt"] = raw["enableAt"]
    return out


def validate_rule_set(rules: dict[str, Any] | None) -> None:
    """Confluent's ``RuleSet.validate`` (42210), and expressions that parse (see the module)."""
    if not rules:
        return
    names: set[str] = set()
    for group in _GROUPS:
        for rule in rules.get(group, ()):
            name = rule["name"]
            if name in names:
                raise _ruleset_error(f"Found rule with duplicate name '{name}'")
            if name is not None:
                names.add(name)
            _validate_rule(rule)
            allowed = _MIGRATION if group == "migrationRules" else _DOMAIN
            if rule["mode"] not in allowed:
                what = {"migrationRules": "Migration", "domainRules": "Domain"}.get(
                    group, "Encoding"
                )
                raise _ruleset_error(f"{what} rules can only be {', '.join(allowed)}")


def _validate_rule(rule: dict[str, Any]) -> None:
    name = rule["name"]
    problem = rule_name_problem(name)
    if problem is not None:
        raise _ruleset_error(problem)
    if not rule.get("type"):
        raise _ruleset_error("Missing rule type")
    for key in ("onSuccess", "onFailure"):
        action = rule.get(key)
        if (
            isinstance(action, str)
            and "," in action
            and rule["mode"] not in ("WRITEREAD", "UPDOWN")
        ):
            raise _ruleset_error("Multiple actions only valid with WRITEREAD and UPDOWN")
    problem = _expression_problem(rule)
    if problem:
        raise _ruleset_error(f"Invalid expression in rule '{name}': {problem}")


def _expression_problem(rule: dict[str, Any]) -> str | None:
    expr = rule.get("expr")
    if not isinstance(expr, str):
        return None
    check: Callable[[str], str | None]
    try:
        if rule["type"] in ("CEL", "CEL_FIELD"):
            from devicecontracts.datacontracts._eval import cel_syntax_error as check
        elif rule["type"] == "JSONATA":
            from devicecontracts.datacontracts._eval import jsonata_syntax_error as check
        else:
            return None
        return check(expr)
    except ImportError:  # without the rules extra, as Confluent's open-source server: unchecked
        return None


def merge_metadata(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any] | None:
    """Confluent's ``Metadata.mergeMetadata``: ``new`` over ``old``."""
    if old is None:
        return new
    if new is None:
        return old
    out: dict[str, Any] = {}
    for key in ("tags", "properties"):
        merged = {**old.get(key, {}), **new.get(key, {})}
        if merged:
            out[key] = dict(sorted(merged.items()))
    sensitive = sorted(set(old.get("sensitive", ())) | set(new.get("sensitive", ())))
    if sensitive:
        out["sensitive"] = sensitive
    return out


def merge_rule_sets(
    old: dict[str, Any] | None, new: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Confluent's ``RuleSet.mergeRuleSets``: per group, ``new``'s rules replace ``old``'s of the
    same name and come after the rest."""
    if old is None:
        return new
    if new is None:
        return old
    out: dict[str, Any] = {}
    for group in _GROUPS:
        before, after = old.get(group, []), new.get(group, [])
        names = {r["name"] for r in after}
        merged = [r for r in before if r["name"] not in names] + after
        if merged:
            out[group] = merged
    enable_at = new.get("enableAt", old.get("enableAt"))
    if enable_at is not None:
        out["enableAt"] = enable_at
    return out


def without_version(meta: dict[str, Any] | None) -> dict[str, Any] | None:
    """``meta`` without the ``confluent:version`` property (lookups ignore it)."""
    if meta is None or CONFLUENT_VERSION not in meta.get("properties", {}):
        return meta
    props = {k: v for k, v in meta["properties"].items() if k != CONFLUENT_VERSION}
    out = {k: v for k, v in meta.items() if k != "properties"}
    if props:
        out["properties"] = props
    return out


def same(
    meta: dict[str, Any] | None,
    rules: dict[str, Any] | None,
    stored_meta: dict[str, Any] | None,
    stored_rules: dict[str, Any] | None,
) -> bool:
    """Whether a request's metadata and rule set find a stored version's (Confluent's
    ``canLookup``: equal, ``null`` apart from ``{}``, but a ``confluent:version`` the request
    lacks is ignored, and then a null request metadata counts as empty)."""
    if rules != stored_rules:
        return False
    asked = meta.get("properties", {}).get(CONFLUENT_VERSION) if meta else None
    held = stored_meta.get("properties", {}).get(CONFLUENT_VERSION) if stored_meta else None
    if asked is None and held is not None:
        return (meta or {}) == without_version(stored_meta)
    return meta == stored_meta


def canonical(meta: dict[str, Any] | None, rules: dict[str, Any] | None) -> str:
    """The part of a schema's identity (and id) that metadata and rule set make."""
    return json.dumps([meta, rules], sort_keys=True, separators=(",", ":"))


def group_value(meta: dict[str, Any] | None, group: str | None) -> str | None:
    """The value of the compatibility group's property in ``meta`` (None when absent)."""
    if not group or not meta:
        return None
    value: str | None = meta.get("properties", {}).get(group)
    return value


def reserved_fields(meta: dict[str, Any] | None) -> set[str]:
    """The field names ``confluent:reserved`` lists in ``meta``."""
    text = (meta or {}).get("properties", {}).get(RESERVED, "")
    return {n.strip() for n in text.split(",") if n.strip()}
