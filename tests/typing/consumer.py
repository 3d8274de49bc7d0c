"""The generated models used the way a consumer uses them: checked by ``mypy --strict`` only.

Nothing here runs. Every function must type-check as written; each ``# type: ignore[...]``
marks a misuse mypy must catch (``warn_unused_ignores``, part of ``--strict``, fails if it does
not).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from devicecontracts.models import Alarm, Heartbeat, MeterReading, Telemetry
from devicecontracts.models.alarm import AlarmSeverity
from devicecontracts.models.heartbeat import DeviceState
from devicecontracts.models.meter_reading import ReadingPeriod
from devicecontracts.models.telemetry import DeviceHeader, GeoPoint, SensorKind, SensorReading
from devicecontracts.models.telemetry.v1 import Telemetry as TelemetryV1
from devicecontracts.record import AvroRecord


def header(device: str, sequence: int) -> DeviceHeader:
    """Build the envelope every device message carries."""
    return DeviceHeader(
        device_id=device,
        message_id=uuid.uuid4(),
        sent_at=dt.datetime.now(dt.UTC),
        firmware_version="2.4.1",
        sequence=sequence,
    )


def telemetry(device: str) -> Telemetry:
    """Build the latest Telemetry, with a location of the pinned GeoPoint version."""
    reading = SensorReading(
        sensor_id="t1",
        kind=SensorKind.TEMPERATURE,
        value=21.5,
        unit="Cel",
        sampled_at=dt.datetime.now(dt.UTC),
    )
    return Telemetry(
        header=header(device, 1),
        readings=[reading],
        location=GeoPoint(latitude=48.1, longitude=11.6, accuracy_m=5.0),
        battery_mv=3700,
    )


def average_temperature(message: Telemetry) -> float | None:
    """Typed attribute access: readings, enums and optional fields."""
    values = [r.value for r in message.readings if r.kind is SensorKind.TEMPERATURE]
    if message.location is not None and message.location.accuracy_m is not None:
        values = [v for v in values if message.location.accuracy_m < 100.0]
    return sum(values) / len(values) if values else None


def handle(payload: bytes) -> str:
    """Decode unframed Avro into the model and branch on typed values."""
    alarm = Alarm.from_avro_bytes(payload)
    severity: AlarmSeverity = alarm.severity
    cleared: dt.datetime | None = alarm.cleared_at
    details: dict[str, str] = alarm.details
    unknown: AlarmSeverity | None = AlarmSeverity.avro_default()
    return f"{severity} {cleared} {len(details)} {unknown}"


def upgrade(old_bytes: bytes) -> Telemetry:
    """Read bytes an old device wrote with v1 into the latest model (schema resolution)."""
    return Telemetry.from_avro_bytes(old_bytes, writer_schema=TelemetryV1.avro_schema())


def billing(reading: MeterReading) -> Decimal:
    """Decimals stay Decimals; nested records are typed."""
    period: ReadingPeriod = reading.period
    hours = Decimal((period.end - period.start).total_seconds()) / 3600
    return reading.energy_kwh / hours if hours else reading.energy_kwh


def round_trip(message: AvroRecord) -> bytes:
    """Any generated model serializes the same way."""
    as_dict = message.to_avro_dict()
    again = type(message).from_avro_dict(as_dict)
    fingerprint: str = type(again).avro_fingerprint
    return again.to_avro_bytes() + fingerprint.encode()


def misuse(beat: Heartbeat) -> None:
    """Mistakes mypy must catch."""
    Heartbeat(header=beat.header, state=DeviceState.ONLINE, uptime_ms="long")  # type: ignore[arg-type]
    Heartbeat(state=DeviceState.ONLINE, uptime_ms=1)  # type: ignore[call-arg]
    beat.uptime_ms = None  # type: ignore[assignment]
    Telemetry(header=beat.header, location=beat.header)  # type: ignore[arg-type]
    _ = beat.no_such_field  # type: ignore[attr-defined]
