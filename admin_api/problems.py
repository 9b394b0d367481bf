"""Errors of the admin API as RFC 9457 problem documents (application/problem+json)."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def admin_http_problem(error: StarletteHTTPException) -> JSONResponse:
    """An error of the framework (unreadable body, wrong method) as a problem document."""
    title = HTTPStatus(error.status_code).phrase
    detail = error.detail if isinstance(error.detail, str) else title
    return JSONResponse(
        problem(error.status_code, title, detail),
        status_code=error.status_code,
        headers=dict(error.headers or {}),
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


PROBLEM_SCHEMA: dict[str, object] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

# Each documented problem: what it means, and an example of its body.
_KNOWN = {
    400: ("The body could not be read", "Bad Request", "There was an error parsing the body"),
    401: ("Not signed in, or the token expired", "Not signed in", "Sign in again."),
    403: ("Your role may not do this", "Not allowed", "Your role may not do this."),
    404: ("Not found", "Not found", "There is no case KMB-2026-000123."),
    409: (
        "Refused in the current state",
        "Not possible",
        "A closed case cannot be claimed.",
    ),
    422: ("Invalid request", "Invalid request", "Some fields are missing or wrong."),
    423: (
        "Account locked after failed sign-ins",
        "Account locked",
        "Too many failed sign-ins. Try again in 15 minutes.",
    ),
}


def problems(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` for these problem statuses (application/problem+json)."""
    documented: dict[int | str, dict[str, object]] = {}
    for status in statuses:
        description, title, detail = _KNOWN[status]
        example = problem(status, title, detail)
        if status == 422:
            example["errors"] = [{"field": "status", "message": "Input should be 'closed'"}]
        documented[status] = {
            "description": f"{description} (problem document)",
            "content": {MEDIA_TYPE: {"schema": PROBLEM_SCHEMA, "example": example}},
        }
    return documented


NOT_FOUND = problems(404)
CONFLICT = problems(409)
