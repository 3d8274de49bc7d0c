"""Released versions: the lock says what was released, and released versions never change.

Rule category ``lock``: a released version's file edited (its canonical form, or any attribute
the content hash sees), deleted or renumbered; a released subject no contract declares; a gap
in the released versions (a deleted lock entry would un-release its version); a level weaker
than the one a version was released at; and reference pins that changed, point at a shared
version that does not exist, or at a shared version whose file was edited; and a released
version's data contract (its metadata and rule set from ``contract.toml``) changed. Each
message names the real cause: a changed pin is not reported as an edited file.
"""

from __future__ import annotations

from collections.abc import Iterator

from devicecontracts.catalog import CATALOG_FILE, Catalog, Contract, SchemaVersion, display_path
from devicecontracts.catalog._contract_file import CONTRACT_FILE
from devicecontracts.catalog.lock import LockEntry, Reference, content_hash, data_contract_hash
from devicecontracts.errors import Location
from devicecontracts.findings import Finding, make
from devicecontracts.schema import fingerprint as schema_fingerprint
from devicecontracts.schema.compatibility import CompatibilityLevel

__all__ = ["lock_findings"]


def lock_findings(catalog: Catalog) -> Iterator[Finding]:
    """Every released version the catalog no longer holds exactly as the lock recorded it."""
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
        yield from _gaps(catalog, subject, released)
        yield from _weakened(catalog, contract, released)
        files = {v.version: v for v in contract.versions}
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
            yield from _contract_changed(contract, v, entry)
            dangling = list(_dangling_pins(catalog, contract, v, entry, by_subject))
            yield from dangling
            if v.schema is None or dangling:
                continue  # invalid: reported already; a dangling pin is the cause of any change
            yield from _changed(catalog, contract, v, entry, by_subject)


def _contract_changed(contract: Contract, v: SchemaVersion, entry: LockEntry) -> Iterator[Finding]:
    """A released version whose data contract (metadata, rule set) is no longer the one the
    lock recorded (entries from before data contracts were recorded are not checked)."""
    if entry.contract is None or data_contract_hash(contract, v) == entry.contract:
        return
    file = (
        contract.data.file
        if contract.data is not None
        else display_path(contract.folder / CONTRACT_FILE)
    )
    yield make(
        "released-contract-changed",
        f"the data contract of released version v{v.version} of {contract.subject} changed: "
        f"its metadata or rule set from {CONTRACT_FILE} is not the one it was released with",
        f"restore {file} for v{v.version}, or start the change at the next version "
        "(from_version, [versions.N]): the registry holds a version's metadata and rules as "
        "released, and Confluent registers a changed rule set only as a new version",
        location=Location(file=file, subject=contract.subject, version=v.version),
    )


def _gaps(catalog: Catalog, subject: str, released: dict[int, LockEntry]) -> Iterator[Finding]:
    missing = sorted(set(range(1, max(released, default=0) + 1)) - set(released))
    if not missing:
        return
    shown = ", ".join(f"v{m}" for m in missing)
    yield make(
        "released-version-gap",
        f"the lock releases {subject} up to v{max(released)} but has no entry for {shown}: "
        "a deleted lock entry would un-release its version, which could then be edited",
        f"restore the lock entries of {subject} {shown} from git (contracts.lock.json)",
        location=Location(file=str(catalog.lock.path), subject=subject, version=missing[0]),
    )


def _weakened(
    catalog: Catalog, contract: Contract, released: dict[int, LockEntry]
) -> Iterator[Finding]:
    """The newest released version whose recorded level the contract's level no longer keeps."""
    table = f"[{'shared' if contract.kind == 'shared' else 'messages'}.{contract.name}]"
    kept: set[str] = set()  # recorded levels the contract's level keeps, checked once each
    for number in sorted(released, reverse=True):
        recorded = released[number].level
        if recorded is None or recorded in kept:
            continue  # released before levels were recorded, or at a level already checked
        try:
            old = CompatibilityLevel.parse(recorded)
        except ValueError:
            yield make(
                "released-level-weakened",
                f"the lock records an unknown level {recorded!r} for {contract.subject} v{number}",
                "restore contracts.lock.json from git",
                location=Location(str(catalog.lock.path), contract.subject, number),
            )
            return
        lost = _lost(old, contract.level)
        if lost:
            yield make(
                "released-level-weakened",
                f"{contract.subject} is at {contract.level.value}, but v{number} was released at "
                f"{old.value}: the new level drops {', '.join(lost)}",
                f'set compatibility = "{old.value}" (or a stronger level) in {table}; a weaker '
                "level needs a waiver in waivers.toml",
                location=Location(
                    file=display_path(catalog.root / CATALOG_FILE), subject=contract.subject
                ),
                previous_version=number,
            )
            return
        kept.add(recorded)


def _lost(old: CompatibilityLevel, new: CompatibilityLevel) -> list[str]:
    """What ``new`` no longer promises of ``old``; empty when ``new`` is as strong or stronger."""
    lost = []
    if old.backward and not new.backward:
        lost.append("BACKWARD (new schemas read old data)")
    if old.forward and not new.forward:
        lost.append("FORWARD (old schemas read new data)")
    if (old.backward or old.forward) and old.transitive and not new.transitive:
        lost.append("the transitive check against every earlier version")
    return lost


def _dangling_pins(
    catalog: Catalog,
    contract: Contract,
    v: SchemaVersion,
    entry: LockEntry,
    by_subject: dict[str, Contract],
) -> Iterator[Finding]:
    """Pins to a shared version no contract holds (loading fell back to the latest one)."""
    for ref in entry.references:
        if _pinned_version(by_subject, ref) is not None:
            continue
        yield make(
            "released-reference-changed",
            f"released version v{v.version} of {contract.subject} pins {ref.name} to "
            f"{ref.subject} v{ref.version}, which does not exist",
            f"restore the references of {contract.subject} v{v.version} in contracts.lock.json "
            "from git: a pin names the shared version the release was made against",
            location=Location(str(catalog.lock.path), contract.subject, v.version),
        )


def _changed(
    catalog: Catalog,
    contract: Contract,
    v: SchemaVersion,
    entry: LockEntry,
    by_subject: dict[str, Contract],
) -> Iterator[Finding]:
    """A parsed released version that differs from its entry, by its real cause."""
    assert v.schema is not None
    subject, number = contract.subject, v.version
    released = catalog.lock.released(subject)
    # The hash made while loading (the file's JSON decoded once), else from the text.
    content = v.content if v.content is not None else content_hash(v.schema.source)
    file_unchanged = content == entry.content
    # A hash of the canonical form, computed once here and not kept on the schema (as
    # Schema.fingerprint would keep the form: 9 MB at 10,000 versions, for no later reader).
    fingerprint = schema_fingerprint(v.schema.root)
    if fingerprint != entry.fingerprint and file_unchanged:
        yield _reference_cause(catalog, contract, v, entry, by_subject)
    elif fingerprint != entry.fingerprint:
        fingerprints = {e.fingerprint: n for n, e in released.items()}
        moved = fingerprints.get(fingerprint)
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
            location=contract.location(v, "/"),
        )
    elif not file_unchanged:
        yield make(
            "released-version-changed",
            f"released version v{number} of {subject} was edited (doc, default, alias, "
            "order or another attribute): the registry would see a new schema",
            f"revert {v.display} and put the change in a new version",
            location=contract.location(v, "/"),
        )
    else:
        yield from _unpinned(catalog, contract, v, entry)


def _reference_cause(
    catalog: Catalog,
    contract: Contract,
    v: SchemaVersion,
    entry: LockEntry,
    by_subject: dict[str, Contract],
) -> Finding:
    """The file is as released but its resolved schema is not: an edited shared version it
    pins, or a pin changed in the lock."""
    subject, number = contract.subject, v.version
    for ref in entry.references:
        shared = _pinned_version(by_subject, ref)
        recorded = catalog.lock.entry(ref.subject, ref.version)
        if (
            shared is not None
            and shared.schema is not None
            and recorded is not None
            and shared.schema.fingerprint != recorded.fingerprint
        ):
            return make(
                "released-reference-changed",
                f"released version v{number} of {subject} is unchanged, but the shared version "
                f"it pins, {ref.subject} v{ref.version} ({shared.display}), was edited",
                f"revert {shared.display}; a change to a shared type belongs in a new version "
                "of it",
                location=Location(v.display, subject, number),
            )
    pins = ", ".join(f"{r.name} v{r.version}" for r in entry.references) or "no reference"
    return make(
        "released-reference-changed",
        f"released version v{number} of {subject} is unchanged ({v.display}), but the lock now "
        f"pins {pins}, and with those pins it is not the schema that was released: a reference "
        "pin in contracts.lock.json was changed",
        f"restore the references of {subject} v{number} in contracts.lock.json from git",
        location=Location(str(catalog.lock.path), subject, number),
    )


def _unpinned(
    catalog: Catalog, contract: Contract, v: SchemaVersion, entry: LockEntry
) -> Iterator[Finding]:
    """References the released schema uses that its entry does not pin: they would follow the
    latest shared version, so a later shared release would change what the release means."""
    pinned = {r.name for r in entry.references}
    missing = [r for r in v.references if r.name not in pinned]
    if missing:
        names = ", ".join(r.name for r in missing)
        yield make(
            "released-reference-changed",
            f"the lock entry of released version v{v.version} of {contract.subject} does not pin "
            f"{names}, which it references",
            f"restore the references of {contract.subject} v{v.version} in contracts.lock.json "
            "from git",
            location=Location(str(catalog.lock.path), contract.subject, v.version),
        )


def _pinned_version(by_subject: dict[str, Contract], ref: Reference) -> SchemaVersion | None:
    owner = by_subject.get(ref.subject)
    if owner is None:
        return None
    return next((w for w in owner.versions if w.version == ref.version), None)
