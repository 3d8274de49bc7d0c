"""JSON data as block-style YAML, deterministic and without PyYAML.

The exports (AsyncAPI as YAML, Backstage's ``catalog-info.yaml``) are JSON data: mappings with
string keys, lists, strings, numbers, booleans and null. This writes exactly those, so that
YAML 1.1 readers (PyYAML) and YAML 1.2 readers read back the same data:

- a string is written plain only when it starts with a letter or ``_``, holds only letters,
  digits and ``_ . / -``, and is no word a YAML reader takes for a boolean or null (``yes``,
  ``off``, ``null``...); every other string is double-quoted, with ``"``, ``\\``, control
  characters, line separators and anything YAML does not allow raw escaped;
- a float always carries a ``.`` and a signed exponent where it has one (``1.0e-05``): PyYAML
  reads ``1e-05`` as a string; NaN and infinities as ``.nan``, ``.inf``, ``-.inf``;
- an empty mapping or list is ``{}`` or ``[]``; a key longer than YAML's 1,024-character limit
  for implicit keys is written as an explicit ``? key``.

Keys keep their order; the same data gives the same bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["yaml_documents", "yaml_text"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*\Z")
_RESERVED = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
"""Words YAML 1.1 or 1.2 reads as booleans or null, in any case."""
_UNSAFE = re.compile(
    r"[^\x20-\x21\x23-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
    r"\U00010000-\U0010ffff]"
)
"""Characters a double-quoted scalar cannot hold raw: ``"`` and ``\\``, controls (C0, DEL, C1),
line and paragraph separators, the byte order mark, surrogates, U+FFFE and U+FFFF."""
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\0": "\\0",
    "\b": "\\b",
    "\f": "\\f",
}
_KEY_LIMIT = 1000
"""Longer keys are written as explicit keys: YAML limits implicit ones to 1,024 characters."""


def yaml_text(value: Any) -> str:
    """``value`` (JSON data) as one YAML document, ending with a newline."""
    out: list[str] = []
    _node(value, 0, out)
    return "\n".join(out) + "\n"


def yaml_documents(values: Iterable[Any]) -> str:
    """Several YAML documents in one stream, separated by ``---`` lines."""
    return "---\n".join(yaml_text(v) for v in values)


def _node(value: Any, indent: int, out: list[str]) -> None:
    if isinstance(value, Mapping) and value:
        _mapping(value, indent, out)
    elif isinstance(value, Sequence) and not isinstance(value, str) and value:
        _sequence(value, indent, out)
    else:
        out.append(" " * indent + _scalar(value))


def _is_block(value: Any) -> bool:
    if isinstance(value, Mapping):
        return bool(value)
    return isinstance(value, Sequence) and not isinstance(value, str) and bool(value)


def _mapping(value: Mapping[Any, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"YAML keys here are strings, not {type(key).__name__}")
        text = _string(key)
        if len(text) > _KEY_LIMIT:
            out.append(f"{pad}? {text}")
            head = f"{pad}:"
        else:
            head = f"{pad}{text}:"
        if _is_block(item):
            out.append(head)
            _node(item, indent + 2, out)
        else:
            out.append(f"{head} {_scalar(item)}")


def _sequence(value: Sequence[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in value:
        if _is_block(item):
            inner: list[str] = []
            _node(item, indent + 2, inner)
            out.append(f"{pad}- {inner[0][indent + 2 :]}")
            out.extend(inner[1:])
        else:
            out.append(f"{pad}- {_scalar(item)}")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, Sequence):
        return "[]"
    raise TypeError(f"not JSON data: {type(value).__name__}")


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    if e and exponent[0] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}{e}{exponent}"


def _string(value: str) -> str:
    if _PLAIN.match(value) and value.lower() not in _RESERVED:
        return value
    return '"' + _UNSAFE.sub(_escape, value) + '"'


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
