"""Local HTTP API (FastAPI + Uvicorn), bound to 127.0.0.1 by default. Needs the 'api' extra.

    python -m core serve [--port 8765]
    curl -s localhost:8765/classify -H 'content-type: application/json' -d '{"text": "¿abrís hoy?"}'

The bundle is loaded once in the lifespan handler. Requests are micro-batched: concurrent texts are
classified together in one padded forward pass on a worker thread, so throughput grows with load.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, field_validator

from core.assistant import Assistant
from core.context import build_context
from core.engine import Engine, EngineConfig
from core.errors import InputTextError, ModelOutputError
from core.prediction import Scores
from core.settings import Overrides
from core.text import MAX_CHARS


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_CHARS, description="the user's request")

    @field_validator("text")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must contain at least one non-space character")
        return value


class ScoreOut(BaseModel):
    intent: str
    confidence: float


class PredictionOut(BaseModel):
    text: str
    intent: str
    confidence: float
    ranking: list[ScoreOut]
    needs_clarification: bool
    out_of_scope: bool
    truncated: bool
    latency_ms: float


@dataclass
class MicroBatcher:
    """Collects concurrent requests for up to `wait_s` (or `max_batch` texts) and classifies them together."""

    engine: Engine
    max_batch: int = 32
    wait_s: float = 0.003
    queue: asyncio.Queue[tuple[str, asyncio.Future[Scores]]] = field(default_factory=asyncio.Queue)

    async def score(self, text: str) -> Scores:
        future: asyncio.Future[Scores] = asyncio.get_running_loop().create_future()
        await self.queue.put((text, future))
        return await future

    async def run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            deadline = asyncio.get_running_loop().time() + self.wait_s
            while len(batch) < self.max_batch:
                timeout = deadline - asyncio.get_running_loop().time()
                if timeout <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self.queue.get(), timeout))
                except TimeoutError:
                    break
            await self._answer(batch)

    async def _answer(self, batch: list[tuple[str, asyncio.Future[Scores]]]) -> None:
        try:
            predictions = await asyncio.to_thread(self.engine.score, [text for text, _ in batch])
        except Exception as exc:  # the whole batch failed: every caller gets the error
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), prediction in zip(batch, predictions, strict=True):
            if not future.done():
                future.set_result(prediction)


@dataclass(frozen=True)
class ApiConfig:
    model_dir: Path  # model bundle folder
    device: str = "auto"  # auto | cpu | cuda
    threshold: float | None = None  # None = the bundle's threshold
    max_batch: int = 32  # most requests classified in one forward pass
    wait_ms: float = 3.0  # how long the first request of a batch waits for company


def create_app(config: ApiConfig) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = await asyncio.to_thread(Engine, config.model_dir, EngineConfig(device=config.device))
        context = build_context(overrides=Overrides(threshold=config.threshold))  # this server only, never saved
        batcher = MicroBatcher(engine, config.max_batch, config.wait_ms / 1000)
        task = asyncio.create_task(batcher.run())
        app.state.engine, app.state.batcher = engine, batcher
        app.state.assistant = Assistant(context, engine)
        yield
        task.cancel()
        context.close()

    app = FastAPI(title="Offline assistant API", version="1", lifespan=lifespan)

    async def scores_for(request: Request, body: TextIn) -> Scores:
        engine: Engine = request.app.state.engine
        try:
            engine.clean(body.text)  # reject unusable text before it joins a batch
        except InputTextError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        scores: Scores = await request.app.state.batcher.score(body.text)
        if scores.error:  # the model got this row wrong: an error, never an intent
            raise HTTPException(status_code=503, detail=scores.error)
        return scores

    @app.post("/classify", response_model=PredictionOut)
    async def classify(request: Request, body: TextIn) -> dict[str, Any]:
        assistant: Assistant = request.app.state.assistant
        return assistant.decide(await scores_for(request, body)).to_json()

    @app.post("/route")
    async def route(request: Request, body: TextIn) -> dict[str, Any]:
        scores = await scores_for(request, body)
        assistant: Assistant = request.app.state.assistant
        try:
            turn = await run_in_threadpool(assistant.turn_for, scores)
        except ModelOutputError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc
        return turn.to_json()

    @app.get("/health")
    async def health(request: Request) -> dict[str, Any]:
        engine: Engine = request.app.state.engine
        assistant: Assistant = request.app.state.assistant
        return {"status": "ok", "device": engine.device.type, "labels": len(engine.labels),
                "threshold": assistant.policy().threshold}

    @app.get("/intents")
    async def intents(request: Request) -> list[dict[str, Any]]:
        engine: Engine = request.app.state.engine
        return [{"name": label.name, "display_name": label.display_name, "out_of_scope": label.out_of_scope}
                for label in engine.manifest.labels]

    return app


def run_server(model_dir: Path, host: str, port: int, device: str, threshold: float | None) -> None:
    import uvicorn

    uvicorn.run(create_app(ApiConfig(model_dir, device, threshold)), host=host, port=port, log_level="warning")
