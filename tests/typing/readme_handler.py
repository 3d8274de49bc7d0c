"""The README's Lambda handler, checked by ``mypy --strict`` as a team would deploy it.

``tests/runtime/example_handler.py`` is the one copy: the README shows it and the end-to-end
tests run it. Importing it here puts it under ``mypy --strict codegen tests/typing`` (CI), so
the handler a team copies type-checks in their own strict project too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.runtime import example_handler

LambdaHandler = Callable[[dict[str, Any], object], dict[str, Any]]

handler: LambdaHandler = example_handler.handler
"""The handler has exactly the shape Lambda's Python runtime calls."""
