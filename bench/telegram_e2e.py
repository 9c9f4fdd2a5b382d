"""Telegram end to end: goodhelp against a minimal python-telegram-bot echo bot.

Both run as real processes against one fake Bot API (tests/fake_bot_api) in this process,
one after the other, with the same people doing the same closed loop: send a message,
wait for the one reply, send the next. goodhelp runs the win flow ("/win", then the win,
one reply each) after an unmeasured onboarding; the echo bot echoes. Reported: updates
per second over the measured turns, and p50/p99 of send-to-reply latency.

    .venv/bin/python bench/telegram_e2e.py --people 200 --turns 20 --rounds 3

Each round runs both bots, alternating which goes first; the figure is the median of
the rounds' ratios, since one round on a shared machine can be off by a third.

Telegram's flood limits are raised for both (TELEGRAM_MAX_PER_SECOND and
TELEGRAM_PER_CHAT_BURST for goodhelp; the fake enforces none): this measures the bots,
not the limits, which would hold both to 30 messages a second.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.running_bot import TOKEN, start_process  # noqa: E402
from tests.fake_bot_api import FakeBotAPI  # noqa: E402

FLOWS = ROOT / "tests" / "fixtures" / "steady_flows"  # fixed flows: comparable runs


def echo_bot(base_url: str, token: str) -> None:
    """The baseline: PTB's smallest echo bot. PTB's default, one update at a time, is the
    faster here; ECHO_CONCURRENT=1 turns on concurrent_updates for comparison."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    async def echo(update: Update, context: object) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    concurrent = os.environ.get("ECHO_CONCURRENT", "0") == "1"
    app = (ApplicationBuilder().token(token).base_url(base_url)
           .concurrent_updates(concurrent).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0, timeout=10)


async def start(kind: str, api: FakeBotAPI, db: Path) -> asyncio.subprocess.Process:
    # Fixed flows and no pacing, so the two kinds of bot are timed alike.
    env = {"GOODHELP_FLOWS": str(FLOWS), "TELEGRAM_MAX_PER_SECOND": "1000000",
           "TELEGRAM_PER_CHAT_BURST": "1000000"}
    args = [__file__, "--echo-bot", api.base_url] if kind == "echo" else None
    return await start_process(api, db, env, args)


class Arrivals:
    """Wakes only the person whose chat got a message. (The fake's wait_for_messages wakes
    every waiter on every call: with 200 people that costs the harness more than the bots.)"""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api
        self.events: dict[int | str, asyncio.Event] = {}
        original = api.world.add_bot_message

        def added(message: Any) -> None:
            original(message)
            event = self.events.get(message.chat_id)
            if event is not None:
                event.set()

        api.world.add_bot_message = added  # type: ignore[method-assign]

    async def turn(self, chat_id: int, text: str, latencies: list[float]) -> None:
        event = self.events.setdefault(chat_id, asyncio.Event())
        before = len(self.api.world.bot_messages_by_chat.get(chat_id, []))
        event.clear()
        sent = time.perf_counter()
        self.api.send_text(chat_id, text)
        while len(self.api.world.bot_messages_by_chat.get(chat_id, [])) <= before:
            await asyncio.wait_for(event.wait(), 60)
            event.clear()
        latencies.append(time.perf_counter() - sent)


async def person(arrivals: Arrivals, kind: str, chat_id: int, turns: int,
                 latencies: list[float]) -> None:
    for n in range(turns):
        if kind == "echo":
            text = f"win {n} for {chat_id}"
        else:
            text = "/win" if n % 2 == 0 else f"win {n} for {chat_id}"
        await arrivals.turn(chat_id, text, latencies)


async def onboard(api: FakeBotAPI, chats: range) -> None:
    """goodhelp only, unmeasured: consent, a name, "maybe later"; then the win loop has
    exactly one reply per message, like the echo bot."""
    for text in ("/start", "1", "Sam", "2"):
        for chat_id in chats:
            api.send_text(chat_id, text)
    while api.pending_updates:  # noqa: ASYNC110 - goodhelp confirms an update once answered
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.5)


async def measure(api: FakeBotAPI, kind: str, first_chat: int, people: int, turns: int,
                  db: Path) -> dict[str, float]:
    chats = range(first_chat, first_chat + people)
    proc = await start(kind, api, db)
    try:
        if kind == "goodhelp":
            await onboard(api, chats)
        latencies: list[float] = []
        began = time.perf_counter()
        arrivals = Arrivals(api)
        await asyncio.gather(*(person(arrivals, kind, c, turns, latencies) for c in chats))
        elapsed = time.perf_counter() - began
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    latencies.sort()
    return {"people": people, "updates": len(latencies), "seconds": elapsed,
            "rate": len(latencies) / elapsed,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000}


async def main(people: int, turns: int, rounds: int) -> None:
    # A bot stopped by SIGTERM drops its open long poll; aiohttp logs that as an error.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    rows: list[tuple[int, str, dict[str, float]]] = []
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotAPI(token=TOKEN) as api:
            for number in range(rounds):
                # Alternate which bot goes first, so drift on a shared machine evens out.
                order = ["echo", "goodhelp"] if number % 2 == 0 else ["goodhelp", "echo"]
                rates: dict[str, float] = {}
                for kind in order:
                    first_chat = (1_000_000 if kind == "echo" else 2_000_000) + number * 100_000
                    result = await measure(api, kind, first_chat, people, turns,
                                           Path(tmp) / f"{kind}-{number}.db")
                    rows.append((number + 1, "echo (PTB)" if kind == "echo" else "goodhelp",
                                 result))
                    rates[kind] = result["rate"]
                ratios.append(rates["goodhelp"] / rates["echo"])
    print(f"{'round':<7}{'bot':<12}{'people':>8}{'updates':>9}{'seconds':>9}{'updates/s':>11}"
          f"{'p50 ms':>9}{'p99 ms':>9}")
    for number, name, r in rows:
        print(f"{number:<7}{name:<12}{r['people']:>8.0f}{r['updates']:>9.0f}{r['seconds']:>9.2f}"
              f"{r['rate']:>11.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}")
    shown = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"goodhelp / echo throughput per round: {shown}; median "
          f"{statistics.median(ratios):.2f} (target >= 0.7)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--echo-bot":
        echo_bot(sys.argv[2], TOKEN)
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--turns", type=int, default=20, help="measured messages per person")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of both bots; the median ratio is the figure")
    args = parser.parse_args()
    asyncio.run(main(args.people, args.turns, args.rounds))
