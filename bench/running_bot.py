"""Start the real ``goodhelp run`` (or another script) against the fake Bot API.

Shared by the Telegram benchmarks so each one times the same start-up: a subprocess with
the token, the fake's address and a fresh database, ready once it has asked for updates.
``BENCH_PROFILE=FILE`` runs it under cProfile, to see where goodhelp spends its time.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
GOODHELP_RUN = ["-m", "bot", "--env-file", os.devnull, "run"]


async def start_process(api: FakeBotAPI, db: Path, env: Mapping[str, str | None],
                        args: list[str] | None = None) -> asyncio.subprocess.Process:
    """Start ``args`` (default: ``goodhelp run``) and wait until it polls the fake.

    ``env`` adds to this process's environment; a value of None removes the name, so
    a benchmark can insist on goodhelp's own defaults.
    """
    merged = {**os.environ, "PTB_TIMEDELTA": "1", "TELEGRAM_BOT_TOKEN": TOKEN,
              "TELEGRAM_API_BASE_URL": api.url, "GOODHELP_DB": str(db),
              "GOODHELP_LOG_LEVEL": "WARNING"}
    for name, value in env.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    if args is None:
        args = list(GOODHELP_RUN)
        if os.environ.get("BENCH_PROFILE"):
            args = ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"], *args]
    calls = len(api.calls("getUpdates"))
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, env=merged, cwd=ROOT,
                                                stdin=asyncio.subprocess.DEVNULL)
    try:
        await api.wait_for_calls("getUpdates", calls + 1, timeout=30)
    except BaseException:
        proc.kill()  # a bot that never got going must not outlive the benchmark
        await proc.wait()
        raise
    return proc
