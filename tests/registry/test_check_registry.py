"""``contracts check --registry``: drift, and the registry's verdict beside ours."""

from __future__ import annotations

import json
from pathlib import Path

from devicecontracts.testing.registry import LocalRegistry

from ..support.catalogs import next_version
from ..support.registry import (
    POINT_SUBJECT,
    READING_SUBJECT,
    optional,
    point,
    reading,
    registered_writes,
    required,
    run,
    small_catalog,
)


def released(tmp_path: Path, registry: LocalRegistry, **versions: object) -> Path:
    """A small catalog, registered into ``registry``."""
    catalog = small_catalog(tmp_path / "c", **versions)  # type: ignore[arg-type]
    result = run("register", "--catalog", catalog, "--registry", registry.url)
    assert result.exit_code == 0, result.output
    return catalog


def check(catalog: Path, registry: LocalRegistry, *extra: object) -> object:
    """``contracts check --registry`` of ``catalog`` against ``registry``."""
    return run("check", "--catalog", catalog, "--registry", registry.url, *extra)


def test_in_sync_is_clean_and_read_only(tmp_path: Path, local_registry: LocalRegistry):
    """A catalog just registered has no drift, and checking changes nothing."""
    catalog = released(tmp_path, local_registry)
    snapshot = local_registry.snapshot()
    local_registry.clear_requests()
    result = check(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert "0 findings, 0 versions not registered there yet" in result.output
    assert registered_writes(local_registry.requests) == []
    assert local_registry.snapshot() == snapshot


def test_a_bare_registry_flag_takes_the_url_from_the_environment(
    tmp_path: Path, local_registry: LocalRegistry
):
    """`check --registry` with no value uses SCHEMA_REGISTRY_URL."""
    catalog = released(tmp_path, local_registry)
    result = run(
        "check", "--catalog", catalog, "--registry", env={"SCHEMA_REGISTRY_URL": local_registry.url}
    )
    assert result.exit_code == 0, result.output
    assert f"registry {local_registry.url}" in result.output


def test_the_environment_alone_keeps_check_offline(tmp_path: Path, local_registry: LocalRegistry):
    """SCHEMA_REGISTRY_URL set in a shell does not make a plain `contracts check` go online."""
    catalog = released(tmp_path, local_registry)
    local_registry.clear_requests()
    result = run("check", "--catalog", catalog, env={"SCHEMA_REGISTRY_URL": local_registry.url})
    assert result.exit_code == 0, result.output
    assert local_registry.requests == []


def test_a_bare_registry_flag_without_the_variable_is_a_usage_error(tmp_path: Path) -> None:
    """`check --registry` with neither a value nor SCHEMA_REGISTRY_URL exits 2."""
    result = run("check", "--catalog", tmp_path, "--registry", env={"SCHEMA_REGISTRY_URL": ""})
    assert result.exit_code == 2, result.output
    assert "SCHEMA_REGISTRY_URL" in result.output


def test_extra_registry_version_is_drift(tmp_path: Path, local_registry: LocalRegistry):
    """A version the registry holds and the catalog lacks is an error naming it and its id."""
    catalog = released(tmp_path, local_registry)
    point_ref = {"name": "com.example.Point", "subject": POINT_SUBJECT, "version": 1}
    info = local_registry.register(READING_SUBJECT, reading(optional("sneaky")), [point_ref])
    result = check(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "[registry-extra-version]" in result.output
    assert f"version 2 (id {info.id}) of {READING_SUBJECT}" in result.output


def test_level_drift_is_an_error(tmp_path: Path, local_registry: LocalRegistry):
    """A registered subject checked at another level than the catalog declares is drift."""
    catalog = released(tmp_path, local_registry)
    local_registry.set_level("BACKWARD", READING_SUBJECT)
    result = check(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "[registry-level-drift]" in result.output
    assert (
        "checked at BACKWARD" in result.output and "declares BACKWARD_TRANSITIVE" in result.output
    )


def test_unset_level_matching_the_global_one_is_a_warning(tmp_path: Path):
    """Without a level of its own, a subject that happens to match the global level is a
    warning (anyone may change the global level), not an error."""
    with LocalRegistry(default_level="FULL_TRANSITIVE") as registry:
        catalog = released(tmp_path, registry)
        client_url = registry.url
        import httpx2

        httpx2.delete(f"{client_url}/config/{POINT_SUBJECT}").raise_for_status()
        result = check(catalog, registry)
    assert result.exit_code == 0, result.output
    assert "[registry-level-unset]" in result.output


def test_changed_id_is_an_error(tmp_path: Path, local_registry: LocalRegistry):
    """When the lock records another id than the registry answers, that is drift."""
    catalog = released(tmp_path, local_registry)
    lock = catalog / "contracts.lock.json"
    data = json.loads(lock.read_text(encoding="utf-8"))
    data["subjects"][POINT_SUBJECT]["1"]["ids"]["default"] = 99
    lock.write_text(json.dumps(data), encoding="utf-8")
    result = check(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "[registry-id-changed]" in result.output
    assert "the lock records id 99" in result.output


def test_version_deleted_from_the_registry_is_an_error(
    tmp_path: Path, local_registry: LocalRegistry
):
    """A version the lock records as registered that the registry no longer holds is drift."""
    catalog = released(tmp_path, local_registry, readings=[reading(), reading(optional("b"))])
    local_registry.soft_delete(READING_SUBJECT, 2)
    result = check(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "[registry-version-missing]" in result.output


def test_registry_verdict_is_shown_beside_ours(tmp_path: Path, local_registry: LocalRegistry):
    """For each version not registered yet, both verdicts are printed side by side."""
    catalog = released(tmp_path, local_registry)
    next_version(catalog, "point", point(optional("y")))
    result = check(catalog, local_registry)
    assert result.exit_code == 0, result.output
    assert (
        f"{POINT_SUBJECT} v2 at FULL_TRANSITIVE: registry compatible, devicecontracts compatible"
        in result.output
    )


def test_incompatible_pending_version_fails_with_both_verdicts(
    tmp_path: Path, local_registry: LocalRegistry
):
    """An incompatible pending version fails offline and in the registry; both say so, and
    the registry's reason is shown."""
    catalog = released(tmp_path, local_registry)
    next_version(catalog, "reading", reading(required("battery")))
    result = check(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "[incompatible]" in result.output
    assert "[registry-incompatible]" in result.output
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in result.output
    assert "registry INCOMPATIBLE, devicecontracts INCOMPATIBLE" in result.output


def test_disagreement_is_reported_as_such(tmp_path: Path, local_registry: LocalRegistry):
    """When the registry refuses what we accept, the finding is a disagreement, not drift."""
    catalog = released(tmp_path, local_registry)
    next_version(catalog, "reading", reading(optional("battery")))
    local_registry.force_incompatible(READING_SUBJECT, "{errorType:'X', description:'nope'}")
    result = check(catalog, local_registry)
    assert result.exit_code == 1, result.output
    assert "[registry-disagreement]" in result.output
    assert "but devicecontracts says compatible" in result.output


def test_json_carries_the_registry_section(tmp_path: Path, local_registry: LocalRegistry):
    """--format json adds the registry's plan and verdicts to the usual check document."""
    catalog = released(tmp_path, local_registry)
    next_version(catalog, "point", point(optional("y")))
    result = check(catalog, local_registry, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    section = doc["summary"]["registry"]
    assert section["url"] == local_registry.url and section["env"] == "default"
    assert [(v["subject"], v["version"]) for v in section["verdicts"]] == [(POINT_SUBJECT, 2)]
    assert section["verdicts"][0]["registry"]["compatible"] is True


def test_github_format_annotates_drift(tmp_path: Path, local_registry: LocalRegistry):
    """--format github turns registry findings into workflow annotations."""
    catalog = released(tmp_path, local_registry)
    local_registry.set_level("NONE", POINT_SUBJECT)
    result = check(catalog, local_registry, "--format", "github")
    assert result.exit_code == 1, result.output
    assert "::error title=registry-level-drift" in result.output
