"""Findings: what ``contracts check`` reports, and the rules that produce them.

Every finding carries a stable rule id, a severity, the subject and version, the file and the
JSON path in the schema (with line and column when known), a message and a hint that says how to
fix it. `RULES` documents every rule id; ``contracts rules`` prints it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any

from devicecontracts.errors import Location

__all__ = ["CORE_RULES", "RULES", "Finding", "Rule", "Severity", "make"]


class Severity(enum.StrEnum):
    """An error fails ``contracts check`` (exit 1); a warning is reported only."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """A rule id, its category, its default severity and what it means.

    ``hint`` is the rule's fix when it is the same for every finding (the dangerous changes);
    other rules word their hint per finding.
    """

    id: str
    category: str
    severity: Severity
    summary: str
    hint: str = ""


def _rules(
    *rows: tuple[str, str, Severity, str] | tuple[str, str, Severity, str, str],
) -> dict[str, Rule]:
    return {r[0]: Rule(*r) for r in rows}


_E, _W = Severity.ERROR, Severity.WARNING
RULES: dict[str, Rule] = _rules(
    ("invalid-json", "schema", _E, "A schema file is not valid JSON."),
    (
        "invalid-schema",
        "schema",
        _E,
        "A schema is not valid Avro as the catalog's registry line validates new "
        "schemas (the registry would answer 42201).",
    ),
    (
        "spec-invalid-default",
        "schema",
        _W,
        "A default the registry line accepts (Confluent 7 validates defaults only with "
        "validate_defaults or normalize) but the Avro specification forbids: the registry "
        "itself would take it, and a reader that needs the default fails.",
    ),
    ("catalog-undeclared-folder", "catalog", _E, "A folder of schemas is not in catalog.toml."),
    ("catalog-missing-folder", "catalog", _E, "catalog.toml declares a contract with no folder."),
    ("catalog-stray-file", "catalog", _E, "A file in a contract folder is not a vN.avsc version."),
    ("catalog-version-gap", "catalog", _E, "Versions are not numbered 1..n without gaps."),
    (
        "catalog-duplicate-subject",
        "catalog",
        _E,
        "Two contracts resolve to the same registry subject: the registry would see one history.",
    ),
    (
        "level-below-minimum",
        "catalog",
        _E,
        "A subject's level does not protect the long-lived "
        "party of its direction (old writers, or old firmware readers).",
    ),
    (
        "incompatible",
        "wire",
        _E,
        "A version breaks its subject's compatibility level against an "
        "earlier version: the registry would reject it (409).",
    ),
    (
        "released-version-changed",
        "lock",
        _E,
        "A released version's file no longer matches the lock: released versions are immutable.",
    ),
    ("released-version-missing", "lock", _E, "A released version's file is gone."),
    (
        "released-contract-changed",
        "lock",
        _E,
        "A released version's data contract (metadata, rules in contract.toml) no longer "
        "matches the lock.",
    ),
    (
        "released-subject-missing",
        "lock",
        _E,
        "The lock has released versions of a subject the catalog no longer declares.",
    ),
    (
        "released-version-gap",
        "lock",
        _E,
        "The lock's released versions of a subject do not run v1..vn: an entry was deleted, "
        "which would un-release that version.",
    ),
    (
        "released-level-weakened",
        "lock",
        _E,
        "A released subject's level is weaker than the level a version was released at: data "
        "written or read under the old promise may no longer be protected.",
    ),
    (
        "released-reference-changed",
        "lock",
        _E,
        "A released version's pinned reference changed in the lock, names a shared version that "
        "does not exist, or points at a shared version whose file was edited.",
    ),
    (
        "logical-type-changed",
        "semantic",
        _E,
        "A logical type changed (e.g. timestamp-millis to "
        "-micros): the wire accepts it, the values change meaning.",
        "keep the logical type; add a new field with the new one (for example ts_us alongside ts)",
    ),
    (
        "decimal-changed",
        "semantic",
        _E,
        "A decimal's precision or scale changed: the same bytes now mean another number.",
        "keep precision and scale; add a new decimal field instead",
    ),
    (
        "string-bytes-changed",
        "semantic",
        _E,
        "A field changed between string and bytes: "
        "wire-compatible, but generated types and consumers change.",
        "keep the type; add a new field of the other type",
    ),
    (
        "type-widened-lossy",
        "semantic",
        _E,
        "int or long widened to float, or long to double: large values silently lose precision.",
        "widen without loss (int to long, float to double) or add a new field",
    ),
    (
        "type-renamed",
        "semantic",
        _E,
        "A record, enum or fixed was renamed: generated classes "
        "change, and under RecordNameStrategy the subject changes.",
        "keep the name; a rename needs a new subject and a migration",
    ),
    (
        "namespace-changed",
        "semantic",
        _E,
        "A named type moved namespace: generated modules and record-name subjects change.",
        "keep the namespace; a move needs a new subject and a migration",
    ),
    (
        "field-renamed",
        "semantic",
        _W,
        "A field was renamed through an alias: generated attribute names change for consumers.",
        "keep the field name; if the rename is wanted, tell consumers first "
        "(or add [rules] warn/disable in catalog.toml)",
    ),
    (
        "enum-without-default",
        "lint",
        _E,
        "An enum has no enum-level default symbol, so adding a symbol later breaks old readers.",
    ),
    ("optional-field-shape", "lint", _E, 'An optional field is not ["null", T] with default null.'),
    (
        "enum-field-default-not-symbol",
        "lint",
        _E,
        "A field default of enum type is not one of "
        "the enum's symbols: reading with that default fails.",
    ),
    (
        "invalid-logical-type",
        "lint",
        _E,
        "A logicalType is unknown or does not fit its type; Avro silently ignores it.",
    ),
    (
        "field-alias-collision",
        "lint",
        _E,
        "A field alias names another field of the record, or two fields share an alias: Avro "
        "Java (so Confluent) accepts it, fastavro fails to read such data.",
    ),
    ("missing-doc", "lint", _W, "A record, enum, fixed or field has no doc."),
    ("missing-namespace", "lint", _W, "A top-level named type has no namespace."),
    # contracts codegen, for the models catalog.toml's [models] declares (check.staleness)
    (
        "stale-model",
        "codegen",
        _E,
        "A generated model of the catalog's [models] package no longer matches its schema "
        "version (or has none): regenerate with contracts codegen.",
    ),
    # contract.toml and inline field tags: data contracts (devicecontracts.check.datacontracts)
    (
        "contract-version-unknown",
        "datacontract",
        _E,
        "contract.toml names a version the contract does not have ([versions.N], from_version, "
        "until_version, a migration's version, a reserved name's first version), or an empty "
        "from_version..until_version range.",
    ),
    (
        "contract-sensitive-unknown",
        "datacontract",
        _E,
        "contract.toml's sensitive lists a property no version's metadata has.",
    ),
    (
        "major-without-group",
        "datacontract",
        _E,
        "A [versions.N] table declares a major, but the contract has no compatibility_group: "
        "the registry would compare every version with every other, majors or not.",
    ),
    (
        "major-decreases",
        "datacontract",
        _E,
        "A version's major is lower than the major of the version before it: majors never "
        "decrease.",
    ),
    (
        "major-without-migration",
        "datacontract",
        _E,
        "A version starts a new major (a deliberate break) without migration rules in both "
        "directions (UPGRADE and DOWNGRADE, or UPDOWN): readers of one major cannot read the "
        "other's data. Waivable in waivers.toml when no migration is possible.",
    ),
    (
        "migration-not-at-major",
        "datacontract",
        _E,
        "A migration rule is on a version that does not start a major (or the contract has no "
        "compatibility_group): the registry's clients never run it.",
    ),
    (
        "rule-invalid-name",
        "datacontract",
        _E,
        "A rule name the registry refuses (42210): a letter or _ first, then letters, digits, _ "
        "or -, at most 64 characters (UTF-16 units).",
    ),
    (
        "rule-duplicate-name",
        "datacontract",
        _E,
        "Two rules of one subject (domain rules and migrations, or one subject config rule set) "
        "share a name: the registry refuses a rule set with two (42210).",
    ),
    (
        "rule-invalid-value",
        "datacontract",
        _E,
        "A rule's kind, mode, on_success/on_failure action or a rule set's enable_at is not one "
        "of Confluent's values for where it is (domain rules: WRITE, READ, WRITEREAD; "
        "migrations: UPGRADE, DOWNGRADE, UPDOWN; actions NONE, ERROR, DLQ, two only for "
        "WRITEREAD/UPDOWN).",
    ),
    (
        "rule-unsupported-type",
        "datacontract",
        _E,
        "A rule's type is not one devicecontracts checks and runs (CEL or CEL_FIELD domain "
        "rules, JSONATA migrations); ENCRYPT and other executors are not supported.",
    ),
    (
        "rule-dlq-topic",
        "datacontract",
        _E,
        'A rule whose action is DLQ has no valid Kafka topic in params "dlq.topic".',
    ),
    (
        "rule-syntax-error",
        "datacontract",
        _E,
        "A rule's CEL or JSONata expression does not parse.",
    ),
    (
        "rules-extra-missing",
        "datacontract",
        _E,
        "The catalog declares rules, but the rules extra (cel-python, jsonata-python) is not "
        "installed, so they cannot be checked.",
    ),
    (
        "tag-unknown-field",
        "datacontract",
        _E,
        "A [tags] field path of contract.toml matches no field of any version.",
    ),
    (
        "tag-unknown",
        "datacontract",
        _E,
        "A rule's tags name a tag no field carries in a version carrying the rule: the rule "
        "never runs there.",
    ),
    (
        "tag-invalid",
        "datacontract",
        _E,
        'A field\'s inline "confluent:tags" is not a list of non-empty strings.',
    ),
    (
        "rule-unknown-field",
        "datacontract",
        _E,
        "A CEL_FIELD rule's guard (name == 'x') names no primitive field of a version carrying "
        "the rule: the rule never runs there.",
    ),
    (
        "reserved-field-reused",
        "datacontract",
        _E,
        "A version from the one reserving a field name on has a field of that name.",
    ),
    (
        "reserved-in-properties",
        "datacontract",
        _E,
        'contract.toml sets the "confluent:reserved" property directly instead of in [reserved], '
        "where a name once reserved stays reserved in every later version.",
    ),
    (
        "rule-without-examples",
        "datacontract",
        _E,
        "A domain condition lacks pass or fail examples: nothing shows it accepts good data "
        "and refuses bad.",
    ),
    (
        "rule-example-failed",
        "datacontract",
        _E,
        "A domain rule's pass example fails, or its fail example holds, evaluated on a version "
        "carrying the rule.",
    ),
    # consumers/<service>.toml: consumer reader contracts (devicecontracts.check.consumers)
    (
        "consumer-invalid",
        "consumer",
        _E,
        "A file in consumers/ is not a valid consumer contract (TOML, keys, types, field "
        "paths), or a second file declares the same service.",
    ),
    (
        "consumer-unknown-subject",
        "consumer",
        _E,
        "A consumer contract reads a contract or subject the catalog does not declare.",
        "name the contract as catalog.toml does (or its registry subject)",
    ),
    (
        "consumer-version-unknown",
        "consumer",
        _E,
        "A consumer contract decodes into a version (or a major) the contract does not have.",
        "name an existing version, or the major of the model the service decodes into",
    ),
    (
        "consumer-field-missing",
        "consumer",
        _E,
        "A field a consumer reads is not in the version it decodes into, or a writer version it "
        "may receive lacks the field and the reader version has no default to fill in "
        "(decoding that writer's data fails).",
    ),
    (
        "consumer-field-defaulted",
        "consumer",
        _W,
        "A writer version a consumer may receive lacks a field the consumer reads: Avro "
        "resolution hands the consumer its reader version's default instead of data, for "
        "every record of that version.",
    ),
    (
        "consumer-field-removed",
        "consumer",
        _E,
        "A pending version removes a field a consumer reads: from its release on, the consumer "
        "gets the default, or fails to decode.",
        "keep the field (deprecate it first), or agree the removal with the consumer's owner "
        "and update its consumers/ file",
    ),
    (
        "consumer-field-renamed",
        "consumer",
        _E,
        "A pending version removes a field a consumer reads and adds one of the same type "
        "without an alias for the old name: a rename readers cannot follow.",
        'add "aliases": ["<old name>"] to the new field, so readers that decode into the new '
        "version follow the rename, and tell the consumer's owner",
    ),
    (
        "consumer-field-meaning-changed",
        "consumer",
        _E,
        "A pending version changes the meaning of a field a consumer reads: its logical type, "
        "decimal precision or scale, type, or unit.",
        "keep the field as it is and add a new one with the new meaning",
    ),
    # [deprecated.*] of contract.toml against the census (devicecontracts.check.deprecation)
    (
        "deprecation-unknown-version",
        "deprecation",
        _E,
        "contract.toml deprecates a version the contract does not have.",
        "name an existing version in [deprecated.versions.<n>], or remove the table",
    ),
    (
        "deprecation-unknown-field",
        "deprecation",
        _E,
        "contract.toml deprecates a field path that is not a field of the version its since "
        "names (or since names no version).",
        "write the path as field names joined by dots (header.firmware_version), and since as "
        "a version that carries the field",
    ),
    (
        "deprecation-sunset-near",
        "deprecation",
        _W,
        "A deprecated version's or field's sunset is within [deprecation] warn_days: writers "
        "still sending it have little time left.",
        "move the remaining writers (firmware, services) off it before the sunset, or move the "
        "sunset in contract.toml",
    ),
    (
        "deprecated-version-live",
        "deprecation",
        _E,
        "A deprecated version's sunset has passed and the latest fresh census of its topic "
        "still counts records of it.",
        "move the writers still sending it (see the census' last seen) to a newer version, or "
        "move the sunset in contract.toml; a waiver accepts it until a date",
    ),
    (
        "deprecated-field-live",
        "deprecation",
        _E,
        "A deprecated field's sunset has passed and the latest fresh census of its topic still "
        "counts records of versions carrying it.",
        "move the writers of those versions to a version without the field, or move the sunset "
        "in contract.toml; a waiver accepts it until a date",
    ),
    (
        "deprecation-unverified",
        "deprecation",
        _W,
        "A deprecated version's or field's sunset has passed and no fresh census of its topic "
        "says whether it is still sent (none, or older than [census] max_age_days).",
        "run `contracts census` on the topic and commit its report under census/",
    ),
    # census/<env>/<topic>.json (devicecontracts.catalog.census), as check reads them
    (
        "census-stale",
        "census",
        _W,
        "The latest census report of a topic is older than [census] max_age_days: check does "
        "not trust it (its deprecation and removal gates treat it as no census).",
        "run `contracts census` on the topic again and commit the new report",
    ),
    (
        "census-field-still-written",
        "census",
        _E,
        "A pending version removes a field that versions the latest fresh census counts on "
        "the topic still write: readers decoding into the new version drop what live writers "
        "send.",
        "deprecate the field first and remove it once the census shows no version carrying it "
        "live, or waive the finding with a reason",
    ),
    # contracts check --registry and contracts register (devicecontracts.registry.release)
    (
        "registry-extra-version",
        "registry",
        _E,
        "The registry holds versions of a subject the catalog lacks (drift): register refuses "
        "to run.",
    ),
    (
        "registry-out-of-order",
        "registry",
        _E,
        "A version is not registered but a later one is: the registry cannot insert it into "
        "its history.",
    ),
    (
        "registry-identical-to-older",
        "registry",
        _W,
        "A new version is identical to an older registered one: registering it returns the old "
        "id and changes nothing (a rollback that does not take effect).",
    ),
    (
        "registry-level-drift",
        "registry",
        _E,
        "A registered subject is checked at another level than the catalog declares.",
    ),
    (
        "registry-level-unset",
        "registry",
        _W,
        "A registered subject has no level of its own and follows the registry's global level.",
    ),
    (
        "registry-id-changed",
        "registry",
        _E,
        "The registry answers another schema id than the lock records for this environment.",
    ),
    (
        "registry-version-missing",
        "registry",
        _E,
        "The lock records a version as registered in this environment, but the registry does "
        "not hold it.",
    ),
    (
        "registry-incompatible",
        "registry",
        _E,
        "The registry refuses a pending version (its own compatibility check or validation).",
    ),
    (
        "registry-disagreement",
        "registry",
        _E,
        "The registry's verdict on a pending version differs from devicecontracts' verdict on "
        "the same history and level.",
    ),
    (
        "registry-version-taken",
        "registry",
        _E,
        "Another release registered a version of the subject while contracts register ran, so "
        "the version planned for a catalog version went to someone else: nothing is recorded "
        "for it, and the run stops.",
    ),
    # waivers.toml (devicecontracts.check.waivers)
    (
        "waiver-expired",
        "waiver",
        _E,
        "A waiver in waivers.toml is past its expires date: the finding it waived fails again.",
    ),
    (
        "waiver-unused",
        "waiver",
        _E,
        "A waiver in waivers.toml matches no finding: remove it, so stale waivers do not pile up.",
    ),
    (
        "evolution-break",
        "wire",
        _E,
        "contracts test: generated data written with one version fails to decode with a "
        "version the subject's level says must read it; the finding shows the smallest value.",
    ),
    (
        "evolution-checker-disagrees",
        "wire",
        _E,
        "contracts test: the compatibility check calls a version pair compatible, but "
        "generated data fails to decode: one of the two is wrong.",
    ),
    (
        "evolution-break-unseen",
        "wire",
        _W,
        "contracts test: the compatibility check calls a version pair incompatible, but no "
        "generated value showed the break.",
    ),
    # contracts test: domain and migration rules proven on generated data
    # (devicecontracts.testing._rules)
    (
        "evolution-rule-unsatisfiable",
        "rules",
        _E,
        "contracts test: the constraints a version's CEL_FIELD rules state on a field leave "
        "no value of the field's type (an empty range, rules that contradict each other).",
    ),
    (
        "evolution-rule-unsatisfied",
        "rules",
        _E,
        "contracts test: no value generated for a version satisfied a domain rule beyond the "
        "forms the generator understands; the finding shows the smallest value it rejects.",
    ),
    (
        "evolution-rule-rejects",
        "rules",
        _E,
        "contracts test: a domain rule rejects a value generated to satisfy the version's "
        "rules; the finding shows the smallest such value.",
    ),
    (
        "evolution-upgrade-invalid",
        "rules",
        _E,
        "contracts test: UPGRADE migration rules turn generated data of the previous major "
        "into data the new major's first version refuses; the finding shows the smallest value.",
    ),
    (
        "evolution-downgrade-invalid",
        "rules",
        _E,
        "contracts test: DOWNGRADE migration rules turn generated data of a new major into "
        "data the previous version refuses; the finding shows the smallest value.",
    ),
    (
        "evolution-round-trip-lost",
        "rules",
        _E,
        "contracts test: downgrading upgraded data changes a field both versions hold with the "
        "same name and type; the finding shows the smallest value.",
    ),
    # contracts check --registry: data-contract drift (devicecontracts.registry._drift)
    (
        "registry-metadata-drift",
        "registry",
        _E,
        "A registered version's metadata properties differ from what contract.toml declares "
        "for it (including properties the subject config merged in).",
    ),
    (
        "registry-tags-drift",
        "registry",
        _E,
        "A registered version's metadata tags differ from what contract.toml declares for it.",
    ),
    (
        "registry-sensitive-drift",
        "registry",
        _E,
        "A registered version's sensitive property names differ from what contract.toml "
        "declares for it.",
    ),
    (
        "registry-rules-drift",
        "registry",
        _E,
        "A registered version's domain or encoding rules differ from what contract.toml "
        "declares for it (added, removed or changed).",
    ),
    (
        "registry-migration-drift",
        "registry",
        _E,
        "A registered version's migration rules differ from what contract.toml declares for it.",
    ),
    (
        "registry-group-drift",
        "registry",
        _E,
        "The subject's compatibilityGroup in the registry differs from the catalog's "
        "compatibility_group.",
    ),
    (
        "registry-config-drift",
        "registry",
        _E,
        "The subject's default or override metadata or rule set in the registry differs from "
        "contract.toml's [subject_config].",
    ),
)

# Rules no catalog may disable or demote in [rules]: what the registry would refuse, and the
# lock's promise that releases never change. An exception is a waiver (waivers.toml), which
# names one finding, a reason, an approver, a ticket and an expiry date.
CORE_RULES: frozenset[str] = frozenset(
    {
        "invalid-json",
        "invalid-schema",
        "incompatible",
        "released-version-changed",
        "released-version-missing",
        "released-contract-changed",
        "released-subject-missing",
        "released-version-gap",
        "released-level-weakened",
        "released-reference-changed",
        "waiver-expired",
        "waiver-unused",
        # contract.toml: a rule set the registry refuses (42210), and a deliberate break
        # between majors without migrations (as "incompatible" within one)
        "rule-invalid-name",
        "rule-duplicate-name",
        "major-without-migration",
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found, located as precisely as known, with a hint to fix it.

    ``location`` says where (file, subject, version, schema path, line, column); the properties
    of the same names read it. ``previous_version`` is the older version a change breaks or
    differs from. Slotted: a check of an undocumented catalog holds half a million of them.
    """

    rule: str
    severity: Severity
    message: str
    hint: str = ""
    location: Location = field(default_factory=Location)
    previous_version: int | None = None

    @property
    def category(self) -> str:
        """The rule's category: schema, catalog, wire, lock, semantic, lint, waiver, ..."""
        rule = RULES.get(self.rule)
        return rule.category if rule else "other"

    @property
    def subject(self) -> str | None:
        """The registry subject, when known."""
        return self.location.subject

    @property
    def version(self) -> int | None:
        """The subject's version number, when known."""
        return self.location.version

    @property
    def file(self) -> str | None:
        """The file as users see it, when known."""
        return self.location.file

    @property
    def path(self) -> str | None:
        """The JSON path in the schema, when known."""
        return self.location.path

    @property
    def line(self) -> int | None:
        """The line in the file, when known."""
        return self.location.line

    @property
    def column(self) -> int | None:
        """The column in the file, when known."""
        return self.location.column

    def with_severity(self, severity: Severity) -> Finding:
        """The same finding at another severity."""
        return replace(self, severity=severity)

    def to_json(self) -> dict[str, Any]:
        """A JSON object with every field (None where unknown); the keys are stable."""
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.value,
            "subject": self.subject,
            "version": self.version,
            "previous_version": self.previous_version,
            "file": self.file,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }


def make(
    rule: str,
    message: str,
    hint: str = "",
    *,
    location: Location | None = None,
    previous_version: int | None = None,
) -> Finding:
    """A finding of ``rule`` at its default severity; without ``hint``, the rule's own."""
    spec = RULES[rule]
    where = location or Location()
    return Finding(rule, spec.severity, message, hint or spec.hint, where, previous_version)
