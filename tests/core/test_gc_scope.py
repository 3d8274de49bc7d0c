"""`collector_paused`: the collector is paused inside, and its own state comes back after."""

from __future__ import annotations

import gc

import pytest

from devicecontracts._gc import call_paused, collector_paused


def test_paused_inside_and_restored_after(collector: bool) -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() is collector


def test_restored_after_an_exception(collector: bool) -> None:
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("boom")
    assert gc.isenabled() is collector


def test_call_paused_pauses_the_call_and_restores_after(collector: bool) -> None:
    """`call_paused`, the function form schema parsing uses: the same as `collector_paused`."""

    def inside(a: int, *, b: int) -> tuple[bool, int]:
        return gc.isenabled(), a + b

    assert call_paused(inside, 1, b=2) == (False, 3)
    assert gc.isenabled() is collector

    def boom() -> None:
        assert not gc.isenabled()
        raise KeyError("boom")

    with pytest.raises(KeyError):
        call_paused(boom)
    assert gc.isenabled() is collector
