"""Talking to Confluent Schema Registry: settings, secrets, and an adapter over confluent-kafka.

`RegistrySettings` says where the registry is and how to authenticate: URL, basic auth
(Confluent Cloud API key and secret), bearer token, TLS (CA bundle, client certificate),
timeout and retries. `RegistrySettings.from_env` reads the same environment variables the CLI
reads:

====================================  ==========================================================
``SCHEMA_REGISTRY_URL``               the registry (``https://host:8081``; a comma-separated
                                      list fails over; ``https://key:secret@host`` works too)
``SCHEMA_REGISTRY_API_KEY``           basic-auth user (a Confluent Cloud API key)
``SCHEMA_REGISTRY_API_SECRET``        basic-auth password (the API secret)
``SCHEMA_REGISTRY_BEARER_TOKEN``      a static OAuth bearer token, instead of a key and secret
``SCHEMA_REGISTRY_LOGICAL_CLUSTER``   Confluent Cloud logical cluster (``lsrc-…``) for bearer
``SCHEMA_REGISTRY_IDENTITY_POOL``     Confluent Cloud identity pool for bearer auth
``SCHEMA_REGISTRY_CA_BUNDLE``         CA certificates (file or folder) to verify the registry
``SCHEMA_REGISTRY_CLIENT_CERT``       client certificate (PEM) for mutual TLS
``SCHEMA_REGISTRY_CLIENT_KEY``        its private key (PEM), unless inside the certificate file
``SCHEMA_REGISTRY_TIMEOUT``           seconds per request (default 10)
``SCHEMA_REGISTRY_RETRIES``           retries on 5xx, 408, 429 and connection errors (default 3)
====================================  ==========================================================

Secrets (the API secret, the bearer token, a password in the URL) are kept out of ``repr`` and
masked by `RegistrySettings.redact` in every message this module produces; a password in the
URL is moved to basic auth, so the URL itself never carries it into logs.

`SchemaRegistry` is the adapter. It drives confluent-kafka's ``SchemaRegistryClient`` (imported
only when the first request is made, so ``import devicecontracts`` never loads it), which gives
the retries with exponential backoff and jitter, TLS and auth. Two endpoints go over the
client's own HTTP layer instead, with the same session, auth, TLS and retries, because the
client mangles them (see `SchemaRegistry.check` and `SchemaRegistry.lookup`). Every failure
becomes a `devicecontracts.errors.RegistryError` saying what was being done, what the registry
answered and what to do.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from devicecontracts.catalog.lock import Reference
from devicecontracts.errors import (
    Location,
    RegistryAuthError,
    RegistryConfigError,
    RegistryError,
    RegistryIncompatibleError,
    RegistryRequestError,
    RegistryServerError,
    RegistryTimeoutError,
    RegistryUnreachableError,
)
from devicecontracts.schema.compatibility import CompatibilityLevel

__all__ = [
    "ENVIRONMENT_VARIABLES",
    "RegisteredVersion",
    "RegistrySettings",
    "RegistryVerdict",
    "SchemaRegistry",
]

_log = logging.getLogger("devicecontracts.registry")
T = TypeVar("T")

ENVIRONMENT_VARIABLES: Mapping[str, str] = {
    "url": "SCHEMA_REGISTRY_URL",
    "api_key": "SCHEMA_REGISTRY_API_KEY",
    "api_secret": "SCHEMA_REGISTRY_API_SECRET",
    "bearer_token": "SCHEMA_REGISTRY_BEARER_TOKEN",
    "logical_cluster": "SCHEMA_REGISTRY_LOGICAL_CLUSTER",
    "identity_pool": "SCHEMA_REGISTRY_IDENTITY_POOL",
    "ca_bundle": "SCHEMA_REGISTRY_CA_BUNDLE",
    "client_cert": "SCHEMA_REGISTRY_CLIENT_CERT",
    "client_key": "SCHEMA_REGISTRY_CLIENT_KEY",
    "timeout": "SCHEMA_REGISTRY_TIMEOUT",
    "retries": "SCHEMA_REGISTRY_RETRIES",
}
"""Setting name -> environment variable, as `RegistrySettings.from_env` and the CLI read them."""

_MASK = "***"


@dataclass(frozen=True)
class RegistrySettings:
    """Where the registry is and how to reach it. Secrets never appear in ``repr``.

    ``url`` may hold ``user:password@``: they become ``api_key`` and ``api_secret`` and the
    stored URL loses them. ``retry_wait`` is the first backoff in seconds (full jitter,
    doubling up to ``retry_max_wait``). Raises `RegistryConfigError` for a URL that is not
    http(s), credentials given twice or half, or a client key without its certificate.
    """

    url: str
    api_key: str | None = None
    api_secret: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    logical_cluster: str | None = None
    identity_pool: str | None = None
    ca_bundle: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    timeout: float = 10.0
    retries: int = 3
    retry_wait: float = 0.25
    retry_max_wait: float = 5.0

    def __post_init__(self) -> None:
        # Secrets first: any message below is redacted with them.
        urls, user, password = _split_urls(self.url)
        if user is not None:
            if self.api_key or self.api_secret:
                raise RegistryConfigError(
                    "credentials are given twice: in the registry URL and as an API key and "
                    "secret; keep one (the environment variables are safer than the URL)"
                )
            object.__setattr__(self, "api_key", user)
            object.__setattr__(self, "api_secret", password or "")
        object.__setattr__(self, "url", ",".join(urls))
        for name in ("api_key", "api_secret", "bearer_token", "logical_cluster", "identity_pool"):
            if getattr(self, name) == "":
                object.__setattr__(self, name, None)
        if bool(self.api_key) != bool(self.api_secret):
            missing = "SCHEMA_REGISTRY_API_SECRET" if self.api_key else "SCHEMA_REGISTRY_API_KEY"
            raise RegistryConfigError(
                f"basic auth needs both an API key and its secret: set {missing} "
                "(or --api-key with --api-secret)"
            )
        if self.api_key and self.bearer_token:
            raise RegistryConfigError(
                "choose one way to authenticate: an API key and secret, or a bearer token"
            )
        if self.client_key and not self.client_cert:
            raise RegistryConfigError(
                "a client key needs its certificate: set --client-cert "
                "(SCHEMA_REGISTRY_CLIENT_CERT)"
            )
        if not self.timeout > 0:
            raise RegistryConfigError(f"the timeout must be positive, not {self.timeout}")
        if self.retries < 0:
            raise RegistryConfigError(f"retries must be 0 or more, not {self.retries}")

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> RegistrySettings:
        """Settings from ``SCHEMA_REGISTRY_*`` variables (see the module docstring).

        Keyword arguments that are not None win over the environment, as flags do.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, variable in ENVIRONMENT_VARIABLES.items():
            raw = env.get(variable)
            if raw:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        if not values.get("url"):
            raise RegistryConfigError(
                "no schema registry given: pass --registry URL or set SCHEMA_REGISTRY_URL"
            )
        for name in ("ca_bundle", "client_cert", "client_key"):
            if name in values:
                values[name] = Path(values[name])
        try:
            if "timeout" in values:
                values["timeout"] = float(values["timeout"])
            if "retries" in values:
                values["retries"] = int(values["retries"])
        except ValueError:
            raise RegistryConfigError(
                "SCHEMA_REGISTRY_TIMEOUT must be a number of seconds and "
                "SCHEMA_REGISTRY_RETRIES a whole number"
            ) from None
        return cls(**values)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every configured secret, in the forms it could be printed in."""
        found: set[str] = set()
        for secret in (self.api_secret, self.bearer_token):
            if secret:
                found.update({secret, quote(secret, safe=""), quote(secret)})
        if self.api_key and self.api_secret:
            found.add(base64.b64encode(f"{self.api_key}:{self.api_secret}".encode()).decode())
        return tuple(sorted(found, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self.secrets:
            text = text.replace(secret, _MASK)
        return text

    @property
    def display(self) -> str:
        """The registry as people should see it: the URL, and how we authenticate."""
        if self.api_key:
            how = f" (basic auth as {self.api_key})"
        elif self.bearer_token:
            how = " (bearer token)"
        else:
            how = ""
        return self.url + how

    def client_config(self) -> dict[str, Any]:
        """The configuration dict of confluent-kafka's ``SchemaRegistryClient``."""
        config: dict[str, Any] = {
            "url": self.url,
            "timeout": self.timeout,
            "max.retries": self.retries,
            "retries.wait.ms": int(self.retry_wait * 1000),
            "retries.max.wait.ms": int(self.retry_max_wait * 1000),
        }
        if self.api_key and self.api_secret:
            config["basic.auth.user.info"] = f"{self.api_key}:{self.api_secret}"
        if self.bearer_token:
            config["bearer.auth.credentials.source"] = "STATIC_TOKEN"
            config["bearer.auth.token"] = self.bearer_token
            # The client requires a logical cluster key; self-managed registries ignore it.
            config["bearer.auth.logical.cluster"] = self.logical_cluster or ""
            if self.identity_pool:
                config["bearer.auth.identity.pool.id"] = self.identity_pool
        if self.ca_bundle is not None:
            config["ssl.ca.location"] = str(self.ca_bundle)
        if self.client_cert is not None:
            config["ssl.certificate.location"] = str(self.client_cert)
        if self.client_key is not None:
            config["ssl.key.location"] = str(self.client_key)
        return config


def _split_urls(raw: str) -> tuple[list[str], str | None, str | None]:
    """The URLs without userinfo, and the user and password one of them carried."""
    urls: list[str] = []
    user: str | None = None
    password: str | None = None
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        split = urlsplit(part)
        if split.scheme not in ("http", "https") or not split.hostname:
            shown = urlunsplit(split._replace(netloc=split.netloc.rpartition("@")[2]))
            raise RegistryConfigError(
                f"the registry URL {shown!r} is not an http(s) URL such as "
                "https://psrc-xxxx.europe-west1.gcp.confluent.cloud"
            )
        if split.username is not None:
            user = unquote(split.username)
            password = unquote(split.password or "")
        urls.append(urlunsplit(split._replace(netloc=split.netloc.rpartition("@")[2])).rstrip("/"))
    if not urls:
        raise RegistryConfigError("the registry URL is empty: pass --registry URL")
    return urls, user, password


@dataclass(frozen=True)
class RegisteredVersion:
    """A version as the registry holds it: subject, version number, global id, schema text."""

    subject: str
    version: int
    schema_id: int
    schema: str | None = None
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class RegistryVerdict:
    """The registry's compatibility verdict on a schema, with its verbose messages."""

    compatible: bool
    messages: tuple[str, ...] = ()


class _Refused:
    """An expected refusal (such as 40401 for a subject that does not exist yet)."""

    def __init__(self, error_code: int) -> None:
        self.error_code = error_code


class SchemaRegistry:
    """One registry, reached through confluent-kafka's client; use it as a context manager.

    Methods name what they do, take subjects and schema text, and raise `RegistryError`
    subclasses; answers that mean "not there" (40401, 40403, 40408) come back as ``None`` or
    empty values where that is a normal answer.
    """

    def __init__(self, settings: RegistrySettings) -> None:
        self.settings = settings
        self._client: Any = None

    def __enter__(self) -> SchemaRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the HTTP connections."""
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:  # closing must never hide the outcome of the run
                _log.debug("closing the registry client failed", exc_info=False)

    # -- reading --------------------------------------------------------------------------------

    def global_level(self) -> CompatibilityLevel:
        """The registry's global compatibility level."""
        level = self._run("reading the global compatibility level", self.client.get_compatibility)
        return _level(level, "the global level")

    def subject_level(self, subject: str) -> CompatibilityLevel | None:
        """The subject's own level, or None when it has none (40408: it uses the global one)."""
        answer = self._attempt(
            f"reading the compatibility level of {subject}",
            lambda: self.client.get_compatibility(subject),
            Location(subject=subject),
            allow=(40408, 40401),
        )
        return None if isinstance(answer, _Refused) else _level(answer, subject)

    def versions(self, subject: str, *, deleted: bool = False) -> list[int]:
        """The subject's version numbers (soft-deleted ones too with ``deleted``); [] if none."""
        answer = self._attempt(
            f"listing the versions of {subject}",
            lambda: self.client.get_versions(subject, deleted=deleted),
            Location(subject=subject),
            allow=(40401,),
        )
        return [] if isinstance(answer, _Refused) else sorted(int(v) for v in answer)

    def version(self, subject: str, version: int) -> RegisteredVersion:
        """One registered version of the subject (soft-deleted ones included)."""

        def read() -> RegisteredVersion:
            found = self.client.get_version(subject, version, deleted=True)
            return RegisteredVersion(
                subject,
                int(found.version),
                int(found.schema_id),
                found.schema.schema_str,
                tuple(
                    Reference(r.name, r.subject, int(r.version)) for r in found.schema.references
                ),
            )

        return self._run(
            f"reading {subject} version {version}", read, Location(subject=subject, version=version)
        )

    def lookup(
        self,
        subject: str,
        schema: str,
        references: Sequence[Reference] = (),
        *,
        deleted: bool = True,
    ) -> RegisteredVersion | None:
        """The version of ``subject`` holding a schema identical to ``schema``, or None.

        This is the registry's own notion of "identical" (``POST /subjects/{s}``), so what it
        finds is exactly what registering would return. ``deleted`` includes soft-deleted
        versions.
        """
        # Straight over the client's HTTP layer: ``lookup_schema`` answers from a cache keyed
        # by schema (stale once we have registered in this run) and spells booleans "True".
        answer = self._attempt(
            f"looking up {subject}",
            lambda: _registered(
                self._send(
                    "POST",
                    f"subjects/{quote(subject, safe='')}",
                    body=_schema_body(schema, references),
                    query={"deleted": "true" if deleted else "false"},
                ),
                subject,
                schema,
            ),
            Location(subject=subject),
            allow=(40401, 40403),
        )
        return None if isinstance(answer, _Refused) else answer

    def check(
        self, subject: str, schema: str, references: Sequence[Reference] = ()
    ) -> RegistryVerdict:
        """The registry's verdict on registering ``schema`` now, with its reasons.

        ``POST /compatibility/subjects/{s}/versions?verbose=true``: the same check register runs
        (every live version at a transitive level), not the ``/versions/latest`` form that
        ignores transitive levels. An invalid schema is a verdict too (the registry's messages
        say why).
        """
        # Straight over the client's HTTP layer: the client's ``test_compatibility*`` return
        # only the boolean and drop the verbose messages, which are the point.
        answer = self._attempt(
            f"checking {subject} for compatibility",
            lambda: _verdict(
                self._send(
                    "POST",
                    f"compatibility/subjects/{quote(subject, safe='')}/versions",
                    body=_schema_body(schema, references),
                    query={"verbose": "true"},
                )
            ),
            Location(subject=subject),
            allow=(40401,),
        )
        # Some registries (Karapace) answer 40401 where Confluent says a new subject is fine.
        return RegistryVerdict(True) if isinstance(answer, _Refused) else answer

    # -- writing --------------------------------------------------------------------------------

    def register(
        self, subject: str, schema: str, references: Sequence[Reference] = ()
    ) -> RegisteredVersion:
        """Register ``schema`` under ``subject``; the version and id the registry gave it.

        Older registries answer only the id; the version is then looked up.
        """
        from confluent_kafka.schema_registry import Schema, SchemaReference

        request = Schema(
            schema, "AVRO", [SchemaReference(r.name, r.subject, r.version) for r in references]
        )
        where = Location(subject=subject)
        operation = f"registering a new version of {subject}"
        answer = self._run(
            operation, lambda: self.client.register_schema_full_response(subject, request), where
        )
        if answer.version is not None:
            return RegisteredVersion(
                subject, int(answer.version), int(answer.schema_id), schema, tuple(references)
            )
        found = self.lookup(subject, schema, references, deleted=False)
        if found is None or found.schema_id != answer.schema_id:
            raise RegistryRequestError(
                f"{operation}: the registry answered id {answer.schema_id} but does not list "
                "the schema under the subject",
                where,
                operation=operation,
            )
        return found

    def set_level(self, subject: str, level: CompatibilityLevel) -> None:
        """Set the subject's own compatibility level (works before its first version)."""
        self._run(
            f"setting the compatibility level of {subject} to {level.value}",
            lambda: self.client.set_compatibility(subject, level.value),
            Location(subject=subject),
        )

    def clear_level(self, subject: str) -> None:
        """Remove the subject's own level, so the global level applies again."""
        self._attempt(
            f"removing the compatibility level of {subject}",
            lambda: self.client.delete_config(subject),
            Location(subject=subject),
            allow=(40408, 40401),
        )

    # -- machinery ------------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        """confluent-kafka's ``SchemaRegistryClient``, created on first use."""
        if self._client is None:
            try:
                from confluent_kafka.schema_registry import SchemaRegistryClient
            except ImportError:
                raise RegistryConfigError(
                    "talking to a schema registry needs confluent-kafka: "
                    "pip install 'devicecontracts[registry]'"
                ) from None
            try:
                self._client = SchemaRegistryClient(self.settings.client_config())
            except (ValueError, TypeError, OSError) as exc:
                raise RegistryConfigError(
                    self.settings.redact(f"cannot configure the registry client: {exc}")
                ) from None
        return self._client

    def _send(
        self, method: str, path: str, *, body: Any = None, query: dict[str, str] | None = None
    ) -> Any:
        # The client's own REST layer: the same httpx session, auth, TLS, bearer headers,
        # retries and URL failover as every other call.
        return self.client._rest_client.send_request(path, method, body=body, query=query)

    def _run(self, operation: str, call: Callable[[], T], where: Location | None = None) -> T:
        answer = self._attempt(operation, call, where, allow=())
        assert not isinstance(answer, _Refused)
        return answer

    def _attempt(
        self,
        operation: str,
        call: Callable[[], T],
        where: Location | None,
        *,
        allow: Sequence[int],
    ) -> T | _Refused:
        """``call()``, with every failure turned into a `RegistryError`, except refusals whose
        error code is in ``allow``: those come back as `_Refused`."""
        self.client  # noqa: B018 - configuration errors first, outside the request handling
        from confluent_kafka.schema_registry.error import SchemaRegistryError

        timeout_error, transport_error = _transport_errors()
        _log.debug("registry: %s", operation)
        try:
            return call()
        except SchemaRegistryError as exc:
            if exc.error_code in allow:
                return _Refused(int(exc.error_code))
            raise self._refusal(operation, exc, where) from None
        except timeout_error:
            raise RegistryTimeoutError(
                self._say(
                    f"{operation}: no answer from {self.settings.url} within "
                    f"{self.settings.timeout:g} s ({self._tries}); raise --timeout "
                    "(SCHEMA_REGISTRY_TIMEOUT) or check the registry's health"
                ),
                where,
                operation=operation,
            ) from None
        except transport_error as exc:
            raise RegistryUnreachableError(
                self._say(
                    f"{operation}: cannot reach the registry at {self.settings.url}: "
                    f"{_reason(exc)} ({self._tries}); check --registry (SCHEMA_REGISTRY_URL), "
                    "the network and TLS settings"
                ),
                where,
                operation=operation,
            ) from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self._unexpected(operation, exc, where) from None

    @property
    def _tries(self) -> str:
        n = self.settings.retries
        return f"after {n} retr{'y' if n == 1 else 'ies'}" if n else "no retries"

    def _say(self, message: str) -> str:
        return self.settings.redact(message)

    def _unexpected(
        self, operation: str, detail: object, where: Location | None = None
    ) -> RegistryError:
        return RegistryRequestError(
            self._say(
                f"{operation}: unexpected answer from {self.settings.url} ({detail}); is it a "
                "Confluent-compatible schema registry?"
            ),
            where,
            operation=operation,
        )

    def _refusal(self, operation: str, exc: Any, where: Location | None) -> RegistryError:
        status = int(exc.http_status_code)
        code = int(exc.error_code) if exc.error_code is not None else None
        detail = str(exc.error_message or "").strip()
        said = f" (HTTP {status}" + (f", error code {code})" if code not in (None, -1) else ")")
        kwargs: dict[str, Any] = {"operation": operation, "status": status, "error_code": code}
        if status == 401:
            return RegistryAuthError(
                self._say(
                    f"{operation}: the registry refused the credentials{said}: "
                    f"{detail or 'no message'}; set SCHEMA_REGISTRY_API_KEY and "
                    "SCHEMA_REGISTRY_API_SECRET (or SCHEMA_REGISTRY_BEARER_TOKEN) to credentials "
                    "valid for this registry"
                ),
                where,
                **kwargs,
            )
        if status == 403:
            return RegistryAuthError(
                self._say(
                    f"{operation}: the credentials are not allowed to do this{said}: {detail}; "
                    "grant the principal access to the subject (read for check, write for "
                    "register)"
                ),
                where,
                **kwargs,
            )
        if status == 409:
            return RegistryIncompatibleError(
                self._say(
                    f"{operation}: the registry refused the schema as incompatible{said}: {detail}"
                ),
                where,
                **kwargs,
            )
        if status >= 500 or status in (408, 429):
            return RegistryServerError(
                self._say(
                    f"{operation}: the registry failed{said} and kept failing ({self._tries}): "
                    f"{detail or 'no message'}; try again later or check the registry's health"
                ),
                where,
                **kwargs,
            )
        meaning = _MEANINGS.get(code or 0, "the registry refused the request")
        return RegistryRequestError(
            self._say(f"{operation}: {meaning}{said}: {detail or 'no message'}"),
            where,
            **kwargs,
        )


_MEANINGS = {
    40401: "the subject is not in the registry",
    40402: "the version is not in the registry",
    40403: "the schema is not in the registry",
    40404: "the subject was soft-deleted",
    40406: "the version was soft-deleted",
    40408: "the subject has no compatibility level of its own",
    42201: "the registry rejected the schema as invalid",
    42202: "the registry rejected the version as invalid",
    42203: "the registry rejected the compatibility level as invalid",
    42204: "the registry rejected the mode as invalid",
    42205: "the registry does not permit this operation (is the subject or registry READONLY?)",
    42206: "the version is referenced by other schemas",
}


def _transport_errors() -> tuple[type[Exception], type[Exception]]:
    """httpx's TimeoutException and TransportError, from whichever httpx the client uses."""
    try:
        from confluent_kafka.schema_registry.common._httpx_compat import httpx
    except ImportError:  # older clients import httpx directly
        import httpx  # type: ignore[import-not-found, no-redef]
    return httpx.TimeoutException, httpx.TransportError


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def _level(raw: object, what: str) -> CompatibilityLevel:
    try:
        return CompatibilityLevel.parse(str(raw))
    except ValueError:
        raise RegistryRequestError(
            f"the registry answered an unknown compatibility level {raw!r} for {what}"
        ) from None


def _schema_body(schema: str, references: Sequence[Reference]) -> dict[str, Any]:
    body: dict[str, Any] = {"schema": schema, "schemaType": "AVRO"}
    if references:
        body["references"] = [r.to_json() for r in references]
    return body


def _verdict(answer: Any) -> RegistryVerdict:
    return RegistryVerdict(
        bool(answer["is_compatible"]), tuple(str(m) for m in answer.get("messages") or ())
    )


def _registered(answer: Any, subject: str, schema: str) -> RegisteredVersion:
    refs = tuple(
        Reference(str(r["name"]), str(r["subject"]), int(r["version"]))
        for r in answer.get("references") or ()
    )
    return RegisteredVersion(
        str(answer.get("subject") or subject),
        int(answer["version"]),
        int(answer["id"]),
        answer.get("schema", schema),
        refs,
    )
