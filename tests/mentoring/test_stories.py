"""Mentors' role-model stories (issue 12, slice 5): written by a mentor, read by staff
before any person sees one, told without a name, withdrawn at the mentor's word."""

from __future__ import annotations

from tests.mentoring.conftest import MENTOR, PERSON, STAFF, Chats

ANSWERS = ("I was sleeping on a friend's sofa", "I opened one letter a day",
           "A support worker who never rushed me", "I have my own flat now")


async def write_story(chats: Chats, theme: str = "Housing") -> str:
    await chats.say(MENTOR, "/mystory")
    if any(o.label == "Write a new story" for r in chats.last[MENTOR] for o in r.options):
        await chats.press(MENTOR, "Write a new story")  # they have written one before
    await chats.press(MENTOR, "Yes, let's start")
    for answer in ANSWERS:
        await chats.say(MENTOR, answer)
    await chats.press(MENTOR, theme)
    return await chats.press(MENTOR, "Yes, send it")


async def read_stories(chats: Chats, times: int = 40) -> str:
    """Every story the person is told over ``times`` asks (the library has 26 of its own)."""
    told = []
    for _ in range(times):
        told.append(await chats.say(PERSON, "/story"))
        await chats.say(PERSON, "/cancel")
    return "\n".join(told)


async def test_a_story_reaches_people_only_after_staff_approve_it_and_without_a_name(
        chats: Chats) -> None:
    assert "Thank you for sharing it" in await write_story(chats)
    assert "support worker who never rushed me" not in await read_stories(chats)  # unread
    await chats.say(STAFF, "/staff")
    review = await chats.press(STAFF, "Review mentors' stories")
    assert "A story from a mentor (Housing)" in review and "own flat" in review
    assert "Max" not in review  # staff judge the story, not the writer
    assert "Done" in await chats.press(STAFF, "Approve it")
    told = await read_stories(chats)
    assert ("A peer mentor with the programme:\n\n\"I was sleeping on a friend's sofa. I opened "
            "one letter a day. A support worker who never rushed me. I have my own flat now.\""
            ) in told
    for secret in ("Max", MENTOR.external_id):
        assert secret not in chats.everything_sent_to(PERSON)
    await chats.say(MENTOR, "/cancel")
    await chats.tick()
    assert "staff have added your story to the library, without your name" in (
        chats.last[MENTOR][-1].text)
    before = len(chats.inbox[MENTOR])
    await chats.tick(minutes=90)
    assert len(chats.inbox[MENTOR]) == before  # told once
    assert "In the story library" in await chats.say(MENTOR, "/mystory")


async def test_a_withdrawn_story_is_gone_at_once(chats: Chats) -> None:
    await write_story(chats)
    await chats.say(STAFF, "/staff")
    await chats.press(STAFF, "Review mentors' stories")
    await chats.press(STAFF, "Approve it")
    store = chats.app.conversations.mentoring.store
    assert len(await store.stories("approved")) == 1
    await chats.say(MENTOR, "/mystory")
    await chats.press(MENTOR, "Withdraw one")
    assert "That story is gone" in await chats.say(MENTOR, "1")
    assert await store.stories("approved") == []
    assert "never rushed me" not in await read_stories(chats)


async def test_staff_edit_or_decline_with_kind_words_the_writer_sees(chats: Chats) -> None:
    await write_story(chats)
    await write_story(chats, theme="Work")
    await chats.say(STAFF, "/staff")
    await chats.press(STAFF, "Review mentors' stories")
    await chats.press(STAFF, "Edit it")
    assert "never keeps" in await chats.say(STAFF, "Call 07700 900123, I'm in the flat now")
    await chats.say(STAFF, "I was on a sofa. Now I have a flat.")
    await chats.press(STAFF, "Yes, the next one")
    await chats.press(STAFF, "Don't share it")
    await chats.say(STAFF, "Thank you for writing this. A detail in it could identify you.")
    mine = await chats.say(MENTOR, "/mystory")
    assert '1. "I was on a sofa. Now I have..."\nIn the story library' in mine
    assert ('2. "I was sleeping on a friend\'s sofa. I..."\nNot shared. Staff said: '
            '"Thank you for writing this. A detail in it could identify you."') in mine
    approved = await chats.app.conversations.mentoring.store.stories("approved")
    assert [s.text for s in approved] == ["I was on a sofa. Now I have a flat."]
    await chats.say(MENTOR, "/cancel")
    await chats.tick()
    await chats.tick(minutes=1)
    told = chats.everything_sent_to(MENTOR)
    assert "added your story to the library" in told
    assert ("didn't add your story to the library this time. They said: \"Thank you for "
            "writing this. A detail in it could identify you.\"") in told


async def test_only_mentors_write_and_only_staff_review(chats: Chats) -> None:
    assert "for the programme's mentors or staff" in await chats.say(PERSON, "/mystory")
    await write_story(chats)
    desk = chats.app.conversations.mentoring.desk
    assert await desk(MENTOR).stories().next_for_staff() is None  # a mentor is not staff
    assert await desk(PERSON).stories().decide(1, "approve") == "gone"
    assert await chats.app.conversations.mentoring.store.stories("approved") == []


async def test_a_mentors_delete_takes_their_stories_out_of_the_library(chats: Chats) -> None:
    await write_story(chats)
    await chats.say(STAFF, "/staff")
    await chats.press(STAFF, "Review mentors' stories")
    await chats.press(STAFF, "Approve it")
    await chats.say(MENTOR, "/delete")
    await chats.press(MENTOR, chats.last[MENTOR][-1].options[0].label)
    assert await chats.app.conversations.mentoring.store.stories("approved") == []
