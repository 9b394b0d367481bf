"""Logging: plain lines for a terminal, JSON lines for production, and the id of the
request each line belongs to.

Personal data never reaches a log: the product logs counts and kinds, never what
people typed; an exception is logged by its type and where it happened — not its
message, which may quote a value (a validation error quotes the input).
"""

from __future__ import annotations

import json
import logging
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Literal

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Fields a log call may add with ``extra=`` (anything else is left out of JSON lines).
EXTRA_FIELDS = ("method", "route", "status", "duration_ms", "channel", "count")


def _where(record: logging.LogRecord) -> list[str]:
    """The exception's type and its frames, without its message."""
    if not record.exc_info or record.exc_info[1] is None:
        return []
    error = record.exc_info[1]
    frames = traceback.extract_tb(error.__traceback__)
    return [type(error).__name__] + [f"{f.filename}:{f.lineno} {f.name}" for f in frames[-8:]]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,  # which worker process (kmb serve --workers N)
            "message": record.getMessage(),
        }
        if (current := request_id.get()) is not None:
            line["request_id"] = current
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if where := _where(record):
            line["error"] = where
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        current = request_id.get()
        prefix = f"[{current}] " if current else ""
        text = f"{record.levelname} {record.name}: {prefix}{record.getMessage()}"
        if where := _where(record):
            text += "\n  " + "\n  ".join(where)
        return text


def configure(
    level: str = "INFO", style: Literal["text", "json"] = "text", stream: IO[str] | None = None
) -> None:
    """One handler (on stderr) for the whole process, uvicorn's loggers included."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if style == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # kmb.requests logs each request (with its id, without the client's address).
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Database drivers at DEBUG print SQL parameters, i.e. what people typed.
    for name in ("sqlalchemy", "aiosqlite", "asyncpg"):
        logging.getLogger(name).setLevel(logging.WARNING)
