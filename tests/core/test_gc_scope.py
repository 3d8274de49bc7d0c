"""`collector_paused`: the collector is paused inside, and its own state comes back after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from devicecontracts._gc import collector_paused


@pytest.fixture
def restore_gc() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("initially", [True, False])
def test_paused_inside_and_restored_after(restore_gc: None, initially: bool) -> None:
    (gc.enable if initially else gc.disable)()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() is initially


@pytest.mark.parametrize("initially", [True, False])
def test_restored_after_an_exception(restore_gc: None, initially: bool) -> None:
    (gc.enable if initially else gc.disable)()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("boom")
    assert gc.isenabled() is initially
