"""The TextDetector seam: an interrupt flow started by a detector as well as by its keywords."""

from __future__ import annotations

from bot.engine.events import Command
from tests.engine.conftest import MakeEngine, Person
from tests.engine.test_runner import HELLO, SAFETY


class Words:
    """A detector that says yes to any message containing one of its words; counts calls."""

    def __init__(self, *words: str) -> None:
        self.words = words
        self.asked: list[str] = []

    def detects(self, text: str) -> bool:
        self.asked.append(text)
        return any(w in text for w in self.words)


async def test_a_detector_starts_its_interrupt_flow_mid_question(
        make_engine: MakeEngine) -> None:
    detector = Words("too many pills")
    person = Person(make_engine({"hello": HELLO, "safety": SAFETY},
                                detectors={"safety": detector}))
    await person.send(Command("hello"))
    replies = await person.say("I took too many pills")
    assert replies[0] == "Here is where to find help."
    assert "nickname" not in person.vars  # not taken as the answer
    assert detector.asked == ["I took too many pills"]  # the text as typed


async def test_the_keywords_still_work_and_other_text_is_an_answer(
        make_engine: MakeEngine) -> None:
    person = Person(make_engine({"hello": HELLO, "safety": SAFETY},
                                detectors={"safety": Words("too many pills")}))
    await person.send(Command("hello"))
    assert (await person.say("help me now"))[0] == "Here is where to find help."
    assert await person.say("Sam") == ["Nice to meet you, Sam."]


async def test_an_interrupt_detector_comes_before_other_flows_keywords(
        make_engine: MakeEngine) -> None:
    flows = {"hello": HELLO, "safety": SAFETY}
    person = Person(make_engine(flows, detectors={"safety": Words("hi there")}))
    assert (await person.say("hi there"))[0] == "Here is where to find help."
    person = Person(make_engine(flows, detectors={"safety": Words("pills")}))
    assert await person.say("hi there") == ["Hello!", "What should I call you?"]


async def test_inside_its_own_flow_the_detector_is_not_asked(
        make_engine: MakeEngine) -> None:
    detector = Words("pills")
    person = Person(make_engine({"hello": HELLO, "safety": SAFETY.replace(
        "    resume: Let's go back to where we were.",
        "    ask: Anything else?\n    into: more\n  done:\n    end: OK.")},
        detectors={"safety": detector}))
    await person.say("pills")
    assert person.where == ("safety", "back")
    assert await person.say("more pills") == ["OK."]
    assert detector.asked == ["pills"]


ASK = """\
flow: ask
interrupt: true
open: true
triggers:
  keywords: [real person]
steps:
  tell:
    end: Here is how to reach a real person.
"""


async def test_the_safety_net_comes_first_whatever_the_file_order(
        make_engine: MakeEngine) -> None:
    """Issue 9 (b): interrupt flows used to be tried in file order, so an interrupt flow
    whose file sorts before safety.yaml ("ask.yaml") took a message that holds a crisis
    too. The crisis flows come first, then the others by name."""
    person = Person(make_engine({"hello": HELLO, "ask": ASK, "safety": SAFETY},
                                detectors={"safety": Words("pills")}))
    await person.send(Command("hello"))
    replies = await person.say("I took the pills, can I talk to a real person")
    assert replies[0] == "Here is where to find help."
    assert await person.say("real person") == ["Here is how to reach a real person."]


async def test_interrupt_priority_is_the_crisis_flows_then_names(
        make_engine: MakeEngine) -> None:
    engine = make_engine({"zed": ASK.replace("flow: ask", "flow: zed"), "ask": ASK,
                          "safety": SAFETY})
    assert engine.interrupt_order == ("safety", "ask", "zed")
