"""/mydata's export is complete, readable JSON; forgetting keeps only what it is told to."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.app import App, open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.engine.events import Choice, Command, Reply, Text
from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from tests.conftest import FLOWS

KEY = PersonKey("test", "mydata")


@pytest.fixture
async def app() -> AsyncIterator[App]:
    app = await open_app(FLOWS, MemoryStorage(), clock=FakeClock())
    yield app
    await app.close()


async def talk(app: App, *lines: str) -> list[Reply]:
    replies: list[Reply] = []
    for line in lines:
        if line.startswith("#"):  # press the option with this label
            question = next(r for r in reversed(replies) if r.options)
            index = next(o.index for o in question.options if o.label == line[1:])
            replies = await app.conversations.handle(KEY, Choice(question.prompt, index))
        else:
            event = Command(line[1:]) if line.startswith("/") else Text(line)
            replies = await app.conversations.handle(KEY, event)
    return replies


async def test_the_export_holds_everything_stored(app: App) -> None:
    await app.storage.commit_turn(TurnWrite(KEY, ConversationState(
        vars={"consent": "yes", "name": ", Ana", "language": "en"})))
    await talk(app, "/purpose", "Learn Welsh", "for my daughter", "an evening class", "time",
               "my neighbour", "#Learning", "#Yes, that's it")
    await talk(app, "/win", "Ordered a dictionary", "#Yes", "#4")
    replies = await talk(app, "/mydata")
    words = "\n".join(r.text for r in replies)
    assert "The name I use for you: Ana" in words and "Learn Welsh" in words
    assert "Ordered a dictionary" in words
    [document] = [r.attachment for r in replies if r.attachment]
    assert document.kind == "document" and document.filename == "goodhelp-my-data.json"
    data = json.loads(document.data.decode("utf-8"))
    assert data["about_you"]["name"] == "Ana"  # as given, without the ", " kept for "Hello{name}"
    [purpose] = data["purposes"]
    assert purpose["text"] == "Learn Welsh" and purpose["theme"] == "learning"
    assert purpose["details"] == {"why": "for my daughter", "first_step": "an evening class",
                                  "obstacles": "time", "helpers": "my neighbour"}
    [win] = data["wins"]
    assert win["text"] == "Ordered a dictionary" and win["purpose_ref"] == purpose["ref"]
    assert [r["value"] for r in data["ratings"]] == [4]
    assert data["ratings"][0]["context"] == "win"
    assert data["events"] and all("text" not in e for e in data["events"])


async def test_long_lists_show_the_newest_and_point_to_the_file(app: App) -> None:
    await app.storage.commit_turn(TurnWrite(KEY, ConversationState(vars={"consent": "yes"})))
    for n in range(12):
        await talk(app, "/win", f"win number {n}", "#Skip")
    replies = await talk(app, "/mydata")
    words = "\n".join(r.text for r in replies)
    assert "win number 11" in words and "win number 0" not in words
    assert "and 2 more in the file" in words
    [document] = [r.attachment for r in replies if r.attachment]
    assert len(json.loads(document.data)["wins"]) == 12
    assert all(len(r.text) < 4096 for r in replies)  # Telegram's limit per message


async def test_declining_consent_keeps_only_the_refusal_and_language(app: App) -> None:
    await talk(app, "/start", "#Cymraeg", "#Dim diolch")
    state = await app.storage.load(KEY)
    assert state is not None
    assert set(state.vars) == {"language", "consent", "consent_declined_at"}


def test_every_variable_a_flow_can_set_has_a_plain_label_in_mydata() -> None:
    """/mydata shows variables by their label; one without a label would show as a code
    name like 'prompt_turn'. Every variable any flow or action can set needs one."""
    from bot.actions import default_registry
    from bot.app import load_checked_flows
    from bot.engine.validate import BUILTIN_VARIABLES, _assigned
    from tests.conftest import FLOWS

    registry = default_registry()
    flows = load_checked_flows(FLOWS, registry)
    settable: set[str] = set()
    for flow in flows.flows.values():
        settable |= set(_assigned(flow, registry.known()))
    args = flows.flows["mydata"].steps["show"].args  # type: ignore[attr-defined]
    labels, hidden = set(args["labels"]), set(args["hidden"])
    stored_builtins = {"start_payload", "purpose_ref"} & BUILTIN_VARIABLES
    missing = sorted((settable | stored_builtins) - labels - hidden)
    assert not missing, f"add labels (or hide) in flows/mydata.yaml for: {missing}"
    assert not labels & hidden, "a variable is either listed or a working note, not both"
