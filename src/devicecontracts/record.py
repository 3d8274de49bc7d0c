"""`AvroRecord`, the base class of every generated record model.

Generated models (``devicecontracts.models`` and what ``python -m codegen`` writes for other
teams) subclass it, so this module is on the runtime import path: it imports pydantic but never
fastavro at import time (fastavro, and the read plans of ``devicecontracts._runtime``, are
imported on first use), and nothing from the governance or testing side. The field types the
models annotate their fields with live in `devicecontracts.types`.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict

__all__ = ["AvroRecord"]

_SCHEMAS: dict[type, Any] = {}
_PARSED: dict[type, Any] = {}
_RESOLVING: dict[type, Any] = {}
# One entry per model class: bounded by the classes a process defines.


class AvroRecord(BaseModel):
    """Base class of the generated record models.

    A generated model *is* its Avro schema: `avro_schema_json` is the exact standalone schema
    (references inlined), `avro_fingerprint` the SHA-256 of its Parsing Canonical Form, and
    `to_avro_dict` / `from_avro_dict` convert field by field to and from exactly what fastavro
    writes and reads for it, union branches named so they survive the round trip.

    Models validate on construction and on assignment, reject unknown fields, and accept both
    attribute names and Avro field names (``class_`` and ``class``); dumps use the Avro names.

    ``model_dump_json()`` is always RFC 8259 JSON, which has no NaN or infinities: a ``float``
    or ``double`` field holding one is written as the JSON *string* ``"NaN"``, ``"Infinity"``
    or ``"-Infinity"`` (pydantic's ``ser_json_inf_nan="strings"``). Strings keep the value,
    where ``null`` would make a reading indistinguishable from a missing one; they are the
    spelling the proto3 JSON mapping and Jackson use, what ``Number()`` in JavaScript and
    ``Double.parseDouble`` in Java read back, and ``model_validate_json`` reads them back too.
    A consumer that needs numbers only must treat these three strings as non-finite values.
    Bytes and fixed values are written in base64.
    """

    model_config = ConfigDict(
        defer_build=True,
        extra="forbid",
        validate_assignment=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        protected_namespaces=(),
        ser_json_bytes="base64",
        val_json_bytes="base64",
        ser_json_inf_nan="strings",
    )

    avro_name: ClassVar[str] = ""
    """The record's Avro full name."""
    avro_fingerprint: ClassVar[str] = ""
    """``sha256:`` and the hex SHA-256 of the schema's Parsing Canonical Form."""
    avro_schema_json: ClassVar[str] = ""
    """The record's standalone Avro schema as JSON text."""

    def to_avro_dict(self) -> dict[str, Any]:
        """The record as fastavro writes it: wire field names, union branches as tuples."""
        raise NotImplementedError  # every generated model overrides it

    @classmethod
    def from_avro_dict(cls, data: Mapping[str, Any]) -> Self:
        """A model from what fastavro reads (``return_named_type=True`` keeps union branches).

        Also accepts `to_avro_dict` output and untagged union values (then same-shaped record
        branches cannot be told apart: the first one that fits is taken).
        """
        raise NotImplementedError  # every generated model overrides it

    @classmethod
    def avro_defaults(cls) -> dict[str, Any]:
        """The record's field defaults, by Avro field name, in the form fastavro writes."""
        return {}

    @classmethod
    def avro_schema(cls) -> Any:
        """The record's Avro schema as parsed JSON, loaded once per class (do not modify it)."""
        schema = _SCHEMAS.get(cls)
        if schema is None:
            schema = _SCHEMAS[cls] = json.loads(cls.avro_schema_json)
        return schema

    @classmethod
    def parsed_avro_schema(cls) -> Any:
        """The schema parsed by ``fastavro.parse_schema``, once per class, on first use."""
        parsed = _PARSED.get(cls)
        if parsed is None:
            from fastavro import parse_schema

            # parse_schema builds new dicts: the shared JSON of avro_schema stays untouched.
            parsed = _PARSED[cls] = parse_schema(cls.avro_schema())
        return parsed

    def to_avro_bytes(self) -> bytes:
        """Avro binary of this record without any framing (``fastavro.schemaless_writer``)."""
        from fastavro import schemaless_writer

        out = io.BytesIO()
        schemaless_writer(out, type(self).parsed_avro_schema(), self.to_avro_dict())
        return out.getvalue()

    @classmethod
    def from_avro_bytes(
        cls, data: bytes, *, writer_schema: str | Mapping[str, Any] | type[Any] | None = None
    ) -> Self:
        """A model from unframed Avro binary, with the serde's guards.

        ``writer_schema`` is the schema the bytes were written with when it is not this
        model's: schema JSON text, the schema as a dict (fastavro-parsed or not), or a model
        class. Avro schema resolution then reads them into this model (defaults for missing
        fields, enum defaults for unknown symbols). Model classes and JSON text are prepared
        once per process; a dict is prepared on every call.

        Bad bytes raise a `devicecontracts.errors.DecodeError` (`TruncatedMessage`,
        `CorruptPayload`, `SchemaMismatch`), bytes left over after the record included; the
        cost is linear in ``len(data)``.
        """
        from devicecontracts._runtime.plans import plan_for

        message: Self = plan_for(cls, writer_schema).decode(data, start=0)  # type: ignore[assignment]
        return message

    @classmethod
    def avro_resolving_schema(cls) -> Any:
        """The model's parsed schema with every field default in fastavro's read form.

        For a field the writer lacks, fastavro's reader fills in the reader's JSON default as
        it is: a timestamp as an int, a decimal or bytes as a string. Here each record of the
        schema gets its model class's `avro_defaults` instead, once per class. Pass it as
        fastavro's reader schema (do not modify it).
        """
        resolving = _RESOLVING.get(cls)
        if resolving is None:
            resolving = _RESOLVING[cls] = _with_model_defaults(cls)
        return resolving


def _with_model_defaults(model: type[AvroRecord]) -> Any:
    from fastavro import parse_schema

    module = sys.modules[model.__module__]
    classes = {
        c.avro_name: c
        for c in vars(module).values()
        if isinstance(c, type) and issubclass(c, AvroRecord) and c.avro_name
    }
    classes[model.avro_name] = model
    resolving = parse_schema(model.avro_schema())
    stack: list[Any] = [resolving]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node.get("type") == "record" and node.get("name") in classes:
                defaults = classes[node["name"]].avro_defaults()
                for field in node["fields"]:
                    if "default" in field and field["name"] in defaults:
                        field["default"] = defaults[field["name"]]
            stack.extend(v for k, v in node.items() if k in ("type", "fields", "items", "values"))
    return resolving
