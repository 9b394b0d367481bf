"""A local Telegram Bot API server for the tests (aiohttp on 127.0.0.1).

It serves the methods the bot uses, records every call, hands out updates to
``getUpdates`` (honouring ``offset`` and ``timeout``) and can be told to fail
the next calls of a method with 429, 500 or 403, or fail it for a while (an outage).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON_FIELDS = {
    "message_ids",
    "reply_markup",
    "commands",
    "allowed_updates",
    "chat_id",
    "message_id",
    "offset",
    "timeout",
    "limit",
    "retry_after",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class BotApiServer:
    token: str = "123456:TEST-token"
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    # Outages: until a moment (time.monotonic()), every call of the method fails so.
    outages: dict[str, list[tuple[float, int, dict[str, Any]]]] = field(default_factory=dict)
    # Seconds a method takes to answer (a slow network, a busy Telegram).
    slow: dict[str, float] = field(default_factory=dict)
    port: int = 0
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what the tests use ---------------------------------------------------

    def fail_next(self, method: str, status: int, times: int = 1, retry_after: int = 1) -> None:
        body = self._error(status, retry_after)
        self.failures.setdefault(method, []).extend([(status, body)] * times)

    def fail_next_with_page(self, method: str, status: int = 502) -> None:
        """The next call gets what a proxy in front of Telegram answers: HTML, not JSON."""
        page = f"<html><body><h1>{status} Bad Gateway</h1></body></html>"
        self.failures.setdefault(method, []).append((status, page))

    def fail_for(self, method: str, status: int, seconds: float, retry_after: int = 1) -> None:
        """Every call of ``method`` fails with ``status`` for ``seconds`` — after the
        outages planned before this one."""
        planned = self.outages.setdefault(method, [])
        start = max([time.monotonic(), *(until for until, _, _ in planned)])
        planned.append((start + seconds, status, self._error(status, retry_after)))

    def _error(self, status: int, retry_after: int) -> dict[str, Any]:
        descriptions = {
            429: f"Too Many Requests: retry after {retry_after}",
            500: "Internal Server Error",
            403: "Forbidden: bot was blocked by the user",
        }
        body: dict[str, Any] = {
            "ok": False,
            "error_code": status,
            "description": descriptions.get(status, "error"),
        }
        if status == 429:
            body["parameters"] = {"retry_after": retry_after}
        return body

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        self._new_update.set()
        return update

    def sent(
        self, chat_id: int | None = None, method: str | tuple[str, ...] = "sendMessage"
    ) -> list[Call]:
        methods = (method,) if isinstance(method, str) else method
        return [
            c
            for c in self.calls
            if c.method in methods
            and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    # -- the server -----------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        outages = self.outages.get(method, [])
        while outages and outages[0][0] <= time.monotonic():
            outages.pop(0)
        planned = self.failures.get(method)
        if outages or planned:
            _, status, body = outages[0] if outages else (0, *planned.pop(0))  # type: ignore[union-attr]
            self.calls.append(Call(f"{method}!{status}", params))
            if isinstance(body, str):
                return web.Response(text=body, content_type="text/html", status=status)
            return web.json_response(body, status=status)
        call = Call(method, params)
        self.calls.append(call)
        if self.slow.get(method):
            await asyncio.sleep(self.slow[method])  # an answer that takes its time
        call.result = await getattr(self, f"_{method}", self._true)(params)
        return web.json_response({"ok": True, "result": call.result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, str) and key in JSON_FIELDS:
                try:
                    params[key] = json.loads(value)
                    continue
                except json.JSONDecodeError:
                    pass
            if isinstance(value, str):
                params[key] = value
            else:  # an uploaded file: its name, and its text for the tests to read
                params[key] = getattr(value, "filename", "file")
                params[f"{key}_content"] = value.file.read().decode("utf-8", "replace")
        # "document": "attach://NAME" refers to the file uploaded as part NAME
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                part = value.removeprefix("attach://")
                params[key] = params.pop(part, value)
                params[f"{key}_content"] = params.pop(f"{part}_content", "")
        return params

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": 123456, "is_bot": True, "first_name": "Bydlení", "username": "kmb_test_bot"}

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "text": params.get("text", ""),
            **({"reply_markup": params["reply_markup"]} if params.get("reply_markup") else {}),
        }

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params)

    async def _sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params)

    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 0.5)
        while True:
            ready = [u for u in self.updates if u["update_id"] >= offset]
            if ready or time.monotonic() >= deadline:
                return ready
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())
