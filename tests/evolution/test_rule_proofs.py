"""``contracts test`` proves a contract's domain and migration rules on generated data."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.cli import main
from devicecontracts.datacontracts import Rule
from devicecontracts.datacontracts._eval import condition_failure
from devicecontracts.findings import RULES, Finding, Severity
from devicecontracts.testing._rules import (
    VersionPlan,
    constraint_strategy,
    plan_version,
    recognise,
    to_generic,
)
from devicecontracts.testing.evolution import evolution_cases, verify_evolution

from ..support.catalogs import BUNDLED, field, make_catalog, message_toml, record

SUBJECT = "fleet.reading-value"

READING = record(
    "Reading",
    [
        field("device_id", "string"),
        field("battery_mv", ["null", "int"], default=None),
        field("temperature_c", "float"),
        field("unit", "string"),
        field("sent_at", {"type": "long", "logicalType": "timestamp-millis"}),
        field("uptime_s", "long"),
    ],
)


def with_fields(schema: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``schema`` with fields replaced (name: type), removed (name: None) or added."""
    fields = []
    for f in schema["fields"]:
        if f["name"] in changes:
            new = changes.pop(f["name"])
            if new is not None:
                fields.append(new)
        else:
            fields.append(f)
    fields += [v for v in changes.values() if v is not None]
    return {**schema, "fields": fields}


def build(
    root: Path, contract_toml: str, versions: list[dict[str, Any]], compatibility: str = ""
) -> Catalog:
    """A catalog of one message ``reading`` with ``versions`` and its ``contract.toml``."""
    make_catalog(
        root, message_toml("reading", compatibility=compatibility or None), {"reading": versions}
    )
    (root / "reading" / "contract.toml").write_text(contract_toml, encoding="utf-8")
    return load_catalog(root)


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


BATTERY = """
[[rules]]
name = "battery_mv_in_range"
type = "CEL_FIELD"
mode = "WRITEREAD"
expr = "name == 'battery_mv' && typeName != 'NULL' ; value >= 2500 && value <= 4500"
examples = { pass = [2500, 4500], fail = [2499, 4501] }
"""


# -- recognition ----------------------------------------------------------------------------


def cel_field(expr: str, name: str = "r", tags: tuple[str, ...] = ()) -> Rule:
    return Rule(name, "CONDITION", "WRITE", "CEL_FIELD", expr=expr, tags=tags)


@pytest.mark.parametrize(
    ("expr", "names", "described"),
    [
        (
            "name == 'battery_mv' && typeName != 'NULL' ; value >= 2500 && value <= 4500",
            {"battery_mv"},
            "2500 <= value <= 4500 and or null",
        ),
        ("name == 'battery_mv' ; value >= 2500 && value <= 4500", {"battery_mv"}, None),
        ("'x' == name ; 0 < value && (value < 10)", {"x"}, "0 < value < 10"),
        ("name == 'x' && value != null ; value > -40.5", {"x"}, "-40.5 < value and or null"),
        ("(name == 'u') ; value in ['Cel', '%', \"V\"]", {"u"}, 'value in ["Cel", "%", "V"]'),
        ("name == 'u' ; size(value) <= 8 && value.size() >= 1", {"u"}, "size >= 1 and size <= 8"),
        ("name == 'u' ; value == 'ok'", {"u"}, 'value in ["ok"]'),
        ("name == 'f' ; value in [1, 2, 0x10]", {"f"}, "value in [1, 2, 16]"),
        ("fullName == 'com.example.Reading.x' ; value <= 3u", set(), "value <= 3"),
    ],
)
def test_recognised_forms(expr: str, names: set[str], described: str | None) -> None:
    found = recognise(cel_field(expr))
    assert found is not None
    assert set(found.names) == names
    if described is not None:
        assert found.constraint.describe() == described
    if not names:
        assert found.full_names == {"com.example.Reading.x"}


@pytest.mark.parametrize(
    "expr",
    [
        "name == 'battery_mv' && value >= 2500",  # no guard: the body runs on every field
        "value >= 2500",
        "name == 'x' ; value >= 1 || value <= -1",
        "name == 'x' && name == 'y' ; value >= 1",
        "name == 'x' ; value.startsWith('a')",
        "name == 'x' ; value >= message.floor",
        "name == 'x' ; !(value > 1)",
        "typeName == 'INT' ; value >= 1",
        "name == 'x' ; value in []",
    ],
)
def test_forms_beyond_recognition(expr: str) -> None:
    assert recognise(cel_field(expr)) is None


def test_a_cel_rule_is_never_a_field_constraint() -> None:
    rule = Rule("r", "CONDITION", "WRITE", "CEL", expr="message.battery_mv >= 2500")
    assert recognise(rule) is None


def test_constraints_intersect() -> None:
    a = recognise(cel_field("name == 'x' && typeName != 'NULL' ; value >= 1 && value < 10"))
    b = recognise(cel_field("name == 'x' ; value in [0, 5, 9, 10]"))
    assert a is not None and b is not None
    both = a.constraint & b.constraint
    assert both.describe() == "1 <= value < 10 and value in [0, 5, 9, 10]"
    assert not both.null_ok  # the second rule does not skip null
    strategy = constraint_strategy(_int_type(), both)
    assert repr(strategy) == "sampled_from([5, 9])"


def _int_type() -> Any:
    from devicecontracts.schema import parse_schema

    return parse_schema('"int"').root


# -- constrained generation honours the rules ------------------------------------------------


CONSTRAINED_RULES = """
[[rules]]
name = "battery_mv_in_range"
type = "CEL_FIELD"
mode = "WRITEREAD"
expr = "name == 'battery_mv' && typeName != 'NULL' ; value >= 2500 && value <= 4500"

[[rules]]
name = "unit_known"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'unit' ; value in ['Cel', '%', 'V']"

[[rules]]
name = "temperature_plausible"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'temperature_c' ; value > -40.0 && value <= 85.5"

[[rules]]
name = "device_id_short"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'device_id' ; size(value) >= 1 && size(value) <= 4"

[[rules]]
name = "sent_after_2020"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'sent_at' ; value >= 1577836800000"

[[rules]]
name = "uptime_set"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'uptime_s' ; value in [0, 60, 3600]"
"""


@pytest.fixture(scope="module")
def constrained(tmp_path_factory: pytest.TempPathFactory) -> VersionPlan:
    catalog = build(tmp_path_factory.mktemp("constrained"), CONSTRAINED_RULES, [READING])
    contract = catalog.by_subject(SUBJECT)
    return plan_version(contract, contract.versions[0])


def test_every_recognised_rule_constrains_its_field(constrained: VersionPlan) -> None:
    assert constrained.beyond == []
    assert sorted(constrained.constrained) == [
        "battery_mv_in_range",
        "device_id_short",
        "sent_after_2020",
        "temperature_plausible",
        "unit_known",
        "uptime_set",
    ]


@settings(max_examples=60, database=None)
@given(data=st.data())
def test_generated_values_satisfy_every_recognised_rule(
    constrained: VersionPlan, data: st.DataObject
) -> None:
    """A property: every value drawn for the version satisfies each range and set, checked both
    directly and by evaluating the rules with CEL."""
    value = data.draw(constrained.strategy())
    battery = value["battery_mv"]
    assert battery is None or (type(battery) is int and 2500 <= battery <= 4500)
    assert value["unit"] in ("Cel", "%", "V")
    temperature = value["temperature_c"]
    assert type(temperature) is float and -40.0 < temperature <= 85.5
    assert 1 <= len(value["device_id"]) <= 4
    assert type(value["sent_at"]) is int and value["sent_at"] >= 1577836800000
    assert value["uptime_s"] in (0, 60, 3600)
    for declared in constrained.rules:
        assert condition_failure(declared.rule, constrained.schema.root, value) is None


def test_the_range_and_the_set_are_reached(constrained: VersionPlan) -> None:
    """Not a strategy stuck on one value: both ends of the battery range, null, every unit."""
    from hypothesis import find

    strategy = constrained.strategy()
    for wanted in (2500, 4500, None):
        found = find(strategy, lambda v, w=wanted: v["battery_mv"] == w, settings=_quick())
        assert found["battery_mv"] == wanted
    for unit in ("Cel", "%", "V"):
        assert find(strategy, lambda v, u=unit: v["unit"] == u, settings=_quick())["unit"] == unit


def _quick() -> settings:
    return settings(max_examples=2000, database=None, phases=[Phase.generate])


@settings(max_examples=100, database=None)
@given(data=st.data())
def test_arrays_and_maps_are_constrained_item_by_item(
    collections: VersionPlan, data: st.DataObject
) -> None:
    value = data.draw(collections.strategy())
    assert all(1 <= len(tag) <= 3 for tag in value["tags"])
    assert all(v in (1, 2) for v in value["counts"].values())
    for declared in collections.rules:
        assert condition_failure(declared.rule, collections.schema.root, value) is None


@pytest.fixture(scope="module")
def collections(tmp_path_factory: pytest.TempPathFactory) -> VersionPlan:
    schema = with_fields(
        READING,
        tags=field("tags", {"type": "array", "items": "string"}),
        counts=field("counts", {"type": "map", "values": "long"}),
    )
    toml = """
[[rules]]
name = "short_tags"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'tags' ; size(value) >= 1 && size(value) <= 3"

[[rules]]
name = "counts_small"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'counts' ; value in [1, 2]"
"""
    catalog = build(tmp_path_factory.mktemp("collections"), toml, [schema])
    contract = catalog.by_subject(SUBJECT)
    plan = plan_version(contract, contract.versions[0])
    assert sorted(plan.constrained) == ["counts_small", "short_tags"]
    return plan


def test_values_are_generic_data(constrained: VersionPlan) -> None:
    """Timestamps as int milliseconds even where the field is not constrained."""
    from devicecontracts.schema import parse_schema

    schema = parse_schema(
        json.dumps(
            record(
                "T",
                [
                    field("at", {"type": "long", "logicalType": "timestamp-millis"}),
                    field("id", {"type": "string", "logicalType": "uuid"}),
                    field("maybe", ["null", {"type": "long", "logicalType": "timestamp-micros"}]),
                ],
            )
        )
    )
    import datetime
    import uuid

    value = {
        "at": datetime.datetime(1970, 1, 1, 0, 0, 1, tzinfo=datetime.UTC),
        "id": uuid.UUID(int=1),
        "maybe": datetime.datetime(1970, 1, 1, 0, 0, 0, 5, tzinfo=datetime.UTC),
    }
    assert to_generic(value, schema.root) == {
        "at": 1000,
        "id": "00000000-0000-0000-0000-000000000001",
        "maybe": 5,
    }


def test_versions_without_rules_keep_the_plain_strategy(tmp_path: Path) -> None:
    catalog = build(tmp_path / "c", 'owner = "team"\n', [READING])
    contract = catalog.by_subject(SUBJECT)
    plan = plan_version(contract, contract.versions[0])
    assert plan.rules == () and plan.overrides == {}


def test_the_bundled_battery_rule_is_recognised() -> None:
    catalog = load_catalog(BUNDLED)
    telemetry = catalog.by_subject("fleet.telemetry-value")
    for version in telemetry.versions[1:]:
        plan = plan_version(telemetry, version)
        assert list(plan.constrained) == ["battery_mv_in_range"]
        assert plan.beyond == []


# -- rules planted wrong ----------------------------------------------------------------------


def test_a_set_rule_whose_examples_pass_but_rejects_generated_values(tmp_path: Path) -> None:
    """Integer literals in a set on a float field: the integer examples pass, but cel-python
    compares no float with an int, so every real value fails. Caught with the smallest value."""
    toml = """
[[rules]]
name = "temperature_steps"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'temperature_c' ; value in [20, 25]"
examples = { pass = [20, 25], fail = [30] }
"""
    catalog = build(tmp_path / "c", toml, [READING])
    report = verify_evolution(catalog, examples=20)
    assert of(report.findings, "rule-example-failed") == []
    [finding] = of(report.findings, "evolution-rule-rejects")
    assert finding.severity is Severity.ERROR
    assert finding.subject == SUBJECT and finding.version == 1
    assert finding.file is not None and finding.file.endswith("contract.toml")
    assert finding.line == 2
    assert "'temperature_steps'" in finding.message
    assert "no such overload" in finding.message
    counterexample = json.loads(finding.message.split("Smallest such value: ")[1])
    assert counterexample["temperature_c"] == 20.0  # the first member: shrunk
    assert counterexample["device_id"] == "" and counterexample["battery_mv"] is None


def test_a_rule_contradicting_another_is_caught_with_a_counterexample(tmp_path: Path) -> None:
    """A message rule in volts beside a field rule in millivolts: each rule's examples pass, no
    generated value satisfies both; the smallest value the wrong rule rejects is shown."""
    schema = with_fields(READING, battery_mv=field("battery_mv", "int"))
    toml = (
        BATTERY
        + """
[[rules]]
name = "battery_not_overcharged"
type = "CEL"
mode = "WRITE"
expr = "message.battery_mv <= 4.35"
examples = { pass = [{ battery_mv = 4.2 }], fail = [{ battery_mv = 4.4 }] }
"""
    )
    catalog = build(tmp_path / "c", toml, [schema])
    report = verify_evolution(catalog, examples=30)
    assert of(report.findings, "rule-example-failed") == []
    [finding] = of(report.findings, "evolution-rule-unsatisfied")
    assert "'battery_not_overcharged'" in finding.message
    assert finding.line == 9
    assert "Smallest value it rejects (" in finding.message
    shown = finding.message.rsplit("): ", 1)[1]
    assert json.loads(shown)["battery_mv"] == 2500  # within the other rule's range, shrunk


def test_a_field_rule_without_its_guard_rejects_every_message(tmp_path: Path) -> None:
    """``name == 'battery_mv' && ...`` without ``;`` is false on every other field."""
    toml = """
[[rules]]
name = "battery_unguarded"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'battery_mv' && value >= 2500"
"""
    catalog = build(tmp_path / "c", toml, [READING])
    [finding] = verify_evolution(catalog, examples=20).findings
    assert finding.rule == "evolution-rule-unsatisfied"
    assert "Reading.device_id = ''" in finding.message


def test_examples_are_evaluated_as_check_evaluates_them(tmp_path: Path) -> None:
    toml = """
[[rules]]
name = "battery_mv_in_range"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'battery_mv' && typeName != 'NULL' ; value >= 2500 && value <= 4500"
examples = { pass = [2500, 4600], fail = [2499, 3000] }
"""
    catalog = build(tmp_path / "c", toml, [READING])
    found = of(verify_evolution(catalog, examples=10).findings, "rule-example-failed")
    assert [f.message.split(":")[1].split(" (")[0] for f in found] == [
        " pass example 2",
        " fail example 2",
    ]
    assert all(f.line == 7 and f.subject == SUBJECT for f in found)
    assert all(f.severity is Severity.ERROR for f in found)


def test_contradicting_ranges_are_unsatisfiable(tmp_path: Path) -> None:
    toml = (
        BATTERY
        + """
[[rules]]
name = "battery_low"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'battery_mv' ; value < 2000"
"""
    )
    catalog = build(tmp_path / "c", toml, [READING])
    [finding] = verify_evolution(catalog, examples=10).findings
    assert finding.rule == "evolution-rule-unsatisfiable"
    assert "'battery_mv_in_range', 'battery_low'" in finding.message
    assert "com.example.Reading.battery_mv" in finding.message


def test_a_rule_beyond_the_forms_filters_the_data(tmp_path: Path) -> None:
    """A satisfiable message rule: no finding, a note that its data was filtered."""
    toml = """
[[rules]]
name = "uptime_positive"
type = "CEL"
mode = "WRITE"
expr = "message.uptime_s > 0"
"""
    catalog = build(tmp_path / "c", toml, [READING])
    report = verify_evolution(catalog, examples=20)
    assert report.findings == []
    assert report.rules == 1
    assert report.notes == [
        f"{SUBJECT} v1: rule 'uptime_positive' is beyond the forms the generator constrains; "
        "data for it was filtered"
    ]


def test_rule_findings_follow_the_catalogs_rules_table(tmp_path: Path) -> None:
    toml = """
[[rules]]
name = "battery_unguarded"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'battery_mv' && value >= 2500"
"""
    catalog = build(tmp_path / "c", toml, [READING])
    catalog.rules = {"warn": ["evolution-rule-unsatisfied"]}
    [finding] = verify_evolution(catalog, examples=10).findings
    assert finding.severity is Severity.WARNING
    catalog.rules = {"disable": ["evolution-rule-unsatisfied"]}
    assert verify_evolution(catalog, examples=10).findings == []


# -- migrations -----------------------------------------------------------------------------

V1 = record(
    "Reading",
    [
        field("device_id", "string"),
        field("uptime_s", "long"),
        field("rssi_dbm", ["null", "int"], default=None),
        field("tags", {"type": "array", "items": "string"}, default=[]),
    ],
)
V2 = with_fields(V1, uptime_s=None, uptime_ms=field("uptime_ms", "long"))
KEEP = '$sift($, function($v, $k) {{$k != "{0}"}})'
UPGRADE = f'$merge([{KEEP.format("uptime_s")}, {{"uptime_ms": uptime_s * 1000}}])'
DOWNGRADE = f'$merge([{KEEP.format("uptime_ms")}, {{"uptime_s": $floor(uptime_ms / 1000)}}])'
UPTIME_BOUND = """
[[rules]]
name = "uptime_within_a_century"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'uptime_s' ; value >= 0 && value <= 3155760000"
until_version = 1
"""


def migrations(upgrade: str | None, downgrade: str | None) -> str:
    out = 'compatibility_group = "major_version"\n\n[versions.2]\nmajor = 2\n' + UPTIME_BOUND
    for name, mode, expr in (("up", "UPGRADE", upgrade), ("down", "DOWNGRADE", downgrade)):
        if expr is not None:
            out += (
                f'\n[[migrations]]\nname = "uptime_{name}"\nversion = 2\nmode = "{mode}"\n'
                f"expr = '{expr}'\n"
            )
    return out


def migration_catalog(root: Path, upgrade: str | None, downgrade: str | None) -> Catalog:
    return build(root, migrations(upgrade, downgrade), [V1, V2], compatibility="BACKWARD")


def test_correct_migrations_pass_with_their_round_trip(tmp_path: Path) -> None:
    catalog = migration_catalog(tmp_path / "c", UPGRADE, DOWNGRADE)
    report = verify_evolution(catalog, examples=40)
    assert report.findings == [], "\n".join(f.message for f in report.findings)
    assert report.migrations == 3  # v1 upgraded, v2 downgraded, the round trip
    assert report.outcomes == []  # the majors are not compared by the level


def test_an_upgrade_forgetting_a_required_field(tmp_path: Path) -> None:
    catalog = migration_catalog(tmp_path / "c", KEEP.format("uptime_s"), DOWNGRADE)
    report = verify_evolution(catalog, examples=20)
    [finding] = report.findings
    assert finding.rule == "evolution-upgrade-invalid"
    assert finding.version == 2 and finding.previous_version == 1
    assert "UPGRADE 'uptime_up' of v2 turns v1 data into data v2 refuses: no uptime_ms" in (
        finding.message
    )
    smallest = finding.message.split("Smallest v1 value: ")[1].split("; upgraded: ")[0]
    assert json.loads(smallest) == {"device_id": "", "uptime_s": 0, "rssi_dbm": None, "tags": []}


def test_an_upgrade_that_overflows_a_long_without_a_bound(tmp_path: Path) -> None:
    """Without the rule bounding uptime_s, seconds times 1000 leaves the long range: found
    with few examples too, as the migrations are also tried at the integers' edges."""
    toml = migrations(UPGRADE, DOWNGRADE).replace(UPTIME_BOUND, "")
    catalog = build(tmp_path / "c", toml, [V1, V2], compatibility="BACKWARD")
    [finding] = verify_evolution(catalog, examples=50).findings
    [few] = verify_evolution(catalog, examples=3).findings
    assert few.rule == "evolution-upgrade-invalid"
    assert finding.rule == "evolution-upgrade-invalid"
    smallest = json.loads(finding.message.split("Smallest v1 value: ")[1].split("; upgraded")[0])
    # JSONata multiplies in doubles: the smallest failing value is where the product, rounded,
    # first leaves the long range.
    assert abs(smallest["uptime_s"]) > 9_000_000_000_000_000
    assert "expected long" in finding.message


def test_a_downgrade_writing_the_wrong_type(tmp_path: Path) -> None:
    wrong = DOWNGRADE.replace("$floor(uptime_ms / 1000)", "$string($floor(uptime_ms / 1000))")
    catalog = migration_catalog(tmp_path / "c", UPGRADE, wrong)
    [finding] = verify_evolution(catalog, examples=20).findings
    assert finding.rule == "evolution-downgrade-invalid"
    assert finding.previous_version == 1
    assert "Reading.uptime_s is <0> of type <class 'str'> expected long" in finding.message
    smallest = finding.message.split("Smallest v2 value: ")[1].split("; downgraded: ")
    assert json.loads(smallest[0]) == {
        "device_id": "",
        "rssi_dbm": None,
        "tags": [],
        "uptime_ms": 0,
    }
    assert json.loads(smallest[1])["uptime_s"] == "0"


def test_a_round_trip_that_loses_a_shared_field(tmp_path: Path) -> None:
    lossy = DOWNGRADE.replace('{"uptime_s":', '{"rssi_dbm": null, "uptime_s":')
    catalog = migration_catalog(tmp_path / "c", UPGRADE, lossy)
    [finding] = verify_evolution(catalog, examples=40).findings
    assert finding.rule == "evolution-round-trip-lost"
    assert "changes rssi_dbm, held by both versions" in finding.message
    smallest = json.loads(finding.message.split("Smallest v1 value: ")[1].split("; after")[0])
    assert smallest["rssi_dbm"] == 0  # the smallest value null does not lose
    assert smallest["uptime_s"] == 0


def test_a_migration_that_fails_to_evaluate(tmp_path: Path) -> None:
    catalog = migration_catalog(tmp_path / "c", '$merge([$, {"uptime_ms": $nope(1)}])', None)
    [finding] = verify_evolution(catalog, examples=10).findings
    assert finding.rule == "evolution-upgrade-invalid"
    assert "JSONata evaluation failed" in finding.message


def test_every_version_of_the_previous_major_is_upgraded(tmp_path: Path) -> None:
    v1 = with_fields(V1, rssi_dbm=None, tags=None)
    toml = migrations(UPGRADE, DOWNGRADE).replace("[versions.2]", "[versions.3]")
    toml = toml.replace("version = 2\n", "version = 3\n").replace(
        "until_version = 1", "until_version = 2"
    )
    catalog = build(tmp_path / "c", toml, [v1, V1, V2], compatibility="BACKWARD")
    report = verify_evolution(catalog, examples=20)
    assert report.findings == []
    assert report.migrations == 4  # v1 and v2 upgraded, v3 downgraded, the round trip
    contract = catalog.by_subject(SUBJECT)
    assert [(c.writer.version, c.reader.version) for c in evolution_cases(contract)] == [(1, 2)]


def test_without_a_group_every_version_pair_is_compared(tmp_path: Path) -> None:
    catalog = build(tmp_path / "c", 'owner = "team"\n', [V1, V2], compatibility="BACKWARD")
    contract = catalog.by_subject(SUBJECT)
    assert [(c.writer.version, c.reader.version) for c in evolution_cases(contract)] == [(1, 2)]


# -- the command ------------------------------------------------------------------------------


def test_the_command_shows_the_counterexample_in_text_and_json(tmp_path: Path) -> None:
    migration_catalog(tmp_path / "c", KEEP.format("uptime_s"), DOWNGRADE)
    runner = CliRunner()
    args = ["test", "--catalog", str(tmp_path / "c"), "--examples", "10"]
    text = runner.invoke(main, args, catch_exceptions=False)
    assert text.exit_code == 1, text.output
    assert f"[evolution-upgrade-invalid] {SUBJECT} v2" in text.output
    assert '"uptime_s": 0' in text.output
    out = runner.invoke(main, [*args, "--format", "json"], catch_exceptions=False)
    assert out.exit_code == 1
    document = json.loads(out.output)
    [finding] = document["findings"]
    assert finding["rule"] == "evolution-upgrade-invalid"
    assert finding["category"] == "rules"
    assert finding["line"] is not None


def test_new_rule_ids_are_documented() -> None:
    for rule in (
        "evolution-rule-unsatisfiable",
        "evolution-rule-unsatisfied",
        "evolution-rule-rejects",
        "evolution-upgrade-invalid",
        "evolution-downgrade-invalid",
        "evolution-round-trip-lost",
    ):
        assert RULES[rule].severity is Severity.ERROR


def test_counterexamples_are_cut_to_a_sane_size() -> None:
    from devicecontracts.testing._rules import SHOWN_CHARS, shown

    text = shown({"blob": b"\x00" * 5000, "n": math.pi})
    assert len(text) < SHOWN_CHARS + 40
    assert text.endswith("more characters)")
    assert shown({"b": b"\xff"}) == '{"b": "\xff"}'


def test_the_bundled_catalog_proves_its_rules() -> None:
    report = verify_evolution(load_catalog(BUNDLED), examples=20)
    assert report.findings == [], "\n".join(f.message for f in report.findings)
    assert report.rules >= 2  # the battery rule on telemetry v2 and v3


def test_the_command_prints_notes_and_counts(tmp_path: Path) -> None:
    toml = """
[[rules]]
name = "uptime_positive"
type = "CEL"
mode = "WRITE"
expr = "message.uptime_s > 0"
"""
    build(tmp_path / "c", toml, [READING])
    runner = CliRunner()
    args = ["test", "--catalog", str(tmp_path / "c"), "--examples", "10"]
    text = runner.invoke(main, args, catch_exceptions=False)
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[-3:] == [
        f"note: {SUBJECT} v1: rule 'uptime_positive' is beyond the forms the generator "
        "constrains; data for it was filtered",
        "contracts test: data contracts: 1 domain rule and 0 migration checks tried on "
        "generated data",
        "contracts test: 1 subjects, 0 writer/reader pairs, 10 examples each (seed 0): "
        "0 errors, 0 warnings",
    ]
    out = runner.invoke(main, [*args, "--format", "json"], catch_exceptions=False)
    summary = json.loads(out.output)["summary"]
    assert summary["rules"] == 1 and summary["migrations"] == 0
    assert summary["notes"] == [text.output.splitlines()[-3].removeprefix("note: ")]


def test_a_rule_with_tags_constrains_only_tagged_fields(tmp_path: Path) -> None:
    tagged = with_fields(
        READING, device_id=field("device_id", "string", **{"confluent:tags": ["PII"]})
    )
    toml = """
[[rules]]
name = "pii_short"
type = "CEL_FIELD"
mode = "WRITE"
tags = ["PII"]
expr = "name == 'device_id' ; size(value) <= 2"
"""
    catalog = build(tmp_path / "tagged", toml, [tagged])
    contract = catalog.by_subject(SUBJECT)
    plan = plan_version(contract, contract.versions[0])
    assert list(plan.constrained) == ["pii_short"]
    untagged = build(tmp_path / "untagged", toml, [READING])
    report = verify_evolution(untagged, examples=10)
    assert report.findings == []
    assert report.notes == [f"{SUBJECT} v1: rule 'pii_short' names no field of v1 (device_id)"]


def test_an_updown_rule_runs_both_ways(tmp_path: Path) -> None:
    """One UPDOWN rule renaming a field back and forth: both chains and the round trip hold."""
    renamed = with_fields(V1, rssi_dbm=None, signal_dbm=field("signal_dbm", ["null", "int"]))
    swap = (
        '$merge([$sift($, function($v, $k) {$k != "rssi_dbm" and $k != "signal_dbm"}), '
        '$exists(rssi_dbm) ? {"signal_dbm": rssi_dbm} : {"rssi_dbm": signal_dbm}])'
    )
    toml = (
        'compatibility_group = "major_version"\n\n[versions.2]\nmajor = 2\n\n'
        f'[[migrations]]\nname = "rename"\nversion = 2\nmode = "UPDOWN"\nexpr = \'{swap}\'\n'
    )
    catalog = build(tmp_path / "c", toml, [V1, renamed], compatibility="BACKWARD")
    report = verify_evolution(catalog, examples=20)
    assert report.findings == [], "\n".join(f.message for f in report.findings)
    assert report.migrations == 3


def test_upgraded_data_must_pass_the_new_versions_read_rules(tmp_path: Path) -> None:
    """A reader runs its READ rules on the migrated record: v1 uptimes of up to a century,
    upgraded, break a v2 rule allowing 1,000 s at most; a WRITE-only rule is not run there."""
    read_rule = """
[[rules]]
name = "uptime_ms_small"
type = "CEL_FIELD"
mode = "{mode}"
expr = "name == 'uptime_ms' ; value <= 1000000"
from_version = 2
"""
    toml = migrations(UPGRADE, DOWNGRADE)
    migration_catalog(tmp_path / "c", UPGRADE, DOWNGRADE)
    (tmp_path / "c" / "reading" / "contract.toml").write_text(
        toml + read_rule.format(mode="READ"), encoding="utf-8"
    )
    [finding] = verify_evolution(load_catalog(tmp_path / "c"), examples=20).findings
    assert finding.rule == "evolution-upgrade-invalid"
    assert "its READ rule 'uptime_ms_small' rejects it (Reading.uptime_ms = 1001000)" in (
        finding.message
    )
    smallest = json.loads(finding.message.split("Smallest v1 value: ")[1].split("; upgraded")[0])
    assert smallest["uptime_s"] == 1001  # the first value the rule rejects once upgraded
    (tmp_path / "c" / "reading" / "contract.toml").write_text(
        toml + read_rule.format(mode="WRITE"), encoding="utf-8"
    )
    assert verify_evolution(load_catalog(tmp_path / "c"), examples=20).findings == []
