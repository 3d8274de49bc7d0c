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

__all__ = ["WIDTH", "chunks", "docstring", "raise_line", "string_literal", "wrap"]

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
