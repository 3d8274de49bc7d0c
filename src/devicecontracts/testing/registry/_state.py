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
* data contracts (``_contracts``): a version's ``metadata`` and ``ruleSet`` are stored,
  inherited from the previous live version when the request has none (``null``; ``{}`` is
  empty, not absent), merged with the subject config's defaults and overrides (default <
  specific < override) and returned; they are part of a schema's identity, so the same schema
  with another rule set is a new version (and id). A malformed rule set is refused with 42210;
* ``PUT /config`` and ``/config/{s}`` also take ``compatibilityGroup``, ``defaultMetadata``,
  ``overrideMetadata``, ``defaultRuleSet``, ``overrideRuleSet``, ``validateFields`` and
  ``normalize`` (a key left out keeps its value, ``null`` clears it), and ``GET`` answers them
  (``defaultToGlobal=true``: the subject's over the global config, as Confluent merges them);
  with a compatibility group, versions are checked only against those whose metadata gives the
  group's property the same value; with ``validateFields``, ``confluent:reserved`` fields may
  not be removed from the metadata nor used as top-level fields;
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
from devicecontracts.testing.registry import _contracts as dc
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
    metadata: dict[str, Any] | None = None
    rule_set: dict[str, Any] | None = None


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
        self.configs: dict[str | None, dict[str, Any]] = {}
        """Config beyond the level, per subject (None: global): the `_CONFIG_KEYS`."""
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
        except ValueError as exc:  # not JSON, or a number longer than Python converts
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
        self,
        subject: str,
        parsed: ParsedAvro,
        against: Sequence[_Version],
        level: str,
        meta: dict[str, Any] | None = None,
        *,
        latest: _Version | None = None,
    ) -> list[str]:
        """Confluent's verbose messages: reserved fields (with ``validateFields``), then the
        first version in ``against`` whose group value matches ``meta``'s that fails.

        ``latest`` is the version reserved fields are compared with (Confluent: the last of the
        versions it checks against, before the group filter)."""
        config = self._config(subject)
        validate = bool(config.get("validateFields"))
        trailer = [f"{{validateFields: '{str(validate).lower()}', compatibility: '{level}'}}"]
        messages: list[str] = []
        if validate:
            messages += self._reserved_messages(parsed, meta, latest)
        group = config.get("compatibilityGroup")
        if group:
            value = dc.group_value(meta, group)
            against = [
                v
                for v in against
                if dc.group_value(self.schemas[v.schema_id].metadata, group) == value
            ]
        if level == "NONE" or not against:
            return [*messages, *trailer] if messages else []
        forced = self.forced.get(subject)
        if forced is not None:
            return [*messages, *forced, *trailer]
        backward = level.startswith(("BACKWARD", "FULL"))
        forward = level.startswith(("FORWARD", "FULL"))
        for old_version in against:
            old = self._parsed_of(old_version.schema_id)
            found: list[str] = []
            if backward:
                found += compatibility_messages(parsed, old, "new", "old")
            if forward:
                found += compatibility_messages(old, parsed, "old", "new")
            if found:
                text = self.schemas[old_version.schema_id].text[:_OLD_SCHEMA_LIMIT]
                return [
                    *messages,
                    *found,
                    f"{{oldSchemaVersion: {old_version.version}}}",
                    f"{{oldSchema: '{text}'}}",
                    *trailer,
                ]
        return [*messages, *trailer] if messages else []

    def _reserved_messages(
        self, parsed: ParsedAvro, meta: dict[str, Any] | None, latest: _Version | None
    ) -> list[str]:
        """Confluent's ``validateReservedFields``: reserved names the new metadata dropped, and
        top-level fields that use a reserved name."""
        reserved = dc.reserved_fields(meta)
        messages: list[str] = []
        if latest is not None:
            before = dc.reserved_fields(self.schemas[latest.schema_id].metadata)
            messages += [
                f"The new schema has reserved field {name} removed from its metadata which is "
                "present in the old schema's metadata."
                for name in sorted(before - reserved)
            ]
        fields = {f.name for f in getattr(parsed.schema, "fields", ())}
        messages += [
            f"The new schema has field that conflicts with the reserved field {name}."
            for name in sorted(reserved & fields)
        ]
        return messages

    def _register_check_set(self, subject: str) -> list[_Version]:
        live = self._versions(subject)
        level = self._level(subject)
        if not live:
            return []
        return list(reversed(live)) if level.endswith("_TRANSITIVE") else [live[-1]]

    # -- operations ----------------------------------------------------------------------------

    def _request_contract(self, body: JSON) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """A request's ``metadata`` and ``ruleSet`` (None when null or absent); a malformed rule
        set is refused with 42210, as Confluent validates it before registering."""
        if not isinstance(body, dict):
            return None, None
        meta = dc.metadata(body.get("metadata"))
        rules = dc.rule_set(body.get("ruleSet"))
        dc.validate_rule_set(rules)
        return meta, rules

    def _populated(
        self, subject: str, meta: dict[str, Any] | None, rules: dict[str, Any] | None
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Confluent's ``maybeSetMetadataRuleSet``: the request's metadata and rule set, or the
        previous live version's where the request has none, between the subject config's
        defaults and overrides."""
        config = self._config(subject)
        live = self._versions(subject)
        previous = self.schemas[live[-1].schema_id] if live else None
        if meta is None and previous is not None:
            meta = previous.metadata
        if rules is None and previous is not None:
            rules = previous.rule_set
        meta = dc.merge_metadata(
            dc.merge_metadata(config.get("defaultMetadata"), meta), config.get("overrideMetadata")
        )
        rules = dc.merge_rule_sets(
            dc.merge_rule_sets(config.get("defaultRuleSet"), rules), config.get("overrideRuleSet")
        )
        return meta, rules

    def _matching(
        self,
        versions: Sequence[_Version],
        key: str,
        meta: dict[str, Any] | None,
        rules: dict[str, Any] | None,
    ) -> _Version | None:
        for v in versions:
            stored = self.schemas[v.schema_id]
            if stored.key == key and dc.same(meta, rules, stored.metadata, stored.rule_set):
                return v
        return None

    def register(self, subject: str, body: JSON) -> tuple[RegisteredSchemaInfo, bool]:
        """Register (or find) a schema; the result and whether a new version was created.

        A ``version`` in the body is the version the schema must get (see `_asked_version`).
        """
        _check_subject(subject)
        text, refs, parsed, key = self._request_schema(body)
        meta, rules = self._request_contract(body)
        asked = _asked_version(body)
        config = self._config(subject)
        live = self._versions(subject)
        if asked is None and not any(config.get(k) for k in _DEFAULTS_AND_OVERRIDES):
            # Confluent's registerOrForward: the request as sent, before anything is merged.
            found = self._matching(live, key, meta, rules)
            if found is not None:
                return RegisteredSchemaInfo(found.schema_id, found.version), False
        mode = self.modes.get(subject, self.global_mode)
        if mode.startswith("READONLY"):
            raise RegistryAPIError(422, 42205, f"Subject {subject} is in read-only mode")
        if mode != "IMPORT":
            meta, rules = self._populated(subject, meta, rules)
            if asked is None:
                found = self._matching(live, key, meta, rules)
                if found is not None:
                    return RegisteredSchemaInfo(found.schema_id, found.version), False
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
                subject,
                parsed,
                self._register_check_set(subject),
                self._level(subject),
                meta,
                latest=live[-1] if live else None,
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
        full_key = key + dc.canonical(meta, rules)
        schema_id = self.ids_by_key.get(full_key)
        if schema_id is None:
            schema_id = max(self.schemas, default=0) + 1
            self.schemas[schema_id] = _Stored(schema_id, text, refs, key, meta, rules)
            self.ids_by_key[full_key] = schema_id
            self._parsed[schema_id] = parsed
        kept = [v for v in history if v.version != version]
        self.subjects[subject] = sorted([*kept, _Version(version, schema_id)], key=_number)
        return RegisteredSchemaInfo(schema_id, version), True

    def lookup(self, subject: str, body: JSON, *, deleted: bool) -> dict[str, Any]:
        """``POST /subjects/{s}``: the version holding an identical schema, or 40401 / 40403.

        Identical means the same schema, references, metadata and rule set. As Confluent's
        ``lookUpSchemaUnderSubject``: first as sent, then with the metadata and rule set a
        registration would give it (the latest version's where the request has none, between
        the subject config's defaults and overrides).
        """
        versions = self._require_subject(subject, deleted=deleted)
        _, _, _, key = self._request_schema(body)
        meta, rules = self._request_contract(body)
        ordered = [v for v in versions if not v.deleted] + [v for v in versions if v.deleted]
        found = self._matching(ordered, key, meta, rules)
        if found is None:
            populated = self._populated(subject, meta, rules)
            if populated != (meta, rules):
                found = self._matching(ordered, key, *populated)
        if found is None:
            raise RegistryAPIError(404, 40403, "Schema not found")
        return self._version_json(subject, found)

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
        # Confluent's isCompatible takes the request's metadata as sent (nothing is inherited),
        # and does not validate its rule set (registering does).
        meta = dc.metadata(body.get("metadata") if isinstance(body, dict) else None)
        live = self._versions(subject)
        messages = self._incompatibilities(
            subject,
            parsed,
            against,
            level,
            meta,
            latest=(against[0] if version is not None else (live[-1] if live else None))
            if against
            else None,
        )
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
        _contract_json(out, stored)
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
        _contract_json(out, stored)
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
            self.configs.pop(subject, None)
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

    def _config(self, subject: str | None) -> dict[str, Any]:
        """The config in force for ``subject`` beyond its level (Confluent's
        ``getConfigInScope``): with a subject config, its group, ``validateFields`` and
        ``normalize`` over the global ones, and its own defaults and overrides; without one,
        the global config."""
        glob = self.configs.get(None, {})
        if subject is None or not self._has_config(subject):
            return dict(glob)
        own = self.configs.get(subject, {})
        merged = {k: own[k] for k in _DEFAULTS_AND_OVERRIDES if k in own}
        for k in ("compatibilityGroup", "validateFields", "normalize"):
            if own.get(k) is not None:
                merged[k] = own[k]
            elif glob.get(k) is not None:
                merged[k] = glob[k]
        return merged

    def _has_config(self, subject: str) -> bool:
        return subject in self.levels or bool(self.configs.get(subject))

    def get_level(self, subject: str | None, *, default_to_global: bool) -> dict[str, Any]:
        """``GET /config[/{s}]``: ``compatibilityLevel`` and the rest of the config, or 40408
        when the subject has no config of its own (unless ``default_to_global``)."""
        if subject is None:
            return {"compatibilityLevel": self.global_level, **self.configs.get(None, {})}
        if not self._has_config(subject):
            if default_to_global:
                return {"compatibilityLevel": self.global_level, **self.configs.get(None, {})}
            raise RegistryAPIError(
                404,
                40408,
                f"Subject '{subject}' does not have subject-level compatibility configured",
            )
        answer: dict[str, Any] = {}
        level = self.levels.get(subject) or (self.global_level if default_to_global else None)
        if level is not None:
            answer["compatibilityLevel"] = level
        answer.update(self._config(subject) if default_to_global else self.configs.get(subject, {}))
        return answer

    def set_level(self, subject: str | None, body: JSON) -> dict[str, Any]:
        """``PUT /config[/{s}]`` with ``{"compatibility": ...}`` (note: not ``...Level``) and
        any of the `_CONFIG_KEYS`: a key left out keeps its value, ``null`` clears it."""
        if not isinstance(body, dict):
            body = {}
        raw = body.get("compatibility")
        has_other = any(k in body for k in _CONFIG_KEYS)
        level = raw.upper() if isinstance(raw, str) else None
        if (raw is not None or not has_other) and level not in LEVELS:
            raise RegistryAPIError(
                422,
                42203,
                "Invalid compatibility level. Valid values are none, backward, "
                "forward, full, backward_transitive, forward_transitive, and full_transitive",
            )
        changes = _config_changes(body)
        if subject is not None:
            _check_subject(subject)
        if level is not None:
            if subject is None:
                self.global_level = level
            else:
                self.levels[subject] = level
        held = self.configs.setdefault(subject, {})
        for name, value in changes.items():
            if value is None:
                held.pop(name, None)
            else:
                held[name] = value
        if not held:
            del self.configs[subject]
        answer: dict[str, Any] = {}
        if level is not None:
            answer["compatibility"] = level
        answer.update(self.configs.get(subject, {}))
        return answer

    def delete_level(self, subject: str) -> dict[str, Any]:
        """``DELETE /config/{s}``: drop the subject's own config, answering what it was."""
        answer = self.get_level(subject, default_to_global=False)
        self.levels.pop(subject, None)
        self.configs.pop(subject, None)
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
                "contracts": {
                    i: (s.metadata, s.rule_set)
                    for i, s in sorted(self.schemas.items())
                    if s.metadata is not None or s.rule_set is not None
                },
                "global_level": self.global_level,
                "levels": dict(sorted(self.levels.items())),
                "configs": {str(k): v for k, v in self.configs.items()},
                "global_mode": self.global_mode,
                "modes": dict(sorted(self.modes.items())),
            }
        )


def _number(v: _Version) -> int:
    return v.version


_DEFAULTS_AND_OVERRIDES = (
    "defaultMetadata",
    "overrideMetadata",
    "defaultRuleSet",
    "overrideRuleSet",
)
_CONFIG_KEYS = ("compatibilityGroup", "validateFields", "normalize", *_DEFAULTS_AND_OVERRIDES)


def _config_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The config keys a ``PUT /config`` body gives (None: clear), validated as Confluent does
    (a malformed rule set: 42210)."""
    changes: dict[str, Any] = {}
    for name in _CONFIG_KEYS:
        if name not in body:
            continue
        value = body[name]
        if value is None:
            changes[name] = None
        elif name == "compatibilityGroup":
            if not isinstance(value, str):
                raise RegistryAPIError(422, 42203, "Invalid compatibilityGroup: must be a string")
            changes[name] = value
        elif name in ("validateFields", "normalize"):
            if not isinstance(value, bool):
                raise RegistryAPIError(422, 42203, f"Invalid {name}: must be true or false")
            changes[name] = value
        elif name.endswith("Metadata"):
            changes[name] = dc.metadata(value)
        else:
            rules = dc.rule_set(value)
            dc.validate_rule_set(rules)
            changes[name] = rules
    return changes


def _contract_json(out: dict[str, Any], stored: _Stored) -> None:
    """Add a stored version's ``metadata`` and ``ruleSet`` to an answer (when it has them)."""
    if stored.metadata is not None:
        out["metadata"] = copy.deepcopy(stored.metadata)
    if stored.rule_set is not None:
        out["ruleSet"] = copy.deepcopy(stored.rule_set)


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
