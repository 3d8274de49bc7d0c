"""Line and column of a JSON path in JSON text, for findings that point into a file.

`Positions` walks one text for any number of paths and remembers what it has walked: where each
member of an object and each element of an array it scanned starts, and where it stopped. A
path reuses every container already scanned and scans on from where that container's scan
stopped, so a file costs one pass over the containers its findings point into, whatever the
number of findings (before, each finding walked the file from the start). Values a path does
not enter are skipped whole by the JSON decoder (in C). `locate` is the one-off form.

The walk is the same for every path, remembered or not: the same steps over the same text, so
the answers are those of a fresh walk, for text that is not plain JSON too (a comment, say,
stops only the paths whose walk meets it).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["Positions", "locate"]

_WS = re.compile(r"[ \t\n\r]*")
_SEPARATOR = re.compile(r"[ \t\n\r]*(?:,[ \t\n\r]*)?")
_separator = _SEPARATOR.match
# After a member's key: whitespace, one character (the colon, whatever it is, as the walk
# has always skipped it), whitespace; at the end of the text, nothing more. One match for
# what were two.
_colon = re.compile(r"[ \t\n\r]*.?[ \t\n\r]*", re.DOTALL).match
# raw_decode without its wrapper (which only turns StopIteration into JSONDecodeError).
_scan_once: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_SCANNING, _ENDED, _BROKEN = range(3)
_UNSEEN: Any = object()
_PAST_ANY_INDEX = sys.maxsize


class _Scan:
    """How far one object or array has been scanned: the offsets of its members (by key, the
    first of duplicate keys) or elements seen so far, and where to go on."""

    __slots__ = ("at", "kids", "pending", "state")

    def __init__(self, kids: dict[str, int] | list[int], at: int) -> None:
        self.kids = kids
        self.at = at
        self.pending = False  # the value at ``at`` is recorded but not yet skipped
        self.state = _SCANNING


class Positions:
    """Where values of one JSON text start, found by walking it and remembered for the run."""

    __slots__ = ("_line_at", "_paths", "_scans", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._scans: dict[int, _Scan] = {}
        # Per path (and every prefix of one asked for): the offset reached, and whether the
        # walk reached the path's end (False: it stopped at a shallower value); None when
        # the walk met text it cannot read.
        self._paths: dict[str, tuple[int, bool] | None] = {"": (_skip(text, 0), True)}
        self._line_at = (0, 1)  # an offset and its line, where counting lines goes on

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """1-based (line, column) where the value at JSON path ``pointer`` starts, if it exists.

        A path that goes past the document stops at the deepest existing value.
        """
        reached = self._paths.get(pointer, _UNSEEN)
        if reached is _UNSEEN:
            if pointer[:1] != "/":  # what comes before the first slash is no token
                pointer = pointer[pointer.find("/") :] if "/" in pointer else ""
            reached = self._walk(pointer)
        if reached is None:
            return None
        return self.line_column(reached[0])

    def elements(self, pointer: str) -> list[int] | None:
        """Where every element of the array at JSON path ``pointer`` starts, in order: element
        ``k`` is what `locate` finds for ``pointer + "/k"`` (give each to `line_column`).

        None when ``pointer`` does not start with a slash, does not reach an array, or the
        array cannot be read to its end: ask `locate` then. One scan of the array answers for
        all its elements (lint locates every field of a record)."""
        if pointer[:1] != "/":
            return None
        reached = self._paths.get(pointer, _UNSEEN)
        if reached is _UNSEEN:
            reached = self._walk(pointer)
        if reached is None or not reached[1]:
            return None
        start = reached[0]
        if self._text[start : start + 1] != "[":
            return None
        try:
            self._element(start, _PAST_ANY_INDEX)  # scans the array to its end
        except (ValueError, IndexError):
            return None
        kids = self._scans[start].kids
        assert isinstance(kids, list)
        return kids

    def line_column(self, i: int) -> tuple[int, int]:
        """1-based (line, column) of offset ``i`` of the text."""
        text = self._text
        at, line = self._line_at
        if i < at:
            at, line = 0, 1
        line += text.count("\n", at, i)
        self._line_at = (i, line)
        return line, i - (text.rfind("\n", 0, i) + 1) + 1

    def _walk(self, pointer: str) -> tuple[int, bool] | None:
        """The path's step from its parent's (``/a/b`` from ``/a``), both remembered."""
        paths = self._paths
        if pointer in paths:
            return paths[pointer]
        parent, _, token = pointer.rpartition("/")
        reached = paths[parent] if parent in paths else self._walk(parent)
        if reached is not None and reached[1] and token:
            if "~" in token:
                token = token.replace("~1", "/").replace("~0", "~")
            i = reached[0]
            try:
                char = self._text[i]
                if char == "{":
                    found = self._member(i, token)
                elif char == "[" and token.isdigit():
                    found = self._element(i, int(token))
                else:
                    found = None
            except (ValueError, IndexError):
                reached = None
            else:
                reached = (i, False) if found is None else (found, True)
        self._paths[pointer] = reached
        return reached

    def _scan(self, start: int, kids: dict[str, int] | list[int]) -> _Scan:
        scan = self._scans[start] = _Scan(kids, _skip(self._text, start + 1))
        return scan

    def _member(self, start: int, key: str) -> int | None:
        """Where the value of ``key`` in the object at ``start`` starts; None if it has none.
        Raises ValueError (or IndexError) where the walk meets text it cannot read."""
        scan = self._scans.get(start) or self._scan(start, {})
        kids = scan.kids
        assert isinstance(kids, dict)
        found = kids.get(key)
        if found is not None or scan.state == _ENDED:
            return found
        if scan.state == _BROKEN:
            raise ValueError("unreadable JSON")
        text = self._text
        i = scan.at
        try:
            if scan.pending:
                i = _separator(text, _scan_once(text, i)[1]).end()  # type: ignore[union-attr]
                scan.pending = False
            while text[i] != "}":
                name, i = _scan_once(text, i)
                i = _colon(text, i).end()  # type: ignore[union-attr]  # it matches "" at least
                if type(name) is str:
                    kids.setdefault(name, i)
                if name == key:
                    scan.at, scan.pending = i, True
                    return i
                i = _separator(text, _scan_once(text, i)[1]).end()  # type: ignore[union-attr]
        except (StopIteration, ValueError, IndexError):
            scan.state = _BROKEN
            raise ValueError("unreadable JSON") from None
        scan.state = _ENDED
        return None

    def _element(self, start: int, index: int) -> int | None:
        """Where element ``index`` of the array at ``start`` starts; None past its end.
        Raises ValueError (or IndexError) where the walk meets text it cannot read."""
        # The hot path of locating (each field of a record in turn): kept to few steps.
        scan = self._scans.get(start)
        if scan is None:
            scan = self._scan(start, [])
        kids: list[int] = scan.kids  # type: ignore[assignment]  # an array's scan
        if index < len(kids):
            return kids[index]
        state = scan.state
        if state != _SCANNING:
            if state == _ENDED:
                return None
            raise ValueError("unreadable JSON")
        text = self._text
        i = scan.at
        try:
            if scan.pending:
                i = _separator(text, _scan_once(text, i)[1]).end()  # type: ignore[union-attr]
                scan.pending = False
            while text[i] != "]":
                kids.append(i)
                if len(kids) > index:
                    scan.at = i
                    scan.pending = True
                    return i
                i = _separator(text, _scan_once(text, i)[1]).end()  # type: ignore[union-attr]
        except (StopIteration, ValueError, IndexError):
            scan.state = _BROKEN
            raise ValueError("unreadable JSON") from None
        scan.state = _ENDED
        return None


def locate(text: str, pointer: str) -> tuple[int, int] | None:
    """1-based (line, column) where the value at JSON path ``pointer`` starts, if it exists.

    A path that goes past the document stops at the deepest existing value. For several paths
    into one text, make one `Positions` and ask it.
    """
    return Positions(text).locate(pointer)


def _skip(text: str, i: int) -> int:
    return _WS.match(text, i).end()  # type: ignore[union-attr]  # it matches "" at least
