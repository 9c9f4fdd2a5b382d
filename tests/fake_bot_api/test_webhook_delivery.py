"""Webhook delivery: the fake POSTs queued updates to 127.0.0.1 with the secret, several
chats at once, one chat at a time and in order, retrying what was not answered 2xx."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiohttp import web

from tests.fake_bot_api import FakeBotAPI

SECRET = "hook-s3cret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what it got; `hold` keeps answers back
    until released, `fail` answers the next few with an error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.got: list[tuple[dict[str, Any], str | None]] = []
        self.open: dict[int, int] = {}  # chat id -> POSTs open now
        self.most_open_per_chat = 0
        self.most_open = 0
        self.fail = 0
        self.hold = asyncio.Event()
        self.hold.set()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def texts(self, chat_id: int) -> list[str]:
        return [u["message"]["text"] for u, _ in self.got if u["message"]["chat"]["id"] == chat_id]

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        self.open[chat] = self.open.get(chat, 0) + 1
        self.most_open_per_chat = max(self.most_open_per_chat, self.open[chat])
        self.most_open = max(self.most_open, sum(self.open.values()))
        try:
            await self.hold.wait()
            if self.fail:
                self.fail -= 1
                return web.Response(status=500)
            self.got.append((update, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
            return web.Response(text="ok")
        finally:
            self.open[chat] -= 1

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        self.hold.set()
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(deliver_webhooks=True, webhook_retry_delay=0.05) as fake:
        yield fake


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver(free_port())
    await hook.start()
    yield hook
    await hook.stop()


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(api.token, base_url=api.base_url) as real_bot:
        yield real_bot


async def until(condition: Any, timeout: float = 5) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_delivers_with_the_secret_and_confirms(api: FakeBotAPI, bot: telegram.Bot,
                                                     receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    sent = api.send_text(42, "hello")
    await until(lambda: len(receiver.got) == 1)
    [(update, secret)] = receiver.got
    assert update == sent and secret == SECRET
    await until(lambda: not api.pending_updates)  # a 2xx confirms the update
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert api.webhook_posts.failures == 0


async def test_delete_webhook_stops_delivery(api: FakeBotAPI, bot: telegram.Bot,
                                             receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    api.send_text(42, "one")
    await until(lambda: len(receiver.got) == 1)
    await bot.delete_webhook()
    api.send_text(42, "two")
    await asyncio.sleep(0.2)  # nothing should happen: give a wrong delivery the time to
    assert receiver.texts(42) == ["one"]
    assert [u["message"]["text"] for u in api.pending_updates] == ["two"]  # for getUpdates
    assert [u.message.text for u in await bot.get_updates()] == ["two"]


async def test_one_chat_in_order_and_one_at_a_time_others_meanwhile(
        api: FakeBotAPI, bot: telegram.Bot, receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    receiver.hold.clear()
    for n in range(5):
        api.send_text(1, f"a{n}")
    for chat in range(2, 12):
        api.send_text(chat, "b")
    await until(lambda: sum(receiver.open.values()) == 11)  # chat 1's first + ten others
    assert receiver.open[1] == 1
    receiver.hold.set()
    await until(lambda: not api.pending_updates)
    assert receiver.texts(1) == [f"a{n}" for n in range(5)]
    assert receiver.most_open_per_chat == 1
    assert receiver.most_open == 11


async def test_max_connections_caps_posts_open_at_once(api: FakeBotAPI, bot: telegram.Bot,
                                                       receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET, max_connections=3)
    receiver.hold.clear()
    for chat in range(1, 11):
        api.send_text(chat, "hi")
    await until(lambda: sum(receiver.open.values()) == 3)
    await asyncio.sleep(0.1)  # a fourth must not open while three are held
    assert sum(receiver.open.values()) == 3
    receiver.hold.set()
    await until(lambda: len(receiver.got) == 10)
    assert receiver.most_open == 3 and api.webhook_posts.most_at_once == 3


async def test_an_error_answer_is_retried_and_the_chat_waits(
        api: FakeBotAPI, bot: telegram.Bot, receiver: Receiver) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    receiver.fail = 2
    api.send_text(7, "first")
    api.send_text(7, "second")
    await until(lambda: len(receiver.got) == 2)
    assert receiver.texts(7) == ["first", "second"]
    assert api.webhook_posts.failures == 2
    assert [p.status for p in api.webhook_posts.posts] == [500, 500, 200, 200]
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500"


async def test_a_refused_connection_is_retried_until_the_bot_listens(
        api: FakeBotAPI, bot: telegram.Bot) -> None:
    late = Receiver(free_port())  # nothing listens on its port yet
    await bot.set_webhook(late.url, secret_token=SECRET)
    api.send_text(9, "are you there?")
    await until(lambda: api.webhook_posts.failures >= 2)
    assert api.webhook_posts.posts[0].status == 0
    await late.start()
    try:
        await until(lambda: late.texts(9) == ["are you there?"])
        await until(lambda: not api.pending_updates)
    finally:
        await late.stop()


async def test_never_posts_beyond_loopback(api: FakeBotAPI, bot: telegram.Bot) -> None:
    await bot.set_webhook("https://example.invalid/hook", secret_token=SECRET)
    api.send_text(5, "hello")
    await asyncio.sleep(0.1)
    assert api.webhook_posts.posts == []
    assert len(api.pending_updates) == 1
    info = await bot.get_webhook_info()
    assert "127.0.0.1" in (info.last_error_message or "")


async def test_without_the_option_nothing_is_posted(receiver: Receiver) -> None:
    async with FakeBotAPI() as fake, telegram.Bot(fake.token, base_url=fake.base_url) as bot:
        await bot.set_webhook(receiver.url, secret_token=SECRET)
        fake.send_text(5, "hello")
        await asyncio.sleep(0.1)
        assert receiver.got == [] and fake.webhook_posts.posts == []
