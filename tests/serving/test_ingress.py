"""The cluster ingress: core.api's schema and protections, over a real tiny engine, without Ray."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from core.api import PredictionOut
from core.engine import Engine
from core.prediction import Scores
from serving.config import IngressConfig, token_digest
from serving.ingress import _host_of, create_ingress_app

TOKEN = "t" * 40
LOOPBACK = "http://127.0.0.1"


@dataclass
class FakeBackend:
    """A replica without Ray: the real engine, scored one request at a time (or slowly, or wrongly)."""

    engine: Engine
    bundle_sha256: str = "b" * 64
    served_by: str = "node-1"
    delay_s: float = 0.0
    error: str = ""
    seen: list[str] = field(default_factory=list)

    async def score(self, text: str) -> Scores:
        self.seen.append(text)
        await asyncio.sleep(self.delay_s)
        scores = self.engine.score([text])[0]
        return Scores(scores.text, (), error=self.error) if self.error else scores


@pytest.fixture(scope="module")
def engine(tiny_bundle: Path) -> Engine:
    return Engine(tiny_bundle)


def client(backend: FakeBackend, **settings: Any) -> TestClient:
    return TestClient(create_ingress_app(backend, IngressConfig(**settings)), base_url=LOOPBACK)


def test_classify_has_core_api_schema_and_marks_the_answering_replica(engine: Engine) -> None:
    response = client(FakeBackend(engine)).post("/classify", json={"text": "news today"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(PredictionOut.model_fields)
    assert body["intent"] in engine.labels and 0.0 <= body["confidence"] <= 1.0
    assert response.headers["x-bundle-sha256"] == "b" * 64 and response.headers["x-served-by"] == "node-1"


def test_health_and_intents_match_core_api(engine: Engine) -> None:
    api = client(FakeBackend(engine), threshold=0.8)
    health = api.get("/health").json()
    assert health == {"status": "ok", "device": "cpu", "labels": len(engine.labels), "threshold": 0.8}
    intents = api.get("/intents").json()
    assert [i["name"] for i in intents] == list(engine.labels)
    assert set(intents[0]) == {"name", "display_name", "out_of_scope"}


def test_threshold_defaults_to_the_bundles(engine: Engine) -> None:
    assert client(FakeBackend(engine)).get("/health").json()["threshold"] == engine.info.default_threshold


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", ""])
def test_unlisted_host_is_refused(engine: Engine, host: str) -> None:
    response = client(FakeBackend(engine)).post("/classify", json={"text": "news"}, headers={"host": host})
    assert response.status_code == 400


def test_listed_host_with_port_is_served(engine: Engine) -> None:
    api = client(FakeBackend(engine), allowed_hosts=("assistant.intranet.example",))
    assert api.get("/health", headers={"host": "assistant.intranet.example:8000"}).status_code == 200
    assert api.get("/health", headers={"host": "localhost:8000"}).status_code == 400


@pytest.mark.parametrize(("raw", "host"), [("LocalHost:80", "localhost"), ("[::1]:8000", "[::1]"), ("::1", "::1"),
                                           ("a.example", "a.example")])
def test_host_header_parsing(raw: str, host: str) -> None:
    assert _host_of(raw) == host


def test_token_is_required_except_for_health(engine: Engine) -> None:
    backend = FakeBackend(engine)
    api = client(backend, token_sha256=token_digest(TOKEN))
    assert api.post("/classify", json={"text": "news"}).status_code == 401
    wrong = api.post("/classify", json={"text": "news"}, headers={"authorization": "Bearer " + "x" * 40})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert api.get("/intents").status_code == 401
    assert api.get("/health").status_code == 200
    assert api.post("/classify", json={"text": "news"}, headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert api.post("/classify", json={"text": "news"}, headers={"x-assistant-token": TOKEN}).status_code == 200
    assert backend.seen == ["news", "news"]  # refused requests never reached the model


def test_declared_body_over_the_cap_is_refused(engine: Engine) -> None:
    backend = FakeBackend(engine)
    response = client(backend, max_body_bytes=100).post("/classify", content=b"{" + b" " * 200 + b"}",
                                                        headers={"content-type": "application/json"})
    assert response.status_code == 413 and backend.seen == []


def _call(app: Any, chunks: list[bytes], delay_s: float = 0.0) -> tuple[int, dict[str, Any]]:
    """Drive the ASGI app directly: a body in chunks, no content-length, optionally slow."""
    messages: list[dict[str, Any]] = []
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(delay_s)
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {"type": "http", "method": "POST", "path": "/classify", "raw_path": b"/classify", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")], "http_version": "1.1",
             "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5), "root_path": ""}
    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return messages[0]["status"], json.loads(body)


def test_streamed_body_over_the_cap_is_refused(engine: Engine) -> None:
    backend = FakeBackend(engine)
    app = create_ingress_app(backend, IngressConfig(max_body_bytes=100))
    status, _ = _call(app, [b'{"text": "' + b"a" * 60, b"a" * 60 + b'"}'])
    assert status == 413 and backend.seen == []


def test_streamed_body_under_the_cap_is_classified(engine: Engine) -> None:
    app = create_ingress_app(FakeBackend(engine), IngressConfig())
    status, body = _call(app, [b'{"text": "news', b' today"}'])
    assert status == 200 and body["text"] == "news today"


def test_slow_body_is_cut_off(engine: Engine) -> None:
    backend = FakeBackend(engine)
    app = create_ingress_app(backend, IngressConfig(read_timeout_s=0.05))
    status, _ = _call(app, [b'{"text":', b' "news"}'], delay_s=0.2)
    assert status == 408 and backend.seen == []


def test_answer_deadline_gives_503(engine: Engine) -> None:
    response = client(FakeBackend(engine, delay_s=1.0), answer_timeout_s=0.05).post("/classify", json={"text": "hi"})
    assert response.status_code == 503 and "in time" in response.json()["detail"]


def test_a_row_the_model_got_wrong_is_an_error_never_an_intent(engine: Engine) -> None:
    response = client(FakeBackend(engine, error="scores are NaN")).post("/classify", json={"text": "news"})
    assert response.status_code == 503 and response.json()["detail"] == "scores are NaN"


@pytest.mark.parametrize("payload", [{"text": "   "}, {"text": ""}, {"text": "a" * 4001}, {"nope": 1},
                                     {"text": "\ud800"}])
def test_invalid_requests_give_422_without_echo(engine: Engine, payload: dict[str, Any]) -> None:
    backend = FakeBackend(engine)
    response = client(backend).post("/classify", content=json.dumps(payload).encode(),
                                    headers={"content-type": "application/json"})
    assert response.status_code == 422 and backend.seen == []
    assert "aaaa" not in response.text


def test_text_with_nothing_left_after_cleaning_gives_422(engine: Engine) -> None:
    backend = FakeBackend(engine)
    response = client(backend).post("/classify", json={"text": "\u0000\u0001"})
    assert response.status_code == 422 and backend.seen == []


def test_token_digest_never_holds_the_token() -> None:
    config = IngressConfig(token_sha256=token_digest(TOKEN))
    assert TOKEN not in json.dumps(config.to_json())
    assert config.token_sha256 == hashlib.sha256(TOKEN.encode()).hexdigest()
