"""The local API probed as a web page in the user's browser, a careless user and a fuzzer would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from core.api import ApiConfig, GuardedH11Protocol, check_bind_address, create_app
from core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    os.environ["OFFLINE_ASSISTANT_HOME"] = str(tmp_path_factory.mktemp("api-security-home"))
    with TestClient(create_app(ApiConfig(tiny_bundle)), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.mark.parametrize("host", ["evil.example", "rebind.attacker.test:8765", "192.168.1.20", "0.0.0.0"])
def test_only_loopback_host_headers_are_served(client: TestClient, host: str) -> None:
    """DNS rebinding: a page on evil.example resolves to 127.0.0.1 but still sends Host: evil.example."""
    reply = client.post("/route", json={"text": "show my profile"}, headers={"host": host})
    assert reply.status_code == 400 and "profile" not in reply.text


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost", "localhost:8765", "[::1]:8765"])
def test_loopback_host_headers_work(client: TestClient, host: str) -> None:
    assert client.get("/health", headers={"host": host}).status_code == 200


def test_a_huge_body_is_refused_before_it_is_read(client: TestClient) -> None:
    started = time.perf_counter()
    reply = client.post("/classify", content=b'{"text": "' + b"a" * (3 << 20) + b'"}',
                        headers={"content-type": "application/json"})
    assert reply.status_code == 413 and time.perf_counter() - started < 5


@pytest.mark.parametrize("body", [b'{"text": "\\ud800"}', b'{"text": NaN}', b'{"text": Infinity}', b"[" * 5000,
                                  b'{"text": "' + b"\xff\xfe" + b'"}', b'"just a string"', b"{}"])
def test_odd_json_is_a_4xx_that_echoes_nothing(client: TestClient, body: bytes) -> None:
    reply = client.post("/classify", content=body, headers={"content-type": "application/json"})
    assert reply.status_code in (400, 422), reply.text  # 400: not JSON at all; 422: JSON of the wrong shape
    json.loads(reply.text)  # valid JSON, no traceback
    assert "input" not in reply.text and "\\ud800" not in reply.text and "Traceback" not in reply.text


def test_docs_pages_are_off_and_the_schema_is_offline(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert "cdn" not in client.get("/openapi.json").text.lower()


@pytest.mark.parametrize("host", ["0.0.0.0", "", "192.168.1.20", "::", "example.org"])
def test_a_non_loopback_bind_address_is_refused_without_the_opt_in(host: str) -> None:
    with pytest.raises(ConfigError, match="allow-remote"):
        check_bind_address(host, allow_remote=False)
    check_bind_address("127.0.0.1", allow_remote=False)
    check_bind_address("::1", allow_remote=False)


def test_serve_on_every_interface_exits_2_with_a_message() -> None:
    done = subprocess.run([sys.executable, "-m", "core", "serve", "--host", "0.0.0.0"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--allow-remote" in done.stderr and "Traceback" not in done.stderr


def test_a_slow_request_is_cut_off_and_connections_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slowloris: a client that sends headers a byte at a time would otherwise hold its socket forever."""
    import uvicorn

    import core.api as api

    monkeypatch.setattr(api, "REQUEST_READ_TIMEOUT_S", 0.5)

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, http=GuardedH11Protocol,
                                           log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)  # uvicorn offers no signal for "listening"; poll its flag
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finished
            slow.settimeout(3)
            started = time.monotonic()
            assert slow.recv(100) == b""  # closed by the server
            assert time.monotonic() - started < 2.5
        with socket.create_connection(("127.0.0.1", port)) as fine:
            fine.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            fine.settimeout(3)
            assert b"200" in fine.recv(100)
    finally:
        server.should_exit = True
        thread.join(5)


def _schema_operations(client: TestClient):  # type: ignore[no-untyped-def]
    from schemathesis import openapi

    schema = openapi.from_dict(client.get("/openapi.json").json())
    return [result.ok() for result in schema.get_all_operations()]


def test_fuzz_every_operation_against_its_own_schema(client: TestClient) -> None:
    """Bounded fuzz (schemathesis): whatever the schema allows, the API answers valid JSON, never a 5xx."""
    operations = _schema_operations(client)
    assert {op.path for op in operations} >= {"/classify", "/route", "/health", "/intents"}
    for operation in operations:

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(operation.as_strategy())
        def check(case) -> None:  # type: ignore[no-untyped-def]
            body = case.body if isinstance(case.body, dict | list | str | int | float | bool) else None  # NOT_SET
            reply = client.request(case.method, case.formatted_path, json=body)
            assert reply.status_code < 500, (case.body, reply.text)
            json.loads(reply.text)

        check()
