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


def serve(port: int, workers: int) -> None:
    """The same process model as `kmb serve --workers N` (and the same shared socket)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from kmb.cli import listening_socket

    config = uvicorn.Config("bench.bare:app", port=port, workers=workers, log_level="warning")
    if workers == 1:
        uvicorn.Server(config).run()
    else:
        Multiprocess(config, sockets=[listening_socket("127.0.0.1", port)]).run()


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    serve(int(sys.argv[1]), int(sys.argv[2]))
