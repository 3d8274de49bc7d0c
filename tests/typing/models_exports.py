"""Messages built from the models package's top-level names: checked by ``mypy --strict`` only.

The package exports each shared type in the version the latest messages reference, so building
a message from ``devicecontracts.models`` names alone type-checks. Nothing here runs.
"""

from __future__ import annotations

import datetime as dt
import uuid

from devicecontracts import models
from devicecontracts.models import Alarm, GeoPoint, Telemetry
from devicecontracts.models.alarm import AlarmSeverity
from devicecontracts.models.geo_point import GeoPoint as LatestGeoPoint

# DeviceHeader from the message's package: the latest messages pin two versions of it
# (Heartbeat v3 v2, Telemetry v1), so the package exports neither.
from devicecontracts.models.telemetry import DeviceHeader


def header() -> DeviceHeader:
    """The envelope, from the message's package."""
    return DeviceHeader(
        device_id="d",
        message_id=uuid.uuid4(),
        sent_at=dt.datetime.now(dt.UTC),
        firmware_version="2.4.1",
        sequence=1,
    )


def located_telemetry() -> Telemetry:
    """``Telemetry(location=models.GeoPoint(...))``: the top-level GeoPoint is the one it holds."""
    return models.Telemetry(
        header=DeviceHeader(
            device_id="d",
            message_id=uuid.uuid4(),
            sent_at=dt.datetime.now(dt.UTC),
            firmware_version="2.4.1",
            sequence=1,
        ),
        location=models.GeoPoint(latitude=48.1, longitude=11.6),
    )


def located_alarm(point: GeoPoint) -> Alarm:
    """The same GeoPoint fits every latest message that references it."""
    return Alarm(
        header=header(),
        alarm_id=uuid.uuid4(),
        code="OVERHEAT",
        severity=AlarmSeverity.MAJOR,
        raised_at=dt.datetime.now(dt.UTC),
        location=point,
    )


def enum_default() -> AlarmSeverity:
    """An enum with a default symbol: ``avro_default()`` is the enum, not ``X | None``."""
    return AlarmSeverity.avro_default()


def latest_shared_type_is_another_class(point: LatestGeoPoint) -> Telemetry:
    """GeoPoint's own latest version is not what Telemetry holds: mypy must say so."""
    return Telemetry(header=header(), location=point)  # type: ignore[arg-type]
