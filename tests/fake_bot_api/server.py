"""The HTTP side: parse a Bot API request as python-telegram-bot sends it, apply faults,
run the method and record the call.

PTB 22 posts form-urlencoded bodies (multipart when it uploads files) whose values are
strings, with objects such as reply_markup JSON-encoded; other clients post JSON. Both
are normalised to typed parameters here so the methods see one shape.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiohttp import web

from .faults import ApiError, Faults
from .methods import Files, Methods
from .state import Call, World

_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?")
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "media",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "message_thread_id",
        "max_connections",
        "reply_to_message_id",
        "from_chat_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "allow_paid_broadcast",
        "has_spoiler",
    }
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude"})


def coerce(name: str, value: Any) -> Any:
    """Give a form field the type the Bot API documents for it."""
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    if name in _INT_FIELDS and re.fullmatch(r"-?\d+", value):
        return int(value)  # chat_id may also be "@channelname", which stays a string
    if name in _BOOL_FIELDS:
        return value.lower() == "true"
    if name in _FLOAT_FIELDS:
        return float(value)
    return value


async def read_params(request: web.Request) -> tuple[dict[str, Any], Files]:
    """Query string plus body (JSON, urlencoded or multipart) as typed params and files."""
    raw: dict[str, Any] = dict(request.query)
    files: Files = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: request body must be a JSON object")
            raw.update(body)
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.file.read(), value.content_type)
                else:
                    raw[key] = value
    params = {key: coerce(key, value) for key, value in raw.items()}
    for key, value in params.items():  # "attach://name" points at another multipart part
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            files[key] = files[value[9:]]
    return params, files


class Server:
    """Routes /bot<token>/<method> to `Methods`, with faults and recording around it."""

    def __init__(self, token: str, world: World, faults: Faults, methods: Methods) -> None:
        self.token = token
        self.world = world
        self.faults = faults
        self.methods = methods
        # Telegram accepts uploads up to 50 MB; aiohttp's default cap is 1 MB.
        self.app = web.Application(client_max_size=60 * 1024 * 1024)
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        match = _PATH.fullmatch(request.path)
        if match is None:
            return _answer(ApiError(404, "Not Found").body(), 404)
        if match["token"] != self.token:
            return _answer(ApiError(401, "Unauthorized").body(), 401)
        handler = self.methods.table.get(match["method"].lower())
        if handler is None:
            return _answer(ApiError(404, "Not Found: method not found").body(), 404)
        method = match["method"]
        try:
            params, files = await read_params(request)
        except ApiError as error:
            return _answer(error.body(), error.status)
        call = Call(
            method,
            params.get("chat_id"),
            params,
            self.world.clock(),
            files={key: (name, data) for key, (name, data, _) in files.items()},
        )
        delay = self.faults.delay_for(method)
        if delay:
            await asyncio.sleep(delay)
            call.time = self.world.clock()
        try:
            self.faults.check(method, call.chat_id)
            drop = self.faults.take_drop(method)
            if drop is not None:
                if drop:  # the dangerous case: the work is done but the answer is lost
                    await handler(params, files)
                return self._hang_up(request, call)
            body: dict[str, Any] = {"ok": True, "result": await handler(params, files)}
        except ApiError as error:
            call.status, body = error.status, error.body()
        self.world.record_call(call)
        return _answer(body, call.status)

    def _hang_up(self, request: web.Request, call: Call) -> web.StreamResponse:
        call.status = 0
        self.world.record_call(call)
        if request.transport is not None:
            request.transport.abort()
        # aiohttp needs a response object, but the transport is gone so nothing is written.
        return web.Response(status=500)


def _answer(body: dict[str, Any], status: int) -> web.Response:
    return web.json_response(body, status=status)
