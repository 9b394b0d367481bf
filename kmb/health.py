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
from intake.db_errors import database_away
from kmb.database import schema_is_current
from kmb.metrics import render, snapshot

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
RETRY_AFTER_SECONDS = 5
PROBE_TIMEOUT_SECONDS = 3
# Raised by a probe that gives up, or by a database that is away.
PROBE_ERRORS = (db_errors.SQLAlchemyError, OSError, TimeoutError)
# What ``database_unavailable`` looks at: driver errors, a full pool, and a failed
# connection that the driver raised unwrapped. Anything else raises on.
MAYBE_AWAY = (db_errors.DBAPIError, db_errors.TimeoutError, OSError, TimeoutError)


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
        raise error  # a fault in our query: the server's 500
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
    except PROBE_ERRORS as error:
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
