"""The README's consumer example, run verbatim as a consumer team runs it: its handler, its
conftest.py and its test, in a fresh pytest process with ``filterwarnings = error``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from ..support.schemas import BUNDLED, REPO

# Load the plugin by module whether or not the package's entry point is installed.
PLUGIN = ["-p", "no:devicecontracts", "-p", "devicecontracts.testing.pytest_plugin"]
STRICT_INI = "[pytest]\nfilterwarnings = error\n"
# The README handler's processing step; the planted bug reads a field v1 firmware never sends.
REFUSAL = 'if telemetry.header.device_id.startswith("bad"):'
PLANTED = 'if telemetry.battery_mv < 2800 or telemetry.header.device_id.startswith("bad"):'


def readme_block(first_line: str) -> str:
    """The README's python code block whose first line is ``first_line``, verbatim."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)
    (block,) = [b for b in blocks if b.startswith(first_line)]
    return block


def consumer_project(tmp_path: Path, handler: str) -> dict[str, str]:
    """A consumer's folder: the README's conftest.py and test, ``handler`` as handler.py, and a
    lock that gives every released version an id in "dev"; returns the environment to run in."""
    (tmp_path / "pytest.ini").write_text(STRICT_INI)
    (tmp_path / "conftest.py").write_text(readme_block("# conftest.py"))
    (tmp_path / "test_handler.py").write_text(readme_block("# test_handler.py"))
    (tmp_path / "handler.py").write_text(handler)
    # The committed lock has no ids yet (nothing is registered): give each version one, as
    # `contracts register` would, in a copy named by DEVICECONTRACTS_LOCK.
    lock = json.loads((BUNDLED / "contracts.lock.json").read_text())
    next_id = 101
    for versions in lock["subjects"].values():
        for entry in versions.values():
            entry["ids"] = {"dev": next_id}
            next_id += 1
    (tmp_path / "contracts.lock.json").write_text(json.dumps(lock))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEVICECONTRACTS_", "SCHEMA_"))}
    env["DEVICECONTRACTS_LOCK"] = str(tmp_path / "contracts.lock.json")
    # A source checkout has no packaged catalog; an installed wheel needs neither variable.
    env["CONTRACTS_CATALOG"] = str(BUNDLED)
    return env


def run_consumer_tests(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``pytest`` in the consumer's folder, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *PLUGIN],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_readme_consumer_example_passes_as_written(tmp_path: Path) -> None:
    """The README's handler, conftest.py and property test pass unchanged: every drawn
    telemetry version is framed with an id the handler's deserializer resolves."""
    env = consumer_project(tmp_path, readme_block('"""handler.py:'))
    done = run_consumer_tests(tmp_path, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "warning" not in done.stdout.lower()


def test_a_handler_bug_fails_with_a_short_shrunk_counterexample(tmp_path: Path) -> None:
    """A bug planted in the README's handler (it reads battery_mv, which v1 firmware never
    sends) fails the README's test with the counterexample shrunk to one v1 message, in under
    300 lines, with no fixture dumped and no hypothesis warning turned into an error."""
    handler = readme_block('"""handler.py:')
    assert REFUSAL in handler
    env = consumer_project(tmp_path, handler.replace(REFUSAL, PLANTED))
    done = run_consumer_tests(tmp_path, env)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert len(output.splitlines()) < 300, output
    assert "Failing test case: test_handler_takes_every_telemetry_version(" in output, output
    assert "Draw 1: [Message(subject='fleet.telemetry-value', version=1," in output, output
    assert "{'device_id': ''," in output, output  # shrunk: the bug needs no particular value
    assert "contract_messages=ContractMessages(catalog=" in output, output
    assert "contract_ids=ContractIds(environment='dev'" in output, output
    # The captured log is the counterexample's own: one failed record, not every example's.
    assert output.count("could not process") == 1, output
    assert "Flaky" not in output and "HypothesisWarning" not in output, output
    assert "1 failed" in output
