"""ContractIds and ContractMessages: the ids a consumer's handler resolves, and short reprs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.catalog import load_catalog
from devicecontracts.errors import LockError
from devicecontracts.models import Telemetry
from devicecontracts.serde import Deserializer
from devicecontracts.testing import ContractIds, ContractMessages, Message

from ..support.schemas import BUNDLED, FAST

CATALOG = load_catalog(BUNDLED)
MESSAGES = ContractMessages(CATALOG)


def lock_with_ids(folder: Path, ids: dict[tuple[str, int], int]) -> Path:
    """A copy of the bundled lock where the given (subject, version) have ids in "dev"."""
    lock = json.loads((BUNDLED / "contracts.lock.json").read_text())
    for (subject, version), schema_id in ids.items():
        lock["subjects"][subject][str(version)]["ids"] = {"dev": schema_id}
    path = folder / "contracts.lock.json"
    path.write_text(json.dumps(lock))
    return path


def environ(lock: Path) -> dict[str, str]:
    """The settings a handler reads, naming ``lock``."""
    return {"DEVICECONTRACTS_ENVIRONMENT": "dev", "DEVICECONTRACTS_LOCK": str(lock)}


TELEMETRY_IDS = {("fleet.telemetry-value", 1): 7, ("fleet.telemetry-value", 2): 8}


@pytest.fixture(scope="module")
def telemetry_lock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lock giving telemetry v1 and v2 (not v3) ids in "dev"."""
    return lock_with_ids(tmp_path_factory.mktemp("lock"), TELEMETRY_IDS)


@pytest.fixture(scope="module")
def other_release_lock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lock whose telemetry v1 is another schema than the catalog's."""
    path = lock_with_ids(tmp_path_factory.mktemp("other"), TELEMETRY_IDS)
    lock = json.loads(path.read_text())
    lock["subjects"]["fleet.telemetry-value"]["1"]["fingerprint"] = "sha256:" + "0" * 64
    path.write_text(json.dumps(lock))
    return path


@FAST
@given(data=st.data())
def test_drawn_messages_get_ids_the_handler_resolves(
    telemetry_lock: Path, data: st.DataObject
) -> None:
    """Each drawn message gets its version's id in the environment, and a WriterSchemas from
    the same ids decodes the framed message into the latest model."""
    ids = ContractIds.from_environment(environ(telemetry_lock))
    message = data.draw(MESSAGES("fleet.telemetry-value", versions=[1, 2]))

    schema_id = ids(message)
    decoded = Deserializer(Telemetry, schemas=ids.writer_schemas()).decode(
        message.framed(schema_id)
    )

    assert schema_id == TELEMETRY_IDS[(message.subject, message.version)]
    assert decoded.header.device_id == message.value["header"]["device_id"]


@FAST
@given(message=MESSAGES("fleet.telemetry-value", versions=[3]))
def test_a_version_without_an_id_is_a_lock_error_naming_it(
    telemetry_lock: Path, message: Message
) -> None:
    """A drawn version that has no id in the environment is a LockError naming subject,
    version and environment, and saying how to fix it."""
    ids = ContractIds.from_environment(environ(telemetry_lock))
    with pytest.raises(LockError, match=r"fleet.telemetry-value v3 .* 'dev'.*contracts register"):
        ids(message)


@FAST
@given(message=MESSAGES("fleet.telemetry-value", versions=[1]))
def test_a_lock_of_another_release_is_refused(other_release_lock: Path, message: Message) -> None:
    """A lock whose version carries another schema than the catalog's is a LockError, not a
    wrong id the handler would misread."""
    ids = ContractIds.from_environment(environ(other_release_lock))
    with pytest.raises(LockError, match="different releases"):
        ids(message)


def test_without_an_environment_it_says_what_to_set() -> None:
    """Without DEVICECONTRACTS_ENVIRONMENT there are no ids: a LockError says to set it."""
    with pytest.raises(LockError, match="set DEVICECONTRACTS_ENVIRONMENT"):
        ContractIds.from_environment({})


def test_fixture_values_have_one_line_reprs(telemetry_lock: Path) -> None:
    """The catalog, the bound strategy factory and the ids show as one short line each, since
    pytest and hypothesis print them when a test fails."""
    ids = ContractIds.from_environment(environ(telemetry_lock))
    shown = [repr(CATALOG), repr(MESSAGES), repr(ids)]
    versions = sum(len(c.versions) for c in CATALOG.contracts.values())
    assert shown[0].startswith("Catalog(") and shown[0].endswith(
        f", contracts=9, versions={versions})"
    )
    assert shown[1].startswith("ContractMessages(catalog=")
    assert shown[1].endswith(f", subjects=9, versions={versions})")
    assert shown[2].startswith("ContractIds(environment='dev', lock=") and "ids=2)" in shown[2]
    assert all(len(line) < 200 and "\n" not in line for line in shown)
