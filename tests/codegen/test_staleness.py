"""``contracts check`` fails on stale models, and only for the catalog they came from."""

from __future__ import annotations

import json
import runpy
import shutil
from pathlib import Path

import pytest

from devicecontracts.catalog import load_catalog
from devicecontracts.check import check_catalog, staleness
from devicecontracts.findings import RULES, Severity

from ..support.codegen import ROOT, write_package


@pytest.fixture
def generated(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the bundled catalog and models generated from it: (catalog, models)."""
    catalog = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", catalog)
    models = tmp_path / "pkg" / "models"
    write_package(catalog, models, "pkg.models")
    return catalog, models


def _edit(path: Path, change: dict[str, object]) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema.update(change)
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")


def test_fresh_models_are_not_stale(generated: tuple[Path, Path]) -> None:
    """Models generated from a catalog match it."""
    catalog, models = generated
    assert (
        staleness.stale_model_findings(load_catalog(catalog), staleness.read_models(models)) == []
    )


def test_a_changed_schema_makes_its_model_stale(generated: tuple[Path, Path]) -> None:
    """A new field changes the fingerprint: the version's model is reported, with the
    command that regenerates it."""
    catalog, models = generated
    path = catalog / "heartbeat" / "v2.avsc"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "extra", "type": ["null", "int"], "default": None})
    path.write_text(json.dumps(schema), encoding="utf-8")
    [finding] = staleness.stale_model_findings(load_catalog(catalog), staleness.read_models(models))
    assert finding.rule == "stale-model"
    assert finding.severity is Severity.ERROR
    assert (finding.subject, finding.version) == ("fleet.heartbeats-value", 2)
    assert "contracts codegen" in finding.hint
    assert finding.file is not None and finding.file.endswith("heartbeat/v2.py")


def test_a_doc_change_makes_models_stale_even_with_the_same_fingerprint(
    generated: tuple[Path, Path],
) -> None:
    """Docs are in the models but not in the canonical form: an edited doc is caught too, in
    every version that inlines the edited shared type."""
    catalog, models = generated
    _edit(catalog / "device_header" / "v1.avsc", {"doc": "Edited."})
    found = staleness.stale_model_findings(load_catalog(catalog), staleness.read_models(models))
    stale = {(f.subject, f.version) for f in found}
    assert ("com.acme.fleet.common.DeviceHeader", 1) in stale
    assert ("fleet.telemetry-value", 3) in stale
    assert all("docs, defaults" in f.message for f in found)


def test_missing_and_orphaned_models_are_stale(generated: tuple[Path, Path]) -> None:
    """A version without a module, and a module whose version is gone, are both reported."""
    catalog, models = generated
    (models / "alarm" / "v1.py").unlink()
    (catalog / "telemetry" / "v3.avsc").unlink()
    messages = [
        f.message
        for f in staleness.stale_model_findings(
            load_catalog(catalog), staleness.read_models(models)
        )
    ]
    assert any("has no generated model" in m and "v1" in m for m in messages)
    assert any("telemetry/v3.py" in m and "no longer has" in m for m in messages)


def _declare(catalog: Path, table: str) -> None:
    """Replace the catalog's [models] table (the copy declares the repository's) by ``table``."""
    config = catalog / "catalog.toml"
    text = config.read_text(encoding="utf-8")
    text = text[: text.index("[models]")] if "[models]" in text else text
    config.write_text(text + table, encoding="utf-8")


def test_check_reports_stale_models_of_the_models_the_catalog_declares(
    generated: tuple[Path, Path],
) -> None:
    """declared_models reads the models package the catalog's [models] table names (its path
    relative to the catalog folder), so check_catalog reports their stale models; a catalog
    without the table, or declaring a folder without a manifest, has none to check."""
    catalog, _ = generated
    _declare(catalog, '[models]\npackage = "pkg.models"\npath = "../pkg/models"\n')
    _edit(catalog / "geo_point" / "v2.avsc", {"doc": "Edited."})
    loaded = load_catalog(catalog)
    assert loaded.models is not None and loaded.models.package == "pkg.models"
    report = check_catalog(loaded, models=staleness.declared_models(loaded))
    assert [f.subject for f in report.findings if f.rule == "stale-model"] == [
        "com.acme.fleet.common.GeoPoint"
    ]
    assert not [f for f in check_catalog(loaded).findings if f.rule == "stale-model"]
    _declare(catalog, "")
    assert staleness.declared_models(load_catalog(catalog)) is None
    # Declared where no models were generated (a copy of the catalog): nothing to check.
    _declare(catalog, '[models]\npackage = "pkg.models"\npath = "../elsewhere"\n')
    assert staleness.declared_models(load_catalog(catalog)) is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[models]\npackage = "pkg.models"\n', "needs package"),
        ('[models]\npackage = "pkg-models"\npath = "x"\n', "not a dotted Python name"),
        ('[models]\npackage = "pkg"\npath = "/abs/pkg"\n', "must be a folder relative"),
    ],
)
def test_a_malformed_models_table_is_a_catalog_error(
    generated: tuple[Path, Path], table: str, message: str
) -> None:
    """A [models] table without both keys, with a package Python cannot import or an absolute
    path is refused when the catalog loads, naming catalog.toml."""
    from devicecontracts.errors import CatalogError

    catalog, _ = generated
    _declare(catalog, table)
    with pytest.raises(CatalogError, match=message) as raised:
        load_catalog(catalog)
    assert "catalog.toml" in str(raised.value)


def test_check_catalog_reads_no_model_file(generated: tuple[Path, Path]) -> None:
    """check_catalog judges the models from the data it is given: the files may be gone."""
    catalog, models = generated
    data = staleness.read_models(models)
    shutil.rmtree(models)
    assert check_catalog(load_catalog(catalog), models=data).ok


def test_stale_models_are_found_from_the_manifest_alone(generated: tuple[Path, Path]) -> None:
    """A manifest mapping (MODULES, COMMAND) is enough data: an edited content hash in it
    makes that version's model stale."""
    catalog, models = generated
    manifest = runpy.run_path(str(models / "_manifest.py"))
    entry = manifest["MODULES"]["heartbeat/v2.py"]
    assert entry.get("content_hash", "").startswith("sha256:")
    entry["content_hash"] = "sha256:" + "0" * 64
    data = staleness.GeneratedModels.from_manifest(manifest)
    [finding] = staleness.stale_model_findings(load_catalog(catalog), data)
    assert (finding.subject, finding.version) == ("fleet.heartbeats-value", 2)
    assert "docs, defaults" in finding.message


def test_an_edited_module_constant_makes_its_model_stale(generated: tuple[Path, Path]) -> None:
    """The shell reads the constants a module embeds: a module whose AVRO_FINGERPRINT no longer
    matches its schema is stale even when the manifest still matches."""
    catalog, models = generated
    module = models / "alarm" / "v1.py"
    text = module.read_text(encoding="utf-8")
    schema = load_catalog(catalog).contracts["alarm"].versions[0].schema
    assert schema is not None and schema.fingerprint in text
    module.write_text(text.replace(schema.fingerprint, "sha256:" + "1" * 64), encoding="utf-8")
    [finding] = staleness.stale_model_findings(load_catalog(catalog), staleness.read_models(models))
    assert finding.file is not None and finding.file.endswith("alarm/v1.py")
    assert "another schema" in finding.message


def test_stale_model_is_a_documented_codegen_rule() -> None:
    """The rule is in RULES, category codegen, an error."""
    rule = RULES["stale-model"]
    assert (rule.category, rule.severity) == ("codegen", Severity.ERROR)
