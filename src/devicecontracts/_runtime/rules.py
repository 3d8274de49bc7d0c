"""Data-contract rules at run time, opt-in: domain rules on write and read, migrations across
majors. Imported only when rules are enabled, so a runtime without them pays nothing.

A generated model carries its version's data contract as module constants (``AVRO_SUBJECT``,
``AVRO_VERSION``, ``AVRO_MAJOR``, ``AVRO_METADATA``, ``AVRO_RULE_SET``: codegen 1.2), and the
models package's manifest lists every version's major. From them, decided once per model or
per writer and reader pair:

* `DomainRules`: a version's CONDITION rules of one mode (WRITE: WRITE and WRITEREAD rules, in
  order; READ: READ and WRITEREAD rules, in reverse order, as Confluent runs them), without the
  disabled ones and those whose rule set is enabled elsewhere than on clients (``enableAt``).
  They run on the record as Avro *generic data*, read from its bytes with every logical type
  plain (a timestamp-millis its long, a uuid its string), through
  `devicecontracts.datacontracts._eval.condition_failure`. On failure the rule's action decides:
  NONE ignores it, ERROR (and any custom action) raises, DLQ raises with the rule's
  ``dlq.topic``;
* `CheckedPlan`: a read plan followed by the reader version's READ rules;
* `MigratingPlan`: for a writer of another major, as Confluent's deserializer migrates: the
  body read with the writer's schema into generic data, then for each version between writer
  and reader that carries migration rules the UPGRADE rules of that version in order (for a
  reader on an older major, the DOWNGRADE rules of the later version in reverse order, later
  versions first), then written with the reader's schema and read into its model, then the
  reader's READ rules.

Errors are the typed ones of `devicecontracts.errors`: `RuleViolationOnWrite`,
`RuleViolationOnRead`, `MigrationError` (each naming the rule, the mode it ran in and the
subject), and `RulesUnavailable` when rules cannot run at all (raised at construction).
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import io
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import fastavro

from devicecontracts._runtime.plans import (
    AvroModel,
    ReadPlan,
    WriterSchema,
    plan_for,
    schema_nodes,
)
from devicecontracts._runtime.wire import HEADER_SIZE
from devicecontracts.datacontracts import (
    EMPTY_METADATA,
    EMPTY_RULE_SET,
    Metadata,
    Rule,
    RuleSet,
    metadata_from_registry,
    rule_set_from_registry,
)
from devicecontracts.errors import (
    CorruptPayload,
    DecodeError,
    Location,
    MigrationError,
    RulesUnavailable,
    RuleViolationOnRead,
    RuleViolationOnWrite,
    TruncatedMessage,
)

if TYPE_CHECKING:
    from devicecontracts._runtime.lookup import WriterSchemas
    from devicecontracts.schema import AvroType

__all__ = [
    "RULES_VARIABLE",
    "CheckedPlan",
    "DomainRules",
    "MigratingPlan",
    "ReaderRules",
    "VersionContract",
    "WriterRules",
    "contract_of",
    "require_rules",
    "rules_enabled",
]

RULES_VARIABLE: Final = "DEVICECONTRACTS_RULES"
"""Turns rules on (``1``, ``true``, ``yes``, ``on``) or off (``0``, ``false``, ``no``, ``off`` or
unset) for every serializer and deserializer built without an explicit ``rules=``."""
_ON: Final = frozenset({"1", "true", "yes", "on"})
_OFF: Final = frozenset({"", "0", "false", "no", "off"})
_CLIENT: Final = frozenset({None, "ALL", "CLIENT"})
_CONDITIONS: Final = frozenset({"CEL", "CEL_FIELD"})
_INSTALL: Final = "install the rules extra: pip install 'devicecontracts[rules]'"


def rules_enabled(rules: bool | None, environ: Mapping[str, str] | None = None) -> bool:
    """``rules`` when given, else what ``DEVICECONTRACTS_RULES`` says (off when unset).

    `RulesUnavailable` for a value that is neither a yes nor a no: a typo must not silently
    leave a consumer without its rules."""
    if rules is not None:
        return bool(rules)
    value = (os.environ if environ is None else environ).get(RULES_VARIABLE, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise RulesUnavailable(
        f"{RULES_VARIABLE}={value[:40]!r} is not understood: 1 (or true, yes, on) turns rules "
        "on, 0 (or false, no, off) or unset leaves them off"
    )


def require_rules() -> None:
    """`RulesUnavailable` unless the ``rules`` extra is installed (found, not imported)."""
    missing = [name for name in ("celpy", "jsonata") if importlib.util.find_spec(name) is None]
    if missing:
        libraries = " and ".join(
            {"celpy": "cel-python", "jsonata": "jsonata-python"}[m] for m in missing
        )
        raise RulesUnavailable(f"rules are enabled but {libraries} is not installed: {_INSTALL}")


@dataclass(frozen=True)
class VersionContract:
    """What a generated model's module records of its version's data contract."""

    subject: str | None
    version: int | None
    major: int | None
    metadata: Metadata
    rule_set: RuleSet

    def describe(self) -> str:
        """``fleet.telemetry-value v2``, or what is known of it."""
        if self.subject is None:
            return "a schema without a subject"
        return self.subject + (f" v{self.version}" if self.version is not None else "")


_contracts: dict[type, VersionContract] = {}
_NONE: Final = VersionContract(None, None, None, EMPTY_METADATA, EMPTY_RULE_SET)


def contract_of(model: type[AvroModel]) -> VersionContract:
    """The data contract ``model``'s module records (none for hand-written models or models
    generated before codegen 1.2), read once per class."""
    found = _contracts.get(model)
    if found is None:
        module = sys.modules.get(model.__module__)
        if module is None or not isinstance(getattr(module, "AVRO_RULE_SET", None), str):
            found = _NONE
        else:
            rule_set, metadata = module.AVRO_RULE_SET, getattr(module, "AVRO_METADATA", "")
            found = VersionContract(
                subject=getattr(module, "AVRO_SUBJECT", None),
                version=getattr(module, "AVRO_VERSION", None),
                major=getattr(module, "AVRO_MAJOR", None),
                metadata=metadata_from_registry(json.loads(metadata))
                if metadata
                else EMPTY_METADATA,
                rule_set=rule_set_from_registry(json.loads(rule_set))
                if rule_set
                else EMPTY_RULE_SET,
            )
        _contracts[model] = found
    return found


def _runs_in(rule: Rule, mode: str) -> bool:
    """Whether a domain rule runs in ``mode`` (WRITE or READ), or a migration rule in ``mode``
    (UPGRADE or DOWNGRADE)."""
    if rule.mode == mode:
        return True
    both = "WRITEREAD" if mode in ("WRITE", "READ") else "UPDOWN"
    return rule.mode == both


def _refuse(rule: Rule, contract: VersionContract, why: str) -> RulesUnavailable:
    return RulesUnavailable(
        f"rule {rule.name!r} of {contract.describe()} {why}; this runtime runs CEL and "
        "CEL_FIELD conditions and JSONATA migrations (turn rules off, or change the rule)"
    )


def plain_schema(parsed: Any) -> Any:
    """A copy of a fastavro-parsed schema without logical types: what it reads is Avro generic
    data as the rules see it (a timestamp-millis its long, a uuid its string, a decimal its
    bytes)."""
    plain = copy.deepcopy(parsed)
    for node, _ in schema_nodes(plain):
        node.pop("logicalType", None)
    return plain


class DomainRules:
    """The CONDITION rules of one model's version that run in ``mode`` (WRITE or READ), in the
    order they run, with what they need: the parsed schema (`devicecontracts.schema`, for
    CEL_FIELD's field walk) and the version's metadata (tags). False when there are none.
    `RulesUnavailable` for a rule this runtime cannot run."""

    __slots__ = ("contract", "metadata", "mode", "plain", "root", "rules")

    def __init__(self, model: type[AvroModel], mode: str) -> None:
        contract = contract_of(model)
        self.contract = contract
        self.mode = mode
        self.metadata = contract.metadata
        rules: list[Rule] = []
        if contract.rule_set.enable_at in _CLIENT:
            for rule in contract.rule_set.domain_rules:
                if rule.disabled or not _runs_in(rule, mode):
                    continue
                if rule.kind != "CONDITION":
                    raise _refuse(rule, contract, f"is a {rule.kind} rule")
                if rule.type not in _CONDITIONS:
                    raise _refuse(rule, contract, f"is of type {rule.type}")
                rules.append(rule)
        if mode == "READ":
            rules.reverse()  # as Confluent runs READ rules: in reverse, for symmetry
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.root: AvroType | None = None
        self.plain: Any = None
        if self.rules:
            from devicecontracts.datacontracts._eval import cel_syntax_error
            from devicecontracts.schema import parse_schema

            # CEL is loaded and every expression parsed here, at construction (a Lambda's init
            # phase), not on the first record; one that does not parse is refused now.
            for rule in self.rules:
                why = cel_syntax_error(rule.expr or "")
                if why is not None:
                    raise _refuse(rule, contract, f"is not valid CEL ({why})")

            self.root = parse_schema(model.avro_schema_json, strict=False).root
            self.plain = plain_schema(model.parsed_avro_schema())

    def __bool__(self) -> bool:
        return bool(self.rules)

    def failure(self, generic: Any) -> tuple[Rule, str, str] | None:
        """The first rule that fails on ``generic`` with an action other than NONE: (rule,
        action, why), or None when every rule holds or only NONE rules fail."""
        from devicecontracts.datacontracts._eval import condition_failure

        assert self.root is not None
        for rule in self.rules:
            why = condition_failure(rule, self.root, generic, self.metadata)
            if why is None:
                continue
            action = rule.action(self.mode, success=False)
            if action != "NONE":
                return rule, action, why
        return None

    def violation(self, generic: Any) -> tuple[Rule, str, str, str | None] | None:
        """`failure` with the dead-letter topic of a DLQ action."""
        failed = self.failure(generic)
        if failed is None:
            return None
        rule, action, why = failed
        return rule, action, why, rule.params.get("dlq.topic") if action == "DLQ" else None

    def location(self) -> Location:
        """Where the rule is: the subject and version carrying it."""
        return Location(subject=self.contract.subject, version=self.contract.version)


def _redacted(why: str) -> str:
    """What failed, without the field's value: ``at Telemetry.battery_mv`` says which field
    failed (the value stays in the error's ``reason``, out of messages and headers)."""
    field, sep, _ = why.partition(" = ")
    return f" at {field}" if sep and " " not in field else f": {why}"


def _message(rule: Rule, mode: str, why: str, dlq: str | None) -> str:
    """The message of a violation; the location names the subject and version."""
    where = f" (action DLQ: dead-letter topic {dlq})" if dlq else ""
    return f"{mode} rule {rule.name!r} failed{_redacted(why)}{where}"


class WriterRules:
    """The WRITE rules of each model a `Serializer` encodes, prepared on its first message."""

    def __init__(self) -> None:
        require_rules()
        self._rules: dict[type, DomainRules | None] = {}

    def check(self, model: type[AvroModel], framed: bytes) -> None:
        """`RuleViolationOnWrite` when a WRITE rule of ``model``'s version fails on the record
        ``framed`` holds (its generic data, read back from the body just written)."""
        rules = self._rules.get(model, False)
        if rules is False:
            prepared = DomainRules(model, "WRITE")
            rules = self._rules[model] = prepared if prepared else None
        if rules is None:
            return
        assert isinstance(rules, DomainRules)
        buffer = io.BytesIO(framed)
        buffer.seek(HEADER_SIZE)
        generic = fastavro.schemaless_reader(buffer, rules.plain, None)
        found = rules.violation(generic)
        if found is not None:
            rule, action, why, dlq = found
            raise RuleViolationOnWrite(
                _message(rule, "WRITE", why, dlq),
                rules.location(),
                rule_name=rule.name,
                rule_mode="WRITE",
                action=action,
                dlq_topic=dlq,
                reason=why,
            )


class CheckedPlan:
    """A read plan, then the READ rules of its reader model's version on the decoded record."""

    __slots__ = ("inner", "model", "plain_reader", "plain_writer", "rules", "writer")

    def __init__(self, inner: ReadPlan, rules: DomainRules) -> None:
        self.inner = inner
        self.rules = rules
        self.model = inner.model
        self.writer = inner.writer
        same = inner.writer.fingerprint == inner.model.avro_fingerprint
        self.plain_writer = plain_schema(inner.writer.parsed)
        self.plain_reader = None if same else rules.plain

    def decode(self, data: bytes, start: int = HEADER_SIZE) -> AvroModel:
        """The model, once its version's READ rules hold (`RuleViolationOnRead` otherwise)."""
        message = self.inner.decode(data, start)
        generic = self.writer.read(
            self.writer.body(data, start),
            writer_schema=self.plain_writer,
            reader_schema=self.plain_reader,
        )
        _check_read(self.rules, generic)
        return message


def _check_read(rules: DomainRules, generic: Any) -> None:
    found = rules.violation(generic)
    if found is not None:
        rule, action, why, dlq = found
        raise RuleViolationOnRead(
            _message(rule, "READ", why, dlq),
            rules.location(),
            rule_name=rule.name,
            rule_mode="READ",
            action=action,
            dlq_topic=dlq,
            reason=why,
        )


@dataclass(frozen=True)
class Migration:
    """One step: ``rules`` (in the order they run) of ``contract``'s version, in ``mode``."""

    mode: str
    rules: tuple[Rule, ...]
    contract: VersionContract


class MigratingPlan:
    """Reads a record of another major: generic data of the writer's schema, migrated step by
    step, written with the reader's schema and read into its model, then its READ rules."""

    __slots__ = ("migrations", "model", "own", "plain_reader", "plain_writer", "rules", "writer")

    def __init__(
        self,
        writer: WriterSchema,
        model: type[AvroModel],
        migrations: Sequence[Migration],
        rules: DomainRules,
    ) -> None:
        self.writer = writer
        self.model = model
        self.migrations = tuple(migrations)
        self.rules = rules
        self.plain_writer = plain_schema(writer.parsed)
        self.plain_reader = rules.plain if rules else plain_schema(model.parsed_avro_schema())
        self.own = plan_for(model)

    def decode(self, data: bytes, start: int = HEADER_SIZE) -> AvroModel:
        """The migrated model (`MigrationError` when a step fails or its result does not fit)."""
        generic = self._generic(data, start)
        for step in self.migrations:
            generic = self._step(step, generic)
        body = io.BytesIO()
        last = self.migrations[-1]
        try:
            fastavro.schemaless_writer(body, self.plain_reader, generic)
        except Exception as exc:  # fastavro's write errors have no common base
            raise self._error(
                last,
                None,
                f"the migrated record does not fit {self.model.__name__}: "
                f"{type(exc).__name__}: {str(exc)[:300]}",
            ) from None
        written = body.getvalue()
        try:
            message = self.own.decode(written, start=0)
        except DecodeError as exc:
            raise self._error(last, None, f"the migrated record: {exc.message}") from None
        if self.rules:
            _check_read(
                self.rules, fastavro.schemaless_reader(io.BytesIO(written), self.plain_reader, None)
            )
        return message

    def _generic(self, data: bytes, start: int) -> Any:
        buffer = self.writer.body(data, start)
        try:
            generic = self.writer.read(buffer, writer_schema=self.plain_writer, reader_schema=None)
        except DecodeError:
            raise
        except EOFError:
            raise TruncatedMessage(
                f"the {self.writer.described} record ends early ({len(data)} bytes)"
            ) from None
        except RecursionError:
            raise CorruptPayload(
                f"the body nests {self.writer.described} records too deeply to read safely"
            ) from None
        except Exception as exc:  # fastavro's errors on bad input have no common base
            raise CorruptPayload(
                f"not a {self.writer.described} record: {type(exc).__name__}: {str(exc)[:200]}"
            ) from None
        if buffer.tell() != len(data):
            raise CorruptPayload(
                f"{len(data) - buffer.tell()} bytes are left after a complete "
                f"{self.writer.described} record: the header's schema id is probably not the one "
                "the value was written with"
            )
        return generic

    def _step(self, step: Migration, generic: Any) -> Any:
        from devicecontracts.datacontracts._eval import RuleEvaluationError, migrate

        for rule in step.rules:
            try:
                generic = migrate(rule, generic)
            except RuleEvaluationError as exc:
                action = rule.action(step.mode, success=False)
                if action == "NONE":
                    continue
                dlq = rule.params.get("dlq.topic") if action == "DLQ" else None
                raise self._error(step, rule, str(exc), action=action, dlq=dlq) from None
        return generic

    def _error(
        self,
        step: Migration,
        rule: Rule | None,
        why: str,
        *,
        action: str = "ERROR",
        dlq: str | None = None,
    ) -> MigrationError:
        name = rule.name if rule is not None else ",".join(r.name for r in step.rules)
        where = f"; action DLQ: dead-letter topic {dlq}" if dlq else ""
        return MigrationError(
            f"{step.mode} migration {name!r} of {step.contract.describe()} (from "
            f"{self.writer.described} to {self.model.__name__}) failed: {why[:500]}{where}",
            Location(subject=step.contract.subject, version=step.contract.version),
            rule_name=name,
            rule_mode=step.mode,
            action=action,
            dlq_topic=dlq,
            reason=why,
        )


class ReaderRules:
    """The rules of a `Deserializer`: the READ rules of each reader model (prepared at
    construction) and, per writer schema, the migrations into the reader model."""

    def __init__(self, models: Sequence[type[AvroModel]], schemas: WriterSchemas) -> None:
        require_rules()
        self.schemas = schemas
        self.read = {model: DomainRules(model, "READ") for model in models}
        self._manifest: dict[tuple[str, int], tuple[str, str, int | None]] | None = None

    def plan(self, schema_id: int, plan: ReadPlan) -> ReadPlan | CheckedPlan | MigratingPlan:
        """The plan for ``schema_id``: ``plan`` itself when nothing is to be checked."""
        rules = self.read.get(plan.model) or DomainRules(plan.model, "READ")
        migrations = self._migrations(schema_id, plan.writer, plan.model)
        if migrations:
            return MigratingPlan(plan.writer, plan.model, migrations, rules)
        return CheckedPlan(plan, rules) if rules else plan

    # -- migrations --------------------------------------------------------------------------

    def _writer_version(
        self, schema_id: int, writer: WriterSchema
    ) -> tuple[str, int, int | None] | None:
        """The subject, version and major of the writer schema, when this process knows it."""
        ids = self.schemas.ids
        release = ids.release(schema_id) if ids is not None else None
        if release is not None:
            entry = self._versions().get((release.subject, release.version))
            if entry is not None:
                return release.subject, release.version, entry[2]
        model = self.schemas.model_of(writer.fingerprint) if writer.fingerprint else None
        if model is not None:
            contract = contract_of(model)
            if contract.subject is not None and contract.version is not None:
                return contract.subject, contract.version, contract.major
        return None

    def _migrations(
        self, schema_id: int, writer: WriterSchema, model: type[AvroModel]
    ) -> list[Migration]:
        reader = contract_of(model)
        found = self._writer_version(schema_id, writer)
        if found is None or reader.subject is None or reader.version is None:
            return []
        subject, version, major = found
        if subject != reader.subject or version == reader.version or major == reader.major:
            return []  # the same major: Avro resolution reads it, as without rules
        mode = "UPGRADE" if version < reader.version else "DOWNGRADE"
        low, high = sorted((version, reader.version))
        steps: list[Migration] = []
        for number in range(low + 1, high + 1):
            contract = (
                reader if number == reader.version else self._contract(subject, number, writer)
            )
            rules = [
                r for r in contract.rule_set.migration_rules if not r.disabled and _runs_in(r, mode)
            ]
            if not rules or contract.rule_set.enable_at not in _CLIENT:
                continue
            for rule in rules:
                if rule.type != "JSONATA":
                    raise _refuse(rule, contract, f"is a migration of type {rule.type}")
            if mode == "DOWNGRADE":
                rules.reverse()
            steps.append(Migration(mode, tuple(rules), contract))
        if mode == "DOWNGRADE":
            steps.reverse()
        return steps

    def _contract(self, subject: str, version: int, writer: WriterSchema) -> VersionContract:
        entry = self._versions().get((subject, version))
        if entry is None:
            raise MigrationError(
                f"cannot migrate {writer.described}: {subject} v{version}, between the writer "
                f"and the reader, has no model in {self.schemas.models_package}; regenerate the "
                "models with every version",
                Location(subject=subject, version=version),
                rule_name="",
                rule_mode="UPGRADE",
                reason="a version between the writer and the reader is unknown",
            )
        module, name, _ = entry
        return contract_of(getattr(importlib.import_module(module), name))

    def _versions(self) -> dict[tuple[str, int], tuple[str, str, int | None]]:
        """(subject, version) -> (module, class, major) of the models package's manifest."""
        if self._manifest is None:
            self._manifest = {}
            package = self.schemas.models_package
            try:
                manifest = importlib.import_module(f"{package}._manifest") if package else None
            except ModuleNotFoundError:
                manifest = None
            for entry in getattr(manifest, "MODULES", {}).values():
                if entry.get("model") and entry.get("subject") and entry.get("version"):
                    key = (str(entry["subject"]), int(entry["version"]))
                    self._manifest[key] = (
                        str(entry["module"]),
                        str(entry["model"]),
                        entry.get("major"),
                    )
        return self._manifest
