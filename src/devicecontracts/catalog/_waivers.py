"""``waivers.toml``: audited exceptions to ``contracts check``, one finding each.

Each ``[[waiver]]`` entry names one finding by ``rule``, ``subject``, ``version`` and ``path``
(the JSON path in the schema; leave ``version`` or ``path`` out when the finding has none), and
says who accepted it and until when: ``reason``, ``approved_by``, ``ticket`` and ``expires`` (a
date, such as ``2027-01-31``)::

    [[waiver]]
    rule = "released-version-changed"
    subject = "fleet.telemetry-value"
    version = 2
    path = "/"
    reason = "v2's doc fix was released by hand before the lock existed"
    approved_by = "platform-team"
    ticket = "FLEET-1234"
    expires = 2027-01-31

`read_waivers` reads and validates the file (a missing file holds no waivers); anything
malformed raises `CatalogError` naming the file, the entry and its line. Applying waivers to
findings is ``devicecontracts.check.waivers``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devicecontracts.catalog._toml import read_toml
from devicecontracts.errors import CatalogError, Location

__all__ = ["WAIVERS_FILE", "Waiver", "read_waivers"]

WAIVERS_FILE = "waivers.toml"

_KEYS = {"rule", "subject", "version", "path", "reason", "approved_by", "ticket", "expires"}
_TEXT_KEYS = ("rule", "subject", "reason", "approved_by", "ticket")
# Findings of other commands (the registry comparison, contracts test) and of the waivers
# themselves cannot be waived here.
_UNWAIVABLE_PREFIXES = ("waiver-", "registry-", "evolution-")
_ENTRY_HEADER = re.compile(r"^\s*\[\[\s*waiver\s*\]\]", re.MULTILINE)


@dataclass(frozen=True)
class Waiver:
    """One audited exception: the finding it names, why, who approved it, until when.

    ``entry`` is its position in ``file`` (from 1) and ``line`` the line of its header, when
    known, so findings about the waiver point at it.
    """

    rule: str
    subject: str
    version: int | None
    path: str | None
    reason: str
    approved_by: str
    ticket: str
    expires: dt.date
    file: str
    entry: int
    line: int | None = None

    @property
    def key(self) -> tuple[str, str, int | None, str | None]:
        """What it names: rule, subject, version, schema path."""
        return (self.rule, self.subject, self.version, self.path)

    def describe(self) -> str:
        """``[rule] subject v2 at /fields/1``: the finding it names, as people read it."""
        version = f" v{self.version}" if self.version is not None else ""
        path = f" at {self.path}" if self.path is not None else ""
        return f"[{self.rule}] {self.subject}{version}{path}"

    def location(self) -> Location:
        """Where the waiver is written: its file and line, with the subject and version."""
        return Location(file=self.file, subject=self.subject, version=self.version, line=self.line)

    def to_json(self) -> dict[str, Any]:
        """A JSON object with every field; ``expires`` as an ISO date."""
        return {
            "rule": self.rule,
            "subject": self.subject,
            "version": self.version,
            "path": self.path,
            "reason": self.reason,
            "approved_by": self.approved_by,
            "ticket": self.ticket,
            "expires": self.expires.isoformat(),
            "file": self.file,
            "entry": self.entry,
            "line": self.line,
        }


def read_waivers(root: Path, shown_as: str | None = None) -> tuple[Waiver, ...]:
    """The waivers of the catalog in ``root`` (none without ``waivers.toml``); ``shown_as``
    is the file's name in messages (default: its path)."""
    path = root / WAIVERS_FILE
    if not path.is_file():
        return ()
    shown = shown_as or str(path)
    text, data = read_toml(path, shown, WAIVERS_FILE)
    extra = set(data) - {"waiver"}
    entries = data.get("waiver", [])
    if extra or not isinstance(entries, list):
        found = f"unknown key(s) {sorted(extra)}" if extra else "'waiver' is not a list of tables"
        raise CatalogError(
            f"{WAIVERS_FILE} holds only [[waiver]] entries: {found}", Location(shown)
        )
    lines = [text.count("\n", 0, m.start()) + 1 for m in _ENTRY_HEADER.finditer(text)]
    waivers: list[Waiver] = []
    seen: dict[tuple[str, str, int | None, str | None], int] = {}
    for number, raw in enumerate(entries, start=1):
        line = lines[number - 1] if len(lines) == len(entries) else None
        waiver = _waiver(raw, shown, number, line)
        if waiver.key in seen:
            raise CatalogError(
                f"{WAIVERS_FILE} entry {number} names the same finding as entry "
                f"{seen[waiver.key]}: {waiver.describe()}",
                Location(shown, line=line),
            )
        seen[waiver.key] = number
        waivers.append(waiver)
    return tuple(waivers)


def _waiver(raw: Any, shown: str, number: int, line: int | None) -> Waiver:
    def bad(problem: str) -> CatalogError:
        return CatalogError(f"{WAIVERS_FILE} entry {number}: {problem}", Location(shown, line=line))

    if not isinstance(raw, dict):
        raise bad("must be a [[waiver]] table")
    missing = sorted((_KEYS - {"version", "path"}) - set(raw))
    unknown = sorted(set(raw) - _KEYS)
    if missing or unknown:
        raise bad(
            (f"missing {missing}" if missing else f"unknown key(s) {unknown}")
            + f"; an entry takes {sorted(_KEYS)} (version and path when the finding has them)"
        )
    for key in _TEXT_KEYS:
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise bad(f"{key!r} must be a non-empty string")
    rule: str = raw["rule"]
    from devicecontracts.findings import RULES

    if rule not in RULES:
        raise bad(f"unknown rule id {rule!r}: `contracts rules` lists them")
    if rule.startswith(_UNWAIVABLE_PREFIXES):
        raise bad(f"rule {rule!r} cannot be waived: waivers apply to contracts check's rules")
    version = raw.get("version")
    if version is not None and (type(version) is not int or version < 1):
        raise bad(f"'version' must be a version number (1, 2, ...), not {version!r}")
    path = raw.get("path")
    if path is not None and not (isinstance(path, str) and path.startswith("/")):
        raise bad(f"'path' must be a JSON path in the schema such as \"/fields/0\", not {path!r}")
    return Waiver(
        rule=rule,
        subject=raw["subject"],
        version=version,
        path=path,
        reason=raw["reason"],
        approved_by=raw["approved_by"],
        ticket=raw["ticket"],
        expires=_expires(raw["expires"], bad),
        file=shown,
        entry=number,
        line=line,
    )


def _expires(value: Any, bad: Callable[[str], CatalogError]) -> dt.date:
    """A TOML date (``2027-01-31``) or the same as a string; a date-time is refused."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise bad(f"'expires' must be a date such as 2027-01-31, not {value!r}")
