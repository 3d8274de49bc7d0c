"""The local registry's state and verdicts: subjects, versions, schema ids, levels and modes.

`RegistryState` implements Confluent's semantics for the endpoints devicecontracts and
confluent-kafka's client use, as plain method calls; it knows nothing of HTTP or threads
(`devicecontracts.testing.registry._http` maps requests onto it, `LocalRegistry` serialises
access). Refusals are `devicecontracts.errors.RegistryAPIError` with Confluent's status and
error code.

Faithful to Confluent where it matters to a client:

* status codes and error codes (40401, 40402, 40403, 40404-40409, 409 or 40901 by choice,
  42201-42206, 401), with ``{"error_code": ..., "message": ...}`` bodies;
* register is idempotent: a schema identical to any *live* version of the subject returns that
  version's id with no check and no new version; the same schema under another subject (or
  identical to a soft-deleted version) gets the same global id and a new version;
* a ``version`` in a register body is a compare-and-set, as from Confluent 7.4: after the
  compatibility check, anything but the subject's next version (its highest, soft-deleted
  included, plus one) is refused with 42201 "Version is not one more than previous version"
  (IMPORT mode stores the schema as that version instead); with a version, an identical live
  version is not answered (as from 7.6.2), so a new version is made if the number fits. The
  answer holds the id only, as before 7.4.1, and no ``confluent:version`` metadata is kept;
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

Only AVRO schemas are supported; the verdicts come from ``_avro_checker`` (the ``avro``
package), never from devicecontracts' own engine.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from devicecontracts.errors import RegistryAPIError
from devicecontracts.testing.registry._avro_checker import (
    InvalidSchema,
    ParsedAvro,
    compatibility_messages,
    identity,
    parse,
    validate_new,
)

__all__ = ["LEVELS", "MODES", "RegisteredSchemaInfo", "RegistryState"]

JSON = Any

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


@dataclass(frozen=True)
class RegisteredSchemaInfo:
    """What a registration produced: the global schema id and the subject's version."""

    id: int
    version: int


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


class RegistryState:
    """Subjects, versions, schemas by id and configs, with Confluent's rules.

    Not thread-safe: `LocalRegistry` serialises access.
    """

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
        """Register (or find) a schema; the result and whether a new version was created.

        A ``version`` in the body is the version the schema must get (see `_asked_version`).
        """
        _check_subject(subject)
        text, refs, parsed, key = self._request_schema(body)
        asked = _asked_version(body)
        if asked is None:
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
        history = self.subjects.get(subject, [])
        version = max((v.version for v in history), default=0) + 1
        if asked is not None and asked != version:
            if mode != "IMPORT":
                raise RegistryAPIError(422, 42201, "Version is not one more than previous version")
            version = asked  # IMPORT stores it as the version asked, over any that held it
        schema_id = self.ids_by_key.get(key)
        if schema_id is None:
            schema_id = max(self.schemas, default=0) + 1
            self.schemas[schema_id] = _Stored(schema_id, text, refs, key)
            self.ids_by_key[key] = schema_id
            self._parsed[schema_id] = parsed
        kept = [v for v in history if v.version != version]
        self.subjects[subject] = sorted([*kept, _Version(version, schema_id)], key=_number)
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


def _number(v: _Version) -> int:
    return v.version


def _asked_version(body: JSON) -> int | None:
    """The version a register request asks for, or None (absent, null, or 0 and below).

    Confluent reads ``version`` from the body since 7.4.0 (KafkaSchemaRegistry.register): a
    positive one is a compare-and-set outside IMPORT mode, checked after the compatibility
    check: "Version is not one more than previous version" (422, 42201) unless it is the
    subject's next version (its highest, soft-deleted included, plus one). From 7.6.2 on a
    request with a version also skips the shortcut that answers an identical live version.
    """
    raw = body.get("version") if isinstance(body, dict) else None
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise RegistryAPIError(422, 42201, f"Invalid schema: 'version' must be an integer: {raw!r}")
    return raw if raw > 0 else None


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
