"""The crisis detector as a whole, and through a real conversation.

The phrases of issue 9 (each stored as a win before this change) must get signposting
at any step, the everyday ones must not, and everything the exact phrases caught before
must still be caught.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App, load_checked_flows, open_app
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.engine.actions import ActionRegistry
from bot.engine.events import Command, Text
from bot.engine.matching import PhraseMatcher, normalise
from bot.engine.runner import Engine
from bot.safety.detect import CrisisDetector, load_crisis_detector
from bot.storage.base import TurnWrite
from bot.storage.memory import MemoryStorage
from tests.conftest import FLOWS

# Missed by the exact phrases (each was stored as a win): issue 9.
ISSUE_MISSES = [
    "I took too many pills",
    "I want to be dead",
    "I don't want to wake up tomorrow",
    "life isn't worth living",
    "i cant cope anymore",
    "kms",
    "I want to end things",
]

# The kinds the issue names, in other words than above.
MUST_TRIGGER = [
    *ISSUE_MISSES,
    "I've taken all my tablets",  # an overdose already taken
    "I swallowed a bottle of paracetamol",
    "I had loads of pills an hour ago",
    "I'm going to jump off the roof",  # a stated method
    "I'm going to throw myself in front of a train",
    "thinking of hanging myself",
    "I overdosed last night",
    "I cut myself again last night",  # self-harm in the past tense
    "I self-harmed yesterday",
    "I've been cutting again",
    "I'm ending it tonight",  # "ending it" forms
    "I want to end it all",
    "I'm going to end my life",
    "I've been thinking about ending things",
    "kys",
    "gonna kms",
    "I don't want to be here anymore",
    "I don't want to be alive",
    "there's no reason to live",
    "everyone would be better off without me",
    "I can't go on anymore",
    "I can't cope any more",
    "i want to kil myself",  # a typo the model still reads
]

MUST_NOT_TRIGGER = [
    "this traffic is killing me",
    "I want to end it with him",
    "I'm dying to see it",
    "I killed it at the interview",
    "my phone died",
    "I could murder a coffee",
    "overdosed on chocolate",
    "I want to end things with my boyfriend",
    "I took too many photos",
    "I take my tablets with food",
    "I don't want to wake up early tomorrow",
    "I cut the grass",
    "I jumped off the diving board",
    "I can't go on holiday this year",
    "there's no point waiting",
]

WELSH_MUST_TRIGGER = [
    "Dw i wedi cymryd gormod o dabledi",
    "Dw i eisiau marw",
    "Dw i'n mynd i ladd fy hun",
    "Dw i ddim eisiau deffro yfory",
    "Alla i ddim ymdopi mwyach",
    "Byddai fy nheulu yn well hebdda i",
    "Dw i eisiau rhoi diwedd ar bopeth",
    "Dw i wedi torri fy hun eto",
]

WELSH_MUST_NOT_TRIGGER = [
    "Mae'r traffig yn fy lladd i",
    "Mae fy ffôn wedi marw",
    "Dw i'n marw eisiau paned",
    "Dw i eisiau dod â'r berthynas i ben",
    "Dw i ddim eisiau deffro'n gynnar",
    "Torrais i'r gwair",
]


@pytest.mark.parametrize("text", MUST_TRIGGER + WELSH_MUST_TRIGGER)
def test_crisis_messages_are_detected(detector: CrisisDetector, text: str) -> None:
    assert detector.is_crisis(text), detector.verdict(text)


@pytest.mark.parametrize("text", MUST_NOT_TRIGGER + WELSH_MUST_NOT_TRIGGER)
def test_everyday_messages_are_not(detector: CrisisDetector, text: str) -> None:
    assert not detector.is_crisis(text), detector.verdict(text)


# A programme's everyday purposes, and low mood that is not a crisis (issue 9 names
# "nothing's going right"): once, "Sort out a place to live" at /purpose got crisis
# signposting and a 24-hour pause, because the model had learnt "live" from crisis talk.
# Low mood gets care (flows/lowmood.yaml), never signposting and a pause.
PROGRAMME_EVERYDAY = [
    "Sort out a place to live",
    "sort out somewhere to live",
    "Find a place to live near my sister",
    "Get my own place to live",
    "Find steady work",
    "Feel healthier",
    "Nothing's going right",
    "Everything is going wrong",
    "I just feel useless about everything",
    "Nobody cares about me",
    "I feel worthless",
    "had a really rough day",
    "I want to feel like a real person again",
    "Dod o hyd i le i fyw",
    "Does dim byd yn mynd yn iawn",
]


@pytest.mark.parametrize("text", PROGRAMME_EVERYDAY)
def test_purposes_and_low_mood_are_not_taken_for_a_crisis(detector: CrisisDetector,
                                                          text: str) -> None:
    assert not detector.is_crisis(text), detector.verdict(text)


# Being physically ill is not a crisis. "I've been in bed with flu" and "not much this week,
# I've been ill" once got crisis signposting and a 24-hour pause: the model read "ill" as
# "I'll" (as in "I'll end it") and "in bed" as a warning sign. None of these is in the
# training data; the everyday illness lines there are other wordings.
ILLNESS_EVERYDAY = [
    "I've been in bed with flu",
    "I've been ill in bed",
    "not much this week, I've been ill",
    "been poorly all week, stuck in bed",
    "I was too ill to get up yesterday",
    "my mum's been ill so I've been caring for her",
    "Dw i wedi bod yn y gwely gyda'r ffliw",
    "wedi bod yn sâl drwy'r wythnos",
]
# ...while a crisis said by someone ill or in bed is still one.
ILLNESS_CRISIS = [
    "I'm in bed and I don't want to wake up ever again",
    "i'm sick of everything, ill end it all",
    "ill kill myself",
]


@pytest.mark.parametrize("text", ILLNESS_EVERYDAY)
def test_being_ill_is_not_a_crisis(detector: CrisisDetector, text: str) -> None:
    assert not detector.is_crisis(text), detector.verdict(text)


@pytest.mark.parametrize("text", ILLNESS_CRISIS)
def test_a_crisis_said_while_ill_still_is_one(detector: CrisisDetector, text: str) -> None:
    assert detector.is_crisis(text), detector.verdict(text)


def test_the_exact_phrases_alone_missed_the_issue_messages() -> None:
    """Why the layers exist: before them, every one of these was taken as an answer."""
    flows = load_checked_flows(FLOWS)
    exact = PhraseMatcher(flows.flows["safety"].triggers.keywords)
    assert not [t for t in ISSUE_MISSES if exact.matches(normalise(t))]


def test_every_exact_phrase_still_triggers(detector: CrisisDetector) -> None:
    flows = load_checked_flows(FLOWS)
    keywords = flows.flows["safety"].triggers.keywords
    assert len(keywords) > 50
    assert [k for k in keywords if not detector.is_crisis(f"honestly, {k}.")] == []


def test_the_verdict_names_the_layers_that_fired(detector: CrisisDetector) -> None:
    assert detector.verdict("I want to kill myself").fired[0] == "phrases"
    assert detector.verdict("I took too many pills").patterns == "overdose"
    assert detector.verdict("my phone died").fired == ()


KEY = PersonKey("test", "detect")


@pytest.fixture
async def app() -> App:
    app = await open_app(FLOWS, MemoryStorage(), clock=FakeClock())
    await app.storage.commit_turn(TurnWrite(KEY, ConversationState(vars={"consent": "yes"})))
    yield app  # type: ignore[misc]
    await app.close()


@pytest.mark.parametrize("text", ISSUE_MISSES)
async def test_at_the_win_step_it_signposts_and_stores_no_win(app: App, text: str) -> None:
    await app.conversations.handle(KEY, Command("win"))
    replies = await app.conversations.handle(KEY, Text(text))
    said = "\n".join(r.text for r in replies)
    assert "116 123" in said and "999" in said
    state = await app.storage.load(KEY)
    assert state is not None and state.flow == "safety"
    assert state.vars.get("safety_pause_until")
    assert await app.storage.achievements(KEY) == []


async def test_everyday_words_at_the_win_step_are_taken_as_the_win(app: App) -> None:
    await app.conversations.handle(KEY, Command("win"))
    replies = await app.conversations.handle(KEY, Text("I killed it at the interview"))
    assert "116 123" not in "\n".join(r.text for r in replies)
    state = await app.storage.load(KEY)
    assert state is not None and state.flow == "win"


def test_the_app_shares_one_detector_for_channels(app: App) -> None:
    assert app.crisis is not None
    assert app.crisis.is_crisis("kms") and not app.crisis.is_crisis("hello")


def test_a_detector_only_attaches_to_an_interrupt_flow() -> None:
    flows = load_checked_flows(FLOWS)
    detector = CrisisDetector([], None, None)
    with pytest.raises(ValueError, match="not interrupt flows"):
        Engine(flows, ActionRegistry(), detectors={"win": detector})


def test_without_safety_data_only_the_exact_phrases_apply(tmp_path: Path) -> None:
    bare = load_crisis_detector(tmp_path, load_checked_flows(FLOWS))
    assert bare is not None and bare.patterns is None and bare.model is None
    assert bare.is_crisis("I want to kill myself")
    assert not bare.is_crisis("I took too many pills")
