"""The import block of a generated module, laid out as isort (ruff's ``I`` rules) lays it out.

Only ``from module import name`` statements occur. Sections: standard library, third party,
first party (the generated package's top-level package), a blank line between them; modules in
natural case-insensitive order; names constants first, then classes, then the rest; a statement
longer than the line wraps into one name per line. An aliased name keeps its own statement, as
isort does without ``combine-as-imports``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence

__all__ = ["import_block"]

WIDTH = 100
_DIGITS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in _DIGITS.split(text.lower()))


def _section(module: str, first_party: str) -> int:
    root = module.split(".", maxsplit=1)[0]
    if root == first_party:
        return 2
    return 0 if root in sys.stdlib_module_names else 1


def _name_key(member: str) -> tuple[object, ...]:
    name = member.split(" as ", maxsplit=1)[0]
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return (kind, _natural(name), name, member)


def _statement(module: str, names: Sequence[str]) -> list[str]:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= WIDTH:
        return [line]
    return [f"from {module} import (", *[f"    {name}," for name in names], ")"]


def import_block(by_module: Mapping[str, Sequence[str]], first_party: str) -> list[str]:
    """The lines of the imports of ``by_module`` (module -> names, ``"a as b"`` for aliases)."""
    sections: dict[int, list[tuple[tuple[object, ...], list[str]]]] = {}
    for module, names in by_module.items():
        plain = sorted({n for n in names if " as " not in n}, key=_name_key)
        aliased = sorted({n for n in names if " as " in n}, key=_name_key)
        statements = ([plain] if plain else []) + [[a] for a in aliased]
        for position, group in enumerate(statements):
            key = (_natural(module), module, position)
            sections.setdefault(_section(module, first_party), []).append((key, group))
    lines: list[str] = []
    for section in sorted(sections):
        if lines:
            lines.append("")
        for (_, name, _), group in sorted(sections[section], key=lambda item: item[0]):
            lines += _statement(str(name), group)
    return lines
