"""The HTTP application of `kmb serve`: built by a factory, everything started in lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from admin_api import app as admin_app
from admin_api.problems import admin_http_problem, invalid_admin_request
from admin_api.security import AdminContext
from bot.telegram import setup as telegram_setup
from bot.telegram import webhook
from bot.web import api as widget_api
from bot.web import pages
from bot.web.limits import BodySizeLimit, RateLimits, RefuseNul
from bot.web.problems import WidgetProblem, handle_invalid_request, handle_problem
from kmb import health, logs
from kmb.app import running
from kmb.requests import RequestContext
from kmb.settings import Settings


async def invalid_request(request: Request, error: Exception) -> JSONResponse:
    """Bad input: field by field for staff, a plain localized sentence for the widget."""
    assert isinstance(error, RequestValidationError)
    if request.url.path.startswith("/admin/api"):
        return invalid_admin_request(error)
    return await handle_invalid_request(request, error)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route offers for the request's path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


async def http_error(request: Request, error: Exception) -> Response:
    """Errors raised by the framework itself (an unreadable body, a wrong method):
    a problem document on the admin API, FastAPI's own answer elsewhere."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 405:
        # Starlette names only the first route of the path; a path may have several.
        error.headers = {**(error.headers or {}), "Allow": ", ".join(allowed_methods(request))}
    if request.url.path.startswith("/admin/api"):
        return admin_http_problem(error)
    return await http_exception_handler(request, error)


def app_from_environment() -> FastAPI:
    """The application of one `kmb serve` worker process, with its logging set up."""
    settings = Settings()
    logs.configure(settings.log_level, settings.log_format)
    return create_app(settings)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(settings, scheduler=settings.scheduler_in_web) as runtime:
            app.state.runtime = runtime
            admin_app.start(
                app,
                AdminContext(
                    db=runtime.db,
                    settings=settings,
                    config=runtime.engine.config,
                    catalogue=runtime.catalogue,
                    points=runtime.points,
                ),
            )
            app.state.telegram = None
            app.state.widget = widget_api.Widget(
                db=runtime.db,
                engine=runtime.engine,
                limits=RateLimits(
                    per_address=settings.widget_rate_per_address,
                    sessions_per_address=settings.widget_sessions_per_address,
                    per_session=settings.widget_rate_per_session,
                ),
                idle=timedelta(minutes=settings.widget_session_idle_minutes),
            )
            tasks: list[asyncio.Task[None]] = []
            if runtime.telegram is not None:
                telegram = runtime.telegram
                secret = settings.webhook_secret()
                app.state.telegram = webhook.WebhookTarget(
                    telegram.dispatcher, telegram.bot, secret
                )
                # No public URL: long polling from this process, once Telegram answers.
                setup = telegram_setup.set_up(
                    telegram.bot,
                    telegram.dispatcher,
                    webhook_url=settings.telegram_webhook_url,
                    secret=secret,
                )
                tasks.append(asyncio.create_task(setup))
                tasks.append(asyncio.create_task(telegram.delivery.run()))
            try:
                yield
            finally:
                if runtime.telegram is not None and not settings.telegram_webhook_url:
                    with contextlib.suppress(RuntimeError):
                        await runtime.telegram.dispatcher.stop_polling()
                for task in tasks:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    app = FastAPI(title="KMB Intake", lifespan=lifespan)
    app.state.widget_exit_url = settings.widget_exit_url
    app.include_router(webhook.router)
    app.include_router(widget_api.router)
    app.include_router(pages.router)
    app.include_router(health.router)
    app.add_exception_handler(WidgetProblem, handle_problem)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    for error in health.MAYBE_AWAY:
        app.add_exception_handler(error, health.database_unavailable)
    admin_app.install(app)
    app.add_middleware(RefuseNul)
    app.add_middleware(BodySizeLimit, prefix="/widget/api", limit=settings.widget_max_body_bytes)
    app.add_middleware(RequestContext)  # every request, even refused ones and crashes
    if settings.widget_origins():
        # Outermost, so that every answer a city's page gets — a crash's 500 included —
        # carries the CORS headers; otherwise the browser hides it and widget.js takes
        # it for a lost connection. Retry-After must be exposed to be read at all.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.widget_origins(),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept-Language"],
            expose_headers=["Retry-After", "X-Request-ID"],
            max_age=600,
        )
    return app
