"""Warn, once per process, when a serializer writes a version the catalog deprecated.

A model generated from a catalog records its version's deprecation as a plain module constant
(codegen 1.3): ``AVRO_DEPRECATED = (since, sunset, reason)``, ISO dates and the reason, or None.
`deprecation_of` reads it once per model class; the serializer asks when it prepares a model
(once per model per serializer), so a version that is not deprecated costs nothing per message.

`warn_deprecated` issues, for each (subject, version), at most once per process: one
`DeprecatedContractWarning` through `warnings.warn` (a `UserWarning`: shown by default) and one
``logging`` warning on the ``devicecontracts.serde`` logger, both naming the subject, the
version, the sunset and the reason. Reading never warns: old data is read as long as it exists.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Final

__all__ = ["LOGGER", "Deprecated", "deprecation_of", "warn_deprecated"]

LOGGER: Final = "devicecontracts.serde"
"""The logger the once-per-process warning is logged on."""

Deprecated = tuple[str, int, str, str]
"""(subject, version, sunset, reason) of a deprecated version."""

_of: dict[type, Deprecated | None] = {}  # one entry per model class asked about
_warned: set[tuple[str, int]] = set()
_lock = threading.Lock()


def deprecation_of(model: type[Any]) -> Deprecated | None:
    """What ``model``'s module records of its version's deprecation; None when the version is
    not deprecated, or the module records nothing (hand-written, or generated before 1.3)."""
    try:
        return _of[model]
    except KeyError:
        pass
    module = sys.modules.get(model.__module__)
    declared = getattr(module, "AVRO_DEPRECATED", None)
    subject = getattr(module, "AVRO_SUBJECT", None)
    version = getattr(module, "AVRO_VERSION", None)
    found: Deprecated | None = None
    if (
        isinstance(declared, tuple)
        and len(declared) == 3
        and isinstance(subject, str)
        and isinstance(version, int)
    ):
        found = (subject, version, str(declared[1]), str(declared[2]))
    _of[model] = found
    return found


def warn_deprecated(deprecated: Deprecated, *, stacklevel: int = 2) -> bool:
    """Warn that ``deprecated`` is being written, unless this process did already; True when
    it warned."""
    subject, version, sunset, reason = deprecated
    with _lock:
        if (subject, version) in _warned:
            return False
        _warned.add((subject, version))
    import logging
    import warnings

    from devicecontracts.errors import DeprecatedContractWarning

    message = f"writing v{version} of {subject}, which is deprecated (sunset {sunset}): {reason}"
    logging.getLogger(LOGGER).warning("%s", message)
    warnings.warn(
        DeprecatedContractWarning(
            message, subject=subject, version=version, sunset=sunset, reason=reason
        ),
        stacklevel=stacklevel + 1,
    )
    return True
