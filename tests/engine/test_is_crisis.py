"""Engine.is_crisis: the safety flow's own triggers, checked without state or storage."""

from __future__ import annotations

from bot.actions import default_registry
from bot.app import load_checked_flows
from bot.config import DEFAULT_FLOWS
from bot.engine.events import Choice, Command, Text, Unsupported
from bot.engine.runner import Engine


def test_crisis_words_and_the_safety_command_count_nothing_else_does() -> None:
    registry = default_registry()
    engine = Engine(load_checked_flows(DEFAULT_FLOWS, registry), registry)
    assert engine.is_crisis(Text("honestly I want to KILL MYSELF!!"))
    assert engine.is_crisis(Text("i feel suicidal"))
    assert engine.is_crisis(Command("safety"))
    assert not engine.is_crisis(Text("I have a skill myself"))
    assert not engine.is_crisis(Text("hello"))
    assert not engine.is_crisis(Command("win"))
    # Other interrupt flows (talk, why) step in at any question too, but are not the
    # safety net: before, each of these counted as a crisis, and took a flood's place.
    assert not engine.is_crisis(Command("talk")) and not engine.is_crisis(Command("why"))
    assert not engine.is_crisis(Text("are you a real person"))
    assert not engine.is_crisis(Choice(1, 0))
    assert not engine.is_crisis(Unsupported("sticker"))


async def test_the_detector_layers_count_as_they_do_in_a_turn() -> None:
    from bot.app import open_app
    from bot.storage.memory import MemoryStorage

    app = await open_app(DEFAULT_FLOWS, MemoryStorage())
    try:
        phrase = "I don't see the point in carrying on anymore"  # no exact phrase in it
        assert not Engine(app.flows, default_registry()).is_crisis(Text(phrase))
        assert app.conversations.is_crisis(Text(phrase))
    finally:
        await app.close()
