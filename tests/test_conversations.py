"""Every scripted conversation under flows/tests runs as its own pytest test."""

from __future__ import annotations

import pytest

from bot.testing.runner import run_case
from bot.testing.script import load_cases
from tests.conftest import FLOWS

CASES = load_cases(FLOWS / "tests")


def test_there_are_conversation_tests() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_conversation(case) -> None:  # type: ignore[no-untyped-def]
    failure = await run_case(case, FLOWS)
    assert failure is None, str(failure)


def test_every_flow_has_conversation_tests() -> None:
    from bot.app import load_checked_flows

    flows = load_checked_flows(FLOWS)
    tested = {c.file.rsplit("/", 1)[-1].removesuffix(".yaml") for c in CASES}
    untested = sorted(set(flows.flows) - tested)
    assert not untested, f"flows without a flows/tests/<flow>.yaml: {untested}"
