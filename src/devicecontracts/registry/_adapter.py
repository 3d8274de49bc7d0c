"""`SchemaRegistry`: the adapter over confluent-kafka's ``SchemaRegistryClient``.

It drives the client (imported only when the first request is made, so importing
``devicecontracts.registry`` never loads it), which gives retries with exponential backoff and
jitter, TLS and auth, configured by `RegistrySettings.client_config`. Two endpoints go over the
client's own HTTP layer instead, with the same session, auth, TLS and retries, because the
client mangles them (see `SchemaRegistry.check` and `SchemaRegistry.lookup`).

Data contracts: a registration, lookup or check may carry a version's ``metadata`` and
``ruleSet`` (`devicecontracts.datacontracts.Metadata` and ``RuleSet``), written through the
client's own entities (``Schema(..., metadata=, rule_set=)``), whose JSON keeps an empty one as
``{}``: sent explicitly, so the registry inherits nothing from the previous version. Subject
config beyond the level (``compatibilityGroup``, default and override metadata and rule sets)
is read and written with `subject_config` and `set_config`. Every failure
becomes a `devicecontracts.errors.RegistryError` through ``registry._errors``, the map the
runtime uses too, saying what was being done, what the registry answered and what to do.

Governance only: the runtime never imports this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from devicecontracts.catalog.lock import Reference
from devicecontracts.errors import Location, RegistryRequestError
from devicecontracts.registry._errors import failure
from devicecontracts.registry.settings import RegistrySettings, new_client
from devicecontracts.schema.compatibility import CompatibilityLevel

if TYPE_CHECKING:
    from devicecontracts.datacontracts import Metadata, Rule, RuleSet

__all__ = ["RegisteredVersion", "RegistryVerdict", "SchemaRegistry"]

_log = logging.getLogger("devicecontracts.registry")
T = TypeVar("T")


@dataclass(frozen=True)
class RegisteredVersion:
    """A version as the registry holds it: subject, version number, global id, schema text."""

    subject: str
    version: int
    schema_id: int
    schema: str | None = None
    references: tuple[Reference, ...] = ()
    metadata: Any = None
    """The version's ``metadata`` as the registry answers it (JSON; None when it has none)."""
    rule_set: Any = None
    """The version's ``ruleSet`` as the registry answers it (JSON; None when it has none)."""


@dataclass(frozen=True)
class RegistryVerdict:
    """The registry's compatibility verdict on a schema, with its verbose messages."""

    compatible: bool
    messages: tuple[str, ...] = ()


class _Refused:
    """An expected refusal (such as 40401 for a subject that does not exist yet)."""

    def __init__(self, error_code: int, message: str = "") -> None:
        self.error_code = error_code
        self.message = message


class SchemaRegistry:
    """One registry, reached through confluent-kafka's client; use it as a context manager.

    Methods name what they do, take subjects and schema text, and raise `RegistryError`
    subclasses; answers that mean "not there" (40401, 40403, 40408) come back as ``None`` or
    empty values where that is a normal answer.
    """

    def __init__(self, settings: RegistrySettings) -> None:
        self.settings = settings
        self._client: Any = None
        self.version_guard: bool | None = None
        """Whether the registry honours the version a registration asks for (see `register`);
        None until a registration asked."""

    def __enter__(self) -> SchemaRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the HTTP connections."""
        client, self._client = self._client, None
        if client is not None:
            try:
                client.__exit__(None, None, None)  # close() only exists from 2.16 on
            except Exception:  # closing must never hide the outcome of the run
                _log.debug("closing the registry client failed", exc_info=False)

    # -- reading --------------------------------------------------------------------------------

    def global_level(self) -> CompatibilityLevel:
        """The registry's global compatibility level."""
        level = self._run("reading the global compatibility level", self.client.get_compatibility)
        return _level(level, "the global level")

    def global_config(self) -> dict[str, Any]:
        """``GET /config``: the global config as JSON (level, group, defaults, overrides)."""
        answer = self._run("reading the global config", lambda: self._send("GET", "config"))
        return answer if isinstance(answer, dict) else {}

    def subject_level(self, subject: str) -> CompatibilityLevel | None:
        """The subject's own level, or None when it has none (40408: it uses the global one)."""
        return self.config_level(self.subject_config(subject), subject)

    @staticmethod
    def config_level(config: dict[str, Any] | None, subject: str) -> CompatibilityLevel | None:
        """The level a subject config (`subject_config`) holds; None when it holds none."""
        raw = None if config is None else config.get("compatibilityLevel")
        return None if raw is None else _level(raw, subject)

    def subject_config(self, subject: str, *, in_force: bool = False) -> dict[str, Any] | None:
        """``GET /config/{s}``: the subject's own config as JSON (``compatibilityLevel``,
        ``compatibilityGroup``, ``defaultMetadata``...), None when it has none (40408).

        ``in_force``: the config the registry applies (``defaultToGlobal=true``: the subject's
        over the global one), never None."""
        answer = self._attempt(
            f"reading the config of {subject}",
            lambda: self._send(
                "GET",
                f"config/{quote(subject, safe='')}",
                query={"defaultToGlobal": "true"} if in_force else None,
            ),
            Location(subject=subject),
            allow=(40408, 40401),
        )
        return None if isinstance(answer, _Refused) or not isinstance(answer, dict) else answer

    def versions(self, subject: str, *, deleted: bool = False) -> list[int]:
        """The subject's version numbers (soft-deleted ones too with ``deleted``); [] if none."""
        answer = self._attempt(
            f"listing the versions of {subject}",
            lambda: self.client.get_versions(subject, deleted=deleted),
            Location(subject=subject),
            allow=(40401,),
        )
        return [] if isinstance(answer, _Refused) else sorted(int(v) for v in answer)

    def versions_of_id(self, schema_id: int) -> list[tuple[str, int]]:
        """Every (subject, version) registered with schema id ``schema_id``, sorted (soft-deleted
        ones included); [] when the registry has no such id. ``contracts census`` maps the ids
        it reads this way."""
        answer = self._attempt(
            f"looking up schema id {schema_id}",
            lambda: self._send(
                "GET", f"schemas/ids/{int(schema_id)}/versions", query={"deleted": "true"}
            ),
            Location(schema_id=schema_id),
            allow=(40403,),
        )
        if isinstance(answer, _Refused) or not isinstance(answer, list):
            return []
        return sorted((str(item["subject"]), int(item["version"])) for item in answer)

    def schema_by_id(self, schema_id: int) -> tuple[str, tuple[Reference, ...]] | None:
        """The schema text registered as id ``schema_id`` and its references; None when the
        registry has no such id."""
        answer = self._attempt(
            f"reading schema id {schema_id}",
            lambda: self._send("GET", f"schemas/ids/{int(schema_id)}"),
            Location(schema_id=schema_id),
            allow=(40403,),
        )
        if isinstance(answer, _Refused) or not isinstance(answer, dict):
            return None
        refs = tuple(
            Reference(str(r["name"]), str(r["subject"]), int(r["version"]))
            for r in answer.get("references") or ()
        )
        return str(answer["schema"]), refs

    def version(self, subject: str, version: int) -> RegisteredVersion:
        """One registered version of the subject (soft-deleted ones included)."""

        def read() -> RegisteredVersion:
            found = self.client.get_version(subject, version, deleted=True)
            held = found.schema
            return RegisteredVersion(
                subject,
                int(found.version),
                int(found.schema_id),
                held.schema_str,
                tuple(Reference(r.name, r.subject, int(r.version)) for r in held.references),
                None if held.metadata is None else held.metadata.to_dict(),
                None if held.rule_set is None else held.rule_set.to_dict(),
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
        metadata: Metadata | None = None,
        rule_set: RuleSet | None = None,
        normalize: bool = False,
    ) -> RegisteredVersion | None:
        """The version of ``subject`` holding a schema identical to ``schema``, or None.

        This is the registry's own notion of "identical" (``POST /subjects/{s}``), so what it
        finds is exactly what registering would return. ``deleted`` includes soft-deleted
        versions. ``metadata`` and ``rule_set`` are part of the identity (Confluent also tries
        the latest version's when the request has none).
        """
        # Straight over the client's HTTP layer: ``lookup_schema`` answers from a cache keyed
        # by schema (stale once we have registered in this run) and spells booleans "True".
        answer = self._attempt(
            f"looking up {subject}",
            lambda: _registered(
                self._send(
                    "POST",
                    f"subjects/{quote(subject, safe='')}",
                    body=_schema_body(schema, references, metadata, rule_set),
                    query=_query(normalize, deleted="true" if deleted else "false"),
                ),
                subject,
                schema,
            ),
            Location(subject=subject),
            allow=(40401, 40403),
        )
        return None if isinstance(answer, _Refused) else answer

    def check(
        self,
        subject: str,
        schema: str,
        references: Sequence[Reference] = (),
        *,
        metadata: Metadata | None = None,
        rule_set: RuleSet | None = None,
        normalize: bool = False,
    ) -> RegistryVerdict:
        """The registry's verdict on registering ``schema`` now, with its reasons.

        ``POST /compatibility/subjects/{s}/versions?verbose=true``: the same check register runs
        (every live version at a transitive level), not the ``/versions/latest`` form that
        ignores transitive levels. An invalid schema is a verdict too (the registry's messages
        say why). The check takes the request's metadata as sent (Confluent inherits nothing
        here), so with a compatibility group it compares within the major ``metadata`` names.
        """
        # Straight over the client's HTTP layer: the client's ``test_compatibility*`` return
        # only the boolean and drop the verbose messages, which are the point.
        answer = self._attempt(
            f"checking {subject} for compatibility",
            lambda: _verdict(
                self._send(
                    "POST",
                    f"compatibility/subjects/{quote(subject, safe='')}/versions",
                    body=_schema_body(schema, references, metadata, rule_set),
                    query=_query(normalize, verbose="true"),
                )
            ),
            Location(subject=subject),
            allow=(40401,),
        )
        # Some registries (Karapace) answer 40401 where Confluent says a new subject is fine.
        return RegistryVerdict(True) if isinstance(answer, _Refused) else answer

    # -- writing --------------------------------------------------------------------------------

    def register(
        self,
        subject: str,
        schema: str,
        references: Sequence[Reference] = (),
        *,
        version: int | None = None,
        metadata: Metadata | None = None,
        rule_set: RuleSet | None = None,
        normalize: bool = False,
    ) -> RegisteredVersion:
        """Register ``schema`` under ``subject``; the version and id the registry gave it.

        ``metadata`` and ``rule_set`` go with it exactly as given, an empty one as ``{}`` (None
        leaves it out, and the registry copies the previous version's); ``normalize`` asks the
        registry to normalize the schema (``?normalize=true``).

        With ``version``, the registry stores the schema only as that version: the request
        carries it, and a registry that honours it (Confluent 7.4 and later) refuses with 42201
        when the subject's next version is another one, so two releases cannot both take it.
        A registry too old for that (42205, "not in import mode") is asked again without it,
        and `version_guard` turns False: the caller must then check the version it got.
        Older registries answer only the id; the version is then looked up.
        """
        where = Location(subject=subject)
        operation = f"registering a new version of {subject}"
        if version is not None and self.version_guard is not False:
            guarded = self._register_as(
                subject,
                schema,
                references,
                version=version,
                operation=operation,
                where=where,
                contract=(metadata, rule_set, normalize),
            )
            if not isinstance(guarded, _Refused):
                self.version_guard = True
                return guarded
            if "import mode" in guarded.message:
                _log.debug("registry: %s takes no version outside IMPORT mode", subject)
                self.version_guard = False
            # else READONLY, say: the plain request meets the same refusal and reports it
        request = _schema_entity(schema, references, metadata, rule_set)
        answer = self._run(
            operation,
            lambda: self.client.register_schema_full_response(
                subject, request, normalize_schemas=normalize
            ),
            where,
        )
        return self._registered_as(
            subject,
            schema,
            references,
            schema_id=int(answer.schema_id),
            version=None if answer.version is None else int(answer.version),
            operation=operation,
            where=where,
            contract=(metadata, rule_set, normalize),
        )

    def _register_as(
        self,
        subject: str,
        schema: str,
        references: Sequence[Reference],
        *,
        version: int,
        operation: str,
        where: Location,
        contract: _Contract = (None, None, False),
    ) -> RegisteredVersion | _Refused:
        """``POST /subjects/{s}/versions`` with ``"version"`` in the body (42205 comes back
        as `_Refused`: a registry too old for it, or a READONLY one)."""
        # Confluent's KafkaSchemaRegistry.register (schema-registry, core/.../storage/
        # KafkaSchemaRegistry.java) compares the requested version with the subject's next one
        # (the highest, soft-deleted included, plus one) under the subject's write lock, after
        # the compatibility check: InvalidSchemaException "Version is not one more than previous
        # version", answered 422 with error code 42201 (since 7.4.0, commit "Add compare-and-set
        # for version" of DGS-4826). Before 7.4 a version outside IMPORT mode is refused with
        # 42205 ("Subject ... is not in import mode"). From 7.6.2 on, a request with a version
        # also skips the "identical schema returns the existing version" shortcut, and the
        # registry records the version in the schema's metadata as ``confluent:version``
        # (lookups ignore that property). confluent-kafka's client cannot send a version (its
        # Schema has no such field, and register_schema answers from its cache), so the body
        # goes over the client's own HTTP layer, with the same auth, TLS and retries.
        metadata, rule_set, normalize = contract
        body = _schema_body(schema, references, metadata, rule_set)
        body["version"] = version
        answer = self._attempt(
            operation,
            lambda: _id_and_version(
                self._send(
                    "POST",
                    f"subjects/{quote(subject, safe='')}/versions",
                    body=body,
                    query=_query(normalize),
                )
            ),
            where,
            allow=(42205,),
        )
        if isinstance(answer, _Refused):
            return answer
        schema_id, given = answer
        if given is None:
            # Before 7.4.1 the answer holds the id only. The registry stored it as ``version``
            # unless it ignores the field (not Confluent): read that version to be sure.
            held = self.version(subject, version) if version in self.versions(subject) else None
            if held is not None and held.schema_id == schema_id:
                given = version
        return self._registered_as(
            subject,
            schema,
            references,
            schema_id=schema_id,
            version=given,
            operation=operation,
            where=where,
            contract=contract,
        )

    def _registered_as(
        self,
        subject: str,
        schema: str,
        references: Sequence[Reference],
        *,
        schema_id: int,
        version: int | None,
        operation: str,
        where: Location,
        contract: _Contract = (None, None, False),
    ) -> RegisteredVersion:
        """The registration answered ``schema_id`` and ``version`` (None: older registries
        answer only the id, and the subject's version holding the schema is looked up)."""
        if version is not None:
            return RegisteredVersion(subject, version, schema_id, schema, tuple(references))
        metadata, rule_set, normalize = contract
        found = self.lookup(
            subject,
            schema,
            references,
            deleted=False,
            metadata=metadata,
            rule_set=rule_set,
            normalize=normalize,
        )
        if found is None or found.schema_id != schema_id:
            raise RegistryRequestError(
                f"{operation}: the registry answered id {schema_id} but does not list "
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

    def set_config(self, subject: str, changes: dict[str, Any]) -> None:
        """``PUT /config/{s}`` with the config fields in ``changes``, by the registry's names:
        ``compatibilityGroup`` (a string), ``defaultMetadata``/``overrideMetadata`` (`Metadata`)
        and ``defaultRuleSet``/``overrideRuleSet`` (`RuleSet`, or either as the registry's
        JSON); None clears a field. Fields
        left out keep their value (Confluent's ``ConfigValue.update``)."""
        from confluent_kafka.schema_registry import ServerConfig

        def entity(name: str) -> Any:
            value = changes.get(name)
            if value is None or isinstance(value, dict):  # raw JSON (putting a config back)
                return value
            return _metadata_entity(value) if name.endswith("Metadata") else _rule_set_entity(value)

        body: dict[str, Any] = ServerConfig(
            compatibility_group=changes.get("compatibilityGroup"),
            default_metadata=entity("defaultMetadata"),
            override_metadata=entity("overrideMetadata"),
            default_rule_set=entity("defaultRuleSet"),
            override_rule_set=entity("overrideRuleSet"),
        ).to_dict()
        # The client's entity leaves out what is None; the registry clears a field sent as null.
        body.update({name: None for name, value in changes.items() if value is None})
        self._run(
            f"setting the config of {subject} ({', '.join(sorted(changes))})",
            lambda: self._send("PUT", f"config/{quote(subject, safe='')}", body=body),
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
            self._client = new_client(self.settings.client_config(), self.settings.secrets)
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
        """``call()``, with every failure turned into a `RegistryError` (by the one map in
        ``registry._errors``), except refusals whose error code is in ``allow``: those come
        back as `_Refused`."""
        self.client  # noqa: B018 - configuration errors first, outside the request handling
        _log.debug("registry: %s", operation)
        try:
            return call()
        except Exception as exc:
            code = getattr(exc, "error_code", None)
            if hasattr(exc, "http_status_code") and isinstance(code, int) and code in allow:
                return _Refused(code, str(getattr(exc, "error_message", "") or ""))
            settings = self.settings
            error = failure(
                exc,
                operation,
                where,
                url=settings.url,
                timeout=settings.timeout,
                retries=settings.retries,
                redact=settings.redact,
            )
            if error is None:
                raise
            raise error from None


def _level(raw: object, what: str) -> CompatibilityLevel:
    try:
        return CompatibilityLevel.parse(str(raw))
    except ValueError:
        raise RegistryRequestError(
            f"the registry answered an unknown compatibility level {raw!r} for {what}"
        ) from None


_Contract = tuple["Metadata | None", "RuleSet | None", bool]


def _query(normalize: bool, **query: str) -> dict[str, str] | None:
    if normalize:
        query["normalize"] = "true"
    return query or None


def _schema_entity(
    schema: str,
    references: Sequence[Reference],
    metadata: Metadata | None,
    rule_set: RuleSet | None,
) -> Any:
    """confluent-kafka's ``Schema`` for a request (an empty metadata or rule set kept: ``{}``)."""
    from confluent_kafka.schema_registry import Schema, SchemaReference

    return Schema(
        schema,
        "AVRO",
        [SchemaReference(r.name, r.subject, r.version) for r in references],
        metadata=None if metadata is None else _metadata_entity(metadata),
        rule_set=None if rule_set is None else _rule_set_entity(rule_set),
    )


def _schema_body(
    schema: str,
    references: Sequence[Reference],
    metadata: Metadata | None = None,
    rule_set: RuleSet | None = None,
) -> dict[str, Any]:
    """The JSON body of a register, lookup or check request, as the client writes it."""
    body: dict[str, Any] = _schema_entity(schema, references, metadata, rule_set).to_dict()
    if not references:
        body.pop("references", None)  # as before: the client writes an empty list
    return body


def _metadata_entity(metadata: Metadata) -> Any:
    """`Metadata` as the client's entity; empty parts are None, so they are left out."""
    from confluent_kafka.schema_registry import Metadata as Entity
    from confluent_kafka.schema_registry import MetadataProperties, MetadataTags

    return Entity(
        tags=MetadataTags({k: sorted(v) for k, v in sorted(metadata.tags.items())})
        if metadata.tags
        else None,
        properties=MetadataProperties(dict(sorted(metadata.properties.items())))
        if metadata.properties
        else None,
        sensitive=sorted(metadata.sensitive) if metadata.sensitive else None,
    )


def _rule_set_entity(rule_set: RuleSet) -> Any:
    """`RuleSet` as the client's entity; empty groups are None, so they are left out."""
    from confluent_kafka.schema_registry import RuleSet as Entity

    def rules(group: tuple[Rule, ...]) -> list[Any] | None:
        return [_rule_entity(r) for r in group] if group else None

    return Entity(
        migration_rules=rules(rule_set.migration_rules),
        domain_rules=rules(rule_set.domain_rules),
        encoding_rules=rules(rule_set.encoding_rules),
        enable_at=rule_set.enable_at,
    )


def _rule_entity(rule: Rule) -> Any:
    from confluent_kafka.schema_registry import Rule as Entity
    from confluent_kafka.schema_registry import RuleKind, RuleMode, RuleParams

    try:
        kind, mode = RuleKind(rule.kind), RuleMode(rule.mode)
    except ValueError:
        raise RegistryRequestError(
            f"rule {rule.name!r} has kind {rule.kind!r} and mode {rule.mode!r}, which Schema "
            "Registry does not know: run contracts check"
        ) from None
    return Entity(
        name=rule.name,
        doc=rule.doc,
        kind=kind,
        mode=mode,
        type=rule.type,
        tags=list(rule.tags) if rule.tags else None,
        params=RuleParams(dict(sorted(rule.params.items()))) if rule.params else None,
        expr=rule.expr,
        on_success=rule.on_success,
        on_failure=rule.on_failure,
        disabled=True if rule.disabled else None,
    )


def _id_and_version(answer: Any) -> tuple[int, int | None]:
    """The id and (from Confluent 7.4.1 on) the version a registration answered."""
    version = answer.get("version")
    return int(answer["id"]), None if version is None else int(version)


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
        answer.get("metadata"),
        answer.get("ruleSet"),
    )
