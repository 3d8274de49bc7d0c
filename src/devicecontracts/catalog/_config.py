"""``catalog.toml``: the registry line, one table per contract, ``[shared.<name>]`` or
``[messages.<name>]``, ``[rules]`` and ``[models]``.

``[models]`` names the generated models package of the catalog: ``package`` (a dotted Python name)
and ``path`` (its folder, relative to the folder holding ``catalog.toml``). ``contracts codegen``
writes there by default and ``contracts check`` reports its stale models; without the table
neither knows of any models.

A message may say what its Kafka record key holds (``key``, a string) and who writes it
(``producers``, a list of strings); the docs site and the exports show them.

``[deprecation] warn_days`` (default 30) is how many days before a sunset ``contracts check``
warns about a deprecated version or field; ``[census] max_age_days`` (default 7) is how old a
census report may be before it is a warning and no longer trusted (`Lifecycle`).

`read_config` turns it into contracts without versions, the rules table and the registry line
(top-level ``line``, ``validate_defaults``, ``normalize``); anything missing or malformed raises
`CatalogError` naming the file (with line and column for bad TOML) and the contract.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devicecontracts._avro import LINES, RegistryLine, registry_line
from devicecontracts.catalog._model import (
    CATALOG_FILE,
    Contract,
    ContractKind,
    Direction,
    Lifecycle,
)
from devicecontracts.catalog._toml import read_toml
from devicecontracts.errors import CatalogError, Location
from devicecontracts.schema.compatibility import CompatibilityLevel

__all__ = ["ModelsConfig", "models_config", "read_config"]

_STRATEGIES = ("topic", "record", "topic_record")
_MESSAGE_KEYS = {
    "description",
    "topic",
    "direction",
    "compatibility",
    "subject",
    "subject_strategy",
    "key",
    "producers",
}
_SHARED_KEYS = {"description", "compatibility", "subject"}
# A contract's name is its folder under the catalog: one plain path segment, never "." or "..",
# so no name reads or writes outside the catalog.
_CONTRACT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")
# Kafka's topic names: these characters, at most 249 of them, and not "." or "..".
_TOPIC = re.compile(r"[A-Za-z0-9._-]{1,249}\Z")


def read_config(
    root: Path,
) -> tuple[dict[str, Contract], Mapping[str, Any], RegistryLine, ModelsConfig | None, Lifecycle]:
    """The contracts ``root/catalog.toml`` declares (no versions yet), its ``[rules]``, the
    registry line it targets, its ``[models]`` table and its ``[deprecation]`` and
    ``[census]`` settings."""
    config_file = root / CATALOG_FILE
    config = _read_toml(config_file)
    line = _registry_line(config, config_file)
    contracts = _contracts_from_config(root, config, config_file)
    rules: Mapping[str, Any] = config.get("rules", {})
    _check_rules_config(rules, config_file)
    models = _models(root, config, config_file)
    return contracts, rules, line, models, lifecycle(config, config_file)


@dataclass(frozen=True)
class ModelsConfig:
    """The catalog's ``[models]`` table: the generated package's dotted name and its folder
    (``folder`` resolved against the catalog folder; ``path`` as written)."""

    package: str
    path: str
    folder: Path


def models_config(root: Path) -> ModelsConfig | None:
    """The ``[models]`` table of ``root/catalog.toml``, or None when it has none."""
    config_file = root / CATALOG_FILE
    return _models(root, _read_toml(config_file), config_file)


def _models(root: Path, config: dict[str, Any], config_file: Path) -> ModelsConfig | None:
    table = config.get("models")
    if table is None:
        return None
    where = Location(str(config_file), subject="models")
    usage = (
        '[models] needs package = "<dotted.name>" and path = "<folder relative to the folder '
        'of catalog.toml>", e.g. package = "acme_models", path = "../src/acme_models"'
    )
    if not isinstance(table, dict) or set(table) != {"package", "path"}:
        raise CatalogError(usage, where)
    package, path = table["package"], table["path"]
    if not isinstance(package, str) or not all(p.isidentifier() for p in package.split(".")):
        raise CatalogError(f"[models] package = {package!r} is not a dotted Python name", where)
    if not isinstance(path, str) or not path or Path(path).is_absolute():
        raise CatalogError(
            f"[models] path = {path!r} must be a folder relative to the folder of {CATALOG_FILE}",
            where,
        )
    return ModelsConfig(package, path, root / path)


_LINE_KEYS = ("line", "validate_defaults", "normalize")


def _registry_line(config: dict[str, Any], config_file: Path) -> RegistryLine:
    """``line = "confluent-8"`` (the default) or ``"confluent-7"``, with CP 7's switches
    ``validate_defaults`` (schema.providers.avro.validate.defaults) and ``normalize``."""
    where = Location(str(config_file))
    name = config.get("line", "confluent-8")
    if name not in LINES:
        raise CatalogError(
            f"line = {name!r} in {CATALOG_FILE} is not a registry line: use "
            f"{' or '.join(repr(n) for n in LINES)} (CP 8.0.4+ and Confluent Cloud, or CP 7.x)",
            where,
        )
    switches = {k: config.get(k, False) for k in _LINE_KEYS[1:]}
    for key, value in switches.items():
        if not isinstance(value, bool):
            raise CatalogError(f"{key} in {CATALOG_FILE} must be true or false", where)
        if value and name != "confluent-7":
            raise CatalogError(
                f"{key} is a Confluent 7 switch; {name} always validates new schemas' defaults: "
                f'remove it, or set line = "confluent-7"',
                where,
            )
    return registry_line(name, **switches)


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml(path, str(path), CATALOG_FILE)[1]


def _contracts_from_config(
    root: Path, config: dict[str, Any], config_file: Path
) -> dict[str, Contract]:
    unknown = set(config) - {
        "shared",
        "messages",
        "rules",
        "models",
        "deprecation",
        "census",
        *_LINE_KEYS,
    }
    if unknown:
        raise CatalogError(
            f"unknown table(s) {sorted(unknown)} in {CATALOG_FILE}: use line, "
            "validate_defaults, normalize, [shared.<name>], [messages.<name>], [rules], "
            "[models], [deprecation] and [census]",
            Location(str(config_file)),
        )
    contracts: dict[str, Contract] = {}
    for kind, table in (
        (ContractKind.SHARED, config.get("shared", {})),
        (ContractKind.MESSAGE, config.get("messages", {})),
    ):
        if not isinstance(table, dict):
            raise CatalogError(f"[{kind}] must be a table of tables", Location(str(config_file)))
        for name, entry in table.items():
            where = Location(str(config_file), subject=name)
            if name in contracts:
                raise CatalogError(f"contract {name!r} is declared twice", where)
            if not isinstance(entry, dict):
                raise CatalogError(f"[{kind}.{name}] must be a table", where)
            if not _CONTRACT_NAME.match(name):
                raise CatalogError(
                    f"contract name {name!r} is not a safe folder name inside the catalog: "
                    "use letters, digits, '_', '-' and '.', starting with a letter, digit or '_'",
                    where,
                )
            contracts[name] = _contract(root, kind, name, entry, where)
    if not contracts:
        raise CatalogError(
            f"{CATALOG_FILE} declares no contracts: add a [messages.<name>] table",
            Location(str(config_file)),
        )
    return contracts


def _contract(
    root: Path, kind: ContractKind, name: str, entry: dict[str, Any], where: Location
) -> Contract:
    allowed = _SHARED_KEYS if kind is ContractKind.SHARED else _MESSAGE_KEYS
    extra = set(entry) - allowed
    if extra:
        raise CatalogError(
            f"unknown key(s) {sorted(extra)} for {kind} {name!r}; allowed: {sorted(allowed)}",
            where,
        )
    for key, value in entry.items():
        if key == "producers":
            _check_producers(name, value, where)
        elif not isinstance(value, str):
            raise CatalogError(f"{key!r} of {name!r} must be a string", where)
    if "key" in entry and not entry["key"].strip():
        raise CatalogError(
            f"'key' of {name!r} is empty: say what the Kafka record key holds, e.g. "
            'key = "device_id, the device serial (string)", or leave it out',
            where,
        )
    topic = entry.get("topic")
    if topic is not None and (not _TOPIC.match(topic) or topic in (".", "..")):
        raise CatalogError(
            f"topic {topic!r} of {name!r} is not a valid Kafka topic name: use at most 249 of "
            "a-z, A-Z, 0-9, '.', '_' and '-', and not '.' or '..'",
            where,
        )
    direction = _direction(name, entry, where) if kind is ContractKind.MESSAGE else None
    declared = entry.get("compatibility")
    if declared is not None:
        level = _level(name, declared, where)
    else:
        level = direction.default_level if direction else CompatibilityLevel.FULL_TRANSITIVE
    strategy = entry.get("subject_strategy", "topic" if kind is ContractKind.MESSAGE else "record")
    if strategy not in _STRATEGIES:
        raise CatalogError(
            f"subject_strategy {strategy!r} of {name!r} is not one of {list(_STRATEGIES)}", where
        )
    return Contract(
        name=name,
        kind=kind,
        folder=root / name,
        level=level,
        level_declared=declared is not None,
        description=entry.get("description"),
        topic=topic,
        direction=direction,
        subject_strategy=strategy,
        explicit_subject=entry.get("subject"),
        key=entry.get("key"),
        producers=tuple(entry.get("producers", ())),
    )


def lifecycle(config: Mapping[str, Any], config_file: Path) -> Lifecycle:
    """``[deprecation] warn_days`` and ``[census] max_age_days`` (`Lifecycle`)."""
    values: dict[str, int] = {}
    for table, key, name in (
        ("deprecation", "warn_days", "warn_days"),
        ("census", "max_age_days", "census_max_age_days"),
    ):
        entry = config.get(table, {})
        where = Location(str(config_file), subject=table)
        if not isinstance(entry, dict) or set(entry) - {key}:
            raise CatalogError(f"[{table}] takes {key} only, a number of days", where)
        value = entry.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise CatalogError(
                f"[{table}] {key} must be a whole number of days from 0, such as {key} = "
                f"{getattr(Lifecycle(), name)}",
                where,
            )
        values[name] = value
    return Lifecycle(**values)


def _check_producers(name: str, value: Any, where: Location) -> None:
    """``producers`` is a list of non-empty strings, each named once."""
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        raise CatalogError(
            f"'producers' of {name!r} must be a list of non-empty strings (who writes the "
            'message), e.g. producers = ["sensor-node firmware 2.x", "fleet-command-service"]',
            where,
        )
    twice = sorted({p for p in value if value.count(p) > 1})
    if twice:
        raise CatalogError(f"'producers' of {name!r} names {twice} more than once", where)


def _direction(name: str, entry: dict[str, Any], where: Location) -> Direction:
    """A message's direction; it needs a topic too."""
    if not entry.get("topic"):
        raise CatalogError(f"message {name!r} needs a 'topic'", where)
    try:
        return Direction(entry.get("direction", ""))
    except ValueError:
        raise CatalogError(
            f'message {name!r} needs a \'direction\': "device-to-cloud" or "cloud-to-device"',
            where,
        ) from None


def _level(name: str, declared: str, where: Location) -> CompatibilityLevel:
    try:
        return CompatibilityLevel.parse(declared)
    except ValueError as exc:
        raise CatalogError(f"{name!r}: {exc}", where) from None


def _check_rules_config(rules: Mapping[str, Any], config_file: Path) -> None:
    extra = set(rules) - {"disable", "warn"}
    bad = [
        k
        for k in ("disable", "warn")
        if k in rules
        and not (isinstance(rules[k], list) and all(isinstance(r, str) for r in rules[k]))
    ]
    if extra or bad:
        raise CatalogError(
            "[rules] takes 'disable' and 'warn', each a list of rule ids",
            Location(str(config_file)),
        )
    from devicecontracts.findings import CORE_RULES, RULES

    unknown = sorted({r for k in ("disable", "warn") for r in rules.get(k, []) if r not in RULES})
    if unknown:
        raise CatalogError(
            f"[rules] names unknown rule id(s) {unknown}: `contracts rules` lists them",
            Location(str(config_file)),
        )
    core = sorted({r for k in ("disable", "warn") for r in rules.get(k, []) if r in CORE_RULES})
    if core:
        raise CatalogError(
            f"[rules] cannot disable or demote core rule(s) {core}: what the registry would "
            "refuse and edits to released versions always fail the check; to accept one "
            "finding, add an entry to waivers.toml (rule, subject, version, path, reason, "
            "approved_by, ticket, expires)",
            Location(str(config_file)),
        )
