"""The torture schema: every Avro type and logical type and every name generators get wrong,
generated into a temporary package that must import, type-check and round-trip."""

from __future__ import annotations

import datetime as dt
import decimal
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from devicecontracts.schema import parse_schema
from devicecontracts.types import Duration, LocalNanoTimestamp, NanoTimestamp

from ..support.codegen import ROOT, TORTURE, assert_round_trip, same, write
from ..support.strategies import schema_values, writer_values

SCHEMA = parse_schema((TORTURE / "torture.avsc").read_text(encoding="utf-8"))
UTC = dt.UTC


def minimal(torture: ModuleType, **changes: Any) -> Any:
    """A valid Torture with every required field, changed as asked."""
    m = torture
    values: dict[str, Any] = {
        "nothing": None,
        "flag": False,
        "i32": 0,
        "i64": 0,
        "f32": 0.0,
        "f64": 0.0,
        "raw": b"",
        "text": "",
        "mac": b"\x00" * 6,
        "amount": decimal.Decimal("0"),
        "tariff": decimal.Decimal("0"),
        "id": uuid.UUID(int=1),
        "day": dt.date(2024, 1, 1),
        "tod_ms": dt.time(0),
        "tod_us": dt.time(0),
        "ts_ms": dt.datetime(2024, 1, 1, tzinfo=UTC),
        "ts_us": dt.datetime(2024, 1, 1, tzinfo=UTC),
        "ts_ns": NanoTimestamp(0),
        "local_ms": dt.datetime(2024, 1, 1),
        "local_us": dt.datetime(2024, 1, 1),
        "local_ns": LocalNanoTimestamp(0),
        "uptime": Duration(),
        "tree": m.Component(name="root"),
        "payload": None,
        "b_header": m.BHeader(x="b"),
        "when": dt.date(2024, 1, 1),
        "times": dt.time(0),
    }
    values.update(changes)
    return m.Torture(**values)


def round_trip(model: Any) -> Any:
    """The model after Avro bytes and back."""
    return type(model).from_avro_bytes(model.to_avro_bytes())


def test_torture_module_passes_mypy_strict(torture_dir: Path, tmp_path: Path) -> None:
    """The generated module and code using it the way a consumer would pass ``mypy --strict``."""
    usage = tmp_path / "use_torture.py"
    usage.write_text(
        "import datetime as dt\n"
        "from decimal import Decimal\n"
        "from torturepkg.torture import (\n"
        "    AHeader, BHeader, Component, Meter, Status, Thermo, Torture,\n"
        ")\n"
        "from devicecontracts.types import Duration\n\n"
        "def total(t: Torture) -> float:\n"
        "    a: AHeader = t.a_header\n"
        "    b: BHeader = t.b_header\n"
        "    keyword: str = t.class_\n"
        "    status: Status = t.status\n"
        "    amount: Decimal = t.amount\n"
        "    when: dt.datetime = t.ts_ms\n"
        "    up: Duration = t.uptime\n"
        "    tree: list[Component] = t.tree.children\n"
        "    if isinstance(t.payload, Meter):\n"
        "        return t.payload.value\n"
        "    return float(a.x + len(b.x) + len(keyword) + len(status) + amount + when.second"
        " + up.days + len(tree))\n\n"
        "def build() -> Torture:\n"
        "    return Torture.from_avro_bytes(b'', writer_schema=None)\n\n"
        "payload: Thermo | Meter | None = Thermo(value=1.0)\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            str(torture_dir / "torturepkg"),
            str(usage),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"MYPYPATH": str(torture_dir), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_torture_round_trips_through_avro_bytes(torture: ModuleType, data: st.DataObject) -> None:
    """Model -> Avro bytes -> model is the identity for every type, logical type and union."""
    datum = data.draw(st.one_of(schema_values(SCHEMA.root, 3), writer_values(SCHEMA.root, 3)))
    assert_round_trip(torture.Torture, datum)


def test_same_shaped_records_keep_their_union_branch(torture: ModuleType) -> None:
    """A Meter in a union with a same-shaped Thermo comes back a Meter, in fields and arrays."""
    model = minimal(
        torture,
        payload=torture.Meter(value=1.5),
        choices=[torture.Meter(value=1.0), None, torture.Thermo(value=1.0)],
        by_name={"m": torture.Meter(value=2.0), "c": torture.Component(name="c")},
    )
    back = round_trip(model)
    assert type(back.payload) is torture.Meter
    assert [type(c) for c in back.choices] == [torture.Meter, type(None), torture.Thermo]
    assert type(back.by_name["m"]) is torture.Meter
    assert same(back, model)


def test_every_branch_of_the_wide_union_round_trips(torture: ModuleType) -> None:
    """Each branch of a union of every primitive, an enum, a fixed, an array and a map survives."""
    for value in [
        None,
        True,
        2**31 - 1,
        2**63 - 1,
        0.5,
        0.1,
        float("-inf"),
        "é",
        b"\x00",
        torture.Status.class_,
        b"abcdef",
        [1, -(2**31)],
        {"k": -(2**63)},
    ]:
        back = round_trip(minimal(torture, mixed=value))
        assert same(back.mixed, value), value


def test_logical_union_branches_round_trip(torture: ModuleType) -> None:
    """Decimals on bytes and on fixed, uuids, nanosecond timestamps, durations, dates and times
    in unions come back as the same values."""
    for value in [
        uuid.UUID(int=7),
        decimal.Decimal("1234.56"),
        decimal.Decimal("-12345678.1234"),
        NanoTimestamp(-1),
        Duration(1, 2, 3),
    ]:
        assert same(round_trip(minimal(torture, logical_mix=value)).logical_mix, value)
    assert same(round_trip(minimal(torture, when=dt.date(1, 1, 1))).when, dt.date(1, 1, 1))
    aware = dt.datetime(2024, 1, 1, 1, 2, 3, 4000, tzinfo=UTC)
    assert same(round_trip(minimal(torture, when=aware)).when, aware)
    fine = dt.time(1, 2, 3, 4)
    assert same(round_trip(minimal(torture, times=fine)).times, fine)
    assert same(round_trip(minimal(torture, enum_or_text="OK")).enum_or_text, "OK")
    status = round_trip(minimal(torture, enum_or_text=torture.Status.OK)).enum_or_text
    assert type(status) is torture.Status


def test_names_python_cannot_use_get_safe_attributes_and_keep_their_wire_names(
    torture: ModuleType,
) -> None:
    """``class``, ``json`` and ``_hidden`` become ``class_``, ``json_`` and ``hidden``; the
    Avro names stay on the wire, in dumps and as constructor keywords."""
    model = minimal(torture, class_="k", json_=3, hidden=4)
    wire = model.to_avro_dict()
    assert (wire["class"], wire["json"], wire["_hidden"]) == ("k", 3, 4)
    dumped = model.model_dump()
    assert (dumped["class"], dumped["json"], dumped["_hidden"]) == ("k", 3, 4)
    assert torture.Torture.model_validate(dumped).class_ == "k"
    assert torture.Status("class") is torture.Status.class_
    assert torture.Status("None") is torture.Status.None_


def test_a_record_named_like_an_import_keeps_its_name(torture: ModuleType) -> None:
    """A record called ``Field`` is the class ``Field``; pydantic's Field is imported aliased."""
    assert torture.Field.avro_name == "com.acme.torture.Field"
    assert minimal(torture).shadow == torture.Field(value=decimal.Decimal("0.00"))


def test_same_short_names_in_two_namespaces_become_two_classes(torture: ModuleType) -> None:
    """``com.acme.a.Header`` and ``com.acme.b.Header`` are ``AHeader`` and ``BHeader``."""
    assert torture.AHeader.avro_name == "com.acme.a.Header"
    assert torture.BHeader.avro_name == "com.acme.b.Header"
    assert torture.AHeader.model_fields["x"].annotation is int


def test_every_record_class_embeds_its_own_standalone_schema(torture: ModuleType) -> None:
    """The root model's schema has the source's canonical form; nested record classes carry
    their own schema and fingerprint and serialize alone."""
    embedded = parse_schema(torture.Torture.avro_schema_json)
    assert embedded.canonical_form == SCHEMA.canonical_form
    assert torture.AVRO_FINGERPRINT == SCHEMA.fingerprint == torture.Torture.avro_fingerprint
    meter = torture.Meter(value=2.5)
    assert torture.Meter.from_avro_bytes(meter.to_avro_bytes()) == meter
    assert (
        parse_schema(torture.Meter.avro_schema_json).fingerprint == torture.Meter.avro_fingerprint
    )
    tree = torture.Component(name="a", children=[torture.Component(name="b")])
    assert torture.Component.from_avro_bytes(tree.to_avro_bytes()) == tree


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("i32", 2**31, "less than or equal"),
        ("i32", -(2**31) - 1, "greater than or equal"),
        ("i64", 2**63, "less than or equal"),
        ("f32", 3.5e38, "outside the range of an Avro float"),
        ("mac", b"12345", "at least 6"),
        ("mac", b"1234567", "at most 6"),
        ("amount", decimal.Decimal("1.2345"), "more than 3 decimal places"),
        ("amount", decimal.Decimal("12345678.9"), "more than 10 digits"),
        ("amount", decimal.Decimal("NaN"), "finite"),
        ("tariff", decimal.Decimal("123456789.1"), "more than 12 digits"),
        ("ts_ms", dt.datetime(2024, 1, 1), "timezone-aware"),
        ("ts_us", dt.datetime(2024, 1, 1), "timezone-aware"),
        ("local_ms", dt.datetime(2024, 1, 1, tzinfo=UTC), "without time zone"),
        ("tod_ms", dt.time(1, tzinfo=UTC), "without time zone"),
        ("ts_ns", 5, "ISO 8601"),
        ("status", "NOPE", "OK"),
        ("readings", [1e39], "outside the range of an Avro float"),
        ("mixed", object(), "mixed"),
    ],
)
def test_values_the_wire_cannot_carry_are_rejected(
    torture: ModuleType, field: str, value: Any, message: str
) -> None:
    """Out-of-range ints, float32 overflow, wrong fixed sizes, decimals beyond precision or
    scale, naive timestamps and aware local ones fail validation, naming the problem."""
    with pytest.raises(ValidationError, match=message):
        minimal(torture, **{field: value})
    model = minimal(torture)
    with pytest.raises(ValidationError):
        setattr(model, field, value)


def test_values_are_normalised_to_what_the_wire_carries(torture: ModuleType) -> None:
    """float32 is rounded, NaN and infinities pass, decimals take their scale, timestamps move
    to UTC and are truncated to their unit: the model holds what a reader will see."""
    plus_two = dt.timezone(dt.timedelta(hours=2))
    model = minimal(
        torture,
        f32=0.1,
        f64=float("nan"),
        readings=[float("inf"), -0.0],
        amount=decimal.Decimal("1.5"),
        ts_ms=dt.datetime(2024, 1, 1, 12, 0, 0, 999999, tzinfo=plus_two),
        local_ms=dt.datetime(2024, 1, 1, 0, 0, 0, 1999),
        tod_ms=dt.time(0, 0, 0, 999),
    )
    assert model.f32 == 0.10000000149011612
    assert str(model.amount) == "1.500"
    assert model.ts_ms == dt.datetime(2024, 1, 1, 10, 0, 0, 999000, tzinfo=UTC)
    assert model.ts_ms.utcoffset() == dt.timedelta(0)
    assert model.local_ms.microsecond == 1000
    assert model.tod_ms == dt.time(0)
    assert same(round_trip(model), model)


def test_defaults_are_typed_and_never_shared(torture: ModuleType) -> None:
    """Record, array, map, enum, decimal, timestamp, duration and float32 defaults become typed
    values; mutable ones are fresh for every instance."""
    first, second = minimal(torture), minimal(torture)
    assert first.status is torture.Status.OK
    assert torture.Status.avro_default() is torture.Status.UNKNOWN
    assert first.a_header == torture.AHeader(x=1)
    assert first.labels == {"site": "north"}
    assert first.price == decimal.Decimal("1.234")
    assert first.sent == dt.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert first.gap == Duration(months=1, days=2, millis=3)
    assert first.ratio == 0.10000000149011612
    assert first.first_day == dt.date(2022, 1, 8)
    assert first.components[0].children[0].name == "leaf"
    assert first.enum_or_text is torture.Status.WARN
    first.labels["x"] = "y"
    first.a_header.x = 5
    first.components.append(torture.Component(name="more"))
    assert second.labels == {"site": "north"}
    assert second.a_header.x == 1
    assert len(second.components) == 1


def test_defaults_equal_what_avro_readers_fill_in(torture: ModuleType) -> None:
    """Reading data written without the defaulted fields gives the model's defaults: the
    generated defaults are the schema's."""
    import json

    writer = json.loads(torture.Torture.avro_schema_json)
    writer["fields"] = [f for f in writer["fields"] if "default" not in f]
    model = minimal(torture)
    datum = {
        k: v for k, v in model.to_avro_dict().items() if k in {f["name"] for f in writer["fields"]}
    }
    import fastavro

    raw = write_with(fastavro.parse_schema(writer), datum)
    assert same(torture.Torture.from_avro_bytes(raw, writer_schema=writer), model)


def write_with(parsed: Any, datum: Any) -> bytes:
    """``datum`` written with a fastavro-parsed schema."""
    import io

    import fastavro

    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed, datum)
    return out.getvalue()


def test_docs_become_docstrings_and_descriptions(torture: ModuleType) -> None:
    """Record and enum docs are class docstrings; field docs are field descriptions."""
    assert torture.Torture.__doc__.startswith("Every Avro type and logical type")
    assert "温度" in torture.Torture.__doc__
    assert torture.Status.__doc__.startswith("Symbols that are Python keywords")
    assert torture.Torture.model_fields["i32"].description == "A signed 32-bit integer."
    assert torture.Torture.model_fields["class_"].description == "A Python keyword."


def test_generation_is_deterministic(tmp_path: Path) -> None:
    """The same schemas give the same files, byte for byte."""
    from codegen import generate

    first = generate(TORTURE, tmp_path / "a", "torturepkg")
    second = generate(TORTURE, tmp_path / "b", "torturepkg")
    assert first == second


def test_fastavro_writes_model_dicts_without_guessing_branches(torture: ModuleType) -> None:
    """``to_avro_dict`` names every union branch, so fastavro writes exactly the model's."""
    model = minimal(torture, payload=torture.Meter(value=1.0))
    assert model.to_avro_dict()["payload"] == ("com.acme.torture.Meter", {"value": 1.0})
    raw = write(torture.Torture, model.to_avro_dict())
    assert type(torture.Torture.from_avro_bytes(raw).payload) is torture.Meter


def test_models_have_a_json_schema_and_survive_json(torture: ModuleType) -> None:
    """JSON Schema generation works for every type, and JSON keeps bytes (base64), NaN,
    nanoseconds and durations (unions of same-typed JSON values are the Avro path's job)."""
    properties = torture.Torture.model_json_schema()["properties"]
    assert properties["ts_ns"]["type"] == "string"
    assert properties["class"]["description"] == "A Python keyword."
    model = minimal(
        torture,
        f64=float("nan"),
        raw=b"\xff\x00",
        ts_ns=NanoTimestamp(-1),
        uptime=Duration(1, 2, 3),
        amount=decimal.Decimal("-1.5"),
    )
    back = torture.Torture.model_validate_json(model.model_dump_json())
    for name in ("f64", "raw", "ts_ns", "uptime", "amount", "ts_ms", "tree", "class_"):
        assert same(getattr(back, name), getattr(model, name)), name
