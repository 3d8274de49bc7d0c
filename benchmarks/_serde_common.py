"""Shared by the serde benchmarks: the three message types, their models and sample messages.

Telemetry and heartbeat are the catalog's latest versions (their generated models in
``devicecontracts.models``); the large config-like message is ``schemas/device_config.avsc``
here, whose model the generator writes into a temporary package at start-up. Samples are
deterministic (seeded) and exact on the wire: float32 values, millisecond timestamps.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import random
import struct
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devicecontracts.schema import (
    Array,
    AvroType,
    Enum,
    Fixed,
    Map,
    Primitive,
    Record,
    Schema,
    Union,
    parse_schema,
)
from devicecontracts.testing import as_read

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = 256
_EPOCH = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


@dataclass
class MessageType:
    """One benchmarked message type: name, model class, resolved schema, sample messages."""

    name: str
    model: Any
    schema: Schema
    messages: list[Any]

    @property
    def dicts(self) -> list[Any]:
        """The samples as fastavro writes them (the raw baseline's input)."""
        return [m.to_avro_dict() for m in self.messages]


def _config_model() -> Any:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import codegen

    out = Path(tempfile.mkdtemp(prefix="bench-models-")) / "bench_config_models"
    files = codegen.generate(ROOT / "benchmarks" / "schemas", out, out.name)
    for path, text in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(out.parent))
    return importlib.import_module(f"{out.name}.device_config").DeviceConfig


def message_types() -> list[MessageType]:
    """Telemetry, heartbeat and the config-like message, with their samples."""
    from devicecontracts.models import Heartbeat, Telemetry

    rng = random.Random(7)
    found = []
    for name, model in (
        ("telemetry", Telemetry),
        ("heartbeat", Heartbeat),
        ("config", _config_model()),
    ):
        schema = parse_schema(model.avro_schema_json)
        messages = []
        for _ in range(SAMPLES):
            value = _value(schema.root, rng)
            messages.append(model.from_avro_dict(as_read(value, schema, return_named_type=True)))
        found.append(MessageType(name, model, schema, messages))
    return found


def _float32(x: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


def _value(t: AvroType, rng: random.Random, depth: int = 0) -> Any:
    """A realistic value of ``t`` in fastavro's write form (named union branches tagged)."""
    if isinstance(t, Record):
        return {f.name: _value(f.type, rng, depth + 1) for f in t.fields}
    if isinstance(t, Enum):
        return rng.choice(t.symbols[1:] or t.symbols)
    if isinstance(t, Fixed):
        return rng.randbytes(t.size)
    if isinstance(t, Array):
        return [_value(t.items, rng, depth + 1) for _ in range(8)]
    if isinstance(t, Map):
        return {f"k{i}": _value(t.values, rng, depth + 1) for i in range(6)}
    if isinstance(t, Union):
        branches = [b for b in t.branches if b.type != "null"]
        if not branches or rng.random() < 0.2:
            return None
        branch = rng.choice(branches)
        inner = _value(branch, rng, depth + 1)
        return (branch.fullname, inner) if branch.is_named else inner  # type: ignore[attr-defined]
    assert isinstance(t, Primitive)
    logical = t.logical.name if t.logical else None
    if logical == "timestamp-millis":
        return _EPOCH + dt.timedelta(milliseconds=rng.randrange(10**9))
    if logical == "uuid":
        return uuid.UUID(int=rng.getrandbits(128))
    if logical == "decimal":
        assert t.logical is not None
        scale = t.logical.scale or 0
        digits = (t.logical.precision or 1) - 1
        return decimal.Decimal(rng.randrange(10**digits)).scaleb(-scale)
    return {
        "null": lambda: None,
        "boolean": lambda: rng.random() < 0.5,
        "int": lambda: rng.randrange(-5000, 5000),
        "long": lambda: rng.randrange(2**40),
        "float": lambda: _float32(rng.uniform(-100, 100)),
        "double": lambda: rng.uniform(-1000, 1000),
        "bytes": lambda: rng.randbytes(48),
        "string": lambda: f"{t.path.rsplit('/', 1)[-1] or 'v'}-{rng.randrange(10**6)}",
    }[t.type]()
