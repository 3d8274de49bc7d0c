"""Example messages on the site: plain text made elsewhere, shown as it is.

The docs package draws nothing itself (it imports no hypothesis, testing or runtime code):
``contracts docs`` has `devicecontracts.testing` draw one example per version and hands them to
`devicecontracts.docs.site.build_site` as a mapping of ``(contract name, version)`` to
`Example`. Without the ``testing`` extra there is no mapping, and the pages say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

__all__ = ["Example", "Examples"]


@dataclass(frozen=True)
class Example:
    """One version's example message, as two JSON texts ready to show.

    ``avro_json``: the value in the Avro specification's JSON encoding (a union value as
    ``{"branch": value}``, bytes and fixed as ISO-8859-1 text, logical types as their underlying
    type: a timestamp-millis as a number of milliseconds). ``device_json``: the same value as a
    device sends it as JSON to `devicecontracts.bridge` (unions as the plain value, timestamps as
    ISO 8601 text, decimals as text, bytes as base64), or None where that form is not shown.
    """

    avro_json: str
    device_json: str | None = None


Examples: TypeAlias = Mapping[tuple[str, int], Example]
"""Examples by contract name and version number."""
