"""Every admin route, called as anonymous, caseworker, editor and admin: allowed or
refused as its declared roles say. The routes come from the app's own route table, so a
route added without a rule fails here."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from admin_api.app import ROUTERS
from admin_api.security import ANONYMOUS
from tests.admin_api.conftest import Admin

CALLERS = (ANONYMOUS, "caseworker", "editor", "admin")


def admin_routes(app) -> list[tuple[str, str, list[str]]]:
    """Every route of the admin routers — and the OpenAPI document lists no other."""
    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            roles = (route.openapi_extra or {}).get("x-roles")
            assert roles, f"{route.path} declares no roles"
            for method in route.methods:
                found.append((method, route.path, roles))
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/admin/api")
        for method in operations
    }
    assert documented == {(method, path) for method, path, _ in found}
    return found


def concrete(path: str) -> str:
    """Fill path parameters with harmless values (the rule is checked before them)."""
    return re.sub(r"\{[^}]+\}", "1", path)


async def test_every_route_lets_in_exactly_its_roles(admin: Admin) -> None:
    routes = admin_routes(admin.app)
    assert len(routes) >= 20
    headers = {ANONYMOUS: {}} | {
        role: await admin.headers(role) for role in CALLERS if role != ANONYMOUS
    }
    wrong = []
    for method, path, roles in routes:
        for caller in CALLERS:
            response = await admin.client.request(
                method, concrete(path), headers=headers[caller], json={}
            )
            allowed = ANONYMOUS in roles or caller in roles
            if allowed and response.status_code in (401, 403):
                wrong.append((method, path, caller, response.status_code, "should be let in"))
            expected = 401 if caller == ANONYMOUS else 403
            if not allowed and response.status_code != expected:
                wrong.append((method, path, caller, response.status_code, "expected", expected))
            assert response.status_code < 500, (method, path, caller, response.text)
    assert wrong == []


@pytest.mark.parametrize("role", ["caseworker", "editor"])
async def test_admins_may_do_everything_and_others_only_their_part(admin: Admin, role: str) -> None:
    routes = admin_routes(admin.app)
    assert all("admin" in roles for _, _, roles in routes if ANONYMOUS not in roles)
    theirs = {path for _, path, roles in routes if role in roles}
    other = "editor" if role == "caseworker" else "caseworker"
    assert theirs != {path for _, path, roles in routes if other in roles}
