"""`load_catalog` and `check_catalog` keep the cyclic garbage collector out of their work and
give it back as they found it: on return and when they raise, enabled or disabled before."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.check import check_catalog
from devicecontracts.errors import CatalogError

from ..support.catalogs import field, make_catalog, message_toml, record


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_catalog(
        tmp_path / "cat",
        message_toml("reading"),
        {"reading": [record("Reading", [field("id", "string")])]},
    )


def test_load_pauses_the_collector_and_restores_it(
    small: Path, collector: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the versions are parsed the collector is off; after loading it is as it was."""
    from devicecontracts.catalog import _load

    seen: list[bool] = []
    parse = _load.parse_versions

    def spy(catalog: Catalog) -> None:
        seen.append(gc.isenabled())
        parse(catalog)

    monkeypatch.setattr(_load, "parse_versions", spy)
    catalog = load_catalog(small)
    assert seen == [False]
    assert gc.isenabled() is collector
    assert catalog.contracts["reading"].versions[0].schema is not None


def test_load_restores_the_collector_when_it_raises(tmp_path: Path, collector: bool) -> None:
    """A catalog that cannot be loaded raises, and the collector is as it was."""
    with pytest.raises(CatalogError):
        load_catalog(tmp_path / "missing")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "catalog.toml").write_text("[messages.x\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog(tmp_path / "bad")
    assert gc.isenabled() is collector


def test_check_pauses_the_collector_and_restores_it(
    small: Path, collector: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the rules run the collector is off; after checking it is as it was."""
    import devicecontracts.check as check_module

    seen: list[bool] = []
    wire = check_module.wire_findings

    def spy(contract: object) -> object:
        seen.append(gc.isenabled())
        return wire(contract)  # type: ignore[arg-type]

    monkeypatch.setattr(check_module, "wire_findings", spy)
    catalog = load_catalog(small)
    report = check_catalog(catalog)
    assert seen == [False]
    assert gc.isenabled() is collector
    assert report.versions == 1


def test_check_restores_the_collector_when_it_raises(
    small: Path, collector: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception out of a rule leaves the collector as it was."""
    import devicecontracts.check as check_module

    def boom(contract: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(check_module, "wire_findings", boom)
    catalog = load_catalog(small)
    with pytest.raises(RuntimeError, match="boom"):
        check_catalog(catalog)
    assert gc.isenabled() is collector


def test_load_and_check_leave_no_cyclic_garbage(tmp_path: Path) -> None:
    """With the collector paused, nothing they build is left for it: loading and checking
    make no reference cycles that become garbage (else a paused collector would let them pile
    up on a large catalog)."""
    from ..support.catalogs import copy_bundled

    root = copy_bundled(tmp_path / "schemas")
    check_catalog(load_catalog(root))  # modules imported, caches warm
    gc.collect()
    gc.disable()
    report = check_catalog(load_catalog(root))
    assert gc.collect() == 0
    assert report.versions > 0
