"""The admin API against its own OpenAPI schema, with schemathesis: generated requests
(valid and invalid) to every operation of `kmb serve` running in its own process, signed
in as an admin. No response may be a server error, and every response must be one the
schema documents (status, content type, shape, headers); invalid input must be refused.

Bounded: a few examples per operation, so that it runs in CI in well under a minute.
SQLite only — the PostgreSQL behaviour of each route is covered by the workflow tests.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from intake.db import Database
from kmb.settings import Settings
from kmb.web import create_app
from tests.admin_api.conftest import PASSWORD, make_staff
from tests.served import Served, kmb_serve

EXAMPLES_PER_OPERATION = 12


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    with kmb_serve(
        request, tmp_path_factory, "sqlite", admin_failed_login_delay="0", scheduler_in_web="false"
    ) as served:
        yield served


def sign_in(served: Served) -> str:
    async def staff() -> None:
        db = Database(served.database_url)
        try:
            await make_staff(db)
        finally:
            await db.dispose()

    asyncio.run(staff())
    form = urllib.parse.urlencode({"username": "admin", "password": PASSWORD}).encode()
    with urllib.request.urlopen(f"{served.base}/admin/api/auth/token", data=form) as response:
        return json.load(response)["access_token"]


@pytest.fixture(scope="module")
def admin_headers(server: Served) -> dict[str, str]:
    return {"Authorization": f"Bearer {sign_in(server)}"}


# The schema the application publishes (building it needs no database).
schema = (
    schemathesis.openapi.from_dict(create_app(Settings()).openapi())
    .include(path_regex="^/admin/api/")
    # Signing out would end the session the other operations run in.
    .exclude(path_regex="^/admin/api/auth/logout$")
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_its_schema(
    case: schemathesis.Case, server: Served, admin_headers: dict[str, str]
) -> None:
    case.call_and_validate(
        base_url=server.base,
        headers=admin_headers,
        # Rules across fields (a period ends after it starts) cannot be said in OpenAPI:
        # a request the schema allows may still be refused, with a problem document.
        excluded_checks=[positive_data_acceptance],
    )
