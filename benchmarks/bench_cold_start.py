"""Cold start: the README's Lambda handler against the smallest pydantic application, fresh
processes side by side; and ``contracts check`` on the bundled catalog against bare Python.

**Handler** (``cold-start-ratio``): what a Lambda cold start runs: the README's handler
module, verbatim (``tests/runtime/example_handler.py``, which a test keeps equal to the README),
imported (the Lambda helpers, serde, the dead-letter sink and the latest telemetry model; a
`WriterSchemas` from ``DEVICECONTRACTS_ENVIRONMENT`` and ``DEVICECONTRACTS_LOCK``, the lock
file's ids, no registry; `KafkaDeadLetters` from its variables, never contacted), then its
first invocation on a one-record Kafka event carrying telemetry written by old (v1) firmware,
so resolution into the latest model is included. Its baseline is the floor of any pydantic
application: fastavro and pydantic imported, one tiny model defined and validated (pydantic
imports its plugin loader, ``importlib.metadata``, on the first validation). Target: the
handler costs at most 1.10x that floor.

**CLI** (``cli-check-bundled``, ``cli-check-bundled-vs-click``): ``contracts check`` on the
bundled catalog against ``python -c pass`` and against ``python -c "import click"``.

Every command runs as a fresh process, round-robin (order reversed every other round) after
warm-ups that also write the bytecode caches. Each process's CPU time (user + system, from
``wait4``) is the measure, since the machine running benchmarks is shared and CPU time is what
a quiet machine's wall time would be for a single-threaded start; wall times are printed too.
Figures are medians of per-round ratios. One instrumented run per few rounds splits the
handler's CPU time into stages, so the report says what is devicecontracts' and what is
pydantic's, fastavro's or the generated models'.

Run: ``python benchmarks/bench_cold_start.py [--rounds 20] [--cli-rounds 15]``
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

from _summary import record

ROOT = Path(__file__).resolve().parents[1]
TARGET = "<= 1.10"
BASELINE = "import fastavro, pydantic"
PYDANTIC_FLOOR = (
    "import fastavro\nfrom pydantic import BaseModel\n"
    "class M(BaseModel):\n    x: int\nM.model_validate({'x': 1})"
)
"""What any pydantic model costs before its first validation: ``BaseModel`` itself, and the
plugin loader (``importlib.metadata``) pydantic imports when it builds the first validator."""
HANDLER_FILE = ROOT / "tests" / "runtime" / "example_handler.py"
"""The README's handler, verbatim (a test checks the README shows this file)."""
FIRST_MESSAGE = (
    HANDLER_FILE.read_text(encoding="utf-8")
    + """
import json, os
with open(os.environ["BENCH_EVENT"], encoding="utf-8") as f:
    response = handler(json.load(f), None)
assert response == {"batchItemFailures": []}, response
assert len(stored) == 1 and stored[0].signal_dbm is None
"""
)
"""A cold start: the handler module imported, then its first invocation, one v1 record."""
STAGES = """
import json, os, sys, time
clock = time.process_time
marks = [("start", clock())]
import fastavro, pydantic
marks.append(("import fastavro, pydantic", clock()))
from pydantic import BaseModel
marks.append(("pydantic BaseModel", clock()))
import pydantic.plugin._loader
marks.append(("pydantic plugin loader (importlib.metadata)", clock()))
import logging
marks.append(("logging (the handler's own import)", clock()))
from devicecontracts.dead_letters import KafkaDeadLetters
from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.serde import Deserializer, WriterSchemas
marks.append(("devicecontracts runtime modules", clock()))
from devicecontracts.models import Telemetry
marks.append(("generated models (latest telemetry)", clock()))
schemas = WriterSchemas.from_environment()
deserializer = Deserializer(Telemetry, schemas=schemas)
dead_letters = KafkaDeadLetters.from_environment()
marks.append(("lookup, Deserializer and sink from the environment", clock()))
with open(os.environ["BENCH_EVENT"], encoding="utf-8") as f:
    event = json.load(f)
batch = decode_kafka_event(event, deserializer, dead_letters)
assert len(batch.messages) == 1
marks.append(("first decode (v1 model, plan, validators)", clock()))
print(json.dumps([(b[0], (b[1] - a[1]) * 1000) for a, b in zip(marks, marks[1:])]))
"""
OURS = (
    "devicecontracts runtime modules",
    "lookup, Deserializer and sink from the environment",
    "first decode (v1 model, plan, validators)",
)
"""The stages that are devicecontracts' own code (the models' are the generator's output)."""
CLI_COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import click'": ["-c", "import click"],
    "contracts check (bundled catalog)": [
        "-m",
        "devicecontracts",
        "check",
        "--catalog",
        str(ROOT / "schemas"),
    ],
}


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
        DEVICECONTRACTS_DEAD_LETTER_TOPIC="fleet.telemetry.dlq",
        DEVICECONTRACTS_DEAD_LETTER_BOOTSTRAP_SERVERS="127.0.0.1:9",  # never contacted
        BENCH_EVENT=str(event_file),
    )
    return env


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``python ARGS`` to completion: (wall ms, CPU ms of the process)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read() if process.stderr else b""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{args} failed ({process.returncode}): {errors.decode()[-2000:]}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def round_robin(
    commands: dict[str, list[str]], env: dict[str, str], rounds: int, warmups: int
) -> dict[str, list[tuple[float, float]]]:
    """Each command ``rounds`` times, one of each per round, order reversed every other round."""
    for _ in range(warmups):  # also writes the bytecode caches
        for args in commands.values():
            run(args, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    names = list(commands)
    for i in range(rounds):
        for name in names if i % 2 == 0 else names[::-1]:
            times[name].append(run(commands[name], env))
    return times


def ratios(
    times: dict[str, list[tuple[float, float]]], top: str, bottom: str, measure: int
) -> list[float]:
    """Per-round ratios ``top / bottom`` of wall (``measure`` 0) or CPU (1) time."""
    return [a[measure] / b[measure] for a, b in zip(times[top], times[bottom], strict=True)]


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    cut = len(ordered) // 10
    return f"{ordered[cut]:.2f}..{ordered[-1 - cut]:.2f}"


def cold_start(env: dict[str, str], rounds: int, warmups: int) -> None:
    commands = {
        "handler": ["-c", FIRST_MESSAGE],
        "floor": ["-c", PYDANTIC_FLOOR],
        "baseline": ["-c", BASELINE],
    }
    times = round_robin(commands, env, rounds, warmups)
    stages = [dict(json.loads(staged(env))) for _ in range(max(3, rounds // 4))]

    def med(name: str, measure: int) -> float:
        return statistics.median(t[measure] for t in times[name])

    cpu = ratios(times, "handler", "floor", 1)
    wall = ratios(times, "handler", "floor", 0)
    print(f"cold start, {rounds} round-robin rounds of fresh processes (median ms)")
    labels = {
        "baseline": f"python -c {BASELINE!r}",
        "floor": "pydantic floor: BaseModel, one tiny model validated",
        "handler": "README handler: imports, Deserializer, first v1 message",
    }
    for name, label in labels.items():
        print(f"  {label:58} CPU {med(name, 1):6.1f}  wall {med(name, 0):6.1f}")
    print("stages of the handler, in-process (median CPU ms):")
    for name in stages[0]:
        print(f"  {name:58} {statistics.median(s[name] for s in stages):6.1f}")
    ours = statistics.median(sum(s[name] for name in OURS) for s in stages)
    models = statistics.median(s["generated models (latest telemetry)"] for s in stages)
    ratio = statistics.median(cpu)
    print(
        f"handler / pydantic floor: CPU {ratio:.3f} ({spread(cpu)}), wall "
        f"{statistics.median(wall):.3f} ({spread(wall)})"
    )
    record(
        "cold-start-ratio",
        benchmark="bench_cold_start",
        figure="README Lambda handler cold start (imports, Deserializer from the lock, first "
        "v1 telemetry record), ratio to a minimal pydantic app (one tiny model validated)",
        value=ratio,
        unit="x pydantic floor (process CPU)",
        target=TARGET,
        inputs={
            "handler": "README handler (tests/runtime/example_handler.py), one-record MSK "
            "event of telemetry v1",
            "floor": "import fastavro; BaseModel subclass with one int field validated",
            "processes": f"{rounds} rounds x 3 commands, round-robin, bytecode cached",
        },
        detail=f"CPU {med('handler', 1):.0f} vs {med('floor', 1):.0f} ms (p10..p90 "
        f"{spread(cpu)}); wall ratio {statistics.median(wall):.2f}; in-process: "
        f"devicecontracts {ours:.1f} ms, generated models {models:.1f} ms",
    )


def cli(env: dict[str, str], rounds: int, warmups: int) -> None:
    times = round_robin(CLI_COMMANDS, env, rounds, warmups)
    bare, click_only, check = list(CLI_COMMANDS)
    print(f"\ncontracts check, {rounds} round-robin rounds of fresh processes (median ms)")
    for name in CLI_COMMANDS:
        cpu = statistics.median(t[1] for t in times[name])
        wall = statistics.median(t[0] for t in times[name])
        print(f"  {name:58} CPU {cpu:6.1f}  wall {wall:6.1f}")
    check_ms = statistics.median(t[1] for t in times[check])
    for figure_id, base in (
        ("cli-check-bundled", bare),
        ("cli-check-bundled-vs-click", click_only),
    ):
        per_round = ratios(times, check, base, 1)
        base_ms = statistics.median(t[1] for t in times[base])
        record(
            figure_id,
            benchmark="bench_cold_start",
            figure=f"contracts check on the bundled catalog, process CPU ratio to {base}",
            value=statistics.median(per_round),
            unit=f"x {base}",
            target=None,
            inputs={
                "catalog": "bundled: 9 subjects, 19 versions",
                "processes": f"{rounds} rounds x 3 commands, round-robin, bytecode cached",
            },
            detail=f"CPU {check_ms:.0f} vs {base_ms:.0f} ms (p10..p90 {spread(per_round)})",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cli-rounds", type=int, default=15)
    parser.add_argument("--warmups", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        env = prepare(Path(tmp))
        cold_start(env, args.rounds, args.warmups)
        if args.cli_rounds:
            cli(env, args.cli_rounds, args.warmups)


def staged(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", STAGES], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


if __name__ == "__main__":
    main()
