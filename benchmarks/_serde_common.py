"""Shared by the serde benchmarks: the message types, their models and sample messages.

Telemetry, heartbeat and command are the newest versions of each contract's first major (their
generated models in ``devicecontracts.models``: the latest ones, but heartbeat v2, as v3 starts
major 2), each with its first version as the "older writer"; the large
config-like message is ``schemas/device_config.avsc``
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
from dataclasses import dataclass, field
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
    """One benchmarked message type: name, model class, resolved schema, sample messages, and
    (for the catalog's contracts) its first version's model with samples of its own."""

    name: str
    model: Any
    schema: Schema
    messages: list[Any]
    subject: str = ""
    older: Any = None
    older_messages: list[Any] = field(default_factory=list)

    @property
    def dicts(self) -> list[Any]:
        """The samples as fastavro writes them (``to_avro_dict``)."""
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


def samples(model: Any, rng: random.Random, count: int = SAMPLES) -> list[Any]:
    """``count`` deterministic messages of ``model``, exact on the wire."""
    schema = parse_schema(model.avro_schema_json)
    return [
        model.from_avro_dict(as_read(_value(schema.root, rng), schema, return_named_type=True))
        for _ in range(count)
    ]


# The catalog's contracts: name, subject, model class, its first version and the reader: the
# newest version of the first version's major (the latest version, but for heartbeat, whose v3
# starts major 2: a first-version record reaches v3 only through migration rules).
_MODELS = "devicecontracts.models"
CONTRACTS = (
    ("telemetry", "fleet.telemetry-value", "Telemetry", f"{_MODELS}.telemetry.v1", None),
    ("heartbeat", "fleet.heartbeats-value", "Heartbeat", f"{_MODELS}.heartbeat.v1", "v2"),
    ("command", "fleet.commands-value", "Command", f"{_MODELS}.command.v1", None),
)


def message_types(*, config: bool = True) -> list[MessageType]:
    """Telemetry, heartbeat and command (the newest version of their first major, and the first
    version), then the config-like
    message (one version), with their samples."""
    import devicecontracts.models as models

    rng = random.Random(7)
    found = []
    for name, subject, cls, first, reader in CONTRACTS:
        model = (
            getattr(models, cls)
            if reader is None
            else getattr(importlib.import_module(f"{_MODELS}.{name}.{reader}"), cls)
        )
        older = getattr(importlib.import_module(first), cls)
        found.append(
            MessageType(
                name,
                model,
                parse_schema(model.avro_schema_json),
                samples(model, rng),
                subject,
                older,
                samples(older, rng),
            )
        )
    if config:
        model = _config_model()
        schema = parse_schema(model.avro_schema_json)
        found.append(MessageType("config", model, schema, samples(model, rng), "config-value"))
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
