"""The local registry's data contracts, through confluent-kafka's real client over HTTP:
metadata and rule sets stored, inherited, merged and returned as Confluent does, subject config
with a compatibility group, defaults and overrides, reserved fields, and 42210 for a malformed
rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest
from confluent_kafka.schema_registry import (
    Metadata,
    MetadataProperties,
    MetadataTags,
    Rule,
    RuleKind,
    RuleMode,
    RuleSet,
    Schema,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.error import SchemaRegistryError

from devicecontracts.testing.registry import LocalRegistry

SUBJECT = "t.readings-value"


def record(*fields: dict[str, Any]) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "Reading",
            "namespace": "com.example",
            "fields": [{"name": "value", "type": "double"}, *fields],
        }
    )


V1 = record()
V2 = record({"name": "unit", "type": ["null", "string"], "default": None})
BROKEN = json.dumps(
    {
        "type": "record",
        "name": "Reading",
        "namespace": "com.example",
        "fields": [{"name": "amount", "type": "double"}],
    }
)


def props(**values: str) -> Metadata:
    return Metadata(tags=None, properties=MetadataProperties(values), sensitive=None)


def cel(name: str, expr: str = "message.value >= 0.0", **extra: Any) -> Rule:
    fields: dict[str, Any] = {
        "name": name,
        "doc": None,
        "kind": RuleKind.CONDITION,
        "mode": RuleMode.WRITE,
        "type": "CEL",
        "tags": None,
        "params": None,
        "expr": expr,
        "on_success": None,
        "on_failure": None,
        "disabled": None,
    }
    fields.update(extra)
    return Rule(**fields)


def rules(*domain: Rule, migration: tuple[Rule, ...] = ()) -> RuleSet:
    return RuleSet(migration_rules=list(migration) or None, domain_rules=list(domain) or None)


@pytest.fixture
def sr(local_registry: LocalRegistry) -> SchemaRegistryClient:
    return SchemaRegistryClient({"url": local_registry.url, "max.retries": 0})


def held(sr: SchemaRegistryClient, version: int) -> tuple[Any, Any]:
    """(metadata, ruleSet) of a version as GET /subjects/{s}/versions/{v} answers them."""
    answer = sr._rest_client.get(f"subjects/{SUBJECT}/versions/{version}")
    return answer.get("metadata"), answer.get("ruleSet")


def refusal(call: Callable[[], object]) -> SchemaRegistryError:
    with pytest.raises(SchemaRegistryError) as caught:
        call()
    return caught.value


# -- stored, inherited, returned -------------------------------------------------------------


def test_metadata_and_rule_set_are_stored_and_returned(sr: SchemaRegistryClient):
    """A registration's metadata and rule set come back from GET, as the client reads them."""
    sr.register_schema(
        SUBJECT, Schema(V1, "AVRO", metadata=props(owner="a"), rule_set=rules(cel("r")))
    )
    found = sr.get_version(SUBJECT, 1)
    assert found.schema.metadata.properties.properties == {"owner": "a"}
    assert [r.name for r in found.schema.rule_set.domain_rules] == ["r"]
    meta, ruleset = held(sr, 1)
    assert meta == {"properties": {"owner": "a"}}
    assert ruleset["domainRules"][0]["expr"] == "message.value >= 0.0"


def test_a_version_without_metadata_inherits_while_an_empty_one_does_not(
    sr: SchemaRegistryClient,
):
    """null (left out) inherits the previous version's metadata and rules; ``{}`` is empty."""
    sr.register_schema(
        SUBJECT, Schema(V1, "AVRO", metadata=props(owner="a"), rule_set=rules(cel("r")))
    )
    sr.register_schema(SUBJECT, Schema(V2, "AVRO"))
    assert held(sr, 2) == held(sr, 1)
    third = record({"name": "site", "type": ["null", "string"], "default": None})
    empty = Schema(third, "AVRO", metadata=Metadata(None, None, None), rule_set=RuleSet(None, None))
    assert empty.to_dict()["metadata"] == {} and empty.to_dict()["ruleSet"] == {}
    sr.register_schema(SUBJECT, empty)
    assert held(sr, 3) == ({}, {})


def test_merge_order_is_default_then_specific_then_override(
    local_registry: LocalRegistry, sr: SchemaRegistryClient
):
    """default < specific < override: properties and tags replaced by name, sensitive names
    united, rules replaced by name and appended."""
    local_registry.set_config(
        SUBJECT,
        compatibility="BACKWARD",
        defaultMetadata={
            "properties": {"owner": "default", "tier": "gold"},
            "sensitive": ["a"],
            "tags": {"Reading.value": ["D"]},
        },
        overrideMetadata={"properties": {"owner": "override"}, "sensitive": ["b"]},
        defaultRuleSet={"domainRules": [cel("d").to_dict(), cel("shared", "true").to_dict()]},
        overrideRuleSet={"domainRules": [cel("o").to_dict()]},
    )
    specific = Metadata(
        tags=MetadataTags({"Reading.value": ["S"]}),
        properties=MetadataProperties({"owner": "specific", "site": "x"}),
        sensitive=["c"],
    )
    sr.register_schema(
        SUBJECT, Schema(V1, "AVRO", metadata=specific, rule_set=rules(cel("shared", "false")))
    )
    meta, ruleset = held(sr, 1)
    assert meta == {
        "properties": {"owner": "override", "site": "x", "tier": "gold"},
        "sensitive": ["a", "b", "c"],
        "tags": {"Reading.value": ["S"]},
    }
    domain = ruleset["domainRules"]
    assert [r["name"] for r in domain] == ["d", "shared", "o"]
    assert domain[1]["expr"] == "false"  # the specific rule replaced the default of that name


# -- identity --------------------------------------------------------------------------------


def test_the_same_schema_with_another_rule_set_is_a_new_version(sr: SchemaRegistryClient):
    """Metadata and rule set are part of a schema's identity (and id), as in Confluent."""
    first = sr.register_schema_full_response(SUBJECT, Schema(V1, "AVRO", rule_set=rules(cel("r"))))
    again = sr._rest_client.post(
        f"subjects/{SUBJECT}/versions", body=Schema(V1, "AVRO", rule_set=rules(cel("r"))).to_dict()
    )
    assert again["id"] == first.schema_id
    other = sr._rest_client.post(
        f"subjects/{SUBJECT}/versions",
        body=Schema(V1, "AVRO", rule_set=rules(cel("r", "true"))).to_dict(),
    )
    assert other["id"] != first.schema_id
    assert sr.get_versions(SUBJECT) == [1, 2]
    # Without a rule set, the request inherits the latest (version 2's): the same again.
    plain = sr._rest_client.post(f"subjects/{SUBJECT}/versions", body={"schema": V1})
    assert plain["id"] == other["id"]
    assert sr.get_versions(SUBJECT) == [1, 2]


def test_lookup_treats_metadata_as_identity(sr: SchemaRegistryClient):
    """POST /subjects/{s} finds a version with the same metadata; without metadata, it tries
    the latest version's (Confluent's second lookup)."""
    sr.register_schema(SUBJECT, Schema(V1, "AVRO", metadata=props(owner="a")))
    found = sr._rest_client.post(
        f"subjects/{SUBJECT}", body=Schema(V1, "AVRO", metadata=props(owner="a")).to_dict()
    )
    assert found["version"] == 1 and found["metadata"] == {"properties": {"owner": "a"}}
    assert sr._rest_client.post(f"subjects/{SUBJECT}", body={"schema": V1})["version"] == 1
    missing = refusal(
        lambda: sr._rest_client.post(
            f"subjects/{SUBJECT}", body=Schema(V1, "AVRO", metadata=props(owner="b")).to_dict()
        )
    )
    assert missing.error_code == 40403


# -- malformed rules: 42210 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        (
            {"kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"},
            "Missing rule name",
        ),
        (
            {"name": "1x", "type": "CEL", "mode": "WRITE", "expr": "true"},
            "Illegal initial character",
        ),
        ({"name": "x y", "type": "CEL", "mode": "WRITE", "expr": "true"}, "Illegal character"),
        ({"name": "r" * 65, "type": "CEL", "mode": "WRITE", "expr": "true"}, "too long"),
        ({"name": "r", "kind": "CHECK", "mode": "WRITE", "type": "CEL"}, "kind"),
        ({"name": "r", "kind": "CONDITION", "mode": "SOMETIMES", "type": "CEL"}, "mode"),
        ({"name": "r", "kind": "CONDITION", "mode": "WRITE"}, "Missing rule type"),
        (
            {"name": "r", "mode": "WRITE", "type": "CEL", "onFailure": "DLQ,ERROR"},
            "Multiple actions",
        ),
        ({"name": "r", "mode": "WRITE", "type": "CEL", "expr": "message.value >="}, "expression"),
        (
            {"name": "r", "mode": "READ", "type": "CEL_FIELD", "expr": "name == ; true"},
            "expression",
        ),
    ],
)
def test_a_malformed_domain_rule_is_refused_with_42210(
    local_registry: LocalRegistry, rule: dict[str, Any], says: str
):
    """Confluent's RuleSet.validate, plus kinds, modes and expressions that do not parse."""
    answer = httpx.post(
        f"{local_registry.url}/subjects/{SUBJECT}/versions",
        json={"schema": V1, "ruleSet": {"domainRules": [rule]}},
    )
    assert answer.status_code == 422
    assert answer.json()["error_code"] == 42210
    assert says in answer.json()["message"]
    assert local_registry.versions(SUBJECT) == []


def test_duplicate_names_and_misplaced_modes_are_refused_with_42210(
    local_registry: LocalRegistry,
):
    """Rule names are unique across the groups; migration rules UPGRADE/DOWNGRADE/UPDOWN only;
    a JSONata migration must parse."""
    url = f"{local_registry.url}/subjects/{SUBJECT}/versions"
    up = {"name": "m", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA", "expr": "$"}
    cases = [
        (
            {"migrationRules": [up], "domainRules": [{**up, "mode": "WRITE", "type": "CEL"}]},
            "duplicate",
        ),
        ({"migrationRules": [{**up, "mode": "WRITE"}]}, "Migration rules can only be"),
        ({"domainRules": [{**up, "name": "d", "mode": "UPGRADE"}]}, "Domain rules can only be"),
        ({"migrationRules": [{**up, "expr": "$merge([$"}]}, "expression"),
    ]
    for rule_set, says in cases:
        answer = httpx.post(url, json={"schema": V1, "ruleSet": rule_set})
        assert answer.json()["error_code"] == 42210, rule_set
        assert says in answer.json()["message"]
    assert httpx.post(url, json={"schema": V1, "ruleSet": {"migrationRules": [up]}}).is_success


def test_a_malformed_default_rule_set_in_the_config_is_refused_with_42210(
    local_registry: LocalRegistry,
):
    answer = httpx.put(
        f"{local_registry.url}/config/{SUBJECT}",
        json={"defaultRuleSet": {"domainRules": [{"name": "", "type": "CEL"}]}},
    )
    assert (answer.status_code, answer.json()["error_code"]) == (422, 42210)
    assert local_registry.config(SUBJECT) is None


# -- config ------------------------------------------------------------------------------------


def test_config_takes_and_returns_the_data_contract_fields(local_registry: LocalRegistry):
    """PUT keeps what a body leaves out and clears what it sends as null; GET answers every
    field; defaultToGlobal puts the subject's over the global config."""
    base = f"{local_registry.url}/config"
    meta = {"properties": {"tier": "gold"}}
    body = {
        "compatibility": "BACKWARD",
        "compatibilityGroup": "major",
        "defaultMetadata": meta,
        "overrideRuleSet": {"domainRules": [cel("o").to_dict()]},
        "validateFields": True,
    }
    assert httpx.put(f"{base}/{SUBJECT}", json=body).is_success
    got = httpx.get(f"{base}/{SUBJECT}").json()
    assert got["compatibilityLevel"] == "BACKWARD"
    assert got["compatibilityGroup"] == "major"
    assert got["defaultMetadata"] == meta
    assert got["overrideRuleSet"]["domainRules"][0]["name"] == "o"
    assert got["validateFields"] is True
    httpx.put(f"{base}/{SUBJECT}", json={"defaultMetadata": None}).raise_for_status()
    got = httpx.get(f"{base}/{SUBJECT}").json()
    assert "defaultMetadata" not in got and got["compatibilityGroup"] == "major"
    httpx.put(base, json={"compatibility": "FULL", "compatibilityGroup": "global-group"})
    other = httpx.get(f"{base}/other", params={"defaultToGlobal": "true"}).json()
    assert (other["compatibilityLevel"], other["compatibilityGroup"]) == ("FULL", "global-group")
    assert httpx.get(f"{base}/other").json()["error_code"] == 40408


# -- compatibility within a group, reserved fields ---------------------------------------------


def test_a_compatibility_group_checks_within_the_same_major(
    local_registry: LocalRegistry, sr: SchemaRegistryClient
):
    """A break under another major is accepted; under the same major it is refused; the check
    endpoint reads the group value from the request's metadata as sent."""
    local_registry.set_config(
        SUBJECT, compatibility="BACKWARD_TRANSITIVE", compatibilityGroup="major"
    )
    sr.register_schema(SUBJECT, Schema(V1, "AVRO", metadata=props(major="1")))
    check = f"{local_registry.url}/compatibility/subjects/{SUBJECT}/versions?verbose=true"
    same = httpx.post(check, json={"schema": BROKEN, "metadata": {"properties": {"major": "1"}}})
    assert same.json()["is_compatible"] is False
    assert httpx.post(check, json={"schema": BROKEN}).json()["is_compatible"] is True  # no group
    new = httpx.post(check, json={"schema": BROKEN, "metadata": {"properties": {"major": "2"}}})
    assert new.json()["is_compatible"] is True
    error = refusal(
        lambda: sr.register_schema(SUBJECT, Schema(BROKEN, "AVRO", metadata=props(major="1")))
    )
    assert error.error_code == 40901
    sr.register_schema(SUBJECT, Schema(BROKEN, "AVRO", metadata=props(major="2")))
    assert sr.get_versions(SUBJECT) == [1, 2]


def test_validate_fields_enforces_reserved_fields(
    local_registry: LocalRegistry, sr: SchemaRegistryClient
):
    """With validateFields, a reserved name may not be a top-level field, nor be dropped from
    ``confluent:reserved``; without it, both are accepted."""
    sr.register_schema(
        SUBJECT, Schema(V1, "AVRO", metadata=props(**{"confluent:reserved": "unit"}))
    )
    dropped = Schema(V1, "AVRO", metadata=props(owner="x"))
    uses = Schema(V2, "AVRO", metadata=props(**{"confluent:reserved": "unit"}))
    check = f"{local_registry.url}/compatibility/subjects/{SUBJECT}/versions?verbose=true"
    local_registry.set_config(SUBJECT, compatibility="BACKWARD", validateFields=True)
    verdict = httpx.post(check, json=uses.to_dict()).json()
    assert verdict["is_compatible"] is False
    assert any("conflicts with the reserved field unit" in m for m in verdict["messages"])
    assert any("validateFields: 'true'" in m for m in verdict["messages"])
    error = refusal(lambda: sr.register_schema(SUBJECT, dropped))
    assert "reserved field unit removed from its metadata" in error.error_message
    local_registry.set_config(SUBJECT, validateFields=False)
    sr.register_schema(SUBJECT, uses)
    assert sr.get_versions(SUBJECT) == [1, 2]


def test_the_compatibility_check_does_not_validate_rules(local_registry: LocalRegistry):
    """As in Confluent, only registering refuses a malformed rule set; the check answers."""
    body = {"schema": V1, "ruleSet": {"domainRules": [{"name": "1x", "type": "CEL"}]}}
    check = f"{local_registry.url}/compatibility/subjects/{SUBJECT}/versions?verbose=true"
    assert httpx.post(check, json=body).json()["is_compatible"] is True
    registered = httpx.post(f"{local_registry.url}/subjects/{SUBJECT}/versions", json=body)
    assert registered.json()["error_code"] == 42210
