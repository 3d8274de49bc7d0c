"""Evaluating rules: CEL and CEL_FIELD conditions, JSONata migrations.

The expression languages are not ours: CEL runs on ``cel-python`` (``celpy``) and JSONata on
``jsonata-python``, the libraries confluent-kafka's own executors use, installed with the
``rules`` extra and imported on first use, never at import time.

Values are Avro *generic data*, as Avro Java and fastavro without logical conversions hold
them: a record is a dict by field name, logical types are their underlying values (a
timestamp-millis is an int of milliseconds, a uuid a str), bytes and fixed are bytes.

Semantics follow Confluent's executors:

* an expression ``guard ; body`` evaluates ``body`` only where ``guard`` holds; a condition whose
  guard does not hold passes;
* CEL binds the record as ``message``; CEL_FIELD runs once per primitive field (a union's value
  its branch), binding ``value``, ``name``, ``fullName``, ``typeName``, ``tags`` and ``message``,
  and only on fields carrying one of the rule's ``tags`` when it has any;
* a condition that is not ``true``, or that cannot be evaluated, fails.
"""

from __future__ import annotations

import datetime
import decimal
import fnmatch
import sys
import threading
from collections.abc import Mapping
from typing import Any

from devicecontracts.datacontracts._guard import GuardPredicate, read_guard
from devicecontracts.datacontracts._model import Metadata, Rule
from devicecontracts.errors import DeviceContractsError, RulesUnavailable
from devicecontracts.schema import Array, AvroType, Map, Record, Union

__all__ = [
    "RuleEvaluationError",
    "RulesUnavailable",
    "cel_syntax_error",
    "condition_failure",
    "field_tags",
    "jsonata_syntax_error",
    "migrate",
]

_INSTALL = "install the rules extra: pip install 'devicecontracts[rules]'"


class RuleEvaluationError(DeviceContractsError):
    """A rule's expression failed to compile or to evaluate."""


_lock = threading.Lock()
_env: Any = None
_programs: dict[str, Any] = {}
_PROGRAMS_KEPT = 1024
_jsonata: dict[str, Any] = {}


def _celpy() -> Any:
    try:
        import celpy
    except ImportError as exc:  # pragma: no cover - exercised with the extra absent
        raise RulesUnavailable(f"CEL rules need cel-python; {_INSTALL}") from exc
    return celpy


def _environment() -> Any:
    global _env  # noqa: PLW0603 (one CEL environment per process, made on first use)
    if _env is None:
        with _lock:
            if _env is None:
                limit = sys.getrecursionlimit()
                try:
                    _env = _celpy().Environment()
                finally:
                    # cel-python raises the process's recursion limit to 2,500 here, which
                    # would weaken the deep-input guards of everything else in the process.
                    sys.setrecursionlimit(limit)
    return _env


def cel_syntax_error(expr: str) -> str | None:
    """Why ``expr`` (``guard ; body`` or ``body``) is not valid CEL, or None when it parses."""
    env = _environment()
    celpy = _celpy()
    for part in _parts(expr):
        try:
            env.compile(part)
        except celpy.CELParseError as exc:
            # The parser's own message (token, line, column) is the context; the error's text
            # is only the expression with a caret.
            cause = exc.__context__
            return (
                (_first_line(str(cause)) if cause is not None else "")
                or _first_line(str(exc))
                or "not valid CEL"
            )
    return None


def jsonata_syntax_error(expr: str) -> str | None:
    """Why ``expr`` is not valid JSONata, or None when it parses."""
    try:
        _jsonata_program(expr)
    except RuleEvaluationError as exc:
        return str(exc)
    return None


def _parts(expr: str) -> list[str]:
    guard, sep, body = expr.partition(";")
    if not sep:
        return [expr]
    return [guard, body] if guard.strip() else [body]


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _program(expr: str) -> Any:
    program = _programs.get(expr)
    if program is None:
        env = _environment()
        celpy = _celpy()
        try:
            program = env.program(env.compile(expr))
        except celpy.CELParseError as exc:
            raise RuleEvaluationError(f"not valid CEL: {_first_line(str(exc))}") from None
        with _lock:
            if len(_programs) >= _PROGRAMS_KEPT:
                _programs.clear()
            _programs[expr] = program
    return program


def _holds(expr: str, args: Mapping[str, Any]) -> bool:
    """Whether CEL ``expr`` evaluates to true; an evaluation error raises."""
    celpy = _celpy()
    try:
        result = _program(expr).evaluate(dict(args))
    except celpy.CELEvalError as exc:
        raise RuleEvaluationError(f"CEL evaluation failed: {_describe_eval_error(exc)}") from None
    if isinstance(result, celpy.CELEvalError):
        raise RuleEvaluationError(f"CEL evaluation failed: {_describe_eval_error(result)}")
    return result is True or (type(result).__name__ == "BoolType" and bool(result))


def _describe_eval_error(exc: Any) -> str:
    args = getattr(exc, "args", ())
    return str(args[0]) if args else str(exc)


def _condition(expr: str, args: Mapping[str, Any]) -> bool:
    guard, sep, body = expr.partition(";")
    if sep:
        if guard.strip() and not _holds(guard, args):
            return True
        return _holds(body, args)
    return _holds(expr, args)


def to_cel(value: Any) -> Any:
    """An Avro generic value as CEL's value types."""
    types = _celpy().celtypes
    if value is None:
        return None
    if isinstance(value, bool):
        return types.BoolType(value)
    if isinstance(value, int):
        return types.IntType(value)
    if isinstance(value, float):
        return types.DoubleType(value)
    if isinstance(value, str):
        return types.StringType(value)
    if isinstance(value, bytes | bytearray):
        return types.BytesType(bytes(value))
    if isinstance(value, decimal.Decimal):
        return types.DoubleType(float(value))
    if isinstance(value, datetime.datetime):
        return types.TimestampType(value)
    if isinstance(value, Mapping):
        return types.MapType({types.StringType(k): to_cel(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return types.ListType([to_cel(v) for v in value])
    return types.StringType(str(value))


def field_tags(record: Record, field_name: str, metadata: Metadata | None) -> frozenset[str]:
    """The tags of ``record``'s field: inline (``confluent:tags``) and from the metadata's
    ``tags``, whose keys are field paths (``Record.field`` or full names) with ``*`` and ``**``
    wildcards."""
    tags: set[str] = set()
    field = record.by_name.get(field_name)
    if field is not None:
        inline = field.props.get("confluent:tags")
        if isinstance(inline, list):
            tags.update(t for t in inline if isinstance(t, str))
    if metadata is not None and metadata.tags:
        full = f"{record.fullname}.{field_name}"
        short = f"{record.name}.{field_name}"
        for pattern, more in metadata.tags.items():
            glob = pattern.replace("**", "*")
            if fnmatch.fnmatchcase(full, glob) or fnmatch.fnmatchcase(short, glob):
                tags.update(more)
    return frozenset(tags)


_TYPE_NAMES = {
    "null": "NULL",
    "boolean": "BOOLEAN",
    "int": "INT",
    "long": "LONG",
    "float": "FLOAT",
    "double": "DOUBLE",
    "bytes": "BYTES",
    "string": "STRING",
}


def _branch(union: Union, value: Any) -> AvroType | None:
    """The branch of ``union`` generic ``value`` belongs to (the first that fits)."""
    for branch in union.branches:
        if _fits(branch, value):
            return branch
    return None


def _fits(node: AvroType, value: Any) -> bool:
    kind = node.type
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("int", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, float | int) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind in ("bytes", "fixed"):
        return isinstance(value, bytes | bytearray | decimal.Decimal)
    if kind == "enum":
        return isinstance(value, str) and value in node.symbols  # type: ignore[attr-defined]
    if kind == "array":
        return isinstance(value, list | tuple)
    if isinstance(node, Record):
        return isinstance(value, Mapping) and all(
            f.name in value or f.has_default for f in node.fields
        )
    if kind == "map":
        return isinstance(value, Mapping)
    return False


def condition_failure(
    rule: Rule, root: AvroType, message: Any, metadata: Metadata | None = None
) -> str | None:
    """None when CEL or CEL_FIELD condition ``rule`` holds for generic ``message`` of a schema
    whose top node is ``root``, else why not: for CEL_FIELD, the first field that fails, as
    ``Record.field = value``. An expression that cannot be evaluated fails with its error."""
    expr = rule.expr or ""
    if rule.type == "CEL":
        try:
            holds = _condition(expr, {"message": to_cel(message)})
        except RuleEvaluationError as exc:
            return str(exc)
        return None if holds else "the condition is false"
    if rule.type != "CEL_FIELD":
        raise RuleEvaluationError(f"rule {rule.name!r}: type {rule.type} is not a CEL condition")
    wanted = frozenset(rule.tags)
    return _field_failure(expr, wanted, root, message, metadata, None)


def _field_failure(  # noqa: PLR0917 (a recursive walk's state)
    expr: str,
    wanted: frozenset[str],
    node: AvroType,
    value: Any,
    metadata: Metadata | None,
    parent: tuple[Record, str, Mapping[str, Any]] | None,
) -> str | None:
    if isinstance(node, Union):
        branch = _branch(node, value)
        return (
            None
            if branch is None
            else _field_failure(expr, wanted, branch, value, metadata, parent)
        )
    if isinstance(node, Record):
        if not isinstance(value, Mapping):
            return None
        for field in node.fields:
            if field.name in value:
                why = _field_failure(
                    expr, wanted, field.type, value[field.name], metadata, (node, field.name, value)
                )
                if why is not None:
                    return why
        return None
    if isinstance(node, Array):
        for item in value if isinstance(value, list | tuple) else ():
            why = _field_failure(expr, wanted, node.items, item, metadata, parent)
            if why is not None:
                return why
        return None
    if isinstance(node, Map):
        for item in value.values() if isinstance(value, Mapping) else ():
            why = _field_failure(expr, wanted, node.values, item, metadata, parent)
            if why is not None:
                return why
        return None
    type_name = _TYPE_NAMES.get(node.type)
    if parent is None or type_name is None:
        return None
    record, name, containing = parent
    plan = _field_plan(expr)
    full_name = f"{record.fullname}.{name}"
    if plan.guard is not None and not plan.guard(name, full_name, type_name):
        return None  # the guard, read without CEL, does not pick this field: the rule passes
    tags = field_tags(record, name, metadata) if wanted or plan.needs_tags else frozenset()
    if wanted and not (wanted & tags):
        return None
    args = {
        "value": to_cel(value),
        "name": to_cel(name),
        "fullName": to_cel(full_name),
        "typeName": to_cel(type_name),
    }
    if plan.needs_tags:
        args["tags"] = to_cel(sorted(tags))
    if plan.needs_message:
        args["message"] = to_cel(containing)
    try:
        holds = _holds(plan.body, args) if plan.guard is not None else _condition(expr, args)
    except RuleEvaluationError as exc:
        return f"{record.name}.{name} = {value!r}: {exc}"
    return None if holds else f"{record.name}.{name} = {value!r}"


class _FieldPlan:
    """How a CEL_FIELD expression is evaluated: its guard in Python (`_guard`) when it only
    compares ``name``, ``fullName`` or ``typeName`` with string literals (joined by ``&&``), as
    guards that pick a field do; and which of the optional variables the expression reads, so
    the others are never built (a field rule runs once per field of every message)."""

    __slots__ = ("body", "guard", "needs_message", "needs_tags")

    def __init__(self, expr: str) -> None:
        guard_text, sep, body = expr.partition(";")
        self.guard = _python_guard(guard_text) if sep and guard_text.strip() else None
        self.body = body
        self.needs_tags = "tags" in expr
        self.needs_message = "message" in expr


def _python_guard(text: str) -> GuardPredicate | None:
    """A function of (name, fullName, typeName) equal to CEL guard ``text``, or None when the
    guard is anything but ``&&``-joined comparisons of those with string literals."""
    return read_guard(text).predicate()


_field_plans: dict[str, _FieldPlan] = {}


def _field_plan(expr: str) -> _FieldPlan:
    plan = _field_plans.get(expr)
    if plan is None:
        plan = _FieldPlan(expr)
        with _lock:
            if len(_field_plans) >= _PROGRAMS_KEPT:
                _field_plans.clear()
            _field_plans[expr] = plan
    return plan


def _jsonata_program(expr: str) -> Any:
    program = _jsonata.get(expr)
    if program is None:
        limit = sys.getrecursionlimit()
        try:
            import jsonata  # type: ignore[import-untyped]
        except ImportError as exc:  # pragma: no cover - exercised with the extra absent
            raise RulesUnavailable(f"JSONata rules need jsonata-python; {_INSTALL}") from exc
        finally:
            sys.setrecursionlimit(limit)  # jsonata-python sets 10,000 on import (as above)
        try:
            program = jsonata.Jsonata(expr)
        except Exception as exc:
            raise RuleEvaluationError(f"not valid JSONata: {exc}") from None
        with _lock:
            if len(_jsonata) >= _PROGRAMS_KEPT:
                _jsonata.clear()
            _jsonata[expr] = program
    return program


def migrate(rule: Rule, message: Any) -> Any:
    """``message`` transformed by JSONata migration ``rule``; `RuleEvaluationError` when the
    expression cannot be compiled or evaluated."""
    if rule.type != "JSONATA":
        raise RuleEvaluationError(
            f"rule {rule.name!r}: type {rule.type} is not a JSONata migration"
        )
    program = _jsonata_program(rule.expr or "")
    try:
        return program.evaluate(message)
    except Exception as exc:
        raise RuleEvaluationError(f"rule {rule.name!r}: JSONata evaluation failed: {exc}") from None
