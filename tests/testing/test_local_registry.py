"""The local registry speaks Confluent's API: driven here by the real confluent-kafka client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference
from confluent_kafka.schema_registry.error import SchemaRegistryError

from devicecontracts.testing.registry import LocalRegistry, RegistryAPIError

from ..support.registry import client, optional, point, reading, required


def avro(schema: Any, refs: tuple[SchemaReference, ...] = ()) -> Schema:
    """A confluent-kafka Schema for ``schema`` (parsed JSON)."""
    return Schema(json.dumps(schema), "AVRO", list(refs))


def refusal(call: Any) -> SchemaRegistryError:
    """The SchemaRegistryError ``call()`` raises."""
    with pytest.raises(SchemaRegistryError) as info:
        call()
    return info.value


POINT_REF = SchemaReference("com.example.Point", "point", 1)


def test_register_returns_an_id_and_listing_shows_version_one(local_registry: LocalRegistry):
    """A first registration creates version 1 with a fresh id, visible through the client."""
    c = client(local_registry.url)
    schema_id = c.register_schema("point", avro(point()))
    latest = c.get_latest_version("point")
    assert (latest.version, latest.schema_id) == (1, schema_id)
    assert c.get_versions("point") == [1]
    assert json.loads(c.get_schema(schema_id).schema_str) == point()


def test_identical_schema_returns_the_existing_version_without_a_check(
    local_registry: LocalRegistry,
):
    """Re-registering an older version's schema returns its id and creates no version, even
    when it would fail the check against the latest (no check runs on the fast path)."""
    c = client(local_registry.url)
    first = c.register_schema("point", avro(point()))
    c.register_schema("point", avro(point(optional("y"))))
    c.set_compatibility("point", "FORWARD")  # v1 cannot be read... but identity wins
    reordered = json.loads(json.dumps(point()))
    reordered = dict(reversed(list(reordered.items())))  # key order does not matter
    assert c.register_schema("point", avro(reordered)) == first
    assert c.get_versions("point") == [1, 2]


def test_same_schema_under_another_subject_gets_the_same_id_and_a_new_version(
    local_registry: LocalRegistry,
):
    """Schema ids are global: the same schema under two subjects shares one id."""
    c = client(local_registry.url)
    a = c.register_schema("a", avro(point()))
    b = c.register_schema("b", avro(point()))
    assert a == b
    assert c.get_versions("b") == [1]


def test_doc_only_change_is_a_new_version(local_registry: LocalRegistry):
    """Identity keeps docs: a doc-only change mints a new version and id."""
    c = client(local_registry.url)
    first = c.register_schema("point", avro(point()))
    changed = point()
    changed["doc"] = "Another doc."
    assert c.register_schema("point", avro(changed)) != first
    assert c.get_versions("point") == [1, 2]


@pytest.mark.parametrize("code", [409, 40901])
def test_incompatible_schema_is_refused_with_the_configured_code(code: int):
    """An incompatible registration answers HTTP 409 with error code 409 or 40901, as set."""
    with LocalRegistry(incompatible_error_code=code) as registry:
        c = client(registry.url)
        c.register_schema("point", avro(point()))
        error = refusal(lambda: c.register_schema("point", avro(point(required("y")))))
        assert (error.http_status_code, error.error_code) == (409, code)
        assert "READER_FIELD_MISSING_DEFAULT_VALUE" in error.error_message
        assert c.get_versions("point") == [1]


def test_subject_level_config_get_answers_40408_until_set(local_registry: LocalRegistry):
    """GET /config/{s} answers 40408 without a subject level; PUT takes ``compatibility``."""
    c = client(local_registry.url)
    assert refusal(lambda: c.get_compatibility("point")).error_code == 40408
    assert c.set_compatibility("point", "full_transitive") == {"compatibility": "FULL_TRANSITIVE"}
    assert c.get_compatibility("point") == "FULL_TRANSITIVE"
    assert c.get_compatibility() == "BACKWARD"


def test_invalid_level_is_42203(local_registry: LocalRegistry):
    """An unknown compatibility level is refused with 42203."""
    c = client(local_registry.url)
    assert refusal(lambda: c.set_compatibility("point", "SIDEWAYS")).error_code == 42203


@pytest.mark.parametrize(
    ("field", "why"),
    [
        ({"name": "s", "type": "string", "default": None, "doc": "d"}, "null default on string"),
        ({"name": "n", "type": "int", "default": "0", "doc": "d"}, "string default on int"),
        ({"name": "n", "type": "long", "default": 1.5, "doc": "d"}, "fraction on long"),
        ({"name": "device-id", "type": "string", "doc": "d"}, "a dash in a field name"),
    ],
)
def test_new_schemas_are_validated_as_confluent_does(
    local_registry: LocalRegistry, field: dict[str, Any], why: str
):
    """A new schema with a bad default or name is refused with 42201."""
    c = client(local_registry.url)
    error = refusal(lambda: c.register_schema("point", avro(point(field))))
    assert (error.http_status_code, error.error_code) == (422, 42201), why


def test_a_union_default_of_a_later_branch_registers_as_on_confluent_8(
    local_registry: LocalRegistry,
):
    """The local registry judges as Confluent 8 (Avro 1.12): a union default may match any
    branch, where Avro 1.11 (Confluent 7) wanted the first."""
    c = client(local_registry.url)
    field = {"name": "u", "type": ["string", "null"], "default": None, "doc": "d"}

    assert c.register_schema("point", avro(point(field))) > 0


def test_references_resolve_and_are_pinned(local_registry: LocalRegistry):
    """A schema referencing another subject registers once the reference exists; -1 is pinned."""
    c = client(local_registry.url)
    c.register_schema("point", avro(point()))
    latest_ref = SchemaReference("com.example.Point", "point", -1)
    c.register_schema("reading", avro(reading(), (latest_ref,)))
    refs = c.get_latest_version("reading").schema.references
    assert [(r.name, r.subject, r.version) for r in refs] == [("com.example.Point", "point", 1)]


def test_missing_reference_is_42201(local_registry: LocalRegistry):
    """A reference to a version that does not exist makes the schema invalid (42201)."""
    c = client(local_registry.url)
    error = refusal(lambda: c.register_schema("reading", avro(reading(), (POINT_REF,))))
    assert error.error_code == 42201


def test_referenced_version_cannot_be_deleted(local_registry: LocalRegistry):
    """Deleting a version other schemas reference is refused with 42206."""
    c = client(local_registry.url)
    c.register_schema("point", avro(point()))
    c.register_schema("reading", avro(reading(), (POINT_REF,)))
    assert refusal(lambda: c.delete_version("point", 1)).error_code == 42206


def test_soft_delete_hides_versions_keeps_ids_and_skips_them_in_checks(
    local_registry: LocalRegistry,
):
    """A soft-deleted latest version leaves listings and checks; its id still resolves; the
    same schema registered again gets a new version with the same id."""
    c = client(local_registry.url)
    c.register_schema("point", avro(point()))
    second = c.register_schema("point", avro(point(optional("y"))))
    assert c.delete_version("point", 2) == 2
    assert c.get_versions("point") == [1]
    assert c.get_versions("point", deleted=True) == [1, 2]
    assert json.loads(c.get_schema(second).schema_str) == point(optional("y"))
    fresh = client(local_registry.url)  # the client caches registrations: ask the server
    again = fresh.register_schema_full_response("point", avro(point(optional("y"))))
    assert again.schema_id == second
    assert c.get_versions("point") == [1, 3]


def test_permanent_delete_needs_a_soft_delete_first(local_registry: LocalRegistry):
    """``permanent=true`` on a live version is refused with 40407."""
    c = client(local_registry.url)
    c.register_schema("point", avro(point()))
    assert refusal(lambda: c.delete_version("point", 1, permanent=True)).error_code == 40407
    c.delete_version("point", 1)
    assert c.delete_version("point", 1, permanent=True) == 1
    assert refusal(lambda: c.get_versions("point", deleted=True)).error_code == 40401


def test_not_found_codes(local_registry: LocalRegistry):
    """Unknown subjects, versions and ids answer 40401, 40402 and 40403; bad versions 42202."""
    c = client(local_registry.url)
    assert refusal(lambda: c.get_versions("nope")).error_code == 40401
    c.register_schema("point", avro(point()))
    assert refusal(lambda: c.get_version("point", 7)).error_code == 40402
    assert refusal(lambda: c.get_schema(99)).error_code == 40403
    assert refusal(lambda: c.get_version("point", 0)).error_code == 42202  # type: ignore[arg-type]


def test_lookup_finds_identical_schemas_and_deleted_ones_only_when_asked(
    local_registry: LocalRegistry,
):
    """POST /subjects/{s} finds the version holding a schema; soft-deleted ones need
    ``deleted=true``; an unknown schema is 40403."""
    c = client(local_registry.url)
    c.register_schema("point", avro(point()))
    c.register_schema("point", avro(point(optional("y"))))
    assert c.lookup_schema("point", avro(point())).version == 1
    c.delete_version("point", 2)
    gone = avro(point(optional("y")))
    assert refusal(lambda: client(local_registry.url).lookup_schema("point", gone)).error_code == (
        40403
    )
    assert client(local_registry.url).lookup_schema("point", gone, deleted=True).version == 2
    unknown = avro(point(optional("z")))
    assert refusal(lambda: c.lookup_schema("point", unknown)).error_code == 40403


def test_all_versions_check_is_transitive_but_one_version_check_is_not(
    local_registry: LocalRegistry,
):
    """At BACKWARD_TRANSITIVE, dropping a default added in v2 breaks v1: the all-versions
    check (what register runs) says so; the /versions/latest check passes it."""
    c = client(local_registry.url)
    c.set_compatibility("point", "BACKWARD_TRANSITIVE")
    c.register_schema("point", avro(point()))
    c.register_schema("point", avro(point({"name": "y", "type": "long", "default": 0, "doc": "d"})))
    v3 = avro(point(required("y")))
    assert c.test_compatibility("point", v3) is True
    assert c.test_compatibility_all_versions("point", v3) is False


def test_verbose_messages_name_the_broken_version(local_registry: LocalRegistry):
    """``verbose=true`` returns Confluent's message strings, the old version and the level."""
    import httpx2

    c = client(local_registry.url)
    c.register_schema("point", avro(point()))
    answer = httpx2.post(
        f"{local_registry.url}/compatibility/subjects/point/versions",
        params={"verbose": "true"},
        json={"schema": json.dumps(point(required("y")))},
    ).json()
    assert answer["is_compatible"] is False
    assert answer["messages"][0].startswith("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'")
    assert "at path '/fields/1' in the new schema" in answer["messages"][0]
    assert "{oldSchemaVersion: 1}" in answer["messages"]
    assert answer["messages"][-1] == "{validateFields: 'false', compatibility: 'BACKWARD'}"


def test_verbose_check_of_an_invalid_schema_is_a_verdict(local_registry: LocalRegistry):
    """With ``verbose=true`` an invalid schema is ``is_compatible: false`` with the reason;
    without it, 42201."""
    import httpx2

    bad = {"schema": json.dumps(point({"name": "s", "type": "string", "default": None}))}
    url = f"{local_registry.url}/compatibility/subjects/point/versions"
    verbose = httpx2.post(url, params={"verbose": "true"}, json=bad).json()
    assert verbose["is_compatible"] is False and "Invalid default" in verbose["messages"][0]
    plain = httpx2.post(url, json=bad)
    assert (plain.status_code, plain.json()["error_code"]) == (422, 42201)


def test_readonly_subject_refuses_registration_with_42205(local_registry: LocalRegistry):
    """A READONLY subject refuses new versions (42205) but still answers identical ones."""
    c = client(local_registry.url)
    c.register_schema("point", avro(point()))
    c.update_mode("point", "READONLY")
    assert refusal(lambda: c.register_schema("point", avro(point(optional("y"))))).error_code == (
        42205
    )
    assert c.register_schema("point", avro(point())) > 0


def test_basic_auth_is_enforced():
    """With basic auth configured, requests without the right credentials answer 401."""
    with LocalRegistry(basic_auth=("key", "s3cret")) as registry:
        assert refusal(lambda: client(registry.url).get_subjects()).http_status_code == 401
        wrong = client(registry.url, **{"basic.auth.user.info": "key:wrong"})
        assert refusal(wrong.get_subjects).http_status_code == 401
        right = client(registry.url, **{"basic.auth.user.info": "key:s3cret"})
        assert right.get_subjects() == []


def test_bearer_token_is_enforced():
    """With a bearer token configured, only that token is let in."""
    with LocalRegistry(bearer_token="tok-123") as registry:
        config = {
            "bearer.auth.credentials.source": "STATIC_TOKEN",
            "bearer.auth.logical.cluster": "lsrc-1",
        }
        good = client(registry.url, **config, **{"bearer.auth.token": "tok-123"})
        bad = client(registry.url, **config, **{"bearer.auth.token": "tok-999"})
        assert good.get_subjects() == []
        assert refusal(bad.get_subjects).http_status_code == 401


def test_injected_failures_and_their_count(local_registry: LocalRegistry):
    """``fail_next`` answers the chosen status and code for as many requests as asked."""
    local_registry.fail_next(503, 50003, "leader unknown", times=2, path="/subjects")
    c = client(local_registry.url)
    first = refusal(c.get_subjects)
    assert (first.http_status_code, first.error_code, first.error_message) == (
        503,
        50003,
        "leader unknown",
    )
    refusal(c.get_subjects)
    assert c.get_subjects() == []


def test_in_process_arrangement_matches_http(local_registry: LocalRegistry):
    """`LocalRegistry.register` applies the same rules as the HTTP endpoint."""
    info = local_registry.register("point", point())
    assert (info.id, info.version) == (1, 1)
    with pytest.raises(RegistryAPIError) as error:
        local_registry.register("point", point(required("y")))
    assert error.value.error_code == 40901
    assert local_registry.versions("point") == [1]
    assert local_registry.schema("point")["id"] == 1


def test_unknown_route_is_404_and_wrong_method_405(local_registry: LocalRegistry):
    """Routes outside the API answer 404; a known path with the wrong method 405."""
    import httpx2

    assert httpx2.get(f"{local_registry.url}/nope").status_code == 404
    assert httpx2.delete(f"{local_registry.url}/subjects").status_code == 405


def test_stop_closes_the_port():
    """After stop, the port refuses connections."""
    import httpx2

    registry = LocalRegistry().start()
    url = registry.url
    assert httpx2.get(url + "/subjects").json() == []
    registry.stop()
    with pytest.raises(httpx2.ConnectError):
        httpx2.get(url + "/subjects")
