"""Flows that declare ``roles:``: nobody without the role runs them, whichever way in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.state import ConversationState
from bot.engine.events import Command, Event, Start, Text
from bot.engine.loader import InvalidFlows, load_flows
from bot.engine.runner import Engine, Outcome
from tests.engine.conftest import StubReader, write_flows

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
STAFF_FLOW = """flow: tools
roles: [staff]
triggers:
  commands: [tools]
steps:
  ask:
    ask: "what now?"
    into: answer
  done:
    end: "done {answer}"
"""
MENU_FLOW = """flow: menu
triggers:
  commands: [menu]
steps:
  go:
    goto: {flow: tools}
"""
SYSTEM = '  not_for_your_role: "[not_for_your_role]"\n'


class Holder(StubReader):
    """A reader whose person holds the given roles (which a test may change)."""

    def __init__(self, *roles: str) -> None:
        self.held = frozenset({"person", *roles})

    async def roles(self) -> frozenset[str]:
        return self.held



async def turn(engine: Engine, state: ConversationState | None, event: Event,
               reader: Holder) -> Outcome:
    return await engine.handle(state, event, now=NOW, reader=reader)


@pytest.fixture
def tools(tmp_path: Path) -> Engine:
    from bot.engine.actions import ActionRegistry

    root = write_flows(tmp_path / "flows", {"tools": STAFF_FLOW, "menu": MENU_FLOW})
    system = root / "config" / "system.yaml"
    system.write_text(system.read_text().replace("messages:\n", "messages:\n" + SYSTEM))
    return Engine(load_flows(root, known_actions={}), ActionRegistry())


async def test_a_command_for_a_role_flow_is_refused_kindly_without_the_role(
        tools: Engine) -> None:
    outcome = await turn(tools, None, Command("tools"), Holder())
    assert [r.text for r in outcome.replies] == ["[not_for_your_role]"]
    assert outcome.state.flow is None


async def test_staff_run_it(tools: Engine) -> None:
    outcome = await turn(tools, None, Command("tools"), Holder("staff"))
    assert [r.text for r in outcome.replies] == ["what now?"]


async def test_a_goto_from_another_flow_is_refused_too(tools: Engine) -> None:
    outcome = await turn(tools, None, Command("menu"), Holder("mentor"))
    assert [r.text for r in outcome.replies] == ["[not_for_your_role]"]
    assert outcome.state.flow is None and outcome.state.stack == ()


async def test_a_system_start_of_a_role_flow_sends_nothing_without_the_role(
        tools: Engine) -> None:
    outcome = await turn(tools, None, Start("tools"), Holder())
    assert outcome.replies == [] and not outcome.started


async def test_a_role_taken_away_mid_flow_stops_it_at_the_next_message(tools: Engine) -> None:
    reader = Holder("staff")
    first = await turn(tools, None, Command("tools"), reader)
    reader.held = frozenset({"person"})
    outcome = await turn(tools, first.state, Text("approve it"), reader)
    texts = [r.text for r in outcome.replies]
    assert "[not_for_your_role]" in texts and not any("done" in t for t in texts)
    assert outcome.state.flow is None


def test_validate_names_an_unknown_role_with_its_line(tmp_path: Path) -> None:
    bad = STAFF_FLOW.replace("roles: [staff]", "roles: [staff, admin]")
    root = write_flows(tmp_path / "flows", {"tools": bad})
    with pytest.raises(InvalidFlows) as caught:
        load_flows(root, known_actions={})
    messages = [str(p) for p in caught.value.problems]
    assert any("tools.yaml:2: unknown role 'admin'; roles are: person, mentor, staff" in m
               for m in messages), messages
