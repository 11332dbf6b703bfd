"""Bounded load test of the local API on loopback: latency percentiles, errors and throughput.

    python -m scripts.load_test [--requests 2000] [--concurrency 32] [--json reports/load_test.json]

Starts `python -m core serve` on a free 127.0.0.1 port, sends the intents file's examples round-robin,
first one at a time (200 requests), then with the given concurrency, and stops the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

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


async def hammer(client: httpx.AsyncClient, requests: int, concurrency: int) -> dict[str, float]:
    pool, latencies, errors = texts(), [], 0
    counter = iter(range(requests))

    async def worker() -> None:
        nonlocal errors
        for i in counter:
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
    return {"requests": requests, "concurrency": concurrency, "errors": errors, "p50_ms": round(q[49], 1),
            "p99_ms": round(q[98], 1), "requests_per_s": round(requests / elapsed, 1)}


async def main_async(requests: int, concurrency: int) -> list[dict[str, float]]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "core", "serve", "--port", str(port)])
    try:
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits) as client:
            await wait_ready(client)
            await hammer(client, 50, 4)  # warm-up, not reported
            return [await hammer(client, 200, 1), await hammer(client, requests, concurrency)]
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = asyncio.run(main_async(args.requests, args.concurrency))
    for row in results:
        print(json.dumps(row))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
