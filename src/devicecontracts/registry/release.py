"""Release planning: what ``contracts register`` will do, decided without touching the network.

The shell (``contracts register``, ``contracts check --registry``) asks the registry what it
holds (`RegistryFacts`: per subject its live versions, its own level, and which registered
version is identical to each version in the catalog, as the registry's lookup decided) and
hands that to `plan_release`, which says per subject, in dependency order (shared types
before the messages that reference them):

* **new subject**: nothing registered yet; every version will be registered, oldest first;
* **new versions**: the registered history matches the catalog and later versions are pending;
* **already registered**: nothing to do;
* **identical to an older version**: a new file whose schema the registry already holds as an
  older version: registering it would return the old id and leave ``latest`` where it is, so a
  rollback this way does not take effect (a warning);
* **drift**: the registry holds versions the catalog lacks, or the registered versions are in
  another order than the catalog's (errors: nothing is registered).

It also says which subject levels and configs must be set (the config the catalog's
``contract.toml`` declares: ``compatibilityGroup`` and the default and override metadata and
rule sets), and `release_findings` / `drift_findings` turn the plan into findings; drift covers
each registered version's metadata and rule set against what the catalog declares for it, and
the subject config in force (see `contract_drift`). `registry_references` pins a version's
references to the registry's version numbers; `our_verdict` computes our engine's verdict on
exactly what the registry compares, so the two can be put side by side; `race_finding` tells
the operator what to do when another release registered a version first. The ids the registry
returns are recorded in the lock by `Lock.record_id` (``devicecontracts.catalog.lock``, where
every lock change is made).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from devicecontracts.catalog import Catalog, Contract, SchemaVersion
from devicecontracts.catalog.lock import Reference, content_hash
from devicecontracts.datacontracts import (
    Metadata,
    RuleSet,
    metadata_from_registry,
    rule_set_from_registry,
)
from devicecontracts.errors import Location
from devicecontracts.findings import Finding, Severity, make
from devicecontracts.registry._drift import _rule_json, contract_drift, held_metadata
from devicecontracts.schema.compatibility import (
    CompatibilityLevel,
    CompatibilityResult,
    check_parsed,
)

__all__ = [
    "CONFIG_FIELDS",
    "Preflight",
    "RegistryFacts",
    "RegistryMatch",
    "ReleasePlan",
    "SubjectFacts",
    "SubjectPlan",
    "VersionAction",
    "VersionPlan",
    "contract_drift",
    "declared_config",
    "drift_findings",
    "inlined_text",
    "our_verdict",
    "plan_release",
    "preflight_findings",
    "race_finding",
    "registry_references",
    "release_findings",
    "release_order",
    "schema_text",
]


# ---------------------------------------------------------------------------------------------
# What the registry holds


@dataclass(frozen=True)
class RegistryMatch:
    """The registered version identical to a catalog version (the registry's lookup said so)."""

    version: int
    schema_id: int
    deleted: bool = False
    metadata: Any = field(default=None, compare=False)
    """The registered version's ``metadata`` JSON (None: it has none, or it was not read)."""
    rule_set: Any = field(default=None, compare=False)
    """The registered version's ``ruleSet`` JSON (None: it has none, or it was not read)."""
    read: bool = field(default=False, compare=False)
    """Whether ``metadata`` and ``rule_set`` were read from the registry."""


@dataclass
class SubjectFacts:
    """What the registry holds for one subject.

    ``live`` and ``deleted`` are its version numbers (soft-deleted ones apart); ``level`` its
    own compatibility level (None: it follows the global level); ``matches`` maps catalog
    version numbers to the registered version identical to them; ``ids`` the schema ids of live
    versions no catalog version matches.
    """

    subject: str
    live: tuple[int, ...] = ()
    deleted: tuple[int, ...] = ()
    level: CompatibilityLevel | None = None
    matches: dict[int, RegistryMatch] = field(default_factory=dict)
    ids: dict[int, int] = field(default_factory=dict)
    config: dict[str, Any] | None = None
    """The subject's own config JSON (``GET /config/{s}``), None when it has none."""
    in_force: dict[str, Any] = field(default_factory=dict)
    """The config the registry applies to the subject: its own over the global one."""

    @property
    def newest(self) -> int:
        """The highest version number the subject holds, soft-deleted ones included (0: none).

        Confluent gives the next registration this number plus one.
        """
        return max((*self.live, *self.deleted), default=0)


@dataclass
class RegistryFacts:
    """Everything the plan needs to know about one registry."""

    registry: str
    global_level: CompatibilityLevel
    subjects: dict[str, SubjectFacts] = field(default_factory=dict)

    def subject(self, name: str) -> SubjectFacts:
        """The facts of ``name`` (an empty subject when nothing was gathered)."""
        return self.subjects.get(name) or SubjectFacts(name)


# ---------------------------------------------------------------------------------------------
# The plan


class VersionAction(enum.StrEnum):
    """What happens to one catalog version on register."""

    REGISTERED = "registered"
    REGISTER = "register"
    IDENTICAL_TO_OLDER = "identical-to-older"
    OUT_OF_ORDER = "out-of-order"
    INVALID = "invalid"


@dataclass(frozen=True)
class VersionPlan:
    """One catalog version: its action, the registered version identical to it, and why.

    ``released`` says the lock already records it (so it is history, not a new file);
    ``same_as`` names the earlier catalog version with the same schema, when there is one.
    """

    version: SchemaVersion
    action: VersionAction
    match: RegistryMatch | None = None
    note: str = ""
    released: bool = False
    same_as: int | None = None

    @property
    def number(self) -> int:
        """The version number in the catalog."""
        return self.version.version


@dataclass
class SubjectPlan:
    """One subject: what happens to each of its versions and to its level."""

    contract: Contract
    facts: SubjectFacts
    versions: list[VersionPlan]
    global_level: CompatibilityLevel
    extra: tuple[int, ...] = ()

    @property
    def subject(self) -> str:
        """The registry subject."""
        return self.contract.subject

    @property
    def level(self) -> CompatibilityLevel:
        """The level the catalog declares."""
        return self.contract.level

    @property
    def effective_level(self) -> CompatibilityLevel:
        """The level the registry applies now: the subject's own, else the global one."""
        return self.facts.level or self.global_level

    @property
    def sets_level(self) -> bool:
        """Whether register sets the subject's own level (it is unset or different)."""
        return self.facts.level is not self.level

    @property
    def config_changes(self) -> dict[str, Any]:
        """The subject config fields register sets (registry names; None clears one): those
        the catalog's ``contract.toml`` declares that the subject's own config holds
        otherwise. Nothing for a contract without ``contract.toml``."""
        if self.contract.data is None:
            return {}
        held = self.facts.config or {}
        return {
            name: wanted
            for name, wanted in declared_config(self.contract).items()
            if not _same_config(name, wanted, held.get(name))
        }

    @property
    def contract_drifted(self) -> list[int]:
        """Catalog versions the registry holds with other metadata or rules than the catalog
        declares (read by `gather`; `drift_findings` says how they differ)."""
        out: list[int] = []
        for vp in self.versions:
            match = vp.match
            if vp.action is not VersionAction.REGISTERED or match is None or not match.read:
                continue
            number = vp.number
            held = held_metadata(match.metadata).to_registry()
            rules = _rule_set_json(rule_set_from_registry(match.rule_set))
            if held != self.contract.metadata(number).to_registry() or rules != _rule_set_json(
                self.contract.rule_set(number)
            ):
                out.append(number)
        return out

    @property
    def sets_config(self) -> bool:
        """Whether register changes the subject's config beyond its level."""
        return bool(self.config_changes)

    @property
    def pending(self) -> list[VersionPlan]:
        """The versions register will register, oldest first."""
        return [vp for vp in self.versions if vp.action is VersionAction.REGISTER]

    @property
    def status(self) -> str:
        """``new subject``, ``new versions``, ``already registered`` or ``drift``."""
        if self.extra or any(vp.action is VersionAction.OUT_OF_ORDER for vp in self.versions):
            return "drift"
        if not self.facts.live:
            return "new subject"
        return "new versions" if self.pending else "already registered"


@dataclass
class ReleasePlan:
    """The plan for every subject of the catalog, in registration order."""

    registry: str
    env: str
    subjects: list[SubjectPlan]

    @property
    def pending(self) -> list[tuple[SubjectPlan, VersionPlan]]:
        """Every version to register, in registration order."""
        return [(sp, vp) for sp in self.subjects for vp in sp.pending]

    @property
    def level_changes(self) -> list[SubjectPlan]:
        """The subjects whose level register sets."""
        return [sp for sp in self.subjects if sp.sets_level]

    @property
    def config_changes(self) -> list[SubjectPlan]:
        """The subjects whose config (beyond the level) register sets."""
        return [sp for sp in self.subjects if sp.sets_config]

    def registry_versions(self) -> dict[tuple[str, int], int]:
        """(subject, catalog version) -> the live registry version identical to it."""
        return {
            (sp.subject, vp.number): vp.match.version
            for sp in self.subjects
            for vp in sp.versions
            if vp.match is not None and not vp.match.deleted
        }


def release_order(catalog: Catalog) -> list[Contract]:
    """Contracts in registration order: whatever a version references comes first.

    Among contracts free to go, shared types come before messages, each by name.
    """
    by_subject = {c.subject: c for c in catalog.contracts.values()}
    needs: dict[str, set[str]] = {
        c.name: {
            by_subject[r.subject].name
            for v in c.versions
            for r in v.references
            if r.subject in by_subject and by_subject[r.subject].name != c.name
        }
        for c in catalog.contracts.values()
    }
    ordered: list[Contract] = []
    placed: set[str] = set()
    waiting = catalog.ordered()
    while waiting:
        ready = [c for c in waiting if needs[c.name] <= placed] or waiting[:1]  # cycles: as is
        ordered.append(ready[0])
        placed.add(ready[0].name)
        waiting.remove(ready[0])
    return ordered


def plan_release(catalog: Catalog, facts: RegistryFacts, env: str) -> ReleasePlan:
    """The plan for registering ``catalog`` into the registry ``facts`` describe."""
    return ReleasePlan(
        facts.registry,
        env,
        [
            _plan_subject(
                c,
                facts.subject(c.subject),
                facts.global_level,
                set(catalog.lock.released(c.subject)),
            )
            for c in release_order(catalog)
        ],
    )


def _plan_subject(
    contract: Contract,
    facts: SubjectFacts,
    global_level: CompatibilityLevel,
    released: set[int],
) -> SubjectPlan:
    plans: list[VersionPlan] = []
    top = 0  # the highest registered version matched so far, in catalog order
    seen: dict[str, int] = {}  # identical content -> the first catalog version with it
    for v in contract.versions:
        match = facts.matches.get(v.version)
        if v.schema is None:
            plans.append(VersionPlan(v, VersionAction.INVALID, note="invalid: cannot register"))
            continue
        key = _identity(contract, v)
        twin = seen.setdefault(key, v.version)
        if match is not None and not match.deleted:
            if match.version > top:
                top = match.version
                plans.append(VersionPlan(v, VersionAction.REGISTERED, match))
            else:
                plans.append(
                    VersionPlan(
                        v,
                        VersionAction.IDENTICAL_TO_OLDER,
                        match,
                        f"identical to registered version {match.version} (id {match.schema_id})",
                        v.version in released,
                    )
                )
        elif twin != v.version:
            plans.append(
                VersionPlan(
                    v,
                    VersionAction.IDENTICAL_TO_OLDER,
                    None,
                    f"identical to v{twin}",
                    v.version in released,
                    twin,
                )
            )
        else:
            note = (
                f"identical to soft-deleted version {match.version}: the registry will give it "
                f"a new version with the same id {match.schema_id}"
                if match is not None
                else ""
            )
            plans.append(VersionPlan(v, VersionAction.REGISTER, match, note))
    last_registered = max(
        (i for i, vp in enumerate(plans) if vp.action is VersionAction.REGISTERED), default=-1
    )
    for i, vp in enumerate(plans[: max(last_registered, 0)]):
        if vp.action is VersionAction.REGISTER:
            later = plans[last_registered]
            plans[i] = VersionPlan(
                vp.version,
                VersionAction.OUT_OF_ORDER,
                vp.match,
                f"not registered, but the later v{later.number} is (as version "
                f"{later.match.version if later.match else '?'})",
            )
    matched = {vp.match.version for vp in plans if vp.match and not vp.match.deleted}
    extra = tuple(r for r in facts.live if r not in matched)
    return SubjectPlan(contract, facts, plans, global_level, extra)


CONFIG_FIELDS = (
    "compatibilityGroup",
    "defaultMetadata",
    "overrideMetadata",
    "defaultRuleSet",
    "overrideRuleSet",
)
"""The subject config fields the catalog declares (``contract.toml``), by the registry's names."""


def declared_config(contract: Contract) -> dict[str, Any]:
    """The subject config ``contract`` declares, by the registry's field names: the group (a
    string), default and override `Metadata` and `RuleSet`; None for what it does not."""
    data = contract.data
    config = data.subject_config if data is not None else None
    return {
        "compatibilityGroup": data.compatibility_group if data is not None else None,
        "defaultMetadata": config.default_metadata if config else None,
        "overrideMetadata": config.override_metadata if config else None,
        "defaultRuleSet": config.default_rule_set if config else None,
        "overrideRuleSet": config.override_rule_set if config else None,
    }


def _same_config(name: str, wanted: Any, held: Any) -> bool:
    if wanted is None or held is None:
        return wanted is None and held is None
    if name == "compatibilityGroup":
        return bool(wanted == held)
    if name.endswith("Metadata"):
        return _metadata_json(wanted) == _metadata_json(metadata_from_registry(held))
    return _rule_set_json(wanted) == _rule_set_json(rule_set_from_registry(held))


def _metadata_json(metadata: Metadata) -> dict[str, Any]:
    return metadata.to_registry()


def _rule_set_json(rule_set: RuleSet) -> dict[str, Any]:
    out = rule_set.to_registry()
    for group in ("migrationRules", "domainRules", "encodingRules"):
        if group in out:
            out[group] = [_rule_json(r) for r in getattr(rule_set, _GROUP_FIELDS[group])]
    return out


_GROUP_FIELDS = {
    "migrationRules": "migration_rules",
    "domainRules": "domain_rules",
    "encodingRules": "encoding_rules",
}


def _identity(contract: Contract, v: SchemaVersion) -> str:
    """What makes two catalog versions the same to the registry: schema, references, and the
    metadata and rule set they are registered with (the same schema with other rules is a new
    version)."""
    assert v.schema is not None
    refs = json.dumps([r.to_json() for r in v.references])
    rules = _rule_set_json(contract.rule_set(v.version))
    data = json.dumps([contract.metadata(v.version).to_registry(), rules], sort_keys=True)
    return content_hash(v.schema.source) + refs + data


# ---------------------------------------------------------------------------------------------
# Findings


def release_findings(plan: ReleasePlan, lock_ids: Mapping[tuple[str, int], int]) -> list[Finding]:
    """What stops ``contracts register`` (errors) or deserves a word (warnings).

    ``lock_ids`` are the ids the lock records for the plan's environment, by (subject, version).
    """
    return _findings(plan, lock_ids, check=False)


def drift_findings(plan: ReleasePlan, lock_ids: Mapping[tuple[str, int], int]) -> list[Finding]:
    """Drift between the catalog and the registry, for ``contracts check --registry``.

    On top of what stops register: a registered subject whose level differs from the catalog's
    (or that has no level of its own), and ids the lock records that the registry no longer
    answers with.
    """
    return _findings(plan, lock_ids, check=True)


def _findings(
    plan: ReleasePlan, lock_ids: Mapping[tuple[str, int], int], *, check: bool
) -> list[Finding]:
    found: list[Finding] = []
    for sp in plan.subjects:
        if sp.extra:
            found.append(_extra(plan, sp))
        for vp in sp.versions:
            found += _version_findings(plan, sp, vp, lock_ids.get((sp.subject, vp.number)))
        if check and sp.facts.live:
            found += _level_drift(plan, sp)
            found += contract_drift(plan, sp)
    # Lock ids that no longer match are drift for check; register records the new ids.
    return [
        f if check or f.rule not in _ID_RULES else f.with_severity(Severity.WARNING) for f in found
    ]


_ID_RULES = {"registry-id-changed", "registry-version-missing"}


def _extra(plan: ReleasePlan, sp: SubjectPlan) -> Finding:
    shown = ", ".join(
        f"version {r}" + (f" (id {sp.facts.ids[r]})" if r in sp.facts.ids else "") for r in sp.extra
    )
    return make(
        "registry-extra-version",
        f"{plan.registry} holds {shown} of {sp.subject}, which the catalog does not have",
        f"add the schema as the next version file of {sp.contract.name}/ (download it from "
        "the registry), or soft-delete it from the registry if it was a mistake",
        location=sp.contract.location(),
    )


def _version_findings(
    plan: ReleasePlan, sp: SubjectPlan, vp: VersionPlan, recorded: int | None
) -> list[Finding]:
    found: list[Finding] = []
    what = f"v{vp.number} of {sp.subject}"
    where = sp.contract.location(vp.version)
    if vp.action is VersionAction.OUT_OF_ORDER:
        found.append(
            make(
                "registry-out-of-order",
                f"{what} is {vp.note}: registering it now would put it after the later version",
                "find out how the registry and the catalog diverged; the registry cannot insert a "
                "version into its history",
                location=where,
            )
        )
    elif vp.action is VersionAction.IDENTICAL_TO_OLDER and not vp.released:
        found.append(
            make(
                "registry-identical-to-older",
                f"{what} is {vp.note}: registering it returns the old id and the latest version "
                "stays what it is, so a rollback this way does not take effect",
                "to roll back, write the old schema's change as a new, different version (or "
                "delete this file if it was a copy by mistake)",
                location=where,
            )
        )
    live = vp.match if vp.match is not None and not vp.match.deleted else None
    env = plan.env
    if recorded is not None and live is not None and live.schema_id != recorded:
        found.append(
            make(
                "registry-id-changed",
                f"the lock records id {recorded} for {what} in environment {env!r}, but the "
                f"registry answers id {live.schema_id}: messages written with id {recorded} may no "
                "longer decode",
                "find out whether the registry was rebuilt or the version hard-deleted; contracts "
                "register records the new id",
                location=where,
            )
        )
    elif recorded is not None and live is None and vp.action is not VersionAction.INVALID:
        found.append(
            make(
                "registry-version-missing",
                f"the lock records {what} as registered with id {recorded} in environment {env!r}, "
                "but the registry does not hold it",
                "find out who deleted it (messages written with that id may not decode); contracts "
                "register registers it again",
                location=where,
            )
        )
    return found


def _level_drift(plan: ReleasePlan, sp: SubjectPlan) -> list[Finding]:
    declared = sp.level.value
    if sp.facts.level is None and sp.global_level is sp.level:
        return [
            make(
                "registry-level-unset",
                f"{sp.subject} has no compatibility level of its own in {plan.registry}: it "
                f"follows the global level ({sp.global_level.value}), which anyone may change",
                f"contracts register sets it to {declared}",
                location=sp.contract.location(),
            )
        ]
    if sp.effective_level is not sp.level:
        source = "its own level" if sp.facts.level else "the global level (it has none of its own)"
        return [
            make(
                "registry-level-drift",
                f"{sp.subject} is checked at {sp.effective_level.value} in {plan.registry} "
                f"({source}), but the catalog declares {declared}",
                f"contracts register sets it to {declared}; if the registry is right, change "
                "compatibility in catalog.toml",
                location=sp.contract.location(),
            )
        ]
    return []


# ---------------------------------------------------------------------------------------------
# Preflight: the registry's verdict beside ours


@dataclass(frozen=True)
class Preflight:
    """The registry's verdict on one pending version, and ours on the same history and level.

    ``ours`` is None when we cannot compute it (the registry holds versions the catalog lacks);
    ``inlined`` says the schema was sent with its references inlined, because a version it
    references is not registered yet.
    """

    subject: str
    version: SchemaVersion
    level: CompatibilityLevel
    compatible: bool
    messages: tuple[str, ...] = ()
    ours: CompatibilityResult | None = None
    inlined: bool = False

    @property
    def agrees(self) -> bool:
        """Whether both verdicts are the same (or ours is unknown)."""
        return self.ours is None or self.ours.compatible == self.compatible

    @property
    def ok(self) -> bool:
        """Whether registering may go ahead: the registry accepts and we agree."""
        return self.compatible and self.agrees


def our_verdict(
    sp: SubjectPlan, v: SchemaVersion, level: CompatibilityLevel
) -> CompatibilityResult | None:
    """Our engine's verdict on registering ``v`` against what the registry holds, at ``level``.

    The history is the catalog versions identical to the registry's live versions, in the
    registry's order: exactly what the registry compares against. None when some live version
    has no counterpart in the catalog.
    """
    by_registry: dict[int, SchemaVersion] = {}
    for vp in sp.versions:
        if vp.match is not None and not vp.match.deleted:
            by_registry.setdefault(vp.match.version, vp.version)
    if v.schema is None or any(r not in by_registry for r in sp.facts.live):
        return None
    ordered = [by_registry[r] for r in sorted(sp.facts.live)]
    major = sp.contract.major(v.version)
    if major is not None:  # a compatibility group: the registry compares within the major only
        ordered = [h for h in ordered if sp.contract.major(h.version) == major]
    history = [h.schema for h in ordered]
    return check_parsed(v.schema, [h for h in history if h is not None], level)


def preflight_findings(results: Iterable[Preflight]) -> list[Finding]:
    """An error for each version the registry refuses, and for each disagreement."""
    found: list[Finding] = []
    for p in results:
        v = p.version
        where = Location(file=v.display, subject=p.subject, version=v.version)
        reasons = [m for m in p.messages if not m.startswith(_CONTEXT)] or list(p.messages)
        said = "; ".join(reasons) if reasons else "no reason given"
        if not p.agrees:
            assert p.ours is not None
            ours = (
                "compatible"
                if p.ours.compatible
                else "incompatible: " + "; ".join(i.message for i in p.ours.issues)
            )
            theirs = "compatible" if p.compatible else f"incompatible: {said}"
            found.append(
                make(
                    "registry-disagreement",
                    f"at {p.level.value}, the registry says v{v.version} of {p.subject} is "
                    f"{theirs}, but devicecontracts says {ours}",
                    "one of the two checkers is wrong: please report it with both schemas; "
                    "nothing was registered",
                    location=where,
                )
            )
        elif not p.compatible:
            found.append(
                make(
                    "registry-incompatible",
                    f"at {p.level.value}, the registry refuses v{v.version} of {p.subject}: {said}",
                    "make the version compatible with what the registry holds (see contracts "
                    "check); nothing was registered",
                    location=where,
                )
            )
    return found


_CONTEXT = ("{oldSchemaVersion:", "{oldSchema:", "{validateFields:", "{compatibility:")


# ---------------------------------------------------------------------------------------------
# Two releases at once


def race_finding(
    sp: SubjectPlan,
    v: SchemaVersion,
    expected: int,
    holds: Sequence[int],
    *,
    registered_as: RegistryMatch | None = None,
) -> Finding:
    """The error for a version another release got to first: the plan gave ``v`` the
    registry's version ``expected``, but the subject moved on meanwhile (it now ``holds`` those
    live versions). ``registered_as`` is where ``v`` went instead, when a registry that ignores
    the expected version registered it anyway; otherwise nothing was registered."""
    what = f"v{v.version} of {sp.subject}"
    shown = ", ".join(str(n) for n in holds) or "none"
    after = f"v{v.version + 1}.avsc"
    if registered_as is not None:
        message = (
            f"{what} was registered as version {registered_as.version} (id "
            f"{registered_as.schema_id}), not as version {expected} as planned: another release "
            f"registered version {expected} in between (this registry does not refuse a taken "
            f"version: Confluent before 7.4); the registry holds versions {shown}"
        )
        hint = (
            f"nothing was recorded in the lock for v{v.version}. Pull the other release's "
            f"catalog change (its schema is version {expected}), rename your file to the next "
            f"version ({after}: the registry already holds it as version "
            f"{registered_as.version}, so contracts register records its id), check, and run "
            f"contracts register again; or soft-delete version {registered_as.version} from the "
            "registry if your change should not ship"
        )
    else:
        message = (
            f"{what} was not registered: the plan gave it version {expected}, after version "
            f"{expected - 1}, but another release changed {sp.subject} first (the registry "
            f"holds versions {shown})"
        )
        hint = (
            f"nothing was registered or recorded in the lock for v{v.version}. Pull the other "
            f"release's catalog change (it holds the new registry version), move your schema to "
            f"the next version file ({after} after the pull), run contracts check, then run "
            "contracts register again"
        )
    return make("registry-version-taken", message, hint, location=sp.contract.location(v))


# ---------------------------------------------------------------------------------------------
# Texts and references


def schema_text(v: SchemaVersion) -> str:
    """What is registered for ``v``: its own schema (references by name), compact JSON."""
    assert v.schema is not None
    return json.dumps(v.schema.source, separators=(",", ":"), ensure_ascii=False)


def inlined_text(v: SchemaVersion) -> str:
    """``v`` standalone, its referenced types inlined (for checks before they are registered)."""
    assert v.schema is not None
    return json.dumps(v.schema.to_json(), separators=(",", ":"), ensure_ascii=False)


def registry_references(
    v: SchemaVersion, registry_versions: Mapping[tuple[str, int], int]
) -> tuple[Reference, ...] | None:
    """``v``'s references pinned to the registry's version numbers; None while one of the
    versions it references is not registered."""
    pinned: list[Reference] = []
    for ref in v.references:
        number = registry_versions.get((ref.subject, ref.version))
        if number is None:
            return None
        pinned.append(Reference(ref.name, ref.subject, number))
    return tuple(pinned)
