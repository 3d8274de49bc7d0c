"""Offline commands load no registry, release or HTTP code (checked in fresh interpreters).

``contracts check`` without ``--registry``, ``codegen``, ``diff``, ``init``, ``lock`` and
``rules`` never talk to a registry, so they import neither the registry adapter, the release
planner and its applier, nor confluent-kafka or any HTTP client: a CI job that only checks the
catalog pays for none of it. ``check --registry`` loads them when it runs (the control below
shows the probe sees them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..support.catalogs import BUNDLED, copy_bundled

REPO = Path(__file__).resolve().parents[2]

REGISTRY_RELEASE_OR_HTTP = [
    "devicecontracts.cli._release",
    "devicecontracts.registry._adapter",
    "devicecontracts.registry._apply",
    "devicecontracts.registry.release",
    "confluent_kafka",
    "requests",
    "httpx",
    "httpcore",
    "urllib3",
    "http.client",
]

PROBE = """
import json, sys
from devicecontracts.cli import main

out, args = sys.argv[1], sys.argv[2:]
try:
    main.main(args=args, prog_name="contracts", standalone_mode=False)
    code = 0
except SystemExit as exc:
    code = exc.code
with open(out, "w", encoding="utf-8") as f:
    json.dump({"exit": code, "modules": sorted(sys.modules)}, f)
"""


def invoke(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    """Run ``contracts ARGS`` in a fresh interpreter: its exit code and every module loaded."""
    out = tmp_path / "probe.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), *filter(None, sys.path)])
    for name in [k for k in env if k.startswith("SCHEMA_REGISTRY_")]:
        del env[name]  # the environment alone never makes a command go online; be sure
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert out.exists(), done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    return result["exit"], set(result["modules"])


OFFLINE = {
    "check": lambda bundled, copy: ["check", "--catalog", str(bundled)],
    "check-json": lambda bundled, copy: ["check", "--catalog", str(bundled), "--format", "json"],
    "check-strict": lambda bundled, copy: ["check", "--catalog", str(bundled), "--strict"],
    "diff": lambda bundled, copy: ["diff", "fleet.telemetry-value", "--catalog", str(bundled)],
    "rules": lambda bundled, copy: ["rules"],
    "lock": lambda bundled, copy: ["lock", "--catalog", str(copy)],
    "codegen": lambda bundled, copy: [
        *("codegen", "--catalog", str(copy)),
        *("--out", "gen/m", "--package", "m"),
    ],
    "init": lambda bundled, copy: ["init", "fresh"],
}


@pytest.mark.parametrize("command", sorted(OFFLINE))
def test_offline_commands_import_no_registry_release_or_http_code(
    tmp_path: Path, command: str
) -> None:
    """Each offline command succeeds and leaves none of the registry, release or HTTP modules
    in ``sys.modules``."""
    args = OFFLINE[command](BUNDLED, copy_bundled(tmp_path / "schemas"))

    code, loaded = invoke(tmp_path, *args)

    assert code == 0
    assert "devicecontracts.cli" in loaded  # the probe ran the command line
    assert loaded.isdisjoint(REGISTRY_RELEASE_OR_HTTP), loaded & set(REGISTRY_RELEASE_OR_HTTP)


def test_check_with_a_registry_loads_the_registry_code(tmp_path: Path) -> None:
    """The control: ``check --registry`` imports the release work and the adapter (and here
    fails to reach a registry where nothing listens: exit 3), so the probe above would see
    them if an offline command loaded them."""
    args = ["check", "--catalog", str(BUNDLED), "--registry", "http://127.0.0.1:9"]

    code, loaded = invoke(tmp_path, *args, "--retries", "0", "--timeout", "1")

    assert code == 3
    assert {"devicecontracts.cli._release", "devicecontracts.registry._adapter"} <= loaded
