"""The webhook ingress of shared mode: Telegram's posts recorded in the shared inbox.

A post is answered 200 only once its update is committed (a retried post of the same
update_id is answered 200 too, and kept once), so an update Telegram was told we have is
never lost, whichever worker then handles it. PTB's Updater webhook answers 200 as soon
as it has queued the update in memory, hence this small tornado server instead.

* the secret (``X-Telegram-Bot-Api-Secret-Token``) is compared in constant time; a wrong
  or missing one: 403, and nothing is read;
* a body that is not an update (not JSON, no integer update_id): 400;
* the database cannot take it: 503, and Telegram posts it again later.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Any

import tornado.httpserver
import tornado.web

from bot.channels.telegram.ports import Inbox
from bot.core.keys import PersonKey
from bot.logsafe import describe

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Updates with no chat (none of the kinds we ask for today) still go through the inbox,
# in order among themselves, under one fixed key.
NO_CHAT = PersonKey("telegram", "no-chat")
_CHAT_HOLDERS = ("message", "edited_message", "channel_post", "edited_channel_post",
                 "my_chat_member", "chat_member")
MAX_BODY = 1024 * 1024


def update_key(update: dict[str, Any]) -> PersonKey:
    """Whose update it is: the chat it belongs to (a pressed button's too)."""
    holders: list[Any] = [update.get(name) for name in _CHAT_HOLDERS]
    query = update.get("callback_query")
    if isinstance(query, dict):
        holders.insert(0, query.get("message"))
    for holder in holders:
        if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
            chat_id = holder["chat"].get("id")
            if isinstance(chat_id, int):
                return PersonKey("telegram", str(chat_id))
    return NO_CHAT


class WebhookHandler(tornado.web.RequestHandler):
    """POST: check the secret, record the update, then answer."""

    def initialize(self, inbox: Inbox, secret: str) -> None:
        """Tornado passes the route's arguments here."""
        self.inbox = inbox
        self.secret = secret.encode()

    async def post(self) -> None:
        """One update from Telegram."""
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            self.set_status(403)
            return
        try:
            update = json.loads(self.request.body)
            update_id = update["update_id"]
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                raise TypeError("update_id")
        except (ValueError, TypeError, KeyError, UnicodeDecodeError):
            self.set_status(400)
            return
        try:
            await self.inbox.record(update_id, update_key(update),
                                    json.dumps(update, ensure_ascii=False))
        except Exception as exc:  # the database: Telegram will post it again
            log.warning("could not record update %d: %s", update_id, describe(exc))
            self.set_status(503)
            return
        self.set_status(200)

    def get(self) -> None:
        """Only Telegram's posts are taken."""
        self.set_status(403)

    def log_exception(self, *args: Any) -> None:
        """Never log a request (its body holds what people typed)."""
        log.error("webhook request failed")


class Ingress:
    """The HTTP listener: ``start`` binds it, ``stop`` stops taking posts."""

    def __init__(self, inbox: Inbox, *, path: str, secret: str, listen: str,
                 port: int) -> None:
        app = tornado.web.Application(
            [(re.escape(path or "/"), WebhookHandler, {"inbox": inbox, "secret": secret})],
            log_function=lambda handler: None)  # access logs would name chats' requests
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY)
        self.listen, self.port = listen, port

    def start(self) -> None:
        """Bind and take posts (OSError if the port is taken)."""
        self._server.listen(self.port, self.listen)
        log.info("taking updates by webhook on %s:%d (shared inbox)", self.listen, self.port)

    async def stop(self) -> None:
        """Stop taking posts; let the ones being recorded finish."""
        self._server.stop()
        await self._server.close_all_connections()
