"""Python source text: string literals and docstrings that fit ruff's line length.

ruff formats the generated code but never splits a string, so long docs, descriptions and
schema JSON are split here: into implicitly concatenated literals at word boundaries (the value
stays exactly the doc) or wrapped docstring lines (only whitespace changes).
"""

from __future__ import annotations

import json
import textwrap
import unicodedata
from collections.abc import Callable
from typing import Any

__all__ = ["WIDTH", "chunks", "docstring", "json_chunks", "raise_line", "string_literal", "wrap"]

WIDTH = 100


def raise_line(first: str, rest: str) -> str:
    """A ``raise ValueError(...)`` line: ``first`` a literal, ``rest`` text split to fit."""
    parts = [first, *chunks(rest, WIDTH - 12)]
    return "    raise ValueError(\n" + "".join(f"        {p}\n" for p in parts) + "    )"


def _escape_doc(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return "".join(c if c.isprintable() or c == "\n" else f"\\x{ord(c):02x}" for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Docstring lines of at most ``width`` characters, escaped for a docstring."""
    lines: list[str] = []
    for paragraph in _escape_doc(text.strip()).split("\n"):
        lines += textwrap.wrap(paragraph, width) or [""]
    return lines


def docstring(doc: str | None, what: str, indent: int) -> list[str]:
    """The lines of a docstring: the schema's ``doc`` (if any), then ``what`` the object is."""
    pad = " " * indent
    width = WIDTH - indent - 3  # the first line starts with the quotes
    body = ([*wrap(doc, width), ""] if doc else []) + wrap(what, width)
    if len(body) == 1 and len(pad) + len(body[0]) + 6 <= WIDTH:
        text = body[0]
        return [f'{pad}"""{text}{" " if text.endswith(chr(34)) else ""}"""']
    lines = [f'{pad}"""{body[0]}'] + [f"{pad}{line}" if line else "" for line in body[1:]]
    return [*lines, f'{pad}"""']


def string_literal(text: str, width: int) -> str:
    """A string literal, split into parenthesised parts at spaces when longer than ``width``."""
    literal = json.dumps(text, ensure_ascii=False)
    if _width(literal) <= width:
        return literal
    parts = chunks(text, width - 4, words=True)
    return "(\n            " + "\n            ".join(parts) + "\n        )"


def chunks(
    text: str, width: int, words: bool = False, literal: Callable[[str], str] | None = None
) -> list[str]:
    """``text`` as string literals of at most about ``width`` characters each."""
    quote = literal or (lambda part: json.dumps(part, ensure_ascii=False))
    pieces = _word_pieces(text) if words else list(text)
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = current + piece
        if current and _width(quote(candidate)) > width:
            out.append(quote(current))
            current = piece
        else:
            current = candidate
    if current or not out:
        out.append(quote(current))
    return out


def json_chunks(value: Any, width: int) -> list[str]:
    """Compact JSON of ``value`` as string literals of at most ``width`` columns, split between
    JSON tokens (inside a string only after a space), never inside a word.

    Each element of a ``"fields"`` list starts a new literal, so editing one field of a schema
    changes only that field's lines: later lines do not reflow. A single word wider than
    ``width`` is the only thing ever cut.
    """
    pieces = _json_pieces(value)
    text = "".join(piece for piece, _ in pieces)
    assert text == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    lines: list[str] = []
    current = ""
    for piece, forced in pieces:
        if current and (forced or _width(repr(current + piece)) > width):
            lines.append(current)
            current = ""
        current += piece
        while _width(repr(current)) > width and len(current) > 1:
            cut = _longest_fitting(current, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current or not lines:
        lines.append(current)
    return [repr(line) for line in lines]


def _longest_fitting(text: str, width: int) -> int:
    """The length of the longest prefix of ``text`` whose literal fits ``width`` (at least 1)."""
    cut = 1
    while cut < len(text) and _width(repr(text[: cut + 1])) <= width:
        cut += 1
    return cut


def _json_pieces(value: Any) -> list[tuple[str, bool]]:
    """Compact JSON as (piece, must start a line) pairs; a line may break before any piece.

    A piece is a key with what opens its value (``"type":{``), a scalar or one word of a string,
    and the punctuation closing it (``},``): so no line starts with a comma or a bracket.
    """
    # tokens: text, glued to the previous token, glued to the next, starts a line
    tokens: list[tuple[str, bool, bool, bool]] = []

    def emit(v: Any, starts_line: bool = False, fields: bool = False) -> None:
        if isinstance(v, dict):
            tokens.append(("{", False, True, starts_line))
            for i, (key, item) in enumerate(v.items()):
                if i:
                    tokens.append((",", True, False, False))
                tokens.append((_dumps(key) + ":", False, True, False))
                emit(item, fields=key == "fields" and isinstance(item, list))
            tokens.append(("}", True, False, False))
        elif isinstance(v, list):
            # A fields list ends its line, so that every field starts one.
            tokens.append(("[", fields, not fields, starts_line))
            for i, item in enumerate(v):
                if i:
                    tokens.append((",", True, False, False))
                emit(item, starts_line=fields)
            tokens.append(("]", True, False, False))
        elif isinstance(v, str):
            words = _word_pieces(_dumps(v))
            tokens.append((words[0], False, False, starts_line))
            tokens.extend((word, False, False, False) for word in words[1:])
        else:
            tokens.append((_dumps(v), False, False, starts_line))

    emit(value)
    pieces: list[tuple[str, bool]] = []
    glue_next = False
    for text, glue_prev, glues_next, starts_line in tokens:
        if pieces and (glue_prev or glue_next) and not starts_line:
            pieces[-1] = (pieces[-1][0] + text, pieces[-1][1])
        else:
            pieces.append((text, starts_line))
        glue_next = glues_next
    return pieces


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _width(text: str) -> int:
    """Columns ``text`` takes, as ruff counts them: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _word_pieces(text: str) -> list[str]:
    pieces: list[str] = []
    word = ""
    for char in text:
        word += char
        if char == " ":
            pieces.append(word)
            word = ""
    if word:
        pieces.append(word)
    return pieces
