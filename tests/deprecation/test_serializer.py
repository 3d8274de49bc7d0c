"""The serializer warns, once per process, when it writes a version the catalog deprecated;
never for other versions, never when reading."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from devicecontracts._runtime import deprecation
from devicecontracts.errors import DeprecatedContractWarning
from devicecontracts.models.heartbeat import v1, v2
from devicecontracts.serde import Deserializer, Serializer, encode

from ..support.models import writer_schemas

HEARTBEAT = "fleet.heartbeats-value"


@pytest.fixture(autouse=True)
def fresh_process_state() -> Iterator[None]:
    """Each test starts as a fresh process would: nothing warned, nothing read."""
    deprecation._warned.clear()
    deprecation._of.clear()
    yield
    deprecation._warned.clear()
    deprecation._of.clear()


def header(module: Any) -> Any:
    return module.DeviceHeader(
        device_id="dev-1",
        message_id=uuid.UUID(int=1),
        sent_at=dt.datetime(2026, 12, 5, tzinfo=dt.UTC),
        firmware_version="1.9.0",
        sequence=1,
    )


def heartbeat_v1() -> v1.Heartbeat:
    return v1.Heartbeat(header=header(v1), state=v1.DeviceState.ONLINE, uptime_s=60)


def heartbeat_v2() -> Any:
    fields: dict[str, Any] = {"header": header(v2), "state": v2.DeviceState.ONLINE}
    for name, f in v2.Heartbeat.model_fields.items():
        if name not in fields and f.is_required():
            fields[name] = 60
    return v2.Heartbeat(**fields)


def written(
    caplog: pytest.LogCaptureFixture, *messages: Any, serializers: int = 1
) -> list[warnings.WarningMessage]:
    """The DeprecatedContractWarnings of encoding ``messages`` with each of ``serializers``
    fresh serializers, every warning shown (no deduplication by Python's filters)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(serializers):
            serializer = Serializer(ids={type(m): 7 for m in messages})
            for m in messages:
                serializer.encode(m)
                serializer.encode(m)
    return [w for w in caught if issubclass(w.category, DeprecatedContractWarning)]


def test_the_bundled_models_record_the_deprecation() -> None:
    assert v1.AVRO_DEPRECATED == (
        "2026-09-01",
        "2027-09-30",
        "firmware < 2.0 is end of life; write v2 or later",
    )
    assert v2.AVRO_DEPRECATED is None


def test_writing_a_deprecated_version_warns_once_per_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="devicecontracts.serde")
    found = written(caplog, heartbeat_v1(), serializers=2)  # two serializers, four writes
    (w,) = found
    warning = w.message
    assert isinstance(warning, DeprecatedContractWarning) and isinstance(warning, UserWarning)
    assert (warning.subject, warning.version, warning.sunset) == (HEARTBEAT, 1, "2027-09-30")
    assert warning.reason == "firmware < 2.0 is end of life; write v2 or later"
    assert str(warning) == (
        "writing v1 of fleet.heartbeats-value, which is deprecated (sunset 2027-09-30): "
        "firmware < 2.0 is end of life; write v2 or later"
    )
    assert w.filename == __file__  # attributed to the caller's encode
    (record,) = [r for r in caplog.records if r.name == "devicecontracts.serde"]
    assert record.levelno == logging.WARNING and record.getMessage() == str(warning)
    # ... and again: the process warned already
    assert written(caplog, heartbeat_v1()) == []


def test_another_subject_and_version_warns_again(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(written(caplog, heartbeat_v1())) == 1
    monkeypatch.setattr(v2, "AVRO_DEPRECATED", ("2026-10-01", "2028-01-31", "use v3"))
    (w,) = written(caplog, heartbeat_v1(), heartbeat_v2())
    assert isinstance(w.message, DeprecatedContractWarning)
    assert (w.message.version, w.message.sunset, w.message.reason) == (2, "2028-01-31", "use v3")


def test_versions_not_deprecated_never_warn(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    assert written(caplog, heartbeat_v2(), serializers=2) == []
    assert caplog.records == []


def test_reading_a_deprecated_version_never_warns() -> None:
    schemas = writer_schemas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = Serializer(schemas).encode(heartbeat_v1())
    deprecation._warned.clear()  # as if another process reads it
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        for model in (v1.Heartbeat, v2.Heartbeat):
            assert Deserializer(model, schemas=writer_schemas()).decode(data).uptime_s == 60
        assert v1.Heartbeat.from_avro_bytes(data[5:]).uptime_s == 60
    assert deprecation._warned == set()


def test_encode_with_an_explicit_id_warns_too() -> None:
    with pytest.warns(DeprecatedContractWarning, match="v1 of fleet.heartbeats-value"):
        encode(heartbeat_v1(), 7)


def test_the_warning_shows_by_default_in_a_fresh_process() -> None:
    """Python's default filters show a UserWarning: run it twice in one process, and once more
    for another version, and count what stderr shows."""
    code = (
        "import datetime as dt, uuid\n"
        "from devicecontracts.models.heartbeat import v1\n"
        "from devicecontracts.serde import Serializer\n"
        "h = v1.DeviceHeader(device_id='d', message_id=uuid.UUID(int=1),\n"
        "    sent_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), firmware_version='1', sequence=1)\n"
        "m = v1.Heartbeat(header=h, state='ONLINE', uptime_s=1)\n"
        "for _ in range(2):\n"
        "    Serializer(ids={v1.Heartbeat: 7}).encode(m)\n"
        "    Serializer(ids={v1.Heartbeat: 7}).encode(m)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stderr.count("DeprecatedContractWarning") == 1, result.stderr
    assert result.stderr.count("which is deprecated (sunset 2027-09-30)") == 2  # warning + log
