"""One person floods; how long do 50 others wait for their first reply?

The real ``goodhelp run`` (long polling, goodhelp's default pacing: 30 sends a second;
per chat a burst of 3, then 1 a second; the shipped flows) against the fake Bot API in
this process. In each round, 50 new people send ``/start`` one after another, spread
over a few seconds, and we time each one's first reply: once with nobody flooding (the
baseline), once while one person's 5,000 messages, all sent at the start, sit ahead of
them in Telegram's queue, with a crisis message in the middle of them. The figure: p99
with the flood against p99 without (a ratio), and the flood p99 itself (target under
2 s).

    .venv/bin/python bench/flood.py --flood 5000 --people 50 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import logging
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

CRISIS = "I want to end it all"
SIGNPOST = "116 123"


class FirstReplies:
    """The moment each chat got its first message from the bot, and when signposting came."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.first: dict[int, float] = {}
        self.signposted: dict[int, float] = {}
        self.count: dict[int, int] = {}
        original = api.world.add_bot_message

        def added(message: Any) -> None:
            original(message)
            chat = int(message.chat_id)
            now = time.perf_counter()
            self.first.setdefault(chat, now)
            self.count[chat] = self.count.get(chat, 0) + 1
            if SIGNPOST in (message.text or ""):
                self.signposted.setdefault(chat, now)

        api.world.add_bot_message = added  # type: ignore[method-assign]


async def start_bot(api: FakeBotAPI, db: Path) -> asyncio.subprocess.Process:
    # Telegram's default limits and the shipped flows, whatever this shell has set.
    return await start_process(api, db, {"TELEGRAM_MAX_PER_SECOND": None,
                                         "TELEGRAM_PER_CHAT_BURST": None,
                                         "GOODHELP_FLOWS": None})


async def measure(api: FakeBotAPI, replies: FirstReplies, first_chat: int, people: int,
                  flood: int, spread: float) -> dict[str, float]:
    flooder = first_chat - 1
    began = time.perf_counter()
    for n in range(flood):
        api.send_text(flooder, CRISIS if n == flood // 2 else f"message {n}")
    sent: dict[int, float] = {}
    for chat in range(first_chat, first_chat + people):
        sent[chat] = time.perf_counter()
        api.send_text(chat, "/start")
        await asyncio.sleep(spread / people)
    deadline = time.perf_counter() + 120
    answered = lambda: len([c for c in sent if c in replies.first])  # noqa: E731
    while answered() < people and time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    waits = sorted(replies.first.get(c, float("inf")) - t for c, t in sent.items())
    while api.pending_updates and time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    result = {"people": people, "flood": flood,
              "p50": statistics.median(waits) * 1000,
              "p99": waits[min(len(waits) - 1, int(len(waits) * 0.99))] * 1000,
              "max": waits[-1] * 1000,
              "drained": time.perf_counter() - began}
    if flood:
        result["crisis"] = (replies.signposted.get(flooder, float("inf")) - began) * 1000
        result["to_flooder"] = replies.count.get(flooder, 0)
    return result


async def main(flood: int, people: int, rounds: int, spread: float) -> None:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    rows: list[tuple[int, str, dict[str, float]]] = []
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotAPI(token=TOKEN) as api:
            replies = FirstReplies(api)
            proc = await start_bot(api, Path(tmp) / "goodhelp.db")
            try:
                for number in range(rounds):
                    order = [0, flood] if number % 2 == 0 else [flood, 0]
                    p99: dict[int, float] = {}
                    for size in order:
                        first_chat = 1_000_000 * (2 + number) + (500_000 if size else 0)
                        result = await measure(api, replies, first_chat, people, size, spread)
                        rows.append((number + 1, "flood" if size else "no flood", result))
                        p99[size] = result["p99"]
                        await asyncio.sleep(2)  # let the last replies go out
                    ratios.append(p99[flood] / p99[0])
            finally:
                proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(proc.wait(), 30)
    print(f"{'round':<7}{'case':<10}{'people':>7}{'flood':>7}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}{'crisis ms':>11}{'to flooder':>12}{'drained s':>11}")
    for number, name, r in rows:
        crisis = f"{r['crisis']:>11.0f}" if "crisis" in r else f"{'-':>11}"
        told = f"{r['to_flooder']:>12.0f}" if "to_flooder" in r else f"{'-':>12}"
        print(f"{number:<7}{name:<10}{r['people']:>7.0f}{r['flood']:>7.0f}{r['p50']:>9.0f}"
              f"{r['p99']:>9.0f}{r['max']:>9.0f}{crisis}{told}{r['drained']:>11.1f}")
    worst = max(r["p99"] for _n, name, r in rows if name == "flood")
    shown = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"p99 first reply, flood / no flood per round: {shown}; worst flood p99 "
          f"{worst:.0f} ms (target < 2000 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=5000, help="messages from the flooder")
    parser.add_argument("--people", type=int, default=50, help="other people, one /start each")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--spread", type=float, default=5.0,
                        help="seconds over which the others send (default 5)")
    args = parser.parse_args()
    asyncio.run(main(args.flood, args.people, args.rounds, args.spread))
