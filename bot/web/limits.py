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
        await send_problem(
            send, headers, 413, "Request too large", N_("That message is too large to send.")
        )


async def send_problem(
    send: Send,
    headers: dict[bytes, bytes],
    status: int,
    title: str,
    message: str,
    **extra: object,
) -> None:
    """A problem document in the language the request asked for, from a middleware."""
    language = header_locale(headers.get(b"accept-language", b"").decode("latin-1"))
    body = problem_body(language, status, title, message, **extra)
    payload = json.dumps(body, ensure_ascii=False)
    body = payload.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# A NUL character, raw or as the URL or JSON escape of one.
_IN_URL = _IN_FORM = (b"\x00", b"%00")
_IN_JSON = (b"\x00", b"\\u0000")


class RefuseNul:
    """Refuse any request with a NUL character in its path, query or body (400): no
    text anyone types contains one, and PostgreSQL cannot store it — it would fail
    deep inside a transaction instead of being refused with a clear message."""

    def __init__(self, app: ASGIApp, *, max_body: int = 1_000_000) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        where = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if any(nul in where for nul in _IN_URL):
            return await self._refuse(send, headers)
        chunks: list[Message] = []
        size = 0
        while True:  # the body, up to a size (larger ones are the size limit's business)
            message = await receive()
            chunks.append(message)
            size += len(message.get("body", b""))
            if (
                message["type"] != "http.request"
                or not message.get("more_body")
                or size > self.max_body
            ):
                break
        body = b"".join(m.get("body", b"") for m in chunks)
        form = headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded")
        if any(nul in body for nul in (_IN_FORM if form else _IN_JSON)):
            return await self._refuse(send, headers)

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, headers: dict[bytes, bytes]) -> None:
        await send_problem(
            send, headers, 400, "Bad Request", N_("Text must not contain NUL characters.")
        )


class _TooLarge(Exception):
    pass
