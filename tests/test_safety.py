"""The safety net: crisis messages, at any step, get signposting at once.

Detection is in layers (docs/safety.md, "Detection"): the exact phrases of
flows/safety.yaml's triggers.keywords (bot/engine/matching.py), word forms and patterns,
and a small model (bot/safety/). Accepted false positives are tested too, so changing
the detection shows up here and in docs/safety.md together. tests/safety/ tests the
layers one by one and the held-out figures.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App, load_checked_detector, load_checked_flows, open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.engine.events import Choice, Command, Reply, Text
from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from tests.conftest import FLOWS

FLOWSET = load_checked_flows(FLOWS)
SAFETY = FLOWSET.flows["safety"]
DETECTOR = load_checked_detector(FLOWS, FLOWSET)
KEY = PersonKey("test", "safety")


def triggers(text: str) -> bool:
    """The whole crisis rule the engine uses for the safety flow (any layer)."""
    assert DETECTOR is not None
    return DETECTOR.is_crisis(text)


MUST_TRIGGER = [
    "I want to kill myself",
    "i want to KILL MYSELF!!!",
    "kill.myself",
    "kill-myself",
    "I've been thinking about suicide",
    "I feel suicidal tonight",
    "I'm going to end my life",
    "I just want to end it all.",
    "sometimes I want to die",
    "i wanna die",
    "I wish I was dead",
    "I wish I were dead",
    "everyone would be better off without me",
    "I'd be better off dead",
    "there's no reason to live",
    "I have nothing to live for",
    "I don't want to live any more",
    "I dont want to be alive",
    "I don’t want to be here anymore",
    "I can't go on like this",
    "i cant go on anymore",
    "I can’t carry on",
    "I self-harm",
    "I've been self harming again",
    "I keep cutting myself",
    "I want to hurt myself",
    "thinking of harming myself",
    "I took an overdose",
    "I'm thinking about taking my own life",
    "I'm going to hang myself",
    "I'm not safe at home",
    "I don't feel safe",
    "I am in danger",
    "   KILL      MYSELF   ",
    "Dw i eisiau marw",
    "Rydw i'n meddwl am hunanladdiad",
    "dw i isio lladd fy hun",
    "Dw i ddim eisiau byw",
    "dw i eisiau dod â fy mywyd i ben",
    "Rydw i wedi bod yn niweidio fy hun",
]

MUST_NOT_TRIGGER = [
    "I'm dying to see the film",
    "this traffic is killing me",
    "my feet are killing me",
    "I killed it at the interview!",
    "I could murder a cup of tea",
    "my phone battery died",
    "I'm dead tired",
    "I finally ended my shift",
    "I want to end my contract",
    "we spent it all on the deposit",
    "I can't go on holiday this year",
    "the ladder is not safe",
    "I hurt my knee",
    "a die-hard fan",
    "legend items",
    "I'm killing it at work",
    "dw i eisiau mynd i'r gwaith",
]

# Accepted: signposting someone who did not need it costs a moment; missing someone who
# did costs far more. Each of these is listed in docs/safety.md.
ACCEPTED_FALSE_POSITIVES = [
    "I'll kill myself laughing",
    "Suicide Squad is on telly tonight",
    "I hurt myself playing football",
    "I'm in danger of missing the bus",
    "an overdose of sunshine",
    # The model reads pieces of words (so "kil myself" is caught); "skill myself" holds
    # "kill myself". The exact-phrase layer alone does not match it (tested in tests/safety).
    "I want to skill myself up",
]


@pytest.mark.parametrize("text", MUST_TRIGGER)
def test_crisis_phrasings_trigger(text: str) -> None:
    assert triggers(text)


@pytest.mark.parametrize("text", MUST_NOT_TRIGGER)
def test_everyday_phrasings_do_not_trigger(text: str) -> None:
    assert not triggers(text)


@pytest.mark.parametrize("text", ACCEPTED_FALSE_POSITIVES)
def test_documented_false_positives_still_trigger(text: str) -> None:
    assert triggers(text)
    docs = (FLOWS.parent / "docs" / "safety.md").read_text(encoding="utf-8")
    assert text in docs, f"document the accepted false positive {text!r} in docs/safety.md"


def test_there_are_at_least_thirty_phrasings() -> None:
    assert len(MUST_TRIGGER) + len(MUST_NOT_TRIGGER) + len(ACCEPTED_FALSE_POSITIVES) >= 30


def test_the_safety_flow_steps_in_anywhere_and_before_consent() -> None:
    assert SAFETY.interrupt and SAFETY.open


@pytest.fixture
async def app() -> App:
    clock = FakeClock()
    app = await open_app(FLOWS, MemoryStorage(), clock=clock)
    await app.storage.commit_turn(TurnWrite(KEY, ConversationState(vars={"consent": "yes"})))
    yield app  # type: ignore[misc]
    await app.close()


def text_of(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


async def say(app: App, text: str) -> list[Reply]:
    return await app.conversations.handle(KEY, Command(text[1:]) if text.startswith("/")
                                          else Text(text))


async def test_mid_question_it_signposts_pauses_and_resumes_at_the_same_question(
        app: App) -> None:
    await say(app, "/purpose")
    asked = await say(app, "Find a job I enjoy")
    assert "Why does it matter" in text_of(asked)
    replies = await say(app, "Honestly? I want to die.")
    words = text_of(replies)
    for needed in ("116 123", "NHS 111", "999", "not a person or a crisis service"):
        assert needed in words
    state = await app.storage.load(KEY)
    assert state is not None and state.flow == "safety"
    assert "purpose_why" not in state.vars  # the crisis message is not taken as an answer
    until = state.vars["safety_pause_until"]
    assert until == (app.clock.now() + timedelta(hours=24)).isoformat(timespec="seconds")
    question = next(r for r in replies if r.options)
    back = await app.conversations.handle(KEY, Choice(question.prompt, 0))
    assert "Why does it matter" in text_of(back)
    state = await app.storage.load(KEY)
    assert state is not None and (state.flow, state.step) == ("purpose", "why")
    assert state.vars["purpose_answer"] == "Find a job I enjoy"
    assert "one small step" in text_of(await say(app, "For my family"))


async def test_stopping_forgets_the_interrupted_place_but_keeps_the_pause(app: App) -> None:
    await say(app, "/win")
    replies = await say(app, "i cant go on like this")
    question = next(r for r in replies if r.options)
    stop = await app.conversations.handle(KEY, Choice(question.prompt, 1))
    assert "116 123" in text_of(stop)
    state = await app.storage.load(KEY)
    assert state is not None and state.flow is None and state.stack == ()
    assert state.vars["safety_pause_until"]
    assert await app.storage.achievements(KEY) == []


async def test_a_crisis_phrase_is_never_stored_as_a_win(app: App) -> None:
    await say(app, "/win")
    await say(app, "I took an overdose")
    assert await app.storage.achievements(KEY) == []


def test_the_signposting_numbers_live_in_yaml() -> None:
    text = (FLOWS / "config" / "contacts.yaml").read_text(encoding="utf-8")
    for number in ("116 123", "111", "999", "85258"):
        assert number in text
    assert "{contact_samaritans}" in (FLOWS / "safety.yaml").read_text(encoding="utf-8")
    action = FLOWS.parent / "bot" / "actions" / "safety.py"
    assert "116 123" not in action.read_text(encoding="utf-8")


def test_a_question_that_takes_crisis_words_itself_still_signposts_and_pauses() -> None:
    """``on: {crisis: step}`` keeps the words for the flow (a mentor's message, held for
    staff) instead of starting the safety flow; the invariant still holds: from that step
    the writer reaches the helplines, in every language, and the 24-hour pause."""
    from bot.actions import default_registry
    from bot.engine.model import CRISIS_ANSWER, Ask, CallAction, End, Say
    from bot.engine.validate import targets

    flows = load_checked_flows(FLOWS, default_registry())
    found = 0
    for flow in flows.flows.values():
        order = list(flow.steps)
        for step in flow.steps.values():
            if not isinstance(step, Ask) or CRISIS_ANSWER not in step.on:
                continue
            found += 1
            seen: set[str] = set()
            todo = [step.on[CRISIS_ANSWER]]
            while todo:
                name = todo.pop()
                if name in seen or name not in flow.steps:
                    continue
                seen.add(name)
                here = flow.steps[name]
                todo.extend(t for t, _ in targets(here))
                if here.next is None and not isinstance(here, End) and \
                        order.index(name) + 1 < len(order):
                    todo.append(order[order.index(name) + 1])  # falls through
            reached = [flow.steps[n] for n in seen]
            assert any(isinstance(s, CallAction) and s.action == "safety_pause"
                       for s in reached), f"{flow.name}.{step.id}: no safety_pause"
            texts = [s.text for s in reached if isinstance(s, Say | End) and s.text]
            for language in ("en", "cy"):
                assert any(all("{contact_samaritans}" in v for v in t.variants[language])
                           for t in texts if language in t.variants), (
                    f"{flow.name}.{step.id}: no helpline in {language}")
    assert found >= 1  # /mentoring's message to a person
