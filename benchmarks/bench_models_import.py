"""Cold-start cost of the generated models: import time above ``import fastavro, pydantic``.

Each command runs in a fresh interpreter; the commands are run round-robin, N times each
after warm-ups, and the median wall time of each is compared with the baseline measured in
the same run. Bytecode is cached in a temporary PYTHONPYCACHEPREFIX (the warm-ups write it),
as it is for an installed wheel on Lambda.

Rows:

* baseline: ``import fastavro, pydantic`` (the issue's yardstick; ``pydantic`` alone is lazy);
* pydantic floor: the baseline plus one trivial ``BaseModel`` subclass with ``defer_build``,
  what any package of pydantic models pays before its own first class (pydantic.main,
  pydantic.fields, pydantic.types, annotated_types);
* ``import devicecontracts.models``: the lazy package (PEP 562), what the issue measures;
* every latest model: ``from devicecontracts.models import Telemetry, ...``, the catalog a
  consumer imports;
* every version: all version modules of the catalog.

Target (issue 4): the catalog under 20 ms above the baseline.

Usage: python benchmarks/bench_models_import.py [-n RUNS]
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _summary import record

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "src" / "devicecontracts" / "models"
BASELINE = "import fastavro, pydantic"
TARGET_MS = 20.0
TARGET = f"< {TARGET_MS:g}"
UNIT = "ms above `import fastavro, pydantic`"


def _catalog_imports() -> tuple[str, str, int, int]:
    """Statements importing every latest model, and every version module, and their counts."""
    manifest = ast.parse((MODELS / "_manifest.py").read_text(encoding="utf-8"))
    modules: dict[str, dict[str, object]] = {}
    for node in manifest.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "MODULES":
            assert node.value is not None
            modules = ast.literal_eval(node.value)
    init = ast.parse((MODELS / "__init__.py").read_text(encoding="utf-8"))
    latest: list[str] = []
    for node in init.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
            latest = ast.literal_eval(node.value)
    every = "; ".join(f"import {entry['module']}" for entry in modules.values())
    statement = f"from devicecontracts.models import {', '.join(latest)}"
    return statement, every, len(latest), len(modules)


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=21, help="runs per command")
    parser.add_argument("--warmups", type=int, default=3)
    args = parser.parse_args()
    if args.runs < 1 or args.warmups < 0:
        parser.error("--runs takes a positive number, --warmups zero or more")
    latest, every, latest_count, module_count = _catalog_imports()
    floor = (
        "from pydantic import BaseModel, ConfigDict\n"
        "class _A(BaseModel):\n"
        "    model_config = ConfigDict(defer_build=True)\n"
        "    x: int"
    )
    commands = {
        "baseline: import fastavro, pydantic": BASELINE,
        "pydantic floor: + one deferred BaseModel": f"{BASELINE}\n{floor}",
        "import devicecontracts.models (lazy)": f"{BASELINE}; import devicecontracts.models",
        "every latest model of the catalog": f"{BASELINE}; {latest}",
        "every version of every contract": f"{BASELINE}; {every}",
    }
    with tempfile.TemporaryDirectory(prefix="bench-pyc-") as cache:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_number in range(args.warmups + args.runs):
            for name, code in commands.items():
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], env=env, check=True)
                if round_number >= args.warmups:
                    times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    base = medians["baseline: import fastavro, pydantic"]
    floor_ms = medians["pydantic floor: + one deferred BaseModel"]
    version = sys.version.split()[0]
    print(f"median of {args.runs} runs each, interleaved, bytecode cached; Python {version}")
    print(f"{'command':44} {'ms':>8} {'+ms vs baseline':>16} {'ratio':>7} {'+ms vs floor':>13}")
    for name, ms in medians.items():
        print(f"{name:44} {ms:8.1f} {ms - base:16.1f} {ms / base:7.2f} {ms - floor_ms:13.1f}")
    lazy = medians["import devicecontracts.models (lazy)"] - base
    latest = medians["every latest model of the catalog"]
    print()
    print(f"import devicecontracts.models: {lazy:+.1f} ms above the baseline ({_verdict(lazy)})")
    print(
        f"the catalog's latest models: {latest - base:+.1f} ms above the baseline "
        f"({_verdict(latest - base)}), of which {floor_ms - base:.1f} ms is pydantic's own "
        f"first-model cost and {latest - floor_ms:.1f} ms the models "
        f"({_verdict(latest - floor_ms)} measured from the pydantic floor)"
    )
    print()
    inputs = {"baseline": BASELINE, "runs": args.runs, "bytecode": "cached"}
    record(
        "models-import-lazy",
        benchmark="bench_models_import",
        figure="`import devicecontracts.models` (lazy package), fresh interpreter",
        value=lazy,
        unit=UNIT,
        target=TARGET,
        inputs=inputs,
        detail=f"median {medians['import devicecontracts.models (lazy)']:.1f} ms, "
        f"baseline {base:.1f} ms",
    )
    record(
        "models-import-latest",
        benchmark="bench_models_import",
        figure="every latest model of the catalog imported, fresh interpreter",
        value=latest - base,
        unit=UNIT,
        target=TARGET,
        inputs={**inputs, "models": latest_count},
        detail=f"of which {floor_ms - base:.1f} ms is pydantic's own first model "
        f"(one deferred BaseModel); median {latest:.1f} ms, baseline {base:.1f} ms",
    )
    record(
        "models-import-latest-over-floor",
        benchmark="bench_models_import",
        figure="every latest model, above the pydantic floor (fastavro, pydantic and one "
        "deferred BaseModel)",
        value=latest - floor_ms,
        unit="ms above the pydantic floor",
        target=None,
        inputs={**inputs, "models": latest_count},
        detail=f"every version module ({module_count}): "
        f"{medians['every version of every contract'] - floor_ms:+.1f} ms above the floor",
    )


def _verdict(ms: float) -> str:
    return f"target < {TARGET_MS:.0f} ms {'met' if ms < TARGET_MS else 'missed'}"


if __name__ == "__main__":
    main()
