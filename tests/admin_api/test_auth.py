"""Signing in: argon2 passwords, short-lived tokens, rotation of refresh tokens,
lockout after repeated failures, disabled accounts, no default secret in production."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from admin_api import accounts
from admin_api.accounts import StaffAccount
from intake.db import utcnow
from kmb.settings import Settings
from tests.admin_api.conftest import PASSWORD, Admin
from tests.kmb.test_cli import kmb


async def test_signing_in_gives_tokens_that_open_the_api(admin: Admin) -> None:
    response = await admin.sign_in("editor")
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 15 * 60
    me = await admin.client.get(
        "/admin/api/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json() == {"username": "editor", "name": "Editor", "role": "editor"}
    async with admin.db.reading() as session:
        stored = await session.scalar(select(StaffAccount.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def test_a_wrong_password_is_refused_with_a_problem_document(admin: Admin) -> None:
    response = await admin.sign_in("editor", "not the password")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The username or password is wrong."
    unknown = await admin.sign_in("nobody", "whatever it is")
    assert unknown.status_code == 401 and unknown.json() == response.json()
    forged = await admin.client.get("/admin/api/me", headers={"Authorization": "Bearer x.y.z"})
    assert forged.status_code == 401


async def test_repeated_failures_lock_the_account_until_an_admin_resets_it(
    admin: Admin,
) -> None:
    for _ in range(5):
        assert (await admin.sign_in("caseworker", "wrong password!")).status_code == 401
    locked = await admin.sign_in("caseworker")  # even the right password, for a while
    assert locked.status_code == 423 and "Too many" in locked.json()["detail"]
    async with admin.db.transaction() as session:
        await accounts.reset_password(
            session, "caseworker", password="a brand new password", now=utcnow()
        )
    assert (await admin.sign_in("caseworker", "a brand new password")).status_code == 200


def accounts_now():
    from intake.db import utcnow

    return utcnow()


async def test_refresh_tokens_rotate_and_a_reused_one_signs_everyone_out(admin: Admin) -> None:
    first = (await admin.sign_in("admin")).json()
    second = await admin.client.post(
        "/admin/api/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200
    rotated = second.json()["refresh_token"]
    assert rotated != first["refresh_token"]
    stolen = await admin.client.post(
        "/admin/api/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert stolen.status_code == 401  # used twice: somebody copied it
    again = await admin.client.post("/admin/api/auth/refresh", json={"refresh_token": rotated})
    assert again.status_code == 401  # and every session of the account ended


async def test_guesses_and_a_copied_token_sent_at_the_same_moment_are_caught(
    admin: Admin,
) -> None:
    """Parallel requests do not slip past the checks (PostgreSQL runs them at once)."""
    guesses = await asyncio.gather(*(admin.sign_in("editor", "wrong!") for _ in range(8)))
    assert {r.status_code for r in guesses} <= {401, 423}
    assert (await admin.sign_in("editor")).status_code == 423  # locked, as after 5 in a row

    token = (await admin.sign_in("admin")).json()["refresh_token"]
    refreshed = await asyncio.gather(
        *(
            admin.client.post("/admin/api/auth/refresh", json={"refresh_token": token})
            for _ in range(5)
        )
    )
    assert sorted(r.status_code for r in refreshed) == [200, 401, 401, 401, 401]
    [winner] = [r.json()["refresh_token"] for r in refreshed if r.status_code == 200]
    again = await admin.client.post("/admin/api/auth/refresh", json={"refresh_token": winner})
    assert again.status_code == 401  # the reuse ended every session of the account


async def test_signing_out_and_disabling_take_effect_at_once(admin: Admin) -> None:
    tokens = (await admin.sign_in("editor")).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await admin.client.post("/admin/api/auth/logout", headers=auth)).status_code == 204
    refused = await admin.client.post(
        "/admin/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refused.status_code == 401
    async with admin.db.transaction() as session:
        await accounts.disable(session, "editor")
    assert (await admin.client.get("/admin/api/me", headers=auth)).status_code == 401
    assert (await admin.sign_in("editor")).status_code == 401


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="KMB_ADMIN_JWT_SECRET"):
        Settings(_env_file=None, environment="production")
    with pytest.raises(ValidationError, match="32"):
        Settings(_env_file=None, environment="production", admin_jwt_secret="short")
    Settings(_env_file=None, environment="production", admin_jwt_secret="x" * 40)


def test_the_staff_command(tmp_path) -> None:
    env = {"KMB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 's.sqlite3'}"}
    created = kmb("staff", "create", "jana", "--role", "caseworker", env=env, stdin=PASSWORD + "\n")
    assert created.returncode == 0 and "created jana (caseworker)" in created.stdout
    again = kmb("staff", "create", "jana", "--role", "editor", env=env, stdin=PASSWORD + "\n")
    assert again.returncode == 2 and "taken" in again.stderr
    short = kmb("staff", "create", "petr", "--role", "editor", env=env, stdin="short\n")
    assert short.returncode == 2 and "at least 12" in short.stderr
    reset = kmb("staff", "reset-password", "jana", "--generate", env=env)
    assert reset.returncode == 0 and "password (shown once):" in reset.stdout
    assert kmb("staff", "disable", "jana", env=env).returncode == 0
    assert kmb("staff", "disable", "nobody", env=env).returncode == 2
