"""Findings as text for people, JSON for machines, or GitHub workflow commands for annotations.

Pure functions from findings to strings; the CLI prints them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from devicecontracts.findings import Finding, Severity

__all__ = [
    "FORMATS",
    "Styler",
    "dump_json",
    "findings_document",
    "format_github",
    "format_json",
    "format_text",
]

Styler = Callable[[str, str], str]  # (text, colour) -> styled text


def _plain(text: str, _style: str) -> str:
    return text


def format_text(findings: Sequence[Finding], summary: str, *, style: Styler = _plain) -> str:
    """One block per finding: ``file:line:col: severity [rule] subject vN at path: message``."""
    lines: list[str] = []
    for f in findings:
        where = f.file or f.subject or "catalog"
        if f.line is not None:
            where += f":{f.line}" + (f":{f.column}" if f.column is not None else "")
        sev = style(f.severity.value, "red" if f.severity is Severity.ERROR else "yellow")
        head = f"{where}: {sev} [{f.rule}]"
        about = " ".join(
            part
            for part in (
                f.subject or "",
                f"v{f.version}" if f.version is not None else "",
                f"at {f.path}" if f.path else "",
            )
            if part
        )
        lines.append(f"{head} {about}".rstrip())
        lines.append(f"    {f.message}")
        if f.hint:
            lines.append("    " + style("hint:", "cyan") + f" {f.hint}")
    lines.append(summary)
    return "\n".join(lines)


def findings_document(findings: Sequence[Finding], summary: dict[str, Any]) -> dict[str, Any]:
    """``{"ok": bool, "summary": {...}, "findings": [...]}``, keys stable."""
    ok = not any(f.severity is Severity.ERROR for f in findings)
    return {"ok": ok, "summary": summary, "findings": [f.to_json() for f in findings]}


def format_json(findings: Sequence[Finding], summary: dict[str, Any]) -> str:
    """`findings_document` as JSON text."""
    return dump_json(findings_document(findings, summary))


def dump_json(document: Any) -> str:
    """A JSON document as every command prints one: indented, UTF-8 text kept as is."""
    return json.dumps(document, indent=2, ensure_ascii=False)


def format_github(
    findings: Sequence[Finding], summary: str, *, command: str = "contracts check"
) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``), then a notice
    titled with the ``command`` that ran."""
    lines = []
    for f in findings:
        props = {"file": f.file, "line": f.line, "col": f.column, "title": _title(f)}
        rendered = ",".join(
            f"{key}={_escape_property(str(value))}" for key, value in props.items() if value
        )
        kind = "error" if f.severity is Severity.ERROR else "warning"
        text = f.message + (f"\nHint: {f.hint}" if f.hint else "")
        lines.append(f"::{kind} {rendered}::{_escape_data(text)}")
    lines.append(f"::notice title={_escape_property(command)}::{_escape_data(summary)}")
    return "\n".join(lines)


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
