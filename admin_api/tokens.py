"""Short-lived access tokens for staff: signed JWTs (HS256) naming the account and role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

ALGORITHM = "HS256"
AUDIENCE = "kmb-admin"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    account_id: int
    role: str


def access_token(account_id: int, role: str, *, secret: str, now: datetime, minutes: int) -> str:
    claims = {
        "sub": str(account_id),
        "role": role,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_access_token(token: str, *, secret: str) -> AccessClaims | None:
    """The claims of a valid, unexpired token; None for anything else."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "exp", "aud"]},
        )
        return AccessClaims(int(claims["sub"]), str(claims["role"]))
    except (jwt.PyJWTError, KeyError, ValueError):
        return None
