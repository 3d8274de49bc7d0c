"""The helpers of unions that are not just ``["null", T]``: one pair per union shape.

``_to_avro_N`` names the branch of a model value for fastavro (tuple notation), testing
subclasses before their bases and, among branches of one Python type, taking the first that
holds the value exactly. ``_from_avro_N`` turns what fastavro reads back into the branch's
model value: by branch name when fastavro gives one (``return_named_type=True``), else by the
value's Python type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from devicecontracts.schema import Array, AvroType, Enum, Fixed, Map, Primitive, Record, Union

from ._emit import NANOS, Emitter, describe_union, logical_name
from ._text import docstring, raise_line

__all__ = ["UnionHelpers"]


@dataclass
class _Branch:
    """How one union branch is told apart on write (``check``) and converted."""

    node: AvroType
    tag: str
    check: str  # support or class name for isinstance on the model value
    order: int  # position of its isinstance test: subclasses before their bases
    fits: str | None  # a further condition on ``value``, None when any instance fits
    read_class: str  # what fastavro reads for it: for untagged values


class UnionHelpers(Emitter):
    """Renders the union helpers the conversions of a module asked for."""

    def branches(self, t: Union) -> list[_Branch]:
        """Every non-null branch with its isinstance test, in declaration order."""
        out = []
        for b in t.branches:
            if b.type == "null":
                continue
            out.append(self._branch(b))
        return out

    def _branch(self, b: AvroType) -> _Branch:
        tag = b.branch_name
        lt = logical_name(b)
        if isinstance(b, (Record, Enum)):
            return _Branch(b, tag, self.cls(b), 1, None, "dict" if isinstance(b, Record) else "str")
        if isinstance(b, Array):
            return _Branch(b, tag, "list", 13, None, "list")
        if isinstance(b, Map):
            return _Branch(b, tag, "dict", 14, None, "dict")
        if lt == "decimal":
            assert isinstance(b, (Primitive, Fixed)) and b.logical is not None
            size = b.size if isinstance(b, Fixed) else None
            args = f"{b.logical.precision}, {b.logical.scale}" + (f", {size}" if size else "")
            fits = f"{self.use('decimal_fits')}(value, {args})"
            return _Branch(b, tag, self.use("Decimal"), 4, fits, "Decimal")
        if lt == "duration":
            return _Branch(b, tag, self.use("Duration"), 10, None, "bytes")
        if isinstance(b, Fixed):
            return _Branch(b, tag, "bytes", 11, f"len(value) == {b.size}", "bytes")
        assert isinstance(b, Primitive)
        if lt in NANOS:
            return _Branch(b, tag, self.annotation(b)[0], 8, None, "int")
        if lt in ("timestamp-millis", "timestamp-micros") or (lt or "").startswith("local-"):
            return _Branch(b, tag, self.use("datetime"), 5, None, "datetime")
        if lt == "date":
            return _Branch(b, tag, self.use("date"), 6, None, "date")
        if lt in ("time-millis", "time-micros"):
            aligned = "value.microsecond % 1000 == 0" if lt == "time-millis" else None
            return _Branch(b, tag, self.use("time"), 7, aligned, "time")
        if lt == "uuid":
            return _Branch(b, tag, self.use("UUID"), 9, None, "UUID")
        kind = b.type
        if kind == "boolean":
            return _Branch(b, tag, "bool", 0, None, "bool")
        if kind == "int":
            fits = f"{self.use('INT32_MIN')} <= value <= {self.use('INT32_MAX')}"
            return _Branch(b, tag, "int", 2, fits, "int")
        if kind == "long":
            return _Branch(b, tag, "int", 2, None, "int")
        if kind == "float":
            return _Branch(b, tag, "float", 3, f"{self.use('float32_exact')}(value)", "float")
        if kind == "double":
            return _Branch(b, tag, "float", 3, None, "float")
        if kind == "bytes":
            return _Branch(b, tag, "bytes", 11, None, "bytes")
        assert kind == "string", kind
        return _Branch(b, tag, "str", 12, None, "str")

    def render_helpers(self) -> list[str]:
        """The union helpers used so far, and those the helpers themselves need."""
        lines: list[str] = []
        done = 0
        # Rendering a helper may register helpers for unions nested in its branches.
        while done < len(self.helpers):
            key = list(self.helpers)[done]
            number, t = self.helpers[key]
            lines += self._to_helper(number, t) + self._from_helper(number, t)
            done += 1
        return lines

    def _to_helper(self, number: int, t: Union) -> list[str]:
        annotation, _ = self.annotation(t)
        out = [
            "",
            "",
            f"def _to_avro_{number}(value: {annotation}) -> {self.use('Any')}:",
            *docstring(
                None, f"Name the union branch of ``value`` for fastavro: {describe_union(t)}.", 4
            ),
        ]
        if any(b.type == "null" for b in t.branches):
            out += ["    if value is None:", "        return None"]
        groups: dict[str, list[_Branch]] = {}
        for b in sorted(self.branches(t), key=lambda b: b.order):
            groups.setdefault(b.check, []).append(b)
        for check, members in groups.items():
            out.append(f"    if isinstance(value, {check}):")
            for b in members:
                result = f"return ({json.dumps(b.tag)}, {self.to_avro(b.node, 'value')})"
                if b.fits is None:
                    out.append(f"        {result}")
                    break
                out += [f"        if {b.fits}:", f"            {result}"]
        out.append(raise_line('f"{value!r} fits no branch of "', describe_union(t)))
        return out

    def _from_helper(self, number: int, t: Union) -> list[str]:
        # Returns Any: the model's constructor validates the value against the field's type.
        out = [
            "",
            "",
            f"def _from_avro_{number}(value: {self.use('Any')}) -> {self.use('Any')}:",
            *docstring(None, f"The model value of what fastavro reads for {describe_union(t)}.", 4),
            "    if type(value) is tuple:",
            "        name, value = value",
        ]
        branches = self.branches(t)
        for b in branches:
            out += [
                f"        if name == {json.dumps(b.tag)}:",
                f"            return {self._tagged(b)}",
            ]
        out.append("    " + raise_line('f"no branch {name!r} in "', describe_union(t)))
        out += self._untagged(t, branches)
        out.append("    return value")
        return out

    def _tagged(self, b: _Branch) -> str:
        if isinstance(b.node, Enum):
            return f"{self.cls(b.node)}(value)"
        return self.from_avro(b.node, "value")

    def _untagged(self, t: Union, branches: list[_Branch]) -> list[str]:
        """Untagged values (plain fastavro reads), told apart by their Python type."""
        by_class: dict[str, list[_Branch]] = {}
        for b in branches:
            by_class.setdefault(b.read_class, []).append(b)
        out: list[str] = []
        if "bool" in by_class and "int" in by_class:
            out += ["    if isinstance(value, bool):", "        return value"]
        for read_class, members in by_class.items():
            records = [b for b in members if isinstance(b.node, Record)]
            unnamed = [b for b in members if not b.node.is_named]
            chosen = (unnamed or members)[0]
            test = self._read_class_name(read_class)
            if read_class == "dict" and records:
                out.append(f"    if isinstance(value, {test}):")
                seen: set[str] = set()
                for b in records:
                    assert isinstance(b.node, Record)
                    names = sorted(f.name for f in b.node.fields)
                    key = json.dumps(names)
                    if key in seen:
                        continue
                    seen.add(key)
                    literal = "{" + ", ".join(json.dumps(n) for n in names) + "}"
                    keys = f"value.keys() == {literal}" if names else "not value"
                    out += [f"        if {keys}:", f"            return {self._tagged(b)}"]
                out.append(f"        return {self._tagged(unnamed[0] if unnamed else records[0])}")
                continue
            if read_class == "str" and not unnamed:
                out.append(f"    if isinstance(value, {test}):")
                for b in members[:-1]:
                    assert isinstance(b.node, Enum)
                    literal = "{" + ", ".join(json.dumps(s) for s in b.node.symbols) + "}"
                    out += [
                        f"        if value in {literal}:",
                        f"            return {self._tagged(b)}",
                    ]
                out.append(f"        return {self._tagged(members[-1])}")
                continue
            converted = self._tagged(chosen)
            if converted != "value":
                out += [f"    if isinstance(value, {test}):", f"        return {converted}"]
        return out

    def _read_class_name(self, read_class: str) -> str:
        if read_class in ("Decimal", "UUID", "datetime", "date", "time"):
            return self.use(read_class)
        return read_class
