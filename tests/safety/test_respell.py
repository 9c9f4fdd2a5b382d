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


def test_a_long_message_is_read_in_linear_time(respeller: Respeller) -> None:
    """Before: the masking pattern tried a long run of letters from every letter of it,
    and a run-on was cut at every letter (8 s for 10,000 letters, holding up everyone's
    turns). A bound far above linear and far below the old cost, on a busy machine."""
    import random
    import string
    import time

    rng = random.Random(3)
    respeller.respell("warm the dictionaries up qwertyuiop")
    started = time.perf_counter()
    respeller.respell("x" * 20_000)
    respeller.respell("".join(rng.choice(string.ascii_lowercase) for _ in range(4096)))
    assert time.perf_counter() - started < 2.0
    assert respeller.respell("s*icide " + "y" * 5000).startswith("suicide ")
