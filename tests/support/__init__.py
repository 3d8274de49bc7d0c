"""Helpers shared by the tests, one module per kind: catalogs, registry, models (the
generated runtime models), schemas, codegen, strategies and resolution."""
