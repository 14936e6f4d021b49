"""Settings for the page benchmarks (bench/pages.py) and their load run: the check-in benchmark's
settings (the real ones, with DEBUG off, plain static files and no email)."""

from bench.checkin_settings import *  # noqa: F403
