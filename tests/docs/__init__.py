"""Specification of the documentation: the generated site, in a real browser, and its exports."""
