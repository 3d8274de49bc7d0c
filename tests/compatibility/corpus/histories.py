"""12. Histories: latest-only and transitive levels disagree."""

from __future__ import annotations

from ._builders import NS, enum, fld, reading, rec
from ._model import TransitiveCase

_NONE: frozenset[int] = frozenset()


def breaks(
    *,
    backward: frozenset[int] = _NONE,
    backward_transitive: frozenset[int] = _NONE,
    forward: frozenset[int] = _NONE,
    forward_transitive: frozenset[int] = _NONE,
) -> dict[str, frozenset[int]]:
    """Per-level sets of broken previous versions; FULL levels are the union of both sides."""
    return {
        "BACKWARD": backward,
        "BACKWARD_TRANSITIVE": backward_transitive,
        "FORWARD": forward,
        "FORWARD_TRANSITIVE": forward_transitive,
        "FULL": backward | forward,
        "FULL_TRANSITIVE": backward_transitive | forward_transitive,
        "NONE": _NONE,
    }


TRANSITIVE_CASES: tuple[TransitiveCase, ...] = (
    TransitiveCase(
        "history-drop-default-after-adding-it",
        (
            reading(fld("ts", "long")),
            reading(fld("ts", "long"), fld("site", "string", default="unknown")),
        ),
        reading(fld("ts", "long"), fld("site", "string")),
        breaks(backward_transitive=frozenset({1})),
        "v3 reads v2 data (which has site) but not v1 data, which lacks it (schema-registry #209).",
    ),
    TransitiveCase(
        "history-alias-chain",
        (
            reading(fld("temp", "double")),
            reading(fld("temperature", "double", aliases=["temp"])),
        ),
        reading(fld("celsius", "double", aliases=["temperature"])),
        breaks(
            backward_transitive=frozenset({1}),
            forward=frozenset({2}),
            forward_transitive=frozenset({1, 2}),
        ),
        "Aliases are not transitive: celsius knows temperature but not temp.",
    ),
    TransitiveCase(
        "history-enum-default-added-late",
        (
            reading(fld("state", enum("State", ["OK", "FAULT"]))),
            reading(fld("state", enum("State", ["OK", "FAULT", "OFFLINE"], default="OK"))),
        ),
        reading(fld("state", enum("State", ["OK", "FAULT", "OFFLINE", "REBOOT"], default="OK"))),
        breaks(forward_transitive=frozenset({1})),
        "v2 readers absorb REBOOT through their default; v1 readers have no default.",
    ),
    TransitiveCase(
        "history-field-resurrected-with-other-type",
        (
            reading(fld("ts", "long"), fld("code", "int")),
            reading(fld("ts", "long")),
        ),
        reading(fld("ts", "long"), fld("code", "string", default="")),
        breaks(backward_transitive=frozenset({1}), forward_transitive=frozenset({1})),
        "Re-adding a removed field with another type is fine against v2 but clashes with v1.",
    ),
    TransitiveCase(
        "history-record-rename-chain",
        (
            reading(fld("ts", "long")),
            rec("Measurement", fld("ts", "long"), namespace=NS, aliases=[f"{NS}.Reading"]),
        ),
        rec("Sample", fld("ts", "long"), namespace=NS, aliases=[f"{NS}.Measurement"]),
        breaks(
            backward_transitive=frozenset({1}),
            forward=frozenset({2}),
            forward_transitive=frozenset({1, 2}),
        ),
        "Record aliases are not transitive either.",
    ),
    TransitiveCase(
        "history-break-only-against-latest",
        (
            reading(fld("ts", "long"), fld("site", "string")),
            reading(fld("ts", "long")),
        ),
        reading(fld("ts", "long"), fld("site", "string")),
        breaks(backward=frozenset({2}), backward_transitive=frozenset({2})),
        "Re-adding a required field breaks against v2 only; v1 still had it.",
    ),
    TransitiveCase(
        "history-four-versions-oldest-breaks",
        (
            reading(fld("x", "int")),
            reading(fld("x", "int"), fld("y", "long", default=0)),
            reading(fld("x", "int"), fld("y", "long", default=0), fld("z", "string", default="")),
        ),
        reading(fld("x", "int"), fld("y", "long"), fld("z", "string", default="")),
        breaks(backward_transitive=frozenset({1})),
        "Only v1 lacks y, so only the transitive check against v1 fails.",
    ),
    TransitiveCase(
        "history-widening-chain",
        (
            reading(fld("v", "int")),
            reading(fld("v", "long")),
        ),
        reading(fld("v", "float")),
        breaks(forward=frozenset({2}), forward_transitive=frozenset({1, 2})),
        "float reads long and int, but neither old reader can read float.",
    ),
)
