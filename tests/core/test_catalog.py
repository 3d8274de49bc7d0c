"""Specification of catalog loading: `devicecontracts.catalog.load_catalog`."""

from __future__ import annotations

from pathlib import Path

import pytest

from devicecontracts.catalog import Catalog, ContractKind, Direction, load_catalog
from devicecontracts.errors import CatalogError
from devicecontracts.schema import Record, Union
from devicecontracts.schema.compatibility import CompatibilityLevel

from ..support.catalogs import field, make_catalog, message_toml, next_version, read_version, record


@pytest.fixture(scope="module")
def bundled_catalog() -> Catalog:
    """The bundled catalog, loaded once for the read-only tests of this module."""
    from ..support.catalogs import BUNDLED

    return load_catalog(BUNDLED)


def reading(*extra_fields: dict[str, object]) -> dict[str, object]:
    """A small valid message schema."""
    return record("Reading", [field("value", "double"), *extra_fields], namespace="com.example")


# ---------------------------------------------------------------------------------------------
# The bundled catalog


def test_bundled_catalog_loads_without_problems(bundled_catalog: Catalog) -> None:
    """The bundled catalog has no load problems and every version parses."""
    assert bundled_catalog.problems == []
    broken = [(v.display, v.problem) for v in bundled_catalog.versions() if v.schema is None]
    assert broken == []


def test_bundled_catalog_has_shared_types_and_messages(bundled_catalog: Catalog) -> None:
    """The bundled catalog declares the shared types and the device messages of the pipeline."""
    kinds = {c.name: c.kind for c in bundled_catalog.contracts.values()}
    assert kinds["device_header"] == kinds["geo_point"] == "shared"
    assert {"telemetry", "heartbeat", "alarm", "ota_progress", "command", "command_ack"} <= {
        name for name, kind in kinds.items() if kind == "message"
    }


def test_contract_kind_is_an_enum_with_the_toml_words(bundled_catalog: Catalog) -> None:
    """A contract's kind is a ContractKind whose value is the word catalog.toml uses."""
    assert bundled_catalog.contracts["geo_point"].kind is ContractKind.SHARED
    assert bundled_catalog.contracts["telemetry"].kind is ContractKind.MESSAGE
    assert [k.value for k in ContractKind] == ["message", "shared"]


def test_versions_are_ordered_oldest_first(bundled_catalog: Catalog) -> None:
    """Every contract's versions are numbered 1..n in order."""
    for contract in bundled_catalog.contracts.values():
        assert [v.version for v in contract.versions] == list(range(1, len(contract.versions) + 1))


def test_ordered_puts_shared_contracts_first(bundled_catalog: Catalog) -> None:
    """``ordered`` lists shared contracts (registered first) before messages."""
    kinds = [c.kind for c in bundled_catalog.ordered()]
    assert kinds == sorted(kinds, key=lambda k: k != "shared")


# ---------------------------------------------------------------------------------------------
# Subjects


def test_topic_strategy_subject_is_topic_value(bundled_catalog: Catalog) -> None:
    """A message under the default TopicNameStrategy is registered as ``<topic>-value``."""
    assert bundled_catalog.contracts["alarm"].subject == "fleet.alarms-value"


def test_record_strategy_subject_is_the_full_name(bundled_catalog: Catalog) -> None:
    """A message with subject_strategy = "record" is registered under its record's full name."""
    assert bundled_catalog.contracts["command_ack"].subject == "com.acme.fleet.command.CommandAck"


def test_shared_type_subject_is_its_full_name(bundled_catalog: Catalog) -> None:
    """A shared type is its own subject, named after its full name."""
    assert bundled_catalog.contracts["geo_point"].subject == "com.acme.fleet.common.GeoPoint"


def test_topic_record_strategy_subject_is_topic_and_full_name(tmp_path: Path) -> None:
    """subject_strategy = "topic_record" gives ``<topic>-<full name>``."""
    root = make_catalog(
        tmp_path,
        message_toml(extra='subject_strategy = "topic_record"\n'),
        {"reading": [reading()]},
    )
    assert load_catalog(root).contracts["reading"].subject == "fleet.reading-com.example.Reading"


def test_explicit_subject_overrides_the_strategy(tmp_path: Path) -> None:
    """A declared ``subject`` is used as is."""
    root = make_catalog(
        tmp_path, message_toml(extra='subject = "custom-subject"\n'), {"reading": [reading()]}
    )
    assert load_catalog(root).contracts["reading"].subject == "custom-subject"


def test_by_subject_finds_a_contract_by_subject_or_name(bundled_catalog: Catalog) -> None:
    """``by_subject`` accepts the registry subject or the contract name."""
    alarm = bundled_catalog.contracts["alarm"]
    assert bundled_catalog.by_subject("fleet.alarms-value") is alarm
    assert bundled_catalog.by_subject("alarm") is alarm


def test_by_subject_error_lists_known_subjects(bundled_catalog: Catalog) -> None:
    """An unknown subject raises CatalogError naming the known subjects."""
    with pytest.raises(CatalogError, match=r"fleet\.alarms-value"):
        bundled_catalog.by_subject("fleet.nope-value")


# ---------------------------------------------------------------------------------------------
# Levels


def test_device_to_cloud_defaults_to_backward_transitive(bundled_catalog: Catalog) -> None:
    """A device-to-cloud message without a declared level is BACKWARD_TRANSITIVE."""
    heartbeat = bundled_catalog.contracts["heartbeat"]
    assert heartbeat.direction is Direction.DEVICE_TO_CLOUD
    assert not heartbeat.level_declared
    assert heartbeat.level is CompatibilityLevel.BACKWARD_TRANSITIVE


def test_cloud_to_device_defaults_to_forward_transitive(bundled_catalog: Catalog) -> None:
    """A cloud-to-device message without a declared level is FORWARD_TRANSITIVE."""
    command = bundled_catalog.contracts["command"]
    assert command.direction is Direction.CLOUD_TO_DEVICE
    assert command.level is CompatibilityLevel.FORWARD_TRANSITIVE


def test_shared_types_default_to_full_transitive(bundled_catalog: Catalog) -> None:
    """A shared type without a declared level is FULL_TRANSITIVE."""
    assert bundled_catalog.contracts["geo_point"].level is CompatibilityLevel.FULL_TRANSITIVE


def test_declared_level_wins_over_the_default(bundled_catalog: Catalog) -> None:
    """A declared compatibility level replaces the direction's default."""
    telemetry = bundled_catalog.contracts["telemetry"]
    assert telemetry.level_declared
    assert telemetry.level is CompatibilityLevel.FULL_TRANSITIVE


def test_declared_level_is_case_insensitive(tmp_path: Path) -> None:
    """``compatibility = "backward"`` is read as BACKWARD."""
    root = make_catalog(tmp_path, message_toml(compatibility="backward"), {"reading": [reading()]})
    assert load_catalog(root).contracts["reading"].level is CompatibilityLevel.BACKWARD


# ---------------------------------------------------------------------------------------------
# References between files


SHARED_TOML = """
[shared.{first}]
[shared.{second}]
[messages.reading]
topic = "fleet.reading"
direction = "device-to-cloud"
"""

POINT = record("Point", [field("lat", "double"), field("lon", "double")], namespace="com.geo")
ZONE = record(
    "Zone", [field("centre", "com.geo.Point"), field("radius_m", "double")], namespace="com.geo"
)
READING_IN_ZONE = record("Reading", [field("zone", "com.geo.Zone")], namespace="com.example")


@pytest.mark.parametrize(
    ("zone_name", "point_name"),
    [("a_zone", "z_point"), ("z_zone", "a_point")],
    ids=["user sorts first", "user sorts last"],
)
def test_shared_type_referencing_another_resolves_in_any_order(
    tmp_path: Path, zone_name: str, point_name: str
) -> None:
    """A shared type using another shared type resolves whichever is declared or sorted first."""
    root = make_catalog(
        tmp_path,
        SHARED_TOML.format(first=zone_name, second=point_name),
        {zone_name: [ZONE], point_name: [POINT], "reading": [READING_IN_ZONE]},
    )
    catalog = load_catalog(root)
    assert catalog.problems == []
    reading_schema = catalog.contracts["reading"].versions[0].schema
    assert reading_schema is not None, catalog.contracts["reading"].versions[0].problem
    zone = reading_schema.root
    assert isinstance(zone, Record)
    zone_type = zone.fields[0].type
    assert isinstance(zone_type, Record)
    centre = zone_type.fields[0].type
    assert isinstance(centre, Record) and centre.fullname == "com.geo.Point"


def test_references_are_recorded_with_subject_and_version(tmp_path: Path) -> None:
    """A version that uses a shared type records a reference to its subject and version."""
    root = make_catalog(
        tmp_path,
        SHARED_TOML.format(first="zone", second="point"),
        {"zone": [ZONE], "point": [POINT], "reading": [READING_IN_ZONE]},
    )
    zone_v1 = load_catalog(root).contracts["zone"].versions[0]
    assert [(r.name, r.subject, r.version) for r in zone_v1.references] == [
        ("com.geo.Point", "com.geo.Point", 1)
    ]


def test_reference_to_an_invalid_shared_type_is_a_problem_of_the_user(tmp_path: Path) -> None:
    """A contract using a shared type whose schema is invalid gets a problem naming that file."""
    broken_point = record("Point", [field("lat", "double", default="north")], namespace="com.geo")
    root = make_catalog(
        tmp_path,
        SHARED_TOML.format(first="zone", second="point"),
        {"zone": [ZONE], "point": [broken_point], "reading": [READING_IN_ZONE]},
    )
    catalog = load_catalog(root)
    problem = catalog.contracts["zone"].versions[0].problem
    assert problem is not None
    assert "point" in problem.message and "v1.avsc" in problem.message


def test_lock_pins_the_shared_version_a_release_used(bundled_catalog: Catalog) -> None:
    """Released alarm v1 resolves GeoPoint v1 (as locked) although GeoPoint v2 exists."""
    assert len(bundled_catalog.contracts["geo_point"].versions) >= 2
    alarm_v1 = bundled_catalog.contracts["alarm"].versions[0]
    assert alarm_v1.schema is not None
    root = alarm_v1.schema.root
    assert isinstance(root, Record)
    location = root.field_named("location")
    assert location is not None and isinstance(location.type, Union)
    point = location.type.branches[1]
    assert isinstance(point, Record)
    assert [f.name for f in point.fields] == ["latitude", "longitude", "altitude_m", "accuracy_m"]
    assert {(r.name, r.version) for r in alarm_v1.references} >= {
        ("com.acme.fleet.common.GeoPoint", 1)
    }


def test_an_unreleased_version_resolves_the_latest_shared_version(catalog_dir: Path) -> None:
    """A new alarm version, not in the lock yet, resolves the newest GeoPoint (v2)."""
    number = next_version(catalog_dir, "alarm", read_version(catalog_dir, "alarm", 3))
    alarm = load_catalog(catalog_dir).contracts["alarm"].versions[number - 1]
    assert alarm.schema is not None
    root = alarm.schema.root
    assert isinstance(root, Record)
    location = root.field_named("location")
    assert location is not None and isinstance(location.type, Union)
    point = location.type.branches[1]
    assert isinstance(point, Record)
    assert point.field_named("speed_mps") is not None
    assert ("com.acme.fleet.common.GeoPoint", 2) in {(r.name, r.version) for r in alarm.references}


# ---------------------------------------------------------------------------------------------
# A catalog that cannot be loaded


def test_missing_catalog_folder_is_a_catalog_error(tmp_path: Path) -> None:
    """A catalog folder that does not exist raises CatalogError naming it."""
    with pytest.raises(CatalogError, match="no catalog folder"):
        load_catalog(tmp_path / "nowhere")


def test_missing_catalog_toml_is_a_catalog_error(tmp_path: Path) -> None:
    """A folder without catalog.toml raises CatalogError naming the file."""
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert caught.value.location.file == str(tmp_path / "catalog.toml")


def test_bad_toml_is_a_catalog_error_with_line(tmp_path: Path) -> None:
    """catalog.toml that is not TOML raises CatalogError with the line of the problem."""
    (tmp_path / "catalog.toml").write_text('[messages.x]\ntopic = "t"\ndirection =\n')
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert caught.value.location.line == 3


BAD_CONFIGS = {
    "unknown key": (
        message_toml(extra='colour = "red"\n'),
        "colour",
    ),
    "unknown table": ('[message.reading]\ntopic = "t"\n', "message"),
    "bad direction": (message_toml(direction="sideways"), "direction"),
    "missing direction": ('[messages.reading]\ntopic = "fleet.reading"\n', "direction"),
    "missing topic": ('[messages.reading]\ndirection = "device-to-cloud"\n', "topic"),
    "bad level": (message_toml(compatibility="SOMETIMES"), "SOMETIMES"),
    "bad strategy": (message_toml(extra='subject_strategy = "name"\n'), "subject_strategy"),
    "no contracts": ("", "no contracts"),
    "non-string value": ('[messages.reading]\ntopic = 3\ndirection = "device-to-cloud"\n', "topic"),
    "rules not a list": ('[rules]\ndisable = "missing-doc"\n' + message_toml(), "rules"),
    "unknown rules key": ('[rules]\nenable = ["x"]\n' + message_toml(), "rules"),
}


@pytest.mark.parametrize(("toml", "mentions"), BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_malformed_config_is_a_catalog_error(tmp_path: Path, toml: str, mentions: str) -> None:
    """A malformed catalog.toml raises CatalogError whose message names the offending part."""
    root = make_catalog(tmp_path, toml, {"reading": [reading()]})
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    assert mentions in caught.value.message


def test_config_errors_name_the_contract(tmp_path: Path) -> None:
    """An error in one contract's table carries the contract in its location."""
    root = make_catalog(tmp_path, message_toml(direction="sideways"), {"reading": [reading()]})
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    assert caught.value.location.subject == "reading"


# ---------------------------------------------------------------------------------------------
# Problems in the folder layout (reported by contracts check, not raised)


def problems_of(catalog: Catalog) -> dict[str, list[str | None]]:
    """Problem files by rule id."""
    found: dict[str, list[str | None]] = {}
    for p in catalog.problems:
        found.setdefault(p.rule, []).append(p.location.file)
    return found


def test_undeclared_folder_with_schemas_is_a_problem(tmp_path: Path) -> None:
    """A folder of .avsc files that catalog.toml does not declare is catalog-undeclared-folder."""
    root = make_catalog(tmp_path, message_toml(), {"reading": [reading()], "orphan": [reading()]})
    problems = problems_of(load_catalog(root))
    assert list(problems) == ["catalog-undeclared-folder"]
    assert problems["catalog-undeclared-folder"][0].endswith("orphan")  # type: ignore[union-attr]


def test_folder_without_schemas_is_not_a_problem(tmp_path: Path) -> None:
    """A folder with no .avsc files (docs, scripts) may sit beside the contracts."""
    root = make_catalog(tmp_path, message_toml(), {"reading": [reading()]})
    (root / "docs").mkdir()
    (root / "docs" / "README.md").write_text("notes")
    assert load_catalog(root).problems == []


def test_declared_contract_without_folder_is_a_problem(tmp_path: Path) -> None:
    """A declared contract with no folder is catalog-missing-folder."""
    toml = message_toml() + message_toml("status")
    root = make_catalog(tmp_path, toml, {"reading": [reading()]})
    [problem] = load_catalog(root).problems
    assert problem.rule == "catalog-missing-folder"
    assert "status" in problem.message


def test_stray_file_in_a_contract_folder_is_a_problem(tmp_path: Path) -> None:
    """A file that is not vN.avsc in a contract folder is catalog-stray-file."""
    root = make_catalog(tmp_path, message_toml(), {"reading": [reading()]})
    (root / "reading" / "draft.avsc").write_text("{}")
    (root / "reading" / "v01.avsc").write_text("{}")
    files = problems_of(load_catalog(root))["catalog-stray-file"]
    assert sorted(Path(f).name for f in files if f) == ["draft.avsc", "v01.avsc"]


def test_version_gap_is_a_problem_naming_the_missing_version(tmp_path: Path) -> None:
    """Versions v1 and v3 without v2 are catalog-version-gap naming v2."""
    root = make_catalog(tmp_path, message_toml(), {"reading": [reading()]})
    (root / "reading" / "v3.avsc").write_text((root / "reading" / "v1.avsc").read_text())
    problems = [p for p in load_catalog(root).problems if p.rule == "catalog-version-gap"]
    assert len(problems) == 1
    assert "v2" in problems[0].message


def test_bad_schema_file_does_not_stop_loading(tmp_path: Path) -> None:
    """An invalid schema file becomes the version's problem; the other versions still parse."""
    root = make_catalog(tmp_path, message_toml(), {"reading": [reading(), '{"type": ']})
    versions = load_catalog(root).contracts["reading"].versions
    assert versions[0].schema is not None
    assert versions[1].schema is None and versions[1].problem is not None
    assert versions[1].problem.location.line == 1


# ---------------------------------------------------------------------------------------------
# How version files are shown


def test_version_files_are_shown_as_display_path_shows_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version's ``display`` is `display_path` of its file: relative to the working
    directory below it, as given elsewhere, and a symbolic link by where it points."""
    import os

    from devicecontracts.catalog import display_path

    root = make_catalog(
        tmp_path / "repo" / "schemas",
        message_toml("reading"),
        {"reading": [reading(), reading(field("extra", "int", default=0))]},
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "target.avsc").write_text((root / "reading" / "v2.avsc").read_text())
    (root / "reading" / "v2.avsc").unlink()
    os.symlink(elsewhere / "target.avsc", root / "reading" / "v2.avsc")
    for cwd, given in [
        (tmp_path / "repo", Path("schemas")),
        (tmp_path / "repo", root),
        (root, Path(".")),
        (root / "reading", Path("..")),
        (elsewhere, root),
    ]:
        monkeypatch.chdir(cwd)
        versions = load_catalog(given).contracts["reading"].versions
        shown = [v.display for v in versions]
        assert shown == [display_path(v.file) for v in versions], (cwd, given)
    monkeypatch.chdir(tmp_path)
    shown = [v.display for v in load_catalog(root).contracts["reading"].versions]
    assert shown == ["repo/schemas/reading/v1.avsc", "elsewhere/target.avsc"]
    monkeypatch.chdir(elsewhere)
    shown = [v.display for v in load_catalog(Path("../repo/schemas")).contracts["reading"].versions]
    assert shown == ["../repo/schemas/reading/v1.avsc", "target.avsc"]


@pytest.mark.parametrize(
    "data",
    [
        b"a\r\nb\rc\nd\r",
        b"\r\r\n\n",
        b"plain",
        "\u00e9\r\n".encode(),
        b"\xef\xbb\xbfbom\r\n",
        b"",
        b"x" * (1 << 16),  # exactly one read's worth, then more reads
        b"y\r\n" * 100_000,  # several reads
    ],
)
def test_version_text_is_read_as_read_text_reads_it(tmp_path: Path, data: bytes) -> None:
    """Version files are read as ``Path.read_text(encoding="utf-8")`` would: newlines
    translated, a byte order mark kept (so the parser reports it)."""
    from devicecontracts.catalog._files import _read_text

    path = tmp_path / "v1.avsc"
    path.write_bytes(data)
    assert _read_text(path) == path.read_text(encoding="utf-8")


def test_a_folder_named_as_a_version_is_reported_as_open_reports_it(tmp_path: Path) -> None:
    """A folder named v1.avsc is its version's problem, with the error a file object gives
    (naming the file), although a system call opens a folder."""
    from devicecontracts.catalog._files import _read_text

    folder = tmp_path / "v1.avsc"
    folder.mkdir()
    with pytest.raises(OSError) as raised:
        _read_text(folder)
    with pytest.raises(OSError) as expected:
        folder.read_text(encoding="utf-8")
    assert str(raised.value) == str(expected.value)
    assert str(folder) in str(raised.value)


def test_a_version_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    """A version file that is not UTF-8 becomes its version's problem, naming the file."""
    root = make_catalog(tmp_path / "cat", message_toml("reading"), {"reading": [reading()]})
    (root / "reading" / "v1.avsc").write_bytes(b'{"type": "\xff"}')
    v = load_catalog(root).contracts["reading"].versions[0]
    assert v.schema is None and v.problem is not None
    assert "cannot read the file" in v.problem.message
