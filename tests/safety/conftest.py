"""The shipped crisis detector, loaded once for the tests in this folder."""

from __future__ import annotations

import pytest

from bot.app import load_checked_detector, load_checked_flows
from bot.safety.detect import CrisisDetector
from tests.conftest import FLOWS


@pytest.fixture(scope="session")
def detector() -> CrisisDetector:
    found = load_checked_detector(FLOWS, load_checked_flows(FLOWS))
    assert found is not None, "flows/safety/ should ship with the repository"
    return found
