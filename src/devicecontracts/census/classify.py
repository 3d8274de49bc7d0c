"""What a record's value is, from its first bytes: Confluent-framed (magic byte 0 and a 4-byte
big-endian schema id), or one of the unframed kinds.

Pure and total: `classify` never raises, whatever the bytes.
"""

from __future__ import annotations

import json
from typing import Final

__all__ = ["FRAMED_MIN", "classify", "unframed_kind"]

FRAMED_MIN: Final = 5
"""The header's size: magic byte 0 and the schema id, 4 bytes big-endian."""

_JSON_START = frozenset(b"{[")
_WHITESPACE = b" \t\r\n"


def classify(value: bytes | None) -> int | str:
    """The schema id of a framed value, or the kind of an unframed one: ``tombstone`` (no
    value), ``empty`` (zero bytes), ``json`` (an object or array, after whitespace, that
    parses), ``other``."""
    if value is not None and len(value) >= FRAMED_MIN and value[0] == 0:
        return int.from_bytes(value[1:FRAMED_MIN], "big")
    return unframed_kind(value)


def unframed_kind(value: bytes | None) -> str:
    """The kind of a value that is not framed (see `classify`)."""
    if value is None:
        return "tombstone"
    if not value:
        return "empty"
    start = value.lstrip(_WHITESPACE)[:1]
    if start and start[0] in _JSON_START:
        try:
            json.loads(value)
        except (ValueError, RecursionError):
            return "other"
        return "json"
    return "other"
