"""Log redaction and the keyed chat reference (bot/logsafe.py)."""

from __future__ import annotations

import hashlib
import logging
import stat
from pathlib import Path

import pytest

from bot import logsafe


def test_handler_filter_blanks_a_token_of_any_shape_in_messages_and_tracebacks() -> None:
    logsafe.add_secret("x!odd-shape")
    try:
        raise ValueError("https://api/botx!odd-shape/getMe")
    except ValueError as exc:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "token %s", ("x!odd-shape",),
                                   (type(exc), exc, exc.__traceback__))
    assert logsafe.RedactTokens().filter(record)
    assert record.getMessage() == "token [token]"
    assert record.exc_text is not None and "x!odd-shape" not in record.exc_text
    assert "[token]" in record.exc_text


def test_chat_ref_is_keyed_and_stable(tmp_path: Path) -> None:
    logsafe.load_log_key("key-one", tmp_path / "goodhelp.db")
    first = logsafe.chat_ref(4242)
    assert first == logsafe.chat_ref(4242)
    assert first != hashlib.sha256(b"4242").hexdigest()[:10]  # not the plain, reversible hash
    logsafe.load_log_key("key-two", tmp_path / "goodhelp.db")
    assert logsafe.chat_ref(4242) != first
    assert not (tmp_path / "goodhelp.db.logkey").exists()  # the setting wins; no file


def test_log_key_is_made_once_beside_the_database_with_0600(tmp_path: Path) -> None:
    db = tmp_path / "data" / "goodhelp.db"
    key = logsafe.load_log_key(None, db)
    path = tmp_path / "data" / "goodhelp.db.logkey"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 32
    ref = logsafe.chat_ref(77)
    path.chmod(0o644)
    assert logsafe.load_log_key(None, db) == key  # kept across restarts
    assert logsafe.chat_ref(77) == ref
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.fixture(autouse=True)
def fresh_key() -> None:
    logsafe.load_log_key("test-only", Path("/nonexistent/never-written.db"))
