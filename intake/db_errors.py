"""Telling a database that is away from a fault in our own query.

When the database cannot be reached, is restarting, or (SQLite) cannot write its
file right now, the right answer is "try again in a moment" (HTTP 503 with
``Retry-After``; the widget resends). Anything else — a constraint we violated, a
query that is wrong, a statement that ran too long — is a fault that retrying will
not mend: it must stay a 500 and be fixed.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import exc as db_errors

# SQLSTATEs of a PostgreSQL server that is away: class 08 (connection exception)
# and 57P01–57P05 (shut down by an admin or a crash, cannot connect now, database
# dropped, idle session timeout). 57014 (a statement timeout) is not among them.
# Also "not now" rather than "wrong": 40001 and 40P01, a transaction that lost a
# serialization conflict or a deadlock to another — the same request succeeds again.
_PG_AWAY_CLASS = "08"
_PG_AWAY_CODES = frozenset({"57P01", "57P02", "57P03", "57P04", "57P05", "40001", "40P01"})
# SQLite primary result codes that say "not now" rather than "wrong": BUSY, LOCKED,
# READONLY (e.g. a read-only mount), IOERR, FULL (disk full), CANTOPEN.
_SQLITE_AWAY_CODES = frozenset({5, 6, 8, 10, 13, 14})
# Code in these modules talks to the database: an OSError or TimeoutError raised
# from them is a connection that failed (asyncpg raises them unwrapped on connect).
_DRIVER_MODULES = ("sqlalchemy.", "asyncpg.", "aiosqlite.", "psycopg.")


def database_away(error: BaseException) -> bool:
    """Whether the error says the database cannot be used right now."""
    if isinstance(error, db_errors.TimeoutError):  # every pooled connection is busy
        return True
    if isinstance(error, db_errors.DBAPIError):
        if error.connection_invalidated:
            return True
        return any(_driver_error_away(e) for e in _chain(error.orig))
    if isinstance(error, (OSError, TimeoutError)):
        return _raised_by_driver(error.__traceback__)
    return False


def _chain(error: BaseException | None) -> list[BaseException]:
    found: list[BaseException] = []
    while error is not None and len(found) < 10:
        found.append(error)
        error = error.__cause__
    return found


def _driver_error_away(error: BaseException) -> bool:
    code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if isinstance(code, str):
        return code.startswith(_PG_AWAY_CLASS) or code in _PG_AWAY_CODES
    sqlite_code = getattr(error, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return sqlite_code & 0xFF in _SQLITE_AWAY_CODES
    # The driver lost its connection (asyncpg: ConnectionDoesNotExistError,
    # a reset socket) without a server SQLSTATE.
    return isinstance(error, (OSError, TimeoutError)) or type(error).__name__ in (
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
    )


def _raised_by_driver(traceback: TracebackType | None) -> bool:
    while traceback is not None:
        module = traceback.tb_frame.f_globals.get("__name__", "")
        if module.startswith(_DRIVER_MODULES):
            return True
        traceback = traceback.tb_next
    return False
