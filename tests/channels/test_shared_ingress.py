"""The shared-mode webhook ingress, in this process on a real PostgreSQL database: an
update is recorded once however often it is posted, and answered 200 only once it is
committed; a wrong secret gets 403, a body that is no update 400, and a database that is
gone 503 (so Telegram posts it again)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import asyncpg
import pytest

from bot.channels.telegram.ingress import SECRET_HEADER, Ingress
from bot.core.keys import PersonKey
from bot.storage.postgres import PostgresStorage
from tests.channels.test_webhook import free_port
from tests.pg_cluster import Cluster

SECRET = "shared_s3cret"
UPDATE = {"update_id": 501, "message": {"message_id": 1, "date": 0, "text": "hi",
                                        "chat": {"id": 77, "type": "private"}}}


@pytest.fixture
async def storage(pg_migrated_url: str) -> AsyncIterator[PostgresStorage]:
    opened = PostgresStorage(pg_migrated_url, pool_size=3)
    await opened.open()
    yield opened
    await opened.close()


async def serve(storage: PostgresStorage) -> tuple[Ingress, str]:
    port = free_port()
    ingress = Ingress(storage.updates(), path="/hook", secret=SECRET, listen="127.0.0.1",
                      port=port)
    ingress.start()
    return ingress, f"http://127.0.0.1:{port}/hook"


async def post(url: str, body: object, secret: str | None = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as session:
        data = body if isinstance(body, bytes) else None
        async with session.post(url, json=None if data else body, data=data,
                                headers=headers) as answer:
            return answer.status


async def count_updates(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM updates"))
    finally:
        await conn.close()


async def test_an_update_posted_twice_is_recorded_once(storage: PostgresStorage) -> None:
    ingress, url = await serve(storage)
    try:
        assert await post(url, UPDATE) == 200
        assert await post(url, UPDATE) == 200  # Telegram's retry: answered, kept once
        assert await count_updates(storage.url) == 1
        assert await storage.updates().pending(PersonKey("telegram", "77")) == 1
    finally:
        await ingress.stop()


async def test_wrong_or_missing_secret_is_refused(storage: PostgresStorage) -> None:
    ingress, url = await serve(storage)
    try:
        assert await post(url, UPDATE, secret="not-it") == 403
        assert await post(url, UPDATE, secret=None) == 403
        assert await count_updates(storage.url) == 0
    finally:
        await ingress.stop()


async def test_a_body_that_is_no_update_is_400(storage: PostgresStorage) -> None:
    ingress, url = await serve(storage)
    try:
        assert await post(url, b"{not json") == 400
        assert await post(url, {"message": {}}) == 400
        assert await post(url, {"update_id": "7"}) == 400
        assert await count_updates(storage.url) == 0
    finally:
        await ingress.stop()


async def test_an_update_without_a_chat_is_still_kept(storage: PostgresStorage) -> None:
    ingress, url = await serve(storage)
    try:
        assert await post(url, {"update_id": 9, "poll": {"id": "1"}}) == 200
        assert await storage.updates().pending(PersonKey("telegram", "no-chat")) == 1
    finally:
        await ingress.stop()


async def test_the_database_gone_is_503(pg_cluster: Cluster) -> None:
    url = pg_cluster.new_database(migrated=True)
    storage = PostgresStorage(url, pool_size=2, connect_timeout=2.0)
    await storage.open()
    ingress, hook = await serve(storage)
    try:
        pg_cluster.drop_database(url)  # ends every session; reconnecting finds nothing
        assert await post(hook, UPDATE) == 503
        assert await post(hook, UPDATE) == 503
    finally:
        await ingress.stop()
        await storage.close()
