"""Staff accounts: roles, argon2 password hashes, lockout after repeated failures, and
refresh tokens (stored hashed, rotated on every use)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import Boolean, ForeignKey, Integer, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, UTCDateTime

CASEWORKER, EDITOR, ADMIN = "caseworker", "editor", "admin"
ROLES = (CASEWORKER, EDITOR, ADMIN)
MIN_PASSWORD = 12

_hasher = PasswordHash.recommended()  # argon2id with the library's current parameters
# Verifying against this when the account does not exist takes as long as a real check,
# so response times do not tell which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class StaffAccount(Base):
    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RefreshToken(Base):
    __tablename__ = "staff_refresh_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccountError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failures: int = 5
    lock_minutes: int = 15


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


async def create_account(
    session: AsyncSession, *, username: str, role: str, password: str, name: str, now: datetime
) -> StaffAccount:
    if role not in ROLES:
        raise AccountError(f"the role is one of {', '.join(ROLES)}")
    _check_password(password)
    if await session.scalar(select(StaffAccount.id).where(StaffAccount.username == username)):
        raise AccountError(f"the username {username} is taken")
    account = StaffAccount(
        username=username,
        display_name=name or username,
        role=role,
        password_hash=_hasher.hash(password),
        active=True,
        failed_logins=0,
        created_at=now,
        password_changed_at=now,
    )
    session.add(account)
    await session.flush()
    return account


async def by_username(session: AsyncSession, username: str) -> StaffAccount:
    account = await session.scalar(select(StaffAccount).where(StaffAccount.username == username))
    if account is None:
        raise AccountError(f"no account {username}")
    return account


async def disable(session: AsyncSession, username: str) -> None:
    account = await by_username(session, username)
    account.active = False
    await revoke_all(session, account.id, now=account.created_at)


async def reset_password(
    session: AsyncSession, username: str, *, password: str, now: datetime
) -> None:
    """A new password; the account is unlocked and signed out everywhere."""
    _check_password(password)
    account = await by_username(session, username)
    account.password_hash = _hasher.hash(password)
    account.password_changed_at = now
    account.failed_logins, account.locked_until = 0, None
    await revoke_all(session, account.id, now=now)


class LoginRefused(Exception):
    def __init__(self, reason: str, *, failures: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid" or "locked"
        self.failures = failures


async def authenticate(
    session: AsyncSession, username: str, password: str, *, now: datetime, policy: LoginPolicy
) -> StaffAccount:
    """The account, or LoginRefused; failures are counted and lock the account."""
    # Locked for the transaction: guesses sent at the same moment are counted one by
    # one, so parallel requests cannot slip past the lockout.
    account = await session.scalar(
        select(StaffAccount).where(StaffAccount.username == username).with_for_update()
    )
    if account is None or not account.active:
        _hasher.verify(password, _DUMMY_HASH)
        raise LoginRefused("invalid")
    if account.locked_until is not None and account.locked_until > now:
        raise LoginRefused("locked")
    valid, new_hash = _hasher.verify_and_update(password, account.password_hash)
    if not valid:
        account.failed_logins += 1
        failures = account.failed_logins
        if failures >= policy.max_failures:
            account.locked_until = now + timedelta(minutes=policy.lock_minutes)
            account.failed_logins = 0
        raise LoginRefused("invalid", failures=failures)
    if new_hash:  # the library's parameters got stronger since this hash was made
        account.password_hash = new_hash
    account.failed_logins, account.locked_until = 0, None
    return account


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_refresh_token(
    session: AsyncSession, account: StaffAccount, *, now: datetime, days: int
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            account_id=account.id,
            token_hash=_token_hash(token),
            expires_at=now + timedelta(days=days),
        )
    )
    await session.flush()
    return token


async def use_refresh_token(
    session: AsyncSession, token: str, *, now: datetime, days: int
) -> tuple[StaffAccount, str]:
    """Trade a refresh token for a new one (rotation). A token used twice means it was
    copied: every token of the account is revoked."""
    # Locked for the transaction: the same token sent twice at once (the person and
    # whoever copied it) is seen as used by the second, which revokes them all.
    stored = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _token_hash(token)).with_for_update()
    )
    if stored is None or stored.expires_at <= now:
        raise LoginRefused("invalid")
    account = await session.get(StaffAccount, stored.account_id)
    if stored.revoked_at is not None:
        await revoke_all(session, stored.account_id, now=now)
        raise LoginRefused("invalid")
    if account is None or not account.active:
        raise LoginRefused("invalid")
    stored.revoked_at = now
    return account, await issue_refresh_token(session, account, now=now, days=days)


async def revoke_all(session: AsyncSession, account_id: int, *, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.account_id == account_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
