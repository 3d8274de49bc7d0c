"""Decode time against input size, per field type: bounded work means a straight line.

One record type per field type, each a single field ``value``: string, bytes, a bytes decimal
(precision 38), an array of longs and a map of longs. For each type, framed values of about
256 KB, 512 KB, 768 KB and 1 MB go through `devicecontracts.serde.decode` (the same read plan
as a `Deserializer`, pydantic validation included). The decimal's input is hostile by
construction: a valid decimal(38) takes at most 17 bytes, so its long length prefix is refused
(`CorruptPayload`), and the time shown is the time to refuse it. Sizes start at 256 KB: below
about 128 KB Python serves buffers from its own heap, above it from fresh pages, a one-time
step in the cost per byte that is not the decoder's.

The baseline, measured in the same run, is fastavro's ``schemaless_reader`` on the same body:
the ratio column is devicecontracts' time over fastavro's. fastavro converts a decimal's bytes
in time quadratic in their length (a 1 MB value takes minutes), so its decimal is measured
apart, once per size, at 16, 32 and 64 KB: each doubling of the size quadruples its time.

The slope is the time per KB at the smallest size and at the largest (1 MB); their ratio
(large over small) stays near 1 when decoding is linear (below 1 when a fixed cost per message
dominates), and is 4 when it is quadratic.

Usage: python benchmarks/bench_decode_size.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import contextlib
import decimal
import functools
import io
import json
import sys
import time
import timeit
from collections.abc import Callable
from typing import Annotated, Any, ClassVar

import fastavro

from _summary import record
from devicecontracts.errors import CorruptPayload
from devicecontracts.record import AvroRecord
from devicecontracts.serde import decode
from devicecontracts.types import AvroDecimal, Int64

SIZES = (256 * 1024, 512 * 1024, 768 * 1024, 1024 * 1024)
QUADRATIC_SIZES = (16 * 1024, 32 * 1024, 64 * 1024)  # fastavro's decimal: minutes at 1 MB
HEADER = b"\x00\x00\x00\x00\x01"
TARGET = "<= 1.5"  # linear: about 1 (below with a fixed cost per message); quadratic: about 4


def _schema(name: str, value_type: Any) -> str:
    fields = [{"name": "value", "type": value_type}]
    return json.dumps({"type": "record", "name": name, "namespace": "bench", "fields": fields})


class Text(AvroRecord):
    """A record of one string."""

    avro_name: ClassVar[str] = "bench.Text"
    avro_schema_json: ClassVar[str] = _schema("Text", "string")
    value: str


class Blob(AvroRecord):
    """A record of one bytes value."""

    avro_name: ClassVar[str] = "bench.Blob"
    avro_schema_json: ClassVar[str] = _schema("Blob", "bytes")
    value: bytes


class Amount(AvroRecord):
    """A record of one bytes decimal."""

    avro_name: ClassVar[str] = "bench.Amount"
    avro_schema_json: ClassVar[str] = _schema(
        "Amount", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 2}
    )
    value: Annotated[decimal.Decimal, AvroDecimal(38, 2)]


class Series(AvroRecord):
    """A record of one array of longs."""

    avro_name: ClassVar[str] = "bench.Series"
    avro_schema_json: ClassVar[str] = _schema("Series", {"type": "array", "items": "long"})
    value: list[Int64]


class Labels(AvroRecord):
    """A record of one map of longs."""

    avro_name: ClassVar[str] = "bench.Labels"
    avro_schema_json: ClassVar[str] = _schema("Labels", {"type": "map", "values": "long"})
    value: dict[str, Int64]


def _varint(n: int) -> bytes:
    """Avro's zig-zag varint of a count (``n`` >= 0)."""
    z = n << 1
    out = bytearray()
    while True:
        byte, z = z & 0x7F, z >> 7
        out.append(byte | 0x80 if z else byte)
        if not z:
            return bytes(out)


def _length_prefixed(size: int, fill: bytes) -> bytes:
    return _varint(size) + fill * size


def _array(size: int) -> bytes:
    return _varint(size) + b"\x02" * size + b"\x00"  # ``size`` longs of 1 byte each


def _map(size: int) -> bytes:
    count = size // 8  # an entry: key length, 6 key bytes, a 1-byte long
    entries = b"".join(b"\x0c" + f"{i:06x}".encode() + b"\x02" for i in range(count))
    return _varint(count) + entries + b"\x00"


CASES: dict[str, tuple[type[AvroRecord], Callable[[int], bytes]]] = {
    "string": (Text, lambda n: _length_prefixed(n, b"a")),
    "bytes": (Blob, lambda n: _length_prefixed(n, b"\x7f")),
    "bytes-decimal": (Amount, lambda n: _length_prefixed(n, b"\x7f")),
    "array<long>": (Series, _array),
    "map<long>": (Labels, _map),
}


def _ours(model: type[AvroRecord], value: bytes) -> None:
    with contextlib.suppress(CorruptPayload):  # the hostile decimal: refusing it is the work
        decode(value, model)


def _fastavro(parsed: Any, body: bytes) -> None:
    fastavro.schemaless_reader(io.BytesIO(body), parsed)


def _best(run: Callable[[], None], repeats: int) -> float:
    """Seconds per call: the fastest of ``repeats`` samples (the least disturbed by other
    processes), each sample looping long enough (0.2 s) that the clock's resolution and the
    per-call overhead do not bend the slope."""
    timer = timeit.Timer(run)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeats, number=number)) / number


def _slopes(times: list[float]) -> tuple[float, float]:
    """Milliseconds per KB at the smallest size and at the largest."""
    return times[0] / SIZES[0] * 1024 * 1000, times[-1] / SIZES[-1] * 1024 * 1000


def main() -> None:
    """Measure every type at every size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="samples per size (best kept)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats takes a positive number")
    print(
        f"sizes {', '.join(f'{s // 1024} KB' for s in SIZES)}; best of {args.repeats} samples; "
        f"Python {sys.version.split()[0]}, fastavro {fastavro.__version__}"
    )
    print(f"{'type':14} {'size':>8} {'ms':>9} {'fastavro ms':>12} {'ratio':>7}")
    verdicts = []
    at_largest: dict[str, tuple[float, float | None]] = {}
    for name, (model, body_of) in CASES.items():
        parsed = model.parsed_avro_schema()
        ours: list[float] = []
        for size in SIZES:
            body = body_of(size)
            framed = HEADER + body
            _ours(model, framed)  # plan once, outside the timing
            mine = _best(functools.partial(_ours, model, framed), args.repeats)
            ours.append(mine)
            base_text, ratio_text = "-", "-"
            if name != "bytes-decimal":
                base = _best(functools.partial(_fastavro, parsed, body), args.repeats)
                base_text, ratio_text = f"{base * 1000:.2f}", f"{mine / base:.2f}"
            row = f"{mine * 1000:9.2f} {base_text:>12} {ratio_text:>7}"
            print(f"{name:14} {size // 1024:>5} KB {row}")
        small, large = _slopes(ours)
        verdicts.append((name, small, large))
        at_largest[name] = (ours[-1], None if name == "bytes-decimal" else base)
    print()
    print(f"{'type':14} {'ms/KB small':>12} {'ms/KB large':>12} {'large/small':>12}")
    for name, small, large in verdicts:
        ratio = large / small if small > 0 else float("inf")
        print(f"{name:14} {small:12.5f} {large:12.5f} {ratio:12.2f}")
    print()
    print("linear: the large/small slope ratio near 1 (quadratic: about 4 for these sizes)")
    amount = Amount.parsed_avro_schema()
    seconds = []
    for size in QUADRATIC_SIZES:
        body = CASES["bytes-decimal"][1](size)
        start = time.perf_counter()
        with contextlib.suppress(decimal.Overflow):
            _fastavro(amount, body)
        seconds.append(time.perf_counter() - start)
    pairs = zip(QUADRATIC_SIZES, seconds, strict=True)
    shown = ", ".join(f"{size // 1024} KB {took * 1000:.0f} ms" for size, took in pairs)
    print(
        f"fastavro's own decimal reader, for comparison: {shown} "
        f"(x{seconds[1] / seconds[0]:.1f}, x{seconds[2] / seconds[1]:.1f} per doubling)"
    )
    print()
    for name, small, large in verdicts:
        mine, base = at_largest[name]
        if base is None:
            detail = (
                f"a 1 MB value refused in {mine * 1000:.2f} ms; fastavro's own decimal reader "
                f"for comparison: {shown}"
            )
        else:
            detail = f"1 MB in {mine * 1000:.2f} ms, {mine / base:.2f}x fastavro's time"
        record(
            f"decode-size-{name.replace('<', '-').rstrip('>')}",
            benchmark="bench_decode_size",
            figure=f"decode of one {name} value, time per KB at 1 MB over that at 256 KB "
            "(linear: about 1; quadratic: about 4)",
            value=large / small,
            unit="x the time per KB at 256 KB",
            target=TARGET,
            inputs={
                "type": name,
                "sizes": ", ".join(f"{size // 1024} KB" for size in SIZES),
                "samples": f"best of {args.repeats}",
            },
            detail=detail,
        )


if __name__ == "__main__":
    main()
