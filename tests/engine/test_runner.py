"""The engine step by step, on small flows written for each test."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from bot.core.keys import PersonKey
from bot.core.records import Achievement, FlowEvent, Purpose, Rating
from bot.core.state import ConversationState, Position
from bot.engine.actions import ActionContext, ActionRegistry, ActionResult
from bot.engine.events import Choice, Close, Command, Reply, Start, Text, Unsupported
from bot.engine.steps import FlowLoopError
from bot.service import Conversations
from bot.storage.memory import MemoryStorage
from tests.engine.conftest import MakeEngine, Person, msg

HELLO = """\
flow: hello
triggers:
  commands: [hello]
  keywords: [hi there]
steps:
  greet:
    say: Hello!
  name:
    ask: What should I call you?
    into: nickname
    validate: {max_length: 20}
  bye:
    end: "Nice to meet you, {nickname}."
"""

MOOD = """\
flow: mood
triggers:
  commands: [mood]
steps:
  pick:
    choose: How are you?
    into: mood
    options:
      - label: Good
        value: good
        next: glad
      - label: Not so good
        value: low
        next: sorry
      - label: So-so
        value: meh
        next: sorry
  glad:
    end: Glad to hear it.
  sorry:
    end: "Thanks for saying ({mood})."
"""


async def test_say_ask_end(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"hello": HELLO}))
    assert await person.say(Command("hello")) == ["Hello!", "What should I call you?"]
    assert person.where == ("hello", "name")
    assert await person.say("  Sam  ") == ["Nice to meet you, Sam."]
    assert person.where == (None, None)
    assert person.vars["nickname"] == "Sam"
    events = [(r.name, r.flow, r.step) for r in person.records if isinstance(r, FlowEvent)]
    assert events == [("flow_started", "hello", "greet"), ("step_reached", "hello", "name"),
                      ("step_answered", "hello", "name"), ("flow_finished", "hello", "bye")]


async def test_ask_reasks_kindly_and_keeps_the_step(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"hello": HELLO}))
    await person.send(Command("hello"))
    assert await person.say("x" * 21) == ["[too_long] up to 20"]
    assert await person.say("   ") == ["[empty]"]
    assert person.where == ("hello", "name")
    assert person.state is not None and person.state.retries == 2
    assert "nickname" not in person.vars
    await person.send("Sam")
    assert person.vars["nickname"] == "Sam"


async def test_number_validation(make_engine: MakeEngine) -> None:
    flow = ("flow: rate\ntriggers: {commands: [rate]}\nsteps:\n  ask:\n    ask: 1 to 10?\n"
            "    into: score\n    validate: {min: 1, max: 10}\n    invalid: 'From {min} to {max}'\n"
            "  done:\n    end: 'Got {score}'\n")
    person = Person(make_engine({"rate": flow}))
    await person.send(Command("rate"))
    assert await person.say("lots") == ["From 1 to 10"]
    assert await person.say("11") == ["From 1 to 10"]
    assert await person.say("7") == ["Got 7"]
    assert person.vars["score"] == 7


async def test_choose_by_button(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"mood": MOOD}))
    [question] = await person.send(Command("mood"))
    assert question.text == "How are you?"
    assert [(o.label, o.index) for o in question.options] == [
        ("Good", 0), ("Not so good", 1), ("So-so", 2)]
    assert question.prompt == 1
    assert await person.say(Choice(question.prompt, 1)) == ["Thanks for saying (low)."]
    assert person.vars["mood"] == "low"


@pytest.mark.parametrize(("typed", "value"), [
    ("1", "good"), ("2.", "low"), ("3)", "meh"), (" 3 ", "meh"),
    ("good", "good"), ("GOOD", "good"), ("  not   SO good ", "low"), ("not so good!", "low"),
    ("so so", "meh"), ("So-So", "meh"), ("meh", "meh"), ("LOW", "low"),
])
async def test_typed_choice_by_number_label_or_value(make_engine: MakeEngine, typed: str,
                                                     value: str) -> None:
    person = Person(make_engine({"mood": MOOD}))
    await person.send(Command("mood"))
    await person.send(typed)
    assert person.vars["mood"] == value
    assert person.where == (None, None)


async def test_typed_choice_that_matches_nothing_asks_again_with_the_options(
        make_engine: MakeEngine) -> None:
    person = Person(make_engine({"mood": MOOD}))
    [question] = await person.send(Command("mood"))
    for typed in ("4", "0", "great", "goo"):
        [reply] = await person.send(typed)
        assert reply.text == msg("invalid_choice")
        assert reply.options == question.options
        assert reply.prompt == question.prompt  # the first buttons still work
    assert person.where == ("mood", "pick")
    assert await person.say(Choice(question.prompt, 0)) == ["Glad to hear it."]


@pytest.mark.parametrize(("prompt_delta", "index"), [(-1, 0), (1, 0), (0, 3), (0, -1), (0, 99)])
async def test_stale_or_foreign_button_changes_nothing(make_engine: MakeEngine,
                                                       prompt_delta: int, index: int) -> None:
    person = Person(make_engine({"mood": MOOD}))
    await person.send(Command("mood"))
    await person.send("nonsense")  # a re-ask keeps the same prompt number
    before = person.state
    assert before is not None
    replies = await person.send(Choice(before.prompt + prompt_delta, index))
    assert [r.text for r in replies] == [msg("stale_button"), "How are you?"]
    assert replies[1].prompt == before.prompt and len(replies[1].options) == 3
    after = person.state
    assert after is not None
    assert (after.flow, after.step, after.vars, after.prompt) == (
        before.flow, before.step, before.vars, before.prompt)


async def test_button_from_a_finished_question(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"mood": MOOD}))
    [question] = await person.send(Command("mood"))
    await person.send(Choice(question.prompt, 0))
    assert await person.say(Choice(question.prompt, 1)) == [msg("stale_button")]
    assert person.vars["mood"] == "good"
    assert person.where == (None, None)


BRANCHY = """\
flow: branchy
triggers: {commands: [go]}
steps:
  remember:
    set: {visits: "{count_achievements}", colour: blue}
    clear: [old]
  check:
    branch:
      - when: {all: [{var: colour, equals: BLUE}, {count: achievements, gte: 2}]}
        next: veteran
      - when: {any: [{var: colour, in: [red, green]}, {not: {var: colour, set: true}}]}
        next: other
    otherwise: newcomer
  veteran:
    end: veteran
  other:
    end: other
  newcomer:
    record: achievement
    fields: {text: "first visit as {colour}", confidence: "7"}
  rate:
    record: rating
    fields: {value: "8", context: branchy}
  purpose:
    record: purpose
    fields: {text: "be {colour}", theme: health, ref: p1}
  done:
    end: "newcomer {purpose_ref}"
"""


async def test_set_clear_branch_and_record(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"branchy": BRANCHY}))
    person.state = ConversationState(vars={"old": "keep?"})
    assert await person.say(Command("go")) == ["newcomer p1"]
    assert person.vars == {"visits": "", "colour": "blue", "purpose_ref": "p1"}
    kept = [r for r in person.records if not isinstance(r, FlowEvent)]
    assert [type(r) for r in kept] == [Achievement, Rating, Purpose]
    achievement, rating, purpose = kept
    assert isinstance(achievement, Achievement) and achievement.text == "first visit as blue"
    assert achievement.confidence == 7
    assert isinstance(rating, Rating) and (rating.value, rating.context) == (8, "branchy")
    assert isinstance(purpose, Purpose) and (purpose.text, purpose.theme) == ("be blue", "health")
    assert person.state is not None
    assert person.state.counts == {"achievements": 1, "ratings": 1, "purposes": 1}
    # Once there are two achievements, the first case holds.
    person.state = replace(person.state, counts={"achievements": 2})
    assert await person.say(Command("go")) == ["veteran"]


def registry_with_colour() -> ActionRegistry:
    registry = ActionRegistry()

    @registry.register("pick_colour", provides=("favourite",))
    async def pick_colour(ctx: ActionContext) -> ActionResult:
        colour = str(ctx.args.get("colour", "grey"))
        return ActionResult(vars={"favourite": colour}, clear=("stale",),
                            replies=[Reply(ctx.text("say", {"colour": colour}))],
                            outcome="bright" if colour in ("red", "yellow") else None)

    return registry


ACTION_FLOW = """\
flow: paint
triggers: {commands: [paint]}
steps:
  call:
    action: pick_colour
    args: {colour: red, say: "You picked {colour}"}
    on: {bright: bright}
  dull:
    end: "dull {favourite}"
  bright:
    end: "bright {favourite}"
"""


async def test_action_sets_vars_replies_and_routes_on_its_outcome(
        make_engine: MakeEngine) -> None:
    engine = make_engine({"paint": ACTION_FLOW}, registry=registry_with_colour())
    person = Person(engine)
    person.state = ConversationState(vars={"stale": 1})
    assert await person.say(Command("paint")) == ["You picked red", "bright red"]
    assert person.vars == {"favourite": "red"}
    grey = make_engine({"paint": ACTION_FLOW.replace("colour: red", "colour: grey")},
                       registry=registry_with_colour())
    assert await Person(grey).say(Command("paint")) == ["You picked grey", "dull grey"]


LOOP = "flow: loop\ntriggers: {commands: [loop]}\nsteps:\n  a:\n    goto: b\n  b:\n    goto: a\n"
GOTO = """\
flow: first
triggers: {commands: [first]}
steps:
  one:
    say: one
    next: jump
  back:
    say: back
    next: onwards
  jump:
    goto: back
  onwards:
    goto: {flow: second}
"""
SECOND = "flow: second\nsteps:\n  hello:\n    end: in second\n"


async def test_goto_step_and_flow(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"first": GOTO, "second": SECOND}))
    assert await person.say(Command("first")) == ["one", "back", "in second"]
    started = [r.flow for r in person.records if isinstance(r, FlowEvent)
               and r.name == "flow_started"]
    assert started == ["first", "second"]
    assert person.where == (None, None)


async def test_goto_loop_raises_flow_loop_error(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"loop": LOOP}))
    with pytest.raises(FlowLoopError):
        await person.send(Command("loop"))


async def test_goto_loop_reaches_the_person_as_the_error_message(
        make_engine: MakeEngine) -> None:
    """Through the service: the exception is caught, nothing is committed, the person
    gets the system 'error' message and can carry on."""
    conversations = Conversations(make_engine({"loop": LOOP, "hello": HELLO}), MemoryStorage(),
                                  rng=random.Random(1))
    await conversations.storage.open()
    key = PersonKey("test", "looper")
    try:
        await conversations.handle(key, Command("hello"))
        before = await conversations.state_of(key)
        assert before is not None and before.position == Position("hello", "name")
        replies = await conversations.handle(key, Command("loop"))
        assert [r.text for r in replies] == [msg("error")]
        assert await conversations.state_of(key) == before
        assert [r.text for r in await conversations.handle(key, Text("Sam"))] == [
            "Nice to meet you, Sam."]
    finally:
        await conversations.storage.close()


SAFETY = """\
flow: safety
interrupt: true
open: true
triggers:
  keywords: [help me now]
steps:
  signpost:
    say: Here is where to find help.
  back:
    resume: Let's go back to where we were.
"""


async def test_interrupt_flow_steps_in_and_resume_returns_to_the_question(
        make_engine: MakeEngine) -> None:
    person = Person(make_engine({"hello": HELLO, "safety": SAFETY}))
    await person.send(Command("hello"))
    replies = await person.say("Please, HELP me now!")
    assert replies == ["Here is where to find help.", "Let's go back to where we were.",
                       "What should I call you?"]
    assert person.where == ("hello", "name")
    assert person.state is not None and person.state.stack == ()
    assert "nickname" not in person.vars  # the crisis words were not taken as the answer
    assert await person.say("Sam") == ["Nice to meet you, Sam."]


async def test_interrupt_during_a_choice_keeps_the_buttons_working(
        make_engine: MakeEngine) -> None:
    person = Person(make_engine({"mood": MOOD, "safety": SAFETY}))
    [question] = await person.send(Command("mood"))
    replies = await person.send("help me now")
    assert replies[-1].text == "How are you?" and replies[-1].prompt == question.prompt
    assert await person.say(Choice(question.prompt, 0)) == ["Glad to hear it."]


async def test_interrupt_outside_any_flow_ends_cleanly(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"hello": HELLO, "safety": SAFETY}))
    assert await person.say("help me now") == ["Here is where to find help.",
                                               "Let's go back to where we were."]
    assert person.where == (None, None)


async def test_a_step_removed_since_last_time_is_flow_changed(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"hello": HELLO}))
    await person.send(Command("hello"))
    assert person.where == ("hello", "name")
    edited = HELLO.replace("  name:\n", "  nickname:\n")
    person.engine = make_engine({"hello": edited})
    assert await person.say("Sam") == [msg("flow_changed"), msg("fallback")]
    assert person.where == (None, None)
    abandoned = [r for r in person.records if isinstance(r, FlowEvent)][-1]
    assert (abandoned.name, abandoned.step) == ("flow_abandoned", "name")


async def test_a_removed_flow_or_stacked_position_does_not_crash(make_engine: MakeEngine) -> None:
    engine = make_engine({"hello": HELLO, "safety": SAFETY})
    person = Person(engine, state=ConversationState(
        flow="gone", step="q", stack=(Position("also_gone", "q"),), prompt=4))
    assert await person.say(Choice(4, 0)) == [msg("flow_changed"), msg("stale_button")]
    # Resume skips a stacked position whose step no longer exists and ends cleanly.
    person.state = ConversationState(stack=(Position("hello", "removed"),))
    assert await person.say("help me now") == ["Here is where to find help.",
                                               "Let's go back to where we were."]
    assert person.where == (None, None)
    assert person.state is not None and person.state.stack == ()


CONSENT = """\
flow: welcome
open: true
triggers: {commands: [start]}
steps:
  ask:
    choose: May I keep what you tell me?
    into: consent
    options:
      - {label: Yes, value: "yes"}
      - {label: No, value: "no"}
  done:
    end: "Thanks ({consent})."
"""


async def test_consent_gate(make_engine: MakeEngine) -> None:
    gate = "consent: {variable: consent, equals: 'yes', flow: welcome}\n"
    engine = make_engine({"welcome": CONSENT, "hello": HELLO}, system_extra=gate)
    person = Person(engine)
    assert await person.say(Command("hello")) == ["May I keep what you tell me?"]
    assert await person.say("no") == ["Thanks (no)."]
    assert await person.say(Command("hello")) == ["May I keep what you tell me?"]
    assert await person.say("1") == ["Thanks (yes)."]
    assert await person.say(Command("hello")) == ["Hello!", "What should I call you?"]


async def test_variants_never_repeat_twice_in_a_row(make_engine: MakeEngine) -> None:
    flow = ("flow: cheer\ntriggers: {commands: [cheer]}\nsteps:\n  cheer:\n"
            "    end: [Well done, Nice one, Good going]\n")
    person = Person(make_engine({"cheer": flow}), rng=random.Random(2026))
    said = [(await person.say(Command("cheer")))[0] for _ in range(50)]
    assert all(a != b for a, b in itertools.pairwise(said))
    assert set(said) == {"Well done", "Nice one", "Good going"}


async def test_commands_cancel_unknown_and_free_text(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"hello": HELLO}))
    assert await person.say(Command("cancel")) == [msg("nothing_to_cancel")]
    assert await person.say(Command("nosuch")) == [msg("unknown_command")]
    assert await person.say("what is this?") == [msg("fallback")]
    assert await person.say("") == [msg("empty")]
    assert await person.say("oh, hi there!") == ["Hello!", "What should I call you?"]
    assert await person.say(Command("cancel")) == [msg("cancelled")]
    assert person.where == (None, None)
    assert await person.say(Unsupported("sticker")) == [msg("unsupported")]


async def test_unsupported_input_repeats_the_question(make_engine: MakeEngine) -> None:
    person = Person(make_engine({"mood": MOOD}))
    [question] = await person.send(Command("mood"))
    replies = await person.send(Unsupported("voice"))
    assert [r.text for r in replies] == [msg("unsupported"), "How are you?"]
    assert replies[1].prompt == question.prompt


async def test_a_system_start_never_interrupts_a_person(make_engine: MakeEngine) -> None:
    engine = make_engine({"hello": HELLO, "mood": MOOD})
    person = Person(engine)
    await person.send(Command("hello"))
    assert await person.say(Start("mood")) == []
    assert person.where == ("hello", "name")
    idle = Person(engine)
    assert await idle.say(Start("mood")) == ["How are you?"]


WORDINGS = """\
flow: wordings
triggers:
  commands: [wordings]
steps:
  ask:
    choose:
      en: ["Shall we?", "Ready?"]
    options:
      - label: "Yes"
        value: "yes"
  bye:
    end: "Bye."
"""


async def test_the_wording_shown_and_the_wording_answered_are_recorded(
        make_engine: MakeEngine) -> None:
    """Staff reports compare wordings: which one was shown, and which one was answered
    (the index only, never the text)."""
    person = Person(make_engine({"wordings": WORDINGS}))
    replies = await person.send(Command("wordings"))
    index = ["Shall we?", "Ready?"].index(replies[0].text)
    await person.send(Choice(replies[0].prompt or 0, 0))
    events = [(r.name, r.flow, r.step) for r in person.records if isinstance(r, FlowEvent)]
    assert ("variant_shown", "wordings", f"ask#{index}") in events
    assert ("variant_answered", "wordings", f"ask#{index}") in events
    assert ("step_answered", "wordings", "ask") in events


async def test_close_leaves_an_open_flow_quietly(make_engine: MakeEngine) -> None:
    """What the dispatcher asks for before a check-in, without pretending to be a person
    who typed /cancel: nothing is said, the flow is left as abandoned."""
    person = Person(make_engine({"hello": HELLO}))
    await person.say("oh, hi there!")
    assert await person.say(Close("scheduled:checkin")) == []
    assert person.where == (None, None)
    assert await person.say(Close()) == []  # nothing open: still nothing said


async def test_a_step_without_next_goes_on_to_the_step_written_after_it(
        make_engine: MakeEngine) -> None:
    """The fall-through rule (docs/flows.md, "Which step comes next"): order in the file
    is part of the flow, so moving a step without ``next`` changes where it goes."""
    head = "flow: order\ntriggers: {commands: [order]}\nsteps:\n"
    written = head + ("  one:\n    say: One\n  two:\n    say: Two\n"
                      "  three:\n    end: Three\n")
    moved = head + ("  one:\n    say: One\n  three:\n    say: Three\n"
                    "  two:\n    end: Two\n")
    assert await Person(make_engine({"order": written})).say(Command("order")) == [
        "One", "Two", "Three"]
    assert await Person(make_engine({"order": moved})).say(Command("order")) == [
        "One", "Three", "Two"]
    last = head + "  one:\n    say: One\n  two:\n    say: Two\n"  # the last step: the end
    person = Person(make_engine({"order": last}))
    assert await person.say(Command("order")) == ["One", "Two"]
    assert person.where == (None, None)
