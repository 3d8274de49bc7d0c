"""Benchmark: FULL_TRANSITIVE checks of 200 subjects x 10 versions, ours against the avro package.

Two catalogs, each subject's versions checked in order, every version against every earlier one
in both directions (FULL_TRANSITIVE), parsing from JSON text included:

* ``device``: ``_synthetic.device_schema_history`` (~2.7 KB undocumented device schemas, 15-25
  fields, nested records, enums, maps), with a breaking change (a new field without a default)
  injected into every ninth subject, so that both verdicts occur;
* ``project``: the small documented histories this benchmark always used
  (``_synthetic.device_schema_history(..., documented=True)``), same injected breaks.

Three ways, measured in the same run, round after round (CPU time; the text API's caches and
the shape-interning table are emptied before each round, so no round reuses another's work):

* avro: ``avro.schema.parse`` of each version once per subject, then a fresh
  ``ReaderWriterCompatibilityChecker`` per reader/writer pair (both directions);
* text API, as a plain caller would use it: ``check_compatibility(t[i], t[:i], level)`` for
  every version ``i``;
* parsed path, as ``contracts check`` does: ``parse_schema`` each version once,
  ``check_parsed`` with one ``CompatibilityCache`` per subject.

Each way's verdict for every (subject, version) is asserted equal to avro's. The figures are
medians of the per-round ratios avro time / ours (higher is faster). Target: >= 20x on both.

Run: ``python benchmarks/bench_compatibility.py [--subjects 200] [--versions 10] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from _summary import record
from _synthetic import device_schema_history
from devicecontracts.schema import _parse, compatibility, parse_schema
from devicecontracts.schema.compatibility import (
    CompatibilityCache,
    CompatibilityLevel,
    check_compatibility,
    check_parsed,
)

FULL_TRANSITIVE = CompatibilityLevel.FULL_TRANSITIVE
Catalog = list[list[str]]
Verdicts = list[bool]


def with_breaks(history: list[str], subject: int) -> list[str]:
    """Every ninth subject gains a field without a default from some version on: that version
    and every later one break FULL_TRANSITIVE against the versions before it."""
    if subject % 9 or len(history) < 3:
        return history
    at = 2 + subject % (len(history) - 2)
    out = history[:at]
    for text in history[at:]:
        schema = json.loads(text)
        schema["fields"].append({"name": "required_since_break", "type": "int"})
        out.append(json.dumps(schema))
    return out


def catalog(subjects: int, versions: int, *, documented: bool) -> Catalog:
    return [
        with_breaks(device_schema_history(s, versions, documented=documented), s)
        for s in range(subjects)
    ]


def run_text_api(cat: Catalog) -> Verdicts:
    """``check_compatibility(t[i], t[:i])`` for every version, as a plain caller writes it."""
    return [
        check_compatibility(history[i], history[:i], FULL_TRANSITIVE).compatible
        for history in cat
        for i in range(1, len(history))
    ]


def run_parsed(cat: Catalog) -> Verdicts:
    """Parse every version once, check it with one comparison cache per subject."""
    verdicts = []
    for history in cat:
        parsed = [parse_schema(text) for text in history]
        cache = CompatibilityCache()
        for i in range(1, len(parsed)):
            result = check_parsed(parsed[i], parsed[:i], FULL_TRANSITIVE, cache=cache)
            verdicts.append(result.compatible)
    return verdicts


def run_avro(cat: Catalog) -> Verdicts:
    """The same with the avro package: parse each version once, a fresh checker per pair."""
    import avro.schema
    from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

    compatible = SchemaCompatibilityType.compatible
    verdicts = []
    for history in cat:
        parsed = [avro.schema.parse(text) for text in history]
        for i in range(1, len(parsed)):
            ok = True
            for old in parsed[:i]:
                for reader, writer in ((parsed[i], old), (old, parsed[i])):
                    checker = ReaderWriterCompatibilityChecker()
                    if checker.get_compatibility(reader, writer).compatibility is not compatible:
                        ok = False
            verdicts.append(ok)
    return verdicts


def cold() -> None:
    """Forget what an earlier round parsed and compared (process-wide caches)."""
    compatibility._parse_cache.clear()
    compatibility._text_api_results.results.clear()
    _parse._SHAPES.clear()


def timed(func: Callable[[Catalog], Verdicts], cat: Catalog) -> tuple[float, Verdicts]:
    cold()
    start = time.process_time()
    verdicts = func(cat)
    return time.process_time() - start, verdicts


def measure(label: str, cat: Catalog, rounds: int) -> dict[str, tuple[float, float, float, float]]:
    """Per way: (median ratio to avro, lowest, highest, median seconds)."""
    ways = {"text API": run_text_api, "parsed path": run_parsed}
    for way in ways.values():  # warm-up (bytecode, name caches)
        way(cat)
    ratios: dict[str, list[float]] = {name: [] for name in ways}
    seconds: dict[str, list[float]] = {name: [] for name in [*ways, "avro"]}
    expected: Verdicts = []
    for _ in range(rounds):
        theirs, expected = timed(run_avro, cat)
        seconds["avro"].append(theirs)
        for name, way in ways.items():
            ours, verdicts = timed(way, cat)
            if verdicts != expected:  # every round, every (subject, version): avro's verdict
                wrong = sum(a != b for a, b in zip(verdicts, expected, strict=True))
                raise SystemExit(f"{label}: {name} disagrees with avro on {wrong} verdicts")
            seconds[name].append(ours)
            ratios[name].append(theirs / ours)
    breaks = expected.count(False)
    print(
        f"{label}: {len(cat)} subjects x {len(cat[0])} versions, FULL_TRANSITIVE, "
        f"{len(expected)} checks ({breaks} incompatible), verdicts equal to avro's"
    )
    print(f"  avro package  {statistics.median(seconds['avro']) * 1000:8.1f} ms")
    out = {}
    for name in ways:
        r = ratios[name]
        out[name] = (statistics.median(r), min(r), max(r), statistics.median(seconds[name]))
        print(
            f"  {name:12s}  {out[name][3] * 1000:8.1f} ms: {out[name][0]:.1f}x faster than avro "
            f"({min(r):.1f}..{max(r):.1f})"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=200)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.subjects < 1 or args.versions < 2 or args.rounds < 1:
        parser.error("need at least 1 subject, 2 versions and 1 round")
    device = catalog(args.subjects, args.versions, documented=False)
    project = catalog(args.subjects, args.versions, documented=True)
    results = {
        "device": measure("device (~2.7 KB undocumented)", device, args.rounds),
        "project": measure("project (small documented)", project, args.rounds),
    }
    shape = f"{args.subjects} subjects x {args.versions} versions, FULL_TRANSITIVE"
    for id, name, how in (
        ("compat-text-api", "text API", "check_compatibility(t[i], t[:i]) per version"),
        ("compat-parsed", "parsed path", "parse once, check_parsed, one cache per subject"),
    ):
        dev, proj = results["device"][name], results["project"][name]
        record(
            id,
            benchmark="bench_compatibility",
            figure=f"compatibility {name} ({how}), ratio to the avro package",
            value=dev[0],
            unit="x avro",
            target=">= 20",
            inputs={
                "catalog": f"{shape}, _synthetic device histories (~2.7 KB, undocumented), "
                "a breaking version in every ninth subject",
                "baseline": "avro.schema.parse once per version + a fresh checker per pair",
                "rounds": args.rounds,
            },
            detail=(
                f"ours {dev[3] * 1000:.0f} ms (CPU), per-round ratio {dev[1]:.1f}..{dev[2]:.1f}; "
                f"on the small documented histories {proj[0]:.1f}x ({proj[3] * 1000:.0f} ms)"
            ),
        )


if __name__ == "__main__":
    main()
