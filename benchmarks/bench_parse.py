"""Benchmark: ``parse_schema`` against ``json.loads`` of the same texts.

The corpus is what the parser meets in practice: every version of the bundled catalog's
contracts (shared types first, then the messages that reference them) and synthetic
~2.7 KB undocumented device schemas (15-25 fields, nested records, enums, maps) from
``_synthetic.device_schema_history``. Each round parses the whole corpus with both, interleaved,
keeping what they return alive until the round ends (as a catalog load does), in CPU time; the
figure is the median of the per-round ratios (parse_schema time / json.loads time; lower is
better).

Both sides run under the same collector conditions. The figure has the cyclic collector paused
over the loop, as ``load_catalog`` and ``check_compatibility`` run their parses; the detail also
gives the ratio with the collector running, each result kept in a small object as a catalog
keeps it (so that the collector gets its usual chances to run on both sides).

Run: ``python benchmarks/bench_parse.py [--subjects 100] [--versions 10] [--rounds 11]``
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from _summary import record
from _synthetic import device_schema_history
from devicecontracts._gc import collector_paused
from devicecontracts.schema import NamedType, parse_schema

CATALOG = Path(__file__).resolve().parent.parent / "schemas"


def catalog_corpus() -> list[tuple[str, Mapping[str, NamedType]]]:
    """Every version of the bundled catalog, each with the shared types it may reference."""
    spec = tomllib.loads((CATALOG / "catalog.toml").read_text(encoding="utf-8"))
    shared: dict[str, NamedType] = {}
    corpus: list[tuple[str, Mapping[str, NamedType]]] = []
    for name in spec.get("shared", {}):
        versions = sorted((CATALOG / name).glob("v*.avsc"), key=lambda p: int(p.stem[1:]))
        for path in versions:
            corpus.append((path.read_text(encoding="utf-8"), {}))
        latest = parse_schema(versions[-1].read_text(encoding="utf-8"))
        shared.update(latest.named)
    for name in spec.get("messages", {}):
        for path in sorted((CATALOG / name).glob("v*.avsc"), key=lambda p: int(p.stem[1:])):
            corpus.append((path.read_text(encoding="utf-8"), shared))
    return corpus


class Kept:
    """One kept result, as a catalog keeps a parsed version (a GC-tracked allocation)."""

    __slots__ = ("result", "text")

    def __init__(self, text: str, result: Any) -> None:
        self.text = text
        self.result = result


Corpus = list[tuple[str, Mapping[str, NamedType]]]


def run_parse(corpus: Corpus) -> list[Kept]:
    return [Kept(text, parse_schema(text, named_types=named)) for text, named in corpus]


def run_json(corpus: Corpus) -> list[Kept]:
    return [Kept(text, json.loads(text)) for text, _ in corpus]


def timed(func: Callable[[Corpus], list[Kept]], corpus: Corpus, *, paused: bool) -> float:
    gc.collect()
    if paused:
        with collector_paused():
            start = time.process_time()
            kept = func(corpus)
            elapsed = time.process_time() - start
    else:
        start = time.process_time()
        kept = func(corpus)
        elapsed = time.process_time() - start
    del kept
    return elapsed


def measure(corpus: Corpus, rounds: int, *, paused: bool) -> dict[str, float]:
    ratios, ours, theirs = [], [], []
    run_parse(corpus)  # warm-up (bytecode, interned shapes and names)
    for _ in range(rounds):
        t_json = timed(run_json, corpus, paused=paused)
        t_parse = timed(run_parse, corpus, paused=paused)
        ours.append(t_parse)
        theirs.append(t_json)
        ratios.append(t_parse / t_json)
    return {
        "ratio": statistics.median(ratios),
        "low": min(ratios),
        "high": max(ratios),
        "parse": statistics.median(ours),
        "json": statistics.median(theirs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=100, help="synthetic device subjects")
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    catalog = catalog_corpus()
    device = [
        (text, {})
        for s in range(args.subjects)
        for text in device_schema_history(s, args.versions, documented=False)
    ]
    corpora = {"catalog": catalog, "device": device, "all": catalog + device}
    for label, corpus in corpora.items():
        size = sum(len(t) for t, _ in corpus)
        print(
            f"{label}: {len(corpus)} texts, {size / 1024:.0f} KiB, mean {size / len(corpus):.0f} B"
        )
    results = {
        label: measure(corpus, args.rounds, paused=True) for label, corpus in corpora.items()
    }
    running = measure(corpora["all"], args.rounds, paused=False)
    for label, r in [*results.items(), ("all, collector running", running)]:
        print(
            f"{label:8s} parse_schema {r['parse'] * 1000:7.1f} ms, json.loads "
            f"{r['json'] * 1000:6.1f} ms: {r['ratio']:.2f}x ({r['low']:.2f}..{r['high']:.2f})"
        )
    r = results["all"]
    record(
        "parse-vs-json",
        benchmark="bench_parse",
        figure="parse_schema time over json.loads time, same texts (lower is better)",
        value=r["ratio"],
        unit="x json.loads",
        target="<= 3",
        inputs={
            "corpus": f"bundled catalog ({len(catalog)} versions) + {args.subjects} synthetic "
            f"device subjects x {args.versions} versions (~2.7 KB, undocumented)",
            "texts": len(catalog) + len(device),
            "rounds": args.rounds,
        },
        detail=(
            f"collector paused on both sides: parse_schema {r['parse'] * 1000:.1f} ms, "
            f"json.loads {r['json'] * 1000:.1f} ms (CPU) per round, per-round ratio "
            f"{r['low']:.2f}..{r['high']:.2f}; catalog alone {results['catalog']['ratio']:.2f}x, "
            f"device alone {results['device']['ratio']:.2f}x; with the collector running "
            f"{running['ratio']:.2f}x"
        ),
    )


if __name__ == "__main__":
    main()
