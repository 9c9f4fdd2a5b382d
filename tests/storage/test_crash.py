"""Kill the process at any moment: every turn it was told was saved is there after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from bot.core.keys import PersonKey
from tests.storage.conftest import opened

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from bot.core.records import Achievement
    from bot.core.state import ConversationState
    from bot.core.keys import PersonKey
    from bot.storage.base import TurnWrite
    from bot.storage.sqlite import SQLiteStorage

    async def main() -> None:
        storage = SQLiteStorage(sys.argv[1])
        await storage.open()
        n = 0
        while True:
            n += 1
            state = ConversationState(flow="f", step="s", vars={"n": n})
            records = (Achievement(f"win {n}", datetime.now(UTC)),)
            await storage.commit_turn(TurnWrite(PersonKey("terminal", "sam"), state, records))
            print(n, flush=True)  # only after the commit returned

    asyncio.run(main())
    """
)


async def test_sigkill_loses_nothing_acknowledged(db_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    acknowledged = 0
    try:
        for line in process.stdout:
            acknowledged = int(line)
            if acknowledged >= 300:
                break
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
    assert acknowledged >= 300

    async with opened(db_path) as storage:
        state = await storage.load(PersonKey("terminal", "sam"))
        assert state is not None and state.vars["n"] >= acknowledged
        wins = await storage.achievements(PersonKey("terminal", "sam"))
        assert len(wins) == state.vars["n"]  # state and records committed together
