"""Reading the audit log (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from admin_api import audit
from admin_api.accounts import ADMIN
from admin_api.params import Offset
from admin_api.security import ContextDep, allowed

router = APIRouter(prefix="/admin/api", tags=["audit"])


class AuditOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "staff": "jnovakova",
                    "action": "case.read",
                    "target": "KMB-2026-000123",
                    "address": "10.20.30.41",
                    "at": "2026-11-23T08:40:02Z",
                }
            ]
        }
    )

    staff: str
    action: str
    target: str
    address: str
    at: datetime


@router.get("/audit", **allowed(ADMIN))
async def audit_log(
    context: ContextDep,
    target: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[AuditOut]:
    """Who read or changed what, the newest first; filter by a case reference."""
    async with context.db.reading() as session:
        found = await audit.entries(session, target=target, limit=limit, offset=offset)
    return [AuditOut.model_validate(e, from_attributes=True) for e in found]
