"""Where Schema Registry is and how to authenticate, shared by the CLI and the runtime.

`RegistrySettings` holds the URL, basic auth (Confluent Cloud API key and secret), bearer token,
TLS (CA bundle, client certificate), timeout and retries. `RegistrySettings.from_env` reads the
environment variables below; ``contracts`` (the CLI) and ``WriterSchemas.from_environment``
(the runtime) both read exactly these:

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
masked by `RegistrySettings.redact` in every message built from them. A password in the URL is
moved to basic auth, so the URL handed to confluent-kafka's client (and logged by its HTTP
layer) never carries it; `clean_client_config` does the same for a client config written by
hand.

Imports only the standard library and ``devicecontracts.errors``: the runtime imports this
module on a Lambda cold start.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from devicecontracts.errors import RegistryConfigError

__all__ = [
    "ENVIRONMENT_VARIABLES",
    "MASK",
    "RegistrySettings",
    "clean_client_config",
    "new_client",
    "redact",
    "scrub_url",
    "secret_forms",
]

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

MASK: Final = "***"
"""What a secret is replaced with in any text shown to people."""


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

    @staticmethod
    def configured(environ: Mapping[str, str] | None = None) -> bool:
        """Whether the environment names a registry (``SCHEMA_REGISTRY_URL`` is set)."""
        env = os.environ if environ is None else environ
        return bool(env.get(ENVIRONMENT_VARIABLES["url"], "").strip())

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
        return secret_forms(self.api_key, self.api_secret, self.bearer_token)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        return redact(text, self.secrets)

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
        """The configuration dict of confluent-kafka's ``SchemaRegistryClient``.

        The URL carries no user info: credentials travel as ``basic.auth.user.info`` or bearer
        settings, which the client sends as headers and never logs.
        """
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


def secret_forms(
    api_key: str | None, api_secret: str | None, bearer_token: str | None = None
) -> tuple[str, ...]:
    """Every form these secrets could be printed in (plain, URL-quoted, in a Basic header),
    longest first so that redacting one form never leaves part of a longer one."""
    found: set[str] = set()
    for secret in (api_secret, bearer_token):
        if secret:
            found.update({secret, quote(secret, safe=""), quote(secret)})
    if api_key and api_secret:
        found.add(base64.b64encode(f"{api_key}:{api_secret}".encode()).decode())
    return tuple(sorted(found, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def scrub_url(url: str) -> str:
    """``url`` (or a comma-separated list of URLs) without user info, fit to be shown."""
    return ",".join(_without_userinfo(urlsplit(part.strip())) for part in url.split(","))


def clean_client_config(config: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A confluent-kafka client config whose URLs carry no user info, and its secrets.

    User info in ``url`` moves to ``basic.auth.user.info`` (as `RegistrySettings` does), so the
    client's HTTP layer never logs it; `RegistryConfigError` if basic auth is given twice.
    URLs of any scheme are accepted (``mock://`` is confluent-kafka's in-memory registry).
    """
    clean = dict(config)
    user: str | None = None
    password: str | None = None
    urls = []
    for part in str(config.get("url") or "").split(","):
        split = urlsplit(part.strip())
        if split.username is not None:
            user, password = unquote(split.username), unquote(split.password or "")
        urls.append(_without_userinfo(split))
    clean["url"] = ",".join(urls)
    if user is not None:
        if clean.get("basic.auth.user.info"):
            raise RegistryConfigError(
                "credentials are given twice: in the registry URL and as basic.auth.user.info"
            )
        clean["basic.auth.user.info"] = f"{user}:{password}"
    if user is None:
        user, _, password = str(clean.get("basic.auth.user.info") or "").partition(":")
    token = clean.get("bearer.auth.token")
    return clean, secret_forms(user or None, password or None, str(token) if token else None)


def new_client(config: Mapping[str, Any], secrets: Iterable[str] = ()) -> Any:
    """confluent-kafka's ``SchemaRegistryClient`` for ``config`` (``mock://`` URLs give its
    in-memory registry), imported only now; `RegistryConfigError` when it is not installed or
    refuses the config (the message redacted of ``secrets``)."""
    try:
        from confluent_kafka.schema_registry import SchemaRegistryClient
    except ImportError:
        raise RegistryConfigError(
            "talking to a schema registry needs confluent-kafka: "
            "pip install 'devicecontracts[registry]'"
        ) from None
    try:
        return SchemaRegistryClient.new_client(dict(config))
    except (ValueError, TypeError, KeyError, OSError) as exc:
        raise RegistryConfigError(
            redact(f"cannot configure the registry client: {exc}", secrets)
        ) from None


def _without_userinfo(split: Any) -> str:
    return str(urlunsplit(split._replace(netloc=split.netloc.rpartition("@")[2])))


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
            raise RegistryConfigError(
                f"the registry URL {_without_userinfo(split)!r} is not an http(s) URL such as "
                "https://psrc-xxxx.europe-west1.gcp.confluent.cloud"
            )
        if split.username is not None:
            user = unquote(split.username)
            password = unquote(split.password or "")
        urls.append(_without_userinfo(split).rstrip("/"))
    if not urls:
        raise RegistryConfigError("the registry URL is empty: pass --registry URL")
    return urls, user, password
