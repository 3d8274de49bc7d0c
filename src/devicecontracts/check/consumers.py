"""Consumer reader contracts: does every writer version deliver what each consumer reads?

Rule category ``consumer``. For each ``consumers/<service>.toml`` (read by
``devicecontracts.catalog``) and each subject it reads, with R the version it decodes into:

- the subject and R must exist (``consumer-unknown-subject``, ``consumer-version-unknown``),
  and every field path it lists must be a field of R (``consumer-field-missing`` at R);
- every *writer version it may still receive* (every version of the subject, released or
  pending; under a compatibility group only those of R's major) is resolved against R as Avro
  does: fields matched by R's name or R's aliases, record branches by full name. A writer
  lacking a field hands the consumer R's default for every record (``consumer-field-defaulted``,
  a warning, one per writer version; none for a path in ``defaults_handled``); without a
  default, decoding that writer's data fails (``consumer-field-missing`` at that version);
- every *pending* version (not in the lock) is compared with the version before it: a consumed
  field it removes is ``consumer-field-removed``, or ``consumer-field-renamed`` when it adds a
  field of the same type without an alias for the old name (a rename through an alias is
  followed by readers decoding into the new version); a changed logical type, decimal, type
  (the changes of `diff_schemas` that change a value's meaning) or unit (`field_unit`) is
  ``consumer-field-meaning-changed``. A removal is reported once, as such, not also as a
  default handed out.

Every finding names the consumer, its owner, the field path and the versions, in the consumer's
file at the line of the path; its path is ``/consumers/<service>/<field path>``, which a
waiver names (``path = "/consumers/telemetry-ingest/battery_mv"``).
`readers_by_subject` lists each subject's consumers for ``contracts check``'s output.
Pure: reads no file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from devicecontracts.catalog import Catalog, Consumer, ConsumerRead, Contract, SchemaVersion
from devicecontracts.findings import Finding, make
from devicecontracts.schema import Array, AvroType, Field, Map, Record, Union
from devicecontracts.schema.diff import Change, diff_schemas

__all__ = ["MEANING_CHANGES", "Reader", "consumer_findings", "field_unit", "readers_by_subject"]

MEANING_CHANGES = frozenset(
    {
        "logical-type-changed",
        "decimal-changed",
        "type-changed",
        "string-bytes-changed",
        "type-widened-lossy",
        "type-narrowed",
        "fixed-size-changed",
    }
)
"""The kinds of `diff_schemas` change that make a consumed value mean something else."""

_UNIT_WORDS = (
    "millivolts|volts|milliamperes|amperes|milliseconds|microseconds|nanoseconds|seconds|"
    "minutes|hours|days|millimetres|metres|meters|kilometres|degrees Celsius|degrees|"
    "percent|watt-hours|kilowatt-hours|watts|kilowatts|hertz|bytes|kilobytes|dBm|hectopascals"
)
_UNIT_RE = re.compile(rf"\b(?:in|as|of)\s+(?:whole\s+)?({_UNIT_WORDS})\b", re.IGNORECASE)


def field_unit(f: Field) -> str:
    """The unit of a field: its ``unit`` property, else the unit its doc names ("Battery
    voltage in millivolts"); "" when neither says."""
    declared = f.props.get("unit")
    if isinstance(declared, str):
        return declared
    found = _UNIT_RE.search(f.doc or "")
    return found.group(1) if found else ""


@dataclass(frozen=True)
class Reader:
    """A consumer of a subject, as ``contracts check`` lists it: the service, its owner and
    file, the reader it declares (``v3``, ``major 1``, ``latest``), the version that is, and
    the fields it reads."""

    service: str
    owner: str
    file: str
    declared: str
    version: int | None
    fields: tuple[str, ...]

    def describe(self) -> str:
        """``telemetry-ingest (fleet-data, v3, 5 fields)``."""
        reader = self.declared
        if self.version is not None and self.declared != f"v{self.version}":
            reader += f" = v{self.version}"
        count = len(self.fields)
        return f"{self.service} ({self.owner}, {reader}, {count} field{'s' * (count != 1)})"

    def to_json(self) -> dict[str, Any]:
        """Stable keys: service, owner, file, reader, version, fields."""
        return {
            "service": self.service,
            "owner": self.owner,
            "file": self.file,
            "reader": self.declared,
            "version": self.version,
            "fields": list(self.fields),
        }


def readers_by_subject(catalog: Catalog) -> dict[str, tuple[Reader, ...]]:
    """Each subject that has consumers, by subject, with its consumers by service (nothing to
    do, and no pass over the contracts, for a catalog without consumer contracts)."""
    if not catalog.consumers:
        return {}
    by_name: dict[str, Contract] = {}
    for contract in catalog.ordered():
        by_name.setdefault(contract.name, contract)
        by_name.setdefault(contract.subject, contract)
    out: dict[str, list[Reader]] = {}
    for consumer in catalog.consumers:
        for read in consumer.reads:
            found = by_name.get(read.contract)
            if found is None:
                continue
            out.setdefault(found.subject, []).append(
                Reader(
                    consumer.service,
                    consumer.owner,
                    consumer.file,
                    read.describe_reader(),
                    read.reader_version(found),
                    read.fields,
                )
            )
    return {s: tuple(sorted(rs, key=lambda r: r.service)) for s, rs in sorted(out.items())}


def consumer_findings(catalog: Catalog) -> Iterator[Finding]:
    """Every consumer contract against the catalog (see the module docstring)."""
    diffs: dict[tuple[int, int], list[Change]] = {}
    for consumer in catalog.consumers:
        for read in consumer.reads:
            yield from _ReadCheck(catalog, consumer, read, diffs).findings()


# -- walking a field path ------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """One name of a path resolved in one schema: the field, its record, and the path of the
    field's type as `diff_schemas` spells paths (from the schema's root)."""

    field: Field
    record: Record
    type_path: str


def _records(t: AvroType, at: str) -> Iterator[tuple[Record, str]]:
    """The records reachable from ``t`` through unions, arrays and maps, with their paths."""
    if isinstance(t, Record):
        yield t, at
    elif isinstance(t, Union):
        for i, branch in enumerate(t.branches):
            yield from _records(branch, f"{at}/{i}")
    elif isinstance(t, Array):
        yield from _records(t.items, f"{at}/items")
    elif isinstance(t, Map):
        yield from _records(t.values, f"{at}/values")


def _named(record: Record, name: str) -> Field | None:
    """The field of ``record`` called ``name``, or carrying it as an alias."""
    found = record.field_named(name)
    if found is None:
        found = next((f for f in record.fields if name in f.aliases), None)
    return found


def _resolve(root: AvroType, names: list[str]) -> tuple[list[_Step], list[Record]]:
    """The steps of ``names`` resolved in one schema, as far as they go, and the records the
    first unresolved name was looked for in (none when every name resolved). Every record a
    name may be in is tried (a union of two records that both have the field), the first
    complete resolution kept, else the deepest."""
    best: list[tuple[list[_Step], list[Record]]] = [([], [])]
    _walk(root, "", [], names, best)
    return best[0]


def _walk(
    t: AvroType,
    at: str,
    steps: list[_Step],
    names: list[str],
    best: list[tuple[list[_Step], list[Record]]],
) -> bool:
    """`_resolve`'s search from type ``t`` with ``steps`` taken; True once complete. A plain
    function, not a closure: a recursive closure is a reference cycle, garbage for a paused
    collector."""
    depth = len(steps)
    if depth == len(names):
        best[0] = (steps, [])
        return True
    records = list(_records(t, at))
    found = False
    for rec, rat in records:
        f = _named(rec, names[depth])
        if f is not None:
            found = True
            step = _Step(f, rec, f"{rat}/fields/{f.position}/type")
            if _walk(f.type, step.type_path, [*steps, step], names, best):
                return True
    if not found and depth >= len(best[0][0]):
        best[0] = (steps, [rec for rec, _ in records])
    return False


@dataclass(frozen=True)
class _Gap:
    """Where Avro resolution of a reader against a writer stops delivering a path: the reader's
    field there, whether it has a default, and a writer field naming it as an alias."""

    depth: int
    field: Field
    renamed_to: str | None


def _delivery(steps: list[_Step], writer: AvroType) -> _Gap | None:
    """None when a writer's data delivers the reader's path (its resolved ``steps``); else
    where it stops. Fields match by the reader's name or aliases, record branches by full name
    (or the only record there), as Avro resolves them."""
    w_type = writer
    for depth, step in enumerate(steps):
        r_rec, r_field = step.record, step.field
        w_recs = [rec for rec, _ in _records(w_type, "")]
        names_of_r = {r_rec.fullname, *r_rec.aliases}
        w_rec = next((rec for rec in w_recs if rec.fullname in names_of_r), None)
        if w_rec is None and len(w_recs) == 1:
            w_rec = w_recs[0]
        if w_rec is None:
            return None  # a type change: the wire check's business, not a missing field
        w_field = w_rec.field_named(r_field.name) or next(
            (w for a in r_field.aliases if (w := w_rec.field_named(a)) is not None), None
        )
        if w_field is None:
            renamed = next((w.name for w in w_rec.fields if r_field.name in w.aliases), None)
            return _Gap(depth, r_field, renamed)
        w_type = w_field.type
    return None


# -- one [[reads]] table -------------------------------------------------------------------


class _ReadCheck:
    def __init__(
        self,
        catalog: Catalog,
        consumer: Consumer,
        read: ConsumerRead,
        diffs: dict[tuple[int, int], list[Change]],
    ) -> None:
        self.catalog = catalog
        self.consumer = consumer
        self.read = read
        self.diffs = diffs
        self.who = f"consumer {consumer.service} (owner {consumer.owner})"

    def _finding(
        self,
        rule: str,
        message: str,
        subject: str | None,
        *,
        path: str | None = None,
        version: int | None = None,
        key: str | None = None,
        hint: str = "",
        previous: int | None = None,
    ) -> Finding:
        where = self.consumer.location(
            subject,
            version=version,
            path=f"/consumers/{self.consumer.service}/{path}" if path is not None else None,
            line=self.read.line_of(path, key),
        )
        return make(rule, message, hint, location=where, previous_version=previous)

    def findings(self) -> Iterator[Finding]:
        read = self.read
        contract = next((c for c in self.catalog.contracts.values() if read.matches(c)), None)
        key = "contract" if "contract" in read.key_lines else "subject"
        if contract is None:
            known = ", ".join(sorted(c.name for c in self.catalog.contracts.values()))
            yield self._finding(
                "consumer-unknown-subject",
                f"{self.who} reads {read.contract!r}, which is no contract or subject of the "
                f"catalog (contracts: {known})",
                read.contract,
                key=key,
            )
            return
        number = read.reader_version(contract)
        if number is None:
            have = ", ".join(f"v{v.version}" for v in contract.versions) or "none"
            yield self._finding(
                "consumer-version-unknown",
                f"{self.who} decodes {contract.subject} into {read.describe_reader()}, which "
                f"{contract.name} does not have (versions: {have})",
                contract.subject,
                key="major" if read.major is not None else "version",
            )
            return
        reader = next(v for v in contract.versions if v.version == number)
        if reader.schema is None:
            return  # an invalid version: reported as such
        yield from self._paths(contract, reader)

    def _paths(self, contract: Contract, reader: SchemaVersion) -> Iterator[Finding]:
        assert reader.schema is not None
        major = contract.major(reader.version)
        released = self.catalog.lock.released(contract.subject)
        receivable = [
            v
            for v in contract.versions
            if v.schema is not None and (major is None or contract.major(v.version) == major)
        ]
        for path in self.read.fields:
            names = path.split(".")
            steps, _ = _resolve(reader.schema.root, names)
            if len(steps) < len(names):
                yield self._missing_in_reader(contract, reader, path, names, len(steps))
                continue
            removed: set[int] = set()
            for before, v in zip(contract.versions, contract.versions[1:], strict=False):
                # Within the reader's major: a new major's first version breaks on purpose,
                # and its migrations, not the reader's fields, bridge the two.
                if v in receivable and before in receivable and v.version not in released:
                    for finding in self._pending(contract, before, v, path, names):
                        if finding.rule != "consumer-field-meaning-changed":
                            removed.add(v.version)
                        yield finding
            for v in receivable:
                if v is reader or v.version in removed:
                    continue
                yield from self._delivered(contract, reader, v, path, (names, steps))

    def _missing_in_reader(
        self, contract: Contract, reader: SchemaVersion, path: str, names: list[str], depth: int
    ) -> Finding:
        having = [
            f"v{v.version}"
            for v in contract.versions
            if v.schema is not None and len(_resolve(v.schema.root, names)[0]) == len(names)
        ]
        missing = ".".join(names[: depth + 1])
        if having:
            why = f"; {', '.join(having)} {'has' if len(having) == 1 else 'have'} it"
            hint = "decode into a version that has the field, or stop listing it"
        else:
            why = ": no version of the contract has it (a typo?)"
            hint = "list the field as the schema names it (dotted, e.g. header.device_id)"
        return self._finding(
            "consumer-field-missing",
            f"{self.who} reads {path}, but v{reader.version} of {contract.subject} (the version "
            f"it decodes into) has no field {missing}{why}",
            contract.subject,
            path=path,
            version=reader.version,
            hint=hint,
        )

    def _delivered(
        self,
        contract: Contract,
        reader: SchemaVersion,
        writer: SchemaVersion,
        path: str,
        resolved: tuple[list[str], list[_Step]],
    ) -> Iterator[Finding]:
        assert writer.schema is not None
        names, steps = resolved
        gap = _delivery(steps, writer.schema.root)
        if gap is None:
            return
        missing = ".".join(names[: gap.depth + 1])
        lacks = (
            f"v{writer.version} has it as {gap.renamed_to!r} (an alias of the old name), which "
            f"v{reader.version} does not know"
            if gap.renamed_to
            else f"v{writer.version} does not write {missing}"
        )
        if not gap.field.has_default:
            yield self._finding(
                "consumer-field-missing",
                f"{self.who} reads {path} decoding into v{reader.version}: {lacks}, and "
                f"v{reader.version}'s field has no default, so decoding v{writer.version} data "
                "fails",
                contract.subject,
                path=path,
                version=writer.version,
                hint="give the field a default in the reader's version, or decode into a "
                "version the writer's data resolves to",
                previous=reader.version,
            )
            return
        if path in self.read.defaults_handled:
            return
        default = json.dumps(gap.field.default, ensure_ascii=False)
        yield self._finding(
            "consumer-field-defaulted",
            f"{self.who} reads {path} decoding into v{reader.version}: {lacks}, so every "
            f"v{writer.version} record hands it the default {default} instead of data",
            contract.subject,
            path=path,
            version=writer.version,
            hint=(
                f"decode into v{writer.version} or later"
                if gap.renamed_to
                else f'if the service handles {default}, add "{path}" to defaults_handled in '
                "its consumers/ file; else keep writers from dropping the field"
            ),
            previous=reader.version,
        )

    def _pending(
        self,
        contract: Contract,
        before: SchemaVersion,
        pending: SchemaVersion,
        path: str,
        names: list[str],
    ) -> Iterator[Finding]:
        if before.schema is None or pending.schema is None:
            return
        old_steps, _ = _resolve(before.schema.root, names)
        if len(old_steps) < len(names):
            return  # not there before: nothing to remove or change
        new_steps, parents = _resolve(pending.schema.root, names)
        pair = f"v{before.version} -> v{pending.version} (pending)"
        if len(new_steps) < len(names):
            depth = len(new_steps)
            gone = old_steps[depth].field
            old_names = {f.name for f in old_steps[depth].record.fields}
            successor = next(
                (
                    f
                    for rec in parents
                    for f in rec.fields
                    if f.name not in old_names and f.type.shape == gone.type.shape
                ),
                None,
            )
            removed = ".".join(names[: depth + 1])
            if successor is not None:
                yield self._finding(
                    "consumer-field-renamed",
                    f"{self.who} reads {path}: {pair} removes {removed} and adds "
                    f"{successor.name!r} of the same type without an alias for {gone.name!r}: "
                    "renamed?",
                    contract.subject,
                    path=path,
                    version=pending.version,
                    hint=f'if {successor.name!r} is {gone.name!r} renamed, give it "aliases": '
                    f'["{gone.name}"] and tell {self.consumer.owner}; else keep {gone.name!r}',
                    previous=before.version,
                )
            else:
                default = (
                    f"the default {json.dumps(gone.default, ensure_ascii=False)}"
                    if gone.has_default
                    else "nothing: decoding fails"
                )
                yield self._finding(
                    "consumer-field-removed",
                    f"{self.who} reads {path}: {pair} removes {removed}; readers decoding "
                    f"into older versions get {default} for every v{pending.version} record",
                    contract.subject,
                    path=path,
                    version=pending.version,
                    previous=before.version,
                )
            return
        yield from self._meaning(contract, before, pending, path, steps=(old_steps, new_steps))

    def _meaning(
        self,
        contract: Contract,
        before: SchemaVersion,
        pending: SchemaVersion,
        path: str,
        *,
        steps: tuple[list[_Step], list[_Step]],
    ) -> Iterator[Finding]:
        assert before.schema is not None and pending.schema is not None
        old_steps, new_steps = steps
        key = (id(before), id(pending))
        changes = self.diffs.get(key)
        if changes is None:
            changes = self.diffs[key] = diff_schemas(before.schema.root, pending.schema.root)
        leaf = new_steps[-1].type_path
        on_path = {s.type_path for s in new_steps}
        said = [
            c.message
            for c in changes
            if c.kind in MEANING_CHANGES and (c.path in on_path or c.path.startswith(leaf + "/"))
        ]
        old_unit, new_unit = field_unit(old_steps[-1].field), field_unit(new_steps[-1].field)
        if old_unit and new_unit and old_unit.lower() != new_unit.lower():
            said.append(f"the unit of {path} changed from {old_unit} to {new_unit}")
        if said:
            yield self._finding(
                "consumer-field-meaning-changed",
                f"{self.who} reads {path}: v{before.version} -> v{pending.version} (pending) "
                f"changes its meaning: {'; '.join(said)}",
                contract.subject,
                path=path,
                version=pending.version,
                previous=before.version,
            )
