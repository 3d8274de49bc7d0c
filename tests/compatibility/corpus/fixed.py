"""6. Fixed: name and size must match; no promotion to or from bytes."""

from __future__ import annotations

from ._builders import NS, fixed, fld, reading
from ._model import Case

CASES: list[Case] = [
    Case(
        "fixed-identical",
        fixed("Mac", 6, namespace=NS),
        fixed("Mac", 6, namespace=NS),
        True,
        True,
        "Same name and size resolve.",
    ),
    Case(
        "fixed-size-grows",
        fixed("Mac", 6, namespace=NS),
        fixed("Mac", 8, namespace=NS),
        False,
        False,
        "Fixed sizes must be equal in both directions.",
    ),
    Case(
        "fixed-size-shrinks",
        reading(fld("mac", fixed("Mac", 8))),
        reading(fld("mac", fixed("Mac", 6))),
        False,
        False,
        "A size change inside a record field is a FIXED_SIZE_MISMATCH.",
    ),
    Case(
        "fixed-to-bytes",
        reading(fld("mac", fixed("Mac", 6))),
        reading(fld("mac", "bytes")),
        False,
        False,
        "fixed does not promote to bytes or back.",
    ),
    Case(
        "fixed-namespace-change",
        fixed("Mac", 6, namespace=NS),
        fixed("Mac", 6, namespace="com.acme.net"),
        True,
        True,
        "Fixed names compare unqualified, like records.",
    ),
]
