"""`kmb serve` in its own process, on a fresh SQLite file or PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PG_DSN, _admin, asyncpg_url
from tests.e2e.conftest import free_port

ROOT = Path(__file__).parents[1]
# Settings for load from one address: no rate limit gets in the way.
UNLIMITED = {
    "widget_rate_per_address": "1000000/minute",
    "widget_sessions_per_address": "1000000/minute",
    "widget_rate_per_session": "1000000/minute",
    "flood_limit_per_minute": "100000",
}


@dataclass
class Served:
    base: str
    database_url: str
    process: subprocess.Popen | None = None
    command: list[str] | None = None
    env: dict[str, str] | None = None
    log: Path | None = None  # where its stderr goes (else the test's own)

    def start(self) -> None:
        """Start (or start again) the `kmb serve` process and wait until it answers."""
        assert self.command is not None
        stderr = self.log.open("a") if self.log else None
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stderr=stderr)
        if stderr:
            stderr.close()  # the child has its own copy
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=1).read()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("kmb serve did not start") from None
                time.sleep(0.1)

    def kill(self) -> None:
        """kill -9: no shutdown, no cleanup, whatever was in flight is cut."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(15)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@contextlib.contextmanager
def kmb_serve(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    database: str,
    *arguments: str,
    log: Path | None = None,
    **settings: str,
) -> Iterator[Served]:
    """Start `kmb serve` (``database``: "sqlite" or "postgresql") with more command line
    ``arguments``, the test contact points and ``KMB_*`` settings given in lower case,
    its stderr appended to ``log`` if given; stop it on leaving."""
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('served') / 'kmb.sqlite3'}"
        name = None
    else:
        template = request.getfixturevalue("pg_template")
        name = f"kmb_s_{uuid.uuid4().hex[:10]}"
        asyncio.run(_admin(f"CREATE DATABASE {name} TEMPLATE {template}"))
        url = asyncpg_url(PG_DSN or "", name)
    port = free_port()
    env = {
        **os.environ,
        "KMB_DATABASE_URL": url,
        "KMB_CONTACT_POINTS_FILE": str(ROOT / "tests/data/contact-points.toml"),
        **{f"KMB_{key.upper()}": value for key, value in settings.items()},
    }
    env.pop("KMB_TELEGRAM_TOKEN", None)  # the web alone, whatever the caller's shell has
    served = Served(
        f"http://127.0.0.1:{port}",
        url,
        command=[sys.executable, "-m", "kmb.cli", "serve", "--port", str(port), *arguments],
        env=env,
        log=log,
    )
    served.start()
    try:
        yield served
    finally:
        served.stop()
        if name:
            asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
