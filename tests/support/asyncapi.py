"""The official AsyncAPI 3.0.0 JSON Schema as a validator that never fetches.

The schema is a copy of ``schemas/3.0.0.json`` from the npm package ``@asyncapi/specs`` (see
``tests/docs/data/README.md``). It refers between its definitions by ``$id``
(``http://asyncapi.com/...``); every one is bundled in it, and the validator resolves them from
the copy alone: a reference it cannot resolve fails, it never fetches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "data" / "asyncapi-3.0.0.schema.json"


def asyncapi_validator() -> Any:
    """A draft-07 validator of the AsyncAPI 3.0.0 schema that resolves from the copy only
    (skips the test without jsonschema, which is in the dev extra)."""
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the dev extra")
    referencing = pytest.importorskip("referencing", reason="jsonschema>=4.18 brings it")
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT7

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    resources = [(schema["$id"], DRAFT7.create_resource(schema))]
    resources += [(uri, DRAFT7.create_resource(sub)) for uri, sub in schema["definitions"].items()]

    def refuse(uri: str) -> Any:
        raise NoSuchResource(ref=uri)

    registry = referencing.Registry(retrieve=refuse).with_resources(resources).crawl()
    return jsonschema.Draft7Validator(schema, registry=registry)


def asyncapi_errors(validator: Any, document: Any) -> list[str]:
    """Every place ``document`` breaks the schema, as ``path: message``."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]
