"""Specification of the ``contracts`` command line, the shell over the core."""
