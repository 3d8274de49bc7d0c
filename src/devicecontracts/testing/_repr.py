"""Reprs that show how a strategy was built, as hypothesis' own strategies do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy

__all__ = ["ClassName", "shown_as"]


class ClassName:
    """Shows a class by its name in a strategy's repr."""

    def __init__(self, cls: type) -> None:
        self.name = cls.__qualname__

    def __repr__(self) -> str:
        return self.name


def shown_as(
    name: str, draw_value: Callable[[st.DrawFn], Any], *args: Any, **kwargs: Any
) -> SearchStrategy[Any]:
    """A strategy of ``draw_value(draw)`` whose repr is ``name(*args, **kwargs)``.

    The arguments only show how the strategy was built, hypothesis style; the composite costs
    one draw per value, the same as drawing any strategy.
    """

    def definition(draw: st.DrawFn, *_shown: Any, **_shown_kw: Any) -> Any:
        return draw_value(draw)

    definition.__name__ = definition.__qualname__ = name
    made: SearchStrategy[Any] = st.composite(definition)(*args, **kwargs)
    return made
