"""`Finding` is slotted (half a million of them in an undocumented catalog's check) and keeps
its dataclass behaviour: equality, hashing, `dataclasses.replace`, pickling, copying."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from devicecontracts.errors import Location
from devicecontracts.findings import Finding, Severity, make

FINDING = make(
    "missing-doc",
    "field 'x' of a.B has no doc",
    location=Location("s/a/v1.avsc", "a-value", 1, "/fields/0", 3, 5),
    previous_version=None,
)


def test_finding_has_no_instance_dict() -> None:
    assert not hasattr(FINDING, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        FINDING.rule = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "clone",
    [
        lambda f: pickle.loads(pickle.dumps(f)),
        copy.copy,
        copy.deepcopy,
        dataclasses.replace,
        lambda f: Finding(**dataclasses.asdict(f) | {"location": f.location}),
    ],
)
def test_finding_survives_copies_equal_and_hashing_alike(clone: object) -> None:
    other = clone(FINDING)  # type: ignore[operator]
    assert other == FINDING and hash(other) == hash(FINDING)
    assert other.line == 3 and other.column == 5 and other.subject == "a-value"


def test_with_severity_changes_the_severity_only() -> None:
    error = FINDING.with_severity(Severity.ERROR)
    assert error.severity is Severity.ERROR
    assert dataclasses.replace(error, severity=Severity.WARNING) == FINDING
