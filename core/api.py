"""Local HTTP API (FastAPI + Uvicorn), bound to 127.0.0.1 by default. Needs the 'api' extra.

    python -m core serve [--port 8765]           # prints this launch's token (also in <config>/api-token)
    curl -s localhost:8765/classify -H "X-Assistant-Token: $TOKEN" -H 'content-type: application/json' \
         -d '{"text": "¿abrís hoy?"}'

The bundle is loaded once in the lifespan handler. Requests are micro-batched: concurrent texts are
classified together in one padded forward pass on a worker thread, so throughput grows with load.

Hardening (everything that reaches this server is untrusted, even on loopback: a web page in the user's
browser can send requests to it):
- only loopback `Host` headers are served (400 otherwise), which defeats DNS rebinding;
- bodies over 1 MB get 413 before they are read whole (FastAPI's max_body_size);
- validation errors never echo the input and odd JSON (NaN, lone surrogates) never gives a 500;
- a connection must send its request line and headers within HEADER_TIMEOUT_S (1 s) and the body within
  REQUEST_READ_TIMEOUT_S; at most MAX_CONNECTIONS are open at once and MAX_CONNECTIONS_PER_CLIENT per client
  address, where a new connection from a client at its cap closes that client's longest-waiting idle one (so
  300 idle or slowloris sockets cannot lock out a well-behaved client, which sends its headers at once);
- every request must carry the per-launch token in the `X-Assistant-Token` header (401 otherwise, and the
  connection is closed), so no web page and no other user's process can use the API. `python -m core serve`
  takes the token from $OFFLINE_ASSISTANT_API_TOKEN (the desktop app sets it for its child) or makes a
  random one, prints it on stderr and writes it to `<config folder>/api-token` (mode 0600) for the user's
  scripts; `--no-token` (loopback only) serves without one and prints a warning;
- the model runs on one dedicated thread (not the default pool's up to 32 threads, each of which would keep
  its own malloc arena and make the server's memory grow under load);
- no /docs or /redoc page (they load scripts from a CDN); the schema stays at /openapi.json.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
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
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from core.assistant import Assistant
from core.context import build_context
from core.engine import Engine, EngineConfig
from core.errors import AssistantError, ConfigError, InputTextError, ModelOutputError
from core.prediction import Scores
from core.settings import Overrides
from core.slots import request_slots
from core.text import MAX_CHARS

MAX_BODY_BYTES = 1 << 20  # a request is at most 4,000 characters; 1 MB is generous
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
REQUEST_READ_TIMEOUT_S = 10.0  # headers and body of one request must arrive within this
HEADER_TIMEOUT_S = 1.0  # a new connection must send its request line and headers within this
KEEP_ALIVE_S = 5  # an idle kept-alive connection is closed after this (uvicorn's timeout_keep_alive)
MAX_CONNECTIONS = 256  # far below the usual 1,024 file descriptors
MAX_CONNECTIONS_PER_CLIENT = 128  # per client address (every local client is 127.0.0.1: see GuardedH11Protocol)
TOKEN_HEADER = "x-assistant-token"  # the header that carries the per-launch token
TOKEN_ENV = "OFFLINE_ASSISTANT_API_TOKEN"  # a launcher (the desktop app) passes its token to `serve` in this
MIN_TOKEN_CHARS = 16
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


class SlotOut(BaseModel):
    name: str  # topic, day, time, part_of_day, field or order_ref
    value: str  # the canonical value ("+1", "closing", "technology", "18:00")
    start: int  # character offsets into the request as sent: text[start:end] named it
    end: int


class PredictionOut(BaseModel):
    text: str
    intent: str
    confidence: float
    ranking: list[ScoreOut]
    needs_clarification: bool
    out_of_scope: bool
    truncated: bool
    latency_ms: float
    learned: str = ""  # the date the user taught this request, when that (not the model) chose the intent
    slots: list[SlotOut] = []  # the parts of the request an action needs (core.slots)


async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """422 saying where and what is wrong, never echoing the input back (it may be huge, or not encodable)."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [{"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))[:200],
               "type": str(error.get("type", ""))} for error in errors[:10]]
    return JSONResponse({"detail": detail}, status_code=422)


async def assistant_error(_request: Request, exc: Exception) -> JSONResponse:
    status = 422 if isinstance(exc, InputTextError) else 503  # a broken model is the server's problem
    return JSONResponse({"detail": str(exc)[:500]}, status_code=status)


def add_error_handlers(app: FastAPI) -> None:
    """The error answers of every front of the engine (this API and serving/'s ingress): one place."""
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(AssistantError, assistant_error)


@dataclass
class MicroBatcher:
    """Collects concurrent requests for up to `wait_s` (or `max_batch` texts) and classifies them together."""

    engine: Engine
    max_batch: int = 32
    wait_s: float = 0.003
    queue: asyncio.Queue[tuple[str, asyncio.Future[Scores]]] = field(default_factory=asyncio.Queue)
    # One thread runs the model (batches are scored one after the other anyway): the default pool would spread
    # them over up to 32 threads, each keeping its own malloc arena of tensor buffers.
    executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "engine"))

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
            predictions = await asyncio.get_running_loop().run_in_executor(
                self.executor, self.engine.score, [text for text, _ in batch])
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
    token: str | None = None  # every request must send it in X-Assistant-Token; None: no token asked


class TokenGuard:
    """Answers 401 (and closes the connection) to any HTTP request without the launch's token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            sent = next((value for key, value in scope["headers"] if key == TOKEN_HEADER.encode()), b"")
            if not hmac.compare_digest(sent, self.token):  # constant time: the token cannot be guessed bytewise
                reply = JSONResponse({"detail": "Missing or wrong X-Assistant-Token header: send the token that "
                                      "`python -m core serve` printed (or the app wrote to its api-token file)."},
                                     status_code=401, headers={"connection": "close"})
                await reply(scope, receive, send)
                return
        await self.app(scope, receive, send)


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
        batcher.executor.shutdown(wait=False)
        context.close()

    app = FastAPI(title="Offline assistant API", version="1", lifespan=lifespan, max_body_size=MAX_BODY_BYTES,
                  docs_url=None, redoc_url=None)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_HOSTS))
    if config.token is not None:
        app.add_middleware(TokenGuard, token=config.token)  # outermost: checked before anything else runs

    add_error_handlers(app)

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
        # The same path as the CLI's classify: the decision with what the user taught applied.
        scores = await scores_for(request, body)
        # Off the event loop: the taught-request match reads SQLite and compares trigrams.
        prediction, learned = await run_in_threadpool(assistant.classify, scores)
        return {**prediction.to_json(), "learned": learned,
                "slots": request_slots(prediction.text, prediction.slots, typed=body.text)}

    @app.post("/route")
    async def route(request: Request, body: TextIn) -> dict[str, Any]:
        scores = await scores_for(request, body)
        assistant: Assistant = request.app.state.assistant
        try:
            turn = await run_in_threadpool(assistant.turn_for, scores)
        except ModelOutputError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc
        return {**turn.to_json(),
                "slots": request_slots(turn.prediction.text, turn.prediction.slots, typed=body.text)}

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
    """uvicorn's HTTP/1.1 protocol with deadlines and connection caps (uvicorn has a keep-alive timeout but none
    for a request that arrives slowly, so slow or idle clients could hold every socket).

    A new connection must send its headers within HEADER_TIMEOUT_S, then its body within REQUEST_READ_TIMEOUT_S;
    a kept-alive one gets KEEP_ALIVE_S more for the next request's first byte. Every local client has the
    address 127.0.0.1, so a plain per-address cap would let one local process lock out the others: a client at
    its cap gets its longest-waiting *idle* connection (headers not sent yet, or kept alive between requests)
    closed to make room, and is refused only when all of its connections are being answered.
    """

    _deadline: asyncio.TimerHandle | None = None
    _waiting_since = 0.0  # monotonic time since this connection waits for a request (0: one is being answered)
    _request_seen: object = None  # the request cycle whose headers were last seen complete

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > MAX_CONNECTIONS or not self._make_room():
            transport.close()
            return
        self._waiting_since = time.monotonic()
        self._arm(HEADER_TIMEOUT_S)

    def _host(self) -> str | None:
        return self.client[0] if self.client else None

    def _make_room(self) -> bool:
        """True when this connection may stay: its client is under the cap, or an idle one of its was closed."""
        host = self._host()
        same = [c for c in self.connections if c is not self and isinstance(c, GuardedH11Protocol)
                and c._host() == host and not c.transport.is_closing()]
        if len(same) < MAX_CONNECTIONS_PER_CLIENT:
            return True
        idle = [c for c in same if c._waiting_since]
        if not idle:
            return False
        min(idle, key=lambda c: c._waiting_since).transport.close()
        return True

    def _arm(self, seconds: float) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(seconds, self._on_deadline)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and self.cycle is not self._request_seen:  # a request's headers are complete
            self._request_seen = self.cycle
            self._waiting_since = 0.0
            self._arm(REQUEST_READ_TIMEOUT_S)  # the body must follow within this

    def _on_deadline(self) -> None:
        cycle = self.cycle
        reading = cycle is None or cycle.more_body or cycle.response_complete  # not while the app is answering
        if reading and not self.transport.is_closing():
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._waiting_since = time.monotonic()
        self._arm(KEEP_ALIVE_S + HEADER_TIMEOUT_S)  # the next request on this connection gets its own deadline

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


def launch_token(no_token: bool, host: str) -> str | None:
    """The token this launch asks for: $OFFLINE_ASSISTANT_API_TOKEN (set by the desktop app), else a random one;
    None with --no-token, which only a loopback server may use."""
    if no_token:
        if not is_loopback(host):
            raise ConfigError("--no-token is only for a server on 127.0.0.1: a reachable API must ask for a token.")
        print("warning: serving without a token: any web page open in your browser and any other user's process "
              "on this machine can use the API.", file=sys.stderr)
        return None
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token and len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(f"${TOKEN_ENV} must hold at least {MIN_TOKEN_CHARS} characters, found {len(token)}; "
                          "unset it to get a random token.")
    return token or secrets.token_urlsafe(32)


def write_token_file(path: Path, token: str) -> bool:
    """Write the token where the user's own scripts can read it (0600, replaced atomically); False if it cannot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".api-token-")  # created 0600
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        print(f"warning: the API token could not be written to {path} ({exc.strerror}).", file=sys.stderr)
        return False
    return True


def run_server(model_dir: Path, host: str, port: int, device: str, threshold: float | None,
               load_timeout_s: float = 60.0, token: str | None = None) -> None:
    import uvicorn

    config = ApiConfig(model_dir, device=device, threshold=threshold, load_timeout_s=load_timeout_s, token=token)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning",
                http=GuardedH11Protocol, timeout_keep_alive=KEEP_ALIVE_S,
                h11_max_incomplete_event_size=MAX_INCOMPLETE_HEADERS, limit_concurrency=MAX_CONNECTIONS)
