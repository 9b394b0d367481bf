"""Every admin API operation is documented for the people who build on it: what it does,
who may call it, an example of each path parameter, of the request body and of each
successful response. Generated from the published schema, so a new route without its
documentation fails here."""

from __future__ import annotations

from typing import Any

import pytest

from kmb.settings import Settings
from kmb.web import create_app
from tests.admin_api.conftest import Admin

SCHEMA = create_app(Settings()).openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in SCHEMA["paths"].items()
    if path.startswith("/admin/api/")
    for method, operation in item.items()
]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def has_example(media: dict[str, Any]) -> bool:
    """An example of the whole document, or of each of its fields."""
    if "example" in media or "examples" in media:
        return True
    schema = resolve(media.get("schema", {}))
    if "examples" in schema or "example" in schema:
        return True
    if schema.get("type") == "array":
        return has_example({"schema": schema.get("items", {})})
    properties = schema.get("properties", {})
    return bool(properties) and all(
        "examples" in field or "example" in field or "default" in field or "$ref" in field
        for field in properties.values()
    )


@pytest.mark.parametrize(
    ("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_the_operation_is_documented_with_examples(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    assert operation.get("description"), "a docstring saying what it does"
    assert operation.get("x-roles"), "who may call it"
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            schema = parameter.get("schema", {})
            assert "example" in parameter or "examples" in parameter or "examples" in schema, (
                parameter["name"]
            )
    body = operation.get("requestBody", {}).get("content", {})
    for media_type, media in body.items():
        assert has_example(media), f"request body {media_type}"
    for status, response in operation["responses"].items():
        if not status.startswith("2"):
            continue
        for media_type, media in response.get("content", {}).items():
            assert has_example(media), f"response {status} {media_type}"


async def test_dates_at_the_ends_of_the_calendar_are_refused_not_crashed_on(
    admin: Admin,
) -> None:
    """Far dates are typing mistakes (and overflow the period arithmetic): 422."""
    boss = await admin.headers("admin")
    for url in (
        "/admin/api/reports/indicators?from=9999-12-30&period=week",
        "/admin/api/reports/indicators?from=0001-01-01&period=month",
        "/admin/api/points/centrum/calendar?first=9999-12-30",
        "/admin/api/cases?created_from=0001-01-01T00:00",
    ):
        response = await admin.client.get(url, headers=boss)
        assert response.status_code == 422, (url, response.text)
        assert "between 1900 and 2200" in response.text
