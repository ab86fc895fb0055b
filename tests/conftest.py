"""Suite-wide settings: the hypothesis profiles that `make test` and `make test-deep` use."""

import os

from hypothesis import HealthCheck, settings

# quick: what `make test` runs on every change, derandomized (the same examples on every run and
# machine, and no example database carried between runs), so a CI result depends on the code
# alone; deep: `make test-deep`, on demand, random: it explores.
settings.register_profile(
    "quick",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
