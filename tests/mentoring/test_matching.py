"""Automatic matching by theme and capacity, and "every message waits for staff"."""

from __future__ import annotations

from dataclasses import replace

from bot.core.keys import PersonKey
from bot.core.mentoring import Shared
from bot.core.records import Purpose
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from tests.mentoring.conftest import MENTOR, ONBOARDED, PERSON, Chats, matched

OTHER_MENTOR = PersonKey("telegram", "5550009")
SECOND = PersonKey("telegram", "5550010")


async def test_automatic_matching_prefers_the_theme_then_respects_capacity(
        chats: Chats) -> None:
    mentoring = chats.app.conversations.mentoring
    mentoring.settings = replace(mentoring.settings, matching="automatic", capacity=1)
    now = chats.clock.now()
    housing = Purpose("h1", "A place of my own", now, theme="housing")
    await chats.app.storage.commit_turn(TurnWrite(
        OTHER_MENTOR, ConversationState(vars=dict(ONBOARDED)), (housing,), now))
    await chats.app.conversations.roles.grant(OTHER_MENTOR, "mentor", now)
    desk = mentoring.desk(PERSON)
    assert await desk.request_mentor(Shared("Sam", "housing")) == "matched"
    link = await mentoring.store.current_link(PERSON)
    assert link is not None and link.mentor == OTHER_MENTOR  # shares the theme
    await chats.app.storage.commit_turn(TurnWrite(
        SECOND, ConversationState(vars=dict(ONBOARDED)), (), now))
    assert await mentoring.desk(SECOND).request_mentor(Shared("Jo", "housing")) == "matched"
    second = await mentoring.store.current_link(SECOND)
    assert second is not None and second.mentor == MENTOR  # the other is full
    third = PersonKey("telegram", "5550011")
    assert await mentoring.desk(third).request_mentor(Shared()) == "waiting"


async def test_with_approval_for_all_every_mentor_message_waits_for_staff(
        chats: Chats) -> None:
    mentoring = chats.app.conversations.mentoring
    mentoring.settings = replace(mentoring.settings, approval="all")
    ref = await matched(chats)
    await chats.say(MENTOR, "/mentoring")
    await chats.press(MENTOR, "Write some encouragement")
    await chats.say(MENTOR, ref)
    assert "staff look at this one" in await chats.say(MENTOR, "Lovely to meet you.")
    await chats.tick(minutes=61)
    assert "Lovely to meet you" not in chats.everything_sent_to(PERSON)
    assert len(await mentoring.store.held()) == 1


async def test_a_mentor_cannot_be_matched_with_themselves(chats: Chats) -> None:
    mentoring = chats.app.conversations.mentoring
    mentoring.settings = replace(mentoring.settings, matching="automatic")
    assert await mentoring.desk(MENTOR).request_mentor(Shared("Max")) == "waiting"
