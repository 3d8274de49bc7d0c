"""handler.py: an AWS Lambda consumer of fleet.telemetry (Amazon MSK or self-managed Kafka).

Deploy it with contracts.lock.json and set DEVICECONTRACTS_ENVIRONMENT=prod,
DEVICECONTRACTS_LOCK=contracts.lock.json, DEVICECONTRACTS_DEAD_LETTER_TOPIC=fleet.telemetry.dlq
and DEVICECONTRACTS_DEAD_LETTER_BOOTSTRAP_SERVERS (the cluster's brokers). SCHEMA_REGISTRY_URL
(and its key and secret) lets it read writer versions released after it was deployed. Turn on
ReportBatchItemFailures on the trigger.
"""

import logging
from typing import Any

from devicecontracts.dead_letters import KafkaDeadLetters
from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.models import Telemetry
from devicecontracts.serde import Deserializer, WriterSchemas

log = logging.getLogger(__name__)

# Once per cold start; a missing setting fails here, not record by record.
schemas = WriterSchemas.from_environment()  # writer schemas by id: the lock's, then registry
deserializer = Deserializer(Telemetry, schemas=schemas)
dead_letters = KafkaDeadLetters.from_environment()  # config={...} adds the cluster's auth

stored: list[Telemetry] = []  # stands in for your database


def store(telemetry: Telemetry) -> None:
    """Your processing; here the downstream refuses devices whose id starts with "bad"."""
    if telemetry.header.device_id.startswith("bad"):
        raise RuntimeError("downstream refused the reading")
    stored.append(telemetry)


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    # Undecodable records go to the dead-letter topic, flushed before this returns.
    batch = decode_kafka_event(event, deserializer, dead_letters)
    failed = []
    for message in batch.messages:  # every version old firmware sends, as the latest model
        try:
            store(message.value)
        except Exception:
            log.exception("could not process %s", message.record.item_identifier)
            failed.append(message)
    return batch.response(*failed)  # Lambda retries only these
