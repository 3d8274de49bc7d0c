"""Line and column of a JSON path in JSON text, for findings that point into a file.

Only run for the few schemas that have findings, so the fast path (``json.loads``) stays fast.
"""

from __future__ import annotations

import json
import re

__all__ = ["locate"]

_WS = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()


def locate(text: str, pointer: str) -> tuple[int, int] | None:
    """1-based (line, column) where the value at JSON path ``pointer`` starts, if it exists.

    A path that goes past the document stops at the deepest existing value.
    """
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:] if t]
    try:
        offset = _find(text, _skip(text, 0), tokens)
    except (ValueError, IndexError):
        return None
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _skip(text: str, i: int) -> int:
    m = _WS.match(text, i)
    return m.end() if m else i


def _find(text: str, i: int, tokens: list[str]) -> int:
    """Offset of the value reached by ``tokens`` from the value starting at ``i``."""
    for token in tokens:
        char = text[i]
        if char == "{":
            found = _member(text, i, token)
        elif char == "[" and token.isdigit():
            found = _element(text, i, int(token))
        else:
            found = None
        if found is None:
            return i
        i = found
    return i


def _member(text: str, i: int, key: str) -> int | None:
    i = _skip(text, i + 1)
    while text[i] != "}":
        name, i = _decoder.raw_decode(text, i)
        i = _skip(text, i)
        i = _skip(text, i + 1)  # the colon
        if name == key:
            return i
        _, i = _decoder.raw_decode(text, i)
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return None


def _element(text: str, i: int, index: int) -> int | None:
    i = _skip(text, i + 1)
    n = 0
    while text[i] != "]":
        if n == index:
            return i
        _, i = _decoder.raw_decode(text, i)
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)
        n += 1
    return None
