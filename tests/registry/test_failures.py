"""Every registry answer handled: error codes, auth, 5xx with retries, timeouts, a dead port."""

from __future__ import annotations

from pathlib import Path

import pytest

from devicecontracts.testing.registry import LocalRegistry

from ..support.catalogs import next_version
from ..support.registry import (
    POINT_SUBJECT,
    READING_SUBJECT,
    closed_port,
    optional,
    reading,
    registered_writes,
    run,
    small_catalog,
)

REGISTER_POINT = f"/subjects/{POINT_SUBJECT}/versions"


def register(catalog: Path, url: str, *extra: object) -> object:
    """``contracts register`` with no retries unless asked (failures show at once)."""
    return run("register", "--catalog", catalog, "--registry", url, "--retries", "0", *extra)


@pytest.mark.parametrize(
    ("status", "code", "method", "path", "exit_code", "said"),
    [
        (404, 40401, "POST", REGISTER_POINT, 3, "the subject is not in the registry"),
        (404, 40402, "POST", f"/subjects/{POINT_SUBJECT}", 3, "the version is not in the registry"),
        (404, 40403, "POST", REGISTER_POINT, 3, "the schema is not in the registry"),
        (422, 42201, "POST", REGISTER_POINT, 3, "rejected the schema as invalid"),
        (422, 42202, "GET", f"/subjects/{POINT_SUBJECT}/versions", 3, "version as invalid"),
        (422, 42203, "PUT", f"/config/{POINT_SUBJECT}", 3, "compatibility level as invalid"),
        (422, 42205, "POST", REGISTER_POINT, 3, "does not permit this operation"),
        (403, 40301, "POST", REGISTER_POINT, 3, "not allowed to do this"),
        (401, 401, "GET", "/config", 3, "refused the credentials"),
        (409, 409, "POST", REGISTER_POINT, 1, "refused the schema as incompatible"),
        (409, 40901, "POST", REGISTER_POINT, 1, "refused the schema as incompatible"),
        (500, 50001, "POST", REGISTER_POINT, 3, "failed (HTTP 500, error code 50001)"),
        (503, 50003, "GET", "/config", 3, "kept failing"),
    ],
)
def test_each_refusal_has_a_clear_message_and_exit_code(
    tmp_path: Path,
    local_registry: LocalRegistry,
    status: int,
    code: int,
    method: str,
    path: str,
    exit_code: int,
    said: str,
):
    """A refusal where none is expected stops register with a message saying what was being
    done and what the registry answered; exit 3 (1 for an incompatibility), no traceback."""
    catalog = small_catalog(tmp_path / "c")
    local_registry.fail_next(
        status, code, "the registry says no", times=None, method=method, path=path
    )
    result = register(catalog, local_registry.url)
    assert result.exit_code == exit_code, result.output
    assert said in result.stderr
    assert "the registry says no" in result.stderr
    assert result.stderr.startswith("contracts: ")
    assert "Traceback" not in result.output


def test_failure_half_way_keeps_the_ids_of_what_was_registered(
    tmp_path: Path, local_registry: LocalRegistry
):
    """When registering fails after some versions went in, the lock records those."""
    catalog = small_catalog(tmp_path / "c")
    local_registry.fail_next(
        500, 50001, times=None, method="POST", path=f"/subjects/{READING_SUBJECT}/versions"
    )
    result = register(catalog, local_registry.url)
    assert result.exit_code == 3, result.output
    assert f"registered {POINT_SUBJECT} v1" in result.output
    lock = (catalog / "contracts.lock.json").read_text(encoding="utf-8")
    assert POINT_SUBJECT in lock and READING_SUBJECT not in lock


def test_readonly_subject_is_refused_with_42205(tmp_path: Path, local_registry: LocalRegistry):
    """A READONLY subject (a real refusal, not an injected one) stops register with exit 3."""
    catalog = small_catalog(tmp_path / "c")
    assert register(catalog, local_registry.url).exit_code == 0
    next_version(catalog, "reading", reading(optional("b")))
    local_registry.set_mode("READONLY", READING_SUBJECT)
    result = register(catalog, local_registry.url)
    assert result.exit_code == 3, result.output
    assert "error code 42205" in result.stderr


def test_wrong_credentials_answer_401(tmp_path: Path):
    """Against a registry that wants other credentials: exit 3, saying which variables to set."""
    catalog = small_catalog(tmp_path / "c")
    with LocalRegistry(basic_auth=("key", "right")) as registry:
        result = register(catalog, registry.url, "--api-key", "key", "--api-secret", "wrong")
        assert result.exit_code == 3
        assert "(HTTP 401" in result.stderr
        assert "SCHEMA_REGISTRY_API_SECRET" in result.stderr
        ok = register(catalog, registry.url, "--api-key", "key", "--api-secret", "right")
        assert ok.exit_code == 0, ok.output


def test_registry_down(tmp_path: Path):
    """Nothing listening: exit 3, naming the URL and the retries made."""
    catalog = small_catalog(tmp_path / "c")
    url = f"http://127.0.0.1:{closed_port()}"
    result = register(catalog, url)
    assert result.exit_code == 3
    assert f"cannot reach the registry at {url}" in result.stderr
    assert "no retries" in result.stderr


def test_registry_down_is_retried(tmp_path: Path):
    """Connection errors are retried as many times as --retries says."""
    catalog = small_catalog(tmp_path / "c")
    result = run(
        "check",
        "--catalog",
        catalog,
        "--registry",
        f"http://127.0.0.1:{closed_port()}",
        "--retries",
        "1",
    )
    assert result.exit_code == 3
    assert "after 1 retry" in result.stderr


def test_registry_too_slow_times_out(tmp_path: Path, local_registry: LocalRegistry):
    """An answer later than --timeout: exit 3 saying how long it waited."""
    catalog = small_catalog(tmp_path / "c")
    local_registry.slow_down(5.0, times=None)
    result = register(catalog, local_registry.url, "--timeout", "0.2")
    assert result.exit_code == 3
    assert f"no answer from {local_registry.url} within 0.2 s" in result.stderr


def test_a_500_then_success_is_retried(tmp_path: Path, local_registry: LocalRegistry):
    """A 5xx once, then the right answer: the request is retried and register succeeds."""
    catalog = small_catalog(tmp_path / "c")
    local_registry.fail_next(500, 50001, times=1, method="POST", path=REGISTER_POINT)
    result = run(
        "register", "--catalog", catalog, "--registry", local_registry.url, "--retries", "2"
    )
    assert result.exit_code == 0, result.output
    posts = [r for r in local_registry.requests if r.method == "POST" and r.path == REGISTER_POINT]
    assert len(posts) == 2
    assert local_registry.versions(POINT_SUBJECT) == [1]


def test_a_timeout_then_success_is_retried(tmp_path: Path, local_registry: LocalRegistry):
    """A slow answer once, then a prompt one: retried, and the check completes."""
    catalog = small_catalog(tmp_path / "c")
    local_registry.slow_down(5.0, times=1, path="/config")
    result = run(
        "check",
        "--catalog",
        catalog,
        "--registry",
        local_registry.url,
        "--timeout",
        "0.3",
        "--retries",
        "1",
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--registry", "ftp://example.com"], "is not an http(s) URL"),
        (["--registry", "http://h:1", "--api-key", "k"], "needs both an API key and its secret"),
        (
            ["--registry", "http://k:s@h:1", "--api-key", "k", "--api-secret", "s"],
            "credentials are given twice",
        ),
        (
            [
                "--registry",
                "http://h:1",
                "--api-key",
                "k",
                "--api-secret",
                "s",
                "--bearer-token",
                "t",
            ],
            "choose one way to authenticate",
        ),
        ([], "no schema registry given"),
    ],
)
def test_bad_settings_are_usage_errors(tmp_path: Path, args: list[str], said: str):
    """Unusable connection settings exit 2 before any request, saying what to fix."""
    catalog = small_catalog(tmp_path / "c")
    result = run("register", "--catalog", catalog, *args)
    assert result.exit_code == 2
    assert said in result.stderr


def test_missing_catalog_is_a_usage_error(tmp_path: Path, local_registry: LocalRegistry):
    """A catalog folder that does not exist exits 2 without contacting the registry."""
    result = register(tmp_path / "nowhere", local_registry.url)
    assert result.exit_code == 2
    assert local_registry.requests == []
    assert registered_writes(local_registry.requests) == []
