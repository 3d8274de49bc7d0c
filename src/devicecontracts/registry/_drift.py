"""Data-contract drift: what the registry holds against what the catalog declares.

`contract_drift` compares, for every registered version of a subject, the registry's
``metadata`` and ``ruleSet`` with `Contract.metadata` / `Contract.rule_set` of the catalog
version, and the subject config in force with what ``contract.toml`` declares. One finding per
kind of drift and version:

* ``registry-metadata-drift``: metadata properties (by name; values of sensitive properties
  never shown);
* ``registry-tags-drift``: metadata tags (by field path);
* ``registry-sensitive-drift``: the names of sensitive properties;
* ``registry-rules-drift``: domain and encoding rules added, removed or changed (by name, and
  which members changed);
* ``registry-migration-drift``: migration rules, the same way;
* ``registry-group-drift``: the subject's ``compatibilityGroup``;
* ``registry-config-drift``: its ``defaultMetadata``, ``overrideMetadata``, ``defaultRuleSet``
  or ``overrideRuleSet``.

What the registry merged into a version from the subject config's defaults and overrides, and
the catalog does not declare, is drift too, and the message says where it came from. The
``confluent:version`` property, which Confluent adds to a version registered with an explicit
version number, is not compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from devicecontracts.datacontracts import (
    Metadata,
    Rule,
    RuleSet,
    metadata_from_registry,
    rule_set_from_registry,
)
from devicecontracts.findings import Finding, make

if TYPE_CHECKING:
    from devicecontracts.registry.release import ReleasePlan, SubjectPlan, VersionPlan

__all__ = ["SECRET", "contract_drift", "held_metadata"]

CONFLUENT_VERSION = "confluent:version"
SECRET = "(sensitive: not shown)"


def held_metadata(raw: Any) -> Metadata:
    """A registry's ``metadata`` JSON as `Metadata`, without ``confluent:version``."""
    found = metadata_from_registry(raw)
    if CONFLUENT_VERSION not in found.properties:
        return found
    props = {k: v for k, v in found.properties.items() if k != CONFLUENT_VERSION}
    return Metadata(properties=props, tags=found.tags, sensitive=found.sensitive)


def contract_drift(plan: ReleasePlan, sp: SubjectPlan) -> list[Finding]:
    """Drift in the data contract of ``sp``'s registered versions and in its subject config."""
    from devicecontracts.registry.release import VersionAction, declared_config

    in_force = sp.facts.in_force
    sources = _Sources(in_force)
    secret = _sensitive(sp, sources)
    found: list[Finding] = []
    for vp in sp.versions:
        match = vp.match
        if (
            vp.action is VersionAction.REGISTERED
            and match is not None
            and match.read
            and not match.deleted
        ):
            found += _version_drift(plan, sp, vp, sources, secret)
    declared = declared_config(sp.contract)
    group = in_force.get("compatibilityGroup")
    if group != declared["compatibilityGroup"]:
        found.append(
            make(
                "registry-group-drift",
                f"{sp.subject} has compatibilityGroup {_shown(group)} in {plan.registry}, but the "
                f"catalog declares {_shown(declared['compatibilityGroup'])}: the registry checks "
                "compatibility "
                + (
                    "across every version"
                    if group is None
                    else f"only among versions with the same {group!r} property"
                ),
                _config_hint(sp),
                location=_contract_location(sp, "compatibility_group"),
            )
        )
    for name in ("defaultMetadata", "overrideMetadata", "defaultRuleSet", "overrideRuleSet"):
        held, wanted = in_force.get(name), declared[name]
        if name.endswith("Metadata"):
            differences = _metadata_differences(
                metadata_from_registry(held) if held is not None else None, wanted, secret
            )
        else:
            differences = _rule_set_differences(
                rule_set_from_registry(held) if held is not None else None, wanted
            )
        if differences:
            found.append(
                make(
                    "registry-config-drift",
                    f"the {name} of {sp.subject} in {plan.registry} differs from the catalog's: "
                    + "; ".join(differences),
                    _config_hint(sp),
                    location=_contract_location(sp, "subject_config"),
                )
            )
    return found


def _version_drift(
    plan: ReleasePlan, sp: SubjectPlan, vp: VersionPlan, sources: _Sources, secret: set[str]
) -> list[Finding]:
    match = vp.match
    assert match is not None
    number = vp.number
    contract = sp.contract
    what = f"v{number} of {sp.subject}" + (
        f" (registry version {match.version})" if match.version != number else ""
    )
    where = contract.location(vp.version)
    declared_md, declared_rs = contract.metadata(number), contract.rule_set(number)
    held_md = held_metadata(match.metadata)
    held_rs = rule_set_from_registry(match.rule_set)
    hint = (
        "Schema Registry never changes a registered version's metadata or rules: a new version "
        "carries new ones (contracts register registers the next version file with what "
        "contract.toml declares); if the registry is right, change contract.toml to match it"
    )
    found: list[Finding] = []

    def report(rule: str, kind: str, differences: list[str]) -> None:
        if differences:
            merged = " ".join(sorted({d for d in differences if "merged in" in d}))
            found.append(
                make(
                    rule,
                    f"the {kind} of {what} in {plan.registry} differ from contract.toml: "
                    + "; ".join(differences),
                    hint
                    + (
                        "; what the subject config merges in goes away once contracts register "
                        "has set the config contract.toml declares"
                        if merged
                        else ""
                    ),
                    location=where,
                )
            )

    report(
        "registry-metadata-drift",
        "metadata properties",
        _properties(held_md.properties, declared_md.properties, secret, sources),
    )
    report("registry-tags-drift", "metadata tags", _tags(held_md.tags, declared_md.tags, sources))
    report(
        "registry-sensitive-drift",
        "sensitive property names",
        _names(held_md.sensitive, declared_md.sensitive, "sensitive", sources),
    )
    report(
        "registry-rules-drift",
        "domain and encoding rules",
        _rules(
            held_rs.domain_rules + held_rs.encoding_rules,
            declared_rs.domain_rules + declared_rs.encoding_rules,
            sources,
        ),
    )
    report(
        "registry-migration-drift",
        "migration rules",
        _rules(held_rs.migration_rules, declared_rs.migration_rules, sources),
    )
    return found


class _Sources:
    """Where the subject config in force would merge a property, tag or rule in from."""

    def __init__(self, in_force: Mapping[str, Any]) -> None:
        self.metadata = {
            name: metadata_from_registry(in_force[name])
            for name in ("defaultMetadata", "overrideMetadata")
            if in_force.get(name) is not None
        }
        self.rule_sets = {
            name: rule_set_from_registry(in_force[name])
            for name in ("defaultRuleSet", "overrideRuleSet")
            if in_force.get(name) is not None
        }

    def property(self, name: str, value: str) -> str:
        return self._say(n for n, m in self.metadata.items() if m.properties.get(name) == value)

    def tag(self, path: str, tags: tuple[str, ...]) -> str:
        return self._say(
            n for n, m in self.metadata.items() if tuple(sorted(m.tags.get(path, ()))) == tags
        )

    def sensitive(self, name: str) -> str:
        return self._say(n for n, m in self.metadata.items() if name in m.sensitive)

    def rule(self, rule: Rule) -> str:
        return self._say(
            n
            for n, rs in self.rule_sets.items()
            if any(_rule_json(r) == _rule_json(rule) for r in rs.rules())
        )

    @staticmethod
    def _say(names: Iterable[str]) -> str:
        found = sorted(names, key=lambda n: n.startswith("default"))  # override wins
        return f" (merged in from the subject config's {found[0]})" if found else ""


def _sensitive(sp: SubjectPlan, sources: _Sources) -> set[str]:
    """Every property name any side calls sensitive: its values are never shown."""
    names: set[str] = set(sp.contract.data.sensitive if sp.contract.data else ())
    for v in sp.contract.versions:
        names.update(sp.contract.metadata(v.version).sensitive)
    for vp in sp.versions:
        if vp.match is not None and vp.match.read:
            names.update(metadata_from_registry(vp.match.metadata).sensitive)
    for m in sources.metadata.values():
        names.update(m.sensitive)
    return names


def _value(name: str, value: str, secret: set[str]) -> str:
    return SECRET if name in secret else repr(value)


def _properties(
    held: Mapping[str, str], declared: Mapping[str, str], secret: set[str], sources: _Sources
) -> list[str]:
    out: list[str] = []
    for name in sorted(set(held) | set(declared)):
        a, b = held.get(name), declared.get(name)
        if a == b:
            continue
        if a is None:
            out.append(
                f"{name!r} is missing (the catalog declares {_value(name, b or '', secret)})"
            )
        elif b is None:
            out.append(
                f"{name!r} = {_value(name, a, secret)} is not in the catalog"
                + sources.property(name, a)
            )
        else:
            out.append(
                f"{name!r} is {_value(name, a, secret)}, the catalog declares "
                f"{_value(name, b, secret)}" + sources.property(name, a)
            )
    return out


def _tags(
    held: Mapping[str, tuple[str, ...]],
    declared: Mapping[str, tuple[str, ...]],
    sources: _Sources,
) -> list[str]:
    out: list[str] = []
    for path in sorted(set(held) | set(declared)):
        a = tuple(sorted(held.get(path, ())))
        b = tuple(sorted(declared.get(path, ())))
        if a != b:
            out.append(
                f"{path!r} is tagged {_list(a)}, the catalog declares {_list(b)}"
                + (sources.tag(path, a) if a else "")
            )
    return out


def _names(held: Iterable[str], declared: Iterable[str], what: str, sources: _Sources) -> list[str]:
    a, b = set(held), set(declared)
    out = [f"{n!r} is {what} only in the registry{sources.sensitive(n)}" for n in sorted(a - b)]
    out += [f"{n!r} is {what} only in the catalog" for n in sorted(b - a)]
    return out


def _rules(held: Iterable[Rule], declared: Iterable[Rule], sources: _Sources | None) -> list[str]:
    a = {r.name: r for r in held}
    b = {r.name: r for r in declared}
    out: list[str] = []
    for name in sorted(set(a) | set(b)):
        if name not in a:
            out.append(f"rule {name!r} is missing")
        elif name not in b:
            out.append(
                f"rule {name!r} is not in the catalog" + (sources.rule(a[name]) if sources else "")
            )
        else:
            x, y = _rule_json(a[name]), _rule_json(b[name])
            changed = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
            if changed:
                out.append(
                    f"rule {name!r} differs in {', '.join(changed)}"
                    + (sources.rule(a[name]) if sources else "")
                )
    return out


def _metadata_differences(
    held: Metadata | None, declared: Metadata | None, secret: set[str]
) -> list[str]:
    if held is None and declared is None:
        return []
    if held is None or declared is None:
        side = "the registry has none" if held is None else "the catalog declares none"
        shown = declared if held is None else held
        assert shown is not None
        parts = [f"properties {', '.join(map(repr, sorted(shown.properties)))}"] * bool(
            shown.properties
        )
        parts += [f"tags of {', '.join(map(repr, sorted(shown.tags)))}"] * bool(shown.tags)
        parts += [f"sensitive {', '.join(map(repr, sorted(shown.sensitive)))}"] * bool(
            shown.sensitive
        )
        return [f"{side} ({'; '.join(parts) or 'empty'})"]
    none = _Sources({})
    return (
        _properties(held.properties, declared.properties, secret, none)
        + _tags(held.tags, declared.tags, none)
        + _names(held.sensitive, declared.sensitive, "sensitive", none)
    )


def _rule_set_differences(held: RuleSet | None, declared: RuleSet | None) -> list[str]:
    if held is None and declared is None:
        return []
    if held is None or declared is None:
        side = "the registry has none" if held is None else "the catalog declares none"
        shown = declared if held is None else held
        assert shown is not None
        names = ", ".join(repr(r.name) for r in shown.rules())
        return [f"{side} ({'rules ' + names if names else 'no rules'})"]
    return _rules(held.rules(), declared.rules(), None)


def _rule_json(rule: Rule) -> dict[str, Any]:
    out = rule.to_registry()
    if "tags" in out:
        out["tags"] = sorted(set(out["tags"]))
    return out


def _list(tags: tuple[str, ...]) -> str:
    return "[" + ", ".join(tags) + "]" if tags else "nothing"


def _shown(value: Any) -> str:
    return "none" if value is None else repr(value)


def _contract_location(sp: SubjectPlan, key: str) -> Any:
    data = sp.contract.data
    if data is None:
        return sp.contract.location()
    return data.location(sp.subject, key)


def _config_hint(sp: SubjectPlan) -> str:
    if sp.contract.data is None:
        return (
            f"declare the subject config in {sp.contract.name}/contract.toml and run contracts "
            "register, or change the registry's config"
        )
    return (
        "contracts register sets the subject config contract.toml declares (and clears what "
        "it does not); if the registry is right, change contract.toml. A subject without a "
        "config of its own follows the registry's global config"
    )
