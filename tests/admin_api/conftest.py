"""An admin API client on a real database, and signed-in staff of every role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from admin_api import accounts
from intake.db import Database, utcnow
from kmb.web import create_app
from tests.bot.test_widget_api import settings_for

PASSWORD = "correct horse battery staple"


@dataclass
class Admin:
    client: httpx.AsyncClient
    db: Database
    app: object

    async def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post(
            "/admin/api/auth/token", data={"username": username, "password": password}
        )

    async def headers(self, username: str) -> dict[str, str]:
        response = await self.sign_in(username)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def make_staff(db: Database) -> None:
    async with db.transaction() as session:
        for role in accounts.ROLES:
            await accounts.create_account(
                session,
                username=role,
                role=role,
                password=PASSWORD,
                name=role.title(),
                now=utcnow(),
            )


@pytest.fixture
async def admin(database_url: str, db: Database) -> AsyncIterator[Admin]:
    await make_staff(db)
    app = create_app(settings_for(database_url, admin_failed_login_delay=0, scheduler_in_web=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kmb.test") as client:
            yield Admin(client, db, app)
