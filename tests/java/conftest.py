"""Make the compatibility corpus (tests/compatibility/corpus) and the schema strategies
(tests/core/avro_strategies.py) importable under any pytest import mode."""

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parent.parent
for _folder in (_TESTS / "compatibility", _TESTS / "core"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
