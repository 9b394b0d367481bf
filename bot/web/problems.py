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


def header_locale(accept_language: str) -> str:
    """The first supported language of an Accept-Language header (the widget sends its own)."""
    for part in accept_language.split(","):
        found = supported(part.split(";")[0].strip())
        if found:
            return found
    return DEFAULT_LOCALE


def request_locale(request: Request) -> str:
    return header_locale(request.headers.get("accept-language", ""))


def problem_body(
    locale: str,
    status: int,
    title: str,
    detail: str,
    *,
    params: dict[str, object] | None = None,
    **extra: object,
) -> dict[str, object]:
    """The problem document; ``detail`` is a msgid, translated here."""
    detail_text = Translator(locale).gettext(detail, **(params or {}))
    return {"type": "about:blank", "title": title, "status": status, "detail": detail_text, **extra}


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, object] | None = None,
    **extra: object,
) -> JSONResponse:
    body = problem_body(request_locale(request), status, title, detail, params=params, **extra)
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


async def handle_problem(request: Request, problem: Exception) -> JSONResponse:
    assert isinstance(problem, WidgetProblem)
    return problem_response(
        request,
        problem.status,
        problem.title,
        problem.detail,
        headers=problem.headers,
        params=problem.params,
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
