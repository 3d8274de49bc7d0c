"""Leaves drawn straight from hypothesis' choice methods make the choices ``draw(leaf)`` makes."""

from __future__ import annotations

from collections.abc import Iterator
from random import Random
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.control import BuildContext
from hypothesis.internal.conjecture.data import ConjectureData

from devicecontracts.catalog import load_catalog
from devicecontracts.schema import Schema
from devicecontracts.testing import _choices, from_avro_schema

from ..support.schemas import BUNDLED, torture_schema

SEEDS = range(40)


def _telemetry() -> Schema:
    schema = load_catalog(BUNDLED).by_subject("telemetry").versions[-1].schema
    assert schema is not None
    return schema


def _trace(strategy: st.SearchStrategy[Any], seed: int) -> tuple[Any, ...]:
    """The value, the choices and the span tree of one draw from ``seed``."""
    data = ConjectureData(random=Random(seed))

    def test() -> None:
        return None

    with BuildContext(data, is_final=False, wrapped_test=test):
        value = data.draw(strategy)
    data.freeze()
    spans = tuple((s.label, s.start, s.end) for s in data.spans)
    return repr(value), tuple(repr(c) for c in data.choices), spans


@pytest.fixture
def slow_draws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Strategies built inside are compiled to draw every leaf with ``draw(strategy)``."""
    monkeypatch.setattr(_choices, "fast_draws_available", lambda: False)
    yield


def test_the_check_passes_with_the_installed_hypothesis() -> None:
    """The fast path is on: if a hypothesis release breaks it, this says so (values still flow)."""
    assert _choices.fast_draws_available()


@pytest.mark.parametrize("schema", [torture_schema, _telemetry], ids=["torture", "telemetry"])
def test_same_values_choices_and_spans_as_drawing_each_leaf(
    schema: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of leaf, logical type, union and collection: nothing but the speed changes."""
    parsed = schema()
    fast = from_avro_schema(parsed)
    monkeypatch.setattr(_choices, "fast_draws_available", lambda: False)
    slow = from_avro_schema(parsed)
    for seed in SEEDS:
        assert _trace(fast, seed) == _trace(slow, seed), seed


def test_a_draw_function_not_a_conjecture_datas_own_is_used_as_is() -> None:
    """A drawer called with some other ``draw`` hands it the leaf strategy, as before."""
    leaf = st.integers(0, 1000)
    drawer = _choices.leaf_drawer(leaf, str)
    assert drawer is not None
    seen: list[st.SearchStrategy[Any]] = []

    def draw(strategy: st.SearchStrategy[Any]) -> Any:
        seen.append(strategy)
        return 7

    assert drawer(draw) == "7"
    assert seen == [leaf]


@pytest.mark.parametrize(
    "strategy",
    [
        st.integers(),  # unbounded: IntegersStrategy draws differently
        st.text(st.characters().map(str.upper)),  # not one character strategy: per character
        st.floats().map(abs),
        st.just(1),
    ],
    ids=["unbounded", "mapped-text", "mapped", "just"],
)
def test_other_strategies_are_not_drawn_directly(strategy: st.SearchStrategy[Any]) -> None:
    """Only the exact leaf kinds the check covers take the fast path."""
    assert _choices.leaf_drawer(strategy) is None
