"""The bot never claims to be a human, a clinician or a crisis service (DESIGN.md), and
says it is a bot whenever it offers help or is asked for a person."""

from __future__ import annotations

import re

from bot.engine.matching import normalise
from tests.conftest import FLOWS

CLAIMS = ["im a person", "i am a person", "im human", "i am human", "im a real person",
          "im a counsellor", "im a doctor", "im a nurse", "im a therapist",
          "im a crisis service", "i am a crisis service", "this is a crisis service",
          "rydw in berson", "person ydw i"]
SAYS_BOT = ("safety.yaml", "talk.yaml")  # the crisis help and the route to a person


def flow_texts() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(FLOWS.glob("*.yaml")))


def test_no_text_claims_to_be_a_person_or_a_service() -> None:
    text = normalise(re.sub(r"(?m)^\s*#.*$", "", flow_texts()))
    for claim in CLAIMS:
        assert f" {claim} " not in f" {text} ", claim


def test_the_help_and_the_person_route_say_it_is_a_bot_in_both_languages() -> None:
    for name in SAYS_BOT:
        text = (FLOWS / name).read_text(encoding="utf-8")
        assert "I'm a bot, not a person" in text and "Bot ydw i, nid person" in text, name
