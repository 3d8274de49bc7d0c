"""Every error devicecontracts raises on purpose, in one tree.

```
DeviceContractsError
├── SchemaError                 an Avro schema cannot be used as given
│   ├── SchemaJSONError         the text is not JSON (carries line and column)
│   └── InvalidSchemaError      JSON, but not an Avro schema Confluent would accept (42201)
│       └── UnknownTypeError    a type name that is neither primitive, defined nor referenced
├── CatalogError                the catalog folder or its config is missing or malformed
└── LockError                   the lock file of released versions is unreadable
```

Every error carries a `Location` saying where the problem is (file, subject, version, schema
path, line and column, whichever are known) and a message that says what to do. The CLI turns
these into findings or exit code 2; it never shows a traceback for them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = [
    "CatalogError",
    "DeviceContractsError",
    "InvalidSchemaError",
    "Location",
    "LockError",
    "SchemaError",
    "SchemaJSONError",
    "UnknownTypeError",
]


@dataclass(frozen=True)
class Location:
    """Where something is: any of file, subject, version, JSON path in a schema, line, column."""

    file: str | None = None
    subject: str | None = None
    version: int | None = None
    path: str | None = None
    line: int | None = None
    column: int | None = None

    def describe(self) -> str:
        """A short human form, such as ``schemas/alarm/v2.avsc:14:5 (/fields/3/default)``."""
        parts: list[str] = []
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        elif self.line is not None:
            parts.append(f"line {self.line}" + (f" column {self.column}" if self.column else ""))
        if self.subject is not None:
            parts.append(f"subject {self.subject}" + (f" v{self.version}" if self.version else ""))
        if self.path:
            parts.append(f"at {self.path}")
        return ", ".join(parts)


class DeviceContractsError(Exception):
    """Base class of every error this package raises on purpose.

    Catch this to handle any user-caused problem; anything else escaping the package is a bug.
    """

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()

    def at(self, **where: object) -> DeviceContractsError:
        """Return the same error with more of its location filled in (keeps what is known)."""
        known = {k: v for k, v in where.items() if getattr(self.location, k) is None}
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        Exception.__init__(clone, self.message)
        clone.location = replace(self.location, **known)  # type: ignore[arg-type]
        return clone

    def __str__(self) -> str:
        where = self.location.describe()
        return f"{where}: {self.message}" if where else self.message


class SchemaError(DeviceContractsError):
    """An Avro schema cannot be used as it is written.

    Raised by parsing; the location names the JSON path of the offending part of the schema.
    """


class SchemaJSONError(SchemaError):
    """A schema file is not valid JSON; the location has the line and column of the problem."""


class InvalidSchemaError(SchemaError):
    """A schema is JSON but Confluent Schema Registry would reject it on register (42201).

    Invalid names, duplicate fields or symbols, unknown named types, defaults that do not match
    their type (a union's default must match its first branch, as in Avro 1.11) and enum
    defaults that are not symbols all end here.
    """


class UnknownTypeError(InvalidSchemaError):
    """A schema uses a type name that is not primitive, not defined before, nor referenced.

    ``name`` is the name as written; ``candidates`` the full names it was looked up as (the
    enclosing namespace first, then the null namespace), so a catalog can resolve it as a
    reference to a shared type.
    """

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        name: str = "",
        candidates: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, location)
        self.name = name
        self.candidates = candidates or (name,)


class CatalogError(DeviceContractsError):
    """The catalog cannot be loaded: missing folder, malformed config, or files it cannot place.

    The CLI reports these as a configuration problem (exit code 2).
    """


class LockError(DeviceContractsError):
    """The lock file of released versions cannot be read or written."""
