"""Benchmark: shared mode as processes, one ingress and 1 or 2 workers on one PostgreSQL
database, behind the fake Bot API with Telegram's limits enforced (30/s, 1/s per chat
after a burst of 3). People's messages are posted to the ingress round robin; we time
until the last reply was sent, and count the messages, the send rate and the 429s (with
no crash every run sends the same number; a kill may add a duplicate). A third run kills
the worker that is the sender (-9) halfway and reports the longest pause in sending.

    .venv/bin/python -m bench.workers_kill --people 40

The steady test flows are used (about the channel, not the content). Sends are capped at
30 a second whatever the number of workers: that is the point (one bot, one rate).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import signal
import tempfile
import time
from pathlib import Path

from tests.channels.conftest import TOKEN
from tests.channels.test_shared_workers import Role, burst, post_all, until
from tests.channels.test_webhook import free_port
from tests.fake_bot_api import FakeBotAPI
from tests.pg_cluster import start_cluster, stop_cluster


def finished(api: FakeBotAPI, chat_id: int) -> bool:
    return any(f"goal {chat_id}" in (m.text or "") for m in api.messages_to(chat_id))


async def quiet(api: FakeBotAPI, seconds: float) -> None:
    """Until the server has seen no call for ``seconds``."""
    seen, since = len(api.world.calls), time.monotonic()
    while time.monotonic() - since < seconds:
        await asyncio.sleep(0.1)
        if len(api.world.calls) != seen:
            seen, since = len(api.world.calls), time.monotonic()


async def one_run(url: str, workers: int, people: range, kill: bool) -> dict[str, float]:
    async with FakeBotAPI(token=TOKEN, enforce_limits=True, per_chat_burst=3) as api:
        with tempfile.TemporaryDirectory() as folder:
            port = free_port()
            roles = [Role(api, Path(folder), url, "ingress", "in", port)]
            roles += [Role(api, Path(folder), url, "worker", f"w{n}", port)
                      for n in range(workers)]
            for role in roles:
                await role.start()
            await until(lambda: any(r.sending() for r in roles[1:]), 120, "no sender")
            hook = roles[0].env["GOODHELP_WEBHOOK_URL"]
            steps = len(burst(0))
            began = time.monotonic()
            killed_at = None
            for step in range(steps):
                updates = [api.send_text(c, burst(c)[step]) for c in people]
                api.world.updates.clear()
                await post_all(api, hook, updates)
                if kill and step == steps // 2 - 1:
                    sender = next(r for r in roles[1:] if r.sending())
                    assert sender.proc is not None
                    sender.proc.send_signal(signal.SIGKILL)
                    killed_at = time.monotonic()
            await until(lambda: all(finished(api, c) for c in people), 600, "replies missing")
            await quiet(api, 2.0)  # the question after the last reply, and nothing more
            sends = sorted(c.time for c in api.calls("sendMessage") if c.status == 200)
            took = sends[-1] - began  # the fake server's clock is time.monotonic
            gap = max((b - a for a, b in itertools.pairwise(sends)
                       if killed_at is None or b > killed_at - 1), default=0.0)
            for role in roles:
                await role.stop()
            span = (sends[-1] - sends[0]) if len(sends) > 1 else 1.0
            return {"updates": len(people) * steps, "seconds": took, "sent": len(sends),
                    "rate": len(sends) / span, "429": api.count_429, "gap": gap}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    args = parser.parse_args()
    people = range(5000, 5000 + args.people)
    # The killed sender's open request ends in a reset the fake server would print.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    cluster = await asyncio.to_thread(start_cluster, True)
    results = []
    try:
        for workers, kill in ((1, False), (2, False), (2, True)):
            url = await asyncio.to_thread(cluster.new_database, True)
            results.append((workers, kill, await one_run(url, workers, people, kill)))
    finally:
        await asyncio.to_thread(stop_cluster, cluster)
    print("| workers | kill -9 of the sender | updates | seconds | updates/s | messages sent "
          "| send rate /s (limit 30) | 429s | longest pause in sending, s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for workers, kill, r in results:
        print(f"| {workers} | {'yes' if kill else 'no'} | {r['updates']:.0f} | "
              f"{r['seconds']:.1f} | {r['updates'] / r['seconds']:.1f} | {r['sent']:.0f} | "
              f"{r['rate']:.1f} | {r['429']:.0f} | {r['gap']:.1f} |")
    base = results[0][2]["seconds"]
    print(f"\n2 workers took {results[1][2]['seconds'] / base:.2f}x the time of 1 "
          "(same run; the sends, capped at 30/s and 1/s per chat, bound both)")


if __name__ == "__main__":
    asyncio.run(main())
