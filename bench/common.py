"""Pieces the benchmarks share: a throwaway PostgreSQL database and latency figures."""

from __future__ import annotations

import contextlib
import os
import statistics
import uuid
from collections.abc import AsyncIterator


@contextlib.asynccontextmanager
async def postgres_database(dsn: str) -> AsyncIterator[str]:
    """A fresh database on the server ``dsn`` (postgresql://…); yields its asyncpg URL."""
    import asyncpg

    name = f"kmb_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(f"{dsn}/postgres")
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{dsn.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


def latency_figures(latencies: list[float], wall: float) -> dict[str, float]:
    """Throughput and the median and 99th percentile of the latencies (in ms)."""
    latencies.sort()
    return {
        "per_second": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "wall_s": wall,
    }
