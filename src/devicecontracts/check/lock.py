"""Released versions: the lock says what was released, and released versions never change.

Rule category ``lock``: a released version's file edited (its canonical form, or any attribute
the content hash sees), deleted or renumbered, or a released subject no contract declares.
"""

from __future__ import annotations

from collections.abc import Iterator

from devicecontracts.catalog import Catalog
from devicecontracts.catalog.lock import content_hash
from devicecontracts.errors import Location
from devicecontracts.findings import Finding, make

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
                    location=contract.location(v, "/"),
                )
            elif content_hash(v.schema.source) != entry.content:
                yield make(
                    "released-version-changed",
                    f"released version v{number} of {subject} was edited (doc, default, alias, "
                    "order or another attribute): the registry would see a new schema",
                    f"revert {v.display} and put the change in a new version",
                    location=contract.location(v, "/"),
                )
