"""References between versions: a version may use a shared contract's named type by full name.

`parse_versions` parses every version once, shared types first and in whatever order their
references allow, and pins each reference to the shared version the lock recorded for it (the
latest shared version for versions not released yet). A version that cannot be parsed gets
its ``problem``; loading goes on.
"""

from __future__ import annotations

from typing import Any

from devicecontracts._avro import qualify
from devicecontracts.catalog._model import Catalog, Contract, ContractKind, SchemaVersion
from devicecontracts.catalog.lock import LockEntry, Reference, content_hash
from devicecontracts.errors import SchemaError, UnknownTypeError
from devicecontracts.schema import NamedType, load_json, parse_schema, walk

__all__ = ["parse_versions"]


def parse_versions(catalog: Catalog) -> None:
    """Parse every version; shared types first, in whatever order their references allow."""
    shared = [c for c in catalog.contracts.values() if c.kind is ContractKind.SHARED]
    messages = [c for c in catalog.contracts.values() if c.kind is ContractKind.MESSAGE]
    # The full name each shared contract defines, from its raw JSON, so references can be
    # resolved before anything is parsed.
    definers: dict[str, Contract] = {}
    for contract in shared:
        _decode(contract, definers)
    unreadable_shared = [
        v.display
        for contract in shared
        for v in contract.versions
        if not (isinstance(v.raw, dict) and isinstance(v.raw.get("name"), str))
    ]
    resolver = _Resolver(catalog, definers, unreadable_shared)
    for contract in shared:
        for v in contract.versions:
            resolver.parse(v)
    # A message defines nothing others use: its versions are decoded just before they are
    # parsed, so the decoded JSON of one contract's versions is alive at a time, not all.
    for contract in messages:
        _decode(contract, None)
        for v in contract.versions:
            resolver.parse(v)


def _decode(contract: Contract, definers: dict[str, Contract] | None) -> None:
    """Decode each version's JSON into ``raw``; the contract's full name from the latest
    version that names one; with ``definers`` (a shared contract), every version's name
    defined by the contract, unless an earlier contract defines it."""
    for v in contract.versions:
        v.raw = _raw_json(v)
        if isinstance(v.raw, dict) and isinstance(v.raw.get("name"), str):
            contract.fullname = _fullname(v.raw)  # the latest version's name wins
            if definers is not None:
                definers.setdefault(contract.fullname, contract)


_UNREADABLE: Any = object()


def _raw_json(v: SchemaVersion) -> Any:
    if v.problem is not None:
        return _UNREADABLE
    try:
        return load_json(v.text, file=v.display)
    except SchemaError as exc:
        v.problem = exc
        return _UNREADABLE


def _fullname(raw: dict[str, Any]) -> str:
    ns = raw.get("namespace")
    return qualify(raw["name"], ns if isinstance(ns, str) else None)


class _Resolver:
    """Parses versions on demand so a reference is parsed before whatever uses it."""

    def __init__(
        self, catalog: Catalog, definers: dict[str, Contract], unreadable_shared: list[str]
    ) -> None:
        self.catalog = catalog
        self.definers = definers
        self.unreadable_shared = unreadable_shared
        self.in_progress: set[int] = set()

    def parse(self, v: SchemaVersion) -> None:
        if v.schema is not None or v.problem is not None or id(v) in self.in_progress:
            return
        raw = v.raw
        if raw is _UNREADABLE:
            return
        self.in_progress.add(id(v))
        contract = self.catalog.contracts[v.contract]
        entry = self.catalog.lock.entry(contract.subject, v.version)
        if entry is not None:  # released: the hash the lock check compares, while decoded
            content = content_hash(raw)
            v.content = entry.content if content == entry.content else content  # one string
        imported: dict[str, NamedType] = {}
        pins: dict[str, Reference] = {}
        try:
            while True:
                try:
                    schema = parse_schema(
                        raw, named_types=imported, line=self.catalog.line, file=v.display
                    )
                    break
                except UnknownTypeError as exc:
                    target = self._reference_target(exc, v, entry)
                    if target is None and self.unreadable_shared:
                        # The definition may be in a shared file that could not be read.
                        raise UnknownTypeError(
                            f"{exc.message}; these shared type files are invalid and may "
                            f"define it: {', '.join(self.unreadable_shared)}",
                            exc.location,
                            exc.name,
                            exc.candidates,
                        ) from None
                    if target is None:
                        raise
                    self.parse(target)
                    if target.schema is None:
                        raise UnknownTypeError(
                            f"{exc.message}; it is defined by {target.display}, which is invalid",
                            exc.location,
                            exc.name,
                        ) from None
                    imported.update(_exports(target))
                    owner = self.catalog.contracts[target.contract]
                    pins[exc.name] = Reference(exc.name, owner.subject, target.version)
        except SchemaError as exc:
            v.problem = exc
        else:
            # The version keeps its text; its decoded JSON goes (Schema.source decodes again).
            schema.keep_text(v.text)
            v.raw = None
            v.schema = schema
            v.references = tuple(pins[name] for name in schema.references if name in pins)
        finally:
            self.in_progress.discard(id(v))

    def _reference_target(
        self, exc: UnknownTypeError, v: SchemaVersion, entry: LockEntry | None
    ) -> SchemaVersion | None:
        owner = None
        for candidate in exc.candidates:
            owner = self.definers.get(candidate)
            if owner is not None:
                exc.name = candidate
                break
        if owner is None or not owner.versions or owner.name == v.contract:
            return None
        pinned = entry.reference_version(exc.name) if entry else None
        if pinned is not None and 1 <= pinned <= len(owner.versions):
            return owner.versions[pinned - 1]
        return owner.versions[-1]


def _exports(v: SchemaVersion) -> dict[str, NamedType]:
    """The named types a referenced version brings: its own and those it references."""
    assert v.schema is not None
    return {t.fullname: t for t in walk(v.schema.root) if isinstance(t, NamedType)}
