"""flows/content/encouragement.yaml and bot/scheduling/encouragement.py: every text in
English and Welsh with the same placeholders, "how long ago" in the person's language,
and a Welsh speaker's scheduled check-in opening in Welsh."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.engine.yamlsource import load_yaml
from bot.scheduling import encouragement
from tests.conftest import FLOWS
from tests.scheduling.conftest import MONDAY, Rig

CONTENT = load_yaml(FLOWS / "content" / "encouragement.yaml")
FIELD = re.compile(r"\{([^{}|]*)")
NOW = datetime(2026, 1, 26, 9, 0, tzinfo=UTC)


def fields(text: Any) -> set[str]:
    texts = text if isinstance(text, list) else [text]
    return {f for t in texts for f in FIELD.findall(str(t))}


def test_every_item_has_english_and_welsh_with_the_same_placeholders() -> None:
    found = encouragement.items(CONTENT)
    assert found
    for item in found:
        assert set(item.text) == {"en", "cy"}, item.id
        assert fields(item.text["en"]) == fields(item.text["cy"]), item.id
        used = fields(item.text["en"]) - {"win_when"}
        assert used == set(item.needs), item.id
    playback = CONTENT["playback"]
    assert fields(playback["en"]) == fields(playback["cy"])


def test_how_long_ago_in_the_persons_language() -> None:
    three_weeks = NOW - timedelta(days=21)
    assert encouragement.ago(CONTENT, three_weeks, NOW) == "Three weeks ago"
    assert encouragement.ago(CONTENT, three_weeks, NOW, "cy") == "3 wythnos yn ôl"
    assert encouragement.ago(CONTENT, NOW - timedelta(days=1), NOW, "cy") == "Ddoe"
    assert encouragement.ago(CONTENT, NOW - timedelta(days=40), NOW, "cy") == "Fis yn ôl"
    assert encouragement.ago(CONTENT, NOW - timedelta(days=95), NOW, "cy") == "3 mis yn ôl"


def test_a_language_without_words_falls_back_to_english() -> None:
    assert encouragement.ago(CONTENT, NOW - timedelta(days=3), NOW, "fr") == "Three days ago"


def test_plain_words_without_languages_still_work() -> None:
    plain = {"ago": {"weeks": "{n} weeks ago"}, "numbers": ["zero", "one", "two"]}
    assert encouragement.ago(plain, NOW - timedelta(days=14), NOW, "cy") == "Two weeks ago"


def pattern(template: str) -> re.Pattern[str]:
    """A rendered text of ``template``: any words where its placeholders were."""
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".*".join(map(re.escape, parts)), re.DOTALL)


def templates(language: str) -> list[re.Pattern[str]]:
    return [pattern(str(i.text[language])) for i in encouragement.items(CONTENT)]


async def test_a_welsh_speaker_gets_their_past_win_played_back_in_welsh(rig: Rig) -> None:
    await rig.person(language="cy")
    await rig.dip_after_old_win("ffoniais y ganolfan waith")
    await rig.dispatcher.tick(MONDAY + timedelta(days=1, hours=1))
    [text] = rig.texts()
    assert "ffoniais y ganolfan waith" in text and "3 wythnos yn ôl" in text.lower()
    assert "weeks ago" not in text and "you told me" not in text


async def test_a_welsh_speakers_scheduled_check_ins_open_in_welsh(rig: Rig) -> None:
    await rig.person(language="cy", purpose="mynd yn ôl i'r gwaith", purpose_theme="work")
    await rig.run_until(MONDAY + timedelta(days=4), step_minutes=60)
    assert len(rig.sent) == 3  # the fourth, unanswered, would ask "still like these?"
    welsh, english = templates("cy"), templates("en")
    for _, replies in rig.sent:
        opening, question = replies[0].text, replies[-1].text
        assert any(p.fullmatch(opening) for p in welsh), opening
        assert not any(p.fullmatch(opening) for p in english), opening
        assert re.search("Hoffech chi sgwrs fer|Oes gennych chi funud", question), question
