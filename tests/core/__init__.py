"""Behavioural tests of the core: schema, catalog, lock, check, diff, report and the CLI."""
