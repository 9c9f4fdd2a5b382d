"""offer_opportunities: matched to a theme, a page at a time, words from YAML."""

from __future__ import annotations

from bot.actions.opportunities import offer_opportunities
from tests.actions.conftest import FakePerson, MakeCtx


async def test_no_theme_known_asks(make_ctx: MakeCtx) -> None:
    result = await offer_opportunities(make_ctx())
    assert result.outcome == "no_theme" and not result.replies


async def test_unknown_theme_asks(make_ctx: MakeCtx) -> None:
    result = await offer_opportunities(make_ctx(vars={"purpose_theme": "astronomy"}))
    assert result.outcome == "no_theme"


async def test_theme_of_the_active_stored_purpose(make_ctx: MakeCtx) -> None:
    person = FakePerson()
    person.purpose("money", active=True)
    result = await offer_opportunities(make_ctx(person=person))
    assert result.vars["opportunities_theme"] == "money"
    assert "Free debt and money advice" in result.replies[0].text


async def test_purpose_theme_var_wins_and_pages_continue(make_ctx: MakeCtx) -> None:
    first = await offer_opportunities(make_ctx({"limit": 2}, {"purpose_theme": "housing"}))
    assert first.outcome == "more"
    assert first.vars == {"opportunities_theme": "housing", "opportunities_offset": 2}
    text = first.replies[0].text
    assert text.startswith("Here are some things that could help with housing:")
    assert "Council housing options team (in most areas)" in text
    second = await offer_opportunities(make_ctx({"more": True, "limit": 2}, first.vars))
    assert second.outcome == "all_shown"
    assert "Furniture reuse project (Swansea)" in second.replies[0].text
    assert "Council housing options team" not in second.replies[0].text


async def test_everything_on_one_page_is_all_shown(make_ctx: MakeCtx) -> None:
    result = await offer_opportunities(make_ctx({"theme": "{picked}", "limit": 50},
                                                {"picked": "family"}))
    assert result.outcome == "all_shown"
    assert "Family hub" in result.replies[0].text


async def test_args_override_the_words(make_ctx: MakeCtx) -> None:
    result = await offer_opportunities(make_ctx(
        {"theme": "work", "intro": "For {theme_name}:", "item": "- {name}", "limit": 1}))
    assert result.replies[0].text == "For work:\n\n- Local job club"


async def test_welsh(make_ctx: MakeCtx) -> None:
    result = await offer_opportunities(make_ctx(vars={"purpose_theme": "learning",
                                                      "language": "cy"}))
    assert result.replies[0].text.startswith("Dyma rai pethau a allai helpu (Dysgu):")
    assert "Canolfan dysgu oedolion" in result.replies[0].text
