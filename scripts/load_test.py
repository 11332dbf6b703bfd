"""Bounded load test of the local API on loopback: latency percentiles, errors and throughput.

    python -m scripts.load_test [--requests 2000] [--concurrency 32] [--json reports/load_test.json]
    python -m scripts.load_test --concurrency 50 --duration 30 --rounds 5     # the issue-24 memory check

Starts `python -m core serve` on a free 127.0.0.1 port (with a token of its own, sent in X-Assistant-Token),
sends the intents file's examples round-robin, first one at a time (200 requests), then with the given
concurrency (a number of requests, or for --duration seconds, --rounds times), and stops the server. Each row
reports the server's resident memory (RSS, Linux /proc) after it, so growth under load shows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.api import TOKEN_ENV, TOKEN_HEADER
from core.intents import load_dataset
from core.paths import resource_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def texts() -> list[str]:
    return [text for text, _ in load_dataset(resource_path("intents.yaml")).rows()]


async def wait_ready(client: httpx.AsyncClient, deadline_s: float = 120) -> None:
    start = time.monotonic()
    while time.monotonic() - start < deadline_s:
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            await asyncio.sleep(0.2)  # the server is still loading the model
    raise TimeoutError("the API did not become ready")


def rss_mb(pid: int) -> float:
    """The process's resident memory in MB (Linux); -1 where /proc is not there."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return -1.0


async def hammer(client: httpx.AsyncClient, requests: int, concurrency: int,
                 duration_s: float | None = None) -> dict[str, float]:
    """`requests` requests from `concurrency` workers, or as many as they send in `duration_s` seconds."""
    pool, latencies, errors = texts(), [], 0
    counter = iter(range(requests if duration_s is None else 1 << 62))
    stop_at = time.perf_counter() + (duration_s or 0)

    async def worker() -> None:
        nonlocal errors
        for i in counter:
            if duration_s is not None and time.perf_counter() >= stop_at:
                return
            start = time.perf_counter()
            try:
                reply = await client.post("/classify", json={"text": pool[i % len(pool)]})
                errors += reply.status_code != 200
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "concurrency": concurrency, "errors": errors, "p50_ms": round(q[49], 1),
            "p99_ms": round(q[98], 1), "requests_per_s": round(len(latencies) / elapsed, 1)}


async def main_async(requests: int, concurrency: int, duration_s: float | None = None,
                     rounds: int = 1) -> list[dict[str, float]]:
    port, token = free_port(), secrets.token_urlsafe(32)
    server = subprocess.Popen([sys.executable, "-m", "core", "serve", "--port", str(port)],
                              env={**os.environ, TOKEN_ENV: token})
    try:
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits,
                                     headers={TOKEN_HEADER: token}) as client:
            await wait_ready(client)
            await hammer(client, 50, 4)  # warm-up, not reported
            rows = [await hammer(client, 200, 1) | {"rss_mb": rss_mb(server.pid)}]
            for _ in range(rounds):
                row = await hammer(client, requests, concurrency, duration_s)
                rows.append(row | {"rss_mb": rss_mb(server.pid)})
            return rows
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, help="seconds per concurrent round (instead of --requests)")
    parser.add_argument("--rounds", type=int, default=1, help="concurrent rounds, each reported with the RSS")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 200 or not 1 <= args.rounds <= 20 or (args.duration or 0) > 600:
        parser.error("keep the test bounded: --concurrency 1..200, --rounds 1..20, --duration up to 600 s")
    results = asyncio.run(main_async(args.requests, args.concurrency, args.duration, args.rounds))
    for row in results:
        print(json.dumps(row))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
