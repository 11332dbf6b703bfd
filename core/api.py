"""Local HTTP API (FastAPI + Uvicorn), bound to 127.0.0.1 by default. Needs the 'api' extra.

    python -m core serve [--port 8765]
    curl -s localhost:8765/classify -H 'content-type: application/json' -d '{"text": "¿abrís hoy?"}'

The bundle is loaded once in the lifespan handler. Requests are micro-batched: concurrent texts are
classified together in one padded forward pass on a worker thread, so throughput grows with load.

Hardening (everything that reaches this server is untrusted, even on loopback: a web page in the user's
browser can send requests to it):
- only loopback `Host` headers are served (400 otherwise), which defeats DNS rebinding;
- bodies over 1 MB get 413 before they are read whole (FastAPI's max_body_size);
- validation errors never echo the input and odd JSON (NaN, lone surrogates) never gives a 500;
- a request must arrive whole within REQUEST_READ_TIMEOUT_S, at most MAX_CONNECTIONS are open at once;
- no /docs or /redoc page (they load scripts from a CDN); the schema stays at /openapi.json.
"""

from __future__ import annotations

import asyncio
import ipaddress
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator
from starlette.middleware.trustedhost import TrustedHostMiddleware
from uvicorn.protocols.http.h11_impl import H11Protocol

from core.assistant import Assistant
from core.context import build_context
from core.engine import Engine, EngineConfig
from core.errors import AssistantError, ConfigError, InputTextError, ModelOutputError
from core.prediction import Scores
from core.settings import Overrides
from core.text import MAX_CHARS

MAX_BODY_BYTES = 1 << 20  # a request is at most 4,000 characters; 1 MB is generous
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
REQUEST_READ_TIMEOUT_S = 10.0  # headers and body of one request must arrive within this
MAX_CONNECTIONS = 256  # far below the usual 1,024 file descriptors
MAX_INCOMPLETE_HEADERS = 16 << 10  # bytes of headers buffered while a request is incomplete


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_CHARS, description="the user's request")

    @field_validator("text")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must contain at least one non-space character")
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):  # JSON allows "\ud800", UTF-8 cannot encode it
            raise ValueError("text must be valid Unicode (it holds a lone surrogate escape)")
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
    load_timeout_s: float = 60.0  # the model must pass its load check within this


def create_app(config: ApiConfig) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = await asyncio.to_thread(Engine, config.model_dir, EngineConfig(device=config.device,
                                                                                  load_timeout_s=config.load_timeout_s))
        context = build_context(overrides=Overrides(threshold=config.threshold))  # this server only, never saved
        batcher = MicroBatcher(engine, config.max_batch, config.wait_ms / 1000)
        task = asyncio.create_task(batcher.run())
        app.state.engine, app.state.batcher = engine, batcher
        app.state.assistant = Assistant(context, engine)
        yield
        task.cancel()
        context.close()

    app = FastAPI(title="Offline assistant API", version="1", lifespan=lifespan, max_body_size=MAX_BODY_BYTES,
                  docs_url=None, redoc_url=None)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_HOSTS))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the input back (it may be huge, or not encodable); say where and what is wrong.
        detail = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))[:200],
                   "type": str(error.get("type", ""))} for error in exc.errors()[:10]]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(AssistantError)
    async def assistant_error(_request: Request, exc: AssistantError) -> JSONResponse:
        status = 422 if isinstance(exc, InputTextError) else 503  # a broken model is the server's problem
        return JSONResponse({"detail": str(exc)[:500]}, status_code=status)

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


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline per request and a cap on open connections (uvicorn has a
    keep-alive timeout but none for a request that arrives slowly, so slow clients could hold every socket)."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > MAX_CONNECTIONS:
            transport.close()
            return
        self._arm()

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(REQUEST_READ_TIMEOUT_S, self._on_deadline)

    def _on_deadline(self) -> None:
        cycle = self.cycle
        reading = cycle is None or cycle.more_body or cycle.response_complete  # not while the app is answering
        if reading and not self.transport.is_closing():
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def check_bind_address(host: str, allow_remote: bool) -> None:
    """Refuse a non-loopback address (every interface, a LAN address) unless the caller opted in explicitly."""
    if is_loopback(host):
        return
    if not allow_remote:
        raise ConfigError(
            f"--host {host!r} would serve the API beyond this machine (it answers with the user's profile). "
            "Use 127.0.0.1, or pass --allow-remote if you really mean it."
        )
    print(f"warning: serving on {host!r}: other machines can reach the API and the profile it returns.",
          file=sys.stderr)


def run_server(model_dir: Path, host: str, port: int, device: str, threshold: float | None,
               load_timeout_s: float = 60.0) -> None:
    import uvicorn

    config = ApiConfig(model_dir, device=device, threshold=threshold, load_timeout_s=load_timeout_s)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning",
                http=GuardedH11Protocol, timeout_keep_alive=5, h11_max_incomplete_event_size=MAX_INCOMPLETE_HEADERS,
                limit_concurrency=MAX_CONNECTIONS)
