"""Delivery faults through the real PTB Application: 429, 403, 500, dropped connections."""

from __future__ import annotations

import logging
import re

import pytest

from bot.core.keys import PersonKey
from tests.channels.conftest import TOKEN
from tests.channels.helpers import Person, settled
from tests.fake_bot_api import FakeBotAPI


class Recorder:
    """Stands in for storage's reachability so these tests need no storage support."""

    def __init__(self) -> None:
        self.marks: list[tuple[PersonKey, bool]] = []

    async def set_reachable(self, key: PersonKey, reachable: bool) -> None:
        self.marks.append((key, reachable))


@pytest.fixture(autouse=True)
def capture_all(caplog: pytest.LogCaptureFixture) -> None:
    """Everything at INFO, ours at DEBUG; httpx and httpcore as `configure_logging` sets
    them (they log request URLs, which hold the token). No redaction filter: these logs
    must be clean on their own."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    for noisy in ("httpx", "httpcore"):
        caplog.set_level(logging.WARNING, logger=noisy)


def assert_logs_clean(caplog: pytest.LogCaptureFixture) -> None:
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
    assert "privacy" not in caplog.text.lower()  # no message text


async def test_429_waits_retry_after_then_sends(api: FakeBotAPI, start_bot, caplog) -> None:
    bot = await start_bot()
    api.fail_next("sendMessage", 429, retry_after=1)
    assert await Person(api, 70).say("/start")
    first, second = api.calls("sendMessage")[:2]
    assert first.status == 429 and second.ok
    assert second.time - first.time >= 1.0
    assert not bot.outbox.failures
    assert_logs_clean(caplog)


async def test_500_and_dropped_connections_are_retried(api: FakeBotAPI, start_bot,
                                                       caplog) -> None:
    bot = await start_bot()
    bot.outbox.backoff = 0.05
    api.fail_next("sendMessage", 500, times=2)
    api.drop_connection_next("sendMessage")
    messages = await Person(api, 71).say("/start")
    assert len(messages) == 2  # welcome and the privacy question, neither lost
    statuses = [call.status for call in api.calls("sendMessage")]
    assert statuses[:3] == [500, 500, 0] and all(s == 200 for s in statuses[3:])
    assert not bot.outbox.failures
    assert_logs_clean(caplog)


async def test_forbidden_marks_unreachable_until_they_write_again(api: FakeBotAPI, start_bot,
                                                                  caplog) -> None:
    bot = await start_bot()
    bot.channel.reachability = recorder = Recorder()
    key = PersonKey("telegram", "72")
    api.block(72)
    api.send_text(72, "/start")
    await settled(api)
    assert api.messages_to(72) == []
    assert recorder.marks == [(key, True), (key, False)]
    assert bot.outbox.failures["forbidden"] >= 1
    assert bot.outbox.failures["unreachable"] == 1  # the privacy question, not tried
    # The chat's logged reference is a keyed hash that may itself begin with "72".
    assert "reason=forbidden" in caplog.text and not re.search(r"chat=72\b", caplog.text)
    assert len(api.calls("sendMessage")) == 1  # a block is final: no retries
    api.unblock(72)
    assert await Person(api, 72).say("/menu")
    assert recorder.marks[-1] == (key, True)
    assert_logs_clean(caplog)


async def test_block_and_unblock_announcements_change_reachability(api: FakeBotAPI,
                                                                   start_bot) -> None:
    bot = await start_bot()
    bot.channel.reachability = recorder = Recorder()
    api.block(73, announce=True)
    await settled(api)
    api.unblock(73, announce=True)
    await settled(api)
    key = PersonKey("telegram", "73")
    assert recorder.marks == [(key, False), (key, True)]


async def test_final_failures_are_logged_with_a_reason_and_no_text(api: FakeBotAPI, start_bot,
                                                                   caplog) -> None:
    bot = await start_bot()
    bot.outbox.backoff = 0.01
    api.fail_method("sendMessage", 400, "Bad Request: chat not found")
    api.send_text(74, "/start")
    await settled(api)
    assert bot.outbox.failures["bad_request"] == 2  # both replies, each accounted for
    assert caplog.text.count("delivery failed: reason=bad_request method=sendMessage") == 2
    api.heal()
    api.fail_method("sendMessage", 500)
    api.send_text(74, "/menu")
    await settled(api)
    assert bot.outbox.failures["network"] == 1
    assert_logs_clean(caplog)


async def test_forbidden_is_stored_until_they_write_again(api: FakeBotAPI, start_bot,
                                                          tmp_path) -> None:
    from bot.storage.sqlite import SQLiteStorage

    bot = await start_bot(storage=SQLiteStorage(tmp_path / "goodhelp.db"))
    storage = bot.app.storage
    key = PersonKey("telegram", "75")
    person = Person(api, 75)
    await person.say("/start")
    api.block(75)
    api.send_text(75, "/menu")
    await settled(api)
    assert not await storage.reachability.is_reachable(key)
    api.unblock(75)
    await person.say("/menu")
    assert await storage.reachability.is_reachable(key)
