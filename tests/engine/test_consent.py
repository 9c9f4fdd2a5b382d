"""The consent gate: every way into a flow passes it, and nothing is kept before a yes."""

from __future__ import annotations

import pytest

from bot.core.state import ConversationState, Position
from bot.engine.events import Command, Start
from bot.engine.loader import InvalidFlows
from bot.engine.runner import Engine
from tests.engine.conftest import MakeEngine, Person

GATE = "consent: {variable: consent, equals: 'yes', flow: welcome}\n"  # keeps language

WELCOME = """\
flow: welcome
open: true
triggers: {commands: [start]}
steps:
  lang:
    set: {language: en, scratch: "not kept"}
  ask:
    choose: May I keep what you tell me?
    into: consent
    options:
      - {label: Yes, value: "yes"}
      - {label: No, value: "no"}
  done:
    end: "Thanks ({consent})."
"""

MENU = """\
flow: menu
open: true
triggers: {commands: [menu]}
steps:
  pick:
    choose: What would you like?
    options:
      - {label: A note, value: note, next: to_note}
  to_note:
    goto: {flow: note}
"""

NOTE = """\
flow: note
triggers: {commands: [note]}
steps:
  ask:
    ask: What went well?
    into: note_text
  keep:
    record: achievement
    fields: {text: "{note_text}"}
  done:
    end: Noted.
"""

SAFETY = """\
flow: safety
interrupt: true
open: true
triggers: {keywords: [help me now]}
steps:
  signpost:
    say: Here is where to find help.
  back:
    resume: Let's go back to where we were.
"""


def engine(make_engine: MakeEngine) -> Engine:
    return make_engine({"welcome": WELCOME, "menu": MENU, "note": NOTE, "safety": SAFETY},
                       system_extra=GATE)


async def test_a_goto_from_an_open_flow_cannot_skip_consent(make_engine: MakeEngine) -> None:
    person = Person(engine(make_engine))
    await person.say(Command("start"))
    assert await person.say("No") == ["Thanks (no)."]
    assert await person.say(Command("menu")) == ["What would you like?"]
    assert await person.say("A note") == ["May I keep what you tell me?"]
    assert person.where == ("welcome", "ask")
    await person.say("Yes")
    await person.say(Command("menu"))
    assert await person.say("A note") == ["What went well?"]


async def test_resuming_into_a_flow_that_needs_consent_is_skipped(
        make_engine: MakeEngine) -> None:
    """A stacked position in a gated flow (e.g. from before a refusal) is not returned to."""
    person = Person(engine(make_engine), state=ConversationState(
        vars={"consent": "no"}, stack=(Position("note", "ask"),)))
    assert await person.say("help me now") == ["Here is where to find help.",
                                               "Let's go back to where we were."]
    assert person.where == (None, None)


async def test_nothing_is_kept_before_consent_but_the_answer_and_keep(
        make_engine: MakeEngine) -> None:
    person = Person(engine(make_engine), state=ConversationState(
        vars={"consent": "no", "name": "Sam"}, counts={"achievements": 3},
        memory={"v:x": 1}))
    await person.say(Command("start"))
    assert person.records == []  # not even an anonymous flow_started event
    assert person.state is not None
    assert dict(person.state.vars) == {"consent": "no", "language": "en"}
    assert person.state.counts == {} and person.state.memory == {}
    await person.say("Yes")
    assert person.records  # from the turn that said yes onwards, events are kept
    assert person.vars["consent"] == "yes"


async def test_a_system_start_still_declines_without_consent(make_engine: MakeEngine) -> None:
    person = Person(engine(make_engine))
    assert await person.say(Start("note")) == []
    assert await person.say(Start("menu")) == ["What would you like?"]


async def test_keep_names_what_is_kept_before_consent(make_engine: MakeEngine) -> None:
    gate = "consent: {variable: consent, equals: 'yes', flow: welcome, keep: [scratch]}\n"
    person = Person(make_engine({"welcome": WELCOME}, system_extra=gate))
    await person.say(Command("start"))
    assert person.vars == {"scratch": "not kept"}


def test_keep_must_be_a_list_of_names(make_engine: MakeEngine) -> None:
    gate = "consent: {variable: consent, equals: 'yes', flow: welcome, keep: language}\n"
    with pytest.raises(InvalidFlows, match="consent keep must be a list of variable names"):
        make_engine({"welcome": WELCOME}, system_extra=gate)
    gate = "consent: {variable: consent, equals: 'yes', flow: welcome, kept: [language]}\n"
    with pytest.raises(InvalidFlows, match=r"and may have: keep"):
        make_engine({"welcome": WELCOME}, system_extra=gate)
