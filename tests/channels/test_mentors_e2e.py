"""Three chats on the fake Bot API: a person, a mentor and a staff member (issue 12).

Invitations make the mentor and the staff member; the person asks for a mentor, staff
match them, encouragement and a reply travel through the relay, and what the mentor's
chat receives never holds the person's Telegram id, name or username.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import open_app
from bot.channels.telegram.app import TelegramBot
from bot.channels.telegram.options import TelegramOptions
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.scheduling.relay import RelayDispatcher
from bot.storage.base import TurnWrite
from bot.storage.sqlite import SQLiteStorage
from tests.channels.helpers import Person, text_of
from tests.conftest import FLOWS
from tests.fake_bot_api import FakeBotAPI

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PERSON, MENTOR, STAFF = 7001, 7002, 7003
ONBOARDED = {"consent": "yes", "language": "en", "timezone": "Europe/London",
             "checkin_time": "09:00", "rhythm": "ask", "name": ""}


@pytest.fixture
async def rig(api: FakeBotAPI, tmp_path: Path
              ) -> AsyncIterator[tuple[TelegramBot, FakeClock, RelayDispatcher]]:
    clock = FakeClock(START)
    app = await open_app(FLOWS, SQLiteStorage(tmp_path / "g.db", clock=clock), clock=clock)
    for chat in (PERSON, MENTOR, STAFF):
        key = PersonKey("telegram", str(chat))
        await app.storage.commit_turn(TurnWrite(key, ConversationState(vars=dict(ONBOARDED)),
                                                (), clock.now()))
    bot = TelegramBot(app, TelegramOptions(token=api.token, server=api.url, per_second=1000,
                                           per_chat_burst=1000, poll_timeout=5))
    await bot.start()
    relay = RelayDispatcher(app.conversations, app.storage.reachability, clock, bot.send_scheduled)
    yield bot, clock, relay
    await bot.stop(drain_timeout=5)
    await app.close()


def label_index(person: Person, label: str) -> int:
    rows = person.keyboard_message().buttons
    labels = [text for row in rows for text, _ in row]
    return labels.index(label)


async def press(person: Person, label: str) -> str:
    return text_of(await person.press(label_index(person, label)))


async def test_three_chats_invite_match_encourage_and_reply(
        rig: tuple[TelegramBot, FakeClock, RelayDispatcher], api: FakeBotAPI) -> None:
    bot, clock, relay = rig
    roles = bot.app.conversations.roles
    _, staff_code = await roles.create_invite("staff", clock.now(), clock.now() + timedelta(1))
    _, mentor_code = await roles.create_invite("mentor", clock.now(), clock.now() + timedelta(1))
    person, mentor, staff = Person(api, PERSON), Person(api, MENTOR), Person(api, STAFF)

    assert "for programme staff" in text_of(await staff.say(f"/start {staff_code}"))
    assert "to be a peer mentor" in text_of(await mentor.say(f"/start {mentor_code}"))
    assert "for the programme's mentors or staff" in text_of(await person.say("/staff"))

    api.send_text(PERSON, "/mentor", first_name="Samantha", username="sam_private")
    assert "not a counsellor" in text_of(await person.replies())
    await press(person, "Yes, please")
    await person.say("Sam")
    assert "match you with a mentor soon" in await press(person, "Yes")

    await staff.say("/staff")
    assert "Done" in await press(staff, "Match the next person waiting")
    first = await relay.tick()
    assert first.sent == 1 and first.counts["busy"] == 1  # the mentor sits at the menu
    clock.advance(timedelta(minutes=31))
    assert (await relay.tick()).sent == 1  # a menu left alone is closed quietly
    assert "matched with you" in text_of(await person.replies())
    link = await bot.app.conversations.mentoring.store.current_link(
        PersonKey("telegram", str(PERSON)))
    assert link is not None
    assert f"Sam ({link.ref})" in text_of(await mentor.replies())

    await mentor.say("/mentoring")
    await press(mentor, "Write some encouragement")
    await mentor.say(link.ref)
    assert "can't pass on" in text_of(await mentor.say("text me 07700 900123"))
    assert "pass it on" in text_of(await mentor.say("Glad you're here. What helped?"))
    clock.advance(timedelta(minutes=61))
    assert (await relay.tick()).sent == 1
    got = await person.replies()
    assert "Glad you're here" in text_of(got)
    assert [t for row in got[-1].buttons for t, _ in row] == [
        "Thank them", "Reply", "Not now", "Stop mentor messages", "Report this"]

    await press(person, "Reply")
    assert "Sent on" in text_of(await person.say("The walk helped, thank you"))
    assert (await relay.tick()).sent == 1
    assert "The walk helped" in text_of(await mentor.replies())

    everything = text_of(api.messages_to(MENTOR)) + "".join(
        str(m.reply_markup) for m in api.messages_to(MENTOR))
    for secret in (str(PERSON), "Samantha", "sam_private", "07700"):
        assert secret not in everything
    assert "07700" not in text_of(api.messages_to(PERSON))
