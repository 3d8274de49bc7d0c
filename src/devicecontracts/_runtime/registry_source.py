"""The last resort of writer-schema lookup: Schema Registry, through confluent-kafka's client.

Imported only when a schema id is neither cached nor released to the configured environment, so
a consumer that never needs it never pays for ``confluent_kafka.schema_registry`` (about 220 ms
and 35 MiB at import). References are fetched and inlined, so the result is one standalone
schema, parsed by devicecontracts' own parser (lenient, as the registry treats stored schemas).

Configured exactly as the CLI is: `RegistrySettings` builds the client's config, whose URL
carries no user info (credentials travel as ``basic.auth.user.info`` or bearer settings, so the
HTTP layer's logging never shows them), and failures become `RegistryError` subclasses through
the map in ``devicecontracts.registry._errors``, with every secret masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devicecontracts.errors import (
    DeviceContractsError,
    RegistryConfigError,
    RegistryRequestError,
    RegistryUnreachableError,
)
from devicecontracts.registry._errors import failure
from devicecontracts.registry.settings import (
    RegistrySettings,
    clean_client_config,
    new_client,
    redact,
    scrub_url,
)

__all__ = ["REFERENCES_KEPT", "RegistrySchema", "RegistrySource"]

REFERENCES_KEPT = 256
"""How many referenced schemas (subject and version) a source keeps parsed."""


@dataclass(frozen=True, slots=True)
class RegistrySchema:
    """A schema fetched by id: standalone JSON (references inlined) and its fingerprint."""

    schema_id: int
    source: Any
    fingerprint: str
    name: str


class RegistrySource:
    """Fetches schemas by id from one registry.

    ``registry`` is `RegistrySettings` (what ``WriterSchemas.from_environment`` passes), a URL,
    a confluent-kafka client config (``url``, ``basic.auth.user.info``, ...; user info in the
    URL is moved to basic auth), or a ready client. The client is built on first use.
    """

    def __init__(self, registry: Any) -> None:
        self._client: Any = None
        self._conf: dict[str, Any] | None = None
        self._timeout: float | None = None
        self._retries: int | None = None
        self._secrets: tuple[str, ...] = ()
        if isinstance(registry, RegistrySettings):
            self._conf, self._secrets = registry.client_config(), registry.secrets
            self._timeout, self._retries = registry.timeout, registry.retries
        elif isinstance(registry, (str, Mapping)):
            given = {"url": registry} if isinstance(registry, str) else registry
            if not given.get("url"):
                raise RegistryConfigError("the schema registry config has no 'url'")
            self._conf, self._secrets = clean_client_config(given)
            retries, timeout = self._conf.get("max.retries"), self._conf.get("timeout")
            self._retries = retries if isinstance(retries, int) else None
            self._timeout = float(timeout) if isinstance(timeout, (int, float)) else None
        else:
            self._client = registry
            rest = getattr(registry, "_rest_client", None)
            urls = getattr(rest, "base_urls", None) or ["the configured registry"]
            self.url = scrub_url(str(urls[0]))
        if self._conf is not None:
            self.url = str(self._conf["url"])
        self._references: dict[tuple[str, int], Any] = {}

    def _registry_client(self) -> Any:
        if self._client is None:
            self._client = new_client(self._conf or {}, self._secrets)
        return self._client

    def fetch(self, schema_id: int) -> RegistrySchema | None:
        """The schema registered with ``schema_id``, or None when the registry has no such id.

        Any other failure is a `RegistryError` (the record is fine; the registry is not).
        """
        from devicecontracts.schema import parse_schema

        operation = f"fetching schema id {schema_id} from {self.url}"
        try:
            client = self._registry_client()
            try:
                schema = client.get_schema(schema_id)
            except Exception as exc:
                if getattr(exc, "http_status_code", None) == 404:
                    return None
                raise
            if (schema.schema_type or "AVRO") != "AVRO":
                raise RegistryRequestError(
                    f"schema id {schema_id} is a {schema.schema_type} schema, not Avro",
                    operation=operation,
                )
            named = self._named_types(schema.references or [])
            parsed = parse_schema(schema.schema_str, named_types=named, strict=False)
        except DeviceContractsError:
            raise
        except Exception as exc:
            raise self._failure(exc, operation) from None
        return RegistrySchema(
            schema_id, parsed.to_json(), parsed.fingerprint, getattr(parsed.root, "fullname", "")
        )

    def _failure(self, exc: Exception, operation: str) -> DeviceContractsError:
        def masked(text: str) -> str:
            return redact(text, self._secrets)

        known = failure(
            exc,
            operation,
            url=self.url,
            timeout=self._timeout,
            retries=self._retries,
            redact=masked,
        )
        if known is not None:
            return known
        # The client's failures have no common base; whatever it raised, the record is fine.
        return RegistryUnreachableError(
            masked(f"{operation}: no usable answer ({type(exc).__name__})"), operation=operation
        )

    def _named_types(self, references: list[Any]) -> dict[str, Any]:
        """Every named type the references define, their own references first."""
        from devicecontracts.schema import parse_schema

        named: dict[str, Any] = {}
        for ref in references:
            key = (str(ref.subject), int(ref.version))
            parsed = self._references.get(key)
            if parsed is None:
                registered = self._registry_client().get_version(ref.subject, ref.version)
                inner = self._named_types(registered.schema.references or [])
                parsed = parse_schema(registered.schema.schema_str, named_types=inner, strict=False)
                if len(self._references) >= REFERENCES_KEPT:
                    self._references.pop(next(iter(self._references)))
                self._references[key] = parsed
            for name, definition in parsed.named.items():
                named.setdefault(name, definition)
        return named
