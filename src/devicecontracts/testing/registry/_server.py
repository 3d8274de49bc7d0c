"""The local registry's state and HTTP front: a small Confluent Schema Registry.

`_Registry` holds subjects, versions, schema ids and configs, and implements Confluent's
semantics for the endpoints devicecontracts and confluent-kafka's client use; `_Handler` maps
HTTP requests onto it; `LocalRegistry` (re-exported by ``devicecontracts.testing.registry``)
runs it on 127.0.0.1 in a thread, with fault injection for tests.

Faithful to Confluent where it matters to a client:

* status codes and error codes (40401, 40402, 40403, 40404-40409, 409 or 40901 by choice,
  42201-42206, 401), with ``{"error_code": ..., "message": ...}`` bodies;
* register is idempotent: a schema identical to any *live* version of the subject returns that
  version's id with no check and no new version; the same schema under another subject (or
  identical to a soft-deleted version) gets the same global id and a new version;
* the first version of a subject (or one whose versions are all soft-deleted) is not checked;
  non-transitive levels check the latest live version, ``*_TRANSITIVE`` ones every live
  version, newest first, stopping at the first that fails;
* ``POST /compatibility/subjects/{s}/versions`` runs the register check;
  ``.../versions/{v}`` compares with that one version only; ``verbose=true`` adds messages
  (and turns an invalid schema into ``is_compatible: false`` with the reason);
* ``PUT /config/{s}`` takes ``compatibility``, ``GET`` answers ``compatibilityLevel`` or
  40408 when the subject has no level of its own; levels may be set on subjects that do not
  exist yet;
* references ``{name, subject, version}`` are resolved (``-1`` pinned to the latest version),
  and a referenced version cannot be deleted (42206);
* soft delete hides versions from listings and checks; ids stay resolvable; a permanent delete
  needs a soft delete first;
* modes: READONLY refuses new versions (42205); IMPORT stores them unvalidated and unchecked
  (for arranging histories of schemas that would no longer pass as new ones).

Only AVRO schemas are supported; the verdicts come from `_registry_avro` (the ``avro``
package), never from devicecontracts' own engine.
"""

from __future__ import annotations

import base64
import copy
import hmac
import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from devicecontracts.testing.registry._avro_checker import (
    InvalidSchema,
    ParsedAvro,
    compatibility_messages,
    identity,
    parse,
    validate_new,
)

__all__ = ["LocalRegistry", "RecordedRequest", "RegisteredSchemaInfo", "RegistryAPIError"]

JSON = Any
_log = logging.getLogger("devicecontracts.testing.registry")

LEVELS = (
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
)
MODES = ("READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT")
_OLD_SCHEMA_LIMIT = 10 * 1024  # Confluent truncates the old schema in messages after 10 KiB
_MAX_VERSION = 2**31 - 1


class RegistryAPIError(Exception):
    """A refusal of the local registry: HTTP ``status``, Confluent ``error_code``, message."""

    def __init__(self, status: int, error_code: int, message: str) -> None:
        super().__init__(f"{message} (HTTP {status}, error code {error_code})")
        self.status = status
        self.error_code = error_code
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON body Confluent answers with."""
        return {"error_code": self.error_code, "message": self.message}


@dataclass(frozen=True)
class RegisteredSchemaInfo:
    """What a registration produced: the global schema id and the subject's version."""

    id: int
    version: int


@dataclass(frozen=True)
class RecordedRequest:
    """One request the local registry received (method, path, query and parsed JSON body)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any = None


@dataclass(frozen=True)
class _Ref:
    name: str
    subject: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "subject": self.subject, "version": self.version}


@dataclass
class _Stored:
    id: int
    text: str
    references: tuple[_Ref, ...]
    key: str


@dataclass
class _Version:
    version: int
    schema_id: int
    deleted: bool = False


@dataclass
class _Fault:
    status: int
    error_code: int | None
    message: str | None
    times: int | None
    method: str | None
    path: str | None
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or path.startswith(self.path)
        )


# ---------------------------------------------------------------------------------------------
# The registry model


class _Registry:
    """Subjects, versions, schemas by id and configs, with Confluent's rules. Not thread-safe:
    `LocalRegistry` serialises access."""

    def __init__(self, default_level: str, incompatible_error_code: int) -> None:
        self.subjects: dict[str, list[_Version]] = {}
        self.schemas: dict[int, _Stored] = {}
        self.ids_by_key: dict[str, int] = {}
        self.global_level = default_level
        self.levels: dict[str, str] = {}
        self.global_mode = "READWRITE"
        self.modes: dict[str, str] = {}
        self.incompatible_error_code = incompatible_error_code
        self.forced: dict[str, list[str]] = {}
        self._parsed: dict[int, ParsedAvro] = {}

    # -- lookups -------------------------------------------------------------------------------

    def _versions(self, subject: str, *, deleted: bool = False) -> list[_Version]:
        return [v for v in self.subjects.get(subject, []) if deleted or not v.deleted]

    def _require_subject(self, subject: str, *, deleted: bool = False) -> list[_Version]:
        versions = self._versions(subject, deleted=deleted)
        if not versions:
            raise RegistryAPIError(404, 40401, f"Subject '{subject}' not found.")
        return versions

    def _version(self, subject: str, spec: str, *, deleted: bool = False) -> _Version:
        versions = self._require_subject(subject, deleted=deleted)
        number = _version_number(spec)
        if number == -1:
            live = [v for v in versions if not v.deleted] or versions
            return live[-1]
        for v in versions:
            if v.version == number:
                return v
        raise RegistryAPIError(404, 40402, f"Version {number} not found.")

    def _level(self, subject: str) -> str:
        return self.levels.get(subject, self.global_level)

    def _parsed_of(self, schema_id: int) -> ParsedAvro:
        if schema_id not in self._parsed:
            stored = self.schemas[schema_id]
            ordered = self._referenced_json(stored.references)
            self._parsed[schema_id] = parse(json.loads(stored.text), ordered)
        return self._parsed[schema_id]

    def _referenced_json(self, refs: Sequence[_Ref]) -> list[JSON]:
        """The schemas ``refs`` name, their own references first, each once."""
        ordered: list[JSON] = []
        seen: set[int] = set()

        def collect(ref: _Ref) -> None:
            target = self._find(ref.subject, ref.version)
            if target is None or target.schema_id in seen:
                return
            seen.add(target.schema_id)
            stored = self.schemas[target.schema_id]
            for inner in stored.references:
                collect(inner)
            ordered.append(json.loads(stored.text))

        for ref in refs:
            collect(ref)
        return ordered

    def _find(self, subject: str, version: int) -> _Version | None:
        for v in self.subjects.get(subject, []):
            if v.version == version:
                return v
        return None

    # -- parsing a request ---------------------------------------------------------------------

    def _request_schema(self, body: JSON) -> tuple[str, tuple[_Ref, ...], ParsedAvro, str]:
        """(text, pinned references, parsed, identity key) of a register/lookup/check body."""
        if not isinstance(body, dict) or not isinstance(body.get("schema"), str):
            raise RegistryAPIError(
                422, 42201, "Invalid schema: the request needs a 'schema' string"
            )
        kind = body.get("schemaType", "AVRO") or "AVRO"
        if kind != "AVRO":
            raise RegistryAPIError(
                422, 42201, f"Invalid schema type {kind}: this local registry only supports AVRO"
            )
        refs = self._pin(body.get("references") or [])
        text: str = body["schema"]
        try:
            schema_json = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RegistryAPIError(422, 42201, f"Invalid schema: {exc}") from None
        try:
            parsed = parse(schema_json, self._referenced_json(refs))
        except InvalidSchema as exc:
            raise RegistryAPIError(422, 42201, str(exc)) from None
        key = identity(parsed) + json.dumps([r.to_json() for r in refs])
        return text, refs, parsed, key

    def _pin(self, raw: JSON) -> tuple[_Ref, ...]:
        if not isinstance(raw, list):
            raise RegistryAPIError(422, 42201, "Invalid schema: 'references' must be a list")
        pinned: list[_Ref] = []
        for ref in raw:
            if not (
                isinstance(ref, dict)
                and isinstance(ref.get("name"), str)
                and isinstance(ref.get("subject"), str)
                and isinstance(ref.get("version", -1), int)
            ):
                raise RegistryAPIError(
                    422, 42201, f"Invalid schema: malformed reference {json.dumps(ref)}"
                )
            subject, version = ref["subject"], ref.get("version", -1)
            live = self._versions(subject)
            target = live[-1] if version == -1 and live else self._find(subject, version)
            if target is None:
                raise RegistryAPIError(
                    422,
                    42201,
                    f"Invalid schema: reference {ref['name']} to subject '{subject}' version "
                    f"{version} cannot be resolved: not found",
                )
            pinned.append(_Ref(ref["name"], subject, target.version))
        return tuple(pinned)

    # -- compatibility -------------------------------------------------------------------------

    def _incompatibilities(
        self, subject: str, parsed: ParsedAvro, against: Sequence[_Version], level: str
    ) -> list[str]:
        """Confluent's verbose messages for the first version in ``against`` that fails."""
        if level == "NONE" or not against:
            return []
        trailer = [f"{{validateFields: 'false', compatibility: '{level}'}}"]
        forced = self.forced.get(subject)
        if forced is not None:
            return [*forced, *trailer]
        backward = level.startswith(("BACKWARD", "FULL"))
        forward = level.startswith(("FORWARD", "FULL"))
        for old_version in against:
            old = self._parsed_of(old_version.schema_id)
            messages: list[str] = []
            if backward:
                messages += compatibility_messages(parsed, old, "new", "old")
            if forward:
                messages += compatibility_messages(old, parsed, "old", "new")
            if messages:
                text = self.schemas[old_version.schema_id].text[:_OLD_SCHEMA_LIMIT]
                return [
                    *messages,
                    f"{{oldSchemaVersion: {old_version.version}}}",
                    f"{{oldSchema: '{text}'}}",
                    *trailer,
                ]
        return []

    def _register_check_set(self, subject: str) -> list[_Version]:
        live = self._versions(subject)
        level = self._level(subject)
        if not live:
            return []
        return list(reversed(live)) if level.endswith("_TRANSITIVE") else [live[-1]]

    # -- operations ----------------------------------------------------------------------------

    def register(self, subject: str, body: JSON) -> tuple[RegisteredSchemaInfo, bool]:
        """Register (or find) a schema; the result and whether a new version was created."""
        _check_subject(subject)
        text, refs, parsed, key = self._request_schema(body)
        for v in self._versions(subject):
            if self.schemas[v.schema_id].key == key:
                return RegisteredSchemaInfo(v.schema_id, v.version), False
        mode = self.modes.get(subject, self.global_mode)
        if mode.startswith("READONLY"):
            raise RegistryAPIError(422, 42205, f"Subject {subject} is in read-only mode")
        # IMPORT mode (migrations) stores schemas as given: no validation, no check.
        messages: list[str] = []
        if mode != "IMPORT":
            try:
                validate_new(parsed)
            except InvalidSchema as exc:
                raise RegistryAPIError(
                    422, 42201, f"Invalid schema {text}, details: {exc}"
                ) from None
            messages = self._incompatibilities(
                subject, parsed, self._register_check_set(subject), self._level(subject)
            )
        if messages:
            raise RegistryAPIError(
                409,
                self.incompatible_error_code,
                f"Schema being registered is incompatible with an earlier schema for subject "
                f'"{subject}", details: [{", ".join(messages)}]',
            )
        schema_id = self.ids_by_key.get(key)
        if schema_id is None:
            schema_id = max(self.schemas, default=0) + 1
            self.schemas[schema_id] = _Stored(schema_id, text, refs, key)
            self.ids_by_key[key] = schema_id
            self._parsed[schema_id] = parsed
        history = self.subjects.setdefault(subject, [])
        version = max((v.version for v in history), default=0) + 1
        history.append(_Version(version, schema_id))
        return RegisteredSchemaInfo(schema_id, version), True

    def lookup(self, subject: str, body: JSON, *, deleted: bool) -> dict[str, Any]:
        """``POST /subjects/{s}``: the version holding an identical schema, or 40401 / 40403."""
        versions = self._require_subject(subject, deleted=deleted)
        _, _, _, key = self._request_schema(body)
        ordered = [v for v in versions if not v.deleted] + [v for v in versions if v.deleted]
        for v in ordered:
            if self.schemas[v.schema_id].key == key:
                return self._version_json(subject, v)
        raise RegistryAPIError(404, 40403, "Schema not found")

    def check(self, subject: str, body: JSON, version: str | None, *, verbose: bool) -> JSON:
        """``POST /compatibility/subjects/{s}/versions[/{v}]``."""
        against: list[_Version]
        level = self._level(subject)
        if version is None:
            against = self._register_check_set(subject)
        elif _version_number(version) == -1:
            live = self._versions(subject)
            against = live[-1:]
        else:
            against = [self._version(subject, version)]
            if against[0].deleted:
                raise RegistryAPIError(404, 40402, f"Version {against[0].version} not found.")
        if version is not None and level.endswith("_TRANSITIVE"):
            level = level.removesuffix("_TRANSITIVE")  # one version: the level's direction only
        try:
            _, _, parsed, _ = self._request_schema(body)
            validate_new(parsed)
        except (RegistryAPIError, InvalidSchema) as exc:
            if isinstance(exc, RegistryAPIError) and exc.error_code != 42201:
                raise
            if not verbose:
                message = exc.message if isinstance(exc, RegistryAPIError) else str(exc)
                raise RegistryAPIError(422, 42201, message) from None
            reason = exc.message if isinstance(exc, RegistryAPIError) else f"Invalid schema: {exc}"
            return {"is_compatible": False, "messages": [reason]}
        messages = self._incompatibilities(subject, parsed, against, level)
        answer: dict[str, Any] = {"is_compatible": not messages}
        if verbose:
            answer["messages"] = messages
        return answer

    def _version_json(self, subject: str, v: _Version) -> dict[str, Any]:
        stored = self.schemas[v.schema_id]
        out: dict[str, Any] = {
            "subject": subject,
            "version": v.version,
            "id": v.schema_id,
            "schema": stored.text,
        }
        if stored.references:
            out["references"] = [r.to_json() for r in stored.references]
        return out

    def get_version(self, subject: str, spec: str, *, deleted: bool) -> dict[str, Any]:
        """``GET /subjects/{s}/versions/{v}``."""
        return self._version_json(subject, self._version(subject, spec, deleted=deleted))

    def list_versions(self, subject: str, *, deleted: bool) -> list[int]:
        """``GET /subjects/{s}/versions``."""
        return [v.version for v in self._require_subject(subject, deleted=deleted)]

    def list_subjects(self, *, deleted: bool) -> list[str]:
        """``GET /subjects``."""
        return sorted(s for s in self.subjects if self._versions(s, deleted=deleted))

    def schema_by_id(self, schema_id: int) -> dict[str, Any]:
        """``GET /schemas/ids/{id}``."""
        stored = self.schemas.get(schema_id)
        if stored is None:
            raise RegistryAPIError(404, 40403, f"Schema {schema_id} not found")
        out: dict[str, Any] = {"schema": stored.text}
        if stored.references:
            out["references"] = [r.to_json() for r in stored.references]
        return out

    def versions_of_id(self, schema_id: int) -> list[dict[str, Any]]:
        """``GET /schemas/ids/{id}/versions``."""
        self.schema_by_id(schema_id)
        return [
            {"subject": s, "version": v.version}
            for s in sorted(self.subjects)
            for v in self.subjects[s]
            if v.schema_id == schema_id and not v.deleted
        ]

    def referenced_by(self, subject: str, spec: str) -> list[int]:
        """``GET /subjects/{s}/versions/{v}/referencedby``: ids of schemas referencing it."""
        target = self._version(subject, spec, deleted=True)
        return sorted(
            stored.id
            for stored in self.schemas.values()
            if any(r.subject == subject and r.version == target.version for r in stored.references)
            and self._is_stored(stored.id)
        )

    def _is_stored(self, schema_id: int) -> bool:
        # Soft-deleted referrers still block: only a permanent delete releases the reference.
        return any(
            v.schema_id == schema_id for versions in self.subjects.values() for v in versions
        )

    def delete_version(self, subject: str, spec: str, *, permanent: bool) -> int:
        """``DELETE /subjects/{s}/versions/{v}``: soft, or permanent after a soft delete."""
        target = self._version(subject, spec, deleted=True)
        if self.referenced_by(subject, str(target.version)):
            raise RegistryAPIError(
                422,
                42206,
                f"One or more references exist to the schema "
                f"{{subject={subject},version={target.version}}}.",
            )
        if permanent:
            if not target.deleted:
                raise RegistryAPIError(
                    404,
                    40407,
                    f"Subject '{subject}' Version {target.version} was not deleted "
                    "first before being permanently deleted",
                )
            self.subjects[subject].remove(target)
            if not self.subjects[subject]:
                del self.subjects[subject]
        else:
            if target.deleted:
                raise RegistryAPIError(
                    404,
                    40406,
                    f"Subject '{subject}' Version {target.version} was soft deleted. "
                    "Set permanent=true to delete permanently",
                )
            target.deleted = True
        return target.version

    def delete_subject(self, subject: str, *, permanent: bool) -> list[int]:
        """``DELETE /subjects/{s}``: soft-delete every version, or drop them after that."""
        every = self._require_subject(subject, deleted=True)
        for v in every:
            if self.referenced_by(subject, str(v.version)):
                raise RegistryAPIError(
                    422,
                    42206,
                    f"One or more references exist to the schema "
                    f"{{subject={subject},version={v.version}}}.",
                )
        if permanent:
            if any(not v.deleted for v in every):
                raise RegistryAPIError(
                    404,
                    40405,
                    f"Subject '{subject}' was not deleted first before being permanently deleted",
                )
            del self.subjects[subject]
            self.levels.pop(subject, None)
            return [v.version for v in every]
        live = [v for v in every if not v.deleted]
        if not live:
            raise RegistryAPIError(
                404,
                40404,
                f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently",
            )
        for v in live:
            v.deleted = True
        return [v.version for v in live]

    def get_level(self, subject: str | None, *, default_to_global: bool) -> dict[str, str]:
        """``GET /config[/{s}]``: ``compatibilityLevel``, or 40408 without a subject level."""
        if subject is None:
            return {"compatibilityLevel": self.global_level}
        level = self.levels.get(subject)
        if level is None:
            if default_to_global:
                return {"compatibilityLevel": self.global_level}
            raise RegistryAPIError(
                404,
                40408,
                f"Subject '{subject}' does not have subject-level compatibility configured",
            )
        return {"compatibilityLevel": level}

    def set_level(self, subject: str | None, body: JSON) -> dict[str, str]:
        """``PUT /config[/{s}]`` with ``{"compatibility": ...}`` (note: not ``...Level``)."""
        raw = body.get("compatibility") if isinstance(body, dict) else None
        level = raw.upper() if isinstance(raw, str) else None
        if level not in LEVELS:
            raise RegistryAPIError(
                422,
                42203,
                "Invalid compatibility level. Valid values are none, backward, "
                "forward, full, backward_transitive, forward_transitive, and full_transitive",
            )
        if subject is None:
            self.global_level = level
        else:
            _check_subject(subject)
            self.levels[subject] = level
        return {"compatibility": level}

    def delete_level(self, subject: str) -> dict[str, str]:
        """``DELETE /config/{s}``: drop the subject's own level, answering what it was."""
        answer = self.get_level(subject, default_to_global=False)
        del self.levels[subject]
        return answer

    def get_mode(self, subject: str | None) -> dict[str, str]:
        """``GET /mode[/{s}]``."""
        if subject is None:
            return {"mode": self.global_mode}
        if subject not in self.modes:
            raise RegistryAPIError(
                404, 40409, f"Subject '{subject}' does not have subject-level mode configured"
            )
        return {"mode": self.modes[subject]}

    def set_mode(self, subject: str | None, body: JSON) -> dict[str, str]:
        """``PUT /mode[/{s}]``."""
        raw = body.get("mode") if isinstance(body, dict) else None
        mode = raw.upper() if isinstance(raw, str) else None
        if mode not in MODES:
            raise RegistryAPIError(
                422,
                42204,
                "Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT",
            )
        if subject is None:
            self.global_mode = mode
        else:
            self.modes[subject] = mode
        return {"mode": mode}

    def snapshot(self) -> dict[str, Any]:
        """Everything a client can observe, as plain data (equal when nothing changed)."""
        return copy.deepcopy(
            {
                "subjects": {
                    s: [(v.version, v.schema_id, v.deleted) for v in vs]
                    for s, vs in sorted(self.subjects.items())
                },
                "schemas": {
                    i: (s.text, [r.to_json() for r in s.references])
                    for i, s in sorted(self.schemas.items())
                },
                "global_level": self.global_level,
                "levels": dict(sorted(self.levels.items())),
                "global_mode": self.global_mode,
                "modes": dict(sorted(self.modes.items())),
            }
        )


def _version_number(spec: str) -> int:
    """A version path segment as Confluent reads it: ``latest`` or ``-1``, or 1..2^31-1."""
    if spec == "latest":
        return -1
    try:
        number = int(spec)
    except ValueError:
        number = 0
    if number == -1 or 1 <= number <= _MAX_VERSION:
        return number
    raise RegistryAPIError(
        422,
        42202,
        f"The specified version '{spec}' is not a valid version id. Allowed values "
        'are between [1, 2^31-1] and the string "latest"',
    )


def _check_subject(subject: str) -> None:
    if not subject or any(ord(c) < 32 for c in subject):
        raise RegistryAPIError(422, 42208, f"The specified subject '{subject}' is not valid.")


# ---------------------------------------------------------------------------------------------
# HTTP


_Route = tuple[str, re.Pattern[str], str]
_SEGMENT = r"([^/]+)"
_ROUTES: list[_Route] = [
    (method, re.compile(pattern + r"/?\Z"), name)
    for method, pattern, name in [
        ("GET", r"", "root"),
        ("GET", r"/subjects", "subjects"),
        ("GET", r"/schemas/types", "types"),
        ("GET", rf"/schemas/ids/{_SEGMENT}", "schema_by_id"),
        ("GET", rf"/schemas/ids/{_SEGMENT}/schema", "raw_schema_by_id"),
        ("GET", rf"/schemas/ids/{_SEGMENT}/versions", "versions_of_id"),
        ("GET", rf"/subjects/{_SEGMENT}/versions", "versions"),
        ("POST", rf"/subjects/{_SEGMENT}/versions", "register"),
        ("GET", rf"/subjects/{_SEGMENT}/versions/{_SEGMENT}", "version"),
        ("GET", rf"/subjects/{_SEGMENT}/versions/{_SEGMENT}/schema", "raw_version"),
        ("GET", rf"/subjects/{_SEGMENT}/versions/{_SEGMENT}/referencedby", "referenced_by"),
        ("DELETE", rf"/subjects/{_SEGMENT}/versions/{_SEGMENT}", "delete_version"),
        ("POST", rf"/subjects/{_SEGMENT}", "lookup"),
        ("DELETE", rf"/subjects/{_SEGMENT}", "delete_subject"),
        ("POST", rf"/compatibility/subjects/{_SEGMENT}/versions", "check_all"),
        ("POST", rf"/compatibility/subjects/{_SEGMENT}/versions/{_SEGMENT}", "check_one"),
        ("GET", r"/config", "get_global_config"),
        ("PUT", r"/config", "put_global_config"),
        ("GET", rf"/config/{_SEGMENT}", "get_config"),
        ("PUT", rf"/config/{_SEGMENT}", "put_config"),
        ("DELETE", rf"/config/{_SEGMENT}", "delete_config"),
        ("GET", r"/mode", "get_global_mode"),
        ("PUT", r"/mode", "put_global_mode"),
        ("GET", rf"/mode/{_SEGMENT}", "get_mode"),
        ("PUT", rf"/mode/{_SEGMENT}", "put_mode"),
    ]
]


def _flag(query: dict[str, str], name: str) -> bool:
    # JAX-RS reads booleans with Boolean.valueOf: "true" in any case is true, anything else false.
    return query.get(name, "").lower() == "true"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        # Method and path only, never headers (they carry credentials).
        _log.debug("local registry: %s", self.requestline.split(" HTTP/")[0])

    def _serve(self, method: str) -> None:
        owner = self.server.owner
        split = urlsplit(self.path)
        raw_path = split.path.rstrip("/") or ""
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        try:
            body = self._body()
            owner._record(RecordedRequest(method, unquote(raw_path) or "/", query, body))
            delay = owner._take_delay(method, unquote(raw_path) or "/")
            if delay and owner._stopping.wait(delay):
                return
            if not owner._authorised(self.headers.get("Authorization")):
                raise RegistryAPIError(401, 401, "Unauthorized")
            fault = owner._take_fault(method, unquote(raw_path) or "/")
            if fault is not None:
                raise fault
            status, answer = owner._dispatch(method, raw_path, query, body)
        except RegistryAPIError as exc:
            status, answer = exc.status, exc.body()
        self._reply(status, answer)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return None
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise RegistryAPIError(400, 400, "Unexpected character in the request body") from None

    def _reply(self, status: int, answer: Any) -> None:
        raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(raw)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="SchemaRegistry"')
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LocalRegistry


# ---------------------------------------------------------------------------------------------
# The public test double


class LocalRegistry:
    """A Confluent-API-faithful schema registry on 127.0.0.1, for tests and local development.

    >>> with LocalRegistry() as registry:          # doctest: +SKIP
    ...     client = SchemaRegistryClient({"url": registry.url})

    Options: ``basic_auth=(user, password)`` or ``bearer_token=`` make every request need those
    credentials (401 otherwise); ``incompatible_error_code`` is 40901 (Confluent 8.0.4 and
    later) or 409 (older servers); ``default_level`` is the global compatibility level.

    Arrange state in-process with `register`, `set_level`, `set_mode` and `soft_delete`; make
    it misbehave with `fail_next` (any status and error code, e.g. 500, 403, 42201),
    `slow_down` (answers after a delay: timeouts) and `force_incompatible`; inspect it with
    `requests`, `subjects`, `versions`, `level` and `snapshot`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        basic_auth: tuple[str, str] | None = None,
        bearer_token: str | None = None,
        incompatible_error_code: int = 40901,
        default_level: str = "BACKWARD",
    ) -> None:
        if incompatible_error_code not in (409, 40901):
            raise ValueError("incompatible_error_code must be 409 or 40901")
        if default_level.upper() not in LEVELS:
            raise ValueError(f"unknown compatibility level {default_level!r}")
        self._host, self._port = host, port
        self._basic = (
            "Basic " + base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
            if basic_auth
            else None
        )
        self._bearer = f"Bearer {bearer_token}" if bearer_token else None
        self._registry = _Registry(default_level.upper(), incompatible_error_code)
        self._lock = threading.RLock()
        self._faults: list[_Fault] = []
        self._requests: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> LocalRegistry:
        """Start serving in a background thread; returns self. The port is ephemeral by default."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self._host, self._port), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"local-registry-{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port (answers still being delayed are dropped)."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalRegistry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (started registries only)."""
        if self._server is None:
            raise RuntimeError("the local registry is not running: call start()")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: what to give a client."""
        return f"http://{self._host}:{self.port}"

    def serve_until(self, stop: Callable[[], bool], interval: float = 0.2) -> None:
        """Block until ``stop()`` returns true (for ``contracts registry serve``)."""
        while not stop():
            self._stopping.wait(interval)

    # -- arranging state -----------------------------------------------------------------------

    def register(
        self,
        subject: str,
        schema: str | dict[str, Any] | list[Any],
        references: Sequence[dict[str, Any]] = (),
    ) -> RegisteredSchemaInfo:
        """Register as ``POST /subjects/{subject}/versions`` would (raises `RegistryAPIError`)."""
        text = schema if isinstance(schema, str) else json.dumps(schema)
        with self._lock:
            info, _ = self._registry.register(
                subject, {"schema": text, "references": list(references)}
            )
            return info

    def check(
        self,
        subject: str,
        schema: str | dict[str, Any] | list[Any],
        references: Sequence[dict[str, Any]] = (),
        *,
        version: int | str | None = None,
    ) -> dict[str, Any]:
        """``POST /compatibility/subjects/{subject}/versions[/{version}]?verbose=true``'s answer.

        Without ``version``: the check register runs (every live version at transitive levels).
        """
        text = schema if isinstance(schema, str) else json.dumps(schema)
        body = {"schema": text, "references": list(references)}
        with self._lock:
            answer: dict[str, Any] = self._registry.check(
                subject, body, None if version is None else str(version), verbose=True
            )
            return answer

    def set_level(self, level: str, subject: str | None = None) -> None:
        """Set the global level, or a subject's own level."""
        with self._lock:
            self._registry.set_level(subject, {"compatibility": level})

    def set_mode(self, mode: str, subject: str | None = None) -> None:
        """Set the global mode or a subject's (``READONLY`` refuses registrations with 42205)."""
        with self._lock:
            self._registry.set_mode(subject, {"mode": mode})

    def soft_delete(self, subject: str, version: int | None = None) -> None:
        """Soft-delete one version, or the whole subject."""
        with self._lock:
            if version is None:
                self._registry.delete_subject(subject, permanent=False)
            else:
                self._registry.delete_version(subject, str(version), permanent=False)

    # -- faults --------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 500,
        error_code: int | None = None,
        message: str | None = None,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests (all, for None) with an error.

        ``method`` and ``path`` (a prefix of the decoded path, such as ``/subjects/``) narrow
        which requests fail; ``error_code`` defaults to the status (Confluent answers 50001 for
        a store error, say).
        """
        with self._lock:
            self._faults.append(_Fault(status, error_code, message, times, method, path))

    def slow_down(
        self,
        seconds: float,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Delay the next ``times`` matching answers by ``seconds`` (for timeout tests)."""
        with self._lock:
            self._faults.append(_Fault(0, None, None, times, method, path, delay=seconds))

    def force_incompatible(self, subject: str, *messages: str) -> None:
        """Make every check of ``subject`` against existing versions answer incompatible.

        Registering then fails with 409, and verbose checks return ``messages``: a stand-in for
        a registry whose verdict differs from yours.
        """
        with self._lock:
            self._registry.forced[subject] = list(messages) or [
                "{errorType:'FORCED', description:'forced incompatible by the test', "
                "additionalInfo:''}"
            ]

    def clear_faults(self) -> None:
        """Forget every pending fault, delay and forced verdict."""
        with self._lock:
            self._faults.clear()
            self._registry.forced.clear()

    # -- inspecting ----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    def subjects(self, *, deleted: bool = False) -> list[str]:
        """Subjects with live versions (or any versions, with ``deleted=True``)."""
        with self._lock:
            return self._registry.list_subjects(deleted=deleted)

    def versions(self, subject: str, *, deleted: bool = False) -> list[int]:
        """Version numbers of ``subject`` (empty when it does not exist)."""
        with self._lock:
            try:
                return self._registry.list_versions(subject, deleted=deleted)
            except RegistryAPIError:
                return []

    def schema(self, subject: str, version: int | str = "latest") -> dict[str, Any]:
        """``GET /subjects/{subject}/versions/{version}``'s answer."""
        with self._lock:
            return self._registry.get_version(subject, str(version), deleted=True)

    def level(self, subject: str | None = None) -> str | None:
        """The subject's own level (None when unset), or the global level."""
        with self._lock:
            if subject is None:
                return self._registry.global_level
            return self._registry.levels.get(subject)

    def snapshot(self) -> dict[str, Any]:
        """All observable state as plain data: equal snapshots mean nothing changed."""
        with self._lock:
            return self._registry.snapshot()

    # -- serving (called by the handler threads) ------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _authorised(self, header: str | None) -> bool:
        expected = [h for h in (self._basic, self._bearer) if h]
        if not expected:
            return True
        given = header or ""
        return any(hmac.compare_digest(given.encode(), h.encode()) for h in expected)

    def _take(self, method: str, path: str, *, delay: bool) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if (fault.delay > 0) == delay and fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _take_delay(self, method: str, path: str) -> float:
        fault = self._take(method, path, delay=True)
        return fault.delay if fault else 0.0

    def _take_fault(self, method: str, path: str) -> RegistryAPIError | None:
        fault = self._take(method, path, delay=False)
        if fault is None:
            return None
        return RegistryAPIError(
            fault.status,
            fault.error_code if fault.error_code is not None else fault.status,
            fault.message or f"Injected failure ({fault.status})",
        )

    def _dispatch(
        self, method: str, raw_path: str, query: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        allowed = False
        for route_method, pattern, name in _ROUTES:
            match = pattern.match(raw_path)
            if match is None:
                continue
            if route_method != method:
                allowed = True
                continue
            args = [unquote(g) for g in match.groups()]
            with self._lock:
                return 200, self._call(name, args, query, body)
        if allowed:
            raise RegistryAPIError(405, 405, "HTTP 405 Method Not Allowed")
        raise RegistryAPIError(404, 404, "HTTP 404 Not Found")

    def _call(self, name: str, args: list[str], query: dict[str, str], body: Any) -> Any:
        r = self._registry
        deleted = _flag(query, "deleted")
        if name == "root":
            return {}
        if name == "subjects":
            return r.list_subjects(deleted=deleted)
        if name == "types":
            return ["AVRO"]
        if name in ("schema_by_id", "raw_schema_by_id", "versions_of_id"):
            try:
                schema_id = int(args[0])
            except ValueError:
                raise RegistryAPIError(404, 40403, f"Schema {args[0]} not found") from None
            if name == "versions_of_id":
                return r.versions_of_id(schema_id)
            answer = r.schema_by_id(schema_id)
            return answer["schema"].encode() if name == "raw_schema_by_id" else answer
        if name == "versions":
            return r.list_versions(args[0], deleted=deleted)
        if name == "register":
            info, _ = r.register(args[0], body)
            return {"id": info.id}
        if name == "version":
            return r.get_version(args[0], args[1], deleted=deleted)
        if name == "raw_version":
            return r.get_version(args[0], args[1], deleted=deleted)["schema"].encode()
        if name == "referenced_by":
            return r.referenced_by(args[0], args[1])
        if name == "delete_version":
            return r.delete_version(args[0], args[1], permanent=_flag(query, "permanent"))
        if name == "lookup":
            return r.lookup(args[0], body, deleted=deleted)
        if name == "delete_subject":
            return r.delete_subject(args[0], permanent=_flag(query, "permanent"))
        if name in ("check_all", "check_one"):
            version = args[1] if name == "check_one" else None
            return r.check(args[0], body, version, verbose=_flag(query, "verbose"))
        if name == "get_global_config":
            return r.get_level(None, default_to_global=True)
        if name == "put_global_config":
            return r.set_level(None, body)
        if name == "get_config":
            return r.get_level(args[0], default_to_global=_flag(query, "defaultToGlobal"))
        if name == "put_config":
            return r.set_level(args[0], body)
        if name == "delete_config":
            return r.delete_level(args[0])
        if name == "get_global_mode":
            return r.get_mode(None)
        if name == "put_global_mode":
            return r.set_mode(None, body)
        if name == "get_mode":
            return r.get_mode(args[0])
        if name == "put_mode":
            return r.set_mode(args[0], body)
        raise RegistryAPIError(404, 404, "HTTP 404 Not Found")  # pragma: no cover
