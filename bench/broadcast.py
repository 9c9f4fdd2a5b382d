"""Benchmark: a broadcast of due check-ins through the Telegram channel, against the fake
Bot API enforcing Telegram's flood limits (30 messages/s overall, 1/s per chat).

N people on a SQLite file each have one scheduled check-in due now; one dispatcher tick
sends them all through the real TelegramChannel (its limiter and retries) to the fake
server (tests/fake_bot_api) on 127.0.0.1. Reported: API sends per second as a fraction of
the 30/s limit (target >= 0.9), and the 429 answers (target 0). A scheduled check-in is
two messages (the encouragement, then the question with its buttons).

    .venv/bin/python -m bench.broadcast --people 10000
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import open_app  # noqa: E402
from bot.channels.telegram.app import TelegramBot  # noqa: E402
from bot.channels.telegram.options import TelegramOptions  # noqa: E402
from bot.core.keys import PersonKey  # noqa: E402
from bot.core.state import ConversationState  # noqa: E402
from bot.engine.events import Reply  # noqa: E402
from bot.scheduling.runner import build_dispatcher  # noqa: E402
from bot.storage.base import NextMessage, TurnWrite  # noqa: E402
from bot.storage.sqlite import SQLiteStorage  # noqa: E402
from tests.fake_bot_api import FakeBotAPI  # noqa: E402

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
FLOWS = ROOT / "flows"
LIMIT = 30


async def run(people: int, burst: int, concurrency: int) -> None:
    api = FakeBotAPI(TOKEN, enforce_limits=True, global_per_second=LIMIT,
                     per_chat_per_second=1)
    await api.start()
    with tempfile.TemporaryDirectory() as folder:
        app = await open_app(FLOWS, SQLiteStorage(Path(folder) / "bench.db"))
        try:
            now = app.clock.now()
            # No quiet hours (start == end), so the run does not depend on the hour.
            settings = {"consent": "yes", "quiet_start": "00:00", "quiet_end": "00:00"}
            keys = [PersonKey("telegram", str(100_000 + i)) for i in range(people)]
            await asyncio.gather(*(app.storage.commit_turn(
                TurnWrite(k, ConversationState(vars=settings))) for k in keys))
            for key in keys:
                await app.storage.schedules.schedule(key, NextMessage(
                    "checkin", now - timedelta(minutes=1), {"flow": "nudge"}))
            bot = TelegramBot(app, TelegramOptions(token=TOKEN, server=api.url,
                                                   per_chat_burst=burst))
            await bot.application.initialize()

            async def send(key: PersonKey, replies: list[Reply]) -> None:
                await bot.channel.send_replies(int(key.external_id), replies)

            dispatcher = build_dispatcher(app, send, concurrency=concurrency, batch=500)
            await dispatcher.start()
            started = time.perf_counter()
            report = await dispatcher.tick()
            elapsed = time.perf_counter() - started
            await bot.application.shutdown()
        finally:
            await app.close()
    sends = len(api.calls("sendMessage"))
    refused = api.count_429
    await api.stop()
    rate = (sends - refused) / elapsed  # delivered messages per second
    print(f"people with a check-in due: {people:,}   dispatcher: {report.counts}")
    print(f"limits enforced by the fake: {LIMIT}/s overall, 1/s per chat; "
          f"channel per-chat burst setting: {burst}")
    print()
    print(f"{'delivered':>10}{'seconds':>10}{'sent/s':>10}{'of 30/s':>9}{'429s':>7}"
          f"{'check-ins/s':>13}")
    print(f"{sends - refused:>10,}{elapsed:>10.1f}{rate:>10.2f}{rate / LIMIT:>9.3f}"
          f"{refused:>7}{report.sent / elapsed:>13.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--per-chat-burst", type=int, default=1,
                        help="the channel's TELEGRAM_PER_CHAT_BURST (default 1, the fake's "
                        "strict 1/s; the channel's own default is 3)")
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(args.people, args.per_chat_burst, args.concurrency))


if __name__ == "__main__":
    main()
