"""offer_story: matched to the person's themes, never repeated until all have been shown."""

from __future__ import annotations

import random
from itertools import pairwise

from bot.actions.stories import matching_stories, offer_story, pick_story
from tests.actions.conftest import FakePerson, MakeCtx

STORIES = [{"id": f"s{i}", "themes": [theme]} for i, theme in
           enumerate(["work", "work", "work", "health", "money"])]


def test_each_matching_story_once_per_round_and_no_repeat_across_rounds() -> None:
    rng = random.Random(0)
    candidates = matching_stories(STORIES, {"work"})
    assert [s["id"] for s in candidates] == ["s0", "s1", "s2"]
    shown: list[str] = ["s4"]  # a story of another theme stays remembered
    told: list[str] = []
    for _ in range(30):
        story, shown = pick_story(candidates, shown, rng)
        told.append(story["id"])
    for start in range(0, 30, 3):
        assert sorted(told[start:start + 3]) == ["s0", "s1", "s2"], told
    assert all(a != b for a, b in pairwise(told)), told
    assert "s4" in shown


def test_no_known_theme_or_only_other_means_every_story() -> None:
    assert matching_stories(STORIES, set()) == STORIES
    assert matching_stories(STORIES, {"other"}) == STORIES
    assert matching_stories(STORIES, {"housing"}) == STORIES  # nothing matches: all of them


def test_a_single_matching_story_can_be_told_again() -> None:
    story, shown = pick_story(STORIES[3:4], ["s3"], random.Random(0))
    assert story["id"] == "s3" and shown == ["s3"]


async def test_offer_story_uses_purpose_themes_and_remembers(make_ctx: MakeCtx) -> None:
    person = FakePerson()
    person.purpose("housing")
    seen: list[str] = []
    vars: dict[str, object] = {}
    for _ in range(6):  # every housing story once, in turn, not two alternating (issue 11)
        result = await offer_story(make_ctx({"text": "{who}: {story}"}, vars, person))
        assert result.outcome == "shown"
        vars = dict(result.vars)
        seen.append(vars["stories_shown"][-1])  # type: ignore[index]
    assert sorted(seen) == ["a-room-of-my-own", "bunk-beds", "letters-in-a-drawer",
                            "my-own-kettle", "the-bidding-list", "the-first-bill"]


async def test_offer_story_in_welsh(make_ctx: MakeCtx) -> None:
    ctx = make_ctx({"text": {"en": "EN {story}", "cy": "CY {who}: {story}"}},
                   {"language": "cy", "purpose_theme": "family"})
    result = await offer_story(ctx)
    assert result.replies[0].text.startswith("CY ")
    assert " I " not in result.replies[0].text


async def test_an_empty_library_says_so(make_ctx: MakeCtx) -> None:
    ctx = make_ctx({"text": "{story}", "none": "No stories yet."}, content_override={})
    result = await offer_story(ctx)
    assert result.outcome == "none"
    assert [r.text for r in result.replies] == ["No stories yet."]


async def test_ids_of_removed_stories_are_forgotten(make_ctx: MakeCtx) -> None:
    ctx = make_ctx({"text": "{story}"}, {"stories_shown": ["gone-story", "my-own-kettle"],
                                         "purpose_theme": "housing"})
    result = await offer_story(ctx)
    shown = result.vars["stories_shown"]
    assert shown[0] == "my-own-kettle" and len(shown) == 2 and "gone-story" not in shown


def test_a_mentors_answers_read_as_one_story_in_their_words() -> None:
    from bot.actions.mentor_stories import join_story

    assert join_story(["I was stuck", " I took a walk. ", "", "now I'm OK!"]) == (
        "I was stuck. I took a walk. Now I'm OK!")
