"""The lock of released versions: ``schemas/contracts.lock.json``.

For each subject and released version it records

* ``fingerprint``: SHA-256 of the schema's Parsing Canonical Form (the Avro identity of the
  schema: what readers and writers see);
* ``content``: SHA-256 of the schema's whole JSON with sorted keys, so an edit that keeps the
  canonical form (a doc, a default, an alias, field order) is caught too: the registry treats
  such a schema as a new one and would mint a new id;
* ``references``: the shared-type versions the schema was released against, pinned;
* ``ids``: the schema id per registry environment, once registered;
* ``level``: the subject's compatibility level when the version was released, so a later
  weakening of the level is caught (entries written before levels were recorded have none);
* ``contract``: SHA-256 of the data contract the version was released with (its metadata and
  rule set as the registry's JSON, from ``contract.toml``), so a later change to a released
  version's owner, tags or rules is caught: the registry would need a new version for it
  (entries written before data contracts were recorded have none).

A released version that is edited, deleted or renumbered no longer matches its entry, and
``contracts check`` fails. The file is written atomically (temporary file, fsync, rename), keys
sorted, so it diffs cleanly in review.

Every change to a lock is made here: `Lock.release` mints an entry, `Lock.record_id` records
a registry id, `record_releases` releases a whole catalog, `record_contracts` records the data
contracts of versions released before they were recorded. This module imports neither the
schema parser nor the catalog loader at run time: the runtime reads locks on a cold start.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devicecontracts._depth import MAX_JSON_DEPTH, json_too_deep_at, with_headroom
from devicecontracts.errors import Location, LockError

if TYPE_CHECKING:
    from devicecontracts.catalog._model import Catalog, Contract, SchemaVersion

__all__ = [
    "LOCK_FORMAT",
    "Lock",
    "LockEntry",
    "Reference",
    "content_hash",
    "data_contract_hash",
    "read_lock",
    "record_contracts",
    "record_releases",
    "write_lock",
]

LOCK_FORMAT = 1


@dataclass(frozen=True)
class Reference:
    """A Schema Registry reference: the type's full name, its subject and pinned version."""

    name: str
    subject: str
    version: int

    def to_json(self) -> dict[str, Any]:
        """The registry's JSON form of a reference."""
        return {"name": self.name, "subject": self.subject, "version": self.version}


@dataclass(frozen=True)
class LockEntry:
    """What was released as one version of one subject."""

    fingerprint: str
    content: str
    references: tuple[Reference, ...] = ()
    ids: dict[str, int] = field(default_factory=dict)
    level: str | None = None
    contract: str | None = None

    def reference_version(self, name: str) -> int | None:
        """The pinned version of the reference to full name ``name``, if recorded."""
        for ref in self.references:
            if ref.name == name:
                return ref.version
        return None


@dataclass
class Lock:
    """Released versions by subject and version number; ``path`` is where it lives."""

    path: Path
    subjects: dict[str, dict[int, LockEntry]] = field(default_factory=dict)

    def entry(self, subject: str, version: int) -> LockEntry | None:
        """The entry of one released version, or None when it was not released."""
        return self.subjects.get(subject, {}).get(version)

    def released(self, subject: str) -> dict[int, LockEntry]:
        """Every released version of a subject, by number."""
        return self.subjects.get(subject, {})

    def release(
        self,
        subject: str,
        v: SchemaVersion,
        level: str | None = None,
        contract: str | None = None,
    ) -> LockEntry:
        """Release the parsed version ``v`` of ``subject`` (in memory) at compatibility
        ``level``, with the data contract whose `contract_hash` is ``contract``, and return its
        entry; a version released already keeps the entry it has.

        The entry pins the shared-type versions ``v`` was resolved against, so later shared
        versions never change what a released message means.
        """
        released = self.subjects.setdefault(subject, {})
        entry = released.get(v.version)
        if entry is None:
            assert v.schema is not None, "only a parsed version can be released"
            entry = LockEntry(
                v.schema.fingerprint,
                content_hash(v.schema.source),
                v.references,
                level=str(level) if level is not None else None,
                contract=contract,
            )
            released[v.version] = entry
        return entry

    def record_id(  # noqa: PLR0917 (the release's facts, positional as before)
        self,
        subject: str,
        v: SchemaVersion,
        env: str,
        schema_id: int,
        level: str | None = None,
        contract: str | None = None,
    ) -> bool:
        """Record (in memory) that ``v`` of ``subject`` has ``schema_id`` in environment
        ``env``, releasing it first at ``level`` with data contract ``contract`` when it is not
        released yet (as ``contracts lock`` would). Returns whether the lock changed."""
        created = self.entry(subject, v.version) is None
        entry = self.release(subject, v, level, contract)
        if entry.ids.get(env) == schema_id:
            return created
        entry.ids[env] = schema_id  # ids is the one mutable part of an entry: ids per environment
        return True

    def ids(self, env: str) -> dict[tuple[str, int], int]:
        """The schema ids recorded for environment ``env``, by (subject, version)."""
        return {
            (subject, number): entry.ids[env]
            for subject, versions in self.subjects.items()
            for number, entry in versions.items()
            if env in entry.ids
        }


def record_releases(catalog: Catalog) -> list[tuple[str, int]]:
    """Release every parsed, unreleased version of ``catalog`` in ``catalog.lock`` (in memory);
    returns what was added, as (subject, version)."""
    added: list[tuple[str, int]] = []
    for contract in catalog.ordered():
        for v in contract.versions:
            if v.schema is not None and catalog.lock.entry(contract.subject, v.version) is None:
                catalog.lock.release(
                    contract.subject, v, contract.level.value, data_contract_hash(contract, v)
                )
                added.append((contract.subject, v.version))
    return added


def record_contracts(catalog: Catalog) -> list[tuple[str, int]]:
    """Record (in memory) the current data contract of every released version whose entry has
    none (released before data contracts were recorded); returns those, as (subject, version).
    Entries that have one keep it: a changed released contract is a finding, not an update."""
    added: list[tuple[str, int]] = []
    for contract in catalog.ordered():
        released = catalog.lock.subjects.get(contract.subject, {})
        for v in contract.versions:
            entry = released.get(v.version)
            if entry is not None and entry.contract is None:
                released[v.version] = dataclasses.replace(
                    entry, contract=data_contract_hash(contract, v)
                )
                added.append((contract.subject, v.version))
    return added


def data_contract_hash(contract: Contract, v: SchemaVersion) -> str:
    """SHA-256 of the data contract version ``v`` of ``contract`` is registered with: its
    metadata and rule set as the registry's JSON (both ``{}`` without ``contract.toml``)."""
    document = {
        "metadata": contract.metadata(v.version).to_registry(),
        "ruleSet": contract.rule_set(v.version).to_registry(),
    }
    if document == _NO_CONTRACT:
        return _NO_CONTRACT_HASH
    return content_hash(document)


def content_hash(source: Any) -> str:
    """SHA-256 of a schema's JSON with sorted keys and no whitespace."""
    text = with_headroom(
        lambda: json.dumps(source, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    )
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def read_lock(path: Path) -> Lock:
    """Read the lock at ``path``; a missing file is an empty lock (nothing released yet)."""
    if not path.exists():
        return Lock(path)
    where = Location(file=str(path))
    try:
        text = path.read_text(encoding="utf-8")
        deep_at = _too_deep_at(text)
        if deep_at >= 0:
            line = text.count("\n", 0, deep_at) + 1
            raise LockError(
                f"the lock file nests more than {MAX_JSON_DEPTH:,} levels deep, which no lock"
                " does; restore it from git",
                Location(str(path), line=line, column=deep_at - text.rfind("\n", 0, deep_at)),
            )
        data = with_headroom(lambda: json.loads(text))
    except json.JSONDecodeError as exc:
        raise LockError(
            f"the lock file is not valid JSON ({exc.msg}); restore it from git",
            Location(str(path), line=exc.lineno, column=exc.colno),
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(f"cannot read the lock file: {exc}", where) from None
    except ValueError:  # an integer longer than Python converts: no lock writes one
        raise LockError(
            "the lock file holds a number longer than Python reads, which no lock does; "
            "restore it from git",
            where,
        ) from None
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
        raise LockError(
            f'unsupported lock file: expected an object with "format": {LOCK_FORMAT}', where
        )
    lock = Lock(path)
    try:
        for subject, versions in data.get("subjects", {}).items():
            lock.subjects[subject] = {int(number): _entry(raw) for number, raw in versions.items()}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise LockError(f"malformed lock entry ({exc}); restore the file from git", where) from None
    return lock


_NO_CONTRACT: dict[str, Any] = {"metadata": {}, "ruleSet": {}}
_NO_CONTRACT_HASH = content_hash(_NO_CONTRACT)

# The brackets of JSON text, in order: strings removed first (as json_too_deep_at skips them),
# then everything else.
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


def _too_deep_at(text: str) -> int:
    """`json_too_deep_at` of the lock text, without a Python step per bracket for a lock
    that nests as locks do.

    A lock has thousands of brackets but nests a few levels deep: with its brackets alone,
    each pass removing the innermost pairs (in C) empties a properly nested sequence in as many
    passes as it is deep. Anything else (too deep, brackets that do not pair) is measured
    bracket by bracket, as before, for the offset to report.
    """
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    for _ in range(MAX_JSON_DEPTH):
        if not brackets:
            return -1
        brackets, removed = _INNERMOST.subn("", brackets)
        if not removed:
            break
    return -1 if not brackets else json_too_deep_at(text)


def _entry(raw: dict[str, Any]) -> LockEntry:
    refs = tuple(
        Reference(str(r["name"]), str(r["subject"]), int(r["version"]))
        for r in raw.get("references", [])
    )
    ids = {str(env): int(i) for env, i in raw.get("ids", {}).items()}
    level = raw.get("level")
    if level is not None and not isinstance(level, str):
        raise TypeError(f"level must be a string, not {level!r}")
    contract = raw.get("contract")
    if contract is not None and not isinstance(contract, str):
        raise TypeError(f"contract must be a string, not {contract!r}")
    return LockEntry(str(raw["fingerprint"]), str(raw["content"]), refs, ids, level, contract)


def _lock_to_json(lock: Lock) -> dict[str, Any]:
    """The JSON document of a lock."""
    subjects: dict[str, Any] = {}
    for subject in sorted(lock.subjects):
        versions: dict[str, Any] = {}
        for number in sorted(lock.subjects[subject]):
            e = lock.subjects[subject][number]
            raw: dict[str, Any] = {"fingerprint": e.fingerprint, "content": e.content}
            if e.references:
                raw["references"] = [r.to_json() for r in e.references]
            if e.ids:
                raw["ids"] = dict(sorted(e.ids.items()))
            if e.level is not None:
                raw["level"] = e.level
            if e.contract is not None:
                raw["contract"] = e.contract
            versions[str(number)] = raw
        subjects[subject] = versions
    return {"format": LOCK_FORMAT, "subjects": subjects}


def write_lock(lock: Lock) -> None:
    """Write the lock atomically: readers see the old file or the new one, never a torn one."""
    import tempfile  # only writers need it; the runtime reads locks on a Lambda cold start

    text = json.dumps(_lock_to_json(lock), indent=2, sort_keys=False) + "\n"
    directory = lock.path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=".contracts-lock-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, lock.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise LockError(f"cannot write the lock file: {exc}", Location(str(lock.path))) from None
