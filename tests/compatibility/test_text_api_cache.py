"""The text API parses each distinct text once, keeps a bounded cache, and never changes a
verdict: its answers are those of fresh parses checked with `check_parsed`."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from typing import Any

import pytest

from devicecontracts.errors import InvalidSchemaError
from devicecontracts.schema import CONFLUENT_7, compatibility, parse_schema
from devicecontracts.schema.compatibility import (
    CompatibilityLevel,
    check_compatibility,
    check_parsed,
)


def version(extra: int, *, breaking: bool = False, name: str = "Device") -> str:
    fields: list[dict[str, Any]] = [{"name": "id", "type": "string"}]
    fields += [{"name": f"opt_{i}", "type": ["null", "int"], "default": None} for i in range(extra)]
    if breaking:
        fields.append({"name": "required", "type": "long"})
    return json.dumps(
        {"type": "record", "name": name, "namespace": "com.example", "fields": fields}
    )


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    compatibility._parse_cache.clear()
    yield
    compatibility._parse_cache.clear()


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    calls: list[tuple[str, bool]] = []
    real = compatibility.parse_schema

    def counting(schema: Any, **kwargs: Any) -> Any:
        calls.append((schema, kwargs.get("strict", True)))
        return real(schema, **kwargs)

    monkeypatch.setattr(compatibility, "parse_schema", counting)
    return calls


def test_each_distinct_text_is_parsed_once_per_call(parse_calls: list[tuple[str, bool]]) -> None:
    """Repeated previous texts, and the new text repeated among them, are parsed once."""
    v1, v2 = version(0), version(1)
    result = check_compatibility(v2, [v1, v1, v2, v1], CompatibilityLevel.FULL_TRANSITIVE)
    assert result.compatible
    assert sorted(parse_calls) == sorted([(v2, True), (v1, False)])


def test_a_plain_caller_parses_every_version_once(parse_calls: list[tuple[str, bool]]) -> None:
    """Checking version i against t[:i] for each i parses each text once in all."""
    texts = [version(i) for i in range(6)]
    for i in range(1, len(texts)):
        assert check_compatibility(texts[i], texts[:i], "FULL_TRANSITIVE").compatible
    assert sorted(t for t, _ in parse_calls) == sorted(texts)


def test_the_cache_is_bounded_and_least_recently_used_goes_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the bound, the least recently used parses are dropped; a recent one is kept."""
    monkeypatch.setattr(compatibility, "_PARSE_CACHE_SIZE", 4)
    texts = [version(0, name=f"T{i}") for i in range(10)]
    for text in texts:
        check_compatibility(text, [texts[0]], "BACKWARD")  # texts[0] stays recently used
    cached = {key[0] for key in compatibility._parse_cache}
    assert len(compatibility._parse_cache) <= 4
    assert texts[0] in cached and texts[-1] in cached
    assert texts[1] not in cached


def test_parsed_json_objects_are_not_cached() -> None:
    """Only text is kept: parsed JSON can be changed by its owner after the call."""
    schema = json.loads(version(1))
    check_compatibility(schema, [json.loads(version(0))], "BACKWARD")
    assert not compatibility._parse_cache


LEVELS = list(CompatibilityLevel)


@pytest.mark.parametrize("level", LEVELS)
def test_verdicts_and_issues_equal_fresh_parses(level: CompatibilityLevel) -> None:
    """With a warm cache, results equal check_parsed on fresh parses, issue for issue."""
    texts = [version(0), version(1), version(2, breaking=True), version(3), version(1)]
    for _ in range(2):  # cold, then warm
        for i in range(1, len(texts)):
            cached = check_compatibility(texts[i], texts[:i], level)
            fresh = check_parsed(
                parse_schema(texts[i]),
                [parse_schema(t, strict=False) for t in texts[:i]],
                level,
            )
            assert cached == fresh


def test_a_text_invalid_as_new_is_still_read_leniently_as_history() -> None:
    """A text refused as a new schema (invalid default) is still a readable previous one: the
    cache keeps modes apart."""
    bad = json.dumps(
        {
            "type": "record",
            "name": "Device",
            "fields": [{"name": "n", "type": "int", "default": "zero"}],
        }
    )
    refused = check_compatibility(bad, [], "BACKWARD")
    assert not refused.compatible
    assert refused.issues[0].kind == "INVALID_SCHEMA"
    assert refused.issues[0].path == "/fields/0/default"
    good = json.dumps(
        {
            "type": "record",
            "name": "Device",
            "fields": [{"name": "n", "type": "int", "default": 0}],
        }
    )
    assert check_compatibility(good, [bad], "BACKWARD").compatible
    assert not check_compatibility(bad, [good], "BACKWARD").compatible


def test_registry_lines_are_cached_apart() -> None:
    """A name Confluent 7 accepts and Confluent 8 refuses gets each line's own verdict."""
    text = json.dumps({"type": "record", "name": "Gerät", "fields": []})
    assert check_compatibility(text, [], "BACKWARD", line=CONFLUENT_7).compatible
    assert not check_compatibility(text, [], "BACKWARD").compatible
    assert check_compatibility(text, [], "BACKWARD", line=CONFLUENT_7).compatible


def test_an_unparsable_previous_schema_still_raises_each_time() -> None:
    """Failures are not cached: every call raises for a previous schema that cannot parse."""
    for _ in range(2):
        with pytest.raises(InvalidSchemaError, match="previous schema 1 cannot be parsed"):
            check_compatibility(version(0), ['{"type": "record"}'], "BACKWARD")


def test_the_collector_is_restored_after_a_check(collector: bool) -> None:
    """The collector is back as it was after a check, an invalid new schema and an error."""
    check_compatibility(version(1), [version(0)], "FULL")
    assert gc.isenabled() is collector
    check_compatibility("{", [version(0)], "FULL")
    assert gc.isenabled() is collector
    with pytest.raises(InvalidSchemaError):
        check_compatibility(version(1), ["{"], "FULL")
    assert gc.isenabled() is collector


def test_shared_comparisons_never_borrow_another_schemas_words() -> None:
    """Two histories alike but for a logical type get each their own message, in any order."""

    def history(new_type: Any) -> list[str]:
        fields = [{"name": "f", "type": "int"}]
        old = {"type": "record", "name": "R", "fields": fields}
        new = {"type": "record", "name": "R", "fields": [{"name": "f", "type": new_type}]}
        return [json.dumps(old), json.dumps(new)]

    plain = history("long")
    logical = history({"type": "long", "logicalType": "timestamp-millis"})
    for first, second in ((plain, logical), (logical, plain)):
        compatibility._parse_cache.clear()
        compatibility._text_api_results.results.clear()
        messages = [
            check_compatibility(h[1], h[:1], "FORWARD").issues[0].message for h in (first, second)
        ]
        expected = [
            "it expects int where the new schema has " + kind
            for kind in ("long", "long (timestamp-millis)")
        ]
        if first is logical:
            expected.reverse()
        assert [m.split(": ", 2)[2] for m in messages] == expected
