"""The error the testing helpers raise for bad arguments (needs hypothesis, hence not errors.py).

It belongs to the package's one error tree (drawn in `devicecontracts.errors`) and is at the
same time a `hypothesis.errors.InvalidArgument`, so code written against either catches it.
"""

from __future__ import annotations

from hypothesis.errors import InvalidArgument

from devicecontracts.errors import DeviceContractsError

__all__ = ["InvalidStrategyArgument"]


class InvalidStrategyArgument(DeviceContractsError, InvalidArgument):
    """A strategy was asked for with arguments it cannot honour.

    Raised when the strategy is built, never while a test draws from it: an invalid or
    unparseable schema, a named type nobody supplied, an override naming a field or type the
    schema does not have (the message lists the valid names), an option of the wrong type or
    out of range, or a recursive type that has no finite value.
    """
