"""The imperative half of a release: ask the registry, preflight, register, record ids.

`gather` asks the registry what it holds for every subject of the catalog (read-only);
`registry.release.plan_release` decides; `preflight` asks the registry's verdict on every
pending version (read-only); `register` carries the plan out. The CLI strings them together.

Every request about a catalog version carries the metadata and rule set the catalog declares
for it (`Contract.metadata`, `Contract.rule_set`), an empty one as ``{}``: registered exactly
so, nothing is inherited from the previous version, and lookups and checks see the version as
the registry will hold it (with a compatibility group, its major). ``normalize`` asks the
registry to normalize each schema (``?normalize=true``) on every one of those requests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from devicecontracts.catalog import Catalog, Contract, SchemaVersion
from devicecontracts.catalog.lock import Reference
from devicecontracts.errors import Location, RegistryError, RegistryRequestError
from devicecontracts.findings import Finding
from devicecontracts.registry import RegisteredVersion, SchemaRegistry
from devicecontracts.registry._drift import held_metadata
from devicecontracts.registry.release import (
    CONFIG_FIELDS,
    Preflight,
    RegistryFacts,
    RegistryMatch,
    ReleasePlan,
    SubjectFacts,
    SubjectPlan,
    VersionAction,
    inlined_text,
    our_verdict,
    race_finding,
    registry_references,
    release_order,
    schema_text,
)
from devicecontracts.schema.compatibility import CompatibilityLevel

__all__ = [
    "Outcome",
    "config_words",
    "gather",
    "in_force",
    "preflight",
    "register",
    "register_as_planned",
    "restore_config",
    "set_config_for_preflight",
]

Say = Callable[[str], None]


def gather(catalog: Catalog, registry: SchemaRegistry, *, normalize: bool = False) -> RegistryFacts:
    """What the registry holds for every subject of ``catalog`` (only reads).

    Each catalog version is looked up with its references pinned to the registry's versions of
    the shared types, so a version matches only if the registry holds exactly it. The lookup
    carries the metadata and rule set the catalog declares for the version; a version the
    registry holds with others (drift, or registered before the catalog declared them) is found
    by its schema alone, or with the metadata and rule set of a registered version no other
    catalog version matched. Every matched live version is read, for its metadata and rule set.
    """
    facts = RegistryFacts(registry.settings.display, registry.global_level())
    global_config: dict[str, Any] | None = None
    registered: dict[tuple[str, int], int] = {}
    for contract in release_order(catalog):
        subject = contract.subject
        every = registry.versions(subject, deleted=True)
        live = registry.versions(subject) if every else []
        own = registry.subject_config(subject)
        if global_config is None:
            global_config = registry.global_config()
        found = SubjectFacts(
            subject,
            tuple(live),
            tuple(sorted(set(every) - set(live))),
            registry.config_level(own, subject),
            config=own,
            in_force=in_force(own, global_config),
        )
        facts.subjects[subject] = found
        if not every:
            continue
        # References point at other subjects only, so every version can be looked up first.
        hits: dict[int, RegisteredVersion | None] = {}
        pinned: dict[int, tuple[Reference, ...]] = {}
        for v in contract.versions:
            refs = registry_references(v, registered) if v.schema is not None else None
            if refs is None:
                continue  # invalid, or a version it references is not registered: neither is it
            pinned[v.version] = refs
            hits[v.version] = _find(registry, contract, v, refs, normalize)
        taken = {hit.version for hit in hits.values() if hit is not None}
        unmatched = [n for n in live if n not in taken]
        for v in contract.versions:
            if v.version not in hits:
                continue
            hit = hits[v.version]
            if hit is None and unmatched:
                hit = _find_as_held(
                    registry, subject, v, pinned[v.version], unmatched, normalize=normalize
                )
                if hit is not None:
                    unmatched.remove(hit.version)
            if hit is None:
                continue
            match = RegistryMatch(hit.version, hit.schema_id, deleted=hit.version not in live)
            if not match.deleted:
                held = registry.version(subject, hit.version)
                match = RegistryMatch(
                    hit.version, hit.schema_id, False, held.metadata, held.rule_set, read=True
                )
                registered[(subject, v.version)] = hit.version
            found.matches[v.version] = match
        matched = {m.version for m in found.matches.values()}
        for number in live:
            if number not in matched:
                found.ids[number] = registry.version(subject, number).schema_id
    return facts


def in_force(own: dict[str, Any] | None, global_config: dict[str, Any] | None) -> dict[str, Any]:
    """The config the registry applies to a subject (Confluent's ``getConfigInScope``): with a
    config of its own, that one's defaults and overrides and its group (else the global one);
    without, the global config."""
    glob = global_config or {}
    if own is None:
        return {k: glob[k] for k in CONFIG_FIELDS if glob.get(k) is not None}
    merged = {k: own[k] for k in CONFIG_FIELDS if own.get(k) is not None}
    if merged.get("compatibilityGroup") is None and glob.get("compatibilityGroup") is not None:
        merged["compatibilityGroup"] = glob["compatibilityGroup"]
    return merged


def _find(
    registry: SchemaRegistry,
    contract: Contract,
    v: SchemaVersion,
    refs: Sequence[Reference],
    normalize: bool,
) -> RegisteredVersion | None:
    """The registered version identical to ``v`` with the metadata and rule set the catalog
    declares, else with its schema alone (what a version registered without them matches)."""
    text = schema_text(v)
    hit = registry.lookup(
        contract.subject,
        text,
        refs,
        deleted=True,
        metadata=contract.metadata(v.version),
        rule_set=contract.rule_set(v.version),
        normalize=normalize,
    )
    if hit is None:
        hit = registry.lookup(contract.subject, text, refs, deleted=True, normalize=normalize)
    return hit


def _find_as_held(
    registry: SchemaRegistry,
    subject: str,
    v: SchemaVersion,
    refs: Sequence[Reference],
    candidates: Sequence[int],
    *,
    normalize: bool,
) -> RegisteredVersion | None:
    """The candidate version whose schema is ``v``'s, by the registry's own lookup with the
    candidate's metadata and rule set: the same schema, registered with other ones."""
    from devicecontracts.datacontracts import rule_set_from_registry

    text = schema_text(v)
    for number in candidates:
        held = registry.version(subject, number)
        hit = registry.lookup(
            subject,
            text,
            refs,
            deleted=False,
            metadata=held_metadata(held.metadata) if held.metadata is not None else None,
            rule_set=rule_set_from_registry(held.rule_set) if held.rule_set is not None else None,
            normalize=normalize,
        )
        if hit is not None and hit.version == number:
            return hit
    return None


def preflight(
    plan: ReleasePlan,
    registry: SchemaRegistry,
    level_of: Callable[[SubjectPlan], CompatibilityLevel],
    *,
    normalize: bool = False,
) -> list[Preflight]:
    """The registry's verdict on every pending version, beside ours (only reads).

    ``POST /compatibility/subjects/{s}/versions?verbose=true`` runs the check register will run,
    against the versions registered now. A version whose references are not registered yet is
    sent with them inlined: the registry checks the resolved schema either way. ``level_of``
    says at which level the registry checks each subject (for our verdict beside it).
    """
    registered = plan.registry_versions()
    results: list[Preflight] = []
    for sp, vp in plan.pending:
        v = vp.version
        refs = registry_references(v, registered)
        metadata, rule_set = sp.contract.metadata(v.version), sp.contract.rule_set(v.version)
        text = inlined_text(v) if refs is None else schema_text(v)
        verdict = registry.check(
            sp.subject,
            text,
            refs or (),
            metadata=metadata,
            rule_set=rule_set,
            normalize=normalize,
        )
        level = level_of(sp)
        results.append(
            Preflight(
                sp.subject,
                v,
                level,
                verdict.compatible,
                verdict.messages,
                our_verdict(sp, v, level),
                inlined=refs is None,
            )
        )
    return results


@dataclass
class Outcome:
    """What a registration run did, for the summary (and the lock, written by the caller).

    ``race`` is the finding that stopped the run when another release took a version first;
    ``unguarded`` says the registry ignores the expected version (Confluent before 7.4).
    """

    registered: list[tuple[SubjectPlan, SchemaVersion, RegisteredVersion]] = field(
        default_factory=list
    )
    levels_set: list[SubjectPlan] = field(default_factory=list)
    configs_set: list[SubjectPlan] = field(default_factory=list)
    ids_recorded: list[tuple[str, int, int]] = field(default_factory=list)
    returned_existing: list[tuple[SubjectPlan, SchemaVersion, RegisteredVersion]] = field(
        default_factory=list
    )
    lock_changed: bool = False
    race: Finding | None = None
    unguarded: bool = False


def set_levels_for_preflight(
    plan: ReleasePlan, registry: SchemaRegistry, outcome: Outcome, say: Say
) -> list[SubjectPlan]:
    """Set the declared level on subjects whose registered history the preflight checks.

    The registry checks at the level it holds, and register runs at the declared one; so, for
    a faithful preflight, those levels are set first. `restore_levels` undoes it when the
    preflight fails, leaving the registry as it was.
    """
    changed: list[SubjectPlan] = []
    for sp in plan.subjects:
        if sp.pending and sp.facts.live and sp.sets_level:
            registry.set_level(sp.subject, sp.level)
            changed.append(sp)
            outcome.levels_set.append(sp)
            say(f"set {sp.subject} to {sp.level.value} (was {_was(sp)}) before the preflight")
    return changed


def set_config_for_preflight(
    plan: ReleasePlan, registry: SchemaRegistry, outcome: Outcome, say: Say
) -> list[SubjectPlan]:
    """Set the declared subject config (compatibility group, defaults and overrides) on
    subjects whose registered history the preflight checks: the registry checks a new major
    only against its own major when the group is set. `restore_config` undoes it."""
    changed: list[SubjectPlan] = []
    for sp in plan.subjects:
        if sp.pending and sp.facts.live and sp.sets_config:
            registry.set_config(sp.subject, sp.config_changes)
            changed.append(sp)
            outcome.configs_set.append(sp)
            say(f"set {sp.subject} {config_words(sp)} before the preflight")
    return changed


def restore_config(changed: list[SubjectPlan], registry: SchemaRegistry, say: Say) -> None:
    """Put back the config `set_config_for_preflight` changed (the fields as they were)."""
    for sp in changed:
        held = sp.facts.config or {}
        registry.set_config(sp.subject, {name: held.get(name) for name in sp.config_changes})
        say(f"restored the config of {sp.subject}")


def config_words(sp: SubjectPlan) -> str:
    """The config changes register makes to ``sp``, in words (no values but the group's)."""
    parts = []
    for name, value in sp.config_changes.items():
        if value is None:
            parts.append(f"{name} cleared")
        elif name == "compatibilityGroup":
            parts.append(f"{name} {value!r}")
        else:
            parts.append(name)
    return ", ".join(parts)


def restore_levels(changed: list[SubjectPlan], registry: SchemaRegistry, say: Say) -> None:
    """Put back the levels `set_levels_for_preflight` changed."""
    for sp in changed:
        if sp.facts.level is None:
            registry.clear_level(sp.subject)
        else:
            registry.set_level(sp.subject, sp.facts.level)
        say(f"restored {sp.subject} to {_was(sp)}")


def _was(sp: SubjectPlan) -> str:
    return sp.facts.level.value if sp.facts.level else f"unset: global {sp.global_level.value}"


def register(
    plan: ReleasePlan,
    catalog: Catalog,
    registry: SchemaRegistry,
    outcome: Outcome,
    say: Say,
    *,
    normalize: bool = False,
) -> None:
    """Carry out ``plan``: levels and configs first, then every pending version, in dependency
    order, each with the metadata and rule set the catalog declares for it.

    The ids the registry returns go into ``catalog.lock`` for the plan's environment as they
    come (``outcome.lock_changed``), so a failure half-way still leaves a lock the caller can
    write with what was registered. When another release took a version this run planned
    (`register_as_planned`), the run stops there with ``outcome.race`` set, and nothing is
    recorded for that version.
    """
    registered = plan.registry_versions()
    already = {sp.subject for sp in outcome.levels_set}
    configured = {sp.subject for sp in outcome.configs_set}
    for sp in plan.subjects:
        if sp.sets_level and sp.subject not in already:
            registry.set_level(sp.subject, sp.level)
            outcome.levels_set.append(sp)
            say(f"set {sp.subject} to {sp.level.value} (was {_was(sp)})")
        if sp.sets_config and sp.subject not in configured:
            registry.set_config(sp.subject, sp.config_changes)
            outcome.configs_set.append(sp)
            say(f"set {sp.subject} {config_words(sp)}")
        newest = sp.facts.newest  # the registry numbers each new version one past this
        for vp in sp.versions:
            v = vp.version
            if vp.action is VersionAction.REGISTERED and vp.match is not None:
                _record(catalog, sp, v, vp.match.schema_id, env=plan.env, o=outcome)
            elif vp.same_as is not None and (sp.subject, vp.same_as) in registered:
                # A copy of an earlier version: references to it resolve to the same version.
                registered[(sp.subject, v.version)] = registered[(sp.subject, vp.same_as)]
            elif vp.action is VersionAction.REGISTER:
                refs = registry_references(v, registered)
                if refs is None:
                    raise RegistryRequestError(
                        f"cannot register v{v.version} of {sp.subject}: a version it references "
                        "is not registered",
                        Location(file=v.display, subject=sp.subject, version=v.version),
                    )
                held = {r for (s, _), r in registered.items() if s == sp.subject}
                result = register_as_planned(
                    registry,
                    sp,
                    v,
                    refs,
                    expected=newest + 1,
                    outcome=outcome,
                    say=say,
                    normalize=normalize,
                )
                if result is None:
                    return
                if result.version in held:
                    # The registry found it identical to a version it holds: nothing new.
                    outcome.returned_existing.append((sp, v, result))
                    say(
                        f"{sp.subject} v{v.version}: the registry already holds it as version "
                        f"{result.version} (id {result.schema_id}); nothing registered"
                    )
                    continue
                if result.version != newest + 1:
                    match = RegistryMatch(result.version, result.schema_id)
                    outcome.race = race_finding(
                        sp, v, newest + 1, registry.versions(sp.subject), registered_as=match
                    )
                    return
                newest = result.version
                registered[(sp.subject, v.version)] = result.version
                outcome.registered.append((sp, v, result))
                _record(catalog, sp, v, result.schema_id, env=plan.env, o=outcome)
                say(
                    f"registered {sp.subject} v{v.version} as version {result.version}, "
                    f"id {result.schema_id}"
                )


def register_as_planned(
    registry: SchemaRegistry,
    sp: SubjectPlan,
    v: SchemaVersion,
    refs: Sequence[Reference],
    *,
    expected: int,
    outcome: Outcome,
    say: Say,
    normalize: bool = False,
) -> RegisteredVersion | None:
    """Register ``v`` as the registry's version ``expected`` of its subject, or learn that
    another release got there first (None, with ``outcome.race`` set; nothing registered).

    The subject's newest version must still be ``expected - 1`` just before; the request
    carries ``expected``, which Confluent 7.4 and later enforce atomically (see
    `SchemaRegistry.register`); on older registries the caller compares the version it got.
    A refusal is read in the light of the subject's versions: if the schema landed as
    ``expected`` after all (a retried request whose answer was lost, or the same schema from
    another release), that is success; if another version took ``expected``, it is a race.
    """
    text = schema_text(v)
    metadata, rule_set = sp.contract.metadata(v.version), sp.contract.rule_set(v.version)
    before = registry.versions(sp.subject, deleted=True)
    if max(before, default=0) != expected - 1:
        outcome.race = race_finding(sp, v, expected, registry.versions(sp.subject))
        return None
    try:
        result = registry.register(
            sp.subject,
            text,
            refs,
            version=expected,
            metadata=metadata,
            rule_set=rule_set,
            normalize=normalize,
        )
    except RegistryError as refused:
        try:
            after = registry.versions(sp.subject, deleted=True)
            mine = registry.lookup(
                sp.subject,
                text,
                refs,
                deleted=False,
                metadata=metadata,
                rule_set=rule_set,
                normalize=normalize,
            )
        except RegistryError:
            raise refused from None
        if mine is not None and mine.version == expected:
            result = mine
        elif max(after, default=0) >= expected:
            outcome.race = race_finding(sp, v, expected, registry.versions(sp.subject))
            return None
        else:
            raise
    if registry.version_guard is False and not outcome.unguarded:
        outcome.unguarded = True
        say(
            f"note: {registry.settings.display} does not take the expected version with a "
            "registration (Confluent before 7.4): versions are checked before and after each "
            "registration instead, which cannot stop another release in between"
        )
    return result


def _record(
    catalog: Catalog, sp: SubjectPlan, v: SchemaVersion, schema_id: int, *, env: str, o: Outcome
) -> None:
    if catalog.lock.record_id(sp.subject, v, env, schema_id, sp.level.value):
        o.lock_changed = True
        o.ids_recorded.append((sp.subject, v.version, schema_id))
