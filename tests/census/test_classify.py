"""The header classifier and the tally behind every census, over arbitrary bytes: never
raising, and every record counted exactly once in its partition."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Message
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.catalog.census import UNFRAMED_KINDS, Seen
from devicecontracts.census.classify import classify
from devicecontracts.census.reader import CensusOptions, _Reading


@dataclass
class FakeMessage:
    """What the tally reads of a confluent-kafka message."""

    p: int
    o: int
    v: bytes | None
    ts: int

    def error(self) -> None:
        return None

    def partition(self) -> int:
        return self.p

    def offset(self) -> int:
        return self.o

    def value(self) -> bytes | None:
        return self.v

    def timestamp(self) -> tuple[int, int]:
        return (1 if self.ts >= 0 else 0, self.ts)


class NoIds:
    environment = "test"
    registry = None

    def resolve(self, ids: Iterable[int], topic: str) -> dict[int, tuple[str, int]]:
        return {i: ("s", i % 3 + 1) for i in ids if i % 2 == 0}

    def writer_schema(self, schema_id: int) -> Any:
        return None

    def close(self) -> None:
        pass


FRAMED = [b"\x00\x00\x00\x00" + bytes([i]) + b"body" for i in (1, 2, 3)]
values = st.one_of(
    st.sampled_from(FRAMED),
    st.none(),
    st.binary(max_size=12),
    st.binary(max_size=8).map(lambda b: b"\x00" + b),
    st.sampled_from([b"{}", b" [1]", b"{", b'\t{"a": 1}\n', b"\x00\x00\x00\x00\x07", b""]),
)


@given(values)
def test_classify_never_raises_and_reads_the_header(value: bytes | None) -> None:
    kind = classify(value)
    if value is not None and len(value) >= 5 and value[0] == 0:
        assert kind == int.from_bytes(value[1:5], "big")
    else:
        assert kind in UNFRAMED_KINDS
        assert (kind == "tombstone") == (value is None)
        assert (kind == "empty") == (value == b"")


records = st.lists(st.tuples(st.integers(0, 3), values, st.integers(-1, 10**13)), max_size=60)


def native(m: FakeMessage) -> Message:
    """The same record as confluent-kafka's own message."""
    return Message(topic="t", partition=m.p, offset=m.o, value=m.v, timestamp=m.timestamp())


@given(records, st.integers(1, 7), st.booleans(), st.booleans())
def test_the_tally_counts_every_record_once(
    raw: list[tuple[int, bytes | None, int]], batch_size: int, ordered: bool, kafka: bool
) -> None:
    """Both ways of counting (a run at a time: rising timestamps, no tombstone; a record at a
    time: the rest), over confluent-kafka's messages or look-alikes, count every record once."""
    offsets = dict.fromkeys(range(4), 0)
    batch: list[Any] = []
    if ordered:  # long runs of one partition: what a consumer mostly sees
        raw = sorted(raw, key=lambda r: r[0])
    for i, (p, v, ts) in enumerate(raw):
        stamp = 1_000 * i + ts % 7 if ordered else ts  # rising, with ties
        batch.append(FakeMessage(p, offsets[p], v, stamp))
        offsets[p] += 1
    fed = [native(m) for m in batch] if kafka else batch
    reading = _Reading(CensusOptions("t", "127.0.0.1:9"), None, (), None, 1.0, 30.0)
    counted = sum(reading._tally(fed[i : i + batch_size]) for i in range(0, len(fed), batch_size))
    assert counted == len(batch)
    report = reading.report(NoIds())
    assert report.total().count == len(batch)
    totals = (
        sum(s.count for s in report.versions().values())
        + sum(s.count for s in report.unknown_ids().values())
        + sum(s.count for s in report.unframed().values())
    )
    assert totals == len(batch)
    for part in report.partitions:
        mine = [m for m in batch if m.p == part.partition]
        assert (part.first_offset, part.last_offset) == (0, len(mine) - 1)
        stamps = [m.ts for m in mine if m.ts >= 0]
        assert part.seen == Seen(
            len(mine), min(stamps) if stamps else None, max(stamps) if stamps else None
        )
        for key, seen in [*part.unframed.items(), *part.schema_ids.items()]:
            alike = [m for m in mine if classify(m.v) == key]
            stamps = [m.ts for m in alike if m.ts >= 0]
            assert seen == Seen(
                len(alike), min(stamps) if stamps else None, max(stamps) if stamps else None
            )
    assert {p.partition for p in report.partitions} == {m.p for m in batch}
