"""Signing in (OAuth2 password flow), refreshing and signing out."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from admin_api import accounts
from admin_api.problems import AdminProblem, problems
from admin_api.security import ANONYMOUS, CASEWORKER_OR_EDITOR, ContextDep, StaffDep, allowed
from admin_api.tokens import access_token
from intake.db import utcnow

router = APIRouter(prefix="/admin/api", tags=["auth"], responses=problems(401, 423))


class Tokens(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": (
                        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3Iiwicm9sZSI6ImNhc2V3b3Jr"
                        "ZXIiLCJhdWQiOiJrbWItYWRtaW4iLCJpYXQiOjE3OTYwMjU2MDAsImV4cCI6MTc5NjAyNjUw"
                        "MH0.ua5V0z44Zo1tFR2Bivbe-eia7A8MwTROCpMYwmBlZH4"
                    ),
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": "B4AbCj9B7Go4P5Kt8yftsfi87oTg0xOXVtN18yA_vLM",
                }
            ]
        }
    )

    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str


class RefreshIn(BaseModel):
    refresh_token: str = Field(examples=["B4AbCj9B7Go4P5Kt8yftsfi87oTg0xOXVtN18yA_vLM"])


class Me(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "jnovakova", "name": "Jana Nováková", "role": "caseworker"}]
        }
    )

    username: str
    name: str
    role: str


def _tokens(context: ContextDep, account: accounts.StaffAccount, refresh: str) -> Tokens:
    minutes = context.settings.admin_access_minutes
    token = access_token(
        account.id, account.role, secret=context.secret, now=utcnow(), minutes=minutes
    )
    return Tokens(access_token=token, expires_in=minutes * 60, refresh_token=refresh)


REFUSED = AdminProblem(
    401,
    "Sign-in refused",
    "The username or password is wrong.",
    headers={"WWW-Authenticate": "Bearer"},
)


# The form of the OAuth2 password flow (OAuth2PasswordRequestForm), which has no model
# of its own to carry an example.
SIGN_IN_FORM_EXAMPLE = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "example": {
                    "grant_type": "password",
                    "username": "jnovakova",
                    "password": "lipova-heslo-2026",
                }
            }
        }
    }
}


@router.post("/auth/token", **allowed(ANONYMOUS, openapi_extra=SIGN_IN_FORM_EXAMPLE))
async def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], context: ContextDep
) -> Tokens:
    """Exchange a username and password for an access token and a refresh token.
    Each failure waits a little longer; after too many the account is locked a while."""
    now = utcnow()
    refused: accounts.LoginRefused | None = None
    async with context.db.transaction() as session:  # failures are counted even so
        try:
            account = await accounts.authenticate(
                session, form.username, form.password, now=now, policy=context.policy
            )
            refresh = await accounts.issue_refresh_token(
                session, account, now=now, days=context.settings.admin_refresh_days
            )
        except accounts.LoginRefused as error:
            refused = error
    if refused is None:
        return _tokens(context, account, refresh)
    await asyncio.sleep(context.settings.admin_failed_login_delay * max(1, refused.failures))
    if refused.reason == "locked":
        raise AdminProblem(
            423,
            "Account locked",
            "Too many failed sign-ins. Try again later or ask an admin to reset the password.",
        )
    raise REFUSED


@router.post("/auth/refresh", **allowed(ANONYMOUS))
async def refresh(body: RefreshIn, context: ContextDep) -> Tokens:
    """A new access token and a new refresh token for a refresh token (used once)."""
    now = utcnow()
    refused = False
    async with context.db.transaction() as session:  # a reused token revokes them all
        try:
            account, token = await accounts.use_refresh_token(
                session, body.refresh_token, now=now, days=context.settings.admin_refresh_days
            )
        except accounts.LoginRefused:
            refused = True
    if refused:
        raise REFUSED
    return _tokens(context, account, token)


@router.post("/auth/logout", status_code=204, **allowed(*CASEWORKER_OR_EDITOR))
async def sign_out(staff: StaffDep, context: ContextDep) -> Response:
    """End every session of the signed-in account (all its refresh tokens)."""
    async with context.db.transaction() as session:
        await accounts.revoke_all(session, staff.id, now=utcnow())
    return Response(status_code=204)


@router.get("/me", **allowed(*CASEWORKER_OR_EDITOR))
async def me(staff: StaffDep) -> Me:
    """Who is signed in: username, name and role."""
    return Me(username=staff.username, name=staff.name, role=staff.role)
