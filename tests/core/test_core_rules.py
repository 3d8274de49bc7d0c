"""Specification of the core rules: what no catalog can switch off, and the lock rules that
keep releases released (gaps, weakened levels, reference pins), safe contract names and Kafka
topic names."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devicecontracts.catalog import load_catalog, record_releases
from devicecontracts.catalog.lock import read_lock, write_lock
from devicecontracts.errors import CatalogError
from devicecontracts.findings import CORE_RULES, RULES, Severity
from devicecontracts.schema.compatibility import CompatibilityLevel

from ..support.catalogs import check, field, make_catalog, message_toml, record, with_rule

LEVELS = list(CompatibilityLevel)


def lock_json(catalog: Path) -> Any:
    """The catalog's lock file as JSON."""
    return json.loads((catalog / "contracts.lock.json").read_text(encoding="utf-8"))


def write_lock_json(catalog: Path, data: Any) -> None:
    """Replace the catalog's lock file."""
    (catalog / "contracts.lock.json").write_text(json.dumps(data), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# [rules] cannot switch core rules off


@pytest.mark.parametrize("key", ["disable", "warn"])
@pytest.mark.parametrize("rule", sorted(CORE_RULES))
def test_a_core_rule_cannot_be_disabled_or_demoted(tmp_path: Path, rule: str, key: str) -> None:
    """Disabling or demoting a core rule in [rules] is a configuration error naming the rule
    and pointing to waivers.toml."""
    toml = message_toml() + f'[rules]\n{key} = ["{rule}"]\n'
    root = make_catalog(tmp_path / "c", toml, {"reading": [record("Reading", [])]})
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    assert rule in str(caught.value)
    assert "waivers.toml" in str(caught.value)


def test_core_rules_are_known_errors() -> None:
    """Every core rule is a documented rule whose default severity is error."""
    assert set(RULES) >= CORE_RULES
    assert all(RULES[r].severity is Severity.ERROR for r in CORE_RULES)


# ---------------------------------------------------------------------------------------------
# released versions run v1..vn


def test_deleting_a_middle_lock_entry_is_a_gap(catalog_dir: Path) -> None:
    """A lock whose released versions skip one (a deleted middle entry) fails with a gap
    finding naming the missing version."""
    data = lock_json(catalog_dir)
    del data["subjects"]["fleet.telemetry-value"]["2"]
    write_lock_json(catalog_dir, data)
    [gap] = with_rule(check(catalog_dir), "released-version-gap")
    assert gap.severity is Severity.ERROR
    assert (gap.subject, gap.version) == ("fleet.telemetry-value", 2)
    assert "v2" in gap.message


def test_a_lock_released_up_to_the_latest_has_no_gap(bundled: Path) -> None:
    """The bundled lock's releases run from v1 without gaps."""
    assert with_rule(check(bundled), "released-version-gap") == []


# ---------------------------------------------------------------------------------------------
# a released subject's level never weakens


def _promises(level: CompatibilityLevel) -> set[tuple[str, str]]:
    """What a level promises, as (direction, reach) pairs: the oracle for weakening."""
    directions = {"BACKWARD": ["backward"], "FORWARD": ["forward"], "FULL": ["backward", "forward"]}
    base, _, transitive = level.value.partition("_")
    reaches = ["latest", "all"] if transitive else ["latest"]
    return {(d, r) for d in directions.get(base, []) for r in reaches}


def _released_shared(root: Path, level: CompatibilityLevel) -> Path:
    """A catalog of one shared type at ``level`` whose v1 is locked (recording the level)."""
    schema = record("Point", [field("x", "int")])
    make_catalog(root, f'[shared.point]\ncompatibility = "{level.value}"\n', {"point": [schema]})
    catalog = load_catalog(root)
    record_releases(catalog)
    write_lock(catalog.lock)
    return root


def _set_level(root: Path, level: CompatibilityLevel) -> None:
    (root / "catalog.toml").write_text(
        f'[shared.point]\ncompatibility = "{level.value}"\n', encoding="utf-8"
    )


def test_the_lock_records_the_level_at_release(tmp_path: Path) -> None:
    """Releasing a version records the subject's level in its lock entry."""
    root = _released_shared(tmp_path / "c", CompatibilityLevel.FULL_TRANSITIVE)
    entry = read_lock(root / "contracts.lock.json").entry("com.example.Point", 1)
    assert entry is not None
    assert entry.level == "FULL_TRANSITIVE"


@pytest.mark.parametrize("new", LEVELS)
@pytest.mark.parametrize("old", LEVELS)
def test_a_level_change_fails_exactly_when_it_drops_a_promise(
    tmp_path: Path, old: CompatibilityLevel, new: CompatibilityLevel
) -> None:
    """Changing a released subject's level is a finding exactly when the new level drops a
    promise of the old one (a direction, or the check against every earlier version)."""
    root = _released_shared(tmp_path / "c", old)
    _set_level(root, new)
    found = with_rule(check(root), "released-level-weakened")
    weakened = not _promises(new) >= _promises(old)
    assert bool(found) == weakened
    if weakened:
        assert old.value in found[0].message and new.value in found[0].message


def test_weakening_the_bundled_telemetry_level_is_a_finding(catalog_dir: Path) -> None:
    """Lowering the bundled telemetry from FULL_TRANSITIVE to BACKWARD_TRANSITIVE fails, naming
    the forward promise it drops."""
    toml = catalog_dir / "catalog.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'compatibility = "FULL_TRANSITIVE"' in text
    toml.write_text(
        text.replace('compatibility = "FULL_TRANSITIVE"', 'compatibility = "BACKWARD_TRANSITIVE"'),
        encoding="utf-8",
    )
    [weakened] = with_rule(check(catalog_dir), "released-level-weakened")
    assert weakened.subject == "fleet.telemetry-value"
    assert "FORWARD" in weakened.message and weakened.severity is Severity.ERROR


def test_tightening_fails_only_where_the_history_breaks(tmp_path: Path) -> None:
    """Tightening a released level is no lock finding; a history that does not hold at the new
    level is reported as incompatible."""
    v1 = record("Point", [field("x", "int")])
    v2 = record("Point", [field("x", "int"), field("y", "int")])  # no default: not FORWARD
    toml = '[shared.point]\ncompatibility = "BACKWARD_TRANSITIVE"\n'
    root = make_catalog(tmp_path / "c", toml, {"point": [v1, v2]})
    catalog = load_catalog(root)
    record_releases(catalog)
    write_lock(catalog.lock)
    _set_level(root, CompatibilityLevel.FULL_TRANSITIVE)
    report = check(root)
    assert with_rule(report, "released-level-weakened") == []
    assert with_rule(report, "incompatible") != []


def test_a_lock_without_levels_reports_no_weakening(tmp_path: Path) -> None:
    """Lock entries written before levels were recorded never report a weakened level."""
    root = _released_shared(tmp_path / "c", CompatibilityLevel.FULL_TRANSITIVE)
    data = lock_json(root)
    for versions in data["subjects"].values():
        for entry in versions.values():
            entry.pop("level")
    write_lock_json(root, data)
    _set_level(root, CompatibilityLevel.NONE)
    assert with_rule(check(root), "released-level-weakened") == []


# ---------------------------------------------------------------------------------------------
# contract names are safe folder names


@pytest.mark.parametrize("name", ["../outside", "..", ".", "a/b", "a\\\\b", ".hidden", "", "a b"])
def test_an_unsafe_contract_name_is_a_configuration_error(tmp_path: Path, name: str) -> None:
    """A contract name that is not one plain folder inside the catalog is refused, by name."""
    toml = f'[messages."{name}"]\ntopic = "fleet.x"\ndirection = "device-to-cloud"\n'
    root = make_catalog(tmp_path / "c", toml, {})
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    assert repr(name.replace("\\\\", "\\")) in str(caught.value)
    assert "folder name" in str(caught.value)


@pytest.mark.parametrize("name", ["ota_progress", "meter-reading", "v2.alarm", "_x9"])
def test_a_plain_contract_name_is_accepted(tmp_path: Path, name: str) -> None:
    """Letters, digits, '_', '-' and '.' make a contract name."""
    toml = f'[messages."{name}"]\ntopic = "fleet.x"\ndirection = "device-to-cloud"\n'
    root = make_catalog(tmp_path / "c", toml, {name: [record("R", [])]})
    assert name in load_catalog(root).contracts


# ---------------------------------------------------------------------------------------------
# topics follow Kafka's rules


def _kafka_legal(topic: str) -> bool:
    legal = set(string.ascii_letters + string.digits + "._-")
    return 0 < len(topic) <= 249 and set(topic) <= legal and topic not in (".", "..")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    topic=st.one_of(
        st.text(alphabet=string.ascii_letters + string.digits + "._- /:#é", max_size=12),
        st.sampled_from([".", "..", "a" * 249, "a" * 250, "fleet.telemetry-v2_x"]),
    )
)
def test_a_topic_is_accepted_exactly_when_kafka_would(tmp_path: Path, topic: str) -> None:
    """A message's topic loads when it is 1 to 249 of [a-zA-Z0-9._-] and not '.' or '..';
    otherwise loading fails naming the topic."""
    toml = f'[messages.m]\ntopic = {json.dumps(topic)}\ndirection = "device-to-cloud"\n'
    (tmp_path / "catalog.toml").write_text(toml, encoding="utf-8")
    if _kafka_legal(topic):
        assert load_catalog(tmp_path).contracts["m"].topic == topic
    else:
        with pytest.raises(CatalogError) as caught:
            load_catalog(tmp_path)
        assert "Kafka topic" in str(caught.value)


# ---------------------------------------------------------------------------------------------
# lock messages name the real cause


def _set_pin(catalog: Path, subject: str, version: str, name: str, pinned: int) -> None:
    data = lock_json(catalog)
    for ref in data["subjects"][subject][version]["references"]:
        if ref["name"] == name:
            ref["version"] = pinned
    write_lock_json(catalog, data)


GEO = "com.acme.fleet.common.GeoPoint"


def test_a_changed_pin_is_reported_as_a_pin_not_an_edited_file(catalog_dir: Path) -> None:
    """Repinning a released message to another shared version says the lock's pin changed,
    and never asks to revert the unchanged schema file."""
    _set_pin(catalog_dir, "fleet.alarms-value", "1", GEO, 2)
    report = check(catalog_dir)
    about_alarm = [f for f in report.findings if f.subject == "fleet.alarms-value"]
    [pin] = [f for f in about_alarm if f.rule == "released-reference-changed"]
    assert pin.version == 1
    assert "pin" in pin.message and "contracts.lock.json" in pin.hint
    assert [f for f in about_alarm if f.rule == "released-version-changed"] == []
    assert not any("revert" in f.hint for f in about_alarm)


def test_a_pin_to_a_missing_shared_version_is_a_finding(catalog_dir: Path) -> None:
    """A lock entry pinning a shared version that does not exist fails, naming it."""
    _set_pin(catalog_dir, "fleet.alarms-value", "2", GEO, 9)
    [pin] = with_rule(check(catalog_dir), "released-reference-changed")
    assert (pin.subject, pin.version) == ("fleet.alarms-value", 2)
    assert "v9" in pin.message and "does not exist" in pin.message


def test_an_edited_shared_version_is_named_in_the_messages_that_pin_it(catalog_dir: Path) -> None:
    """Editing a released shared version reports the shared file as edited, and each message
    that pins it names that shared file as the cause."""
    path = catalog_dir / "geo_point" / "v1.avsc"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"].append(field("extra", ["null", "int"], default=None))
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    report = check(catalog_dir)
    [edited] = with_rule(report, "released-version-changed")
    assert edited.subject == GEO
    pins = with_rule(report, "released-reference-changed")
    assert pins and all("geo_point/v1.avsc" in f.message for f in pins)
    assert {f.subject for f in pins} >= {"fleet.alarms-value"}
