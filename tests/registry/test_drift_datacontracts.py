"""``contracts check --registry``: drift in data contracts, one finding per kind, naming subject,
version and what differs, and never a sensitive property's value."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from devicecontracts.catalog import load_catalog
from devicecontracts.testing.registry import LocalRegistry

from ..support.registry import POINT_SUBJECT, READING_SUBJECT, reading, run, small_catalog

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
examples = { pass = [1.5], fail = [-1.0] }
"""
SECRET = "pager-secret-123"
OTHER_SECRET = "other-secret-456"
REFS = [{"name": "com.example.Point", "subject": POINT_SUBJECT, "version": 1}]


def catalog_with(tmp_path: Path, contract: str = CONTRACT) -> Path:
    root = small_catalog(tmp_path / "c")
    (root / "reading" / "contract.toml").write_text(contract, encoding="utf-8")
    return root


def declared(catalog: Path, version: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """The metadata and rule set the catalog declares for reading ``version``, as JSON."""
    contract = load_catalog(catalog).contracts["reading"]
    return contract.metadata(version).to_registry(), contract.rule_set(version).to_registry()


def arrange(
    registry: LocalRegistry,
    catalog: Path,
    *,
    metadata: dict[str, Any] | None,
    rule_set: dict[str, Any] | None,
) -> None:
    """The registry holding the catalog's schemas, reading v1 with ``metadata`` and
    ``rule_set`` (as another tool, or an older release, registered them)."""
    point = json.loads((catalog / "point" / "v1.avsc").read_text(encoding="utf-8"))
    registry.register(POINT_SUBJECT, point, metadata={}, rule_set={})
    registry.register(READING_SUBJECT, reading(), REFS, metadata=metadata, rule_set=rule_set)
    registry.set_level("FULL_TRANSITIVE", POINT_SUBJECT)
    registry.set_level("BACKWARD_TRANSITIVE", READING_SUBJECT)


def drift(catalog: Path, registry: LocalRegistry) -> tuple[int, list[dict[str, Any]], str]:
    """Exit code, findings (JSON) and text output of ``contracts check --registry``."""
    text = run("check", "--catalog", catalog, "--registry", registry.url)
    result = run("check", "--catalog", catalog, "--registry", registry.url, "--format", "json")
    return result.exit_code, json.loads(result.output)["findings"], text.output


def by_rule(findings: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"] == rule]


def the(findings: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    [found] = by_rule(findings, rule)
    assert found["subject"] == READING_SUBJECT
    return found


def test_a_catalog_just_registered_has_no_data_contract_drift(
    tmp_path: Path, local_registry: LocalRegistry
):
    catalog = catalog_with(tmp_path)
    assert run("register", "--catalog", catalog, "--registry", local_registry.url).exit_code == 0
    code, findings, _ = drift(catalog, local_registry)
    assert code == 0, findings
    assert findings == []


def test_metadata_tags_and_sensitive_drift(tmp_path: Path, local_registry: LocalRegistry):
    """A changed property, a changed tag and another sensitive name: three findings, each
    naming what differs."""
    catalog = catalog_with(tmp_path)
    metadata, rule_set = declared(catalog)
    metadata["properties"]["owner"] = "team-b"
    metadata["tags"] = {"Reading.value": ["PII"]}
    metadata["sensitive"] = ["oncall", "owner"]
    arrange(local_registry, catalog, metadata=metadata, rule_set=rule_set)
    code, findings, _ = drift(catalog, local_registry)
    assert code == 1
    props = the(findings, "registry-metadata-drift")
    assert props["version"] == 1
    assert "'owner'" in props["message"] and "v1 of t.readings-value" in props["message"]
    assert "oncall" not in props["message"]  # unchanged properties are not listed
    assert "new version" in props["hint"]
    tags = the(findings, "registry-tags-drift")
    assert "'Reading.value' is tagged [PII]" in tags["message"]
    assert "'Reading.where' is tagged nothing, the catalog declares [GEO]" in tags["message"]
    sensitive = the(findings, "registry-sensitive-drift")
    assert "'owner' is sensitive only in the registry" in sensitive["message"]
    # owner is sensitive on one side: its values are never shown.
    assert "team-b" not in props["message"] and "team-a" not in props["message"]


def test_metadata_registered_without_any_is_drift(tmp_path: Path, local_registry: LocalRegistry):
    """Versions registered before the catalog declared metadata (none held) drift."""
    catalog = catalog_with(tmp_path)
    _, rule_set = declared(catalog)
    arrange(local_registry, catalog, metadata=None, rule_set=rule_set)
    _, findings, _ = drift(catalog, local_registry)
    message = the(findings, "registry-metadata-drift")["message"]
    assert "'owner' is missing (the catalog declares 'team-a')" in message
    assert "'oncall' is missing" in message and SECRET not in message


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("added", "rule 'extra' is not in the catalog"),
        ("removed", "rule 'value_not_negative' is missing"),
        ("changed", "rule 'value_not_negative' differs in expr, onFailure"),
    ],
)
def test_domain_rule_drift(tmp_path: Path, local_registry: LocalRegistry, change: str, says: str):
    catalog = catalog_with(tmp_path)
    metadata, rule_set = declared(catalog)
    rules = rule_set["domainRules"]
    if change == "added":
        rules.append(
            {"name": "extra", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}
        )
    elif change == "removed":
        rules.clear()
    else:
        rules[0] = {**rules[0], "expr": "name == 'value' ; value >= 1.0", "onFailure": "NONE"}
    arrange(local_registry, catalog, metadata=metadata, rule_set=rule_set if rules else {})
    code, findings, _ = drift(catalog, local_registry)
    assert code == 1
    assert says in the(findings, "registry-rules-drift")["message"]
    assert by_rule(findings, "registry-migration-drift") == []


def test_migration_rule_drift(tmp_path: Path, local_registry: LocalRegistry):
    """A migration rule the registry holds but the catalog does not declare (on v1)."""
    catalog = catalog_with(tmp_path)
    metadata, rule_set = declared(catalog)
    up = {"name": "up", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA", "expr": "$"}
    arrange(
        local_registry, catalog, metadata=metadata, rule_set={**rule_set, "migrationRules": [up]}
    )
    _, findings, _ = drift(catalog, local_registry)
    assert "rule 'up' is not in the catalog" in the(findings, "registry-migration-drift")["message"]
    assert by_rule(findings, "registry-rules-drift") == []


def test_compatibility_group_drift(tmp_path: Path, local_registry: LocalRegistry):
    catalog = catalog_with(tmp_path, 'compatibility_group = "major"\n' + CONTRACT)
    assert run("register", "--catalog", catalog, "--registry", local_registry.url).exit_code == 0
    local_registry.set_config(READING_SUBJECT, compatibilityGroup="other")
    _, findings, _ = drift(catalog, local_registry)
    found = the(findings, "registry-group-drift")
    assert "compatibilityGroup 'other'" in found["message"] and "'major'" in found["message"]
    assert found["file"].endswith("contract.toml") and found["line"] == 1
    local_registry.set_config(READING_SUBJECT, compatibilityGroup=None)
    _, findings, _ = drift(catalog, local_registry)
    assert "has compatibilityGroup none" in the(findings, "registry-group-drift")["message"]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("defaultMetadata", {"properties": {"tier": "gold"}}, "the catalog declares none"),
        ("overrideMetadata", {"sensitive": ["oncall"]}, "the catalog declares none"),
        (
            "defaultRuleSet",
            {
                "domainRules": [
                    {
                        "name": "d",
                        "kind": "CONDITION",
                        "mode": "WRITE",
                        "type": "CEL",
                        "expr": "true",
                    }
                ]
            },
            "rules 'd'",
        ),
        (
            "overrideRuleSet",
            {
                "domainRules": [
                    {
                        "name": "o",
                        "kind": "CONDITION",
                        "mode": "WRITE",
                        "type": "CEL",
                        "expr": "true",
                    }
                ]
            },
            "rules 'o'",
        ),
    ],
)
def test_default_and_override_config_drift(
    tmp_path: Path, local_registry: LocalRegistry, field: str, value: Any, says: str
):
    """A default or override the registry holds and the catalog does not declare."""
    catalog = catalog_with(tmp_path)
    assert run("register", "--catalog", catalog, "--registry", local_registry.url).exit_code == 0
    local_registry.set_config(READING_SUBJECT, **{field: value})
    _, findings, _ = drift(catalog, local_registry)
    [found] = [f for f in by_rule(findings, "registry-config-drift") if field in f["message"]]
    assert says in found["message"]
    # contracts register puts the config back as the catalog declares it (the field cleared).
    assert run("register", "--catalog", catalog, "--registry", local_registry.url).exit_code == 0
    assert field not in (local_registry.config(READING_SUBJECT) or {})


def test_declared_config_that_differs_is_drift(tmp_path: Path, local_registry: LocalRegistry):
    contract = (
        CONTRACT + '\n[subject_config]\ndefault_metadata = { properties = { tier = "gold" } }\n'
    )
    catalog = catalog_with(tmp_path, contract)
    assert run("register", "--catalog", catalog, "--registry", local_registry.url).exit_code == 0
    local_registry.set_config(READING_SUBJECT, defaultMetadata={"properties": {"tier": "silver"}})
    _, findings, _ = drift(catalog, local_registry)
    [found] = by_rule(findings, "registry-config-drift")
    assert "defaultMetadata" in found["message"]
    assert "'tier' is 'silver', the catalog declares 'gold'" in found["message"]


def test_what_a_default_merged_in_is_drift_and_says_where_it_came_from(
    tmp_path: Path, local_registry: LocalRegistry
):
    """A version registered with exactly the declared metadata, into a subject whose config has
    a defaultMetadata the catalog does not declare: the merged-in property is drift."""
    catalog = catalog_with(tmp_path)
    metadata, rule_set = declared(catalog)
    local_registry.set_config(
        READING_SUBJECT, compatibility="BACKWARD", defaultMetadata={"properties": {"tier": "gold"}}
    )
    arrange(local_registry, catalog, metadata=metadata, rule_set=rule_set)
    assert local_registry.schema(READING_SUBJECT, 1)["metadata"]["properties"]["tier"] == "gold"
    _, findings, _ = drift(catalog, local_registry)
    found = the(findings, "registry-metadata-drift")
    assert "'tier' = 'gold' is not in the catalog" in found["message"]
    assert "merged in from the subject config's defaultMetadata" in found["message"]
    assert by_rule(findings, "registry-config-drift")


def test_confluent_version_is_not_drift(tmp_path: Path, local_registry: LocalRegistry):
    """Confluent records confluent:version in a version registered with its number: ignored."""
    catalog = catalog_with(tmp_path)
    metadata, rule_set = declared(catalog)
    metadata["properties"]["confluent:version"] = "1"
    arrange(local_registry, catalog, metadata=metadata, rule_set=rule_set)
    _, findings, _ = drift(catalog, local_registry)
    assert by_rule(findings, "registry-metadata-drift") == []


def test_no_sensitive_value_is_printed_even_with_debug_logging(
    tmp_path: Path, local_registry: LocalRegistry, caplog: pytest.LogCaptureFixture
):
    """The values of sensitive properties appear in no output and no log record, with every
    logger at DEBUG, through register and check --registry (text and JSON)."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.DEBUG)
    catalog = catalog_with(tmp_path)
    metadata, rule_set = declared(catalog)
    metadata["properties"]["oncall"] = OTHER_SECRET
    arrange(local_registry, catalog, metadata=metadata, rule_set=rule_set)
    outputs = []
    for fmt in ("text", "json", "github"):
        result = run(
            "check", "--catalog", catalog, "--registry", local_registry.url, "--format", fmt
        )
        assert result.exit_code == 1
        outputs.append(result.output)
    assert (
        "'oncall' is (sensitive: not shown), the catalog declares (sensitive: not shown)"
        in outputs[0]
    )
    registered = run(
        "register", "--catalog", catalog, "--registry", local_registry.url, "--dry-run"
    )
    outputs.append(registered.output)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for text in [*outputs, logged]:
        assert SECRET not in text
        assert OTHER_SECRET not in text


def test_no_sensitive_value_of_the_subject_config_is_printed(
    tmp_path: Path, local_registry: LocalRegistry, caplog: pytest.LogCaptureFixture
):
    """A sensitive property in the declared and the registry's defaultMetadata: drift names
    it, and no output (text or JSON, register or check) nor log record shows either value."""
    caplog.set_level(logging.DEBUG)
    contract = (
        CONTRACT
        + f'\n[subject_config]\ndefault_metadata = {{ properties = {{ oncall = "{SECRET}" }} }}\n'
    )
    catalog = catalog_with(tmp_path, contract)
    outputs = [
        run(
            "register", "--catalog", catalog, "--registry", local_registry.url, "--format", "json"
        ).output
    ]
    local_registry.set_config(
        READING_SUBJECT, defaultMetadata={"properties": {"oncall": OTHER_SECRET}}
    )
    for fmt in ("text", "json"):
        result = run(
            "check", "--catalog", catalog, "--registry", local_registry.url, "--format", fmt
        )
        assert result.exit_code == 1
        outputs.append(result.output)
    assert "'oncall' is (sensitive: not shown)" in outputs[1]
    outputs.append(
        run(
            "register", "--catalog", catalog, "--registry", local_registry.url, "--format", "json"
        ).output
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for text in [*outputs, logged]:
        assert SECRET not in text
        assert OTHER_SECRET not in text


def test_register_says_which_registered_versions_hold_other_metadata(
    tmp_path: Path, local_registry: LocalRegistry
):
    """contracts register cannot change a registered version: its plan names the versions that
    drifted, and leaves them as they are."""
    catalog = catalog_with(tmp_path)
    metadata, rule_set = declared(catalog)
    metadata["properties"]["owner"] = "team-b"
    arrange(local_registry, catalog, metadata=metadata, rule_set=rule_set)
    snapshot = local_registry.snapshot()
    result = run("register", "--catalog", catalog, "--registry", local_registry.url)
    assert result.exit_code == 0, result.output
    assert "v1 registered with other metadata or rules than contract.toml declares" in result.output
    assert local_registry.snapshot() == snapshot
