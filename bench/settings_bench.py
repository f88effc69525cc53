"""Settings for the server `make bench` starts to load the public verification page: the
project's settings with the per-address rate limit raised, since every bench client comes from
127.0.0.1. Bench-only."""

from config.settings import *  # noqa: F403

CERTIFICATE_VERIFY_RATE_LIMIT = 1_000_000
