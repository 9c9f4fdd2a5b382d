"""Roles in SQLite only: only a hash of an invitation code reaches the file (the contract
is in tests/storage/contract/test_roles.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.keys import PersonKey
from bot.storage.base import Storage
from bot.storage.roles import hash_code, role_store_for
from tests.storage.conftest import START

SAM = PersonKey("telegram", "111")
ALEX = PersonKey("telegram", "222")
LATER = START + timedelta(days=7)


async def test_only_a_hash_of_a_code_is_in_the_file(sqlite_storage: Storage,
                                                     db_path: Path) -> None:
    roles = role_store_for(sqlite_storage)
    _, code = await roles.create_invite("staff", START, LATER)
    await sqlite_storage.close()
    raw = db_path.read_bytes() + (db_path.with_name(db_path.name + "-wal").read_bytes()
                                  if db_path.with_name(db_path.name + "-wal").exists() else b"")
    assert code.encode() not in raw
    assert hash_code(code).encode() in raw
