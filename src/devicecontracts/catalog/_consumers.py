"""``consumers/<name>.toml``: consumer reader contracts, one file per consuming service.

A consumer team commits a file beside ``catalog.toml`` saying who it is, which subjects it
reads, the fields it actually uses and the model version it decodes into, so that
``contracts check`` can tell, before a change is released, whether it would remove, rename or
change the meaning of something a service reads, or silently hand it a default::

    # consumers/telemetry-ingest.toml
    service = "telemetry-ingest"      # optional: the file's stem when left out
    owner = "fleet-data"              # the team to talk to (required)
    description = "Lambda writing telemetry into the time-series store."   # optional

    [[reads]]                         # one table per subject read
    contract = "telemetry"            # the contract's name or its registry subject
    version = 3                       # the model version it decodes into (models.telemetry.v3);
                                      # or major = 1: the latest version of major 1;
                                      # neither: the latest version (what models.Telemetry is)
    fields = [                        # the field paths it uses (see below)
      "header.device_id",
      "readings.value",
      "battery_mv",
    ]
    defaults_handled = ["battery_mv"] # optional: fields whose reader default (null from older
                                      # firmware) the service handles: no warning when a
                                      # released writer version lacks them

**Field paths.** A path is field names joined by dots, each name as the consumer's reader
version spells it (a field's alias is accepted too): ``battery_mv``, ``header.device_id``.
Records nested in arrays, maps and unions are stepped through without any marker:
``readings.value`` is the ``value`` of each ``readings`` item, ``location.lat`` the ``lat`` of
an optional ``["null", GeoPoint]``, and through a map the name after it is a field of the map's
values. A path may end at any field, a record-valued one included (reading all of it). Names
are Avro names (a letter or ``_``, then letters, digits, ``_``); a path never starts or ends
with a dot.

`read_consumers` reads and type-checks every file; a malformed one becomes a `LoadProblem`
(``consumer-invalid``) naming the file and line, and is left out, so one team's typo never
stops the check of the whole catalog. Whether the contracts, versions and fields exist, and
whether every writer version delivers them, is ``devicecontracts.check.consumers``. Loading
keeps the consumers as `Catalog.consumers`; `Catalog.consumers_of` answers "which services
read field X of subject S".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from devicecontracts.catalog._toml import read_toml
from devicecontracts.errors import CatalogError, Location

if TYPE_CHECKING:
    from devicecontracts.catalog._model import Contract, LoadProblem

__all__ = [
    "CONSUMERS_FOLDER",
    "Consumer",
    "ConsumerRead",
    "read_consumers",
    "valid_path",
]

CONSUMERS_FOLDER = "consumers"

_TOP_KEYS = {"service", "owner", "description", "reads"}
_READ_KEYS = {"contract", "subject", "version", "major", "fields", "defaults_handled"}
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = re.compile(rf"{_NAME}(?:\.{_NAME})*\Z")
_HEADER = re.compile(r"^\s*\[(\[)?\s*([^\]]+?)\s*\]")


def valid_path(path: str) -> bool:
    """Whether ``path`` follows the field-path grammar (names joined by dots)."""
    return bool(_PATH.match(path))


@dataclass(frozen=True)
class ConsumerRead:
    """One subject a consumer reads: the contract (its name or subject, as written), the
    reader version or major it decodes into, the field paths it uses, and where they are."""

    contract: str
    fields: tuple[str, ...]
    version: int | None = None
    major: int | None = None
    defaults_handled: frozenset[str] = frozenset()
    line: int | None = None
    """The line of the ``[[reads]]`` header."""
    field_lines: Mapping[str, int] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict)
    """Lines of ``contract``/``subject``, ``version``, ``major`` in the table."""

    def line_of(self, path: str | None = None, key: str | None = None) -> int | None:
        """The line of field ``path`` (or of ``key``) in the file, else of the table."""
        if path is not None and path in self.field_lines:
            return self.field_lines[path]
        if key is not None and key in self.key_lines:
            return self.key_lines[key]
        return self.line

    def matches(self, contract: Contract) -> bool:
        """Whether this read names ``contract`` (by name or registry subject)."""
        return self.contract in (contract.name, contract.subject)

    def reads(self, path: str) -> bool:
        """Whether this read uses field ``path`` or any part of it: a path it lists equal to
        ``path``, inside it (``header.device_id`` for ``header``) or holding it whole
        (``header`` for ``header.device_id``)."""
        return any(
            p == path or p.startswith(path + ".") or path.startswith(p + ".") for p in self.fields
        )

    def reader_version(self, contract: Contract) -> int | None:
        """The version of ``contract`` this read decodes into: ``version``; the latest version
        of ``major`` (without a compatibility group every version is major 1); else the latest
        version. None when there is no such version."""
        numbers = [v.version for v in contract.versions]
        if self.version is not None:
            return self.version if self.version in numbers else None
        if self.major is not None:
            in_major = [n for n in numbers if (contract.major(n) or 1) == self.major]
            return max(in_major, default=None)
        return max(numbers, default=None)

    def describe_reader(self) -> str:
        """``v3``, ``major 1`` or ``latest``: the reader as declared."""
        if self.version is not None:
            return f"v{self.version}"
        if self.major is not None:
            return f"major {self.major}"
        return "latest"


@dataclass(frozen=True)
class Consumer:
    """A consuming service's reader contract (``consumers/<name>.toml``)."""

    name: str
    """The file's stem."""
    service: str
    owner: str
    file: str
    """The file as messages show it."""
    reads: tuple[ConsumerRead, ...]
    description: str | None = None

    def location(self, subject: str | None = None, **where: Any) -> Location:
        """A location in this consumer's file, about ``subject``."""
        return Location(file=self.file, subject=subject, **where)


def read_consumers(root: Path, shown: str, problems: list[LoadProblem]) -> tuple[Consumer, ...]:
    """Every ``root/consumers/*.toml``, by file name; ``shown`` is the folder as messages show
    it. A malformed file, or a second file for one service, is added to ``problems``."""
    from devicecontracts.catalog._model import LoadProblem

    folder = root / CONSUMERS_FOLDER
    if not folder.is_dir():
        return ()
    consumers: list[Consumer] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        display = f"{shown}/{path.name}"
        if path.suffix != ".toml":
            problems.append(
                LoadProblem(
                    "consumer-invalid",
                    f"{path.name} is not a consumer contract (consumers/<service>.toml)",
                    "rename it to <service>.toml, or move it out of consumers/",
                    Location(file=display),
                )
            )
            continue
        try:
            consumer = _read_file(path, display)
        except CatalogError as exc:
            problems.append(
                LoadProblem(
                    "consumer-invalid",
                    exc.message,
                    "fix the file: see the consumer-contract format in the README",
                    exc.location,
                )
            )
            continue
        if consumer.service in seen:
            problems.append(
                LoadProblem(
                    "consumer-invalid",
                    f"service {consumer.service!r} is declared twice (also in "
                    f"{seen[consumer.service]})",
                    "keep one file per service: merge the two",
                    Location(file=display, line=1),
                )
            )
            continue
        seen[consumer.service] = display
        consumers.append(consumer)
    return tuple(consumers)


def _read_file(path: Path, display: str) -> Consumer:
    text, data = read_toml(path, display)
    return _Reader(display, text).read(path.stem, data)


class _Reader:
    def __init__(self, display: str, text: str) -> None:
        self.display = display
        self.lines = text.splitlines()
        self.reads_headers: list[int] = []
        self.headers: list[int] = []
        for number, raw in enumerate(self.lines, start=1):
            match = _HEADER.match(raw)
            if match:
                self.headers.append(number)
                if match[1] and match[2].replace('"', "") == "reads":
                    self.reads_headers.append(number)

    def _fail(self, message: str, line: int | None) -> CatalogError:
        return CatalogError(message, Location(file=self.display, line=line))

    def _block(self, start: int) -> Iterator[int]:
        """Line numbers after header line ``start`` (0: the top) up to the next header."""
        end = next((h - 1 for h in self.headers if h > start), len(self.lines))
        return iter(range(start + 1, end + 1))

    def _key_line(self, key: str, start: int) -> int | None:
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
        return next((n for n in self._block(start) if pattern.match(self.lines[n - 1])), None)

    def _string_line(self, value: str, start: int) -> int | None:
        quoted = (f'"{value}"', f"'{value}'")
        return next(
            (n for n in self._block(start) if any(q in self.lines[n - 1] for q in quoted)), None
        )

    def read(self, stem: str, data: dict[str, Any]) -> Consumer:
        self._unknown(data, _TOP_KEYS, "the file", 0)
        service = self._text(data, "service", 0) or stem
        owner = self._text(data, "owner", 0)
        if owner is None:
            raise self._fail(
                'owner is missing: name the team that owns this service (owner = "...")', 1
            )
        description = self._text(data, "description", 0)
        reads = data.get("reads")
        if not isinstance(reads, list) or not reads:
            raise self._fail(
                "reads is missing: add one [[reads]] table per subject the service reads",
                self._key_line("reads", 0) or 1,
            )
        out = tuple(self._read(item, i) for i, item in enumerate(reads))
        return Consumer(stem, service, owner, self.display, out, description)

    def _unknown(self, table: Mapping[str, Any], known: set[str], where: str, start: int) -> None:
        extra = sorted(set(table) - known)
        if extra:
            raise self._fail(
                f"unknown key {extra[0]!r} in {where}; expected one of: {', '.join(sorted(known))}",
                self._key_line(extra[0], start) or start or None,
            )

    def _text(self, table: Mapping[str, Any], key: str, start: int) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self._fail(f"{key} must be a non-empty string", self._key_line(key, start))
        return value

    def _read(self, table: Any, index: int) -> ConsumerRead:
        start = self.reads_headers[index] if index < len(self.reads_headers) else 0
        line = start or self._key_line("reads", 0)
        label = f"[[reads]] entry {index + 1}"
        if not isinstance(table, dict):
            raise self._fail(f"{label} must be a table", line)
        self._unknown(table, _READ_KEYS, label, start)
        key_lines = {k: n for k in _READ_KEYS if (n := self._key_line(k, start)) is not None}
        named = [k for k in ("contract", "subject") if k in table]
        if len(named) != 1:
            raise self._fail(
                f'{label}: name what it reads with contract = "<name or subject>" (or subject = '
                "...), exactly one of the two",
                key_lines.get(named[-1]) if named else line,
            )
        contract = self._text(table, named[0], start)
        assert contract is not None
        version, major = table.get("version"), table.get("major")
        for key, value in (("version", version), ("major", major)):
            if value is not None and not (
                isinstance(value, int) and not isinstance(value, bool) and value >= 1
            ):
                raise self._fail(
                    f"{label}: {key} must be a whole number from 1", key_lines.get(key, line)
                )
        if version is not None and major is not None:
            raise self._fail(
                f"{label}: give version (the model version decoded into) or major (the latest "
                "version of that major), not both",
                key_lines.get("major", line),
            )
        fields = self._paths(table, "fields", label, start, line, required=True)
        handled = self._paths(table, "defaults_handled", label, start, line, required=False)
        for path in handled:
            if path not in fields:
                raise self._fail(
                    f"{label}: defaults_handled names {path!r}, which fields does not list",
                    self._string_line(path, start) or key_lines.get("defaults_handled"),
                )
        field_lines = {p: n for p in fields if (n := self._string_line(p, start)) is not None}
        return ConsumerRead(
            contract=contract,
            fields=fields,
            version=version,
            major=major,
            defaults_handled=frozenset(handled),
            line=line,
            field_lines=MappingProxyType(field_lines),
            key_lines=MappingProxyType(key_lines),
        )

    def _paths(
        self,
        table: Mapping[str, Any],
        key: str,
        label: str,
        start: int,
        line: int | None,
        *,
        required: bool,
    ) -> tuple[str, ...]:
        value = table.get(key)
        key_line = self._key_line(key, start) or line
        if value is None and not required:
            return ()
        if not isinstance(value, list) or (required and not value):
            raise self._fail(
                f'{label}: {key} must be a list of field paths, such as ["header.device_id"]',
                key_line,
            )
        seen: set[str] = set()
        for item in value:
            if not isinstance(item, str) or not valid_path(item):
                where = self._string_line(item, start) if isinstance(item, str) else None
                raise self._fail(
                    f"{label}: {item!r} in {key} is not a field path: field names joined by "
                    'dots, such as "header.device_id" (arrays, maps and unions are stepped '
                    "through without a marker)",
                    where or key_line,
                )
            if item in seen:
                raise self._fail(
                    f"{label}: {key} lists {item!r} twice", self._string_line(item, start)
                )
            seen.add(item)
        return tuple(value)
