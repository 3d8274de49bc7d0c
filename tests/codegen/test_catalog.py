"""The committed models of the bundled catalog: reproducible, exactly their schemas, lossless."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.schema import Record, parse_schema
from devicecontracts.types import AvroRecord

from ..support.codegen import ROOT, assert_round_trip, read_plain, same, write
from ..support.strategies import schema_values, writer_values

MODELS = ROOT / "src" / "devicecontracts" / "models"
CATALOG = load_catalog(ROOT / "schemas")
VERSIONS = [(contract.name, v.version) for contract in CATALOG.ordered() for v in contract.versions]


def _model(catalog: Catalog, contract: str, version: int) -> tuple[Any, type[AvroRecord]]:
    v = catalog.contracts[contract].versions[version - 1]
    assert v.schema is not None and isinstance(v.schema.root, Record)
    module = importlib.import_module(f"devicecontracts.models.{contract}.v{version}")
    return v, getattr(module, v.schema.root.name)


def test_generation_reproduces_the_committed_models_byte_for_byte() -> None:
    """Generating from schemas/ gives exactly the files in src/devicecontracts/models."""
    from codegen import DEFAULT_CATALOG, DEFAULT_OUT, DEFAULT_PACKAGE, diff, generate

    files = generate(DEFAULT_CATALOG, DEFAULT_OUT, DEFAULT_PACKAGE)
    assert not diff(files, DEFAULT_OUT).describe()


def test_check_command_passes_on_the_committed_models() -> None:
    """``python -m codegen --check`` (what CI runs) exits 0 on a clean checkout."""
    result = subprocess.run(
        [sys.executable, "-m", "codegen", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


@pytest.mark.parametrize(("contract", "version"), VERSIONS)
def test_model_schema_is_the_source_schema(catalog: Catalog, contract: str, version: int) -> None:
    """Each model's embedded schema has its source's Parsing Canonical Form and fingerprint."""
    v, model = _model(catalog, contract, version)
    embedded = parse_schema(model.avro_schema_json)
    assert embedded.canonical_form == v.schema.canonical_form
    assert model.avro_fingerprint == v.schema.fingerprint
    module = sys.modules[model.__module__]
    assert v.schema.fingerprint == module.AVRO_FINGERPRINT
    assert json.loads(model.avro_schema_json) == v.schema.to_json()


@pytest.mark.parametrize(("contract", "version"), VERSIONS)
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_model_round_trips_through_avro_bytes(
    contract: str, version: int, data: st.DataObject
) -> None:
    """Model -> Avro bytes (fastavro, the model's schema) -> model is the identity, for
    generated values with int/long bounds, float32 extremes, NaN, empty collections, every
    union branch and non-ASCII text."""
    v, model = _model(CATALOG, contract, version)
    datum = data.draw(st.one_of(schema_values(v.schema.root), writer_values(v.schema.root)))
    first = assert_round_trip(model, datum)
    # The catalog's unions are all ["null", T]: fastavro's default reader output (no branch
    # names, as Confluent's AvroDeserializer returns it) builds the same model.
    assert same(model.from_avro_dict(read_plain(model, write(model, datum))), first)


def test_latest_version_is_reexported_per_message_and_by_the_package() -> None:
    """``models.telemetry`` and ``models`` give the latest version's classes, lazily."""
    import devicecontracts.models as models
    from devicecontracts.models import telemetry
    from devicecontracts.models.telemetry import v3

    assert telemetry.Telemetry is v3.Telemetry
    assert models.Telemetry is v3.Telemetry
    assert models.telemetry is telemetry
    assert "Telemetry" in dir(models)
    with pytest.raises(AttributeError):
        models.NoSuchModel  # noqa: B018


def test_message_versions_reuse_the_pinned_shared_type_modules() -> None:
    """A message version uses the class of the shared-type version its lock entry pins."""
    from devicecontracts.models.device_header.v1 import DeviceHeader
    from devicecontracts.models.geo_point import v1 as geo_v1
    from devicecontracts.models.geo_point import v2 as geo_v2
    from devicecontracts.models.telemetry import v3

    assert v3.DeviceHeader is DeviceHeader
    assert v3.GeoPoint is geo_v1.GeoPoint
    assert v3.GeoPoint is not geo_v2.GeoPoint
    assert v3.Telemetry.model_fields["location"].annotation == geo_v1.GeoPoint | None


def test_importing_the_models_pulls_in_no_cli_test_or_registry_code() -> None:
    """``import devicecontracts.models`` and every model module import no click, hypothesis,
    registry client or avro."""
    script = (
        "import sys, importlib, devicecontracts.models as m\n"
        f"for path in {sorted(str(p.relative_to(MODELS)) for p in MODELS.rglob('v*.py'))!r}:\n"
        "    importlib.import_module('devicecontracts.models.' + path[:-3].replace('/', '.'))\n"
        "m.Telemetry\n"
        "bad = ('click', 'hypothesis', 'confluent_kafka', 'avro', 'devicecontracts.cli')\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in bad or n in bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path("/")
    )
    assert result.stdout.strip() == "[]"


def test_stale_model_check_is_clean_on_the_committed_models(catalog: Catalog) -> None:
    """``contracts check`` finds no stale model in the repository as committed."""
    from devicecontracts.check.staleness import declared_models, stale_model_findings

    models = declared_models(catalog)
    assert models is not None
    assert stale_model_findings(catalog, models) == []


def _header() -> Any:
    import datetime as dt
    import uuid

    # The version the released messages reference, not the latest shared version.
    from devicecontracts.models.device_header.v1 import DeviceHeader

    return DeviceHeader(
        device_id="d",
        message_id=uuid.UUID(int=3),
        sent_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        firmware_version="1",
        sequence=1,
    )


def test_old_versions_read_into_the_latest_model_with_typed_defaults() -> None:
    """Bytes written with telemetry v1 read into the v3 model through schema resolution: the
    fields v1 lacks get the model's defaults (not fastavro's raw JSON ones)."""

    from devicecontracts.models.telemetry import v1, v3

    header = _header()
    old = v1.Telemetry(header=header)
    new = v3.Telemetry.from_avro_bytes(
        old.to_avro_bytes(), writer_schema=v1.Telemetry.avro_schema()
    )
    assert new == v3.Telemetry(header=header)


def test_symbols_unknown_to_an_old_model_read_as_the_enum_default() -> None:
    """An alarm v3 severity that alarm v2 does not know reads as v2's enum default, UNKNOWN."""
    import datetime as dt
    import uuid

    from devicecontracts.models.alarm import v2, v3

    header = _header()
    alarm = v3.Alarm(
        header=header,
        alarm_id=uuid.UUID(int=4),
        severity=v3.AlarmSeverity.MINOR,
        code="X",
        raised_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    old = v2.Alarm.from_avro_bytes(alarm.to_avro_bytes(), writer_schema=v3.Alarm.avro_schema())
    assert old.severity is v2.AlarmSeverity.UNKNOWN is v2.AlarmSeverity.avro_default()
