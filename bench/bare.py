"""The ceiling of the HTTP benchmarks: a FastAPI app with one endpoint that parses
the JSON and answers, touching nothing else (``uvicorn bench.bare:app``)."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/bench/bare")
async def bare(body: dict) -> dict:
    return {"messages": [], "cursor": 0, "fields": len(body)}
