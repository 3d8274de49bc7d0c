"""Specification of the report formats: `devicecontracts.cli.report`."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.cli.report import format_github, format_json, format_text
from devicecontracts.errors import Location
from devicecontracts.findings import RULES, Finding, Severity, make

FINDING = make(
    "incompatible",
    "BACKWARD_TRANSITIVE: field 'battery_mv' has no default",
    'give field \'battery_mv\' a default, such as type ["null", "int"] with "default": null',
    location=Location(
        file="schemas/telemetry/v4.avsc",
        subject="fleet.telemetry-value",
        version=4,
        path="/fields/3",
        line=79,
        column=5,
    ),
    previous_version=1,
)
WARNING = make(
    "missing-doc",
    "field 'a' of R has no doc",
    "add a doc",
    location=Location(subject="s-value", version=1),
)
CATALOG_PROBLEM = make("catalog-undeclared-folder", "folder x/ is not declared", "declare it")

JSON_KEYS = {
    "rule",
    "category",
    "severity",
    "subject",
    "version",
    "previous_version",
    "file",
    "path",
    "line",
    "column",
    "message",
    "hint",
}

# ::error file=...,line=N,col=N,title=...::message  (properties optional, in this order)
GITHUB_LINE = re.compile(
    r"::(?P<command>error|warning|notice)"
    r"(?: (?P<props>(?:file|line|col|title)=[^,:]*(?:,(?:file|line|col|title)=[^,:]*)*))?"
    r"::(?P<data>[^\r\n]*)\Z"
)


def unescape(data: str) -> str:
    """Undo workflow-command escaping (%25 last, so escaped escapes survive)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        data = data.replace(code, char)
    return data


# ---------------------------------------------------------------------------------------------
# text


def test_text_heads_each_finding_with_its_location() -> None:
    """Text heads a finding with file:line:col, severity, rule, subject, version and path."""
    lines = format_text([FINDING], "summary").splitlines()
    assert lines[0] == (
        "schemas/telemetry/v4.avsc:79:5: error [incompatible] fleet.telemetry-value v4 at /fields/3"
    )


def test_text_shows_message_and_hint_indented() -> None:
    """The message and the hint follow the head line, indented."""
    lines = format_text([FINDING], "summary").splitlines()
    assert lines[1] == "    " + FINDING.message
    assert lines[2] == "    hint: " + FINDING.hint


def test_text_ends_with_the_summary() -> None:
    """The summary is the last line."""
    assert format_text([FINDING, WARNING], "2 findings").splitlines()[-1] == "2 findings"


def test_text_without_file_falls_back_to_subject_or_catalog() -> None:
    """A finding without a file is headed by its subject, or by "catalog"."""
    text = format_text([WARNING, CATALOG_PROBLEM], "done")
    assert "s-value: warning [missing-doc] s-value v1" in text
    assert "catalog: error [catalog-undeclared-folder]" in text


def test_text_styles_the_severity() -> None:
    """The styler colours the severity: red for errors, yellow for warnings."""
    seen: list[tuple[str, str]] = []

    def style(text: str, colour: str) -> str:
        seen.append((text, colour))
        return text

    format_text([FINDING, WARNING], "done", style=style)
    assert ("error", "red") in seen and ("warning", "yellow") in seen


# ---------------------------------------------------------------------------------------------
# json


def test_json_has_ok_summary_and_findings() -> None:
    """JSON output is an object with ok, the given summary and the findings."""
    doc = json.loads(format_json([FINDING], {"errors": 1}))
    assert set(doc) == {"ok", "summary", "findings"}
    assert doc["ok"] is False
    assert doc["summary"] == {"errors": 1}


def test_json_findings_carry_every_documented_key() -> None:
    """Each JSON finding has every documented key, with the finding's values."""
    [item] = json.loads(format_json([FINDING], {}))["findings"]
    assert set(item) == JSON_KEYS
    assert item["rule"] == "incompatible"
    assert item["severity"] == "error"
    assert item["category"] == "wire"
    assert (item["subject"], item["version"], item["previous_version"]) == (
        "fleet.telemetry-value",
        4,
        1,
    )
    assert (item["file"], item["path"], item["line"], item["column"]) == (
        "schemas/telemetry/v4.avsc",
        "/fields/3",
        79,
        5,
    )


def test_json_unknown_parts_are_null() -> None:
    """Keys whose value is unknown are present and null."""
    [item] = json.loads(format_json([CATALOG_PROBLEM], {}))["findings"]
    assert set(item) == JSON_KEYS
    assert item["file"] is None and item["line"] is None and item["version"] is None


def test_json_is_ok_with_warnings_only() -> None:
    """Warnings alone keep ok true."""
    assert json.loads(format_json([WARNING], {}))["ok"] is True


# ---------------------------------------------------------------------------------------------
# github


def test_github_error_line_has_file_line_col_and_title() -> None:
    """An error becomes ::error file=...,line=N,col=N,title=...::message."""
    first = format_github([FINDING], "summary").splitlines()[0]
    match = GITHUB_LINE.match(first)
    assert match is not None, first
    assert match["command"] == "error"
    assert match["props"] == (
        "file=schemas/telemetry/v4.avsc,line=79,col=5,title=incompatible fleet.telemetry-value v4"
    )


def test_github_warning_uses_the_warning_command() -> None:
    """A warning finding becomes a ::warning command."""
    assert format_github([WARNING], "s").startswith("::warning ")


def test_github_ends_with_a_notice_summary() -> None:
    """The last line is a ::notice with the summary."""
    assert format_github([FINDING], "3 errors").splitlines()[-1] == (
        "::notice title=contracts check::3 errors"
    )


def test_github_notice_is_titled_with_the_command_that_ran() -> None:
    """Another command (contracts test, register) titles the summary notice with its name."""
    assert format_github([FINDING], "s", command="contracts test").splitlines()[-1] == (
        "::notice title=contracts test::s"
    )


def test_github_message_carries_the_hint_on_an_escaped_new_line() -> None:
    """Message and hint are one annotation: the newline between them is escaped as %0A."""
    data = format_github([FINDING], "s").splitlines()[0].split("::", 2)[2]
    assert "%0AHint: " in data
    assert unescape(data) == f"{FINDING.message}\nHint: {FINDING.hint}"


def test_github_escapes_percent_and_newlines_in_data() -> None:
    """% becomes %25 and newlines %0A / %0D in the message."""
    finding = make("invalid-json", "100% broken\r\nreally", location=Location(subject="s"))
    data = format_github([finding], "s").splitlines()[0].split("::", 2)[2]
    assert data == "100%25 broken%0D%0Areally"


def test_github_escapes_colon_and_comma_in_properties() -> None:
    """A file or title with : or , is escaped as %3A and %2C so properties stay parseable."""
    finding = make("invalid-json", "bad", location=Location(file="C:/x,y.avsc", subject="a:b,c"))
    first = format_github([finding], "s").splitlines()[0]
    assert "file=C%3A/x%2Cy.avsc" in first
    assert "title=invalid-json a%3Ab%2Cc" in first
    assert GITHUB_LINE.match(first)


def test_github_omits_unknown_properties() -> None:
    """A finding without file or line has no empty file= or line= property."""
    first = format_github([CATALOG_PROBLEM], "s").splitlines()[0]
    assert first.startswith("::error title=catalog-undeclared-folder::")


text_st = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    message=text_st,
    hint=text_st,
    file=st.none() | text_st.filter(bool),
    subject=st.none() | text_st.filter(bool),
    line=st.none() | st.integers(1, 10_000),
    warning=st.booleans(),
)
def test_github_lines_always_parse_back(
    message: str, hint: str, file: str | None, subject: str | None, line: int | None, warning: bool
) -> None:
    """Whatever the text, each finding is one workflow-command line that unescapes to the text."""
    finding = Finding(
        "missing-doc" if warning else "incompatible",
        Severity.WARNING if warning else Severity.ERROR,
        message,
        hint,
        Location(file=file, subject=subject, line=line, column=3 if line else None),
    )
    lines = format_github([finding], "summary").split("\n")
    assert len(lines) == 2
    match = GITHUB_LINE.match(lines[0])
    assert match is not None, lines[0]
    expected = message + (f"\nHint: {hint}" if hint else "")
    assert unescape(match["data"]) == expected
    props = dict(p.split("=", 1) for p in match["props"].split(",")) if match["props"] else {}
    if file:
        assert unescape(props["file"]) == file
    if line:
        assert props["line"] == str(line)


def test_every_rule_has_a_category_and_summary() -> None:
    """Every rule id documents its category, default severity and meaning."""
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert re.fullmatch(r"[a-z]+", rule.category)
        assert rule.summary.endswith(".")
