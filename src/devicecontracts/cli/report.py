"""Findings as text for people, JSON for machines, or GitHub workflow commands for annotations.

Pure functions from findings to strings; the CLI prints them. Findings a waiver accepted
(``waived``) are listed apart, after the others, with the waiver that accepted them; they never
fail a check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from devicecontracts.check.waivers import WaivedFinding
from devicecontracts.findings import Finding, Severity

__all__ = [
    "FORMATS",
    "Styler",
    "dump_json",
    "findings_document",
    "format_github",
    "format_json",
    "format_text",
    "text_lines",
]

Styler = Callable[[str, str], str]  # (text, colour) -> styled text


def _plain(text: str, _style: str) -> str:
    return text


def format_text(
    findings: Sequence[Finding],
    summary: str,
    *,
    style: Styler = _plain,
    waived: Sequence[WaivedFinding] = (),
) -> str:
    """One block per finding: ``file:line:col: severity [rule] subject vN at path: message``;
    then the waived findings under their own heading, each with its waiver."""
    return "\n".join(text_lines(findings, summary, style=style, waived=waived))


def text_lines(
    findings: Sequence[Finding],
    summary: str,
    *,
    style: Styler = _plain,
    waived: Sequence[WaivedFinding] = (),
) -> Iterator[str]:
    """The lines of `format_text`, one at a time (a report of many findings need not be held
    whole to be printed)."""
    # Styled once each, not once per finding.
    error = style(Severity.ERROR.value, "red")
    warning = style(Severity.WARNING.value, "yellow")
    hint = style("hint:", "cyan")
    for f in findings:
        yield from _text_block(f, error if f.severity is Severity.ERROR else warning, hint)
    if waived:
        yield f"waived, not failing the check ({len(waived)}):"
        for w in waived:
            yield from _text_block(w.finding, style("waived", "cyan"), hint)
            yield "    " + style("waiver:", "cyan") + f" {_waiver_text(w)}"
    yield summary


def _text_block(f: Finding, severity: str, hint_label: str) -> list[str]:
    # The location read once (its properties on Finding are one call each): this runs for
    # every finding printed, half a million of them for an undocumented catalog.
    w = f.location
    subject, version, path, line = w.subject, w.version, w.path, w.line
    where = w.file or subject or "catalog"
    if line is not None:
        column = w.column
        where = f"{where}:{line}" if column is None else f"{where}:{line}:{column}"
    about = []
    if subject:
        about.append(subject)
    if version is not None:
        about.append(f"v{version}")
    if path:
        about.append(f"at {path}")
    head = f"{where}: {severity} [{f.rule}] {' '.join(about)}".rstrip()
    hint = f.hint
    if not hint:
        return [head, f"    {f.message}"]
    return [head, f"    {f.message}", f"    {hint_label} {hint}"]


def _waiver_text(w: WaivedFinding) -> str:
    waiver = w.waiver
    return (
        f"{waiver.reason} (approved by {waiver.approved_by}, ticket {waiver.ticket}, expires "
        f"{waiver.expires.isoformat()}; {waiver.file} entry {waiver.entry})"
    )


def findings_document(
    findings: Sequence[Finding],
    summary: dict[str, Any],
    waived: Sequence[WaivedFinding] | None = None,
) -> dict[str, Any]:
    """``{"ok": bool, "summary": {...}, "findings": [...]}``, keys stable; a command that
    applies waivers passes ``waived`` and adds ``"waived"`` (each waived finding with its
    waiver) and ``"waivers"`` (the waivers applied)."""
    ok = not any(f.severity is Severity.ERROR for f in findings)
    document: dict[str, Any] = {
        "ok": ok,
        "summary": summary,
        "findings": [f.to_json() for f in findings],
    }
    if waived is not None:
        applied = {w.waiver.entry: w.waiver for w in waived}
        document["waived"] = [w.to_json() for w in waived]
        document["waivers"] = [applied[n].to_json() for n in sorted(applied)]
    return document


def format_json(findings: Sequence[Finding], summary: dict[str, Any]) -> str:
    """`findings_document` as JSON text."""
    return dump_json(findings_document(findings, summary))


def dump_json(document: Any) -> str:
    """A JSON document as every command prints one: indented, UTF-8 text kept as is."""
    return json.dumps(document, indent=2, ensure_ascii=False)


def format_github(
    findings: Sequence[Finding],
    summary: str,
    *,
    command: str = "contracts check",
    waived: Sequence[WaivedFinding] = (),
) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``), waived findings
    as notices titled ``waived ...``, then a notice titled with the ``command`` that ran."""
    lines = []
    for f in findings:
        kind = "error" if f.severity is Severity.ERROR else "warning"
        text = f.message + (f"\nHint: {f.hint}" if f.hint else "")
        lines.append(_github_line(kind, f, _title(f), text))
    for w in waived:
        text = f"{w.finding.message}\nWaiver: {_waiver_text(w)}"
        lines.append(_github_line("notice", w.finding, "waived " + _title(w.finding), text))
    lines.append(f"::notice title={_escape_property(command)}::{_escape_data(summary)}")
    return "\n".join(lines)


def _github_line(kind: str, f: Finding, title: str, text: str) -> str:
    props = {"file": f.file, "line": f.line, "col": f.column, "title": title}
    rendered = ",".join(
        f"{key}={_escape_property(str(value))}" for key, value in props.items() if value
    )
    return f"::{kind} {rendered}::{_escape_data(text)}"


def _title(f: Finding) -> str:
    parts = [f.rule]
    if f.subject:
        parts.append(f.subject + (f" v{f.version}" if f.version else ""))
    return " ".join(parts)


def _escape_data(text: str) -> str:
    # Workflow-command escaping, as the Actions toolkit does it.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


FORMATS = ("text", "json", "github")
