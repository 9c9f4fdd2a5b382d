"""Shared mode as real processes: one ingress and two workers on one PostgreSQL database,
behind the fake Bot API with Telegram's limits on. Twenty people's messages are posted to
the ingress; every person's replies arrive complete and in order, the fake server gives
no 429 (one sender for both workers), and when the worker that is the sender is killed
(-9) the other takes over and everything still arrives."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.channels.telegram.ingress import SECRET_HEADER
from bot.core.keys import PersonKey
from bot.storage.postgres import PostgresStorage
from tests.channels.conftest import STEADY_FLOWS, TOKEN
from tests.channels.test_webhook import free_port
from tests.fake_bot_api import FakeBotAPI

SECRET = "shared_s3cret"
PEOPLE = range(3000, 3020)


def burst(i: int) -> list[str]:
    """As test_ordering: every answer lands in its own variable, so reordering shows."""
    return ["/start", "1", f"name{i}", "1", f"goal {i}", f"why {i}"]


class Role:
    """One `goodhelp run --role ...` process."""

    def __init__(self, api: FakeBotAPI, tmp_path: Path, db: str, role: str, name: str,
                 port: int) -> None:
        self.name = name
        self.env = {
            "PATH": os.environ.get("PATH", ""), "TELEGRAM_API_BASE_URL": api.url,
            "TELEGRAM_BOT_TOKEN": TOKEN, "GOODHELP_DB": db, "PTB_TIMEDELTA": "1",
            "GOODHELP_WORKER_NAME": name, "GOODHELP_WORKER_CONCURRENCY": "4",
            "GOODHELP_LOG_KEY": "k" * 32,
            "GOODHELP_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "GOODHELP_WEBHOOK_SECRET": SECRET, "GOODHELP_WEBHOOK_PORT": str(port),
            "GOODHELP_FLOWS": str(STEADY_FLOWS),  # frozen flows: about the channel
        }
        self.role = role
        self.folder = tmp_path / name
        self.folder.mkdir()
        self.log = self.folder / "stderr.txt"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--env-file", str(self.folder / "none.env"),
                "run", "--role", self.role, cwd=self.folder, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)

    @property
    def stderr(self) -> str:
        return self.log.read_text()

    def sending(self) -> bool:
        return "this process is now the sender" in self.stderr

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            return None


@pytest.fixture
async def limited_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN, enforce_limits=True, per_chat_burst=3) as fake:
        yield fake


async def until(check, timeout: float, what: str) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.2)


async def post_all(api: FakeBotAPI, hook: str, updates: list[dict]) -> None:
    headers = {SECRET_HEADER: SECRET}
    async with aiohttp.ClientSession() as session:
        for update in updates:
            for _ in range(200):  # the ingress may still be starting
                try:
                    async with session.post(hook, json=update, headers=headers) as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientConnectorError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the ingress never took an update")


def round_robin(api: FakeBotAPI, steps: range) -> list[dict]:
    updates = [api.send_text(chat_id, burst(chat_id)[step]) for step in steps
               for chat_id in PEOPLE]
    api.world.updates.clear()  # they go by webhook, not by getUpdates
    return updates


def finished(api: FakeBotAPI, chat_id: int) -> bool:
    return any(f"goal {chat_id}" in (m.text or "") for m in api.messages_to(chat_id))


async def check_everyone(api: FakeBotAPI, db: str, *, exact: bool) -> None:
    storage = PostgresStorage(db, pool_size=2)
    await storage.open()
    try:
        for chat_id in PEOPLE:
            state = await storage.load(PersonKey("telegram", str(chat_id)))
            assert state is not None and state.flow == "purpose", (chat_id, state)
            assert state.vars["name"] == f", name{chat_id}"
            assert state.vars["purpose_answer"] == f"goal {chat_id}"
            assert state.vars["purpose_why"] == f"why {chat_id}"
            texts = [m.text or "" for m in api.messages_to(chat_id)]
            named = next(i for i, text in enumerate(texts) if f"name{chat_id}" in text)
            goal = next(i for i, text in enumerate(texts) if f"goal {chat_id}" in text)
            assert named < goal, texts
            if exact:
                assert goal == len(texts) - 2, texts  # nothing after it but its question
        assert await storage.outbox.due(_far_future(), 10) == []
    finally:
        await storage.close()


def _far_future():
    from datetime import UTC, datetime
    return datetime(2100, 1, 1, tzinfo=UTC)


async def start_all(limited_api: FakeBotAPI, tmp_path: Path, db: str) -> tuple[Role, ...]:
    port = free_port()
    ingress = Role(limited_api, tmp_path, db, "ingress", "in:1", port)
    one = Role(limited_api, tmp_path, db, "worker", "w:1", port)
    two = Role(limited_api, tmp_path, db, "worker", "w:2", port)
    for process in (ingress, one, two):
        await process.start()
    await until(lambda: one.sending() or two.sending(), 60, "no worker became the sender")
    return ingress, one, two


async def test_two_workers_one_rate_everyone_in_order(limited_api: FakeBotAPI,
                                                     tmp_path: Path,
                                                     pg_migrated_url: str) -> None:
    processes = await start_all(limited_api, tmp_path, pg_migrated_url)
    hook = processes[0].env["GOODHELP_WEBHOOK_URL"]
    try:
        await post_all(limited_api, hook, round_robin(limited_api, range(6)))
        await until(lambda: all(finished(limited_api, c) for c in PEOPLE), 120,
                    "not every person got their replies")
        await asyncio.sleep(2.0)  # the question after the last reply, and nothing more
        await check_everyone(limited_api, pg_migrated_url, exact=True)
        assert limited_api.count_429 == 0
        assert not limited_api.calls("getUpdates")
        for process in processes:
            assert await process.stop() == 0, process.stderr
            assert "Traceback" not in process.stderr, process.stderr
    finally:
        for process in processes:
            await process.stop()


async def test_killing_the_sender_another_takes_over(limited_api: FakeBotAPI,
                                                     tmp_path: Path,
                                                     pg_migrated_url: str) -> None:
    ingress, one, two = await start_all(limited_api, tmp_path, pg_migrated_url)
    hook = ingress.env["GOODHELP_WEBHOOK_URL"]
    try:
        await post_all(limited_api, hook, round_robin(limited_api, range(3)))
        await until(lambda: len(limited_api.sent) > 20, 60, "nothing was sent")
        sender, other = (one, two) if one.sending() else (two, one)
        assert sender.proc is not None
        sender.proc.send_signal(signal.SIGKILL)  # mid-run: turns and sends cut short
        await sender.proc.wait()
        await post_all(limited_api, hook, round_robin(limited_api, range(3, 6)))
        await until(other.sending, 30, "the other worker never took over sending")
        await until(lambda: all(finished(limited_api, c) for c in PEOPLE), 120,
                    "not every person got their replies after the kill")
        await asyncio.sleep(2.0)
        await check_everyone(limited_api, pg_migrated_url, exact=False)
        assert limited_api.count_429 == 0
    finally:
        for process in (ingress, one, two):
            await process.stop()


async def test_one_process_in_role_all_takes_the_webhook_and_answers(
        limited_api: FakeBotAPI, tmp_path: Path, pg_migrated_url: str) -> None:
    port = free_port()
    alone = Role(limited_api, tmp_path, pg_migrated_url, "all", "all:1", port)
    await alone.start()
    try:
        await limited_api.wait_for_calls("setWebhook", 1, timeout=60)
        await limited_api.wait_for_calls("setMyCommands", 1, timeout=20)  # the menu
        update = limited_api.send_text(4711, "/start")
        limited_api.world.updates.clear()
        await post_all(limited_api, alone.env["GOODHELP_WEBHOOK_URL"], [update])
        await limited_api.wait_for_messages(4711, 1, timeout=60)
        assert await alone.stop() == 0
        assert "Traceback" not in alone.stderr
    finally:
        await alone.stop()
