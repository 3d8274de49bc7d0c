"""The bridge step: a device's JSON payload, validated into the message model, as Avro.

Devices publish JSON over MQTT; AWS IoT Core's rule action forwards it as it is; a bridge (a
Lambda function, a Connect transform) validates it against the contract and produces it to
Kafka in Confluent's wire format, so that every consumer downstream reads typed, versioned
Avro::

    bridge = DeviceBridge(
        Telemetry,
        Serializer(WriterSchemas.from_environment()),
        enrichment={"thing": "header.device_id", "received_at": None},
    )

    def handler(event, context):                 # an IoT Core rule invoking Lambda
        try:
            value = bridge.to_avro(event)        # the payload as a dict, str or bytes
        except PayloadValidationError as exc:
            log.warning("rejected payload: %s", exc)
            return
        producer.produce("fleet.telemetry", value=value)

What a payload may hold, field by field (the Avro type decides):

=================================  ==========================================================
Avro type                          JSON accepted
=================================  ==========================================================
int, long                          a whole number in range; never ``"3650"``, ``true`` or
                                   ``3650.0``
float, double                      a number (whole or not); never a string or a boolean
boolean                            ``true`` or ``false``; never ``1`` or ``"true"``
string, uuid, enum                 a string (enum: one of its symbols, exactly)
timestamp-millis, -micros          epoch **milliseconds** (a whole number of at least
                                   `MIN_EPOCH_MILLIS` in size), or ISO 8601 text **with an
                                   offset** (``2024-05-01T12:00:00.250Z``, ``...+02:00``)
other dates and times              ISO 8601 text, as the model writes it
decimal                            a string (``"12.345"``, exact) or a number
bytes, fixed                       base64 text
record, map / array                an object / a list
union                              the value of one of its branches (``null`` for null)
=================================  ==========================================================

Epoch seconds are the classic firmware mistake: ``1714564800`` read as milliseconds is
1970-01-20, silently. No real device timestamp is that close to 1970, so a number below
`MIN_EPOCH_MILLIS` (10**10, 1970-04-26 as milliseconds, year 2286 as seconds) is refused as
"epoch seconds?". A naive ISO text (no offset) is refused too: its time zone would be a guess.

Fields the contract does not have follow ``unknown_fields``:

* ``"ignore"`` (the default) drops them and logs each new one once, with a "did you mean" for
  a near-miss. Firmware ships ahead of the bridge: a staged OTA rollout adds a field days before
  the contract and the bridge are redeployed, and MQTT messages the bridge refuses are gone.
  Ignoring the field keeps every message; consumers read the new field once the contract
  has it. Adding a field is the compatible direction anyway.
* ``"forbid"`` refuses the payload. Use it where a person reads the answer: firmware CI, a
  certification test of sample payloads.

``enrichment`` names the top-level fields an IoT Core rule adds (``SELECT *, topic(2) AS
thing, timestamp() AS received_at``) with either the model field each one fills (dotted, such
as ``"header.device_id"``) or ``None`` to drop it; they are never "unknown", whatever the
policy. A mapped value fills its field when the payload lacks it and must agree with it
otherwise (a device claiming another thing's identity is refused).

A payload that does not fit raises `PayloadValidationError`, which lists every problem with
the JSON path of its field (``readings[2].sampled_at``), what the contract expects and what
arrived. It never repeats a payload value, so it is safe to log. Work is bounded: text over
``max_bytes`` is refused unread, nesting deeper than `MAX_DEPTH` is refused, and the cost is
linear in the payload's size.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import math
import re
from collections.abc import Mapping
from typing import Any, Final, Generic, Literal, Protocol, Self, TypeVar, get_args

from devicecontracts._runtime.plans import AvroModel
from devicecontracts.errors import PayloadValidationError
from devicecontracts.serde import Serializer

__all__ = [
    "DEFAULT_MAX_PAYLOAD",
    "MAX_DEPTH",
    "MIN_EPOCH_MILLIS",
    "DeviceBridge",
    "JSONModel",
    "UnknownFields",
    "validate_payload",
]

DEFAULT_MAX_PAYLOAD: Final = 256 * 1024
"""Largest payload accepted, in bytes: twice IoT Core's 128 KB message limit."""

MAX_DEPTH: Final = 32
"""Deepest nesting of JSON objects and lists a payload may have (the contracts need a few)."""

MIN_EPOCH_MILLIS: Final = 10**10
"""Smallest size of a numeric timestamp: below it the number is refused as epoch seconds.

As milliseconds it is 1970-04-26T17:46:40Z, as seconds 2286-11-20: a number below it is either
epoch seconds or a clock that was never set, never a real time in milliseconds.
"""

UnknownFields = Literal["forbid", "ignore"]
"""What the bridge does with a field the contract does not have (see the module docs)."""

log = logging.getLogger(__name__)

_MAX_LISTED = 10
_MAX_KEPT = 100  # problems kept on the error; the count covers them all
_MAX_LOGGED = 1000  # distinct dropped field paths logged per bridge
_MAX_NAME = 64  # characters of a payload's field name shown in a message
_MAX_HINTED = 20  # unknown fields per object looked at for "did you mean"
_UTC = _dt.UTC
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
_OFFSET = re.compile(r"(Z|z|[+-]\d{2}(:?\d{2})?)\Z")
_PAYLOAD = "(payload)"


class JSONModel(AvroModel, Protocol):
    """A message model that validates JSON too: every generated (pydantic) model."""

    @classmethod
    def model_validate_json(cls, json_data: str | bytes, *, strict: bool | None = None) -> Self:
        """Validate JSON text (pydantic)."""
        ...


J = TypeVar("J", bound=JSONModel)


# ---------------------------------------------------------------------------------------------
# The public faces


def validate_payload(
    model: type[J],
    payload: str | bytes | Mapping[str, Any],
    *,
    max_bytes: int = DEFAULT_MAX_PAYLOAD,
    unknown_fields: UnknownFields = "ignore",
    enrichment: Mapping[str, str | None] | None = None,
) -> J:
    """``payload`` (JSON text, or JSON already parsed into a dict) as a ``model``.

    `PayloadValidationError` lists every problem: invalid JSON, a missing field, a value of the
    wrong type or out of range, an unknown field (with ``unknown_fields="forbid"``). For many
    payloads build a `DeviceBridge` once instead: it checks its options once.
    """
    return _Validator(model, max_bytes, unknown_fields, enrichment or {}).validate(payload)


class DeviceBridge(Generic[J]):
    """Validates device JSON payloads into ``model`` and encodes them for Kafka.

    ``serializer`` frames the Avro body with the id of ``model``'s schema in the configured
    environment (see `Serializer`). ``unknown_fields`` and ``enrichment`` are described in the
    module docs; a bad option raises ``ValueError`` here, not per payload.
    """

    def __init__(
        self,
        model: type[J],
        serializer: Serializer | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_PAYLOAD,
        unknown_fields: UnknownFields = "ignore",
        enrichment: Mapping[str, str | None] | None = None,
    ) -> None:
        self._validator = _Validator(model, max_bytes, unknown_fields, enrichment or {})
        self.model = model
        self.serializer = Serializer() if serializer is None else serializer
        self.max_bytes = max_bytes

    def validate(self, payload: str | bytes | Mapping[str, Any]) -> J:
        """The payload as a model; `PayloadValidationError` listing every problem."""
        return self._validator.validate(payload)

    def to_avro(self, payload: str | bytes | Mapping[str, Any]) -> bytes:
        """The payload validated and encoded in Confluent's wire format, ready to produce."""
        return self.serializer.encode(self.validate(payload))


# ---------------------------------------------------------------------------------------------
# Validation: parse (bounded), walk the JSON along the Avro schema (strict kinds, timestamps,
# unknown fields), then let the model check values (ranges, UUIDs, decimals) in strict mode.


class _Problems:
    """Problems found in one payload: the first `_MAX_KEPT` kept, all counted."""

    def __init__(self) -> None:
        self.kept: list[tuple[str, str]] = []
        self.count = 0
        self.paths: set[str] = set()

    def add(self, path: str, why: str) -> None:
        self.count += 1
        self.paths.add(path or _PAYLOAD)
        if len(self.kept) < _MAX_KEPT:
            self.kept.append((path or _PAYLOAD, why))


class _Validator(Generic[J]):
    def __init__(
        self,
        model: type[J],
        max_bytes: int,
        unknown_fields: str,
        enrichment: Mapping[str, str | None],
    ) -> None:
        if unknown_fields not in get_args(UnknownFields):
            raise ValueError(f"unknown_fields is 'forbid' or 'ignore', not {unknown_fields!r}")
        self.model = model
        self.name = model.__name__
        self.max_bytes = max_bytes
        self.forbid = unknown_fields == "forbid"
        self.schema = model.parsed_avro_schema()
        self.named: dict[str, Any] = self.schema.get("__named_schemas", {})
        self.enrichment = dict(enrichment)
        for key, target in self.enrichment.items():
            if target is not None and self._field_at(target) is None:
                raise ValueError(
                    f"enrichment field {key!r} maps to {target!r}, which is not a field of "
                    f"{self.name} (a dotted path of record fields, such as 'header.device_id')"
                )
        self.logged: set[str] = set()
        self.wording: dict[int, str] = {}

    def validate(self, payload: str | bytes | Mapping[str, Any]) -> J:
        problems = _Problems()
        data = self._parse(payload)
        if not isinstance(data, dict):
            self._fail(
                problems,
                _PAYLOAD,
                f"expected a JSON object ({self.name}), arrived {_arrived(data)}",
            )
        data = self._enrich(data, problems)
        walker = _Walker(self.named, self.forbid, problems, self.wording)
        normalised = walker.walk(data, self.schema, "", 0)
        self._log_dropped(walker.dropped)
        try:
            message = self.model.model_validate_json(json.dumps(normalised), strict=True)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            # What the walk already reported, the model reports again, in its own words.
            reported = set(problems.paths)
            for path, why in _model_problems(exc, walker.expected):
                if reported.isdisjoint(_enclosing(path)):
                    problems.add(path, why)
        if problems.count:
            raise self._error(problems) from None
        return message

    def _parse(self, payload: object) -> Any:
        if isinstance(payload, Mapping):
            return dict(payload)
        if not isinstance(payload, (str, bytes, bytearray)):
            problems = _Problems()
            problems.add(_PAYLOAD, f"not JSON: {type(payload).__name__}")
            raise PayloadValidationError(
                f"a {self.name} payload is JSON text or a JSON object, not "
                f"{type(payload).__name__}",
                tuple(problems.kept),
            )
        size = len(
            payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
        )
        if size > self.max_bytes:
            raise PayloadValidationError(
                f"the payload is {size} bytes, more than the {self.max_bytes} a {self.name} "
                "may have",
                ((_PAYLOAD, f"larger than {self.max_bytes} bytes"),),
            )
        from pydantic_core import from_json

        try:
            # pydantic's JSON parser bounds nesting (a ValueError past 200 levels), unlike
            # json.loads, and refuses NaN and Infinity, which are not JSON.
            return from_json(
                bytes(payload) if isinstance(payload, bytearray) else payload, allow_inf_nan=False
            )
        except ValueError as exc:
            problems = _Problems()
            problems.add(_PAYLOAD, f"not valid JSON ({_short(str(exc))})")
            raise self._error(problems) from None

    def _enrich(self, data: dict[str, Any], problems: _Problems) -> dict[str, Any]:
        for key, target in self.enrichment.items():
            if key not in data:
                continue
            value = data.pop(key)
            if target is None:
                continue
            *parents, last = target.split(".")
            node = data
            for part in parents:
                child = node.get(part)
                if child is None:
                    child = {}
                if not isinstance(child, dict):
                    break  # the walk reports the field that is not an object
                node[part] = node = dict(child)  # a copy: the caller's payload stays as it was
            else:
                if last not in node:
                    node[last] = value
                elif node[last] != value:
                    problems.add(
                        target,
                        f"differs from {key!r}, which the IoT rule adds: the device reports "
                        "another identity or time than its topic and broker do",
                    )
        return data

    def _field_at(self, target: str) -> Any:
        node: Any = self.schema
        for part in target.split("."):
            node = _record_of(node, self.named)
            if node is None:
                return None
            node = next((f["type"] for f in node["fields"] if f["name"] == part), None)
            if node is None:
                return None
        return node

    def _log_dropped(self, dropped: list[tuple[str, str]]) -> None:
        for path, hint in dropped:
            if path in self.logged or len(self.logged) >= _MAX_LOGGED:
                continue
            self.logged.add(path)
            log.warning(
                "%s payloads carry %s, which the contract does not have: dropped%s",
                self.name,
                path,
                hint,
            )

    def _fail(self, problems: _Problems, path: str, why: str) -> None:
        problems.add(path, why)
        raise self._error(problems)

    def _error(self, problems: _Problems) -> PayloadValidationError:
        listed = "; ".join(f"{path}: {why}" for path, why in problems.kept[:_MAX_LISTED])
        more = problems.count - min(len(problems.kept), _MAX_LISTED)
        if more > 0:
            listed += f"; and {more} more"
        count = f"{problems.count} problem{'s' if problems.count != 1 else ''}"
        return PayloadValidationError(
            f"the payload does not fit {self.name} ({count}): {listed}", tuple(problems.kept)
        )


def _enclosing(path: str) -> list[str]:
    """``path`` and every path that contains it: ``a.b[0]`` gives ``a``, ``a.b``, ``a.b[0]``."""
    cuts = [i for i, char in enumerate(path) if char in ".["]
    return [_PAYLOAD, *(path[:i] for i in cuts), path]


def _short(text: str) -> str:
    return text if len(text) <= 120 else text[:117] + "..."


def _record_of(schema: Any, named: Mapping[str, Any]) -> Any:
    """The record schema ``schema`` is, or holds as its only non-null union branch."""
    if isinstance(schema, list):
        branches = [b for b in schema if b != "null"]
        schema = branches[0] if len(branches) == 1 else None
    if isinstance(schema, str):
        schema = named.get(schema)
    if isinstance(schema, dict) and schema.get("type") in ("record", "error"):
        return schema
    return None


# ---------------------------------------------------------------------------------------------
# The walk


class _Walker:
    """Checks parsed JSON against a fastavro-parsed schema and returns it normalised.

    Normalised: unknown fields dropped, timestamps as ISO text in UTC, decimals as text, so the
    model's strict JSON validation sees exactly the form it writes itself.
    """

    def __init__(
        self,
        named: Mapping[str, Any],
        forbid: bool,
        problems: _Problems,
        wording: dict[int, str],
    ) -> None:
        self.named = named
        self.wording = wording
        self.forbid = forbid
        self.problems = problems
        self.dropped: list[tuple[str, str]] = []
        self.expected: dict[str, str] = {}

    def walk(self, value: Any, schema: Any, path: str, depth: int) -> Any:
        if isinstance(schema, str) and schema in self.named:
            schema = self.named[schema]
        if isinstance(schema, list):
            return self._union(value, schema, path, depth)
        kind = schema if isinstance(schema, str) else schema["type"]
        logical = None if isinstance(schema, str) else schema.get("logicalType")
        expected = self._expect(schema)
        self.expected[path] = expected
        if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
            self._problem(path, f"nested deeper than {MAX_DEPTH} levels")
            return None
        if kind in ("record", "error"):
            return self._record(value, schema, path, depth)
        if kind == "array":
            if not isinstance(value, list):
                return self._wrong(path, expected, value)
            return [
                self.walk(item, schema["items"], f"{path}[{i}]", depth + 1)
                for i, item in enumerate(value)
            ]
        if kind == "map":
            if not isinstance(value, dict):
                return self._wrong(path, expected, value)
            return {
                key: self.walk(item, schema["values"], _join(path, key), depth + 1)
                for key, item in value.items()
            }
        if logical in ("timestamp-millis", "timestamp-micros"):
            return self._timestamp(value, path, expected)
        if logical == "decimal":
            return self._decimal(value, path, expected)
        if logical == "duration":
            return value if isinstance(value, dict) else self._wrong(path, expected, value)
        if logical in _ISO_TEXT:
            # The model reads these from ISO 8601 text only (a number's unit would be a guess).
            return value if isinstance(value, str) else self._wrong(path, expected, value)
        if kind == "enum":
            return self._enum(value, schema, path, expected)
        return self._primitive(value, kind, path, expected)

    def _expect(self, schema: Any) -> str:
        # Worked out once per schema node: a payload of a thousand readings asks a thousand
        # times. The nodes live as long as the validator's parsed schema, so ids are stable.
        key = id(schema)
        found = self.wording.get(key)
        if found is None:
            found = self.wording[key] = _expected(schema, self.named)
        return found

    def _problem(self, path: str, why: str) -> None:
        self.problems.add(path, why)

    def _wrong(self, path: str, expected: str, value: Any) -> None:
        self._problem(path, f"expected {expected}, arrived {_arrived(value)}{_advice(value)}")

    def _record(self, value: Any, schema: Any, path: str, depth: int) -> Any:
        if not isinstance(value, dict):
            return self._wrong(path, f"an object ({_short_name(schema)})", value)
        fields = {f["name"]: f for f in schema["fields"]}
        # str(): a dict handed over from Python may have keys JSON cannot (1, None).
        unknown = [str(key) for key in value if key not in fields]
        out: dict[str, Any] = {}
        for name, field in fields.items():
            here = _join(path, name)
            if name in value:
                out[name] = self.walk(value[name], field["type"], here, depth + 1)
            elif "default" not in field:
                near = _near(name, unknown[:_MAX_HINTED])
                hint = f" (the payload has {_quote(near)}: a misspelling?)" if near else ""
                self._problem(
                    here, f"missing: expected {_expected(field['type'], self.named)}{hint}"
                )
        for index, key in enumerate(unknown):
            # Hints for the first few only: difflib costs, and a list of 20 is enough to read.
            near = _near(key, fields) if index < _MAX_HINTED else None
            hint = f" (did you mean {near!r}?)" if near else ""
            here = _join(path, _clip(key))
            if self.forbid:
                why = hint or " (the firmware is newer than the contract, or a misspelling)"
                self._problem(here, f"not a field of {_short_name(schema)}{why}")
            elif len(self.dropped) < _MAX_LOGGED:
                self.dropped.append((here, hint))
        return out

    def _union(self, value: Any, branches: list[Any], path: str, depth: int) -> Any:
        if value is None and "null" in branches:
            self.expected[path] = "null"
            return None
        candidates = [b for b in branches if _takes(b, value, self.named)]
        if not candidates:
            return self._wrong(path, _expected(branches, self.named), value)
        if isinstance(value, dict) and len(candidates) > 1:
            # A record branch by its field names, not by trial: trying every branch of nested
            # unions would cost a product of their sizes.
            candidates.sort(key=lambda b: -_overlap(b, value, self.named))
        for branch in candidates[:-1]:
            trial = _Walker(self.named, self.forbid, _Problems(), self.wording)
            out = trial.walk(value, branch, path, depth)
            if not trial.problems.count:
                self.expected.update(trial.expected)
                self.dropped.extend(trial.dropped)
                return out
        return self.walk(value, candidates[-1], path, depth)

    def _timestamp(self, value: Any, path: str, expected: str) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            if -MIN_EPOCH_MILLIS < value < MIN_EPOCH_MILLIS:
                as_millis = _EPOCH + _dt.timedelta(milliseconds=value)
                self._problem(
                    path,
                    f"expected {expected}, arrived a number too small for epoch milliseconds "
                    f"(it would be {as_millis:%Y-%m-%dT%H:%M:%SZ}): epoch seconds? Multiply "
                    "by 1000, or send ISO 8601 text with an offset",
                )
                return None
            try:
                moment = _EPOCH + _dt.timedelta(milliseconds=value)
            except OverflowError:
                self._problem(
                    path,
                    f"expected {expected}, arrived a number past year 9999 "
                    "as milliseconds (epoch microseconds or nanoseconds?)",
                )
                return None
            return moment.isoformat()
        if isinstance(value, str):
            try:
                moment = _dt.datetime.fromisoformat(value)
            except ValueError:
                self._problem(
                    path,
                    f"expected {expected}, arrived a string that is not an "
                    "ISO 8601 date-time such as 2024-05-01T12:00:00.250Z",
                )
                return None
            if moment.tzinfo is None or moment.utcoffset() is None:
                self._problem(
                    path,
                    f"expected {expected}, arrived ISO 8601 text without an "
                    "offset: add Z (UTC) or the device's offset, such as +02:00",
                )
                return None
            try:
                return moment.astimezone(_UTC).isoformat()
            except OverflowError:
                self._problem(
                    path,
                    f"expected {expected}, arrived a time outside years 1 "
                    "to 9999 once moved to UTC",
                )
                return None
        return self._wrong(path, expected, value)

    def _decimal(self, value: Any, path: str, expected: str) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, float) and math.isfinite(value):
            return repr(value)  # the shortest text that reads back as the same number
        return self._wrong(path, expected, value)

    def _enum(self, value: Any, schema: Any, path: str, expected: str) -> Any:
        if not isinstance(value, str):
            return self._wrong(path, expected, value)
        symbols: list[str] = schema["symbols"]
        if value in symbols:
            return value
        near = _near(value, symbols)
        hint = f" (did you mean {near}?)" if near else ""
        self._problem(path, f"expected {expected}, arrived a string that is none of them{hint}")
        return None

    def _primitive(self, value: Any, kind: str, path: str, expected: str) -> Any:
        if kind == "null":
            ok = value is None
        elif kind == "boolean":
            ok = isinstance(value, bool)
        elif kind in ("int", "long"):
            ok = isinstance(value, int) and not isinstance(value, bool)
            bits = 31 if kind == "int" else 63
            if ok and not -(2**bits) <= value < 2**bits:
                self._problem(path, f"expected {expected}, arrived a number out of that range")
                return None
        elif kind in ("float", "double"):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if ok and isinstance(value, float) and not math.isfinite(value):
                self._problem(
                    path,
                    f"expected {expected}, arrived NaN or an infinity, which JSON cannot carry",
                )
                return None
        else:  # string, bytes, fixed, and their logical types: text
            ok = isinstance(value, str)
        return value if ok else self._wrong(path, expected, value)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _clip(name: str) -> str:
    # A field name comes from the payload: shown, but never at any length.
    return name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 3] + "..."


def _quote(name: str) -> str:
    return repr(_clip(name))


def _short_name(schema: Any) -> str:
    return str(schema.get("name", "record")).rpartition(".")[2]


def _squash(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def _near(name: str, candidates: Any) -> str | None:
    """The candidate ``name`` most likely misspells (case, ``camelCase``, a typo), if any."""
    if len(name) > _MAX_NAME * 2:
        return None  # difflib is quadratic in the length; no field name is that long
    choices = [c for c in candidates if isinstance(c, str)]
    for choice in choices:
        if _squash(choice) == _squash(name):
            return choice
    import difflib

    lowered = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.75)
    return lowered[found[0]] if found else None


def _arrived(value: Any) -> str:
    """What kind of JSON value arrived, never the value itself (messages are safe to log)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "NaN or an infinity (not JSON)"
        return "a number with a fraction" if value != int(value) else "a number with a point"
    if isinstance(value, str):
        return "a string" if value else "an empty string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} (not JSON)"


def _advice(value: Any) -> str:
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return " (a number in quotes: send it unquoted)"
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return " (a boolean in quotes: send true or false unquoted)"
    return ""


_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def _takes(schema: Any, value: Any, named: Mapping[str, Any]) -> bool:
    """Whether a union branch takes this kind of JSON value at all (its content aside)."""
    if isinstance(schema, str) and schema in named:
        schema = named[schema]
    kind = schema if isinstance(schema, str) else schema["type"]
    logical = None if isinstance(schema, str) else schema.get("logicalType")
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if logical in ("timestamp-millis", "timestamp-micros"):
        return isinstance(value, str) or (number and isinstance(value, int))
    if logical in _ISO_TEXT:
        return isinstance(value, str)
    if logical == "decimal":
        return isinstance(value, str) or number
    if kind in ("record", "error", "map") or logical == "duration":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("int", "long"):
        return number and isinstance(value, int)
    if kind in ("float", "double"):
        return number
    return isinstance(value, str)


def _overlap(schema: Any, value: Mapping[str, Any], named: Mapping[str, Any]) -> int:
    record = _record_of(schema, named)
    if record is None:
        return 0
    return sum(1 for f in record["fields"] if f["name"] in value)


# Dates and times other than UTC milliseconds and microseconds: ISO 8601 text only.
_ISO_TEXT = frozenset(
    (
        "date",
        "time-millis",
        "time-micros",
        "timestamp-nanos",
        "local-timestamp-millis",
        "local-timestamp-micros",
        "local-timestamp-nanos",
    )
)

_LOGICAL = {
    "timestamp-millis": "epoch milliseconds or ISO 8601 text with an offset",
    "timestamp-micros": "epoch milliseconds or ISO 8601 text with an offset",
    "local-timestamp-millis": "ISO 8601 text without an offset (a wall-clock time)",
    "local-timestamp-micros": "ISO 8601 text without an offset (a wall-clock time)",
    "timestamp-nanos": "ISO 8601 text with an offset",
    "local-timestamp-nanos": "ISO 8601 text without an offset (a wall-clock time)",
    "date": "an ISO 8601 date such as 2024-05-01",
    "time-millis": "an ISO 8601 time of day such as 12:00:00.250",
    "time-micros": "an ISO 8601 time of day such as 12:00:00.250",
    "uuid": "a UUID string such as 6f1c1e3a-4c1b-4e0f-9a51-0c2f1a7d9e11",
    "duration": "an object of months, days and millis",
}

_PRIMITIVE = {
    "null": "null",
    "boolean": "true or false",
    "int": "a whole number from -2147483648 to 2147483647",
    "long": "a whole number from -9223372036854775808 to 9223372036854775807",
    "float": "a number",
    "double": "a number",
    "string": "a string",
    "bytes": "base64 text",
}


def _expected(schema: Any, named: Mapping[str, Any]) -> str:
    """What a field of this Avro type takes, in the payload's terms (JSON)."""
    if isinstance(schema, str) and schema in named:
        schema = named[schema]
    if isinstance(schema, list):
        # "null" last: the value that arrived was not null, so the other branches matter.
        named_first = [b for b in schema if b != "null"] + [b for b in schema if b == "null"]
        return " or ".join("null" if b == "null" else _expected(b, named) for b in named_first)
    kind = schema if isinstance(schema, str) else schema["type"]
    if isinstance(schema, str):
        return f"{_PRIMITIVE.get(kind, kind)} ({kind})"
    logical = schema.get("logicalType")
    if logical == "decimal":
        precision, scale = schema.get("precision", 0), schema.get("scale", 0)
        return (
            f"a decimal of at most {precision} digits, {scale} after the point, as a string "
            'such as "12.345" (exact) or a number'
        )
    if logical in _LOGICAL:
        return f"{_LOGICAL[logical]} ({logical})"
    if kind in ("record", "error"):
        return f"an object ({_short_name(schema)})"
    if kind == "enum":
        symbols = schema["symbols"]
        shown = ", ".join(symbols[:12]) + (", ..." if len(symbols) > 12 else "")
        return f"one of {shown} ({_short_name(schema)})"
    if kind == "array":
        return "a list"
    if kind == "map":
        return "an object"
    if kind == "fixed":
        return f"base64 text of {schema.get('size')} bytes"
    return f"{_PRIMITIVE.get(kind, kind)} ({kind})"


# ---------------------------------------------------------------------------------------------
# What the model itself refuses (after the walk: ranges, UUIDs, decimals), in the same words


def _model_problems(exc: ValueError, expected: Mapping[str, str]) -> list[tuple[str, str]]:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return [(_PAYLOAD, "does not fit the contract")]
    found = []
    for error in errors(include_input=False, include_url=False):
        path = _path(error.get("loc", ()))
        want = expected.get(path, "a value the contract allows")
        found.append((path, f"expected {want}, arrived {_refusal(error)}"))
    return found


def _refusal(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        # Our own types' reasons (types.py): about the value, never about Python.
        reason = str(ctx.get("error", "")) or "a value out of range"
        return f"a value that does not fit: {reason}"
    if kind.startswith("uuid"):
        return "a string that is not a UUID"
    if kind.startswith(("datetime", "date", "time")):
        return "text that is not such a date or time"
    if kind.startswith("decimal"):
        return "a decimal that does not fit those digits"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return "a number out of range"
    if kind.startswith(("string_too", "too_")):
        return "a value of the wrong length"
    if kind.startswith("bytes"):
        return "text that is not valid base64"
    return "a value of another kind"


def _path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _is_branch_tag(part):
            continue  # pydantic's name for a union branch or a validator step, not a field
        else:
            path = _join(path, str(part))
    return path or _PAYLOAD


def _is_branch_tag(part: Any) -> bool:
    text = str(part)
    return (text.endswith("]") and "[" in text) or text.startswith("function-")
