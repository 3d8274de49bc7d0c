"""Benchmark: ``contracts docs`` on the bundled catalog and on synthetic catalogs of growing size.

Inputs: the bundled catalog (``schemas/``), and synthetic catalogs of 10 and 100 subjects x 10
documented versions, every version released (``bench_check_scale.build_catalog``, shape
``documented``). Each build is a fresh ``contracts docs`` subprocess into a new folder; its
wall time, and CPU time (user + system) from ``os.wait4``. The baseline, measured in the same
run, interleaved, is ``contracts check`` on the same catalog: what CI already spends on it.

Figures:

* ``docs-bundled-seconds``: wall time of ``contracts docs`` on the bundled catalog, start-up
  included. Target < 2 s (issue 15). The detail gives its ratio to ``contracts check``.
* ``docs-scaling``: CPU time at 100 subjects over CPU time at 10 (10x the subjects should cost at
  most 11x the time).

Run: ``python benchmarks/bench_docs.py [--rounds 5]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from _summary import record
from bench_check_scale import build_catalog, run_contracts

HERE = Path(__file__).resolve().parent
BUNDLED = HERE.parent / "schemas"
BENCHMARK = "bench_docs"


def run(*args: str) -> tuple[float, float]:
    """One ``contracts`` subprocess: wall seconds and CPU seconds (user + system)."""
    wall, cpu, _, _ = run_contracts(*args)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be positive")
    with tempfile.TemporaryDirectory(prefix="bench-docs-") as scratch:
        root = Path(scratch)
        catalogs = {"bundled": BUNDLED}
        for subjects in (10, 100):
            catalogs[f"{subjects} subjects"] = root / f"catalog-{subjects}"
            build_catalog(catalogs[f"{subjects} subjects"], "documented", subjects)
        docs: dict[str, list[tuple[float, float]]] = {name: [] for name in catalogs}
        check: dict[str, list[tuple[float, float]]] = {name: [] for name in catalogs}
        for r in range(args.rounds):
            for name, catalog in catalogs.items():
                out = root / f"site-{name.replace(' ', '-')}-{r}"
                docs[name].append(run("docs", "--catalog", str(catalog), "--out", str(out)))
                check[name].append(run("check", "--catalog", str(catalog)))
    print(f"bench_docs: {args.rounds} rounds, contracts docs vs contracts check, subprocesses")
    for name in catalogs:
        d_wall = statistics.median(w for w, _ in docs[name])
        d_cpu = statistics.median(c for _, c in docs[name])
        c_wall = statistics.median(w for w, _ in check[name])
        print(
            f"  {name:<13} docs {d_wall:6.2f} s wall, {d_cpu:6.2f} s CPU; "
            f"check {c_wall:6.2f} s wall ({d_wall / c_wall:.2f}x)"
        )
    bundled_wall = statistics.median(w for w, _ in docs["bundled"])
    check_wall = statistics.median(w for w, _ in check["bundled"])
    record(
        "docs-bundled-seconds",
        benchmark=BENCHMARK,
        figure="contracts docs on the bundled catalog: wall time, start-up included",
        value=bundled_wall,
        unit="s",
        target="< 2.0",
        inputs={"catalog": "bundled: 9 contracts, 21 versions", "rounds": args.rounds},
        detail=f"{bundled_wall / check_wall:.2f}x contracts check on the same catalog "
        f"({check_wall:.2f} s) in the same run",
    )
    small = statistics.median(c for _, c in docs["10 subjects"])
    large = statistics.median(c for _, c in docs["100 subjects"])
    record(
        "docs-scaling",
        benchmark=BENCHMARK,
        figure="contracts docs: CPU time at 100 subjects over time at 10",
        value=large / small,
        unit="x the 10-subject time",
        target="<= 11",
        inputs={
            "catalog": "synthetic documented, 10 and 100 subjects x 10 versions, all released",
            "rounds": args.rounds,
        },
        detail=f"{small:.2f} s and {large:.2f} s CPU (start-up included in both)",
    )


if __name__ == "__main__":
    main()
