"""What data-contract rules cost at run time: nothing when off, one CEL_FIELD rule when on.

Inputs: the catalog's latest telemetry model (v3, whose version carries one CEL_FIELD rule,
``battery_mv_in_range``, WRITEREAD) and 256 deterministic messages of it (battery_mv within the
rule's range), framed with the model's own schema. Figures:

* ``rules-off-decode`` / ``rules-off-encode``: ``Deserializer.decode`` and ``Serializer.encode``
  built with rules off, against the same calls before rules existed: the methods' bodies as they
  were, run on the same state (read plans, prepared headers), in the same process. Throughput
  ratio, target >= 0.97 (within noise of 1.0: off, a message does no extra work);
* ``rules-off-import``: a fresh interpreter importing the serde and the telemetry model and
  building a deserializer with rules off, in ms above ``import fastavro, pydantic``; and the
  modules of the rules machinery, CEL and JSONata it loaded (must be none). No target: the
  cold-start benchmark owns the target; this row shows rules add nothing to it;
* ``rules-on-decode`` / ``rules-on-encode``: the same calls with rules on (the CEL_FIELD rule
  evaluated on every primitive field of every message), throughput ratio against rules off.
  Informational: the price of opting in (measured on the first 32 messages: a message costs
  milliseconds with the rule on).

Cases run interleaved (the starting case rotates each round), each sample after
``gc.collect()``, timed in process CPU time; each figure is the median of per-round ratios.

Run: ``python benchmarks/bench_rules.py [--rounds 15] [--sample-seconds 0.04] [--imports 7]``
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _serde_common import SAMPLES, message_types
from _summary import record
from devicecontracts._runtime.wire import HEADER_SIZE, schema_id_of
from devicecontracts.errors import DecodeError
from devicecontracts.serde import (
    _WRITE_OPTIONS,
    Deserializer,
    Release,
    SchemaIds,
    Serializer,
    WriterSchemas,
    _write,
    _write_data,
)

BENCHMARK = "bench_rules"
ROOT = Path(__file__).resolve().parent.parent
SCHEMA_ID = 1
Case = Callable[[], object]
OFF_TARGET = ">= 0.97"
ON_SAMPLES = 32
RULES_MODULES = (
    "devicecontracts._runtime.rules",
    "devicecontracts.datacontracts._eval",
    "celpy",
    "jsonata",
)


def decode_before(deserializer: Deserializer[Any]) -> Callable[[bytes], Any]:
    """``Deserializer.decode`` as it was before rules, on ``deserializer``'s state."""
    plans = deserializer._plans
    make = deserializer._plan

    def decode(
        data: bytes,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> Any:
        schema_id = None
        try:
            if len(data) >= HEADER_SIZE and not data[0]:
                schema_id = int.from_bytes(data[1:HEADER_SIZE], "big")
            else:
                schema_id = schema_id_of(data)
            plan = plans.get(schema_id)
            if plan is None:
                plan = make(schema_id)
            if isinstance(plan, DecodeError):
                raise plan
            return plan.decode(data)
        except DecodeError as exc:
            raise exc.at(
                topic=topic, partition=partition, offset=offset, schema_id=schema_id
            ) from None

    return decode


def encode_before(serializer: Serializer) -> Callable[[Any], bytes]:
    """``Serializer.encode`` as it was before rules, on ``serializer``'s state."""
    headers = serializer._headers
    prepare = serializer._prepare

    def encode(message: Any) -> bytes:
        prepared = headers.get(type(message))
        if prepared is None:
            prepared = prepare(type(message))
        prefix, schema, named = prepared
        if _write_data is not None:
            out = bytearray(prefix)
            _write_data(out, message.to_avro_dict(), schema, named, "", _WRITE_OPTIONS)
            return bytes(out)
        return _write(prefix, schema, message)

    return encode


def primitive_fields(message: Any) -> int:
    """How many primitive values a message holds (what a CEL_FIELD rule visits)."""

    def count(value: Any) -> int:
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        if isinstance(value, tuple):  # a union's (branch name, value)
            return count(value[1])
        if isinstance(value, list):
            return sum(count(v) for v in value)
        return 1

    return count(message.to_avro_dict())


def loop(call: Callable[[Any], Any], items: list[Any]) -> Case:
    def run() -> None:
        for item in items:
            call(item)

    return run


def sample(run: Case, loops: int) -> float:
    gc.collect()
    start = time.process_time()
    for _ in range(loops):
        run()
    return time.process_time() - start


def measure(
    cases: dict[str, tuple[Case, int]], rounds: int, sample_seconds: float
) -> dict[str, list[float]]:
    """CPU seconds per message of each case (a loop and its message count), one sample per
    round, cases interleaved."""
    gc.collect()
    gc.freeze()
    loops = {}
    for name, (run, _) in cases.items():
        run()
        loops[name] = max(1, round(sample_seconds / max(sample(run, 1), 1e-6)))
    seconds: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            run, count = cases[name]
            seconds[name].append(sample(run, loops[name]) / (loops[name] * count))
    return seconds


def ratio(baseline: list[float], case: list[float]) -> tuple[float, float, float]:
    ratios = [b / c for b, c in zip(baseline, case, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


IMPORT = """
import time
start = time.perf_counter()
{statement}
elapsed = time.perf_counter() - start
import json, sys
print(json.dumps({{"ms": elapsed * 1000, "modules": sorted(sys.modules)}}))
"""
BASELINE = "import fastavro, pydantic"
CONSUMER = (
    "import fastavro, pydantic\n"
    "from devicecontracts.serde import Deserializer, WriterSchemas\n"
    "from devicecontracts.models import Telemetry\n"
    "Deserializer(Telemetry, schemas=WriterSchemas(models_package=None))"
)


def import_run(statement: str, rules: str, cache: str) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPYCACHEPREFIX=cache, DEVICECONTRACTS_RULES=rules)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the warm-ups write the cache, as a wheel has one
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", IMPORT.format(statement=statement)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def imports(runs: int) -> dict[str, Any]:
    """Median ms of the baseline, the consumer with rules off and with rules on; the rules
    modules each loaded."""
    import tempfile

    rows = {"baseline": (BASELINE, "0"), "off": (CONSUMER, "0"), "on": (CONSUMER, "1")}
    with tempfile.TemporaryDirectory() as cache:
        for statement, rules in rows.values():  # warm-ups write the bytecode cache
            import_run(statement, rules, cache)
        times: dict[str, list[float]] = {name: [] for name in rows}
        loaded: dict[str, set[str]] = {}
        for r in range(runs):
            names = list(rows)
            for name in names[r % 3 :] + names[: r % 3]:
                result = import_run(*rows[name], cache)
                times[name].append(result["ms"])
                loaded[name] = set(result["modules"]) & set(RULES_MODULES)
    return {
        "ms": {name: statistics.median(t) for name, t in times.items()},
        "loaded": loaded,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sample-seconds", type=float, default=0.04)
    parser.add_argument("--imports", type=int, default=7, help="fresh interpreters per row")
    options = parser.parse_args()

    (kind,) = [k for k in message_types(config=False) if k.name == "telemetry"]
    model = kind.model
    messages = [
        m.model_copy(update={"battery_mv": 2500 + i * 7}) for i, m in enumerate(kind.messages)
    ]
    schemas = WriterSchemas(
        ids=SchemaIds("bench", {SCHEMA_ID: Release(kind.subject, 3, model.avro_fingerprint)}),
        models=[model],
        models_package=None,
    )
    off_reader = Deserializer(model, schemas=schemas, rules=False)
    on_reader = Deserializer(model, schemas=schemas, rules=True)
    off_writer = Serializer(schemas, rules=False)
    on_writer = Serializer(schemas, rules=True)
    values = [off_writer.encode(m) for m in messages]
    before_decode, before_encode = decode_before(off_reader), encode_before(off_writer)
    for value, message in zip(values, messages, strict=True):
        assert off_reader.decode(value) == on_reader.decode(value) == message
        assert before_decode(value) == message
        assert on_writer.encode(message) == before_encode(message) == value
    few_values, few_messages = values[:ON_SAMPLES], messages[:ON_SAMPLES]
    cases = {
        "decode before": (loop(before_decode, values), SAMPLES),
        "decode off": (loop(off_reader.decode, values), SAMPLES),
        "encode before": (loop(before_encode, messages), SAMPLES),
        "encode off": (loop(off_writer.encode, messages), SAMPLES),
        # With rules on a message costs milliseconds: fewer messages, the same comparison.
        "decode off (few)": (loop(off_reader.decode, few_values), ON_SAMPLES),
        "decode on": (loop(on_reader.decode, few_values), ON_SAMPLES),
        "encode off (few)": (loop(off_writer.encode, few_messages), ON_SAMPLES),
        "encode on": (loop(on_writer.encode, few_messages), ON_SAMPLES),
    }
    seconds = measure(cases, options.rounds, options.sample_seconds)
    inputs = {
        "model": f"{model.__name__} ({kind.subject} v3)",
        "rule": "battery_mv_in_range (CEL_FIELD, WRITEREAD)",
        "messages": SAMPLES,
        "rounds": options.rounds,
    }

    def us(name: str) -> str:
        return f"{statistics.median(seconds[name]) * 1e6:.2f} us"

    for what in ("decode", "encode"):
        median, low, high = ratio(seconds[f"{what} before"], seconds[f"{what} off"])
        record(
            f"rules-off-{what}",
            benchmark=BENCHMARK,
            figure=f"{what} per message, rules off, vs the same call before rules",
            value=median,
            unit="x before rules",
            target=OFF_TARGET,
            inputs=inputs,
            detail=f"off {us(f'{what} off')}, before {us(f'{what} before')} per message; "
            f"per-round ratios {low:.3f} to {high:.3f}",
        )
    for what in ("decode", "encode"):
        on, off = seconds[f"{what} on"], seconds[f"{what} off (few)"]
        extra = (statistics.median(on) - statistics.median(off)) * 1e6
        fields = sum(primitive_fields(m) for m in few_messages) / ON_SAMPLES
        median, low, high = ratio(off, on)
        record(
            f"rules-on-{what}",
            benchmark=BENCHMARK,
            figure=f"{what} per message, one CEL_FIELD rule on, vs rules off",
            value=median,
            unit="x rules off",
            target=None,
            inputs=inputs | {"messages": ON_SAMPLES, "primitive fields per message": fields},
            detail=f"on {us(f'{what} on')}, off {us(f'{what} off (few)')} per message: "
            f"+{extra:.0f} us over {fields:.0f} primitive fields: the walk over every field, its "
            "guard decided in Python, and cel-python's interpreter on the one field it picks; "
            f"per-round ratios {low:.4f} to {high:.4f}",
        )
    found = imports(options.imports)
    ms = found["ms"]
    leaked = sorted(found["loaded"]["off"])
    record(
        "rules-off-import",
        benchmark=BENCHMARK,
        figure="serde + Telemetry import and a Deserializer, rules off",
        value=ms["off"] - ms["baseline"],
        unit="ms above `import fastavro, pydantic`",
        target=None,
        inputs={"statement": "serde, models.Telemetry, Deserializer(...)", "runs": options.imports},
        detail=f"rules machinery, CEL and JSONata loaded with rules off: {leaked or 'none'}; "
        f"with rules on the same takes {ms['on'] - ms['baseline']:.1f} ms above the baseline "
        f"(loads {', '.join(sorted(found['loaded']['on'])) or 'nothing more'}); "
        f"baseline {ms['baseline']:.1f} ms",
    )
    if leaked:
        raise SystemExit(f"rules off loaded {leaked}")


if __name__ == "__main__":
    main()
