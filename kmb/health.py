"""Probes and metrics for the operator: ``/healthz`` (the process answers), ``/readyz``
(the database answers and its schema is current) and ``/metrics`` (Prometheus).

When the database goes away under traffic, requests fail fast with 503 and
``Retry-After`` instead of hanging or answering 500; the pool reconnects by itself
when it is back (``pool_pre_ping``).
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import exc as db_errors

from bot.dialogue.engine import APOLOGY
from bot.web.problems import problem_response
from intake.db import utcnow
from kmb.database import schema_is_current
from kmb.metrics import render, snapshot

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
RETRY_AFTER_SECONDS = 5
PROBE_TIMEOUT_SECONDS = 3
UNAVAILABLE = (db_errors.OperationalError, db_errors.InterfaceError, OSError, TimeoutError)
# SQLSTATE classes of a database that is away: 08 connection exception, 57 operator
# intervention (shutting down, starting up, restarted under our feet).
_AWAY_CLASSES = ("08", "57")


def database_away(error: BaseException) -> bool:
    """Whether the error says the database cannot be reached right now (as opposed to
    a fault in a query, which stays a 500)."""
    if isinstance(error, UNAVAILABLE):
        return True
    if isinstance(error, db_errors.DBAPIError) and error.connection_invalidated:
        return True
    seen: BaseException | None = getattr(error, "orig", None) or error.__cause__
    while seen is not None:
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(seen, OSError) or (isinstance(code, str) and code[:2] in _AWAY_CLASSES):
            return True
        seen = seen.__cause__
    return False


def unavailable(reason: str) -> JSONResponse:
    return JSONResponse(
        {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": reason,
        },
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        media_type="application/problem+json",
    )


async def database_unavailable(request: Request, error: Exception) -> Response:
    """A request that met a database that is down or restarting: 503 at once."""
    if not database_away(error):
        raise error  # a real fault: the server's 500
    logger.error("database unavailable: %s", type(error).__name__)
    if request.url.path.startswith("/widget/api"):  # people: in their language
        return problem_response(
            request,
            503,
            "Service Unavailable",
            APOLOGY,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return unavailable("The service is briefly unavailable. Please try again in a moment.")


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    db = request.app.state.runtime.db
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            current = await schema_is_current(db)
    except (*UNAVAILABLE, db_errors.DBAPIError) as error:
        return unavailable(f"database unreachable ({type(error).__name__})")
    if not current:
        return unavailable("database schema is not current: run kmb migrate")
    return JSONResponse({"status": "ready"})


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    db = request.app.state.runtime.db
    async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), db.reading() as session:
        figures = await snapshot(session, utcnow())
    return Response(render(figures), media_type="text/plain; version=0.0.4; charset=utf-8")
