"""An unclear answer to a question with options gets more help each time (issue 11):
first the usual re-ask, then the options listed by number, then a way out, in changing
words, never the same line over and over."""

from __future__ import annotations

import io
from pathlib import Path

from bot.channels.terminal import TerminalChat
from bot.engine.events import Choice, Command, Option, Reply
from tests.engine.conftest import MakeEngine, Person, msg
from tests.engine.test_runner import MOOD

HELP = """\
  invalid_choice_list: "[invalid_choice_list]"
  invalid_choice_stop: ["[stop one]", "[stop two]"]
"""


async def test_each_miss_helps_more_and_the_first_buttons_still_work(
        make_engine: MakeEngine) -> None:
    person = Person(make_engine({"mood": MOOD}, system_extra=HELP))
    [question] = await person.send(Command("mood"))
    [first] = await person.send("banana")
    assert first.text == msg("invalid_choice")
    assert first.options == question.options
    [second] = await person.send("banana")
    assert second.text.splitlines() == ["[invalid_choice_list]", "1. Good", "2. Not so good",
                                        "3. So-so"]
    assert second.options == question.options  # Telegram retires the earlier buttons
    later = [(await person.send("banana"))[0] for _ in range(4)]
    assert [r.text for r in later] == ["[stop one]", "[stop two]", "[stop one]", "[stop two]"] \
        or [r.text for r in later] == ["[stop two]", "[stop one]", "[stop two]", "[stop one]"]
    assert all(r.options == question.options and r.prompt == question.prompt for r in later)
    assert await person.say(Choice(question.prompt, 0)) == ["Glad to hear it."]


async def test_a_good_answer_starts_the_count_again(make_engine: MakeEngine) -> None:
    flows = {"mood": MOOD.replace("  glad:\n    end: Glad to hear it.",
                                  "  glad:\n    goto: pick")}
    person = Person(make_engine(flows, system_extra=HELP))
    await person.send(Command("mood"))
    await person.send("banana")
    await person.send("banana")
    await person.send("good")  # answered: asked again from the start
    assert await person.say("banana") == [msg("invalid_choice")]


async def test_without_the_help_messages_the_plain_re_ask_stays(
        make_engine: MakeEngine) -> None:
    person = Person(make_engine({"mood": MOOD}))
    await person.send(Command("mood"))
    for _ in range(4):
        assert await person.say("banana") == [msg("invalid_choice")]


async def nobody(key: object, event: object) -> list[Reply]:
    return []


def test_the_terminal_shows_options_already_listed_in_the_text_once(tmp_path: Path) -> None:
    stdout = io.StringIO()
    chat = TerminalChat(nobody, person="ana", stdin=io.StringIO(), stdout=stdout,
                        files_dir=tmp_path)
    options = (Option("Good", 0), Option("Hard", 1))
    chat.show([Reply("Which one?\n1. Good\n2. Hard", options=options),
               Reply("Which one?", options=options)])
    assert stdout.getvalue().count("1. Good") == 2  # once in each reply


AGE = """\
flow: age
triggers:
  commands: [age]
steps:
  ask_age:
    ask: How old are you?
    into: age
    validate: {number: true}
  done:
    end: "Thanks ({age})."
"""

ASK_HELP = """\
  invalid_ask_again: "[again] {question}"
  invalid_ask_stop: ["[ask stop one]", "[ask stop two]"]
"""


async def test_a_free_text_question_helps_more_each_time_too(make_engine: MakeEngine) -> None:
    """Before: every miss at an ask got the same line, however many times (issue 11)."""
    person = Person(make_engine({"age": AGE}, system_extra=ASK_HELP))
    await person.send(Command("age"))
    assert await person.say("banana") == [msg("not_a_number")]
    assert await person.say("banana") == [f"{msg('not_a_number')}\n[again] How old are you?"]
    later = [await person.say("banana") for _ in range(2)]
    assert sorted(r[0] for r in later) == ["[ask stop one]", "[ask stop two]"]
    assert await person.say("42") == ["Thanks (42)."]


ASKING = """\
flow: nudge
triggers:
  commands: [nudge]
steps:
  offer:
    choose: "What's one small thing that could come next? Or would you like a check-in?"
    into: reply
    free: true
    options:
      - label: Yes, check in
        value: "yes"
        next: yes
      - label: Not now
        value: later
        next: later
    next: heard
  heard:
    end: "Heard: {reply}."
  yes:
    end: Checking in.
  later:
    end: Later.
"""


async def test_a_choice_that_asks_in_words_takes_a_typed_answer(make_engine: MakeEngine) -> None:
    """Before: a check-in asking "What's one small thing that could come next?" rejected
    the answer typed to it (issue 11)."""
    person = Person(make_engine({"nudge": ASKING}))
    await person.send(Command("nudge"))
    assert await person.say("Ring my sister") == ["Heard: Ring my sister."]
    await person.send(Command("nudge"))
    assert await person.say("not now") == ["Later."]  # an option is still an option
