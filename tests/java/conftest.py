"""Make the compatibility corpus (tests/compatibility/corpus), the schema strategies
(tests/core/avro_strategies.py) and the jar fetcher (fetch_avro_jars.py, beside this file)
importable under any pytest import mode."""

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parent.parent
for _folder in (_TESTS / "compatibility", _TESTS / "core", _TESTS / "java"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
