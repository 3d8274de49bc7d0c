"""The pytest plugin, as a consumer team uses it (each test runs pytest in a fresh process)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from ..support.schemas import BUNDLED

# Load the plugin by module whether or not the package's entry point is installed.
PLUGIN = ["-p", "no:devicecontracts", "-p", "devicecontracts.testing.pytest_plugin"]

CONSUMER_TESTS = '''
from hypothesis import given, settings, strategies as st

from devicecontracts.testing import kafka_event


def handler(event, context):
    """A consumer's Lambda handler: here, it only counts the records."""
    return {"processed": sum(len(batch) for batch in event["records"].values())}


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_handler_takes_every_telemetry_version(contract_messages, data):
    messages = data.draw(st.lists(contract_messages("telemetry"), min_size=1, max_size=3))
    event = kafka_event(messages, schema_id={1: 101, 2: 102, 3: 103})
    assert handler(event, None) == {"processed": len(messages)}


def test_the_catalog_fixture(contracts_catalog):
    assert "telemetry" in contracts_catalog.contracts
'''


NO_HYPOTHESIS = textwrap.dedent(
    """
    import sys

    class NoHypothesis:
        # As if hypothesis were not installed: importing it fails as it would then.
        def find_spec(self, name, path=None, target=None):
            if name == "hypothesis" or name.startswith("hypothesis."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoHypothesis())
    """
)


def run_pytest(
    tmp_path: Path, *args: str, prelude: str = "", autoload: bool = True
) -> subprocess.CompletedProcess[str]:
    script = prelude + "import sys, pytest\nsys.exit(pytest.main(sys.argv[1:]))\n"
    env = dict(os.environ)
    if not autoload:
        # No entry-point plugins (hypothesis' own among them): only ours, named with -p.
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-c", script, "-q", "-p", "no:cacheprovider", *PLUGIN, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_consumer_tests_use_the_fixtures(tmp_path: Path) -> None:
    """A consumer's property test draws messages of every version from the fixture."""
    (tmp_path / "test_consumer.py").write_text(CONSUMER_TESTS)
    done = run_pytest(tmp_path, "--contracts-catalog", str(BUNDLED))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_the_catalog_comes_from_the_ini_file(tmp_path: Path) -> None:
    """contracts_catalog in the ini file, relative to the rootdir, locates the catalog."""
    relative = os.path.relpath(BUNDLED, tmp_path)
    (tmp_path / "pytest.ini").write_text(f"[pytest]\ncontracts_catalog = {relative}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "test_catalog.py").write_text(
        "def test_it(contracts_catalog):\n    assert contracts_catalog.contracts\n"
    )
    done = run_pytest(tmp_path, "sub")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_missing_catalog_fails_the_test_not_the_run(tmp_path: Path) -> None:
    """Without a catalog, tests using the fixture error with a message; pytest itself runs."""
    (tmp_path / "test_x.py").write_text(
        "def test_it(contracts_catalog):\n    pass\n\ndef test_other():\n    pass\n"
    )
    done = run_pytest(tmp_path, "--contracts-catalog", str(tmp_path / "nowhere"))
    assert "1 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "no catalog folder" in done.stdout and "--contracts-catalog" in done.stdout
    assert "During handling" not in done.stdout


def test_without_hypothesis_pytest_still_runs(tmp_path: Path) -> None:
    """With hypothesis missing the plugin loads; only the generating fixture errors, saying why."""
    (tmp_path / "test_x.py").write_text(
        textwrap.dedent(
            """
            def test_catalog(contracts_catalog):
                assert contracts_catalog.contracts

            def test_messages(contract_messages):
                pass
            """
        )
    )
    done = run_pytest(
        tmp_path, "--contracts-catalog", str(BUNDLED), prelude=NO_HYPOTHESIS, autoload=False
    )
    assert "1 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "needs hypothesis: pip install 'devicecontracts[testing]'" in done.stdout


def test_the_testing_package_imports_without_hypothesis() -> None:
    """devicecontracts.testing imports without hypothesis; strategies then say what to install."""
    script = NO_HYPOTHESIS + textwrap.dedent(
        """
        import devicecontracts.testing as testing
        assert testing.untag(("int", 1)) == 1
        try:
            testing.from_avro_schema
        except ModuleNotFoundError as exc:
            print(exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert "needs hypothesis: pip install 'devicecontracts[testing]'" in done.stdout


REGISTRY_CONSUMER = textwrap.dedent(
    """
    import json
    import urllib.request


    def test_the_registry_answers_over_http(local_registry):
        local_registry.register("fleet.alarms-value", {"type": "string"})
        with urllib.request.urlopen(local_registry.url + "/subjects") as answer:
            assert json.load(answer) == ["fleet.alarms-value"]
    """
)


def test_local_registry_fixture_comes_with_the_plugin(tmp_path: Path) -> None:
    """A consumer test asks for ``local_registry`` with no conftest: the plugin alone serves it."""
    (tmp_path / "test_registry.py").write_text(REGISTRY_CONSUMER)
    done = run_pytest(tmp_path, autoload=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_without_avro_only_the_registry_fixture_errors(tmp_path: Path) -> None:
    """With avro missing the plugin loads; a test asking for ``local_registry`` errors, saying
    what to install, and the other tests run."""
    (tmp_path / "test_registry.py").write_text(
        REGISTRY_CONSUMER + "\n\ndef test_other():\n    pass\n"
    )
    no_avro = NO_HYPOTHESIS.replace("hypothesis", "avro")
    done = run_pytest(tmp_path, prelude=no_avro, autoload=False)
    assert "1 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "needs the avro package: pip install 'devicecontracts[testing]'" in done.stdout


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    """Importing the plugin, as pytest does at start-up, imports no hypothesis, avro,
    confluent_kafka or local registry."""
    script = textwrap.dedent(
        """
        import sys
        import devicecontracts.testing.pytest_plugin
        heavy = ("hypothesis", "avro", "confluent_kafka", "devicecontracts.testing.registry")
        print(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_contract_ids_without_an_environment_fails_the_test_saying_what_to_set(
    tmp_path: Path,
) -> None:
    """A test asking for ``contract_ids`` with no DEVICECONTRACTS_ENVIRONMENT errors with the
    variable to set, in one line; the other tests run."""
    (tmp_path / "test_ids.py").write_text(
        "def test_it(contract_ids):\n    pass\n\ndef test_other():\n    pass\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEVICECONTRACTS_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *PLUGIN],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "1 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "devicecontracts: set DEVICECONTRACTS_ENVIRONMENT" in done.stdout
    assert "Traceback" not in done.stdout
