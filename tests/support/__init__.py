"""Helpers shared by the tests, one module per kind: catalogs (builders in temporary folders),
registry (the CLI and a real registry client), models (the generated runtime models, loaded on
first use), examples (the shared telemetry payload), schemas (the torture schema), codegen,
strategies (schemas and writer values) and resolution (Avro's resolution rules, as a model)."""
