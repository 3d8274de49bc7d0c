"""A census report as text for people: a header line, the versions table, unknown ids,
unframed records, one line per partition, and what verification found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from devicecontracts.catalog.census import CensusReport, Seen

__all__ = ["format_report"]


def format_report(report: CensusReport) -> str:
    """The report as aligned plain-text tables (no colour, no trailing spaces)."""
    total = report.total()
    parts = len(report.partitions)
    lines = [
        f"census of {report.topic}: {total.count:,} records from "
        f"{parts} partition{'s' * (parts != 1)}, ids through {report.id_source}",
        "  " + _how(report),
        "",
    ]
    rows: list[Sequence[str]] = [("subject", "version", "records", "first seen", "last seen")]
    for (subject, version), seen in report.versions().items():
        rows.append((subject, str(version), *_seen(seen)))
    for schema_id, seen in report.unknown_ids().items():
        rows.append((f"unknown schema id {schema_id}", "-", *_seen(seen)))
    for kind, seen in report.unframed().items():
        rows.append((f"not framed: {kind}", "-", *_seen(seen)))
    if len(rows) == 1:
        rows.append(("(no records)", "", "", "", ""))
    lines += _table(rows, right={1, 2})
    lines.append("")
    part_rows: list[Sequence[str]] = [
        ("partition", "offsets", "records", "versions", "unknown ids", "not framed")
    ]
    for part in report.partitions:
        unknown = sum(s.count for i, s in part.schema_ids.items() if i not in report.known)
        framed = sum(s.count for s in part.schema_ids.values())
        part_rows.append(
            (
                str(part.partition),
                f"{part.first_offset}..{part.last_offset}",
                f"{part.seen.count:,}",
                f"{framed - unknown:,}",
                f"{unknown:,}",
                f"{sum(s.count for s in part.unframed.values()):,}",
            )
        )
    lines += _table(part_rows, right={0, 2, 3, 4, 5})
    if report.verification is not None:
        v = report.verification
        lines.append("")
        lines.append(
            f"verified {v.sampled:,} sampled bodies with their writer schemas: "
            + (f"{len(v.failures)} did not decode" if v.failures else "all decode")
        )
        lines.extend(
            f"  partition {f.partition}, offset {f.offset}, schema id {f.schema_id}: {f.message}"
            for f in v.failures
        )
    return "\n".join(lines)


def _how(report: CensusReport) -> str:
    how = [f"from {report.start}"]
    if report.max_messages is not None:
        how.append(f"at most {report.max_messages:,} records")
    if report.duration_s is not None:
        how.append(f"at most {report.duration_s:g} s")
    if report.group is not None:
        how.append(f"group {report.group}")
    if report.readers != 1:
        how.append(f"{report.readers} readers merged")
    return ", ".join(how) + f"; finished {_time(report.finished_at)}"


def _seen(seen: Seen) -> tuple[str, str, str]:
    return f"{seen.count:,}", _time(seen.first), _time(seen.last)


def _time(when: datetime | None) -> str:
    if when is None:
        return "-"
    return when.strftime("%Y-%m-%d %H:%M:%S") + "Z"


def _table(rows: list[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        out.append("  ".join(cells).rstrip())
    return out
