"""Mounting the admin API on the product's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from admin_api import (
    routes_appointments,
    routes_audit,
    routes_auth,
    routes_cases,
    routes_catalogue,
    routes_points,
    routes_privacy,
    routes_reports,
)
from admin_api.problems import AdminProblem, handle_admin_problem
from admin_api.security import AdminContext

ROUTERS = (
    routes_auth.router,
    routes_cases.router,
    routes_cases.templates_router,
    routes_appointments.router,
    routes_points.router,
    routes_catalogue.router,
    routes_audit.router,
    routes_reports.router,
    routes_privacy.router,
    routes_privacy.consents_router,
)


def install(app: FastAPI) -> None:
    """The routes and their error handler; the context is set when the app starts."""
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(AdminProblem, handle_admin_problem)


def start(app: FastAPI, context: AdminContext) -> None:
    app.state.admin = context
