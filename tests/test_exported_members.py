"""Each public module's ``__all__`` says exactly what it offers, as httpx checks its own.

The rule, per public module (no path component starting with ``_``):

* every public name the module itself binds at top level (``def``, ``class`` or assignment:
  functions, classes, constants, type aliases) is in ``__all__``; private names start with
  ``_``. Exempt are type variables (scaffolding for annotations), module loggers (reached
  through ``logging.getLogger``) and pytest hooks (pytest finds them by their ``pytest_`` name);
  a name the module imports is an import even where a fallback assigns it
  (``except ImportError: pytest = None``);
* every name in ``__all__`` resolves, appears once, and is either bound by the module itself or
  re-exported from a module of this package; names imported from the standard library or
  third-party packages (``Any``, ``dataclass``, ``annotations``...) are never exported;
* a lazy module (one that defines ``__getattr__``) resolves every ``__all__`` name on access.

Names a module imports from elsewhere in the package only to use them are not exports: listing
a re-export in ``__all__`` is what makes it deliberate.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
from pathlib import Path
from types import ModuleType
from typing import ParamSpec, TypeVar, TypeVarTuple

import pytest

import devicecontracts

PACKAGE = "devicecontracts"

# The public faces named in issue 9; each must exist. Discovery below adds any other public
# module, so a new one is checked without being listed here.
LISTED_MODULES: tuple[str, ...] = (
    "devicecontracts.errors",
    "devicecontracts.findings",
    "devicecontracts.types",
    "devicecontracts.serde",
    "devicecontracts.lambda_events",
    "devicecontracts.bridge",
    "devicecontracts.models",
    "devicecontracts.schema",
    "devicecontracts.schema.compatibility",
    "devicecontracts.compatibility",
    "devicecontracts.schema.diff",
    "devicecontracts.catalog",
    "devicecontracts.check",
    "devicecontracts.registry",
    "devicecontracts.testing",
    "devicecontracts.testing.registry",
)

# Modules whose __getattr__ loads names on first use; the test confirms they are still lazy.
LAZY_MODULES: frozenset[str] = frozenset(
    {
        "devicecontracts.catalog",
        "devicecontracts.models",
        "devicecontracts.registry",
        "devicecontracts.testing",
    }
)


def discovered_modules() -> list[str]:
    """Every public module of the installed package, found from its files without importing."""
    root = Path(devicecontracts.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(part.startswith("_") for part in parts):
            continue
        names.append(".".join([PACKAGE, *parts]))
    return names


PUBLIC_MODULES: list[str] = sorted(set(LISTED_MODULES) | set(discovered_modules()))


class Bindings:
    """The names a module's top level binds itself, and those it imports, with their source."""

    def __init__(self, module: ModuleType) -> None:
        """Read the module's source and record its top-level bindings."""
        assert module.__file__ is not None, f"{module.__name__} has no source file"
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        self.package = module.__name__ if hasattr(module, "__path__") else module.__package__
        self.defined: set[str] = set()
        self.imported: dict[str, str] = {}  # name -> absolute module it was imported from
        self._visit(tree.body)

    def _visit(self, body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defined.add(node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind_target(target)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                self._bind_target(node.target)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.partition(".")[0]
                    self.imported[bound] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = self._absolute(node)
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = source
            elif isinstance(node, (ast.If, ast.Try)):
                # `if TYPE_CHECKING:` and `try: ... except ImportError:` blocks bind names too.
                self._visit(node.body)
                self._visit(node.orelse)
                if isinstance(node, ast.Try):
                    for handler in node.handlers:
                        self._visit(handler.body)
                    self._visit(node.finalbody)

    def _bind_target(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.defined.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element)

    def _absolute(self, node: ast.ImportFrom) -> str:
        if node.level == 0:
            return node.module or ""
        base = (self.package or "").split(".")
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, node.module] if node.module else base)


def is_exempt(name: str, value: object) -> bool:
    """Type variables, module loggers and pytest hooks are not part of what a module offers."""
    if name.startswith("pytest_"):
        return True
    return isinstance(value, (TypeVar, ParamSpec, TypeVarTuple, logging.Logger))


def from_this_package(source: str) -> bool:
    """Whether an import source is a module of this package."""
    return source == PACKAGE or source.startswith(PACKAGE + ".")


def test_every_listed_module_is_a_public_module_on_disk() -> None:
    """Each module issue 9 names as a public face still exists under its public path."""
    missing = sorted(set(LISTED_MODULES) - set(discovered_modules()))
    assert not missing, f"public modules that no longer exist: {missing}"


def export_problems(module: ModuleType) -> list[str]:
    """Every way ``module.__all__`` breaks the rule in this file's docstring, as sentences."""
    name = module.__name__
    exported = getattr(module, "__all__", None)
    if not isinstance(exported, (list, tuple)):
        return [f"{name} has no __all__ list"]
    problems = []
    duplicates = sorted({n for n in exported if list(exported).count(n) > 1})
    if duplicates:
        problems.append(f"{name}.__all__ lists names twice: {duplicates}")
    bindings = Bindings(module)
    own_public = {
        n
        for n in bindings.defined - bindings.imported.keys()
        if not n.startswith("_") and not is_exempt(n, getattr(module, n, None))
    }
    unexported = own_public - set(exported)
    if unexported:
        problems.append(f"{name} defines public names missing from __all__: {sorted(unexported)}")
    foreign = sorted(
        n
        for n in exported
        if n in bindings.imported and not from_this_package(bindings.imported[n])
    )
    if foreign:
        problems.append(f"{name}.__all__ re-exports names from outside the package: {foreign}")
    unresolved = sorted(n for n in exported if not hasattr(module, n))
    if unresolved:
        problems.append(f"{name}.__all__ lists names that do not resolve: {unresolved}")
    return problems


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_lists_exactly_the_public_names(name: str) -> None:
    """``__all__`` holds every public name the module binds, and nothing foreign or unbound."""
    assert export_problems(importlib.import_module(name)) == []


SAMPLE = """
import logging
from typing import Any, TypeVar

from devicecontracts.errors import DecodeError
try:
    import pytest
except ImportError:
    pytest = None

__all__ = ["Thing", "Thing", "Any", "DecodeError", "ghost"]

T = TypeVar("T")
log = logging.getLogger(__name__)
LIMIT = 3
_PRIVATE = 4


class Thing:
    pass


def helper() -> None:
    pass


def pytest_configure() -> None:
    pass
"""


def test_export_problems_names_each_kind_of_mismatch(tmp_path: Path) -> None:
    """The checker reports a duplicate, unexported own names, a foreign re-export, a ghost."""
    path = tmp_path / "sample_exports.py"
    path.write_text(SAMPLE, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("sample_exports", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert export_problems(module) == [
        "sample_exports.__all__ lists names twice: ['Thing']",
        "sample_exports defines public names missing from __all__: ['LIMIT', 'helper']",
        "sample_exports.__all__ re-exports names from outside the package: ['Any']",
        "sample_exports.__all__ lists names that do not resolve: ['ghost']",
    ]


@pytest.mark.parametrize("name", sorted(LAZY_MODULES))
def test_lazy_modules_resolve_every_export_on_access(name: str) -> None:
    """A lazy module defines ``__getattr__`` and every ``__all__`` name loads through it."""
    module = importlib.import_module(name)
    assert "__getattr__" in vars(module), f"{name} is no longer lazy"
    for export in module.__all__:
        value = getattr(module, export)
        origin = getattr(value, "__module__", None)
        assert origin is None or from_this_package(origin), (
            f"{name}.{export} resolves to {origin}, outside the package"
        )


@pytest.mark.parametrize("name", sorted(LAZY_MODULES))
def test_lazy_modules_reject_unknown_names(name: str) -> None:
    """Asking a lazy module for a name it does not offer raises AttributeError naming it."""
    module = importlib.import_module(name)
    with pytest.raises(AttributeError, match="no_such_export"):
        module.no_such_export  # noqa: B018
