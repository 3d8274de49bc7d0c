"""Cold start: a process that imports the runtime path and decodes its first message, against
``python -c "import fastavro, pydantic"``, paired in the same run.

The target process is what a Lambda cold start runs: it imports the Lambda helpers, serde and
the latest telemetry model, builds a `Deserializer` from ``DEVICECONTRACTS_ENVIRONMENT`` and
``DEVICECONTRACTS_LOCK`` (the lock file's ids, no registry), and decodes a one-record Kafka
event carrying telemetry written by old (v1) firmware, so resolution into the latest model is
included. Target and baseline alternate run by run (warm-ups first, bytecode cached); the
medians of wall time are compared. Target: under 30 ms more than the baseline.

A third process shows the floor of any pydantic model (``BaseModel`` imported, one trivial
model validated), and one instrumented run per round splits the target's time into stages, so
the report says what is devicecontracts' and what is pydantic's or the models'.

Run: ``python benchmarks/bench_cold_start.py [--pairs 20]``
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_EXTRA_MS = 30.0
BASELINE = "import fastavro, pydantic"
PYDANTIC_FLOOR = (
    "import fastavro\nfrom pydantic import BaseModel\n"
    "class M(BaseModel):\n    x: int\nM.model_validate({'x': 1})"
)
"""What any pydantic model costs before its first validation: ``BaseModel`` itself, and the
plugin loader (``importlib.metadata``) pydantic imports when it builds the first validator."""
FIRST_MESSAGE = """
import json, os
from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.serde import Deserializer
from devicecontracts.models import Telemetry

deserializer = Deserializer(Telemetry)
with open(os.environ["BENCH_EVENT"], encoding="utf-8") as f:
    batch = decode_kafka_event(json.load(f), deserializer, undecodable="fail")
assert len(batch.messages) == 1 and not batch.failures, batch.failures
assert batch.messages[0].value.signal_dbm is None
"""
STAGES = """
import json, os, sys, time
marks = [("start", time.perf_counter())]
import fastavro, pydantic
marks.append(("import fastavro, pydantic", time.perf_counter()))
from pydantic import BaseModel
marks.append(("pydantic BaseModel", time.perf_counter()))
from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.serde import Deserializer
marks.append(("devicecontracts runtime modules", time.perf_counter()))
from devicecontracts.models import Telemetry
marks.append(("generated models (latest telemetry)", time.perf_counter()))
deserializer = Deserializer(Telemetry)
with open(os.environ["BENCH_EVENT"], encoding="utf-8") as f:
    event = json.load(f)
import pydantic.plugin._loader
marks.append(("pydantic plugin loader (importlib.metadata)", time.perf_counter()))
batch = decode_kafka_event(event, deserializer, undecodable="fail")
marks.append(("first decode (lock ids, v1 schema, validators)", time.perf_counter()))
print(json.dumps([(b[0], (b[1] - a[1]) * 1000) for a, b in zip(marks, marks[1:])]))
"""


def prepare(folder: Path) -> dict[str, str]:
    """A lock with ids for environment ``bench`` and an event with one telemetry v1 record."""
    from devicecontracts.models._manifest import MODULES
    from devicecontracts.serde import encode

    subjects: dict[str, dict[str, object]] = {}
    v1_id = None
    for number, entry in enumerate(MODULES.values(), start=1):
        versions = subjects.setdefault(entry["subject"], {})
        versions[str(entry["version"])] = {
            "fingerprint": entry["fingerprint"],
            "content": "sha256:" + "0" * 64,
            "ids": {"bench": 100 + number},
        }
        if entry["subject"] == "fleet.telemetry-value" and entry["version"] == 1:
            v1_id = 100 + number
            v1_module, v1_class = entry["module"], entry["model"]
    assert v1_id is not None
    lock = folder / "contracts.lock.json"
    lock.write_text(json.dumps({"format": 1, "subjects": subjects}), encoding="utf-8")

    import importlib

    v1 = getattr(importlib.import_module(v1_module), v1_class)
    # A script's folder is on sys.path, not the repository root, where the tests' example is.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.support.examples import telemetry_v1

    message = v1.from_avro_dict(telemetry_v1())
    record = {
        "topic": "fleet.telemetry",
        "partition": 0,
        "offset": 1,
        "timestamp": 1714521600000,
        "timestampType": "CREATE_TIME",
        "key": None,
        "value": base64.b64encode(encode(message, v1_id)).decode(),
        "headers": [],
    }
    event = {"eventSource": "aws:kafka", "records": {"fleet.telemetry-0": [record]}}
    event_file = folder / "event.json"
    event_file.write_text(json.dumps(event), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        DEVICECONTRACTS_ENVIRONMENT="bench",
        DEVICECONTRACTS_LOCK=str(lock),
        BENCH_EVENT=str(event_file),
    )
    return env


def wall_ms(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--warmups", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        env = prepare(Path(tmp))
        for _ in range(args.warmups):  # also writes the bytecode caches
            for code in (FIRST_MESSAGE, BASELINE, PYDANTIC_FLOOR):
                wall_ms(code, env)
        target, baseline, floor, extra, stages = [], [], [], [], []
        for i in range(args.pairs):
            order = [(FIRST_MESSAGE, target), (BASELINE, baseline), (PYDANTIC_FLOOR, floor)]
            for code, into in order if i % 2 == 0 else order[::-1]:
                into.append(wall_ms(code, env))
            extra.append(target[-1] - baseline[-1])
            if i % 4 == 0:
                stages.append(dict(json.loads(staged(env))))

    t, b, f = statistics.median(target), statistics.median(baseline), statistics.median(floor)
    paired = statistics.median(extra)
    print(f"cold start, median of {args.pairs} alternating runs (wall ms)")
    print(f"  python -c {BASELINE!r:44} {b:7.1f} (min {min(baseline):.1f})")
    print(f"  pydantic floor: BaseModel + one tiny model validated {f:7.1f} (min {min(floor):.1f})")
    print(f"  imports + first decoded message{'':23}{t:7.1f} (min {min(target):.1f})")
    print("stages of the target, in-process (median ms):")
    for name in stages[0]:
        print(f"  {name:50} {statistics.median(s[name] for s in stages):6.1f}")
    verdict = "meets" if paired < TARGET_EXTRA_MS else "MISSES"
    print(
        f"extra over the baseline: {paired:.1f} ms (median of paired differences), ratio "
        f"{t / b:.2f}x: {verdict} the under-{TARGET_EXTRA_MS:.0f}-ms target; "
        f"{t - f:.1f} ms over the pydantic floor"
    )


def staged(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", STAGES], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


if __name__ == "__main__":
    main()
