"""Telegram latency: from a button press, and from a typed message, to the first reply.

goodhelp's real TelegramBot (the PTB Application, our poller, limiter and outbox, SQLite
in a temporary folder) against the fake Bot API in this process, which enforces
Telegram's limits: 30 sends a second overall, and per chat a burst of 3 then one a
second (it answers 429 past them). The people, concurrently and staggered: type /start
(two replies: a welcome and a question with buttons), press the first button half a
second after the question arrives, then, once the chat is quiet, type /help.

Reported per pacing (TELEGRAM_PER_CHAT_BURST): p50 and p99 of press -> first reply,
press -> answerCallbackQuery (the spinner stops), typed -> first reply and typed -> last
reply; and the ratio of each p50 to the strictly-one-a-second pacing's (burst 1), in the
same run.

    .venv/bin/python bench/latency.py --people 20 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import open_app  # noqa: E402
from bot.channels.telegram.app import TelegramBot  # noqa: E402
from bot.channels.telegram.options import TelegramOptions  # noqa: E402
from bot.storage.sqlite import SQLiteStorage  # noqa: E402
from tests.fake_bot_api import FakeBotAPI  # noqa: E402

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
FLOWS = ROOT / "tests" / "fixtures" / "steady_flows"  # fixed flows: comparable runs
SENDS = frozenset({"sendmessage", "sendphoto", "senddocument"})
QUIET = 1.5  # seconds without a send to a chat before the person types again
THINK = 0.5  # seconds from the question arriving to the press


class Clocked:
    """Send times per chat, from the fake's record of calls."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

    def sends(self, chat_id: int, since: float, method: frozenset[str] = SENDS) -> list[float]:
        return [c.time for c in self.api.world.calls
                if c.ok and c.method.lower() in method and c.chat_id == chat_id
                and c.time >= since]

    async def first(self, chat_id: int, since: float, method: frozenset[str] = SENDS) -> float:
        found = await self.api.world.calls_signal.wait_until(
            lambda: bool(self.sends(chat_id, since, method)), 30)
        assert found, f"no reply to chat {chat_id}"
        return self.sends(chat_id, since, method)[0] - since

    async def answered(self, query_id: str, since: float) -> float:
        def times() -> list[float]:
            return [c.time for c in self.api.calls("answerCallbackQuery")
                    if c.ok and str(c.params.get("callback_query_id")) == query_id]

        assert await self.api.world.calls_signal.wait_until(lambda: bool(times()), 30)
        return times()[0] - since

    async def quiet(self, chat_id: int, since: float) -> float:
        """Wait until nothing was sent to the chat for QUIET seconds; the last send's delay."""
        while True:
            times = self.sends(chat_id, since)
            last = times[-1] if times else since
            if time.monotonic() - last >= QUIET and not self.api.pending_updates:
                return last - since
            await asyncio.sleep(0.1)


async def person(api: FakeBotAPI, clock: Clocked, chat_id: int, delay: float,
                 samples: dict[str, list[float]]) -> None:
    await asyncio.sleep(delay)
    started = time.monotonic()
    api.send_text(chat_id, "/start")
    samples["typed_first"].append(await clock.first(chat_id, started))
    await api.world.calls_signal.wait_until(
        lambda: any(m.callback_data for m in api.messages_to(chat_id)), 30)
    samples["typed_last"].append(clock.sends(chat_id, started)[-1] - started)
    button = next(m for m in api.messages_to(chat_id) if m.callback_data)
    await asyncio.sleep(THINK)  # reads the question, then presses
    pressed = time.monotonic()
    update = api.press_button(chat_id, button.message_id, button.callback_data[0])
    first = asyncio.ensure_future(clock.first(chat_id, pressed))
    samples["press_answer"].append(
        await clock.answered(str(update["callback_query"]["id"]), pressed))
    samples["press_first"].append(await first)
    await clock.quiet(chat_id, pressed)
    typed = time.monotonic()
    api.send_text(chat_id, "/help")
    samples["typed_first"].append(await clock.first(chat_id, typed))
    samples["typed_last"].append(await clock.quiet(chat_id, typed))


async def run(people: int, burst: int, base: int) -> tuple[dict[str, list[float]], int]:
    api = FakeBotAPI(TOKEN, enforce_limits=True, global_per_second=30,
                     per_chat_per_second=1, per_chat_burst=3)
    await api.start()
    samples: dict[str, list[float]] = {k: [] for k in
                                       ("press_first", "press_answer", "typed_first",
                                        "typed_last")}
    with tempfile.TemporaryDirectory() as folder:
        app = await open_app(FLOWS, SQLiteStorage(Path(folder) / "bench.db"))
        bot = TelegramBot(app, TelegramOptions(token=TOKEN, server=api.url, per_second=30,
                                               per_chat_burst=burst, poll_timeout=10))
        try:
            await bot.start()
            rng = random.Random(burst)
            clock = Clocked(api)
            await asyncio.gather(*(person(api, clock, base + i, rng.uniform(0, 2), samples)
                                   for i in range(people)))
        finally:
            await bot.stop(drain_timeout=10)
            await app.close()
    await api.stop()
    return samples, api.count_429


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(people: int, rounds: int, bursts: list[int]) -> None:
    results: dict[int, dict[str, list[float]]] = {b: {} for b in bursts}
    refused = dict.fromkeys(bursts, 0)
    for round_ in range(rounds):
        order = bursts if round_ % 2 == 0 else list(reversed(bursts))
        for burst in order:
            samples, count_429 = await run(people, burst, 1000 * (round_ + 1) + 100 * burst)
            refused[burst] += count_429
            for key, values in samples.items():
                results[burst].setdefault(key, []).extend(values)
    baseline = results[bursts[0]]
    print(f"{people} people x {rounds} rounds; fake Bot API enforcing 30/s and, per chat,"
          " a burst of 3 then 1/s")
    header = (f"{'burst':>5} {'measure':<22} {'n':>4} {'p50 s':>7} {'p99 s':>7} "
              f"{'p50 vs burst ' + str(bursts[0]):>16} {'429s':>5}")
    print(header)
    print("-" * len(header))
    names = {"press_answer": "press -> spinner stops", "press_first": "press -> 1st reply",
             "typed_first": "typed -> 1st reply", "typed_last": "typed -> last reply"}
    for burst in bursts:
        for key, name in names.items():
            values = results[burst][key]
            ratio = statistics.median(values) / max(statistics.median(baseline[key]), 1e-9)
            print(f"{burst:>5} {name:<22} {len(values):>4} {pct(values, 0.5):>7.3f} "
                  f"{pct(values, 0.99):>7.3f} {ratio:>16.2f} {refused[burst]:>5}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bursts", default="1,3", help="pacings to compare; first = baseline")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main(args.people, args.rounds, [int(b) for b in args.bursts.split(",")]))
