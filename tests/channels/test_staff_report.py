"""Staff reports in Telegram, over the fake Bot API on 127.0.0.1: /report sends a summary
chart as a photo and the page as a document, staff turn a weekly digest on and off, and
the digest comes on Monday morning from the real digest job on a FakeClock."""

from __future__ import annotations

import random
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
from bot.storage.base import TurnWrite
from bot.storage.sqlite import SQLiteStorage
from tests.actions.test_programme import seed
from tests.channels.helpers import Person, text_of
from tests.conftest import FLOWS
from tests.fake_bot_api import FakeBotAPI

WEDNESDAY = datetime(2026, 4, 29, 15, 0, tzinfo=UTC)  # eight weeks after the seeded start
STAFF, OTHER = 5151, 6262
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def rig(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[tuple[TelegramBot, FakeClock]]:
    clock = FakeClock(WEDNESDAY)
    storage = SQLiteStorage(tmp_path / "staff.db", clock=clock)
    app = await open_app(FLOWS, storage, clock=clock, rng=random.Random(2))
    await seed(storage, 40)
    for chat in (STAFF, OTHER):
        state = ConversationState(vars={"consent": "yes", "language": "en"})
        await storage.commit_turn(TurnWrite(PersonKey("telegram", str(chat)), state, (),
                                            clock.now()))
    # Staff as `goodhelp invite staff` makes them: a role in the role store.
    await app.conversations.roles.grant(PersonKey("telegram", str(STAFF)), "staff", clock.now())
    bot = TelegramBot(app, TelegramOptions(token=api.token, server=api.url, per_second=1000,
                                           per_chat_burst=1000, poll_timeout=5))
    await bot.start()
    yield bot, clock
    await bot.stop(drain_timeout=5)
    await app.close()


def files(api: FakeBotAPI, chat: int) -> list[tuple[str, str, bytes]]:
    """(method, file name, bytes) of every photo and document sent to the chat."""
    calls = sorted(api.calls("sendPhoto") + api.calls("sendDocument"), key=lambda c: c.time)
    return [(c.method, *next(iter(c.files.values()))) for c in calls if c.chat_id == chat]


async def test_staff_get_the_chart_as_a_photo_and_the_page_as_a_document(
        rig: tuple[TelegramBot, FakeClock], api: FakeBotAPI) -> None:
    person = Person(api, STAFF)
    replies = await person.say("/report")
    sent = files(api, STAFF)
    assert [method for method, _, _ in sent] == ["sendPhoto", "sendDocument"]
    (_, _, png), (_, page_name, page) = sent
    assert png.startswith(PNG)
    assert page_name.endswith(".html")
    html = page.decode("utf-8")
    assert "In one minute" in html and "<script" not in html
    assert str(STAFF) not in html
    assert "counts only" in text_of(replies).lower()
    assert "Would you like this every Monday morning?" in text_of(replies)


async def test_someone_else_gets_no_report_only_a_kind_pointer(
        rig: tuple[TelegramBot, FakeClock], api: FakeBotAPI) -> None:
    replies = await Person(api, OTHER).say("/report")
    assert "for the programme's staff" in text_of(replies)
    assert files(api, OTHER) == []


async def test_the_digest_comes_on_monday_morning_once_and_stops_when_asked(
        rig: tuple[TelegramBot, FakeClock], api: FakeBotAPI) -> None:
    bot, clock = rig
    assert bot.digest is not None
    person = Person(api, STAFF)
    await person.say("/report")
    await person.press(0)  # "Yes, every Monday"
    before = len(files(api, STAFF))

    assert await bot.digest.tick() == 0, "nothing before Monday"
    clock.set(datetime(2026, 5, 4, 7, 0, tzinfo=UTC))  # Monday, before 08:00
    assert await bot.digest.tick() == 0
    clock.advance(timedelta(hours=1, minutes=5))
    assert await bot.digest.tick() == 1
    await api.wait_for_calls("sendDocument", 2)
    after = files(api, STAFF)[before:]
    assert [m for m, _, _ in after] == ["sendPhoto", "sendDocument"]
    assert "Your Monday report" in text_of(person.new_messages())
    clock.advance(timedelta(hours=3))
    assert await bot.digest.tick() == 0, "once a week"

    await person.say("/report")
    await person.press(1)  # "No, stop it"
    clock.set(datetime(2026, 5, 11, 9, 0, tzinfo=UTC))
    assert await bot.digest.tick() == 0
