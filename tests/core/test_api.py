from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.api import ApiConfig, MicroBatcher, create_app
from core.engine import Engine


@pytest.fixture(scope="module")
def client(tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    import os

    os.environ["OFFLINE_ASSISTANT_HOME"] = str(tmp_path_factory.mktemp("api-home"))
    with TestClient(create_app(ApiConfig(tiny_bundle, threshold=0.0)), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_classify_returns_the_full_distribution(client: TestClient) -> None:
    reply = client.post("/classify", json={"text": "news today"})
    assert reply.status_code == 200
    body = reply.json()
    assert {"intent", "confidence", "ranking", "needs_clarification", "truncated"} <= set(body)
    assert sum(r["confidence"] for r in body["ranking"]) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("payload", [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 5000}, {"text": 3}])
def test_bad_input_answers_422_with_a_message(client: TestClient, payload: dict) -> None:  # type: ignore[type-arg]
    reply = client.post("/classify", json=payload)
    assert reply.status_code == 422
    assert reply.json()["detail"]


def test_route_health_intents_and_schema(client: TestClient) -> None:
    turn = client.post("/route", json={"text": "news today"}).json()
    assert set(turn) == {"kind", "band", "learned", "prediction", "result", "candidates", "slots"}
    assert client.get("/health").json()["status"] == "ok"
    assert [i["name"] for i in client.get("/intents").json()] == ["get_help", "get_news", "out_of_scope"]
    assert "/classify" in client.get("/openapi.json").json()["paths"]


def test_concurrent_requests_are_batched(tiny_bundle: Path) -> None:
    engine = Engine(tiny_bundle)
    sizes: list[int] = []
    original = engine.score

    def recording(texts):  # type: ignore[no-untyped-def]
        sizes.append(len(texts))
        return original(texts)

    engine.score = recording  # type: ignore[method-assign]

    async def scenario() -> list[str]:
        batcher = MicroBatcher(engine, max_batch=8, wait_s=0.05)
        task = asyncio.create_task(batcher.run())
        results = await asyncio.gather(*(batcher.score(f"news {i}") for i in range(16)))
        task.cancel()
        return [r.text for r in results]

    texts = asyncio.run(scenario())
    assert texts == [f"news {i}" for i in range(16)]  # every caller gets its own answer
    assert max(sizes) == 8 and sum(sizes) == 16


def test_classify_and_route_carry_the_slots(client: TestClient) -> None:
    text = "what are your opening hours tomorrow?"
    for path in ("/classify", "/route"):
        slots = client.post(path, json={"text": text}).json()["slots"]
        day = next(slot for slot in slots if slot["name"] == "day")
        assert day["value"] == "+1" and text[day["start"]:day["end"]] == "tomorrow"
