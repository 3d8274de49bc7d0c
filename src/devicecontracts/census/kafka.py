"""Kafka client settings for a census: ``--kafka-config FILE`` and ``-X key=value``, the
secrets among them, and a logger that masks them.

A census never prints a secret: the values of every setting whose name says it holds one
(``sasl.password``, ``sasl.oauthbearer.client.secret``, ``ssl.key.password``,
``sasl.jaas.config``, ...) are masked in every message and every librdkafka log line, which
reach Python's logging (logger ``devicecontracts.census.kafka``) through a filter that masks
them too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

from devicecontracts.errors import DeviceContractsError, Location
from devicecontracts.registry.settings import redact

__all__ = [
    "CensusError",
    "LOGGER_NAME",
    "KafkaUnreachable",
    "is_secret",
    "kafka_logger",
    "parse_settings",
    "read_kafka_config",
    "secrets_of",
]

_SECRET_WORDS = ("password", "secret", "jaas", "token", "credential", ".pem", "oauthbearer.config")

LOGGER_NAME = "devicecontracts.census.kafka"


class CensusError(DeviceContractsError):
    """A census cannot run as asked: a bad start point, an unknown topic, bad Kafka settings,
    or a Kafka error that will not go away (the CLI exits 2)."""


class KafkaUnreachable(CensusError):
    """No Kafka broker answered within the time allowed (the CLI exits 3)."""


def is_secret(key: str) -> bool:
    """Whether the Kafka setting ``key`` holds a secret."""
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def secrets_of(config: Mapping[str, object]) -> tuple[str, ...]:
    """The secret values of ``config``, longest first (masking one never leaves part of
    another)."""
    found = {str(v) for k, v in config.items() if is_secret(k) and str(v)}
    return tuple(sorted(found, key=len, reverse=True))


def parse_settings(pairs: Iterable[str], where: str = "-X") -> dict[str, str]:
    """``key=value`` strings as settings; `CensusError` for one without ``=`` (the value is
    never shown: it may be a secret)."""
    settings: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            shown = key if sep else "a setting"
            raise CensusError(f"{where}: {shown} is not key=value (e.g. -X security.protocol=SSL)")
        settings[key] = value.strip()
    return settings


def read_kafka_config(path: Path) -> dict[str, str]:
    """A Kafka client properties file (``key=value`` lines, ``#`` and ``!`` comments), as
    Confluent Cloud and the Java clients write them."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CensusError(
            f"cannot read the Kafka config file: {getattr(exc, 'strerror', None) or exc}",
            Location(file=path.as_posix()),
        ) from None
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "!"))
    ]
    try:
        return parse_settings(lines, where=path.as_posix())
    except CensusError as exc:
        raise CensusError(exc.message, Location(file=path.as_posix())) from None


class _Masking(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message, self.secrets), ()
        return True


def kafka_logger(secrets: tuple[str, ...]) -> logging.Logger:
    """The logger librdkafka's log lines go to, masking ``secrets`` (one filter, replaced on
    each call)."""
    logger = logging.getLogger(LOGGER_NAME)
    for old in [f for f in logger.filters if isinstance(f, _Masking)]:
        logger.removeFilter(old)
    logger.addFilter(_Masking(secrets))
    return logger
