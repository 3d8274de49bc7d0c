"""The README's benchmark table is generated from the measured summary, and figure ids hold.

``benchmarks/`` is not a package: `_summary` is loaded from its file, as the benchmark
scripts (run as ``python benchmarks/bench_x.py``) import it. Figure ids are read from the
scripts' source with `ast`, without running any benchmark.
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
RESULTS = BENCHMARKS / "results.json"


def _load_summary_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_bench_summary", BENCHMARKS / "_summary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


summary = _load_summary_module()


def _figure(value: float, target: str | None, **changes: Any) -> dict[str, Any]:
    """A summary entry as `record` writes it."""
    entry = {
        "benchmark": "bench_x",
        "figure": "x per second",
        "value": value,
        "unit": "x the baseline",
        "target": target,
        "met": None if target is None else summary.met(value, target),
        "inputs": {"schema": "telemetry", "messages": 500},
        "detail": "",
    }
    return {**entry, **changes}


# --- (a) the README's table is the table of the committed summary -------------------------


def _committed_summary() -> dict[str, Any]:
    if not RESULTS.exists():
        pytest.skip(
            "benchmarks/results.json is not committed yet: `nox -s bench` writes it (and the "
            "README table from it); until then there is no measured summary to compare"
        )
    loaded: dict[str, Any] = summary.load_summary(RESULTS)
    return loaded


def test_the_readme_table_is_the_one_rendered_from_the_committed_summary() -> None:
    """The README between the table markers is exactly what results.json and reasons.toml give."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    expected = summary.readme_with_table(readme, _committed_summary(), summary.load_reasons())
    assert readme == expected, (
        "README's benchmark table differs from benchmarks/results.json: run "
        "`python benchmarks/_summary.py --readme` (or `nox -s bench`)"
    )


def test_the_committed_summary_holds_only_figures_a_script_records() -> None:
    """Every figure in results.json is one some benchmark script still records."""
    recorded = [site.id for site in record_sites()]
    stale = [
        id for id in _committed_summary()["figures"] if not any(i.matches(id) for i in recorded)
    ]
    assert not stale, f"figures no script records any more: {stale}"


# --- (b) targets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (0.85, ">= 0.85", True),
        (0.84, ">= 0.85", False),
        (3.0, "<= 3", True),
        (3.01, "<= 3", False),
        (2.1, "> 2", True),
        (2.0, "> 2", False),
        (0.99, "< 1.0", True),
        (1.0, "< 1.0", False),
        (150.0, "<150", False),
        (149.9, "  <  150  ", True),
        (-1.0, ">= -1e0", True),
    ],
)
def test_met_compares_the_value_with_the_target_operator(
    value: float, target: str, expected: bool
) -> None:
    """Each operator holds on its side of the bound, the bound itself included or not."""
    assert summary.met(value, target) is expected


@pytest.mark.parametrize("target", ["2x", "== 2", "=> 2", ">= ", ">= two", "about 1", ""])
def test_met_refuses_a_target_it_cannot_read(target: str) -> None:
    """A target that is not an operator then a number is a ValueError that quotes it."""
    with pytest.raises(ValueError, match=re.escape(repr(target))):
        summary.met(1.0, target)


# --- (c) record merges into one summary ---------------------------------------------------


@pytest.fixture
def summary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The summary file `record` writes to, as `nox -s bench` sets it (not there yet)."""
    path = tmp_path / "results.json"
    monkeypatch.setenv("DC_BENCH_SUMMARY", str(path))
    return path


def _record(id: str, value: float, target: str | None = ">= 2.0") -> dict[str, Any]:
    entry: dict[str, Any] = summary.record(
        id,
        benchmark="bench_x",
        figure=f"figure {id}",
        value=value,
        unit="x the baseline",
        target=target,
        inputs={"schema": "telemetry", "examples": 100},
        detail="1 ms vs 2 ms",
    )
    return entry


def test_record_refuses_a_bad_target_before_writing_anything(summary_file: Path) -> None:
    """A benchmark with an unreadable target fails at its record call and writes no summary."""
    with pytest.raises(ValueError, match="target"):
        summary.record(
            "x", benchmark="bench_x", figure="f", value=1.0, unit="x", target="2x", inputs={}
        )
    assert not summary_file.exists()


def test_record_merges_figures_of_two_calls_into_one_file_keeping_the_others(
    summary_file: Path,
) -> None:
    """Two record calls land in the summary file beside a figure an earlier run wrote."""
    earlier: dict[str, Any] = {
        "machine": {"cpus": 64},
        "figures": {"other-figure": _figure(1.0, None)},
    }
    summary_file.write_text(json.dumps(earlier), encoding="utf-8")

    _record("b-figure", 2.5)
    _record("a-figure", 1.5)

    written = json.loads(summary_file.read_text(encoding="utf-8"))
    assert list(written["figures"]) == ["a-figure", "b-figure", "other-figure"]
    assert written["figures"]["other-figure"] == earlier["figures"]["other-figure"]
    assert written["machine"] == {"cpus": 64}
    assert written["figures"]["a-figure"]["met"] is False
    assert list(written["figures"]["a-figure"]["inputs"]) == ["schema", "examples"]
    assert written["figures"]["b-figure"] == {
        "benchmark": "bench_x",
        "figure": "figure b-figure",
        "value": 2.5,
        "unit": "x the baseline",
        "target": ">= 2.0",
        "met": True,
        "inputs": {"schema": "telemetry", "examples": 100},
        "detail": "1 ms vs 2 ms",
    }


def test_record_again_replaces_the_figure_of_that_id(summary_file: Path) -> None:
    """Rerunning one benchmark updates its figures in place instead of adding new ones."""
    _record("a-figure", 1.5)
    _record("a-figure", 2.25)
    figures = json.loads(summary_file.read_text(encoding="utf-8"))["figures"]
    assert list(figures) == ["a-figure"]
    assert figures["a-figure"]["value"] == 2.25


def test_record_refuses_an_id_another_benchmark_wrote(summary_file: Path) -> None:
    """Two scripts using one figure id is an error naming both, and the summary is kept."""
    _record("a-figure", 1.5)
    before = summary_file.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=r"'a-figure' is already bench_x's.*bench_y"):
        summary.record(
            "a-figure", benchmark="bench_y", figure="f", value=1.0, unit="x", target=None, inputs={}
        )
    assert summary_file.read_text(encoding="utf-8") == before


def test_record_without_a_summary_file_only_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run alone, a benchmark prints its figure, inputs and verdict and writes no file."""
    monkeypatch.delenv("DC_BENCH_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    entry = _record("a-figure", 1.5)
    out = capsys.readouterr().out
    assert "[a-figure] figure a-figure: 1.5 x the baseline; target >= 2.0 (MISSED)" in out
    assert "schema=telemetry, examples=100" in out
    assert entry["met"] is False
    assert list(tmp_path.iterdir()) == []
    context = _record("context-figure", 20.0, target=None)
    assert "20 x the baseline; no target\n" in capsys.readouterr().out
    assert context["met"] is None


def test_record_refuses_a_value_that_is_not_a_finite_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """NaN or infinity (a zero time, a failed run) is an error, not a figure in the table."""
    monkeypatch.delenv("DC_BENCH_SUMMARY", raising=False)
    with pytest.raises(ValueError, match="not a finite number"):
        _record("a-figure", float("inf"))


# --- the table itself ---------------------------------------------------------------------


def test_the_table_says_met_missed_with_its_reason_or_measured() -> None:
    """A miss shows its reason from reasons.toml, or says none was given; no target: measured."""
    figures = {
        "fast": _figure(2.5, ">= 2.0"),
        "slow": _figure(1.5, ">= 2.0"),
        "slow-unexplained": _figure(1.5, ">= 2.0"),
        "context": _figure(20.0, None),
    }
    reasons = {"slow": "strings cost both sides | alike"}
    rows = summary.table({"machine": {"cpus": 2}, "figures": figures}, reasons).splitlines()
    by_id = dict(zip(figures, rows[-4:], strict=True))
    assert by_id["fast"].endswith("| >= 2.0 | met |")
    assert by_id["slow"].endswith("| missed: strings cost both sides \\| alike |")
    assert by_id["slow-unexplained"].endswith("| missed: not yet explained |")
    assert by_id["context"].endswith("| - | measured |")
    assert "schema telemetry, messages 500" in by_id["fast"]


def test_readme_with_table_replaces_only_the_text_between_the_markers() -> None:
    """Text before and after the markers is kept; the old table between them goes."""
    readme = f"intro\n{summary.BEGIN}\nold table\n{summary.END}\noutro\n"
    data = {"machine": {}, "figures": {"fast": _figure(2.5, ">= 2.0")}}
    rendered = summary.readme_with_table(readme, data, {})
    assert rendered.startswith(f"intro\n{summary.BEGIN}\n")
    assert rendered.endswith(f"{summary.END}\noutro\n")
    assert "old table" not in rendered
    assert summary.table(data, {}) in rendered


def test_readme_with_table_refuses_a_readme_without_markers() -> None:
    """No markers is an error naming them, not a README silently left stale."""
    with pytest.raises(ValueError, match="markers"):
        summary.readme_with_table("# README\n", {"figures": {}}, {})


def test_reasons_must_be_strings(tmp_path: Path) -> None:
    """A reason that is not text is an error naming its figure."""
    path = tmp_path / "reasons.toml"
    path.write_text('"a-figure" = 3\n', encoding="utf-8")
    with pytest.raises(ValueError, match="a-figure"):
        summary.load_reasons(path)


# --- (d) figure ids in the benchmark scripts ----------------------------------------------


@dataclass(frozen=True)
class FigureId:
    """A figure id as a script writes it: literal text, with ``None`` for each placeholder."""

    parts: tuple[str | None, ...]

    @property
    def literal(self) -> bool:
        return None not in self.parts

    def regex(self) -> re.Pattern[str]:
        return re.compile("".join(".*" if p is None else re.escape(p) for p in self.parts))

    def matches(self, id: str) -> bool:
        return self.regex().fullmatch(id) is not None

    def overlaps(self, other: FigureId) -> bool:
        """Whether some id could be written by both (exact for up to one placeholder each)."""
        if self.literal or other.literal:
            one, two = (self, other) if self.literal else (other, self)
            return two.matches("".join(p for p in one.parts if p is not None))
        head = (self._head(), other._head())
        tail = (self._tail(), other._tail())
        return (head[0].startswith(head[1]) or head[1].startswith(head[0])) and (
            tail[0].endswith(tail[1]) or tail[1].endswith(tail[0])
        )

    def _head(self) -> str:
        return self.parts[0] or ""

    def _tail(self) -> str:
        return self.parts[-1] or ""

    def __str__(self) -> str:
        return "".join("{...}" if p is None else p for p in self.parts)


@dataclass(frozen=True)
class RecordSite:
    """One ``record(...)`` call in a benchmark script, and each id it can record."""

    script: str
    line: int
    id: FigureId
    benchmark: str | None


class _Source:
    """What a benchmark script's source says a figure id can be, read without running it.

    Best effort, enough for how the scripts write ids: string literals, f-strings whose
    placeholders are loop variables over literal lists (or lists built from literals with
    ``append``/``insert``/``extend``, or a literal dict's keys), names bound to those. A
    placeholder it cannot read stays a wildcard. A name is looked up in the function around
    the ``record`` call, then, if no binding there can be read (``found, ids = cases()``), in
    the whole script. `record` itself refuses, at run time, a figure id another benchmark
    already wrote to the summary.
    """

    def __init__(self, module: ast.Module, scope: ast.AST) -> None:
        self.nodes = list(ast.walk(module))
        self.local = list(ast.walk(scope))

    def ids(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> list[FigureId] | None:
        """Every id the expression can take; None when it cannot be read at all."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [FigureId((node.value,))]
        if isinstance(node, ast.JoinedStr):
            return self._joined(node, seen)
        if isinstance(node, ast.Name) and node.id not in seen:
            found: list[FigureId] = []
            for value in self._bindings(node.id):
                ids = self.ids(value, seen | {node.id})
                if ids is None:
                    return None
                found.extend(ids)
            return found or None
        return None

    def constant(self, node: ast.expr) -> str | None:
        """The string a keyword argument is: a literal, or a name bound once to one."""
        ids = self.ids(node)
        if ids is not None and len(ids) == 1 and ids[0].literal:
            return str(ids[0])
        return None

    def _joined(self, node: ast.JoinedStr, seen: frozenset[str]) -> list[FigureId]:
        alternatives: list[list[str | None]] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                alternatives.append([value.value])
            elif (
                isinstance(value, ast.FormattedValue)
                and value.conversion == -1
                and value.format_spec is None
            ):
                strings: list[str | None] = list(self._strings(value.value, seen) or [])
                alternatives.append(strings or [None])
            else:
                alternatives.append([None])
        return [_joined_id(parts) for parts in itertools.product(*alternatives)]

    def _strings(self, node: ast.expr, seen: frozenset[str]) -> list[str] | None:
        ids = self.ids(node, seen)
        if ids is None or not all(i.literal for i in ids):
            return None
        return [str(i) for i in ids]

    def _bindings(self, name: str) -> list[ast.expr]:
        """Each expression ``name`` is bound to: assigned, or an item of a loop over a
        collection the source spells out; in the local scope if it has any."""
        return self._bound_in(self.local, name) or self._bound_in(self.nodes, name)

    def _bound_in(self, nodes: list[ast.AST], name: str) -> list[ast.expr]:
        return list(self._each_binding(nodes, name))

    def _each_binding(self, nodes: list[ast.AST], name: str) -> Iterator[ast.expr]:
        for node in nodes:
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets = [node.target]
            else:
                targets = []
            if any(_is(t, name) for t in targets):
                assert isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
                yield node.value
            elif isinstance(node, (ast.For, ast.comprehension)):
                position = _bound_position(node.target, name)
                if position is not None:
                    yield from self._loop_items(node.iter, position)

    def _loop_items(self, iterable: ast.expr, position: int) -> Iterator[ast.expr]:
        for item in self._items(iterable, frozenset()):
            if position == WHOLE:
                yield item
            elif isinstance(item, ast.Tuple) and position < len(item.elts):
                yield item.elts[position]
            else:
                yield ast.Name(id="<unreadable>")

    def _items(self, node: ast.expr, seen: frozenset[str]) -> list[ast.expr]:
        """The items of a collection the source spells out (an unreadable one gives one
        unreadable item)."""
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return list(node.elts)
        if isinstance(node, ast.Dict):
            return [k for k in node.keys if k is not None]
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in _KEEP_ITEMS:
            return self._items(node.args[0], seen) if node.args else []
        if isinstance(node, ast.Name) and node.id not in seen:
            items: list[ast.expr] = []
            for value in self._bindings(node.id):
                items.extend(self._items(value, seen | {node.id}))
            items.extend(self._added(node.id))
            return items
        return [ast.Name(id="<unreadable>")]

    def _added(self, name: str) -> Iterator[ast.expr]:
        """Items given to ``name.append``, ``name.insert`` or ``name.extend``."""
        for node in self.nodes:
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and _is(node.func.value, name)
                and node.args
            ):
                continue
            if node.func.attr == "append":
                yield node.args[0]
            elif node.func.attr == "insert" and len(node.args) == 2:
                yield node.args[1]
            elif node.func.attr == "extend":
                yield from self._items(node.args[0], frozenset({name}))


_KEEP_ITEMS = {"list", "tuple", "sorted", "set", "reversed"}
WHOLE = -1  # a loop variable that is the whole item, not one element of a tuple


def _joined_id(parts: tuple[str | None, ...]) -> FigureId:
    """A FigureId with adjacent literal parts joined, so its head and tail are whole."""
    joined: list[str | None] = []
    for part in parts:
        if part is not None and joined and joined[-1] is not None:
            joined[-1] += part
        else:
            joined.append(part)
    return FigureId(tuple(joined))


def _is(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _bound_position(target: ast.expr, name: str) -> int | None:
    """Where a loop target binds ``name``: WHOLE, a tuple position, or None (not at all)."""
    if _is(target, name):
        return WHOLE
    if isinstance(target, ast.Tuple):
        for i, t in enumerate(target.elts):
            if _is(t, name):
                return i
    return None


def _record_calls(module: ast.Module) -> Iterator[tuple[ast.Call, ast.AST]]:
    """Each ``record(...)`` call, with the innermost function around it (or the module)."""
    functions = [
        f for f in ast.walk(module) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    for node in ast.walk(module):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record":
            around = [f for f in functions if any(n is node for n in ast.walk(f))]
            yield node, min(around, key=lambda f: len(list(ast.walk(f))), default=module)


def record_sites() -> list[RecordSite]:
    """Every id every ``record(...)`` call in benchmarks/*.py can record."""
    sites: list[RecordSite] = []
    for script in sorted(BENCHMARKS.glob("*.py")):
        if script.name == "_summary.py":
            continue
        module = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
        for call, scope in _record_calls(module):
            source = _Source(module, scope)
            where = f"{script.name}:{call.lineno}"
            assert call.args, f"{where}: record(...) without its id as first argument"
            ids = source.ids(call.args[0])
            assert ids is not None, (
                f"{where}: the figure id must be readable from the source (a string, an "
                "f-string, or a loop variable over a literal list) so ids can be checked"
            )
            benchmark = next(
                (source.constant(k.value) for k in call.keywords if k.arg == "benchmark"), None
            )
            sites.extend(RecordSite(script.name, call.lineno, i, benchmark) for i in ids)
    return sites


def _ids_in(code: str) -> list[str]:
    module = ast.parse(code)
    found = []
    for call, scope in _record_calls(module):
        ids = _Source(module, scope).ids(call.args[0])
        found.extend(["<unreadable>"] if ids is None else [str(i) for i in ids])
    return found


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('record("a-b")', ["a-b"]),
        ('record(f"a-{n}-b")', ["a-{...}-b"]),
        ('for k in ("x", "y"):\n    record(f"a-{k}")', ["a-x", "a-y"]),
        ('F = [("x", 1), ("y", 2)]\nfor k, v in F:\n    record(k)', ["x", "y"]),
        ('ID = "z"\nrecord(ID)', ["z"]),
        ("record(make_id())", ["<unreadable>"]),
        (
            "def cases():\n"
            '    prefix = header()\n    names = ["p"]\n    names.insert(0, "q")\n'
            "    return 1, names\n"
            "def main():\n"
            "    _, names = cases()\n"
            '    for prefix in names:\n        record(f"{prefix}-{kind.name}")',
            ["p-{...}", "q-{...}"],
        ),
    ],
)
def test_ids_are_read_through_literals_loops_and_names(code: str, expected: list[str]) -> None:
    """The id reader follows the ways the scripts spell ids, and says when it cannot."""
    assert sorted(_ids_in(code)) == expected


def test_the_scripts_record_figures() -> None:
    """The id reader finds this repository's figures (so the checks below check something)."""
    ids = {str(site.id) for site in record_sites()}
    assert {"strategies-{...}-{...}", "models-import-lazy"} <= ids


@pytest.mark.parametrize(
    ("one", "two", "expected"),
    [
        (("decode-", None), ("decode-size-", None), True),
        (("serde-", None, "-decode"), ("serde-telemetry-", None), True),
        (("strategies-", None), ("serde-", None), False),
        (("check-", None, "-rss"), ("check-", None, "-seconds"), False),
        (("parse-vs-json",), ("parse-", None), True),
        (("parse-vs-json",), ("parse-vs-json",), True),
        (("parse-vs-json",), ("parse-vs-yaml",), False),
        (("models-import-lazy",), ("lambda-", None), False),
    ],
)
def test_figure_ids_overlap_when_one_string_could_be_both(
    one: tuple[str | None, ...], two: tuple[str | None, ...], expected: bool
) -> None:
    """The clash check below sees an f-string id that could write another script's id."""
    assert FigureId(one).overlaps(FigureId(two)) is expected
    assert FigureId(two).overlaps(FigureId(one)) is expected


def test_no_two_scripts_can_record_the_same_figure_id() -> None:
    """A figure id belongs to one script, and a literal id to one call, so none overwrites
    another's figure in the summary."""
    sites = record_sites()
    clashes = [
        f"{a.script}:{a.line} {a.id} and {b.script}:{b.line} {b.id}"
        for n, a in enumerate(sites)
        for b in sites[n + 1 :]
        if (a.script != b.script and a.id.overlaps(b.id))
        or (a.id.literal and a.id == b.id and a.line != b.line)
    ]
    assert not clashes, "figure ids that can clash:\n" + "\n".join(clashes)


def test_each_script_records_under_its_own_name() -> None:
    """A bench_x.py script records its figures with benchmark="bench_x", the table's label."""
    wrong = [
        f"{site.script}:{site.line} benchmark={site.benchmark!r}"
        for site in record_sites()
        if site.script.startswith("bench_") and site.benchmark != site.script.removesuffix(".py")
    ]
    assert not wrong, wrong


def test_every_reason_names_a_figure_some_script_records() -> None:
    """reasons.toml explains figures that exist: a renamed figure cannot keep a stale reason."""
    recorded = [site.id for site in record_sites()]
    reasons = summary.load_reasons()
    unknown = [id for id in reasons if not any(i.matches(id) for i in recorded)]
    assert not unknown, f"reasons.toml names figures no script records: {unknown}"
