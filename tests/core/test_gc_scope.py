"""`collector_paused`: the collector is paused inside, and its own state comes back after."""

from __future__ import annotations

import gc

import pytest

from devicecontracts._gc import collector_paused


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
