"""`kmb serve --workers N`: several web worker processes on PostgreSQL, refused on
SQLite, and a listening socket whose connections get TCP_NODELAY."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kmb.cli import listening_socket
from tests.bot.test_widget_api import WHOLE_INTAKE
from tests.served import UNLIMITED, kmb_serve

ROOT = Path(__file__).parents[2]


def test_connections_to_the_shared_socket_say_they_are_tcp() -> None:
    """asyncio sets TCP_NODELAY only on sockets whose protocol is IPPROTO_TCP; uvicorn's
    own shared socket has protocol 0, and every kept-alive answer then waited 40 ms."""
    server = listening_socket("127.0.0.1", 0)
    server.listen()
    with socket.create_connection(server.getsockname()) as client:
        accepted, _ = server.accept()
        with accepted:
            assert accepted.proto == socket.IPPROTO_TCP
            assert client.getsockname() == accepted.getpeername()
    server.close()


def test_several_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kmb.cli", "serve", "--workers", "2"],
        cwd=ROOT,
        env={"KMB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "PostgreSQL" in done.stderr


def worker_pids(log: Path) -> list[int]:
    """The worker processes, from the line each logs when it starts."""
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return sorted({line["pid"] for line in lines if "Started server process" in line["message"]})


def test_two_workers_carry_a_whole_intake(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The conversation's first half is answered by one worker and its second half by
    the other (each in turn is paused with SIGSTOP, so the shared socket's connections
    can only go to the other): its state lives in the database, not in a process."""
    log = tmp_path_factory.mktemp("serve") / "kmb.log"
    with kmb_serve(
        request,
        tmp_path_factory,
        "postgresql",
        "--workers",
        "2",
        log=log,
        log_format="json",
        **UNLIMITED,
    ) as served:
        deadline = time.monotonic() + 30
        while len(worker_pids(log)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        first, second = worker_pids(log)
        limits = httpx.Limits(max_keepalive_connections=0)  # a new connection each time
        with httpx.Client(base_url=served.base, limits=limits, timeout=20) as client:
            started = client.post("/widget/api/sessions", json={"locale": "cs"}).json()
            auth = {"Authorization": f"Bearer {started['token']}"}
            cursor = started["cursor"]
            half = len(WHOLE_INTAKE) // 2
            for number, (field, value) in enumerate(WHOLE_INTAKE):
                paused = second if number < half else first
                os.kill(paused, signal.SIGSTOP)
                try:
                    answered = client.post(
                        "/widget/api/messages",
                        headers={**auth, "X-Request-ID": f"step-{number}"},
                        json={"id": f"s{number}", field: value, "after": cursor},
                    )
                finally:
                    os.kill(paused, signal.SIGCONT)
                assert answered.status_code == 200, answered.text
                cursor = answered.json()["cursor"]
        assert "KMB-" in answered.json()["messages"][-1]["text"]
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    # Which worker answered each step, by the request's id: the two processes' lines
    # need not reach the file in the order the requests were made.
    answered_by = {
        line["request_id"]: line["pid"]
        for line in lines
        if line.get("route") == "/widget/api/messages"
    }
    answering = [answered_by[f"step-{number}"] for number in range(len(WHOLE_INTAKE))]
    assert set(answering[:half]) == {first} and set(answering[half:]) == {second}
