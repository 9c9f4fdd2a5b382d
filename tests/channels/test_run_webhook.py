"""`goodhelp run` in webhook mode as a real process: it stays up until SIGTERM, refuses a
post without the secret, answers one with it, and stops cleanly."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp

from tests.channels.test_run import Process
from tests.channels.test_webhook import free_port
from tests.fake_bot_api import FakeBotAPI

SECRET = "hook_s3cret-token"


async def test_webhook_run_serves_until_sigterm(api: FakeBotAPI, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    process = Process(api, tmp_path)
    process.env.update({"GOODHELP_WEBHOOK_URL": url, "GOODHELP_WEBHOOK_SECRET": SECRET,
                        "GOODHELP_WEBHOOK_LISTEN": "127.0.0.1",
                        "GOODHELP_WEBHOOK_PORT": str(port)})
    await process.start()
    await api.wait_for_calls("setWebhook", 1, timeout=20)
    assert process.proc is not None
    await asyncio.sleep(1.0)  # long past the moment the old code gave up
    assert process.proc.returncode is None, process.stderr

    update = api.send_text(88, "/start")
    api.world.updates.clear()  # delivered by POST below, not by getUpdates
    async with aiohttp.ClientSession() as session:
        for _ in range(100):  # the server may take a moment to listen after setWebhook
            try:
                async with session.post(url, json=update) as forged:
                    assert forged.status == 403
                break
            except aiohttp.ClientConnectorError:
                await asyncio.sleep(0.1)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with session.post(url, json=update, headers=headers) as real:
            assert real.status == 200
    await api.wait_for_messages(88, 1, timeout=20)
    assert not api.calls("getUpdates")

    loop = asyncio.get_running_loop()
    began = loop.time()
    process.proc.send_signal(signal.SIGTERM)
    assert await process.wait(timeout=10) == 0
    assert loop.time() - began < 5
    assert "Traceback" not in process.stderr
