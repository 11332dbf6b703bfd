"""The local API under a local attacker: idle and slowloris sockets, requests without the launch's token
(issue 24 item 9)."""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import core.api as api
from core.api import TOKEN_ENV, TOKEN_HEADER, ApiConfig, GuardedH11Protocol, create_app, launch_token
from core.cli import main
from core.errors import ConfigError

ATTACK_SOCKETS = 300  # what the probe held: more than MAX_CONNECTIONS


@pytest.fixture
def server() -> Iterator[int]:
    """A real uvicorn server with the guarded protocol and a trivial app; yields its port."""
    import uvicorn

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=GuardedH11Protocol, log_level="critical",
                            lifespan="off", limit_concurrency=api.MAX_CONNECTIONS, backlog=1024)
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.02)  # uvicorn offers no signal for "listening"; poll its flag
    yield port
    instance.should_exit = True
    thread.join(5)


def _good_request(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as fine:
            fine.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return b"200" in fine.recv(100)
    except OSError:
        return False


def _open(port: int, count: int, first: bytes = b"") -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=3)
            if first:
                sock.sendall(first)
            sockets.append(sock)
        except OSError:
            break
    return sockets


@pytest.mark.parametrize("first", [b"", b"G"], ids=["idle", "slowloris"])
def test_a_good_client_gets_through_300_idle_or_slow_sockets(server: int, first: bytes) -> None:
    successes, tries = 0, 20
    held: list[socket.socket] = []
    try:
        for _ in range(tries):
            held += _open(server, ATTACK_SOCKETS // 10, first)  # the attacker keeps opening more
            for sock in held[-5:]:
                with contextlib.suppress(OSError):
                    sock.sendall(b"E")  # and trickles bytes on some
            successes += _good_request(server)
        assert len(held) >= ATTACK_SOCKETS // 10 * tries * 0.9  # the attack really opened its sockets
    finally:
        for sock in held:
            sock.close()
    assert successes == tries


def test_headers_must_arrive_within_about_a_second(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\n")
        slow.settimeout(5)
        started = time.monotonic()
        assert slow.recv(100) == b""
        assert time.monotonic() - started < api.HEADER_TIMEOUT_S + 1


@pytest.fixture(scope="module")
def guarded(tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    os.environ["OFFLINE_ASSISTANT_HOME"] = str(tmp_path_factory.mktemp("api-token-home"))
    config = ApiConfig(tiny_bundle, token="s3cret-token-of-this-launch")
    with TestClient(create_app(config), base_url="http://127.0.0.1") as client:
        yield client


@pytest.mark.parametrize("headers", [{}, {TOKEN_HEADER: "wrong"}, {TOKEN_HEADER: ""},
                                     {TOKEN_HEADER: "s3cret-token-of-this-launch "}])
def test_requests_without_the_token_get_401(guarded: TestClient, headers: dict[str, str]) -> None:
    for method, path in (("GET", "/health"), ("POST", "/classify"), ("POST", "/route"), ("GET", "/openapi.json")):
        reply = guarded.request(method, path, json={"text": "show my profile"}, headers=headers)
        assert reply.status_code == 401 and "X-Assistant-Token" in reply.text
        assert reply.headers.get("connection") == "close"


def test_requests_with_the_token_are_served(guarded: TestClient) -> None:
    headers = {TOKEN_HEADER: "s3cret-token-of-this-launch"}
    assert guarded.get("/health", headers=headers).status_code == 200
    assert guarded.post("/classify", json={"text": "news today"}, headers=headers).status_code == 200


def test_the_launch_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    first, second = launch_token(False, "127.0.0.1"), launch_token(False, "127.0.0.1")
    assert first and second and first != second and len(first) >= 32  # random per launch
    monkeypatch.setenv(TOKEN_ENV, "given-by-the-desktop-app-0123456789")
    assert launch_token(False, "127.0.0.1") == "given-by-the-desktop-app-0123456789"
    monkeypatch.setenv(TOKEN_ENV, "short")
    with pytest.raises(ConfigError, match="at least"):
        launch_token(False, "127.0.0.1")
    assert launch_token(True, "127.0.0.1") is None
    with pytest.raises(ConfigError, match=r"127\.0\.0\.1"):
        launch_token(True, "192.168.1.20")


def test_serve_prints_the_token_and_writes_it_privately(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OFFLINE_ASSISTANT_HOME", str(tmp_path))
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    served: list[str | None] = []
    monkeypatch.setattr(api, "run_server", lambda *args: served.append(args[-1]))
    assert main(["serve"]) == 0
    token = served[0]
    assert token and token in capsys.readouterr().err
    token_file = tmp_path / "config" / "api-token"
    assert token_file.read_text().strip() == token and stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert main(["serve", "--no-token"]) == 0 and served[1] is None
    assert "warning" in capsys.readouterr().err
