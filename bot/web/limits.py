"""Request size and rate limits of the widget API."""

from __future__ import annotations

import json

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.dialogue.script import N_
from bot.web.problems import WidgetProblem, header_locale, problem_body


class RateLimits:
    """Moving windows kept in this process's memory (one process: see docs/deploy)."""

    def __init__(self, *, per_address: str, sessions_per_address: str, per_session: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self.per_address: RateLimitItem = parse(per_address)
        self.sessions_per_address: RateLimitItem = parse(sessions_per_address)
        self.per_session: RateLimitItem = parse(per_session)

    async def check(self, item: RateLimitItem, *key: str) -> None:
        if not await self._limiter.hit(item, *key):
            raise WidgetProblem(
                429,
                "Too many requests",
                N_("Too many messages in a short time. Please wait a moment and try again."),
                headers={"Retry-After": str(item.get_expiry())},
            )


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes under ``prefix`` with a 413 problem,
    whether the client announced the size or streams it."""

    def __init__(self, app: ASGIApp, *, prefix: str, limit: int) -> None:
        self.app, self.prefix, self.limit = app, prefix, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(scope, send, headers)
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, send, headers)

    async def _refuse(self, scope: Scope, send: Send, headers: dict[bytes, bytes]) -> None:
        language = header_locale(headers.get(b"accept-language", b"").decode("latin-1"))
        body = problem_body(
            language, 413, "Request too large", N_("That message is too large to send.")
        )
        payload = json.dumps(body, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class _TooLarge(Exception):
    pass
