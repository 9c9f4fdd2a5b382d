"""Shared fixtures. Paths are passed in, never taken from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The throwaway PostgreSQL cluster (session) and a fresh database per test that asks.
from tests.pg_cluster import pg_cluster, pg_migrated_url, pg_url  # noqa: F401

# python-telegram-bot 22 warns on building RetryAfter unless durations are timedeltas;
# the suite turns warnings into errors, so opt in to the new behaviour everywhere.
os.environ.setdefault("PTB_TIMEDELTA", "1")

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
# Frozen flows for tests of mechanisms, so rewording the real flows cannot break them.
STEADY_FLOWS = ROOT / "tests" / "fixtures" / "steady_flows"


@pytest.fixture
def flows_path() -> Path:
    return FLOWS
