"""``contracts registry serve``, and what importing the package does not pull in."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema

from devicecontracts.cli import register as register_cli

from ..support.registry import client, point, run


def test_serve_runs_a_registry_until_interrupted(monkeypatch: pytest.MonkeyPatch):
    """The served registry answers the real client while it runs, and stops afterwards."""
    seen: dict[str, Any] = {}

    def drive(registry: Any) -> None:
        c = client(registry.url)
        seen["id"] = c.register_schema("point", Schema(json.dumps(point()), "AVRO"))
        seen["url"] = registry.url
        raise KeyboardInterrupt

    monkeypatch.setattr(register_cli, "_wait_for_interrupt", drive)
    result = run("registry", "serve", "--port", "0", "--level", "FULL")
    assert result.exit_code == 0, result.output
    assert seen["id"] == 1
    assert f"local schema registry on {seen['url']}" in result.output
    assert result.output.rstrip().endswith("stopped")


def test_serve_reports_a_busy_port(monkeypatch: pytest.MonkeyPatch):
    """A port already taken is a usage error (exit 2), not a traceback."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("registry", "serve", "--port", port)
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_importing_the_package_and_the_cli_does_not_load_the_registry_client():
    """``import devicecontracts`` (and the CLI, registry and release modules) never imports
    confluent_kafka or avro: only a request does."""
    code = (
        "import sys, devicecontracts, devicecontracts.cli, devicecontracts.registry, "
        "devicecontracts.registry.release\n"
        "loaded = [m for m in ('confluent_kafka', 'avro', 'httpx2', 'httpx') if m in sys.modules]\n"
        "print(','.join(loaded))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
