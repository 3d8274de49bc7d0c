"""Behavioural tests of the core: schema, catalog, lock, check, diff and report."""
