"""One registry of step kinds: a new kind is one module and one registration.

The toy kind below (``shout:``, which says its text in capitals and may go to another
step on a keyword) is defined entirely in this file: the parser, the runner and the
validator take it from the registry without knowing its name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine import kinds
from bot.engine.events import Command
from bot.engine.kinds import CheckContext, StepKind, StepSource, register, unregister
from bot.engine.loader import InvalidFlows, load_flows
from bot.engine.model import Flow, Step, Text
from bot.engine.parse import Parser
from bot.engine.steps import StepRunner
from tests.engine.conftest import MakeEngine, Person, write_flows


@dataclass(frozen=True)
class Shout(Step):
    """Say ``text`` in capitals; when the person's ``mood`` is ``quiet``, go to ``hush``."""

    text: Text
    hush: str | None = None


def parse_shout(parser: Parser, source: StepSource) -> Shout | None:
    text = parser.text(source.value, source.at, source.where)
    hush = source.raw.get("hush")
    return Shout(source.step_id, source.raw.line, source.next, text,
                 str(hush) if hush else None) if text else None


async def run_shout(runner: StepRunner, flow: Flow, step: Shout) -> str | None:
    if step.hush is not None and runner.state.vars.get("mood") == "quiet":
        return step.hush
    runner.say(runner.renderer().text(step.text).upper())
    return step.next


def shout_targets(step: Shout) -> Iterator[tuple[str, int]]:
    if step.hush is not None:
        yield step.hush, step.line


def shout_texts(step: Shout) -> Iterator[tuple[str, Text]]:
    yield f"step '{step.id}'", step.text


def shout_check(step: Shout, context: CheckContext) -> Iterator[tuple[int, str]]:
    if step.hush == step.id:
        yield step.line, f"step '{step.id}': a shout cannot hush to itself"


SHOUT = StepKind("shout", Shout, parse_shout, run_shout, frozenset({"next", "hush"}),
                 targets=shout_targets, texts=shout_texts, check=shout_check)

LOUD = """\
flow: loud
triggers:
  commands: [loud]
steps:
  ask_mood:
    choose: How do you feel?
    into: mood
    options: [loud, quiet]
  cheer:
    shout: "well done, {mood} one"
    hush: whisper
  done:
    end: That was fun.
  whisper:
    end: (whispers) well done.
"""


@pytest.fixture
def shout_registered() -> Iterator[None]:
    register(SHOUT)
    try:
        yield
    finally:
        unregister("shout")


async def test_a_registered_kind_is_parsed_run_and_followed(
        shout_registered: None, make_engine: MakeEngine) -> None:
    person = Person(make_engine({"loud": LOUD}))
    await person.say(Command("loud"))
    assert await person.say("loud") == ["WELL DONE, LOUD ONE", "That was fun."]
    await person.say(Command("loud"))
    assert await person.say("quiet") == ["(whispers) well done."]


async def test_the_validator_checks_a_registered_kind(shout_registered: None,
                                                      tmp_path: Path) -> None:
    broken = (LOUD.replace("hush: whisper", "hush: nowhere")
              .replace("{mood} one", "{nobody} one"))
    root = write_flows(tmp_path / "flows", {"loud": broken})
    with pytest.raises(InvalidFlows) as caught:
        load_flows(root)
    lines = [str(p) for p in caught.value.problems]
    assert any("goes to 'nowhere'" in line for line in lines), lines  # its targets
    assert any("'nobody'" in line for line in lines), lines  # its texts
    assert any("'whisper' can never be reached" in line for line in lines), lines

    selfish = LOUD.replace("hush: whisper", "hush: cheer")
    root = write_flows(tmp_path / "selfish", {"loud": selfish})
    with pytest.raises(InvalidFlows) as caught:
        load_flows(root)
    assert any("cannot hush to itself" in str(p) for p in caught.value.problems)


async def test_unknown_keys_of_a_kind_are_named(shout_registered: None,
                                                tmp_path: Path) -> None:
    root = write_flows(tmp_path, {"loud": LOUD.replace("hush: whisper", "volume: 11")})
    with pytest.raises(InvalidFlows) as caught:
        load_flows(root)
    assert any("unknown key 'volume' in a 'shout' step; allowed: hush, next, shout"
               in str(p) for p in caught.value.problems)


def test_without_registration_the_kind_is_unknown(tmp_path: Path) -> None:
    assert "shout" not in kinds.kinds()
    root = write_flows(tmp_path, {"loud": LOUD})
    with pytest.raises(InvalidFlows) as caught:
        load_flows(root)
    assert any("needs exactly one of" in str(p) for p in caught.value.problems)


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(StepKind("say", Shout, parse_shout, run_shout))
