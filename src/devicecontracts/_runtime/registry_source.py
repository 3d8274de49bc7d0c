"""The last resort of writer-schema lookup: Schema Registry, through confluent-kafka's client.

Imported only when a schema id is neither cached nor released to the configured environment, so
a consumer that never needs it never pays for ``confluent_kafka.schema_registry`` (about 220 ms
and 35 MiB at import). References are fetched and inlined, so the result is one standalone
schema, parsed by devicecontracts' own parser (lenient, as the registry treats stored schemas).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from devicecontracts.errors import (
    DeviceContractsError,
    RegistryAuthError,
    RegistryConfigError,
    RegistryError,
    RegistryRequestError,
    RegistryServerError,
    RegistryUnreachableError,
)

__all__ = ["RegistrySchema", "RegistrySource"]


@dataclass(frozen=True, slots=True)
class RegistrySchema:
    """A schema fetched by id: standalone JSON (references inlined) and its fingerprint."""

    schema_id: int
    source: Any
    fingerprint: str
    name: str


class RegistrySource:
    """Fetches schemas by id from one registry; ``registry`` is a client, a URL or a config.

    A config is what confluent-kafka's ``SchemaRegistryClient`` takes (``url``,
    ``basic.auth.user.info``, ...); the client is built on first use.
    """

    def __init__(self, registry: Any) -> None:
        if isinstance(registry, str):
            registry = {"url": registry}
        if isinstance(registry, Mapping):
            if not registry.get("url"):
                raise RegistryConfigError("the schema registry config has no 'url'")
            self._conf: dict[str, Any] | None = dict(registry)
            self._client: Any = None
            self.url = _safe_url(str(registry["url"]))
        else:
            self._conf = None
            self._client = registry
            conf = getattr(registry, "_rest_client", None)
            urls = getattr(conf, "base_urls", None) or ["the configured registry"]
            self.url = _safe_url(str(urls[0]))
        self._references: dict[tuple[str, int], Any] = {}

    def _registry_client(self) -> Any:
        if self._client is None:
            from confluent_kafka.schema_registry import SchemaRegistryClient

            self._client = SchemaRegistryClient.new_client(self._conf or {})
        return self._client

    def fetch(self, schema_id: int) -> RegistrySchema | None:
        """The schema registered with ``schema_id``, or None when the registry has no such id."""
        from confluent_kafka.schema_registry.error import SchemaRegistryError

        from devicecontracts.schema import parse_schema

        client = self._registry_client()
        operation = f"fetching schema id {schema_id} from {self.url}"
        try:
            schema = client.get_schema(schema_id)
            if (schema.schema_type or "AVRO") != "AVRO":
                raise RegistryRequestError(
                    f"schema id {schema_id} is a {schema.schema_type} schema, not Avro",
                    operation=operation,
                )
            named = self._named_types(schema.references or [], operation)
            parsed = parse_schema(schema.schema_str, named_types=named, strict=False)
        except SchemaRegistryError as exc:
            if exc.http_status_code == 404:
                return None
            raise _registry_error(exc, operation) from None
        except DeviceContractsError:
            raise
        except Exception as exc:  # the client's transport errors have no common base
            raise RegistryUnreachableError(
                f"no answer from {self.url} ({type(exc).__name__})", operation=operation
            ) from None
        return RegistrySchema(
            schema_id, parsed.to_json(), parsed.fingerprint, getattr(parsed.root, "fullname", "")
        )

    def _named_types(self, references: list[Any], operation: str) -> dict[str, Any]:
        """Every named type the references define, their own references first."""
        from devicecontracts.schema import parse_schema

        named: dict[str, Any] = {}
        for ref in references:
            key = (str(ref.subject), int(ref.version))
            parsed = self._references.get(key)
            if parsed is None:
                registered = self._registry_client().get_version(ref.subject, ref.version)
                inner = self._named_types(registered.schema.references or [], operation)
                parsed = parse_schema(registered.schema.schema_str, named_types=inner, strict=False)
                self._references[key] = parsed
            for name, definition in parsed.named.items():
                named.setdefault(name, definition)
        return named


def _registry_error(exc: Any, operation: str) -> RegistryError:
    status, code = exc.http_status_code, exc.error_code
    message = f"the registry refused: {exc.error_message} (HTTP {status}, error code {code})"
    kind: type[RegistryError] = RegistryRequestError
    if status in (401, 403):
        kind = RegistryAuthError
    elif isinstance(status, int) and status >= 500:
        kind = RegistryServerError
    elif not isinstance(status, int) or status <= 0:
        kind = RegistryUnreachableError
    return kind(message, operation=operation, status=status, error_code=code)


def _safe_url(url: str) -> str:
    """The URL without user info, so credentials in it are never printed."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
