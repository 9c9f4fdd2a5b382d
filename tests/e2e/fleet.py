"""Real ``goodhelp run`` processes against the fake Bot API, taking updates by webhook.

``Fleet.single(...)``: one process on a SQLite file, today's webhook mode. ``Fleet.shared(...)``:
one ``--role ingress`` and N ``--role worker`` processes on one PostgreSQL database.
Every process started is killed when the fleet closes, whatever happened, so a failing
test leaves no ``goodhelp run`` behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "e2e_hook-s3cret"
# Who holds the sender's advisory lock (bot/storage/postgres/workers.py: class 0x6769, 1),
# by the client port of the session holding it.
SENDER_PORT = ("SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
               "WHERE l.locktype = 'advisory' AND l.classid = 26473 AND l.objid = 1 "
               "AND l.granted")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Member:
    """One process of the fleet, with its output in a file."""

    name: str
    role: str
    proc: asyncio.subprocess.Process
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None


@dataclass
class Fleet:
    """The processes of one deployment; ``async with`` kills what is left at the end."""

    api: FakeBotAPI
    db: str
    folder: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    @property
    def hook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram-hook"

    def env(self, role: str | None, name: str) -> dict[str, str]:
        env = {**os.environ, "PTB_TIMEDELTA": "1", "TELEGRAM_BOT_TOKEN": TOKEN,
               "TELEGRAM_API_BASE_URL": self.api.url, "GOODHELP_DB": self.db,
               "GOODHELP_LOG_LEVEL": "WARNING", "GOODHELP_WEBHOOK_URL": self.hook_url,
               "GOODHELP_WEBHOOK_SECRET": SECRET, "GOODHELP_WEBHOOK_LISTEN": "127.0.0.1",
               "GOODHELP_WEBHOOK_PORT": str(self.port), **self.extra_env}
        env.pop("CI", None)  # not ours to pass on; the bot does not read it
        if role is not None:
            env["GOODHELP_ROLE"] = role
            env["GOODHELP_WORKER_NAME"] = name
        return env

    async def start(self, role: str | None, name: str) -> Member:
        """Start one ``goodhelp run`` (``role`` None: the single-process mode)."""
        log = self.folder / f"{name}.log"
        with log.open("ab") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--env-file", os.devnull, "run",
                cwd=self.folder, env=self.env(role, name), stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=out)
        member = Member(name, role or "all", proc, log)
        self.members.append(member)
        return member

    async def single(self) -> Member:
        """Today's webhook mode: one process takes updates and runs every turn."""
        calls = len(self.api.calls("setWebhook"))
        member = await self.start(None, "single")
        await self.until_webhook_set(calls)
        return member

    async def shared(self, workers: int) -> list[Member]:
        """Workers first (they need no listener), then the ingress that sets the webhook."""
        started = [await self.start("worker", f"worker{n + 1}") for n in range(workers)]
        calls = len(self.api.calls("setWebhook"))
        started.insert(0, await self.start("ingress", "ingress"))
        await self.until_webhook_set(calls)
        return started

    async def until_webhook_set(self, calls: int, timeout: float = 60) -> None:  # noqa: ASYNC109
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not [c for c in self.api.calls("setWebhook")[calls:] if c.ok]:
            dead = [m for m in self.members if not m.alive]
            if dead:
                raise RuntimeError(f"{dead[0].name} exited with {dead[0].proc.returncode}: "
                                   f"{dead[0].output[-2000:]}")
            if loop.time() > deadline:
                raise TimeoutError("no setWebhook from the bot")
            await asyncio.sleep(0.05)

    def sender(self, psql: Callable[[str], str]) -> Member | None:
        """The worker holding the sender's lock, found from PostgreSQL's side: the lock's
        session, its client port, the process with a socket on that port. None if no one
        holds it (or /proc cannot tell, away from Linux)."""
        port = psql(SENDER_PORT).strip()
        if not port.isdigit():
            return None
        inodes = _loopback_socket_inodes(int(port))
        for member in self.members:
            if member.alive and inodes & _socket_inodes(member.proc.pid):
                return member
        return None

    async def kill(self, member: Member) -> None:
        """SIGKILL: no shutdown code runs."""
        member.proc.kill()
        await member.proc.wait()

    async def stop(self, timeout: float = 30) -> dict[str, int | None]:  # noqa: ASYNC109
        """SIGTERM every live member and wait; their exit codes by name."""
        for member in self.members:
            if member.alive:
                member.proc.send_signal(signal.SIGTERM)
        codes: dict[str, int | None] = {}
        for member in self.members:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(member.proc.wait(), timeout)
            codes[member.name] = member.proc.returncode
        return codes

    async def __aenter__(self) -> Fleet:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for member in self.members:
            if member.alive:
                member.proc.kill()
                await member.proc.wait()


def _socket_inodes(pid: int) -> set[str]:
    found: set[str] = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:["):
                    found.add(link[8:-1])
    return found


def _loopback_socket_inodes(port: int) -> set[str]:
    """Inodes of TCP sockets whose local end is ``port`` (from /proc/net/tcp)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    found.add(fields[9])
    return found
