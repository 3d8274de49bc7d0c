"""Data contracts: Confluent's metadata, rule sets and rules, and evaluating the rules.

* ``_model``: `Rule`, `RuleSet`, `Metadata` as plain immutable data, to and from the registry's
  JSON (standard library only);
* ``_eval``: CEL and CEL_FIELD conditions and JSONata migrations over Avro generic data, on
  ``cel-python`` and ``jsonata-python`` (the ``rules`` extra), imported on first use.

Importing this package imports neither library, nor the evaluator: the runtime imports it only
when rules are enabled. It may import `devicecontracts.errors` and, in ``_eval``, the parsed
schema nodes (`devicecontracts.schema`).
"""

from devicecontracts.datacontracts._model import (
    ACTIONS,
    DOMAIN_MODES,
    EMPTY_METADATA,
    EMPTY_RULE_SET,
    ENABLE_AT,
    KINDS,
    MIGRATION_MODES,
    MODES,
    RESERVED_PROPERTY,
    RULE_NAME_MAX,
    Metadata,
    Rule,
    RuleSet,
    metadata_from_registry,
    rule_name_problem,
    rule_set_from_registry,
)

__all__ = [
    "ACTIONS",
    "DOMAIN_MODES",
    "EMPTY_METADATA",
    "EMPTY_RULE_SET",
    "ENABLE_AT",
    "KINDS",
    "MIGRATION_MODES",
    "MODES",
    "RESERVED_PROPERTY",
    "RULE_NAME_MAX",
    "Metadata",
    "Rule",
    "RuleSet",
    "metadata_from_registry",
    "rule_name_problem",
    "rule_set_from_registry",
]
