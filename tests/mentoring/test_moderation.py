"""Staff moderate in Telegram (the /staff flow): held messages, reports, mentors."""

from __future__ import annotations

from dataclasses import replace

from tests.mentoring.conftest import MENTOR, PERSON, STAFF, Chats, matched


async def held_message(chats: Chats, text: str) -> None:
    mentoring = chats.app.conversations.mentoring
    mentoring.settings = replace(mentoring.settings, approval="all")
    ref = await matched(chats)
    await chats.say(MENTOR, "/mentoring")
    await chats.press(MENTOR, "Write some encouragement")
    await chats.say(MENTOR, ref)
    assert "staff look at this one" in await chats.say(MENTOR, text)


async def test_staff_approve_a_held_message_and_it_is_delivered(chats: Chats) -> None:
    await held_message(chats, "So glad you joined.")
    await chats.say(STAFF, "/staff")
    shown = await chats.press(STAFF, "Review held messages")
    assert "So glad you joined." in shown and "From a mentor" in shown
    assert "Would you like the next one" in await chats.press(STAFF, "Approve it")
    await chats.tick(minutes=61)
    assert "So glad you joined." in chats.everything_sent_to(PERSON)


async def test_staff_edit_and_an_edit_with_a_contact_is_refused(chats: Chats) -> None:
    await held_message(chats, "So glad you joined!!")
    await chats.say(STAFF, "/staff")
    await chats.press(STAFF, "Review held messages")
    await chats.press(STAFF, "Edit it")
    assert "never pass on" in await chats.say(STAFF, "ring 07700 900123")
    await chats.say(STAFF, "So glad you're here.")
    await chats.tick(minutes=61)
    got = chats.everything_sent_to(PERSON)
    assert "So glad you're here." in got and "!!" not in got


async def test_a_rejected_message_never_arrives_and_the_author_hears_why_kindly(
        chats: Chats) -> None:
    await held_message(chats, "Get a job.")
    await chats.say(STAFF, "/staff")
    await chats.press(STAFF, "Review held messages")
    await chats.press(STAFF, "Don't pass it on")
    await chats.say(STAFF, "Thank you for writing; a question may land better.")
    await chats.tick(minutes=61)
    assert "Get a job" not in chats.everything_sent_to(PERSON)
    assert "a question may land better" in chats.last[MENTOR][-1].text


async def test_a_report_reaches_the_review_queue(chats: Chats) -> None:
    ref = await matched(chats)
    await chats.say(MENTOR, "/mentoring")
    await chats.press(MENTOR, "Write some encouragement")
    await chats.say(MENTOR, ref)
    await chats.say(MENTOR, "Hello there.")
    await chats.tick(minutes=61)
    await chats.press(PERSON, "Report this")
    await chats.say(STAFF, "/staff")
    assert "the person reported it" in await chats.press(STAFF, "Review held messages")


async def test_staff_see_mentors_load_and_remove_one(chats: Chats) -> None:
    await matched(chats)
    await chats.say(STAFF, "/staff")
    listing = await chats.press(STAFF, "Mentors and their load")
    assert "1. Max: 1 people" in listing
    assert PERSON.external_id not in listing and MENTOR.external_id not in listing
    await chats.press(STAFF, "Remove a mentor")
    assert "1 people will hear kindly" in await chats.say(STAFF, "1")
    await chats.tick(minutes=61)
    assert "no longer with the programme" in chats.everything_sent_to(PERSON)
    assert not await chats.app.conversations.roles.holds(MENTOR, "mentor")


async def test_a_mentor_cannot_use_the_staff_review(chats: Chats) -> None:
    assert "for the programme's mentors or staff" in await chats.say(MENTOR, "/staff")
    assert await chats.app.conversations.mentoring.desk(MENTOR).next_held() is None
