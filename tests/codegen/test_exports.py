"""Which version of a shared type the models package exports at top level."""

from __future__ import annotations

import shutil
from pathlib import Path

from codegen import generate

from ..support.codegen import ROOT


def test_a_shared_type_is_exported_in_the_version_the_latest_messages_use() -> None:
    """``models.GeoPoint`` is the GeoPoint the latest Telemetry and Alarm hold, not GeoPoint's
    own latest version, so a message built from top-level names validates."""
    from devicecontracts import models
    from devicecontracts.models import alarm, geo_point, telemetry

    assert models.GeoPoint is telemetry.GeoPoint is alarm.GeoPoint
    assert models.GeoPoint is not geo_point.GeoPoint  # geo_point's package: its latest, v2
    # DeviceHeader is not exported: the latest Heartbeat (v3, pending) pins DeviceHeader v2,
    # the latest Telemetry v1 (see the next test); the message's package has its own.
    assert not hasattr(models, "DeviceHeader")
    message = models.Telemetry(
        header=telemetry.DeviceHeader(
            device_id="d",
            message_id="5f0c3d4e-0000-4000-8000-000000000000",
            sent_at=0,
            firmware_version="1.0.0",
            sequence=1,
        ),
        location=models.GeoPoint(latitude=1.0, longitude=2.0),
    )
    assert models.Telemetry.from_avro_bytes(message.to_avro_bytes()) == message


def test_a_shared_type_the_latest_messages_use_in_two_versions_is_not_exported(
    tmp_path: Path,
) -> None:
    """When one latest message pins GeoPoint v1 and another v2, the package exports neither
    and its docstring says where to import it from."""
    catalog = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", catalog)
    # An unreleased Alarm v4 references the latest GeoPoint (v2); Telemetry v3 is pinned to v1.
    (catalog / "alarm" / "v4.avsc").write_text(
        (catalog / "alarm" / "v3.avsc").read_text(encoding="utf-8"), encoding="utf-8"
    )

    files = generate(catalog, tmp_path / "models", "models")

    init = files[next(p for p in files if str(p) == "__init__.py")]
    assert '"GeoPoint"' not in init
    # Alarm v4 also pins the latest DeviceHeader (v2), which the other messages do not use.
    assert (
        "Not exported here, as the latest messages use different versions of them: "
        "DeviceHeader, GeoPoint" in " ".join(init.split())
    )
    assert '"DeviceHeader"' not in init
