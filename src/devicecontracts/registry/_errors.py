"""The one map from Schema Registry answers to devicecontracts' `RegistryError` classes.

The CLI's adapter (`devicecontracts.registry.SchemaRegistry`) and the runtime's writer lookup
(``devicecontracts._runtime.registry_source``) both turn what confluent-kafka's client raised
into an error here, so a status means the same thing and reads the same way on both paths:

=============================  =============================================================
401, 403                       `RegistryAuthError` (what to set, or what to grant)
409 (40901)                    `RegistryIncompatibleError`
5xx, 408, 429                  `RegistryServerError` (after the client's retries)
any other status               `RegistryRequestError`, saying what the error code means
no status, a transport error   `RegistryUnreachableError`
a timeout                      `RegistryTimeoutError`
an answer we cannot read       `RegistryRequestError` ("is it a Confluent-compatible registry?")
=============================  =============================================================

Every message goes through the caller's ``redact``, so no configured secret reaches it.
Imports nothing from confluent-kafka: the client's exceptions are recognised by their
attributes, and its HTTP library's from the modules the client already loaded.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from devicecontracts.errors import (
    Location,
    RegistryAuthError,
    RegistryError,
    RegistryIncompatibleError,
    RegistryRequestError,
    RegistryServerError,
    RegistryTimeoutError,
    RegistryUnreachableError,
)

__all__ = ["MEANINGS", "failure", "refusal", "tries"]

Redact = Callable[[str], str]

MEANINGS = {
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
"""Confluent error codes and what they mean, for messages."""


def _unchanged(text: str) -> str:
    return text


def tries(retries: int | None) -> str:
    """``after 3 retries``, ``no retries``; empty when the number is unknown."""
    if retries is None:
        return ""
    return f"after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else "no retries"


def refusal(
    operation: str,
    status: int | None,
    error_code: int | None,
    detail: str,
    where: Location | None = None,
    *,
    retries: int | None = None,
    redact: Redact = _unchanged,
) -> RegistryError:
    """The error for a registry that answered ``status`` and ``error_code`` to ``operation``."""
    status = int(status) if status is not None else None
    code = int(error_code) if error_code is not None else None
    detail = str(detail or "").strip()
    said = f" (HTTP {status}" + (f", error code {code})" if code not in (None, -1) else ")")
    kwargs: dict[str, Any] = {"operation": operation, "status": status, "error_code": code}
    kind: type[RegistryError]
    if status is None or status <= 0:  # the client answers for the registry: no HTTP exchange
        kind, message = RegistryUnreachableError, f"{operation}: no answer{said}: {detail}"
    elif status == 401:
        kind, message = (
            RegistryAuthError,
            f"{operation}: the registry refused the credentials{said}: "
            f"{detail or 'no message'}; set SCHEMA_REGISTRY_API_KEY and "
            "SCHEMA_REGISTRY_API_SECRET (or SCHEMA_REGISTRY_BEARER_TOKEN) to credentials "
            "valid for this registry",
        )
    elif status == 403:
        kind, message = (
            RegistryAuthError,
            f"{operation}: the credentials are not allowed to do this{said}: {detail}; "
            "grant the principal access to the subject (read for check and lookups, write for "
            "register)",
        )
    elif status == 409:
        kind = RegistryIncompatibleError
        message = f"{operation}: the registry refused the schema as incompatible{said}: {detail}"
    elif status >= 500 or status in (408, 429):
        done = tries(retries)
        kind, message = (
            RegistryServerError,
            f"{operation}: the registry failed{said} and kept failing"
            + (f" ({done})" if done else "")
            + f": {detail or 'no message'}; try again later or check the registry's health",
        )
    else:
        meaning = MEANINGS.get(code or 0, "the registry refused the request")
        kind, message = (
            RegistryRequestError,
            f"{operation}: {meaning}{said}: {detail or 'no message'}",
        )
    return kind(redact(message), where, **kwargs)


def failure(
    exc: BaseException,
    operation: str,
    where: Location | None = None,
    *,
    url: str,
    timeout: float | None = None,
    retries: int | None = None,
    redact: Redact = _unchanged,
) -> RegistryError | None:
    """The error for ``exc``, raised by a registry client while doing ``operation``.

    None when ``exc`` is none of the failures above (a bug to let through). ``url`` must
    already be free of user info.
    """
    if hasattr(exc, "http_status_code") and hasattr(exc, "error_code"):
        status = getattr(exc, "http_status_code", None)
        detail = str(getattr(exc, "error_message", "") or "")
        return refusal(
            operation,
            status if isinstance(status, int) else None,
            exc.error_code if isinstance(exc.error_code, int) else None,
            detail,
            where,
            retries=retries,
            redact=redact,
        )
    timeouts, transports = _transport_errors()
    done = tries(retries)
    after = f" ({done})" if done else ""
    if isinstance(exc, timeouts):
        within = f" within {timeout:g} s" if timeout is not None else ""
        return RegistryTimeoutError(
            redact(
                f"{operation}: no answer from {url}{within}{after}; raise --timeout "
                "(SCHEMA_REGISTRY_TIMEOUT) or check the registry's health"
            ),
            where,
            operation=operation,
        )
    if isinstance(exc, (*transports, OSError)):
        return RegistryUnreachableError(
            redact(
                f"{operation}: cannot reach the registry at {url}: {_reason(exc)}{after}; "
                "check --registry (SCHEMA_REGISTRY_URL), the network and TLS settings"
            ),
            where,
            operation=operation,
        )
    if isinstance(exc, (ValueError, KeyError, TypeError, AttributeError)):
        return RegistryRequestError(
            redact(
                f"{operation}: unexpected answer from {url} ({exc}); is it a "
                "Confluent-compatible schema registry?"
            ),
            where,
            operation=operation,
        )
    return None


def _transport_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """Timeout and transport exception classes of whichever HTTP library the client loaded
    (httpx, or its successor httpx2), found without importing anything."""
    timeouts: list[type[BaseException]] = []
    transports: list[type[BaseException]] = []
    for name in ("httpx2", "httpx"):
        module = sys.modules.get(name)
        if module is not None:
            timeouts.append(module.TimeoutException)
            transports.append(module.TransportError)
    return tuple(timeouts), tuple(transports)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__
