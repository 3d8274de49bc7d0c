"""handler.py: an AWS Lambda consumer of fleet.telemetry (Amazon MSK or self-managed Kafka).

Deploy it with the lock file and set DEVICECONTRACTS_ENVIRONMENT=prod and
DEVICECONTRACTS_LOCK=contracts.lock.json; turn on ReportBatchItemFailures on the trigger.
(The README's example, kept here so the tests run it.)
"""

import logging

from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.models import Telemetry
from devicecontracts.serde import Deserializer

log = logging.getLogger(__name__)
deserializer = Deserializer(Telemetry)  # once per cold start; ids come from the lock
stored: list[Telemetry] = []


def store(telemetry: Telemetry) -> None:
    """Your processing; here it refuses devices whose id starts with "bad"."""
    if telemetry.header.device_id.startswith("bad"):
        raise RuntimeError("downstream refused the reading")
    stored.append(telemetry)


def handler(event, context):  # type: ignore[no-untyped-def]
    batch = decode_kafka_event(event, deserializer)
    for failure in batch.failures:  # poisoned records: typed errors naming partition and offset
        log.error("undecodable record: %s", failure.error)
    failed = []
    for message in batch.messages:  # every version old firmware sends, as the latest model
        try:
            store(message.value)
        except Exception:
            log.exception("could not process %s", message.record.item_identifier)
            failed.append(message)
    return batch.response(*failed)  # Lambda retries only these
