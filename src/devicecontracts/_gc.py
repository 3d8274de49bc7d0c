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
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


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
