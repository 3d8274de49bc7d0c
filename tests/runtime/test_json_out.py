"""JSON the next service can read: every model's ``model_dump_json()`` is RFC 8259 JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.models.geo_point.v2 import GeoPoint
from devicecontracts.testing import from_model

from ..support.models import Version, all_versions
from .conftest import RUNTIME

VERSIONS_ = list(all_versions())
IDS = [f"{v.contract}-v{v.number}" for v in VERSIONS_]


def strict_loads(text: str) -> Any:
    """``json.loads`` refusing what RFC 8259 does not allow: NaN, Infinity, -Infinity."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON (RFC 8259)")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("version", VERSIONS_, ids=IDS)
@RUNTIME
@given(data=st.data())
def test_every_message_dumps_to_strict_json_that_reads_back(
    version: Version, data: st.DataObject
) -> None:
    """Any message of any model (NaN and infinities included) dumps to JSON a strict parser
    accepts, and validating that JSON gives the same message back."""
    message = data.draw(from_model(version.model))
    text = message.model_dump_json()
    strict_loads(text)
    assert version.model.model_validate_json(text).model_dump_json() == text


@pytest.mark.parametrize(
    ("value", "written"),
    [(float("nan"), "NaN"), (float("inf"), "Infinity"), (float("-inf"), "-Infinity")],
)
def test_non_finite_floats_are_written_as_strings(value: float, written: str) -> None:
    """NaN and the infinities become the JSON strings "NaN", "Infinity" and "-Infinity" (the
    proto3 JSON mapping's spelling), keeping the value a null would lose."""
    message = GeoPoint(latitude=value, longitude=2.0, accuracy_m=value)
    assert strict_loads(message.model_dump_json())["latitude"] == written
    assert strict_loads(message.model_dump_json())["accuracy_m"] == written
    assert repr(GeoPoint.model_validate_json(message.model_dump_json())) == repr(message)
