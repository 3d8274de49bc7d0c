"""The bridge step: a device's JSON payload, validated into the message model, as Avro.

Devices publish JSON over MQTT; AWS IoT Core's rule action forwards it as it is; a bridge (a
Lambda function, a Connect transform) validates it against the contract and produces it to
Kafka in Confluent's wire format, so that every consumer downstream reads typed, versioned
Avro::

    bridge = DeviceBridge(Telemetry, Serializer(WriterSchemas.from_environment()))

    def handler(event, context):                 # an IoT Core rule invoking Lambda
        try:
            value = bridge.to_avro(event)        # the payload as a dict, str or bytes
        except PayloadValidationError as exc:
            log.warning("rejected payload from %s: %s", event.get("header"), exc)
            return
        producer.produce("fleet.telemetry", value=value)

The JSON takes the models' JSON form: Avro field names, timestamps as ISO 8601 text or epoch
milliseconds, UUIDs as text, enum symbols as text, bytes as base64, a union as its branch's
value. A payload that does not fit raises `PayloadValidationError`, which lists every problem
with the path of its field (``readings[2].sampled_at``) and never repeats payload values, so it
is safe to log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Protocol, Self, TypeVar

from devicecontracts._runtime.plans import AvroModel
from devicecontracts.errors import PayloadValidationError
from devicecontracts.serde import Serializer

__all__ = ["DEFAULT_MAX_PAYLOAD", "DeviceBridge", "JSONModel", "validate_payload"]

DEFAULT_MAX_PAYLOAD = 256 * 1024
"""Largest payload accepted, in bytes: twice IoT Core's 128 KB message limit."""

_MAX_LISTED = 10


class JSONModel(AvroModel, Protocol):
    """A message model that validates JSON too: every generated (pydantic) model."""

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        """Validate Python data (pydantic)."""
        ...

    @classmethod
    def model_validate_json(cls, json_data: str | bytes) -> Self:
        """Validate JSON text (pydantic)."""
        ...


J = TypeVar("J", bound=JSONModel)


def validate_payload(
    model: type[J],
    payload: str | bytes | Mapping[str, Any],
    *,
    max_bytes: int = DEFAULT_MAX_PAYLOAD,
) -> J:
    """``payload`` (JSON text, or JSON already parsed into a dict) as a ``model``.

    `PayloadValidationError` lists every problem: invalid JSON, a missing field, a value of the
    wrong type or out of range, an unknown field.
    """
    name = model.__name__
    if isinstance(payload, (str, bytes, bytearray)):
        size = len(payload.encode() if isinstance(payload, str) else payload)
        if size > max_bytes:
            raise PayloadValidationError(
                f"the payload is {size} bytes, more than the {max_bytes} a {name} may have",
                (("(payload)", f"larger than {max_bytes} bytes"),),
            )
        validate: Any = model.model_validate_json
    elif isinstance(payload, Mapping):
        validate = model.model_validate
    else:
        raise PayloadValidationError(
            f"a {name} payload is JSON text or a JSON object, not {type(payload).__name__}",
            (("(payload)", f"not JSON: {type(payload).__name__}"),),
        )
    try:
        return validate(payload)  # type: ignore[no-any-return]
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        problems = _problems(exc)
        listed = "; ".join(f"{path}: {why}" for path, why in problems[:_MAX_LISTED])
        more = len(problems) - _MAX_LISTED
        if more > 0:
            listed += f"; and {more} more"
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise PayloadValidationError(
            f"the payload does not fit {name} ({count}): {listed}", tuple(problems)
        ) from None


def _problems(exc: ValueError) -> list[tuple[str, str]]:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return [("(payload)", str(exc))]
    found = []
    for error in errors(include_input=False, include_url=False, include_context=False):
        found.append((_path(error.get("loc", ())), _reason(error)))
    return found


def _path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _is_branch_tag(part):
            continue  # pydantic's name for a union branch or a validator step, not a field
        else:
            path += f".{part}" if path else str(part)
    return path or "(payload)"


def _is_branch_tag(part: Any) -> bool:
    text = str(part)
    return (text.endswith("]") and "[" in text) or text.startswith("function-")


def _reason(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "json_invalid":
        return "not valid JSON" + _json_position(error)
    if kind == "extra_forbidden":
        return "not a field of this message (check the spelling, or the firmware is newer)"
    return str(error.get("msg", kind))


def _json_position(error: Mapping[str, Any]) -> str:
    # pydantic reports "Invalid JSON: EOF while parsing a value at line 1 column 12".
    msg = str(error.get("msg", ""))
    _, _, where = msg.partition(": ")
    return f" ({where})" if where else ""


class DeviceBridge(Generic[J]):
    """Validates device JSON payloads into ``model`` and encodes them for Kafka.

    ``serializer`` frames the Avro body with the id of ``model``'s schema in the configured
    environment (see `Serializer`).
    """

    def __init__(
        self,
        model: type[J],
        serializer: Serializer | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_PAYLOAD,
    ) -> None:
        self.model = model
        self.serializer = Serializer() if serializer is None else serializer
        self.max_bytes = max_bytes

    def validate(self, payload: str | bytes | Mapping[str, Any]) -> J:
        """The payload as a model; `PayloadValidationError` listing every problem."""
        return validate_payload(self.model, payload, max_bytes=self.max_bytes)

    def to_avro(self, payload: str | bytes | Mapping[str, Any]) -> bytes:
        """The payload validated and encoded in Confluent's wire format, ready to produce."""
        return self.serializer.encode(self.validate(payload))
