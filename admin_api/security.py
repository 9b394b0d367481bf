"""Who is calling, and whether their role may: the dependencies of every admin route.

Every route declares its roles with :func:`allowed`, which both enforces them and
writes them into the OpenAPI document (``x-roles``); the tests build the authorisation
matrix from that, so a route without a rule cannot slip in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from admin_api.accounts import ADMIN, CASEWORKER, EDITOR, LoginPolicy, StaffAccount
from admin_api.problems import AdminProblem, problems
from admin_api.tokens import read_access_token
from bot.dialogue.config import EngineConfig
from intake.db import Database
from kmb.live_catalogue import CatalogueRefresher
from kmb.live_points import PointsRefresher
from kmb.settings import Settings

ANONYMOUS = "anonymous"
CASEWORKER_OR_EDITOR = (CASEWORKER, EDITOR)

bearer = OAuth2PasswordBearer(tokenUrl="/admin/api/auth/token", auto_error=False)


@dataclass
class AdminContext:
    """What the routes need; kept on ``app.state.admin``."""

    db: Database
    settings: Settings
    config: EngineConfig
    catalogue: CatalogueRefresher
    points: PointsRefresher

    @property
    def secret(self) -> str:
        return self.settings.admin_jwt_secret.get_secret_value()

    @property
    def policy(self) -> LoginPolicy:
        return LoginPolicy(
            max_failures=self.settings.admin_max_failed_logins,
            lock_minutes=self.settings.admin_lock_minutes,
        )


def admin_context(request: Request) -> AdminContext:
    return request.app.state.admin


ContextDep = Annotated[AdminContext, Depends(admin_context)]


@dataclass(frozen=True, slots=True)
class Staff:
    id: int
    username: str
    name: str
    role: str


async def current_staff(
    context: ContextDep, token: Annotated[str | None, Depends(bearer)] = None
) -> Staff:
    """The signed-in staff member; 401 without a valid token or for a disabled account."""
    claims = read_access_token(token or "", secret=context.secret)
    refused = AdminProblem(
        401,
        "Not signed in",
        "Sign in again: the access token is missing, wrong or expired.",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if claims is None:
        raise refused
    async with context.db.reading() as session:
        account = await session.get(StaffAccount, claims.account_id)
    if account is None or not account.active:
        raise refused
    return Staff(account.id, account.username, account.display_name, account.role)


StaffDep = Annotated[Staff, Depends(current_staff)]


def _require(roles: frozenset[str]) -> Callable[[Staff], Awaitable[Staff]]:
    async def check(staff: StaffDep) -> Staff:
        if staff.role not in roles:
            raise AdminProblem(403, "Not allowed", f"Your role ({staff.role}) cannot do this.")
        return staff

    return check


def allowed(
    *roles: str,
    responses: dict[int | str, Any] | None = None,
    openapi_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Route options: who may call it (admins always may), and the problems it may
    answer with; ``responses`` documents more, ``openapi_extra`` is merged into the
    operation (e.g. an example of a form body)."""
    if roles == (ANONYMOUS,):
        return {
            "openapi_extra": {**(openapi_extra or {}), "x-roles": [ANONYMOUS]},
            "responses": {**problems(400, 422), **(responses or {})},
        }
    permitted = frozenset({*roles, ADMIN})
    return {
        "dependencies": [Depends(_require(permitted))],
        "openapi_extra": {**(openapi_extra or {}), "x-roles": sorted(permitted)},
        "responses": {**problems(400, 401, 403, 422), **(responses or {})},
    }
