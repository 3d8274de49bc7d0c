"""Two releases at once: ``contracts register`` never lets two catalogs claim one version.

Each registration carries the registry version the plan expects (Confluent 7.4 and later refuse
it with 42201 once taken; the local registry does the same), the subject's newest version is
checked just before, and the version the registry assigned just after. The loser exits 1 with
``registry-version-taken`` and recovery advice, and no lock ever records an id the registry does
not hold for that version and content.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from devicecontracts.registry import RegistrySettings, SchemaRegistry
from devicecontracts.testing.registry import LocalRegistry
from devicecontracts.testing.registry._http import RecordedRequest

from ..support.catalogs import write_version
from ..support.registry import lock_ids, optional, post_raw, run

CONTRACTS = Path(sys.executable).parent / "contracts"
TRIALS = 10


def beat(*extra: dict[str, Any]) -> dict[str, Any]:
    """A tiny heartbeat record, with optional extra fields."""
    return {
        "type": "record",
        "name": "Beat",
        "namespace": "com.example",
        "doc": "A heartbeat.",
        "fields": [{"name": "uptime", "type": "long", "doc": "Seconds."}, *extra],
    }


def beat_catalog(root: Path, topic: str) -> Path:
    """A one-contract catalog (``beat`` on ``topic``) with v1 and v2, not registered yet."""
    root.mkdir(parents=True)
    (root / "catalog.toml").write_text(
        f'[messages.beat]\ndescription = "Heartbeats."\ntopic = "{topic}"\n'
        'direction = "device-to-cloud"\n',
        encoding="utf-8",
    )
    write_version(root, "beat", 1, beat())
    write_version(root, "beat", 2, beat(optional("rssi")))
    return root


def released_checkouts(base: Path, registry: LocalRegistry, topic: str) -> tuple[Path, Path]:
    """v1 and v2 registered from one catalog, then two checkouts of it that each add a
    different v3 (the same catalog version, different content)."""
    main = beat_catalog(base / "main", topic)
    assert register(main, registry).exit_code == 0
    ours, theirs = base / "ours", base / "theirs"
    shutil.copytree(main, ours)
    shutil.copytree(main, theirs)
    write_version(ours, "beat", 3, beat(optional("rssi"), optional("battery")))
    write_version(theirs, "beat", 3, beat(optional("rssi"), optional("temperature")))
    return ours, theirs


def register(catalog: Path, registry: LocalRegistry, *extra: object) -> Any:
    """``contracts register`` of ``catalog`` into ``registry``, in this process."""
    return run("register", "--catalog", catalog, "--registry", registry.url, *extra)


def assert_lock_agrees(catalog: Path, registry: LocalRegistry, subject: str) -> None:
    """Every id the lock records is the registry's id of that version, holding that content."""
    for (locked_subject, number), schema_id in lock_ids(catalog).items():
        assert locked_subject == subject
        held = registry.schema(subject, number)
        assert held["id"] == schema_id, (catalog, number)
        content = json.loads((catalog / "beat" / f"v{number}.avsc").read_text(encoding="utf-8"))
        assert json.loads(held["schema"]) == content, (catalog, number)


def register_at_once(
    url: str, catalogs: tuple[Path, Path], env: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """``contracts register`` of both ``catalogs`` into ``url``, as two processes at once."""

    def one(catalog: Path) -> subprocess.CompletedProcess[str]:
        command = [str(CONTRACTS), "register", "--registry", url, "--catalog", str(catalog)]
        return subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=50, check=False
        )

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(one, catalogs))


class GatedRegistry(LocalRegistry):
    """A local registry that runs ``hook`` on each request before answering it (the test's
    stand-in for another release acting at an exact moment)."""

    def __init__(self) -> None:
        super().__init__()
        self.hook: Callable[[RecordedRequest], tuple[int, Any] | None] | None = None

    def answer(
        self, request: RecordedRequest, raw_path: str, authorization: str | None
    ) -> tuple[int, Any] | None:
        """Run the hook first; an answer from it replaces the registry's."""
        hook = self.hook
        if hook is not None:
            replaced = hook(request)
            if replaced is not None:
                return replaced
        return super().answer(request, raw_path, authorization)


def is_registration(request: RecordedRequest, subject: str) -> bool:
    """Whether ``request`` registers a version of ``subject``."""
    return request.method == "POST" and request.path == f"/subjects/{subject}/versions"


@pytest.fixture
def gated() -> Any:
    """A started `GatedRegistry`, stopped after the test."""
    with GatedRegistry() as registry:
        yield registry


# ---------------------------------------------------------------------------------------------
# Two processes at once


def test_two_concurrent_registers_of_one_catalog_version_never_both_win(tmp_path: Path):
    """Ten times, two ``contracts register`` processes register different content as the same
    catalog version at once: one succeeds, the other exits 1 with recovery advice, and each
    lock agrees with the registry."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SCHEMA_REGISTRY", "CONTRACTS"))
    }
    with GatedRegistry() as registry:
        for trial in range(TRIALS):
            topic = f"t.race{trial}"
            subject = f"{topic}-value"
            ours, theirs = released_checkouts(tmp_path / f"trial{trial}", registry, topic)
            # Hold both registrations until both have arrived: each process has planned and
            # passed its own check that version 2 is the newest, as in a real race.
            barrier = threading.Barrier(2, timeout=20)

            def hold(request: RecordedRequest, barrier: Any = barrier, s: str = subject) -> None:
                if is_registration(request, s):
                    with contextlib.suppress(threading.BrokenBarrierError):
                        barrier.wait()

            registry.hook = hold
            runs = register_at_once(registry.url, (ours, theirs), env)
            registry.hook = None
            codes = sorted(r.returncode for r in runs)
            assert codes == [0, 1], [r.stdout + r.stderr for r in runs]
            winner, loser = (ours, theirs) if runs[0].returncode == 0 else (theirs, ours)
            lost = next(r for r in runs if r.returncode == 1)
            assert "[registry-version-taken]" in lost.stdout, lost.stdout + lost.stderr
            assert "another release changed" in lost.stdout
            assert "Pull the other release's catalog change" in lost.stdout
            assert "(v4.avsc after the pull)" in lost.stdout
            assert "Traceback" not in lost.stderr
            assert registry.versions(subject) == [1, 2, 3]
            assert (subject, 3) in lock_ids(winner)
            assert (subject, 3) not in lock_ids(loser)
            assert_lock_agrees(winner, registry, subject)
            assert_lock_agrees(loser, registry, subject)


# ---------------------------------------------------------------------------------------------
# Each moment another release can land, in process


def test_a_release_landing_after_the_plan_stops_register_before_it_sends(
    tmp_path: Path, gated: GatedRegistry
):
    """Another release registers while the preflight runs: the newest version is no longer the
    planned one, so nothing is sent, the run exits 1 with advice, and v3 is not locked."""
    ours, theirs = released_checkouts(tmp_path, gated, "t.beats")
    subject = "t.beats-value"

    def rival(request: RecordedRequest) -> None:
        if request.method == "POST" and request.path.startswith("/compatibility/"):
            gated.hook = None
            assert register(theirs, gated).exit_code == 0

    gated.hook = rival
    gated.clear_requests()
    result = register(ours, gated)
    assert result.exit_code == 1, result.output
    assert "[registry-version-taken]" in result.output
    assert "v3 of t.beats-value was not registered" in result.output
    assert "the registry holds versions 1, 2, 3" in result.output
    assert "stopped at v3 of t.beats-value" in result.output
    sent = [
        r.body
        for r in gated.requests
        if is_registration(r, subject) and r.body and "version" in r.body
    ]
    assert [b["version"] for b in sent] == [3]  # the rival's only: ours never went out
    assert (subject, 3) not in lock_ids(ours)
    assert_lock_agrees(ours, gated, subject)
    assert_lock_agrees(theirs, gated, subject)


def test_a_release_landing_just_before_the_registration_is_refused_by_the_registry(
    tmp_path: Path, gated: GatedRegistry
):
    """Another release takes version 3 between the check and the request: the registry refuses
    the expected version (42201), and register exits 1 with advice, locking nothing for v3."""
    ours, theirs = released_checkouts(tmp_path, gated, "t.beats")
    subject = "t.beats-value"
    rival_schema = json.loads((theirs / "beat" / "v3.avsc").read_text(encoding="utf-8"))

    def rival(request: RecordedRequest) -> None:
        if is_registration(request, subject):
            gated.hook = None
            gated.register(subject, rival_schema)

    gated.hook = rival
    result = register(ours, gated, "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert doc["ok"] is False and doc["registered"] == []
    [finding] = [f for f in doc["findings"] if f["rule"] == "registry-version-taken"]
    assert finding["subject"] == subject and finding["version"] == 3
    assert "nothing was registered or recorded in the lock for v3" in finding["hint"]
    assert gated.versions(subject) == [1, 2, 3]
    assert json.loads(gated.schema(subject, 3)["schema"]) == rival_schema
    assert (subject, 3) not in lock_ids(ours)


def test_a_registry_without_the_guard_registering_out_of_turn_fails_the_run(
    tmp_path: Path, gated: GatedRegistry
):
    """On a registry that takes no expected version (Confluent before 7.4: 42205), a version
    registered out of turn is caught afterwards: exit 1, the advice names where it went, and
    the lock does not record it."""
    ours, theirs = released_checkouts(tmp_path, gated, "t.beats")
    subject = "t.beats-value"
    rival_schema = json.loads((theirs / "beat" / "v3.avsc").read_text(encoding="utf-8"))
    gated.fail_next(
        422,
        42205,
        f"Subject {subject} in context . is not in import mode",
        method="POST",
        path=f"/subjects/{subject}/versions",
    )

    def rival(request: RecordedRequest) -> None:
        if is_registration(request, subject):
            gated.hook = None
            gated.register(subject, rival_schema)

    gated.hook = rival
    result = register(ours, gated)
    assert result.exit_code == 1, result.output
    assert "does not take the expected version" in result.output
    assert "[registry-version-taken]" in result.output
    assert "was registered as version 4" in result.output
    assert "not as version 3 as planned" in result.output
    assert "rename your file to the next version (v4.avsc" in result.output
    assert gated.versions(subject) == [1, 2, 3, 4]
    assert (subject, 3) not in lock_ids(ours)
    assert_lock_agrees(ours, gated, subject)


def test_a_registration_whose_answer_was_lost_is_recognised_as_done(
    tmp_path: Path, gated: GatedRegistry
):
    """The registration lands but its answer is lost (a 500 after the store): register finds
    the schema as the planned version, records its id and exits 0."""
    ours, _ = released_checkouts(tmp_path, gated, "t.beats")
    subject = "t.beats-value"

    def lose_answer(request: RecordedRequest) -> tuple[int, Any] | None:
        if not is_registration(request, subject):
            return None
        gated.hook = None
        answer = gated.answer(request, request.path, None)
        assert answer is not None and answer[0] == 200
        return 500, {"error_code": 50001, "message": "store write timed out"}

    gated.hook = lose_answer
    result = register(ours, gated, "--retries", "0")
    assert result.exit_code == 0, result.output
    assert gated.versions(subject) == [1, 2, 3]
    assert lock_ids(ours)[(subject, 3)] == gated.schema(subject, 3)["id"]
    assert_lock_agrees(ours, gated, subject)


# ---------------------------------------------------------------------------------------------
# The local registry's guard, as Confluent's


def post(registry: LocalRegistry, path: str, body: Any) -> tuple[int, Any]:
    """POST ``body`` as JSON to the local registry; (status, parsed answer)."""
    return post_raw(registry.url + path, json.dumps(body).encode())


def as_version(schema: Any, version: int) -> dict[str, Any]:
    """A register body asking for ``version``."""
    return {"schema": json.dumps(schema), "version": version}


def test_local_registry_stores_a_version_only_as_the_next_one(local_registry: LocalRegistry):
    """A register body's version must be the subject's next one (soft-deleted versions count);
    any other is refused with 422 / 42201 and changes nothing."""
    path = "/subjects/s/versions"
    assert post(local_registry, path, as_version(beat(), 1)) == (200, {"id": 1})
    before = local_registry.snapshot()
    for taken in (1, 3, 7):
        status, body = post(local_registry, path, as_version(beat(optional("a")), taken))
        assert (status, body["error_code"]) == (422, 42201)
        assert body["message"] == "Version is not one more than previous version"
    assert local_registry.snapshot() == before
    local_registry.register("s", beat(optional("a")))
    local_registry.soft_delete("s", 2)
    status, _ = post(local_registry, path, as_version(beat(optional("b")), 2))
    assert status == 422
    assert post(local_registry, path, as_version(beat(optional("b")), 3))[0] == 200
    assert local_registry.versions("s") == [1, 3]


def test_local_registry_checks_compatibility_before_the_version(local_registry: LocalRegistry):
    """An incompatible schema asking for a taken version is refused as incompatible (409), as
    Confluent checks compatibility first."""
    local_registry.register("s", beat())
    required = {"name": "x", "type": "long", "doc": "Required."}
    status, body = post(local_registry, "/subjects/s/versions", as_version(beat(required), 1))
    assert (status, body["error_code"]) == (409, 40901)


def test_local_registry_with_a_version_registers_identical_content_anew(
    local_registry: LocalRegistry,
):
    """With a version, a schema identical to a live version is not answered with it (Confluent
    7.6.2+): it becomes the asked version, with the same id; without one it is idempotent."""
    first = local_registry.register("s", beat())
    assert post(local_registry, "/subjects/s/versions", {"schema": json.dumps(beat())}) == (
        200,
        {"id": first.id},
    )
    assert local_registry.versions("s") == [1]
    assert post(local_registry, "/subjects/s/versions", as_version(beat(), 2)) == (
        200,
        {"id": first.id},
    )
    assert local_registry.versions("s") == [1, 2]


def test_local_registry_in_import_mode_stores_the_version_asked(local_registry: LocalRegistry):
    """In IMPORT mode the version asked is the version stored, gaps and all."""
    local_registry.set_mode("IMPORT", "s")
    assert post(local_registry, "/subjects/s/versions", as_version(beat(), 5))[0] == 200
    assert local_registry.versions("s") == [5]


def test_local_registry_refuses_a_version_that_is_not_an_integer(local_registry: LocalRegistry):
    """A non-integer version is refused (422), not stored."""
    body = {"schema": json.dumps(beat()), "version": "two"}
    assert post(local_registry, "/subjects/s/versions", body)[0] == 422
    assert local_registry.subjects() == []


# ---------------------------------------------------------------------------------------------
# The adapter


def test_adapter_sends_the_version_and_falls_back_without_the_guard(
    local_registry: LocalRegistry,
):
    """The adapter's registration carries the version; a registry that refuses versions
    outside IMPORT mode (42205) gets the plain request, and version_guard says so."""
    with SchemaRegistry(RegistrySettings(local_registry.url, retries=0)) as registry:
        first = registry.register("s", json.dumps(beat()), version=1)
        assert (first.version, registry.version_guard) == (1, True)
        local_registry.fail_next(
            422, 42205, "Subject s is not in import mode", method="POST", path="/subjects/s/"
        )
        second = registry.register("s", json.dumps(beat(optional("a"))), version=2)
        assert (second.version, registry.version_guard) == (2, False)
    sent = [r.body.get("version") for r in local_registry.requests if is_registration(r, "s")]
    assert sent == [1, 2, None]
