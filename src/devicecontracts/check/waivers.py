"""Waivers applied: a finding a live waiver names no longer fails the check, and is kept apart.

Rule category ``waiver``: a waiver past its ``expires`` date is an error (the finding it named
fails again), and so is a waiver that matches no finding, so stale waivers do not pile up.
The waivers themselves are read from ``waivers.toml`` by ``devicecontracts.catalog``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from devicecontracts.catalog import WAIVERS_FILE, Waiver
from devicecontracts.findings import Finding, make

__all__ = ["WaivedFinding", "apply_waivers"]


@dataclass(frozen=True)
class WaivedFinding:
    """A finding a live waiver accepted: reported apart, never failing the check."""

    finding: Finding
    waiver: Waiver

    def to_json(self) -> dict[str, Any]:
        """The finding's JSON object with the waiver that accepted it under ``"waiver"``."""
        return {**self.finding.to_json(), "waiver": self.waiver.to_json()}


def apply_waivers(
    findings: Sequence[Finding], waivers: Sequence[Waiver], today: dt.date
) -> tuple[list[Finding], list[WaivedFinding]]:
    """Split ``findings`` into those still reported and those a waiver live on ``today``
    accepted; an expired or unused waiver adds a finding of its own."""
    live = {w.key: w for w in waivers if w.expires >= today}
    kept: list[Finding] = [] if live else list(findings)  # no live waiver: nothing to match
    waived: list[WaivedFinding] = []
    for f in findings if live else ():
        where = f.location
        waiver = live.get((f.rule, where.subject or "", where.version, where.path))
        if waiver is None:
            kept.append(f)
        else:
            waived.append(WaivedFinding(f, waiver))
    used = {w.waiver.entry for w in waived}
    for w in waivers:
        if w.expires < today:
            kept.append(_expired(w))
        elif w.entry not in used:
            kept.append(_unused(w, findings))
    return kept, waived


def _expired(w: Waiver) -> Finding:
    return make(
        "waiver-expired",
        f"{WAIVERS_FILE} entry {w.entry} for {w.describe()} expired on "
        f"{w.expires.isoformat()} (ticket {w.ticket}, approved by {w.approved_by}): the "
        "finding it waived fails again",
        "fix the finding, or renew the waiver: a new expires date, approved again",
        location=w.location(),
    )


def _unused(w: Waiver, findings: Sequence[Finding]) -> Finding:
    near = [
        f"v{f.version}" * (f.version is not None) + f" at {f.path}" * (f.path is not None)
        for f in findings
        if f.rule == w.rule and f.subject == w.subject
    ]
    hint = "remove the entry: the finding it waived is gone"
    if near:
        shown = "; ".join(n.strip() or "no version or path" for n in near[:3])
        hint = (
            f"name one of the findings of [{w.rule}] on {w.subject} ({shown}) by its version "
            "and path, or remove the entry"
        )
    return make(
        "waiver-unused",
        f"{WAIVERS_FILE} entry {w.entry} for {w.describe()} matches no finding (ticket {w.ticket})",
        hint,
        location=w.location(),
    )
