"""Mentors' stories in the mentoring store (issue 12, slice 5), run against every backend:
submitted, decided once, told once, withdrawn, and gone with the mentor."""

from __future__ import annotations

from datetime import timedelta

from bot.core.keys import PersonKey
from bot.storage.base import Storage
from bot.storage.mentoring import mentor_store_for
from tests.storage.conftest import START

MAX = PersonKey("telegram", "333")
KIM = PersonKey("telegram", "444")


class TestMentorStories:
    """A story waits for staff, is decided once, its writer told once, and can be withdrawn."""

    async def test_a_story_waits_for_staff_then_joins_the_library_and_its_writer_is_told(
            self, storage: Storage) -> None:
        store = mentor_store_for(storage)
        try:
            first = await store.add_story(MAX, "work", "I found a bench by the river. ☀️", START)
            second = await store.add_story(KIM, "home", "שלום; DROP TABLE x;--", START)
            assert [s.id for s in await store.stories("submitted")] == [first, second]
            assert await store.decide_story(first, "approved", START + timedelta(hours=1))
            assert not await store.decide_story(first, "rejected", START + timedelta(hours=2))
            assert await store.decide_story(second, "rejected", START + timedelta(hours=1),
                                            reason="It names a place someone could find.")
            library = await store.stories("approved")
            assert [(s.theme, s.text) for s in library] == [
                ("work", "I found a bench by the river. ☀️")]
            news = await store.story_news_for(KIM)
            assert news is not None and news.reason == "It names a place someone could find."
            assert await store.story_told(news.id, START + timedelta(hours=3))
            assert await store.story_news_for(KIM) is None
            assert [s.text for s in await store.stories_of(KIM)] == ["שלום; DROP TABLE x;--"]
        finally:
            await store.close()

    async def test_withdrawn_means_deleted_and_only_by_its_writer(self, storage: Storage) -> None:
        store = mentor_store_for(storage)
        try:
            story = await store.add_story(MAX, "work", "A small step.", START)
            assert not await store.delete_story(KIM, story)
            assert await store.delete_story(MAX, story)
            assert await store.stories_of(MAX) == []
            assert await store.stories("submitted") == []
            await store.add_story(MAX, "work", "Another one.", START)
            await store.delete_person(MAX, START)  # the mentor's /delete
            assert await store.stories_of(MAX) == []
        finally:
            await store.close()
