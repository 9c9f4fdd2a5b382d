"""Webhook mode: PTB's webhook server with a secret token, registered with setWebhook."""

from __future__ import annotations

import socket

import aiohttp

from tests.fake_bot_api import FakeBotAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_takes_updates_only_with_the_secret(api: FakeBotAPI, start_bot) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    await start_bot(webhook_url=url, webhook_secret="s3cret_-token", webhook_listen="127.0.0.1",
                    webhook_port=port)
    assert api.world.webhook["url"] == url
    assert api.world.webhook["secret_token"] == "s3cret_-token"
    update = api.send_text(77, "/start")  # queued in the fake; delivered by POST below
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=update) as forged:
            assert forged.status == 403  # no secret: refused, nothing runs
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_-token"}
        async with session.post(url, json=update, headers=headers) as real:
            assert real.status == 200
    api.world.updates.clear()  # the webhook delivered it; getUpdates is not used here
    _welcome, question = await api.wait_for_messages(77, 2)
    assert question.callback_data
