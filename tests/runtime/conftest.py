"""Hypothesis settings of the runtime tests: few examples, no deadline (2-core CI runners)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "runtime",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RUNTIME = settings.get_profile("runtime")
