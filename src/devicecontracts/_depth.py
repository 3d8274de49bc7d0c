"""Deep input without tracebacks: the JSON nesting limit and headroom for recursive walkers.

Two ideas, used by every reader and walker of schemas (parser, canonical form, compatibility,
diff, codegen, check, the lock reader):

* `MAX_JSON_DEPTH`: Avro Java reads schema JSON with Jackson, whose ``StreamReadConstraints``
  (2.15+) allow at most 1,000 nesting levels (``DEFAULT_MAX_DEPTH``): a document 1,001 arrays
  or objects deep fails with "Document nesting depth (1001) exceeds the maximum allowed (1000)".
  `json_too_deep_at` and `json_value_depth` measure depth without recursion, so callers reject
  deeper input *before* anything recursive sees it.
* `with_headroom`: within that limit the walkers recurse (a record 300 deep is ~1,000 frames),
  which can exceed Python's default recursion limit. Rather than rewrite every walker, a call
  first runs as is (no cost on ordinary schemas); only if it hits `RecursionError` is it rerun,
  from the start, in a worker thread with a large stack and a raised recursion limit. The
  walkers are pure, so a rerun gives the same answer. The limit is raised only while a worker
  runs and restored afterwards; nothing changes at import time.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from typing import Final, TypeVar

__all__ = ["MAX_JSON_DEPTH", "json_too_deep_at", "json_value_depth", "with_headroom"]

MAX_JSON_DEPTH: Final = 1000
"""Jackson's default maximum nesting depth, which Avro Java's schema parser inherits."""

_T = TypeVar("_T")

# Strings are skipped whole (a bracket inside one does not nest); brackets are counted.
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)

# Enough for 1,000 JSON levels through every walker (each level costs a few frames), with a wide
# margin; the stack is sized so that many frames fit (pages are only used when touched).
_DEEP_RECURSION_LIMIT: Final = 60_000
_DEEP_STACK_BYTES: Final = 512 * 1024 * 1024
_state = threading.local()
_limit_lock = threading.Lock()


def json_too_deep_at(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """The offset in JSON ``text`` of the first ``[`` or ``{`` nested deeper than ``limit``
    (depth counted as Jackson does: ``[[1]]`` is 2), or -1 when the text stays within it.

    Comments must already be blanked. Cheap for ordinary text: with no more opening brackets
    than the limit, nothing can nest beyond it, so the scan is skipped.
    """
    if text.count("[") + text.count("{") <= limit:
        return -1
    depth = 0
    for m in _BRACKETS.finditer(text):
        c = m[0]
        if c in "[{":
            depth += 1
            if depth > limit:
                return m.start()
        elif c in "]}":
            depth -= 1
    return -1


def json_value_depth(value: object, limit: int = MAX_JSON_DEPTH) -> int:
    """The nesting depth of parsed JSON (lists and dicts), without recursion, capped at
    ``limit + 1``."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: list[object] = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            continue
        depth += 1
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


def with_headroom(fn: Callable[[], _T], before_rerun: Callable[[], None] | None = None) -> _T:
    """``fn()``, rerun with a deep stack if it runs out of recursion depth.

    ``before_rerun`` runs (iteratively, in the calling thread) before a rerun: the place to
    reject input deeper than any headroom, by raising. Inside a rerun, nested calls run
    directly (they already have the headroom). A
    `RecursionError` even with the headroom propagates (callers bound depth first, so it does
    not happen for input within `MAX_JSON_DEPTH`).
    """
    if getattr(_state, "deep", False):
        return fn()
    try:
        return fn()
    except RecursionError:
        pass
    if before_rerun is not None:
        before_rerun()
    return _run_deep(fn)


def _run_deep(fn: Callable[[], _T]) -> _T:
    result: list[_T] = []
    error: list[BaseException] = []

    def target() -> None:
        _state.deep = True
        try:
            result.append(fn())
        except BaseException as exc:
            error.append(exc)

    # One deep run at a time: the recursion limit is per interpreter, so it is raised for the
    # run and restored after, never left raised for other threads.
    with _limit_lock:
        old_limit = sys.getrecursionlimit()
        old_stack = threading.stack_size()
        worker = threading.Thread(target=target, name="devicecontracts-deep", daemon=True)
        sys.setrecursionlimit(max(old_limit, _DEEP_RECURSION_LIMIT))
        try:
            # The stack size applies to threads started while it is set: this one only.
            threading.stack_size(_DEEP_STACK_BYTES)
            try:
                worker.start()
            finally:
                threading.stack_size(old_stack)
            worker.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if error:
        raise error[0]
    return result[0]
