"""The lock reader's nesting check: the quick way gives `json_too_deep_at`'s answer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts._depth import MAX_JSON_DEPTH, json_too_deep_at
from devicecontracts.catalog.lock import _too_deep_at

_pieces = st.text(alphabet='[]{}"\\ a:,1', max_size=40)


@settings(max_examples=300, deadline=None)
@given(_pieces, st.integers(min_value=0, max_value=8), _pieces, st.sampled_from("[{"))
def test_quick_depth_check_agrees_with_the_bracket_scan(
    inner: str, margin: int, tail: str, opener: str
) -> None:
    """Around the limit, inside and outside strings, paired or not: the same offset (or -1)."""
    closer = "]" if opener == "[" else "}"
    depth = MAX_JSON_DEPTH - 4 + margin
    text = opener * depth + inner + closer * depth + tail
    assert _too_deep_at(text) == json_too_deep_at(text)
    assert _too_deep_at(inner + tail) == json_too_deep_at(inner + tail)


def test_an_ordinary_lock_is_within_the_limit() -> None:
    """Thousands of brackets, a few levels deep."""
    entry = '{"fingerprint": "sha256:x", "content": "sha256:y", "references": [], "ids": {}}'
    text = (
        '{"format": 1, "subjects": {'
        + ", ".join(f'"s{i}": {{"1": {entry}, "2": {entry}}}' for i in range(800))
        + "}}"
    )
    assert text.count("{") > MAX_JSON_DEPTH
    assert _too_deep_at(text) == -1 == json_too_deep_at(text)
