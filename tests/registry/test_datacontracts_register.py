"""``contracts register`` with data contracts: each version registered with exactly the metadata
and rule set the catalog declares (an empty one as ``{}``: nothing inherited), the declared
subject config, idempotent, and a preflight that checks a new major only within its group."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from confluent_kafka.schema_registry import Schema

from devicecontracts.catalog import load_catalog
from devicecontracts.testing.registry import LocalRegistry

from ..support.catalogs import write_version
from ..support.registry import (
    POINT_SUBJECT,
    READING_SUBJECT,
    SMALL_TOML,
    client,
    optional,
    reading,
    registered_writes,
    run,
    small_catalog,
)

CONTRACT = """\
owner = "team-a"
sensitive = ["oncall"]

[properties]
oncall = "pager-secret-123"

[tags]
"Reading.where" = ["GEO"]

[[rules]]
name = "value_not_negative"
type = "CEL_FIELD"
mode = "WRITEREAD"
expr = "name == 'value' ; value >= 0.0"
until_version = 1
examples = { pass = [1.5], fail = [-1.0] }
"""

GROUP = """\
[versions.2]
major = 2

[subject_config]
default_metadata = { properties = { tier = "gold" } }

[[migrations]]
name = "value_to_amount"
version = 2
mode = "UPGRADE"
expr = '$merge([$sift($, function($v, $k) {$k != "value"}), {"amount": value}])'

[[migrations]]
name = "amount_to_value"
version = 2
mode = "DOWNGRADE"
expr = '$merge([$sift($, function($v, $k) {$k != "amount"}), {"value": amount}])'
"""


def grouped(contract: str = CONTRACT) -> str:
    """``contract`` with a compatibility group, v2 a new major with migrations both ways."""
    return 'compatibility_group = "major"\n' + contract + GROUP


def amount_reading() -> dict[str, Any]:
    """Reading v2 under a new major: ``value`` renamed ``amount`` (a BACKWARD break)."""
    schema = reading()
    schema["fields"][0] = {"name": "amount", "type": "double", "doc": "The amount."}
    return schema


def catalog_with(tmp_path: Path, contract: str, **versions: Any) -> Path:
    root = small_catalog(tmp_path / "c", **versions)
    (root / "reading" / "contract.toml").write_text(contract, encoding="utf-8")
    return root


def register(catalog: Path, registry: LocalRegistry, *extra: object) -> Any:
    return run("register", "--catalog", catalog, "--registry", registry.url, *extra)


def register_bodies(registry: LocalRegistry, subject: str) -> list[Any]:
    return [
        r.body
        for r in registry.requests
        if r.method == "POST" and r.path == f"/subjects/{subject}/versions"
    ]


def test_each_version_goes_with_exactly_the_declared_metadata_and_rule_set(
    tmp_path: Path, local_registry: LocalRegistry
):
    """The request body carries Contract.metadata(v) and Contract.rule_set(v) as the registry's
    JSON; a contract without contract.toml sends {} for both, explicitly."""
    catalog = catalog_with(tmp_path, CONTRACT)
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    contract = load_catalog(catalog).contracts["reading"]
    [body] = register_bodies(local_registry, READING_SUBJECT)
    assert body["metadata"] == contract.metadata(1).to_registry()
    assert body["metadata"]["properties"]["owner"] == "team-a"
    assert body["ruleSet"] == contract.rule_set(1).to_registry()
    assert body["ruleSet"]["domainRules"][0]["name"] == "value_not_negative"
    [point_body] = register_bodies(local_registry, POINT_SUBJECT)
    assert (point_body["metadata"], point_body["ruleSet"]) == ({}, {})
    stored = local_registry.schema(READING_SUBJECT, 1)
    assert stored["metadata"] == contract.metadata(1).to_registry()
    assert local_registry.schema(POINT_SUBJECT, 1)["metadata"] == {}


def test_register_inherits_nothing_where_a_raw_client_would(
    tmp_path: Path, local_registry: LocalRegistry
):
    """A subject whose previous version has metadata and rules: the version contracts register
    adds with none declared ends up with none, while a raw client call without them inherits."""
    catalog = small_catalog(tmp_path / "c", readings=(reading(), reading(optional("unit"))))
    inherited = {"properties": {"owner": "someone-else"}}
    rules = {
        "domainRules": [
            {"name": "old", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}
        ]
    }
    point_text = json.dumps(json.loads((catalog / "point" / "v1.avsc").read_text()))
    local_registry.register(POINT_SUBJECT, point_text, metadata={}, rule_set={})
    refs = [{"name": "com.example.Point", "subject": POINT_SUBJECT, "version": 1}]
    text = json.dumps(reading(), separators=(",", ":"))
    local_registry.register(READING_SUBJECT, text, refs, metadata=inherited, rule_set=rules)
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert local_registry.versions(READING_SUBJECT) == [1, 2]
    mine = local_registry.schema(READING_SUBJECT, 2)
    assert (mine.get("metadata"), mine.get("ruleSet")) == ({}, {})
    # The same request from a raw client, without metadata or rules: they are inherited.
    other = "t.other-value"
    local_registry.register(other, text, refs, metadata=inherited, rule_set=rules)
    raw = client(local_registry.url)
    later = json.dumps(reading(optional("unit")))
    raw.register_schema(other, Schema(later, "AVRO", [_ref()]))
    assert local_registry.schema(other, 2)["metadata"] == inherited
    assert local_registry.schema(other, 2)["ruleSet"]["domainRules"][0]["name"] == "old"


def _ref() -> Any:
    from confluent_kafka.schema_registry import SchemaReference

    return SchemaReference("com.example.Point", POINT_SUBJECT, 1)


def test_register_sets_the_declared_config_and_is_idempotent(
    tmp_path: Path, local_registry: LocalRegistry
):
    """compatibilityGroup and defaultMetadata go into the subject config with the level; a
    second run changes nothing and says so."""
    catalog = catalog_with(tmp_path, grouped(), readings=(reading(), amount_reading()))
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    config = local_registry.config(READING_SUBJECT)
    assert config is not None
    assert config["compatibilityGroup"] == "major"
    assert config["defaultMetadata"] == {"properties": {"tier": "gold"}}
    assert "set config compatibilityGroup 'major', defaultMetadata" in result.output
    v2 = local_registry.schema(READING_SUBJECT, 2)
    assert v2["metadata"]["properties"]["major"] == "2"
    assert [r["name"] for r in v2["ruleSet"]["migrationRules"]] == [
        "value_to_amount",
        "amount_to_value",
    ]
    snapshot = local_registry.snapshot()
    local_registry.clear_requests()
    again = register(catalog, local_registry)
    assert again.exit_code == 0, again.output
    assert "nothing to register" in again.output
    assert "every level and config is set" in again.output
    assert registered_writes(local_registry.requests) == []
    assert local_registry.snapshot() == snapshot


def test_a_new_major_passes_the_preflight_within_its_group(
    tmp_path: Path, local_registry: LocalRegistry
):
    """v1 registered first; v2 breaks it under a new major. The group is set before the
    preflight, so the registry (and devicecontracts) compare v2 with its own major only."""
    catalog = catalog_with(tmp_path, 'compatibility_group = "major"\n' + CONTRACT)
    first = register(catalog, local_registry)
    assert first.exit_code == 0, first.output
    assert local_registry.config(READING_SUBJECT)["compatibilityGroup"] == "major"  # type: ignore[index]

    write_version(catalog, "reading", 2, amount_reading())
    (catalog / "reading" / "contract.toml").write_text(grouped(), encoding="utf-8")
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert "registry compatible, devicecontracts compatible" in result.output
    assert local_registry.versions(READING_SUBJECT) == [1, 2]
    # Without the group the same break is refused: the check compares across majors.
    with LocalRegistry() as plain:
        flat = catalog_with(tmp_path / "flat", CONTRACT, readings=(reading(),))
        assert register(flat, plain).exit_code == 0
        write_version(flat, "reading", 2, amount_reading())
        refused = register(flat, plain)
        assert refused.exit_code == 1
        assert plain.versions(READING_SUBJECT) == [1]


def test_normalize_goes_on_every_request_about_a_version(
    tmp_path: Path, local_registry: LocalRegistry
):
    """--normalize adds normalize=true to lookups, checks and registrations."""
    catalog = catalog_with(tmp_path, CONTRACT)
    assert register(catalog, local_registry, "--normalize").exit_code == 0
    about = [
        r
        for r in local_registry.requests
        if r.method == "POST" and r.path.startswith(("/subjects/", "/compatibility/"))
    ]
    assert about and all(r.query.get("normalize") == "true" for r in about)
    local_registry.clear_requests()
    assert register(catalog, local_registry).exit_code == 0
    assert not any("normalize" in r.query for r in local_registry.requests)


def test_the_catalogs_normalize_switch_asks_the_registry_to_normalize(
    tmp_path: Path, local_registry: LocalRegistry
):
    """catalog.toml's normalize = true (a Confluent 7 switch) does what --normalize does."""
    toml = 'line = "confluent-7"\nnormalize = true\n' + SMALL_TOML
    catalog = small_catalog(tmp_path / "c", toml=toml)
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    registrations = [
        r for r in local_registry.requests if r.method == "POST" and r.path.endswith("/versions")
    ]
    assert registrations and all(r.query.get("normalize") == "true" for r in registrations)


def test_a_registry_without_the_version_guard_gets_the_metadata_too(
    tmp_path: Path, local_registry: LocalRegistry
):
    """Before Confluent 7.4 (42205 for a version outside IMPORT mode) the registration goes
    through the client's own register call: with the same metadata and rule set, {} kept."""
    catalog = catalog_with(tmp_path, CONTRACT)
    local_registry.fail_next(
        422,
        42205,
        f"Subject {POINT_SUBJECT} in context . is not in import mode",
        method="POST",
        path=f"/subjects/{POINT_SUBJECT}/versions",
    )
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert "does not take the expected version" in result.output
    guarded, plain = register_bodies(local_registry, POINT_SUBJECT)
    assert "version" in guarded and "version" not in plain
    assert (plain["metadata"], plain["ruleSet"]) == ({}, {})
    contract = load_catalog(catalog).contracts["reading"]
    [reading_body] = register_bodies(local_registry, READING_SUBJECT)
    assert "version" not in reading_body
    assert reading_body["metadata"] == contract.metadata(1).to_registry()
    assert reading_body["ruleSet"] == contract.rule_set(1).to_registry()
    stored = local_registry.schema(READING_SUBJECT, 1)
    assert stored["metadata"] == contract.metadata(1).to_registry()
