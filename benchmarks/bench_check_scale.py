"""Benchmark: ``contracts check`` on synthetic catalogs of 100 and 1,000 subjects x 10 versions.

Two catalog shapes, each built in a temporary folder (catalog.toml, ``<subject>/vN.avsc``
written indented as in a repository, and a lock):

* ``documented``: small documented device messages (``_synthetic.device_schema_history``,
  ~1.5 KB of compact JSON), every version released in the lock, as in a mature repository;
* ``undocumented``: ~2.9 KB device schemas (15-25 fields, nested records, enums, maps, arrays,
  optional fields) with no docs at all and nothing released yet, as a team adopting the tool
  meets it: every version is linted, so each version yields dozens of ``missing-doc``
  warnings (half a million at 1,000 subjects), and every one of them is located and printed.

Each catalog is checked by ``contracts check`` in a fresh subprocess (its output to
``/dev/null``), rounds interleaved; wall time, CPU time (user + system) and peak RSS come from
``os.wait4``. Figures: the 1,000-subject time (CPU seconds: the command is one-threaded, so on an
idle machine that is its wall time, and on a shared one wall time also counts waits for a core)
and peak RSS (MiB) per shape, and the scaling ratio: time at 1,000 subjects over time at 100
subjects, measured in the same run (10x the subjects should cost at most 11x the time). The
default is one round (the 1,000-subject undocumented catalog takes tens of seconds).

Run: ``python benchmarks/bench_check_scale.py [--rounds 1] [--sizes 100,1000]
[--shapes documented,undocumented]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _summary import record
from _synthetic import device_schema_history

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
VERSIONS = 10
SEED = 20261204

CONTRACTS = (
    "import sys\n"
    "from devicecontracts.__main__ import main\n"
    "sys.argv = ['contracts', *sys.argv[1:]]\n"
    "main()\n"
)


# ---------------------------------------------------------------------------------------------
# Catalog shapes


def documented_history(subject: int, versions: int) -> list[str]:
    """Small documented device messages evolved by safe changes."""
    return device_schema_history(subject, versions, documented=True)


def undocumented_history(subject: int, versions: int) -> list[str]:
    """~2.7 KB device schemas without a single doc, evolved by safe changes."""
    return device_schema_history(subject, versions, documented=False)


SHAPES = {"documented": documented_history, "undocumented": undocumented_history}
RELEASED = {"documented": True, "undocumented": False}


def build_catalog(root: Path, shape: str, subjects: int) -> dict[str, Any]:
    """Write a catalog of ``subjects`` x VERSIONS of ``shape`` into ``root``; what it holds."""
    history = SHAPES[shape]
    root.mkdir(parents=True)
    toml: list[str] = []
    sizes: list[int] = []
    for s in range(subjects):
        name = f"m{s:04d}"
        toml.append(
            f'[messages.{name}]\ndescription = "Synthetic subject {s}."\ntopic = "fleet.{name}"\n'
            'direction = "device-to-cloud"\ncompatibility = "FULL_TRANSITIVE"\n'
        )
        folder = root / name
        folder.mkdir()
        for k, text in enumerate(history(s, VERSIONS), start=1):
            sizes.append(len(text))
            (folder / f"v{k}.avsc").write_text(json.dumps(json.loads(text), indent=2) + "\n")
    (root / "catalog.toml").write_text("\n".join(toml), encoding="utf-8")
    if RELEASED[shape]:
        _release_everything(root)
    return {"versions": len(sizes), "kb_per_version": round(statistics.mean(sizes) / 1024, 2)}


def _release_everything(root: Path) -> None:
    """Record every version in the lock, as ``contracts lock`` would (in a subprocess, so
    the benchmark's own process stays small)."""
    code = (
        "import sys\n"
        "from devicecontracts.catalog import load_catalog, record_releases\n"
        "from devicecontracts.catalog.lock import write_lock\n"
        "c = load_catalog(sys.argv[1]); record_releases(c); write_lock(c.lock)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(root)], env=_env(), check=True)


# ---------------------------------------------------------------------------------------------
# Measuring


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")]))
    env.pop("DC_BENCH_SUMMARY", None)
    return env


def run_contracts(*args: str) -> tuple[float, float, float, int]:
    """One ``contracts *args`` subprocess (output discarded): wall s, CPU s (user + system),
    peak RSS MiB, exit code; a run that exits other than 0 or 1 stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CONTRACTS, *args],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    code = proc.returncode
    if code not in (0, 1):
        raise SystemExit(f"contracts {' '.join(args)} failed ({code}):\n{err.decode()}")
    cpu = usage.ru_utime + usage.ru_stime
    rss_mib = usage.ru_maxrss / 1024  # kilobytes on Linux
    return wall, cpu, rss_mib, code


def run_check(root: Path) -> tuple[float, float, float, int]:
    """One ``contracts check`` subprocess: wall s, CPU s, peak RSS MiB, exit code."""
    return run_contracts("check", "--catalog", str(root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--sizes", default="100,1000", help="small,large subject counts")
    parser.add_argument("--shapes", default="documented,undocumented")
    args = parser.parse_args(argv)
    try:
        small, large = (int(x) for x in args.sizes.split(","))
    except ValueError:
        parser.error("--sizes takes two subject counts, such as 100,1000")
    shapes = [s for s in args.shapes.split(",") if s]
    if args.rounds < 1 or not 0 < small < large:
        parser.error("--rounds must be at least 1, and --sizes two counts, the smaller first")
    unknown = sorted(set(shapes) - set(SHAPES))
    if unknown or not shapes:
        parser.error(f"--shapes: choose from {', '.join(SHAPES)}")
    with tempfile.TemporaryDirectory(prefix="bench-check-scale-") as tmp:
        catalogs: dict[tuple[str, int], Path] = {}
        held: dict[tuple[str, int], dict[str, Any]] = {}
        for shape in shapes:
            for n in (small, large):
                root = Path(tmp) / f"{shape}-{n}"
                held[shape, n] = build_catalog(root, shape, n)
                catalogs[shape, n] = root
                print(
                    f"catalog {shape} {n} subjects x {VERSIONS} versions: "
                    f"{held[shape, n]['versions']} versions, "
                    f"{held[shape, n]['kb_per_version']} KB per version (compact JSON), "
                    f"{'all released' if RELEASED[shape] else 'none released'}"
                )
        for shape in shapes:  # warm-up: bytecode compiled (building put the files in cache)
            run_check(catalogs[shape, small])
        runs: dict[tuple[str, int], list[tuple[float, float, float, int]]] = {
            k: [] for k in catalogs
        }
        for _ in range(args.rounds):
            for key, root in catalogs.items():
                runs[key].append(run_check(root))
        for shape in shapes:
            report(shape, small, large, runs, held, args.rounds)
    return 0


def report(
    shape: str,
    small: int,
    large: int,
    runs: dict[tuple[str, int], list[tuple[float, float, float, int]]],
    held: dict[tuple[str, int], dict[str, Any]],
    rounds: int,
) -> None:
    # The targets are for 1,000 subjects; other sizes are measured without one.
    targets = {"documented": ("< 1.0", "< 150"), "undocumented": ("< 3.0", "< 400")}
    seconds_target, rss_target = targets[shape] if large == 1000 else (None, None)
    scaling_target = f"<= {1.1 * large / small:g}"  # 10x the subjects: at most 11x the time
    wall = {n: statistics.median(r[0] for r in runs[shape, n]) for n in (small, large)}
    cpu = {n: statistics.median(r[1] for r in runs[shape, n]) for n in (small, large)}
    rss = {n: max(r[2] for r in runs[shape, n]) for n in (small, large)}
    # CPU time (user + system of the one-threaded process): on a shared machine, wall time
    # also counts the waits for a core.
    ratios = [b[1] / a[1] for a, b in zip(runs[shape, small], runs[shape, large], strict=True)]
    exit_code = runs[shape, large][0][3]
    for n in (small, large):
        walls = [r[0] for r in runs[shape, n]]
        print(
            f"{shape} {n} subjects: wall {wall[n]:.3f} s (min {min(walls):.3f}, max "
            f"{max(walls):.3f}), CPU {cpu[n]:.3f} s, peak RSS {rss[n]:.0f} MiB"
        )
    inputs = {
        "catalog": f"{shape}, {large} subjects x {VERSIONS} versions",
        "versions": held[shape, large]["versions"],
        "kb_per_version": held[shape, large]["kb_per_version"],
        "released": "all" if RELEASED[shape] else "none",
        "rounds": rounds,
    }
    record(
        f"check-{large}-{shape}-seconds",
        benchmark="bench_check_scale",
        figure=(
            f"contracts check, {large} subjects x {VERSIONS} versions, {shape}: CPU time "
            "(user + system; the command runs on one core)"
        ),
        value=cpu[large],
        unit="s",
        target=seconds_target,
        inputs=inputs,
        detail=(
            f"median of {rounds}; wall {wall[large]:.2f} s on a shared machine; exit code "
            f"{exit_code}"
        ),
    )
    record(
        f"check-{large}-{shape}-rss",
        benchmark="bench_check_scale",
        figure=f"contracts check, {large} subjects x {VERSIONS} versions, {shape}: peak RSS",
        value=rss[large],
        unit="MiB",
        target=rss_target,
        inputs=inputs,
        detail=f"max of {rounds} runs; {small} subjects: {rss[small]:.0f} MiB",
    )
    record(
        f"check-scaling-{shape}",
        benchmark="bench_check_scale",
        figure=f"contracts check, {shape}: CPU time at {large} subjects over time at {small}",
        value=statistics.median(ratios),
        unit=f"x the {small}-subject time",
        target=scaling_target,
        inputs={
            **inputs,
            "catalog": f"{shape}, {small} and {large} subjects x {VERSIONS} versions",
        },
        detail=(
            f"median of per-round ratios (min {min(ratios):.1f}, max {max(ratios):.1f}); "
            f"CPU {cpu[small]:.3f} s -> {cpu[large]:.3f} s, wall {wall[small]:.3f} s -> "
            f"{wall[large]:.3f} s"
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
