"""Tests of devicecontracts, one package (pytest --import-mode=importlib)."""
