"""Errors of the widget API as RFC 9457 problem documents, with a localized detail."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bot.dialogue.script import N_
from bot.dialogue.translator import Translator
from locales import DEFAULT_LOCALE, supported


class WidgetProblem(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.detail = status, title, detail
        self.headers, self.params = headers or {}, params


def request_locale(request: Request) -> str:
    """The widget says which language it shows in Accept-Language."""
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        found = supported(part.split(";")[0].strip())
        if found:
            return found
    return DEFAULT_LOCALE


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    t = Translator(request_locale(request))
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": t.gettext(detail),
        **extra,
    }
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


async def handle_problem(request: Request, problem: Exception) -> JSONResponse:
    assert isinstance(problem, WidgetProblem)
    t = Translator(request_locale(request))
    body = {
        "type": "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": t.gettext(problem.detail, **problem.params),
    }
    return JSONResponse(
        body,
        status_code=problem.status,
        headers=problem.headers,
        media_type="application/problem+json",
    )


async def handle_invalid_request(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return problem_response(
            request, 400, "Malformed JSON", N_("The request could not be read. Please try again.")
        )
    fields = sorted({".".join(str(x) for x in p["loc"][1:]) or "body" for p in problems})
    return problem_response(
        request,
        422,
        "Invalid request",
        N_("The request is not valid. Please reload the page."),
        fields=fields,
    )
