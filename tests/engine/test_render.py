"""Rendering text: variables with fallbacks, literal braces, languages, variants."""

from __future__ import annotations

import random

import pytest

from bot.engine.model import Text
from bot.engine.render import Renderer, fill


@pytest.mark.parametrize(("template", "variables", "expected"), [
    ("Hello {name}", {"name": "Sam"}, "Hello Sam"),
    ("Hello {name|friend}", {}, "Hello friend"),
    ("Hello {name|friend}", {"name": ""}, "Hello friend"),
    ("Hello {name|friend}", {"name": "Sam"}, "Hello Sam"),
    ("Welcome back{name|}!", {}, "Welcome back!"),
    ("{ name | you }", {"name": "Ana"}, "Ana"),
    ("{{literal}} and {{ {name} }}", {"name": "Sam"}, "{literal} and { Sam }"),
    ("{count} wins", {"count": 0}, "0 wins"),
    ("{missing}", {}, ""),
    # What a person typed is inserted as it is, braces and all, and not filled again.
    ("You said: {said}", {"said": "{name} <b>&amp; '); --"}, "You said: {name} <b>&amp; '); --"),
])
def test_fill(template: str, variables: dict[str, object], expected: str) -> None:
    assert fill(template, variables) == expected


def test_language_falls_back_to_english() -> None:
    text = Text({"en": ("Hello {name|there}",), "cy": ("Helo {name|chi}",)})
    assert Renderer("cy", "en", {}, {}, random.Random(0)).text(text) == "Helo chi"
    assert Renderer("fr", "en", {"name": "Jo"}, {}, random.Random(0)).text(text) == "Hello Jo"


def test_variant_memory_is_per_key() -> None:
    text = Text({"en": ("a", "b")})
    memory: dict[str, object] = {}
    render = Renderer("en", "en", {}, memory, random.Random(1))
    first = render.text(text, key="x")
    assert render.text(text, key="x") != first
    assert set(memory) == {"v:x"}
