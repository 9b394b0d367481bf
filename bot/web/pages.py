"""The widget's files and the demo page of a fictional city that embeds it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.dialogue.script import N_
from bot.dialogue.translator import Translator
from locales import LOCALES

STATIC = Path(__file__).parent / "static"

# What the widget itself says (the conversation comes from the engine).
UI_STRINGS = {
    "launcher": N_("Help with housing"),
    "title": N_("Housing help"),
    "language": N_("Language"),
    "quick_exit": N_("Quick exit"),
    "quick_exit_long": N_("Quick exit: leave this page at once and hide the chat"),
    "close": N_("Close"),
    "input_label": N_("Your message"),
    "placeholder": N_("Write a message…"),
    "send": N_("Send"),
    "typing": N_("Writing…"),
    "offline": N_("No connection. Your message will be sent when you are back online."),
    "not_sent": N_("Not sent yet"),
    "calendar": N_("Add to my calendar"),
    "error": N_("Something went wrong. Please try again."),
}


@cache
def widget_script() -> bytes:
    strings = {
        locale: {key: Translator(locale).gettext(text) for key, text in UI_STRINGS.items()}
        for locale in LOCALES
    }
    source = (STATIC / "widget.js").read_text("utf-8")
    return source.replace("/*STRINGS*/ {}", json.dumps(strings, ensure_ascii=False)).encode()


router = APIRouter(include_in_schema=False)
CACHE = {"Cache-Control": "public, max-age=300"}


@router.get("/widget.js")
async def widget_js() -> Response:
    return Response(widget_script(), media_type="text/javascript; charset=utf-8", headers=CACHE)


@router.get("/widget.css")
async def widget_css() -> Response:
    return Response(
        (STATIC / "widget.css").read_bytes(), media_type="text/css; charset=utf-8", headers=CACHE
    )


@router.get("/", response_class=HTMLResponse)
async def demo_page(request: Request) -> HTMLResponse:
    exit_url = request.app.state.widget_exit_url
    page = (STATIC / "demo.html").read_text("utf-8").replace("{{EXIT_URL}}", exit_url)
    return HTMLResponse(page)
