"""9. Recursive types.

The checker must terminate and treat a pair under evaluation as compatible.
"""

from __future__ import annotations

from typing import Any

from ._builders import NS, array, fld, rec
from ._model import Case


def linked_list(
    value_type: str = "int", *extra: dict[str, Any], name: str = "Node", **attrs: object
) -> dict[str, Any]:
    """A singly linked list ``Node`` with an optional ``next`` pointer."""
    return rec(
        name,
        fld("value", value_type),
        *extra,
        fld("next", ["null", name], default=None),
        namespace=NS,
        **attrs,
    )


def tree(*extra: dict[str, Any]) -> dict[str, Any]:
    """A ``Tree`` whose children are an array of ``Tree``."""
    return rec(
        "Tree",
        fld("label", "string"),
        *extra,
        fld("children", array("Tree"), default=[]),
        namespace=NS,
    )


CASES: list[Case] = [
    Case(
        "recursive-list-identical",
        linked_list(),
        linked_list(),
        True,
        True,
        "A self-referencing record is compatible with itself and the check terminates.",
    ),
    Case(
        "recursive-list-value-int-to-long",
        linked_list("int"),
        linked_list("long"),
        True,
        False,
        "Promotion is checked through the recursion.",
    ),
    Case(
        "recursive-list-add-field-with-default",
        linked_list("int"),
        linked_list("int", fld("weight", "double", default=1.0)),
        True,
        True,
        "An optional field in a recursive record is FULL-safe.",
    ),
    Case(
        "recursive-list-add-field-without-default",
        linked_list("int"),
        linked_list("int", fld("weight", "double")),
        False,
        True,
        "A required field in a recursive record breaks new readers.",
    ),
    Case(
        "recursive-list-drop-next-pointer",
        linked_list("int"),
        rec("Node", fld("value", "int"), namespace=NS),
        True,
        True,
        "The dropped next pointer had a null default, so old readers still work.",
    ),
    Case(
        "recursive-tree-add-field-with-default",
        tree(),
        tree(fld("weight", "double", default=0.0)),
        True,
        True,
        "Recursion through an array of itself terminates.",
    ),
    Case(
        "recursive-tree-remove-field-without-default",
        tree(fld("kind", "string")),
        tree(),
        True,
        False,
        "Old readers of the tree still need kind.",
    ),
    Case(
        "recursive-list-renamed-with-alias",
        linked_list("int"),
        linked_list("int", name="LinkedNode", aliases=[f"{NS}.Node"]),
        True,
        False,
        "The alias resolves the rename at every level of the recursion.",
    ),
    Case(
        "recursive-mutual-records-promotion",
        rec(
            "Device",
            fld("id", "int"),
            fld(
                "gateway",
                [
                    "null",
                    rec(
                        "Gateway", fld("id", "int"), fld("parent", ["null", "Device"], default=None)
                    ),
                ],
                default=None,
            ),
            namespace=NS,
        ),
        rec(
            "Device",
            fld("id", "long"),
            fld(
                "gateway",
                [
                    "null",
                    rec(
                        "Gateway",
                        fld("id", "long"),
                        fld("parent", ["null", "Device"], default=None),
                    ),
                ],
                default=None,
            ),
            namespace=NS,
        ),
        True,
        False,
        "Mutually recursive records are checked without looping.",
    ),
]
