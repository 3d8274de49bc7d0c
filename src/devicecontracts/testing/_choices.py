"""Leaf draws made straight from hypothesis' choice methods, the same choices and spans as
drawing the leaf strategy, without ``ConjectureData.draw``'s work around each one.

Drawing a leaf strategy (``draw(st.integers(a, b))``) makes one choice, but goes through
``ConjectureData.draw`` first: validation, unwrapping, the span and its recorded value, depth
and observability checks. For a schema of mostly leaves that is a good part of the time of a
test case. `leaf_drawer` makes, for the exact leaf strategies the compiler uses (bounded
integers, floats, text of one-character strategies, binary, booleans), a drawer that opens the
same span (same label), makes the call the strategy's ``do_draw`` makes (same constraints,
including the integer edge weights) and closes the span: the choice sequence and the span tree
are those of ``draw(strategy)``, so seeds, mutation, shrinking and the database see no
difference.

This reads hypothesis internals, so it is checked, not assumed: the first time a drawer is
made, each kind is drawn both ways from a few seeds and compared (values, choices, spans); if
anything differs or is missing in this hypothesis release, every leaf is drawn with
``draw(strategy)`` as before. A drawer handed a ``draw`` that is not a `ConjectureData`'s own
falls back to ``draw(strategy)`` too.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from random import Random
from typing import Any

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy

__all__ = ["fast_draws_available", "leaf_chooser", "leaf_drawer"]

Chooser = Callable[[Any], Any]
"""Makes a leaf's one choice on a ``ConjectureData`` (inside the span the caller opened)."""


def leaf_chooser(strategy: SearchStrategy[Any]) -> tuple[int, Chooser] | None:
    """``(span label, chooser)`` doing what ``strategy.do_draw`` does, or None if not a leaf."""
    internals = _internals()
    if internals is None:
        return None
    return _chooser(strategy, internals)


def leaf_drawer(strategy: SearchStrategy[Any], convert: Callable[[Any], Any] | None = None) -> Any:
    """A ``draw -> value`` function: ``convert(draw(strategy))``, the leaf drawn directly.

    None when ``strategy`` is not a leaf drawn this way (or the check failed): draw it.
    """
    if not fast_draws_available():
        return None
    found = leaf_chooser(strategy)
    if found is None:
        return None
    label, choose = found
    internals = _internals()
    assert internals is not None
    data_draw = internals["draw"]
    if convert is None:

        def draw_leaf(draw: st.DrawFn) -> Any:
            if getattr(draw, "__func__", None) is not data_draw:
                return draw(strategy)
            data: Any = draw.__self__  # type: ignore[attr-defined]
            data.start_span(label)
            try:
                return choose(data)
            finally:
                data.stop_span()

        return draw_leaf

    def draw_converted(draw: st.DrawFn) -> Any:
        if getattr(draw, "__func__", None) is not data_draw:
            return convert(draw(strategy))
        data: Any = draw.__self__  # type: ignore[attr-defined]
        data.start_span(label)
        try:
            return convert(choose(data))
        finally:
            data.stop_span()

    return draw_converted


@functools.cache
def _internals() -> dict[str, Any] | None:
    try:
        from hypothesis.internal.conjecture.data import ConjectureData
        from hypothesis.internal.conjecture.providers import COLLECTION_DEFAULT_MAX_SIZE
        from hypothesis.strategies._internal.lazy import unwrap_strategies
        from hypothesis.strategies._internal.misc import BooleansStrategy
        from hypothesis.strategies._internal.numbers import FloatStrategy, IntegersStrategy
        from hypothesis.strategies._internal.strings import (
            BytesStrategy,
            OneCharStringStrategy,
            TextStrategy,
        )
    except ImportError:  # another layout in this hypothesis release
        return None
    return {
        "data": ConjectureData,
        "draw": ConjectureData.draw,
        "max_size": COLLECTION_DEFAULT_MAX_SIZE,
        "unwrap": unwrap_strategies,
        "booleans": BooleansStrategy,
        "floats": FloatStrategy,
        "integers": IntegersStrategy,
        "bytes": BytesStrategy,
        "char": OneCharStringStrategy,
        "text": TextStrategy,
    }


def _chooser(strategy: SearchStrategy[Any], h: dict[str, Any]) -> tuple[int, Chooser] | None:
    try:
        unwrapped = h["unwrap"](strategy)
        kind = type(unwrapped)
        label = unwrapped.label
        choose: Chooser
        if kind is h["integers"]:
            lo, hi = unwrapped.start, unwrapped.end
            if lo is None or hi is None:
                return None
            weights = None
            if hi - lo > 127:  # as IntegersStrategy.do_draw: bounds and near-bounds likelier
                weights = {lo: 2 / 128, lo + 1: 1 / 128, hi - 1: 1 / 128, hi: 2 / 128}
            choose = functools.partial(_integer, lo, hi, weights)
        elif kind is h["floats"]:
            choose = functools.partial(
                _float,
                unwrapped.min_value,
                unwrapped.max_value,
                unwrapped.allow_nan,
                unwrapped.smallest_nonzero_magnitude,
            )
        elif kind is h["text"]:
            chars = h["unwrap"](unwrapped.element_strategy)
            if type(chars) is not h["char"]:
                return None
            size = unwrapped.max_size
            top = h["max_size"] if size == math.inf else size
            choose = functools.partial(_string, chars.intervals, unwrapped.min_size, top)
        elif kind is h["bytes"]:
            choose = functools.partial(_bytes, unwrapped.min_size, unwrapped.max_size)
        elif kind is h["booleans"]:
            choose = _boolean
        else:
            return None
    except (AttributeError, TypeError):  # another shape in this hypothesis release
        return None
    return label, choose


def _integer(lo: int, hi: int, weights: dict[int, float] | None, data: Any) -> Any:
    return data.draw_integer(lo, hi, weights=weights)


def _float(lo: float, hi: float, nan: bool, smallest: float, data: Any) -> Any:
    return data.draw_float(lo, hi, allow_nan=nan, smallest_nonzero_magnitude=smallest)


def _string(intervals: Any, min_size: int, max_size: int, data: Any) -> Any:
    return data.draw_string(intervals, min_size=min_size, max_size=max_size)


def _bytes(min_size: int, max_size: int, data: Any) -> Any:
    return data.draw_bytes(min_size, max_size)


def _boolean(data: Any) -> Any:
    return data.draw_boolean()


def _probes() -> tuple[SearchStrategy[Any], ...]:
    # The kinds of leaf strategy the compiler uses, drawn both ways by the check.
    return (
        st.integers(-(2**63), 2**63 - 1),
        st.integers(0, 3),
        st.floats(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(st.characters(exclude_categories=["Cs"])),
        st.binary(),
        st.binary(min_size=4, max_size=4),
        st.booleans(),
    )


@functools.cache
def fast_draws_available() -> bool:
    """Whether leaves are drawn directly: the check against ``draw(strategy)`` passed."""
    internals = _internals()
    if internals is None:
        return False
    try:
        for strategy in _probes():
            found = _chooser(strategy, internals)
            if found is None:
                return False
            for seed in range(8):
                if _trace(internals, seed, strategy, None) != _trace(
                    internals, seed, strategy, found
                ):
                    return False
    except Exception:  # any surprise in the internals means: do not use them
        return False
    return True


def _trace(
    h: dict[str, Any], seed: int, strategy: SearchStrategy[Any], found: tuple[int, Chooser] | None
) -> tuple[str, tuple[Any, ...], tuple[tuple[int, int, int], ...]]:
    data = h["data"](random=Random(seed))
    if found is None:
        value = data.draw(strategy)
    else:
        label, choose = found
        data.start_span(label)
        value = choose(data)
        data.stop_span()
    data.freeze()
    spans = tuple((s.label, s.start, s.end) for s in data.spans)
    return repr(value), tuple(repr(c) for c in data.choices), spans
