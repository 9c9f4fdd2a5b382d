"""How many questions a newcomer answers before the first useful moment: the first reply
that plays back what they said or offers /win, i.e. the point from which a win can be
logged. Issue 11 asked for at most 5 (it was more than a dozen).

    .venv/bin/python -m bench.first_win

A keen newcomer is walked through /start with the real engine, in memory: at a choice
they take the first option (English, "Yes, that's OK", "Yes, let's talk", ...), at a
question in words they answer in a few words. The same walk runs over the flows as they
were before (git revision BEFORE, read with `git archive`) and as they are now.
"""

from __future__ import annotations

import asyncio
import io
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from bot.app import open_app
from bot.channels.terminal import parse_line
from bot.core.clock import FakeClock
from bot.core.keys import PersonKey
from bot.engine.events import Choice, Command, Event, Reply
from bot.storage.memory import MemoryStorage

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "250412b"  # main before issue 11's part 6 (onboarding reordered)
KEY = PersonKey("bench", "newcomer")
ANSWERS = {"call you": "Sam", "small step": "Update my CV"}  # else: what matters
LIMIT = 40


def _words(prompt: str) -> str:
    low = prompt.casefold()
    return next((answer for key, answer in ANSWERS.items() if key in low),
                "Getting back to work")


def useful(reply: Reply) -> bool:
    """A reply from which a win is possible: it offers /win."""
    return "/win" in reply.text


async def questions_before_first_win(flows: Path) -> tuple[int, list[str]]:
    """The questions answered before the first useful moment, and their opening words."""
    app = await open_app(flows, MemoryStorage(), clock=FakeClock(), rng=random.Random(7))
    asked: list[str] = []
    try:
        event: Event = Command("start")
        for _ in range(LIMIT):
            replies = await app.conversations.handle(KEY, event)
            if any(useful(r) for r in replies):
                return len(asked), asked
            state = await app.storage.load(KEY)
            if not replies or state is None or state.flow is None:
                break
            last = replies[-1]
            asked.append(last.text.splitlines()[-1][:48])
            event = Choice(last.prompt, 0) if last.options else parse_line(_words(last.text))
        return -1, asked
    finally:
        await app.close()


def flows_at(revision: str, into: Path) -> Path:
    """The flows folder as it was at a git revision, written under ``into``."""
    data = subprocess.run(["git", "archive", revision, "flows"], cwd=ROOT, check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(into, filter="data")
    # Today's content (stories, opportunities): the old sample content has placeholder
    # text that validate now refuses, and content asks no onboarding questions.
    shutil.rmtree(into / "flows" / "content")
    shutil.copytree(ROOT / "flows" / "content", into / "flows" / "content")
    return into / "flows"


async def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [(f"before ({BEFORE})", flows_at(BEFORE, Path(tmp))), ("now", ROOT / "flows")]
        print(f"{'flows':<20} {'questions before the first win':>32}")
        for name, path in rows:
            count, asked = await questions_before_first_win(path)
            print(f"{name:<20} {count:>32}")
            for number, text in enumerate(asked, start=1):
                print(f"    {number:>2}. {text}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
