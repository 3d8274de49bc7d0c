"""Dangerous changes the wire accepts: logical types, decimals, renames, string/bytes, lossy
promotions, between each unreleased version and its predecessor.

Rule category ``semantic``: every rule of that category in `RULES` is a kind of change
`diff_schemas` reports, and carries its own hint there.
"""

from __future__ import annotations

from collections.abc import Iterator

from devicecontracts.catalog import Contract, SchemaVersion
from devicecontracts.findings import RULES, Finding, make
from devicecontracts.schema import AvroType
from devicecontracts.schema.diff import Change, diff_schemas

__all__ = ["DANGEROUS", "dangerous_changes", "dangerous_findings"]

DANGEROUS = frozenset(rule.id for rule in RULES.values() if rule.category == "semantic")
"""The kinds of change `diff_schemas` reports that are findings: the semantic rules."""


def dangerous_changes(old: AvroType, new: AvroType) -> list[Change]:
    """The changes from ``old`` to ``new`` that are dangerous, in schema order: each one's
    ``kind`` is the id of the semantic rule it triggers. Any two parsed versions, not only a
    version and its predecessor (the docs site annotates every pair with them)."""
    return [change for change in diff_schemas(old, new) if change.kind in DANGEROUS]


def dangerous_findings(contract: Contract, v: SchemaVersion) -> Iterator[Finding]:
    """The dangerous changes from the version before ``v`` to ``v``."""
    index = contract.versions.index(v)
    if index == 0 or v.schema is None:
        return
    previous = contract.versions[index - 1]
    if previous.schema is None:
        return
    for change in dangerous_changes(previous.schema.root, v.schema.root):
        yield make(
            change.kind,
            f"v{previous.version} -> v{v.version}: {change.message}",
            location=contract.location(v, change.path),
        )
