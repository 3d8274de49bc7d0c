"""Testing helpers for this repo and for teams that consume device messages (extra ``testing``).

Hypothesis strategies that generate values valid for an Avro schema, in the form fastavro writes
and reads, and helpers to property-test a consumer against every version of a message.

Generate values for a schema; the strategy's repr says how it was built:

>>> import json
>>> from hypothesis import find
>>> from devicecontracts.testing import from_avro_schema
>>> reading = json.dumps({
...     "type": "record", "name": "Reading", "namespace": "com.acme",
...     "fields": [
...         {"name": "sensor", "type": "string"},
...         {"name": "value", "type": ["null", "float"]},
...     ],
... })
>>> readings = from_avro_schema(reading, max_depth=2)
>>> readings
from_avro_schema('com.acme.Reading', max_depth=2)
>>> find(readings, lambda r: r["value"] is not None and r["value"] > 1)
{'sensor': '', 'value': 2.0}

Replace the strategy of one field (or one named type) and keep the rest:

>>> import hypothesis.strategies as st
>>> named = from_avro_schema(
...     reading, overrides={"com.acme.Reading.sensor": st.sampled_from(["t1", "t2"])}
... )
>>> find(named, lambda r: r["sensor"] == "t2")
{'sensor': 't2', 'value': None}

Bad arguments fail when the strategy is built, naming what would have been valid:

>>> from devicecontracts.testing import InvalidStrategyArgument
>>> try:
...     from_avro_schema(reading, overrides={"com.acme.Reading.sensr": st.just("x")})
... except InvalidStrategyArgument as error:
...     for part in str(error).split("; "):
...         print(part)
override 'com.acme.Reading.sensr' names no named type and no field of this schema
named types: com.acme.Reading
fields: com.acme.Reading.sensor, com.acme.Reading.value

Values survive fastavro's writer and reader; `values_equal` compares them (NaN equals NaN):

>>> from devicecontracts.schema import parse_schema
>>> from devicecontracts.testing import decode, encode, values_equal
>>> schema = parse_schema(reading)
>>> value = {"sensor": "t1", "value": float("nan")}
>>> values_equal(decode(encode(value, schema), schema), value)
True

For consumers, `contract_messages` draws messages of every version of a catalog subject,
encoded, and `kafka_event` wraps them in the event AWS Lambda receives from Kafka (MSK or
self-managed). The pytest plugin (``devicecontracts``, installed with this package) adds a
``--contracts-catalog`` option and the ``contracts_catalog``, ``contract_messages`` (a
`ContractMessages`) and ``contract_ids`` (a `ContractIds`: the ids the handler under test
resolves, to pass as ``kafka_event(..., schema_id=contract_ids)``) fixtures.

Importing this package is cheap: names load on first use, and only the strategies need
hypothesis.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devicecontracts.testing._errors import InvalidStrategyArgument
    from devicecontracts.testing._messages import (
        ContractIds,
        ContractMessages,
        Message,
        contract_messages,
        kafka_event,
    )
    from devicecontracts.testing._values import (
        as_read,
        decode,
        encode,
        fastavro_schema,
        untag,
        values_equal,
    )
    from devicecontracts.testing.strategies import from_avro_schema, from_model

__all__ = [
    "ContractIds",
    "ContractMessages",
    "InvalidStrategyArgument",
    "Message",
    "as_read",
    "contract_messages",
    "decode",
    "encode",
    "fastavro_schema",
    "from_avro_schema",
    "from_model",
    "kafka_event",
    "untag",
    "values_equal",
]

_WHERE = {
    "InvalidStrategyArgument": "devicecontracts.testing._errors",
    "ContractIds": "devicecontracts.testing._messages",
    "ContractMessages": "devicecontracts.testing._messages",
    "Message": "devicecontracts.testing._messages",
    "contract_messages": "devicecontracts.testing._messages",
    "kafka_event": "devicecontracts.testing._messages",
    "as_read": "devicecontracts.testing._values",
    "decode": "devicecontracts.testing._values",
    "encode": "devicecontracts.testing._values",
    "fastavro_schema": "devicecontracts.testing._values",
    "untag": "devicecontracts.testing._values",
    "values_equal": "devicecontracts.testing._values",
    "from_avro_schema": "devicecontracts.testing.strategies",
    "from_model": "devicecontracts.testing.strategies",
}


def __getattr__(name: str) -> Any:
    # Loaded on first use, so `devicecontracts.testing.<module>` imports without hypothesis.
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis":
            raise
        raise ModuleNotFoundError(
            f"devicecontracts.testing.{name} needs hypothesis: "
            "pip install 'devicecontracts[testing]'",
            name="hypothesis",
        ) from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
