"""Shared fixtures. Paths are passed in, never taken from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"


@pytest.fixture
def flows_path() -> Path:
    return FLOWS
