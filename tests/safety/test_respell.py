"""Respelling: bent crisis words are put back, real words are left alone."""

from __future__ import annotations

import pytest

from bot.safety.respell import Respeller

SPEAK = {"wud": "would", "no1": "no one", "dis": "this"}
WORDS = ["suicide", "kill", "myself", "die", "cutting", "again", "life", "want", "to", "my",
         "end", "pills", "marw"]


@pytest.fixture(scope="module")
def respeller() -> Respeller:
    return Respeller(SPEAK, WORDS)


@pytest.mark.parametrize(("bent", "plain"), [
    ("s*icide", "suicide"),  # masked
    ("su1c1de", "suicide"),  # leetspeak
    ("k1ll myself", "kill myself"),
    ("i want to diiiie", "i want to die"),  # stretched
    ("sucide", "suicide"),  # a letter missing
    ("cuting again", "cutting again"),
    ("end my lfie", "end my life"),  # two letters swapped
    ("killmyself", "kill myself"),  # run together
    ("wanttodie", "want to die"),
    ("no1 wud notice", "no one would notice"),  # text-speak
])
def test_bent_words_are_put_back(respeller: Respeller, bent: str, plain: str) -> None:
    assert respeller.respell(bent) == plain


@pytest.mark.parametrize("text", [
    "I was putting myself first",  # a real word one edit from "cutting" stays
    "I'm skilled at this",
    "mae'r tywydd yn braf",  # Welsh words are words too
    "f*** this bus",  # a mask that is no crisis word
    "walked 5k today",
])
def test_real_words_are_left_alone(respeller: Respeller, text: str) -> None:
    assert respeller.respell(text) == ""
