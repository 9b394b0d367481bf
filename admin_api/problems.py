"""Errors of the admin API as RFC 9457 problem documents (application/problem+json)."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

MEDIA_TYPE = "application/problem+json"


class AdminProblem(Exception):
    def __init__(
        self, status: int, title: str, detail: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers or {}


def problem(status: int, title: str, detail: str, **extra: object) -> dict[str, object]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}


async def handle_admin_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AdminProblem)
    return JSONResponse(
        problem(error.status, error.title, error.detail),
        status_code=error.status,
        headers=error.headers,
        media_type=MEDIA_TYPE,
    )


def invalid_admin_request(error: RequestValidationError) -> JSONResponse:
    """Which fields are wrong and why, for the staff console to show."""
    errors = [
        {"field": ".".join(str(part) for part in e["loc"][1:]) or "body", "message": e["msg"]}
        for e in error.errors()
    ]
    return JSONResponse(
        problem(422, "Invalid request", "Some fields are missing or wrong.", errors=errors),
        status_code=422,
        media_type=MEDIA_TYPE,
    )


NOT_FOUND = {404: {"description": "Not found (problem document)"}}
