"""The cyclic garbage collector kept out of loops that only allocate, and always given back.

Loading a catalog, checking it and decoding a Lambda batch build many objects that all stay
alive until the call returns. CPython's cyclic collector runs every few hundred allocations and
traverses every tracked object of the younger generations, and from time to time all of them,
so its cost grows with what the call has already built: a linear loop becomes super-linear.
None of these objects form garbage cycles the call relies on collecting, so the collector is
paused while they are built.

`collector_paused` pauses it and restores exactly the state it found, on return and on any
exception. It nests (an inner pause leaves the collector paused for the outer one) and never
turns on a collector that the user's process turned off. The collector's state is per process:
a thread that allocates heavily while another pauses it only postpones collection until the
pause ends, which is what ``gc.disable()`` means for any library.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = ["call_paused", "collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then restore its previous state."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def call_paused(fn: Callable[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """``fn(*args, **kwargs)`` with the collector paused, as `collector_paused` does, for a
    call made often enough (a schema parse) that the context manager's microsecond counts."""
    if gc.isenabled():
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()
    return fn(*args, **kwargs)
