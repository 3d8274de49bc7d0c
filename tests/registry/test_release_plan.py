"""`plan_release` on its own: what register would do, given what a registry holds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.catalog import load_catalog
from devicecontracts.registry.release import (
    RegistryFacts,
    RegistryMatch,
    SubjectFacts,
    VersionAction,
    drift_findings,
    plan_release,
    registry_references,
    release_findings,
)
from devicecontracts.schema.compatibility import CompatibilityLevel

from ..support.registry import POINT_SUBJECT, READING_SUBJECT, optional, point, small_catalog

L = CompatibilityLevel


def facts(**subjects: SubjectFacts) -> RegistryFacts:
    """Registry facts with the given subjects (keyed by contract name here for brevity)."""
    names = {"point": POINT_SUBJECT, "reading": READING_SUBJECT}
    return RegistryFacts("http://registry", L.BACKWARD, {names[k]: v for k, v in subjects.items()})


def held(subject: str, *versions: tuple[int, int], level: L | None = None) -> SubjectFacts:
    """A subject whose catalog versions 1..n match registry (version, id) pairs in order."""
    matches = {n: RegistryMatch(r, i) for n, (r, i) in enumerate(versions, start=1)}
    return SubjectFacts(subject, tuple(r for r, _ in versions), (), level, matches)


def actions(plan, subject: str) -> list[str]:
    """The action of each version of ``subject`` in ``plan``."""
    sp = next(sp for sp in plan.subjects if sp.subject == subject)
    return [vp.action.value for vp in sp.versions]


def test_new_subjects_register_every_version_and_set_their_level(tmp_path: Path):
    """Nothing registered: every version is pending, shared types first, every level set."""
    catalog = load_catalog(small_catalog(tmp_path / "c", points=[point(), point(optional("y"))]))
    plan = plan_release(catalog, facts(), "default")
    assert [sp.subject for sp in plan.subjects] == [POINT_SUBJECT, READING_SUBJECT]
    assert [sp.status for sp in plan.subjects] == ["new subject", "new subject"]
    assert [(sp.subject, vp.number) for sp, vp in plan.pending] == [
        (POINT_SUBJECT, 1),
        (POINT_SUBJECT, 2),
        (READING_SUBJECT, 1),
    ]
    assert {sp.subject for sp in plan.level_changes} == {POINT_SUBJECT, READING_SUBJECT}


def test_registered_history_with_new_versions(tmp_path: Path):
    """A matching history and a later file: only the later file is pending."""
    catalog = load_catalog(small_catalog(tmp_path / "c", points=[point(), point(optional("y"))]))
    plan = plan_release(
        catalog,
        facts(
            point=held(POINT_SUBJECT, (1, 1), level=L.FULL_TRANSITIVE),
            reading=held(READING_SUBJECT, (1, 2), level=L.BACKWARD_TRANSITIVE),
        ),
        "default",
    )
    assert actions(plan, POINT_SUBJECT) == ["registered", "register"]
    assert plan.subjects[0].status == "new versions"
    assert plan.subjects[1].status == "already registered"
    assert plan.level_changes == []


def test_identical_to_an_older_version_is_not_pending(tmp_path: Path):
    """A new file identical to an older one is a no-op with a warning, not a registration."""
    catalog = load_catalog(
        small_catalog(tmp_path / "c", points=[point(), point(optional("y")), point()])
    )
    f = facts(
        point=SubjectFacts(
            POINT_SUBJECT,
            (1, 2),
            (),
            L.FULL_TRANSITIVE,
            {1: RegistryMatch(1, 1), 2: RegistryMatch(2, 5), 3: RegistryMatch(1, 1)},
        )
    )
    plan = plan_release(catalog, f, "default")
    assert actions(plan, POINT_SUBJECT) == ["registered", "registered", "identical-to-older"]
    rules = [x.rule for x in release_findings(plan, {})]
    assert rules == ["registry-identical-to-older"]


def test_identical_pending_versions_are_caught_before_the_registry_sees_them(tmp_path: Path):
    """Two unregistered files with the same schema: the second is a no-op too."""
    catalog = load_catalog(
        small_catalog(tmp_path / "c", points=[point(), point(optional("y")), point()])
    )
    plan = plan_release(catalog, facts(), "default")
    assert actions(plan, POINT_SUBJECT) == ["register", "register", "identical-to-older"]


def test_gap_in_the_registered_history_is_out_of_order(tmp_path: Path):
    """v1 unregistered but v2 registered: v1 cannot be inserted before it (an error)."""
    catalog = load_catalog(small_catalog(tmp_path / "c", points=[point(), point(optional("y"))]))
    f = facts(point=SubjectFacts(POINT_SUBJECT, (1,), (), None, {2: RegistryMatch(1, 7)}))
    plan = plan_release(catalog, f, "default")
    assert actions(plan, POINT_SUBJECT) == ["out-of-order", "registered"]
    assert plan.subjects[0].status == "drift"
    assert [x.rule for x in release_findings(plan, {})] == ["registry-out-of-order"]


def test_registry_versions_the_catalog_lacks_are_drift(tmp_path: Path):
    """Live registry versions no catalog version matches are errors, with their ids."""
    catalog = load_catalog(small_catalog(tmp_path / "c"))
    f = facts(
        point=SubjectFacts(
            POINT_SUBJECT, (1, 2), (), L.FULL_TRANSITIVE, {1: RegistryMatch(1, 1)}, {2: 9}
        )
    )
    plan = plan_release(catalog, f, "default")
    assert plan.subjects[0].extra == (2,)
    [finding] = release_findings(plan, {})
    assert finding.rule == "registry-extra-version" and "version 2 (id 9)" in finding.message


def test_level_drift_only_matters_to_check(tmp_path: Path):
    """A different level is an action for register and an error for check --registry."""
    catalog = load_catalog(small_catalog(tmp_path / "c"))
    f = facts(
        point=held(POINT_SUBJECT, (1, 1), level=L.BACKWARD),
        reading=held(READING_SUBJECT, (1, 2), level=L.BACKWARD_TRANSITIVE),
    )
    plan = plan_release(catalog, f, "default")
    assert [sp.subject for sp in plan.level_changes] == [POINT_SUBJECT]
    assert release_findings(plan, {}) == []
    assert [x.rule for x in drift_findings(plan, {})] == ["registry-level-drift"]


def test_changed_ids_are_errors_for_check_and_warnings_for_register(tmp_path: Path):
    """The lock's id differing from the registry's: check fails; register records the new one."""
    catalog = load_catalog(small_catalog(tmp_path / "c"))
    f = facts(
        point=held(POINT_SUBJECT, (1, 1), level=L.FULL_TRANSITIVE),
        reading=held(READING_SUBJECT, (1, 2), level=L.BACKWARD_TRANSITIVE),
    )
    plan = plan_release(catalog, f, "prod")
    recorded = {(POINT_SUBJECT, 1): 41}
    [check] = drift_findings(plan, recorded)
    [register] = release_findings(plan, recorded)
    assert check.rule == register.rule == "registry-id-changed"
    assert (check.severity.value, register.severity.value) == ("error", "warning")


def test_references_are_pinned_to_registry_version_numbers(tmp_path: Path):
    """A reference to catalog v2 of a shared type becomes its registry version number, and
    stays unresolved while that version is not registered."""
    catalog = load_catalog(small_catalog(tmp_path / "c", points=[point(), point(optional("y"))]))
    v = catalog.contracts["reading"].versions[0]
    assert [(r.subject, r.version) for r in v.references] == [(POINT_SUBJECT, 2)]
    assert registry_references(v, {(POINT_SUBJECT, 1): 1}) is None
    pinned = registry_references(v, {(POINT_SUBJECT, 2): 5})
    assert pinned is not None and [(r.subject, r.version) for r in pinned] == [(POINT_SUBJECT, 5)]


def test_recording_an_id_releases_the_version_and_is_idempotent(tmp_path: Path):
    """Recording an id adds the lock entry once; recording the same id again changes nothing."""
    catalog = load_catalog(small_catalog(tmp_path / "c"))
    v = catalog.contracts["point"].versions[0]
    assert catalog.lock.record_id(POINT_SUBJECT, v, "prod", 3) is True
    assert catalog.lock.entry(POINT_SUBJECT, 1).ids == {"prod": 3}
    assert catalog.lock.record_id(POINT_SUBJECT, v, "prod", 3) is False
    assert catalog.lock.record_id(POINT_SUBJECT, v, "dev", 8) is True
    assert catalog.lock.entry(POINT_SUBJECT, 1).ids == {"prod": 3, "dev": 8}
    assert catalog.lock.ids("dev") == {(POINT_SUBJECT, 1): 8}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(1, 6)), min_size=1, max_size=6))
def test_plan_invariants_for_any_registry_history(tmp_path_factory, matched):
    """Whatever the registry matched: registered versions have increasing registry numbers,
    pending ones come after every registered one, and each live registry version is either
    matched or reported as extra."""
    root = tmp_path_factory.mktemp("c")
    points = [point(*[optional(f"f{i}") for i in range(n)]) for n in range(len(matched))]
    catalog = load_catalog(small_catalog(root, points=points, readings=[]))
    live = tuple(sorted({m for m in matched if m is not None} | {3}))
    matches = {n: RegistryMatch(m, 100 + m) for n, m in enumerate(matched, 1) if m is not None}
    plan = plan_release(
        catalog, facts(point=SubjectFacts(POINT_SUBJECT, live, (), None, matches)), "default"
    )
    sp = plan.subjects[0]
    numbers = [vp.match.version for vp in sp.versions if vp.action is VersionAction.REGISTERED]
    assert numbers == sorted(set(numbers))
    registered_at = [i for i, vp in enumerate(sp.versions) if vp.action is VersionAction.REGISTERED]
    pending_at = [i for i, vp in enumerate(sp.versions) if vp.action is VersionAction.REGISTER]
    assert not registered_at or not pending_at or min(pending_at) > max(registered_at)
    accounted = {vp.match.version for vp in sp.versions if vp.match} | set(sp.extra)
    assert set(live) <= accounted
