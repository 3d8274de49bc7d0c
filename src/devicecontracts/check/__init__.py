"""``contracts check`` as a pure function: a loaded catalog in, findings out.

What it checks, in order, one module per rule family:

1. the catalog itself (folders, version numbering), each subject's level against its direction
   and every schema's validity (`validity`);
2. wire compatibility: every version against its predecessors at the subject's level, as the
   registry would have checked it on register, transitive breaks included (`wire`);
3. the lock: released versions are unchanged, present and numbered as released (`lock`);
4. dangerous changes the wire accepts (logical types, decimals, renames, string/bytes, lossy
   promotions), between each unreleased version and its predecessor (`semantic`);
5. lint rules for device fleets, on unreleased versions (`lint`);
6. data contracts: each contract's ``contract.toml`` (versions, majors and their migrations,
   rules, tags, reserved names, each domain rule's examples) and inline field tags
   (`datacontracts`); with a compatibility group, step 2 compares versions within a major only;
7. with the generated models given as data, stale models (`staleness`);
8. consumer reader contracts (``consumers/*.toml``): every field a consumer reads exists, or is
   defaulted, in every writer version it may receive, and no pending version removes, renames
   or changes the meaning of one (`consumers`);
9. the deprecation lifecycle against the census reports given (``census/<env>/<topic>.json``,
   read by the shell): sunsets near or passed while a fresh census still counts the deprecated
   version or field, stale census reports, pending versions removing fields live versions still
   write (`deprecation`);
10. the waivers of ``waivers.toml``: a finding a live waiver names is kept apart and does not
   fail the check; an expired or unused waiver is an error (`waivers`).

``[rules]`` in catalog.toml may ``disable`` rule ids or ``warn`` (demote them to warnings),
except the core rules (``findings.CORE_RULES``), which only a waiver can accept, one finding
at a time.

Pure: no file is read, nothing printed; the shell (the CLI) loads the catalog and, through
`staleness.bundled_models`, the models. May import: ``errors``, ``findings``, ``schema``,
``catalog``. Never the runtime, ``registry``, ``cli`` or ``testing``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from devicecontracts._gc import collector_paused
from devicecontracts.catalog import Catalog
from devicecontracts.catalog.census import CensusReport
from devicecontracts.check._jsonpos import Positions
from devicecontracts.check.consumers import Reader, consumer_findings, readers_by_subject
from devicecontracts.check.datacontracts import data_contract_findings
from devicecontracts.check.deprecation import deprecation_findings
from devicecontracts.check.lint import lint_findings
from devicecontracts.check.lock import lock_findings
from devicecontracts.check.semantic import dangerous_findings
from devicecontracts.check.staleness import GeneratedModels, stale_model_findings
from devicecontracts.check.validity import catalog_findings, contract_findings
from devicecontracts.check.waivers import WaivedFinding, apply_waivers
from devicecontracts.check.wire import wire_findings
from devicecontracts.errors import Location
from devicecontracts.findings import RULES, Finding, Severity

__all__ = ["CheckReport", "check_catalog"]


@dataclass
class CheckReport:
    """The findings of one check, and what was checked; ``waived`` holds the findings a
    waiver accepted, apart from ``findings``."""

    findings: list[Finding]
    subjects: int = 0
    versions: int = 0
    pending: list[tuple[str, int]] = field(default_factory=list)
    waived: list[WaivedFinding] = field(default_factory=list)
    consumers: dict[str, tuple[Reader, ...]] = field(default_factory=dict)
    """Each subject that has consumers (``consumers/*.toml``), with them, by subject."""

    @property
    def errors(self) -> list[Finding]:
        """Findings that fail the check."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        """True when nothing fails the check."""
        return not self.errors


def check_catalog(
    catalog: Catalog,
    *,
    models: GeneratedModels | None = None,
    today: dt.date | None = None,
    census: Sequence[CensusReport] = (),
) -> CheckReport:
    """Run every check on a loaded catalog; with ``models`` (the generated models' manifest as
    data, see `staleness.read_models`), report stale models too; ``census`` holds the catalog's
    census reports (`devicecontracts.catalog.census.read_census`) for the deprecation gates.
    Waivers expire, sunsets pass and census reports age by ``today`` (default: the local
    date). Reads no file.

    The cyclic garbage collector is paused while it runs (everything it builds stays alive
    until it returns) and left as it was found."""
    with collector_paused():
        return _check(catalog, models, today or dt.date.today(), census)


def _check(
    catalog: Catalog,
    models: GeneratedModels | None,
    today: dt.date,
    census: Sequence[CensusReport],
) -> CheckReport:
    found: list[Finding] = list(catalog_findings(catalog))
    pending: list[tuple[str, int]] = []
    versions = 0
    for contract in catalog.ordered():
        versions += len(contract.versions)
        found += contract_findings(contract)
        found += wire_findings(contract)
        released = catalog.lock.released(contract.subject)
        for v in contract.versions:
            if v.version not in released:
                pending.append((contract.subject, v.version))
                found += lint_findings(contract, v)
                found += dangerous_findings(contract, v)
    found += lock_findings(catalog)
    found += data_contract_findings(catalog)
    found += consumer_findings(catalog)
    found += deprecation_findings(catalog, census, today)
    if models is not None:
        found += stale_model_findings(catalog, models)
    kept, waived = apply_waivers(
        _configured(_located(found, catalog), catalog),
        catalog.waivers,
        today,
    )
    return CheckReport(
        _sorted(kept),
        len(catalog.contracts),
        versions,
        pending,
        waived,
        readers_by_subject(catalog),
    )


_POSITIONS_KEPT = 64
"""Files whose walked positions `_located` keeps at once: the findings of one contract's
versions come together, so a few suffice, and memory stays flat however large the catalog."""


def _located(found: list[Finding], catalog: Catalog) -> list[Finding]:
    """Fill in line and column from the file text for findings with a schema path; each file
    is walked once for all its findings (`Positions`). In place: ``found`` is returned."""
    texts = {v.display: v.text for v in catalog.versions()}
    positions: dict[str, Positions] = {}
    for k, f in enumerate(found):
        where = f.location
        if where.line is not None:
            continue  # located as it was made (lint)
        file, path = where.file, where.path
        text = texts.get(file) if file is not None and path else None
        if text is None or file is None or path is None:
            continue
        walked = positions.get(file)
        if walked is None:
            if len(positions) >= _POSITIONS_KEPT:
                positions.clear()
            walked = positions[file] = Positions(text)
        position = walked.locate(path)
        if position is not None:
            found[k] = _at(f, position)
    return found


def _at(f: Finding, position: tuple[int, int]) -> Finding:
    """``f`` with line and column set: `dataclasses.replace` without its per-call field
    introspection, which costs more than the rest of locating (tested to keep every field)."""
    w = f.location
    where = Location(
        w.file,
        w.subject,
        w.version,
        w.path,
        position[0],
        position[1],
        w.topic,
        w.partition,
        w.offset,
        w.schema_id,
    )
    return Finding(f.rule, f.severity, f.message, f.hint, where, f.previous_version)


def _configured(found: list[Finding], catalog: Catalog) -> list[Finding]:
    disabled = set(catalog.rules.get("disable", []))
    warned = set(catalog.rules.get("warn", []))
    if not disabled and not warned:
        return found  # nothing configured: no copy of (maybe half a million) findings
    return [
        f.with_severity(Severity.WARNING) if f.rule in warned else f
        for f in found
        if f.rule not in disabled
    ]


def _sorted(found: list[Finding]) -> list[Finding]:
    """By subject, version, then rule (unknown rules last), each group in the order found.

    The same order as one stable sort on (subject, version, unknown, rule), without holding
    a sort key per finding at once (half a million of them for an undocumented catalog): the
    findings are grouped by subject and version, then each group is sorted by rule.
    """
    groups: dict[tuple[str, int], list[Finding]] = {}
    for f in found:
        where = f.location
        key = (where.subject or "", where.version or 0)
        group = groups.get(key)
        if group is None:
            groups[key] = [f]
        else:
            group.append(f)
    out: list[Finding] = []
    for key in sorted(groups):
        group = groups[key]
        if len(group) > 1:
            group.sort(key=_rule_order)
        out += group
    return out


def _rule_order(f: Finding) -> tuple[bool, str]:
    return (f.rule not in RULES, f.rule)
