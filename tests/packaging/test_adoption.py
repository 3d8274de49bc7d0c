"""Adoption, as another company does it: only the built wheel, installed with its extras into a
fresh virtual environment outside this repository, and the `contracts` command.

Slow (a wheel build, a venv and pip installs: a few minutes); CI runs it. All traffic is on
127.0.0.1: the local schema registry is a subprocess of the test, stopped at its end.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..testing.test_readme_consumer import consumer_project, readme_block
from .test_wheel import wheel  # noqa: F401  (the fixture: the wheel built from a copy of the repo)

MODELS = '\n[models]\npackage = "globex_models"\npath = "../src/globex_models"\n'
# The company's models package as a release of its own: a wheel with the catalog copy in it.
MODELS_PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "globex-models"
version = "1.0.0"
dependencies = ["devicecontracts"]

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
globex_models = ["_catalog/**/*"]
"""
# A Lambda consumer of the company's messages, on the lock packaged with its models.
HANDLER = '''\
"""handler.py: decodes every record with the ids of the lock packaged in globex_models."""

from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.serde import Deserializer, WriterSchemas
from globex_models import Telemetry

schemas = WriterSchemas.from_environment(models_package="globex_models")
deserializer = Deserializer(Telemetry, schemas=schemas)


def handler(event, context):
    batch = decode_kafka_event(event, deserializer, undecodable="fail")
    return [(m.value.device_id, m.value.extra_3) for m in batch.messages]
'''
# Frames one message of each released version with the id the registry gave it (read from the
# packaged lock, as a producer would), then runs the handler on the Lambda event.
INVOKE = """\
import base64, json, sys
from devicecontracts._runtime.lookup import packaged_catalog
from devicecontracts.serde import Serializer, WriterSchemas
from globex_models.telemetry.v1 import Telemetry as V1
from globex_models.telemetry.v3 import Telemetry as V3
import handler

lock = packaged_catalog("globex_models") / "contracts.lock.json"
print("LOCK", lock)
serializer = Serializer(WriterSchemas.from_environment(models_package="globex_models"))
common = {"sent_at": 0, "sequence": 1, "state": "ONLINE", "battery_mv": 3000, "temperature_c": None}
messages = [V1(device_id="old", **common), V3(device_id="new", extra_3=7, extra_2=1, **common)]
records = [
    {"topic": "devices.telemetry", "partition": 0, "offset": n, "timestamp": 0,
     "timestampType": "CREATE_TIME", "key": None, "headers": [],
     "value": base64.b64encode(serializer.encode(m)).decode()}
    for n, m in enumerate(messages)
]
event = {"eventSource": "aws:kafka", "records": {"devices.telemetry-0": records}}
print("DECODED", json.dumps(handler.handler(event, None)))
"""


def run(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``command`` in ``cwd`` with ``env``; its exit code and output, never raising."""
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def ok(done: subprocess.CompletedProcess[str], code: int = 0) -> str:
    """The output of a finished command, asserting its exit code."""
    output = done.stdout + done.stderr
    assert done.returncode == code, f"{done.args}: exit {done.returncode}\n{output}"
    return output


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """A fresh virtual environment (no system site-packages) with the wheel installed with
    its cli, registry and testing extras, and pytest: its bin folder."""
    root = tmp_path_factory.mktemp("venv")
    env = clean_environment(None)
    ok(run([sys.executable, "-m", "venv", str(root / "venv")], root, env))
    bin_dir = root / "venv" / "bin"
    spec = f"devicecontracts[cli,registry,testing] @ {wheel.as_uri()}"
    ok(run([str(bin_dir / "python"), "-m", "pip", "install", "-q", spec, "pytest"], root, env))
    return bin_dir


def clean_environment(bin_dir: Path | None) -> dict[str, str]:
    """This process's environment without the project's settings or import paths, with
    ``bin_dir`` (the venv's) first on PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DEVICECONTRACTS_", "SCHEMA_REGISTRY_", "CONTRACTS_", "PYTHON"))
        and k != "VIRTUAL_ENV"
    }
    if bin_dir is not None:
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(bin_dir.parent)
    return env


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def registry(venv: Path, tmp_path: Path) -> Iterator[str]:
    """``contracts registry serve`` from the venv, on 127.0.0.1; its URL. Stopped at the end."""
    port = free_port()
    log = (tmp_path / "registry.log").open("w")
    server = subprocess.Popen(
        [str(venv / "contracts"), "registry", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=clean_environment(venv),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "registry.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the registry did not start in 60 s"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def add_version(catalog: Path, version: int) -> None:
    """A compatible next version of the scaffold's message: one more field with a default."""
    schema = json.loads((catalog / "telemetry" / "v1.avsc").read_text(encoding="utf-8"))
    for n in range(2, version + 1):
        schema["fields"].append(
            {"name": f"extra_{n}", "type": "long", "default": 0, "doc": f"Added in v{n}."}
        )
    text = json.dumps(schema, indent=2) + "\n"
    (catalog / "telemetry" / f"v{version}.avsc").write_text(text, encoding="utf-8")


def test_another_company_adopts_the_wheel(venv: Path, registry: str, tmp_path: Path) -> None:
    """From the installed wheel alone: ``contracts init`` makes a repository whose check passes;
    a second version, generated and checked, is clean; a third one not generated is a
    stale-model error, exit 1; ``contracts register`` against ``contracts registry serve``
    records ids; regenerated, the models package carries the lock with those ids, and a Lambda
    handler installed with it decodes both versions with no registry configured."""
    env = clean_environment(venv)
    contracts = str(venv / "contracts")
    repo = tmp_path / "globex"
    assert "created" in ok(run([contracts, "init", str(repo)], tmp_path, env))
    catalog = repo / "schemas"
    assert "0 errors" in ok(run([contracts, "check"], repo, env))
    with (catalog / "catalog.toml").open("a", encoding="utf-8") as config:
        config.write(MODELS)

    add_version(catalog, 2)
    assert "written" in ok(run([contracts, "codegen"], repo, env))
    assert "0 errors" in ok(run([contracts, "check"], repo, env))
    ok(run([contracts, "codegen", "--check"], repo, env))

    add_version(catalog, 3)
    stale = ok(run([contracts, "check"], repo, env), code=1)
    assert "stale-model" in stale and "telemetry/v3" in stale, stale
    ok(run([contracts, "codegen"], repo, env))
    ok(run([contracts, "check"], repo, env))

    env_registry = {**env, "SCHEMA_REGISTRY_URL": registry}
    registered = ok(run([contracts, "register", "--env", "dev"], repo, env_registry))
    assert "devices.telemetry-value" in registered, registered
    lock = json.loads((catalog / "contracts.lock.json").read_text(encoding="utf-8"))
    ids = {v: e["ids"]["dev"] for v, e in lock["subjects"]["devices.telemetry-value"].items()}
    assert sorted(ids) == ["1", "2", "3"] and len(set(ids.values())) == 3, lock
    again = ok(run([contracts, "register", "--env", "dev"], repo, env_registry))
    assert "nothing" in again.lower(), again

    # The lock changed: the models' copy of it is out of date until regenerated.
    behind = ok(run([contracts, "codegen", "--check"], repo, env), code=1)
    assert "_catalog/contracts.lock.json" in behind, behind
    ok(run([contracts, "codegen"], repo, env))
    packaged = repo / "src" / "globex_models" / "_catalog" / "contracts.lock.json"
    assert packaged.read_bytes() == (catalog / "contracts.lock.json").read_bytes()

    # The models are released as a wheel of their own and installed; the registry is gone
    # from the handler's environment: ids come from the packaged lock only.
    (repo / "pyproject.toml").write_text(MODELS_PYPROJECT, encoding="utf-8")
    ok(run([str(venv / "python"), "-m", "pip", "install", "-q", "--no-deps", str(repo)], repo, env))
    lambda_dir = tmp_path / "lambda"
    lambda_dir.mkdir()
    (lambda_dir / "handler.py").write_text(HANDLER, encoding="utf-8")
    (lambda_dir / "invoke.py").write_text(INVOKE, encoding="utf-8")
    lambda_env = {**env, "DEVICECONTRACTS_ENVIRONMENT": "dev"}
    output = ok(run([str(venv / "python"), "invoke.py"], lambda_dir, lambda_env))
    (lock_line,) = [line for line in output.splitlines() if line.startswith("LOCK ")]
    assert Path(lock_line[5:]).is_relative_to(venv.parent / "lib")  # the installed copy
    (decoded,) = [line for line in output.splitlines() if line.startswith("DECODED ")]
    assert json.loads(decoded[8:]) == [["old", 0], ["new", 7]]


def test_the_readme_consumer_example_passes_installed(venv: Path, tmp_path: Path) -> None:
    """The README's consumer example, copied verbatim (handler, conftest.py, test), passes with
    only the wheel installed: the plugin loads by its entry point and uses the packaged
    catalog; the ids are a copy of the packaged lock given ids, named by DEVICECONTRACTS_LOCK
    (this repository's own lock records none)."""
    env = consumer_project(tmp_path, readme_block('"""handler.py:'))
    del env["CONTRACTS_CATALOG"]  # the installed plugin finds the packaged catalog itself
    env = {k: v for k, v in env.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}
    env["PATH"] = f"{venv}{os.pathsep}{env.get('PATH', '')}"
    script = textwrap.dedent(
        """\
        import devicecontracts, sys
        from devicecontracts._runtime.lookup import packaged_catalog
        print("PACKAGE", devicecontracts.__file__)
        print("CATALOG", packaged_catalog())
        """
    )
    where = ok(run([str(venv / "python"), "-c", script], tmp_path, env))
    assert f"PACKAGE {venv.parent}" in where and f"CATALOG {venv.parent}" in where, where
    output = ok(
        run([str(venv / "python"), "-m", "pytest", "-p", "no:cacheprovider"], tmp_path, env)
    )
    assert "1 passed" in output, output
    assert "warning" not in output.lower(), output
