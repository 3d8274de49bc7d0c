"""``contracts register`` against the local registry: plan, preflight, register, lock."""

from __future__ import annotations

import json
from pathlib import Path

from devicecontracts.catalog import load_catalog
from devicecontracts.testing.registry import LocalRegistry

from ..support.catalogs import copy_bundled, next_version
from ..support.registry import (
    POINT_SUBJECT,
    READING_SUBJECT,
    client,
    lock_ids,
    optional,
    point,
    reading,
    registered_writes,
    required,
    run,
    small_catalog,
)


def register(catalog: Path, registry: LocalRegistry, *extra: object) -> object:
    """``contracts register`` of ``catalog`` into ``registry``."""
    return run("register", "--catalog", catalog, "--registry", registry.url, *extra)


def test_fresh_register_registers_everything_and_records_the_ids(
    tmp_path: Path, local_registry: LocalRegistry
):
    """Into an empty registry, every version of every subject is registered, in catalog order,
    and the lock records each returned id for the environment."""
    catalog = copy_bundled(tmp_path / "schemas")
    result = run("register", "--catalog", catalog, "--registry", local_registry.url)
    assert result.exit_code == 0, result.output
    loaded = load_catalog(catalog)
    c = client(local_registry.url)
    ids = lock_ids(catalog)
    for contract in loaded.contracts.values():
        assert local_registry.versions(contract.subject) == [v.version for v in contract.versions]
        for v in contract.versions:
            assert ids[(contract.subject, v.version)] == (
                c.get_version(contract.subject, v.version).schema_id
            )
    total = sum(len(contract.versions) for contract in loaded.contracts.values())
    assert f"registered {total} versions of 9 subjects, set 9 levels" in result.output


def test_second_run_registers_nothing_and_says_so(tmp_path: Path, local_registry: LocalRegistry):
    """Run again, register changes nothing (no registration, no level, same lock) and says so."""
    catalog = copy_bundled(tmp_path / "schemas")
    assert register(catalog, local_registry).exit_code == 0
    lock_before = (catalog / "contracts.lock.json").read_bytes()
    snapshot = local_registry.snapshot()
    local_registry.clear_requests()
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert "nothing to register" in result.output
    assert registered_writes(local_registry.requests) == []
    assert local_registry.snapshot() == snapshot
    assert (catalog / "contracts.lock.json").read_bytes() == lock_before


def test_referenced_subjects_are_registered_first(tmp_path: Path, local_registry: LocalRegistry):
    """Every shared type is registered before any message that references it."""
    catalog = copy_bundled(tmp_path / "schemas")
    assert register(catalog, local_registry).exit_code == 0
    order = [
        r.path.split("/")[2]
        for r in local_registry.requests
        if r.method == "POST" and r.path.startswith("/subjects/") and r.path.endswith("/versions")
    ]
    shared = {"com.acme.fleet.common.DeviceHeader", "com.acme.fleet.common.GeoPoint"}
    last_shared = max(i for i, subject in enumerate(order) if subject in shared)
    first_message = min(i for i, subject in enumerate(order) if subject not in shared)
    assert last_shared < first_message


def test_references_are_pinned_to_explicit_registered_versions(
    tmp_path: Path, local_registry: LocalRegistry
):
    """Every registered version references the shared versions it was released against, by
    explicit version number (never -1): the pins the lock records."""
    catalog = copy_bundled(tmp_path / "schemas")
    assert register(catalog, local_registry).exit_code == 0
    c = client(local_registry.url)
    pinned = 0
    for contract in load_catalog(catalog).contracts.values():
        for v in contract.versions:
            refs = c.get_version(contract.subject, v.version).schema.references
            got = [(r.name, r.subject, r.version) for r in refs]
            assert got == [(r.name, r.subject, r.version) for r in v.references]
            pinned += len(got)
    assert pinned > 0
    alarm_v3 = c.get_version("fleet.alarms-value", 3).schema.references
    assert ("com.acme.fleet.common.GeoPoint", 1) in [(r.name, r.version) for r in alarm_v3]


def test_what_is_registered_is_the_schema_itself_with_references_by_name(
    tmp_path: Path, local_registry: LocalRegistry
):
    """The registered text is the version's own JSON (shared types used by name, not inlined)."""
    catalog = small_catalog(tmp_path / "c")
    assert register(catalog, local_registry).exit_code == 0
    stored = json.loads(local_registry.schema(READING_SUBJECT, 1)["schema"])
    assert stored == reading()


def test_levels_are_set_as_the_catalog_declares(tmp_path: Path, local_registry: LocalRegistry):
    """Each subject gets its own level from the catalog; an existing different level is changed."""
    catalog = copy_bundled(tmp_path / "schemas")
    local_registry.set_level("NONE", "fleet.commands-value")
    assert register(catalog, local_registry).exit_code == 0
    for contract in load_catalog(catalog).contracts.values():
        assert local_registry.level(contract.subject) == contract.level.value
    assert local_registry.level("fleet.commands-value") == "FORWARD_TRANSITIVE"


def test_only_differing_levels_are_set(tmp_path: Path, local_registry: LocalRegistry):
    """When one subject's level drifted, the next run sets that level and nothing else."""
    catalog = small_catalog(tmp_path / "c")
    assert register(catalog, local_registry).exit_code == 0
    local_registry.set_level("FULL", READING_SUBJECT)
    local_registry.clear_requests()
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert registered_writes(local_registry.requests) == [f"PUT /config/{READING_SUBJECT}"]
    assert local_registry.level(READING_SUBJECT) == "BACKWARD_TRANSITIVE"


def test_a_new_version_registers_alone_with_the_next_version_number(
    tmp_path: Path, local_registry: LocalRegistry
):
    """After a release, a new compatible version is the only registration, as the next version."""
    catalog = small_catalog(tmp_path / "c")
    assert register(catalog, local_registry).exit_code == 0
    next_version(catalog, "reading", reading(optional("battery")))
    local_registry.clear_requests()
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert registered_writes(local_registry.requests) == [
        f"POST /subjects/{READING_SUBJECT}/versions"
    ]
    assert local_registry.versions(READING_SUBJECT) == [1, 2]
    assert (
        lock_ids(catalog)[(READING_SUBJECT, 2)] == local_registry.schema(READING_SUBJECT, 2)["id"]
    )


def test_incompatible_pending_version_aborts_before_anything_is_registered(
    tmp_path: Path, local_registry: LocalRegistry
):
    """With one compatible and one incompatible pending version, register preflights both,
    registers neither, leaves the registry and the lock exactly as they were and exits 1."""
    catalog = small_catalog(tmp_path / "c")
    assert register(catalog, local_registry).exit_code == 0
    next_version(catalog, "point", point(optional("y")))  # fine on its own
    next_version(catalog, "reading", reading(required("battery")))  # breaks BACKWARD_TRANSITIVE
    snapshot = local_registry.snapshot()
    lock_before = (catalog / "contracts.lock.json").read_bytes()
    local_registry.clear_requests()
    result = register(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "nothing was registered" in result.output
    assert f"{READING_SUBJECT} v2 at BACKWARD_TRANSITIVE: registry INCOMPATIBLE" in result.output
    checked = {r.path for r in local_registry.requests if r.path.startswith("/compatibility/")}
    assert checked == {
        f"/compatibility/subjects/{POINT_SUBJECT}/versions",
        f"/compatibility/subjects/{READING_SUBJECT}/versions",
    }
    assert registered_writes(local_registry.requests) == []
    assert local_registry.snapshot() == snapshot
    assert (catalog / "contracts.lock.json").read_bytes() == lock_before


def test_registry_refusal_alone_aborts_and_restores_levels(
    tmp_path: Path, local_registry: LocalRegistry
):
    """When only the registry refuses (its verdict differs from ours), nothing is registered,
    the disagreement is reported, and a level set for the preflight is put back."""
    catalog = small_catalog(tmp_path / "c")
    assert register(catalog, local_registry).exit_code == 0
    local_registry.set_level("FULL", READING_SUBJECT)  # register will want it back first
    next_version(catalog, "reading", reading(optional("battery")))
    local_registry.force_incompatible(READING_SUBJECT)
    snapshot = local_registry.snapshot()
    result = register(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "[registry-disagreement]" in result.output
    assert "DISAGREEMENT" in result.output
    assert local_registry.snapshot() == snapshot


def test_dry_run_preflights_and_changes_nothing(tmp_path: Path, local_registry: LocalRegistry):
    """--dry-run shows the plan and the registry's verdicts, and changes neither registry nor
    lock."""
    catalog = copy_bundled(tmp_path / "schemas")
    lock_before = (catalog / "contracts.lock.json").read_bytes()
    result = register(catalog, local_registry, "--dry-run")
    assert result.exit_code == 0, result.output
    total = sum(len(contract.versions) for contract in load_catalog(catalog).contracts.values())
    configs = sum(1 for c in load_catalog(catalog).contracts.values() if c.major(1) is not None)
    # Each contract declaring a compatibility group has a subject config to set too.
    sets = f", set 9 levels and {configs} subject config" if configs else " and set 9 levels"
    assert f"would register {total} versions{sets}; nothing changed" in result.output
    assert any(r.path.startswith("/compatibility/") for r in local_registry.requests)
    assert registered_writes(local_registry.requests) == []
    assert local_registry.subjects() == []
    assert (catalog / "contracts.lock.json").read_bytes() == lock_before


def test_version_identical_to_an_older_one_is_a_warned_no_op(
    tmp_path: Path, local_registry: LocalRegistry
):
    """A new file identical to an older registered version is not registered (the registry
    would return the old id and keep its latest) and is reported as a rollback that would not
    take effect."""
    v1 = point()
    catalog = small_catalog(tmp_path / "c", points=[v1, point(optional("y"))])
    assert register(catalog, local_registry).exit_code == 0
    next_version(catalog, "point", v1)
    snapshot = local_registry.snapshot()
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert "[registry-identical-to-older]" in result.output
    assert "rollback this way does not take effect" in result.output
    assert local_registry.snapshot() == snapshot
    assert (POINT_SUBJECT, 3) not in lock_ids(catalog)


def test_registry_versions_the_catalog_lacks_stop_register(
    tmp_path: Path, local_registry: LocalRegistry
):
    """A version registered behind the catalog's back is drift: register refuses (exit 1)."""
    catalog = small_catalog(tmp_path / "c")
    assert register(catalog, local_registry).exit_code == 0
    local_registry.register(POINT_SUBJECT, point(optional("sneaky")))
    next_version(catalog, "reading", reading(optional("battery")))
    snapshot = local_registry.snapshot()
    result = register(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "[registry-extra-version]" in result.output
    assert "version 2 (id" in result.output
    assert local_registry.snapshot() == snapshot


def test_soft_deleted_version_is_registered_again_with_its_old_id(
    tmp_path: Path, local_registry: LocalRegistry
):
    """A catalog version the registry only holds soft-deleted is registered again: a new
    version, the same id (and the plan says so)."""
    catalog = small_catalog(tmp_path / "c", readings=[reading(), reading(optional("y"))])
    assert register(catalog, local_registry).exit_code == 0
    old_id = local_registry.schema(READING_SUBJECT, 2)["id"]
    local_registry.soft_delete(READING_SUBJECT, 2)
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert "identical to soft-deleted version 2" in result.output
    assert local_registry.versions(READING_SUBJECT) == [1, 3]
    assert local_registry.schema(READING_SUBJECT, 3)["id"] == old_id


def test_environments_keep_their_own_ids(tmp_path: Path):
    """Registering into two registries under two --env names records both ids per version."""
    catalog = small_catalog(tmp_path / "c")
    with LocalRegistry() as staging, LocalRegistry() as prod:
        # so prod's ids differ from staging's; with the empty metadata and rule set register
        # sends, as a schema's id covers them (the same schema without them has another id)
        prod.register("unrelated", point(), metadata={}, rule_set={})
        assert register(catalog, staging, "--env", "staging").exit_code == 0
        assert register(catalog, prod, "--env", "prod").exit_code == 0
    assert lock_ids(catalog, "staging")[(POINT_SUBJECT, 1)] == 1
    assert lock_ids(catalog, "prod")[(POINT_SUBJECT, 1)] == 1  # same schema as "unrelated"
    assert lock_ids(catalog, "prod")[(READING_SUBJECT, 1)] == 2
    assert lock_ids(catalog, "staging")[(READING_SUBJECT, 1)] == 2


def test_catalog_errors_stop_register_before_any_change(
    tmp_path: Path, local_registry: LocalRegistry
):
    """An error `contracts check` reports (here an invalid default) stops register."""
    bad = point({"name": "s", "type": "string", "default": None, "doc": "d"})
    catalog = small_catalog(tmp_path / "c", points=[bad])
    result = register(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "[invalid-schema]" in result.output
    assert registered_writes(local_registry.requests) == []


def test_json_summary(tmp_path: Path, local_registry: LocalRegistry):
    """--format json prints one document: plan, preflight verdicts, registrations, levels."""
    catalog = small_catalog(tmp_path / "c")
    result = register(catalog, local_registry, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["ok"] is True and doc["env"] == "default"
    assert [s["subject"] for s in doc["subjects"]] == [POINT_SUBJECT, READING_SUBJECT]
    assert all(p["registry"]["compatible"] and p["agree"] for p in doc["preflight"])
    assert [(r["subject"], r["id"]) for r in doc["registered"]] == [
        (POINT_SUBJECT, 1),
        (READING_SUBJECT, 2),
    ]
    assert {lv["subject"] for lv in doc["levels_set"]} == {POINT_SUBJECT, READING_SUBJECT}


def test_shared_type_referenced_by_a_pending_shared_version_goes_first(
    tmp_path: Path, local_registry: LocalRegistry
):
    """Order follows references, not names: a shared type used by another is registered
    before it, whatever their names."""
    toml = """
[shared.a_outer]
description = "Uses z_inner."

[shared.z_inner]
description = "Used by a_outer."
"""
    inner = {
        "type": "record",
        "name": "Inner",
        "namespace": "com.example",
        "doc": "d",
        "fields": [{"name": "v", "type": "int", "doc": "d"}],
    }
    outer = {
        "type": "record",
        "name": "Outer",
        "namespace": "com.example",
        "doc": "d",
        "fields": [{"name": "i", "type": "com.example.Inner", "doc": "d"}],
    }
    root = tmp_path / "c"
    root.mkdir()
    (root / "catalog.toml").write_text(toml, encoding="utf-8")
    from ..support.catalogs import write_version

    write_version(root, "a_outer", 1, outer)
    write_version(root, "z_inner", 1, inner)
    result = register(root, local_registry)
    assert result.exit_code == 0, result.output
    posts = [
        r.path
        for r in local_registry.requests
        if r.method == "POST" and r.path.startswith("/subjects/") and r.path.endswith("/versions")
    ]
    assert posts == ["/subjects/com.example.Inner/versions", "/subjects/com.example.Outer/versions"]


def test_reference_to_a_copy_of_an_earlier_shared_version_resolves_to_it(
    tmp_path: Path, local_registry: LocalRegistry
):
    """When the latest shared version is a copy of an earlier one (not registered itself), a
    message referencing it is registered against the earlier version."""
    catalog = small_catalog(tmp_path / "c", points=[point(), point(optional("y")), point()])
    result = register(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert "[registry-identical-to-older]" in result.output
    assert local_registry.versions(POINT_SUBJECT) == [1, 2]
    refs = local_registry.schema(READING_SUBJECT, 1)["references"]
    assert refs == [{"name": "com.example.Point", "subject": POINT_SUBJECT, "version": 1}]
