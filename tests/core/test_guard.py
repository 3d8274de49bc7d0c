"""The one reader of CEL_FIELD guards (`datacontracts._guard`): what it reads, what it leaves
to CEL, and that a guard it decides in Python is decided exactly as CEL decides it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.datacontracts._guard import Comparison, read_guard

pytest.importorskip("celpy")

VARIABLES = ("name", "fullName", "typeName")

# String literals as a guard writes them: spaces, the other kind of quote, unicode, operators
# inside the literal. Not read (left to CEL): backslashes and line breaks.
_text = st.text(
    st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\\\n\r'\""
    ),  # quotes added below
    max_size=8,
)
_literal = st.one_of(
    st.sampled_from(("battery_mv", "NULL", "INT", "com.acme.Reading.battery_mv", "", " ")),
    _text,
    st.tuples(_text, st.sampled_from(("'", '"')), _text).map("".join),
)


@st.composite
def _terms(draw: st.DrawFn) -> list[tuple[str, str, str, str]]:
    """(variable, operator, literal, quote) comparisons; the quote is one the literal lacks."""
    out = []
    for _ in range(draw(st.integers(1, 4))):
        literal = draw(_literal)
        quotes = [q for q in ("'", '"') if q not in literal]
        out.append(
            (
                draw(st.sampled_from(VARIABLES)),
                draw(st.sampled_from(("==", "!="))),
                literal,
                draw(st.sampled_from(quotes)),
            )
        )
    return out


_space = st.sampled_from(("", " ", "  ", "\t", "\n"))


def _comparison_text(term: tuple[str, str, str, str], flipped: bool, space: str) -> str:
    variable, operator, literal, quote = term
    quoted = f"{quote}{literal}{quote}"
    left, right = (quoted, variable) if flipped else (variable, quoted)
    return f"{left}{space}{operator}{space}{right}"


@st.composite
def _guards(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, str, str]]]:
    terms = draw(_terms())
    parts = [_comparison_text(t, draw(st.booleans()), draw(_space)) for t in terms]
    return f"{draw(_space)}&&{draw(_space)}".join(parts) + draw(_space), terms


def _cel_holds(guard: str, name: str, full_name: str, type_name: str) -> bool:
    from devicecontracts.datacontracts import _eval

    args = {"name": name, "fullName": full_name, "typeName": type_name}
    return bool(_eval._holds(guard, {k: _eval.to_cel(v) for k, v in args.items()}))


@given(guard=_guards(), data=st.data())
def test_an_understood_guard_is_decided_as_cel_decides_it(
    guard: tuple[str, list[tuple[str, str, str, str]]], data: st.DataObject
) -> None:
    text, terms = guard
    read = read_guard(text)
    assert read.understood and read.conjunction
    expected = [Comparison(v, "==" if op == "==" else "!=", lit) for v, op, lit, _ in terms]
    assert read.comparisons == tuple(expected)
    predicate = read.predicate()
    assert predicate is not None
    # values the guard names (so that == holds sometimes) and any others
    used = [lit for _, _, lit, _ in terms]
    value = st.one_of(st.sampled_from(used), _literal)
    name, full_name, type_name = data.draw(st.tuples(value, value, value))
    assert predicate(name, full_name, type_name) == _cel_holds(text, name, full_name, type_name)
    picked = [lit for v, op, lit, _ in terms if v == "name" and op == "=="]
    assert read.names() == tuple(dict.fromkeys(picked))


def _mutations(text: str, terms: list[Any]) -> st.SearchStrategy[tuple[str, bool]]:
    """Guards that are not understood, each with whether an operator binding looser than
    ``&&`` stands at its top level (then nothing of it is read)."""
    first = _comparison_text(terms[0], False, " ")
    rest = " && ".join(_comparison_text(t, False, " ") for t in terms[1:])
    tail = f" && {rest}" if rest else ""
    return st.sampled_from(
        (
            (f"{first} || {first}{tail}", True),
            (f"{text} || typeName == 'INT'", True),
            (f"!({first}){tail}", False),
            (f"!{first}{tail}", False),
            (f"({first}){tail}", False),
            (f"({text})", False),
            (f"{first} && value != null", False),
            (f"{first} && tags == 'x'", False),
            (f"message.name == 'x'{tail}", False),
            (f"size(name) == 1{tail}", False),
            (f"{first}{tail} ? true : false", True),
            (f"{first} && names == 'x'", False),
        )
    )


@given(guard=_guards(), data=st.data())
def test_anything_else_is_not_understood(
    guard: tuple[str, list[tuple[str, str, str, str]]], data: st.DataObject
) -> None:
    text, terms = guard
    mutated, loose = data.draw(_mutations(text, terms))
    read = read_guard(mutated)
    assert not read.understood
    assert read.predicate() is None
    if loose:
        assert read.comparisons == () and read.names() == ()


@pytest.mark.parametrize(
    ("guard", "names", "full_names", "null_passes", "conjunction"),
    [
        ("name == 'battery_mv' && typeName != 'NULL'", ("battery_mv",), (), True, True),
        ("'x' == name", ("x",), (), False, True),
        ('(name == "u")', ("u",), (), False, True),
        ("name == 'x' && value != null", ("x",), (), True, True),
        ("null != value && (name == 'x')", ("x",), (), True, True),
        ("fullName == 'com.acme.R.x'", (), ("com.acme.R.x",), False, True),
        ("name == 'x' && (typeName != 'NULL' && value != null)", ("x",), (), True, True),
        # a conjunct that is no comparison is still required: the names stand
        ("name == 'x' && value >= 2500", ("x",), (), False, False),
        ("name == 'x' && !(value > 1)", ("x",), (), False, False),
        ("name == 'b' && name == 'a' && name == 'b'", ("b", "a"), (), False, True),
        ("name != 'x'", (), (), False, True),
        ("name == 'a && b'", ("a && b",), (), False, True),
        # not read: a looser operator at top level, a comment, an escape, other strings
        ("name == 'a' || name == 'b'", (), (), False, False),
        ("name == 'a' && (name == 'b' || typeName != 'NULL')", ("a",), (), False, False),
        ("name == 'x' ? true : false", (), (), False, False),
        ("typeName != 'NULL' // && name == 'y'", (), (), False, False),
        ("name == 'a\\'b'", (), (), False, False),
        ("name == '''x'''", (), (), False, False),
        ("name == r'x'", (), (), False, False),
        ("name\xa0== 'x'", (), (), False, False),
        ("name == 'x", (), (), False, False),
        ("(name == 'x'", (), (), False, False),
        ("", (), (), False, False),
        ("tags", (), (), False, False),
    ],
)
def test_what_a_guard_names(
    guard: str,
    names: tuple[str, ...],
    full_names: tuple[str, ...],
    null_passes: bool,
    conjunction: bool,
) -> None:
    read = read_guard(guard)
    assert read.names() == names
    assert read.full_names() == full_names
    assert read.null_passes() is null_passes
    assert read.conjunction is conjunction


@pytest.mark.parametrize(
    "guard",
    [
        "name == 'x'",
        "fullName == 'a.B.x'",
        "typeName == 'INT'",
        "name == 'x' && typeName != 'NULL'",
        "typeName != 'NULL' && name == 'x'",
        "name != 'x' && fullName == 'a.B.y' && typeName == 'LONG'",
    ],
)
@pytest.mark.parametrize(
    "triple",
    [("x", "a.B.x", "INT"), ("x", "a.B.x", "NULL"), ("y", "a.B.y", "LONG"), ("", "", "")],
)
def test_the_specialised_predicates_agree_with_cel(
    guard: str, triple: tuple[str, str, str]
) -> None:
    predicate = read_guard(guard).predicate()
    assert predicate is not None
    assert predicate(*triple) == _cel_holds(guard, *triple)
