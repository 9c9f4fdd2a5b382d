"""What a mentor may learn over time, and how long relayed words are kept (issue 12):
the "logged a win this week" signal, and the safeguarding period's deletion."""

from __future__ import annotations

from datetime import timedelta

from bot.core.records import Achievement
from bot.core.state import ConversationState
from bot.storage.base import TurnWrite
from tests.mentoring.conftest import MENTOR, ONBOARDED, PERSON, STAFF, Chats, matched

WIN_SIGNAL = "(logged a win this week)"


async def log_win(chats: Chats, text: str) -> None:
    state = await chats.app.storage.load(PERSON) or ConversationState(vars=dict(ONBOARDED))
    await chats.app.storage.commit_turn(TurnWrite(
        PERSON, state, (Achievement(text, chats.clock.now()),), chats.clock.now()))


async def mentor_listing(chats: Chats) -> str:
    listing = await chats.say(MENTOR, "/mentoring")
    await chats.press(MENTOR, "That's all for now")
    return listing


async def test_a_win_this_week_is_shown_only_as_a_signal_and_only_that_week(
        chats: Chats) -> None:
    ref = await matched(chats)  # said yes to the signal
    assert WIN_SIGNAL not in await mentor_listing(chats)  # no win yet
    await log_win(chats, "Phoned the housing office about the flat")
    listing = await mentor_listing(chats)
    line = next(line for line in listing.splitlines() if ref in line)
    assert WIN_SIGNAL in line
    assert "housing office" not in chats.everything_sent_to(MENTOR)  # never what it was
    chats.clock.advance(timedelta(days=8))
    assert WIN_SIGNAL not in await mentor_listing(chats)


async def test_no_win_signal_for_a_person_who_did_not_allow_it(chats: Chats) -> None:
    await chats.say(PERSON, "/mentor")
    await chats.press(PERSON, "Yes, please")
    await chats.say(PERSON, "Sam")
    await chats.press(PERSON, "No, thanks")  # the win signal
    await chats.say(STAFF, "/staff")
    await chats.press(STAFF, "Match the next person waiting")
    await log_win(chats, "Went to the job club")
    listing = await mentor_listing(chats)
    assert "name Sam" in listing and WIN_SIGNAL not in listing
    mentees = await chats.app.conversations.mentoring.desk(MENTOR).mentees()
    assert [m.win_this_week for m in mentees] == [None]


async def test_relayed_messages_are_deleted_after_the_safeguarding_period(
        chats: Chats) -> None:
    ref = await matched(chats)
    store = chats.app.conversations.mentoring.store
    assert chats.app.conversations.mentoring.settings.keep_days == 30
    link = await store.current_link(PERSON)
    assert link is not None
    start = chats.clock.now()
    old = await store.add_message(link.id, "to_person", "message", "Old words", "delivered",
                                  start)
    held = await store.add_message(link.id, "to_person", "message", "Waiting for staff",
                                   "held", start)
    chats.clock.advance(timedelta(days=29))
    recent = await store.add_message(link.id, "to_mentor", "reply", "Recent words",
                                     "delivered", chats.clock.now())
    await chats.tick()
    assert await store.message(old) is not None  # 29 days: still kept
    chats.clock.advance(timedelta(days=1, minutes=1))
    await chats.tick()
    assert await store.message(old) is None  # past 30 days: gone
    assert await store.message(recent) is not None
    # Something staff have not decided on yet is never deleted from under them.
    assert await store.message(held) is not None
    assert ref  # the pair stays matched
    assert (await store.current_link(PERSON)) is not None
