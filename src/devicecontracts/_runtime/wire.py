"""Confluent's wire format: magic byte 0, the schema id as 4 big-endian bytes, the Avro body.

Only framing lives here; what the body means is the codec's business.
"""

from __future__ import annotations

import struct
from typing import Final

from devicecontracts.errors import BadMagicByte, TruncatedMessage

__all__ = ["HEADER_SIZE", "MAGIC_BYTE", "MAX_SCHEMA_ID", "header", "schema_id_of"]

MAGIC_BYTE: Final = 0
HEADER_SIZE: Final = 5
MAX_SCHEMA_ID: Final = 2**31 - 1
"""Schema Registry ids are positive Java ints."""

_HEADER = struct.Struct(">BI")
_headers: dict[int, bytes] = {}


def header(schema_id: int) -> bytes:
    """The 5-byte prefix for ``schema_id`` (built once per id: producers reuse a few ids)."""
    prefix = _headers.get(schema_id)
    if prefix is None:
        if not 0 <= schema_id <= MAX_SCHEMA_ID:
            raise ValueError(f"a schema id is 0 to {MAX_SCHEMA_ID}, not {schema_id}")
        prefix = _headers[schema_id] = _HEADER.pack(MAGIC_BYTE, schema_id)
    return prefix


def schema_id_of(data: bytes) -> int:
    """The schema id in the header of a framed value; the body starts at `HEADER_SIZE`."""
    if len(data) < HEADER_SIZE:
        if data and data[0] != MAGIC_BYTE:
            raise _bad_magic(data)
        raise TruncatedMessage(
            f"{len(data)} bytes: too short for Confluent's 5-byte header (magic byte 0 and a "
            "4-byte schema id); the value was cut off or was not written by a Schema Registry "
            "serializer"
        )
    if data[0] != MAGIC_BYTE:
        raise _bad_magic(data)
    schema_id: int = _HEADER.unpack_from(data)[1]
    return schema_id


def _bad_magic(data: bytes) -> BadMagicByte:
    first = data[0]
    guess = ""
    if first in b"{[":
        guess = " (it looks like JSON: was it produced without the Avro serializer?)"
    elif first == 1:
        guess = " (magic byte 1 is Confluent's GUID framing, which this reader does not support)"
    return BadMagicByte(
        f"first byte is 0x{first:02x}, not the magic byte 0x00 of Confluent's wire format{guess}"
    )
