"""`load_catalog` and `check_catalog` keep the cyclic garbage collector out of their work and
give it back as they found it: on return and when they raise, enabled or disabled before."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.check import check_catalog
from devicecontracts.errors import CatalogError

from ..support.catalogs import field, make_catalog, message_toml, record


@pytest.fixture
def restore_gc() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_catalog(
        tmp_path / "cat",
        message_toml("reading"),
        {"reading": [record("Reading", [field("id", "string")])]},
    )


def _set(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()


@pytest.mark.parametrize("initially", [True, False])
def test_load_pauses_the_collector_and_restores_it(
    restore_gc: None, small: Path, initially: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the versions are parsed the collector is off; after loading it is as it was."""
    from devicecontracts.catalog import _load

    seen: list[bool] = []
    parse = _load.parse_versions

    def spy(catalog: Catalog) -> None:
        seen.append(gc.isenabled())
        parse(catalog)

    monkeypatch.setattr(_load, "parse_versions", spy)
    _set(initially)
    catalog = load_catalog(small)
    assert seen == [False]
    assert gc.isenabled() is initially
    assert catalog.contracts["reading"].versions[0].schema is not None


@pytest.mark.parametrize("initially", [True, False])
def test_load_restores_the_collector_when_it_raises(
    restore_gc: None, tmp_path: Path, initially: bool
) -> None:
    """A catalog that cannot be loaded raises, and the collector is as it was."""
    _set(initially)
    with pytest.raises(CatalogError):
        load_catalog(tmp_path / "missing")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "catalog.toml").write_text("[messages.x\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog(tmp_path / "bad")
    assert gc.isenabled() is initially


@pytest.mark.parametrize("initially", [True, False])
def test_check_pauses_the_collector_and_restores_it(
    restore_gc: None, small: Path, initially: bool, monkeypatch: pytest.MonkeyPatch
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
    _set(initially)
    report = check_catalog(catalog)
    assert seen == [False]
    assert gc.isenabled() is initially
    assert report.versions == 1


@pytest.mark.parametrize("initially", [True, False])
def test_check_restores_the_collector_when_it_raises(
    restore_gc: None, small: Path, initially: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception out of a rule leaves the collector as it was."""
    import devicecontracts.check as check_module

    def boom(contract: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(check_module, "wire_findings", boom)
    catalog = load_catalog(small)
    _set(initially)
    with pytest.raises(RuntimeError, match="boom"):
        check_catalog(catalog)
    assert gc.isenabled() is initially


def test_load_and_check_leave_no_cyclic_garbage(restore_gc: None, tmp_path: Path) -> None:
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
