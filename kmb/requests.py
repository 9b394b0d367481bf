"""Every HTTP request: an id (taken from ``X-Request-ID`` when the proxy sends a sane
one), one access log line, and its latency in the metrics. The route is logged by its
template (``/admin/api/cases/{reference}``), never by the path a client sent."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.dialogue.engine import APOLOGY
from bot.web.limits import send_problem
from kmb.logs import request_id
from kmb.metrics import REQUEST_SECONDS

logger = logging.getLogger("kmb.access")
errors = logging.getLogger("kmb.errors")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
QUIET = frozenset({"/healthz", "/readyz", "/metrics"})  # probes: measured, not logged
# Any other word a client sends as its method is one label, not a new series each.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _SANE_ID.match(text):
                return text
    return uuid.uuid4().hex[:16]


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = _incoming_id(scope)
        token = request_id.set(current)
        started = time.perf_counter()
        status = 500

        started_response = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                status, started_response = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", current.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            # Logged here, where the request id is still known; by type and frames only
            # (the formatter leaves out the message, which may quote what someone wrote).
            errors.error("unhandled %s", type(error).__name__, exc_info=error)
            if started_response:
                raise  # too late for an answer: the server closes the connection
            await _internal_error(scope, send_with_id, current)
        finally:
            elapsed = time.perf_counter() - started
            route = _route(scope)
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            REQUEST_SECONDS.labels(method, route, f"{status // 100}xx").observe(elapsed)
            if route not in QUIET:
                logger.info(
                    "%s %s %d",
                    method,
                    route,
                    status,
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                    },
                )
            request_id.reset(token)


async def _internal_error(scope: Scope, send: Send, current: str) -> None:
    """The 500 every client understands: the apology in the language asked for, and the
    request id to quote to the operator."""
    headers = dict(scope.get("headers") or [])
    await send_problem(send, headers, 500, "Internal Server Error", APOLOGY, request_id=current)


def _route(scope: dict[str, Any]) -> str:
    """The matched route's template; unmatched paths are not echoed (they may be anything)."""
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"
