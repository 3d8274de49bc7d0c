"""The example telemetry message shared by the runtime tests and the cold-start benchmark.

One payload, written by old (v1) firmware: a header and no readings. Each call builds a fresh
dict, so a test may change its copy.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

DEVICE_ID = "dev-9"
SEQUENCE = 3


def header() -> dict[str, Any]:
    """The message header every example shares (fastavro form)."""
    return {
        "device_id": DEVICE_ID,
        "message_id": uuid.UUID(int=7),
        "sent_at": dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
        "firmware_version": "1.0.0",
        "sequence": SEQUENCE,
    }


def telemetry_v1() -> dict[str, Any]:
    """Telemetry version 1 with no readings (fastavro form)."""
    return {"header": header(), "readings": []}
