"""`check_catalog` lists findings by subject, version, then rule (rules `RULES` does not know
last), in the order found otherwise: the grouped sort is that one stable sort."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.check import _sorted
from devicecontracts.errors import Location
from devicecontracts.findings import RULES, Finding, Severity

_findings = st.builds(
    lambda rule, subject, version, n: Finding(
        rule, Severity.WARNING, f"#{n}", location=Location(subject=subject, version=version)
    ),
    st.sampled_from(["missing-doc", "incompatible", "zz-unknown", "aa-unknown", "waiver-unused"]),
    st.sampled_from([None, "", "a-value", "b-value"]),
    st.sampled_from([None, 0, 1, 2, 10]),
    st.integers(0, 10**6),
)


@given(st.lists(_findings, max_size=60))
def test_grouped_sort_is_the_one_stable_sort(found: list[Finding]) -> None:
    def order(f: Finding) -> tuple[str, int, bool, str]:
        w = f.location
        return (w.subject or "", w.version or 0, f.rule not in RULES, f.rule)

    assert _sorted(found) == sorted(found, key=order)
    assert [id(f) for f in _sorted(found)] == [id(f) for f in sorted(found, key=order)]
