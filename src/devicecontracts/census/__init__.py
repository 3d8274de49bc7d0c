"""``contracts census``: what a topic carries on the wire, read from the records' headers.

Role: a governance shell around the pure report model (`devicecontracts.catalog.census`). It
reads a topic with confluent-kafka (imported when a census runs), looks only at each value's
5-byte Confluent header (bodies are decoded only to verify a sample), maps schema ids through
the lock of one environment or through a schema registry (its adapter imported only then),
and returns a `CensusReport`.

Modules:

* ``classify``: a value's schema id or unframed kind (pure, total);
* ``kafka``: Kafka settings (``--kafka-config``, ``-X``), their secrets, the masking logger,
  `CensusError` and `KafkaUnreachable`;
* ``ids``: `LockIds` and `RegistryIds`, mapping ids and giving writer schemas;
* ``reader``: `run_census`, the reading loop (assign, or a consumer group);
* ``table``: `format_report`, the report as text.

May import: the core (``catalog``, ``schema``, ``errors``), ``registry.settings`` (and the
registry adapter, lazily), confluent-kafka and fastavro lazily. Never the runtime's models,
click or ``cli``.
"""

from __future__ import annotations

__all__: list[str] = []
