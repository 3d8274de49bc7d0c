"""A catalog with a deliberate major break, and its generated models, for the runtime's rules.

The bundled catalog plus heartbeat v3: ``uptime_s`` (seconds) becomes ``uptime_ms``
(milliseconds), a new major (2) under the ``major_version`` compatibility group, bridged by an
UPGRADE and a DOWNGRADE JSONata migration on v3, and a READ rule on v3 that ``uptime_ms`` is not
negative. Models are generated into a temporary folder as package `PACKAGE`.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from devicecontracts.codegen import apply, diff, generate
from devicecontracts.serde import Release, SchemaIds, WriterSchemas

from .models import BUNDLED

PACKAGE = "majors_models"
SUBJECT = "fleet.heartbeats-value"
IDS = {1: 501, 2: 502, 3: 503}
"""Made-up schema ids of heartbeat v1, v2 and v3."""

CONTRACT = """\
owner = "fleet-platform"
compatibility_group = "major_version"

[versions.3]
major = 2

[[rules]]
name = "uptime_not_negative"
type = "CEL"
mode = "READ"
expr = "message.uptime_ms >= 0"
from_version = 3

[[migrations]]
name = "uptime_s_to_ms"
version = 3
mode = "UPGRADE"
expr = '$merge([$sift($, function($v, $k) {$k != "uptime_s"}), {"uptime_ms": uptime_s * 1000}])'

[[migrations]]
name = "uptime_ms_to_s"
version = 3
mode = "DOWNGRADE"
expr = '''
$merge([$sift($, function($v, $k) {$k != "uptime_ms"}),
        {"uptime_s": $floor(uptime_ms / 1000)}])'''
"""


def heartbeat_v3(v2: dict[str, Any]) -> dict[str, Any]:
    """Heartbeat v3's schema from v2's: uptime_s (seconds) renamed and rescaled to uptime_ms."""
    schema = json.loads(json.dumps(v2))
    for field in schema["fields"]:
        if field["name"] == "uptime_s":
            field["name"] = "uptime_ms"
            field["doc"] = "Milliseconds since the device last booted."
    return schema


def build(root: Path) -> Path:
    """The catalog at ``root/schemas`` and its models at ``root/src/<PACKAGE>``; the src folder."""
    catalog = root / "schemas"
    shutil.copytree(BUNDLED, catalog)
    config = catalog / "catalog.toml"
    config.write_text(
        config.read_text(encoding="utf-8").split("[models]")[0]
        + f'[models]\npackage = "{PACKAGE}"\npath = "../src/{PACKAGE}"\n',
        encoding="utf-8",
    )
    heartbeat = catalog / "heartbeat"
    for later in heartbeat.glob("v*.avsc"):
        if later.stem not in ("v1", "v2"):
            later.unlink()  # this fixture's v3, whatever the bundled catalog holds
    v2 = json.loads((heartbeat / "v2.avsc").read_text(encoding="utf-8"))
    (heartbeat / "v3.avsc").write_text(json.dumps(heartbeat_v3(v2), indent=2), encoding="utf-8")
    (heartbeat / "contract.toml").write_text(CONTRACT, encoding="utf-8")
    out = root / "src" / PACKAGE
    files = generate(catalog, out, PACKAGE)
    apply(files, out, diff(files, out))
    return root / "src"


@contextmanager
def majors_models(root: Path) -> Iterator[Any]:
    """The generated package, importable while the context lasts; the heartbeat versions'
    model classes as a list (v1, v2, v3)."""
    src = str(build(root))
    sys.path.insert(0, src)
    try:
        yield [importlib.import_module(f"{PACKAGE}.heartbeat.v{n}").Heartbeat for n in (1, 2, 3)]
    finally:
        sys.path.remove(src)


def schemas(models: list[Any], **options: Any) -> WriterSchemas:
    """Writer schemas knowing the ids of heartbeat v1 to v3 (`IDS`) through the package."""
    releases = {
        IDS[n]: Release(SUBJECT, n, model.avro_fingerprint)
        for n, model in enumerate(models, start=1)
    }
    return WriterSchemas(ids=SchemaIds("test", releases), models_package=PACKAGE, **options)
