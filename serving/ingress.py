"""The HTTP face of a replica: core.api's routes and JSON schema, with core.api's protections (no Ray here).

    app = create_ingress_app(backend, IngressConfig(token_sha256=token_digest(token)))

Ray Serve's proxy forwards whatever reaches it, so every replica checks each request itself (a pure ASGI
guard, outermost): the Host header against an allowlist (400), a token on every route but /health
(`Authorization: Bearer <token>` or core.api's `X-Assistant-Token`; 401), the body size (413 before it is
read whole) and the time the body takes to arrive (408); the answer has its own deadline (503). Errors never
echo the input. Routes: POST /classify, GET /health, GET /intents, as core.api serves them; /route (which
runs actions on a user's profile) is not served on a cluster.
Response headers `x-bundle-sha256` and `x-served-by` say which bundle and node answered.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any, Protocol

from fastapi import FastAPI, HTTPException, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.api import PredictionOut, TextIn, add_error_handlers
from core.engine import Engine
from core.errors import InputTextError
from core.policy import ClarificationPolicy
from core.prediction import Scores
from core.slots import request_slots
from serving.config import IngressConfig

TOKEN_HEADER = "x-assistant-token"  # core.api's token header, accepted beside Authorization: Bearer
PUBLIC_PATHS = frozenset({"/health"})  # a load balancer's health check carries no token


class Backend(Protocol):
    """What the routes need of a replica: its current engine and bundle, and a batched scorer."""

    @property
    def engine(self) -> Engine: ...

    @property
    def bundle_sha256(self) -> str: ...

    @property
    def served_by(self) -> str: ...

    async def score(self, text: str) -> Scores: ...


def _host_of(raw: str) -> str:
    """The host part of a Host header, lower case, without the port ('[::1]:8000' -> '[::1]')."""
    raw = raw.strip().lower()
    if raw.startswith("["):
        return raw[: raw.find("]") + 1] if "]" in raw else raw
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


async def _reply(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class GuardMiddleware:
    """Host allowlist, bearer token, body cap and body deadline, before FastAPI sees the request."""

    def __init__(self, app: ASGIApp, config: IngressConfig) -> None:
        self.app = app
        self.config = config
        self.hosts = frozenset(h.lower() for h in config.allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if _host_of(headers.get("host", "")) not in self.hosts:
            await _reply(send, 400, "Invalid host header")
            return
        if self.config.token_sha256 and scope.get("path") not in PUBLIC_PATHS and not self._token_ok(headers):
            await _reply(send, 401, "A valid bearer token is required (Authorization: Bearer <token>).",
                         [(b"www-authenticate", b"Bearer")])
            return
        length = headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > self.config.max_body_bytes):
            await _reply(send, 413, f"The body must be at most {self.config.max_body_bytes} bytes.")
            return
        try:
            async with asyncio.timeout(self.config.read_timeout_s):
                body = await self._read_body(receive)
        except TimeoutError:
            await _reply(send, 408, f"The request body did not arrive within {self.config.read_timeout_s:g} s.")
            return
        if body is None:  # over the cap while streaming (no or a false content-length)
            await _reply(send, 413, f"The body must be at most {self.config.max_body_bytes} bytes.")
            return
        await self.app(scope, self._replay(body, receive), send)

    def _token_ok(self, headers: dict[str, str]) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            token = headers.get(TOKEN_HEADER, "")  # core.api's header, so one client works with both servers
        if not token:
            return False
        digest = hashlib.sha256(token.strip().encode("utf-8", "replace")).hexdigest()
        return hmac.compare_digest(digest, self.config.token_sha256)

    async def _read_body(self, receive: Receive) -> bytes | None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nothing to answer
                return bytes(body)
            body += message.get("body", b"")
            if len(body) > self.config.max_body_bytes:
                return None
            if not message.get("more_body", False):
                return bytes(body)

    @staticmethod
    def _replay(body: bytes, receive: Receive) -> Receive:
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for a disconnect, as the server would

        return replay


def create_ingress_app(backend: Backend, config: IngressConfig) -> ASGIApp:
    """core.api's /classify, /health and /intents over `backend`, wrapped in GuardMiddleware."""
    app = FastAPI(title="Offline assistant API (cluster)", version="1", docs_url=None, redoc_url=None)

    add_error_handlers(app)  # core.api's: never echo the input back; say where and what is wrong

    def policy(engine: Engine) -> ClarificationPolicy:
        threshold = config.threshold
        return ClarificationPolicy(threshold if threshold is not None else engine.info.default_threshold)

    def mark(response: Response) -> None:
        response.headers["x-bundle-sha256"] = backend.bundle_sha256
        response.headers["x-served-by"] = backend.served_by

    @app.post("/classify", response_model=PredictionOut)
    async def classify(body: TextIn, response: Response) -> dict[str, Any]:
        engine = backend.engine  # the engine of this request, even if a swap lands meanwhile
        try:
            engine.clean(body.text)  # reject unusable text before it joins (and fails) a batch
        except InputTextError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        try:
            scores = await asyncio.wait_for(backend.score(body.text), config.answer_timeout_s)
        except TimeoutError as exc:
            raise HTTPException(status_code=503, detail="The model did not answer in time; try again.") from exc
        if scores.error:  # the model got this row wrong: an error, never an intent
            raise HTTPException(status_code=503, detail=scores.error)
        mark(response)
        prediction = policy(engine).decide(scores, engine.info.out_of_scope_labels)
        # the same row as the desktop API's /classify: the model's slots with canonical values (core.slots)
        return {**prediction.to_json(), "slots": request_slots(prediction.text, prediction.slots, typed=body.text)}

    @app.get("/health")
    async def health(response: Response) -> dict[str, Any]:
        engine = backend.engine
        mark(response)
        return {"status": "ok", "device": engine.device.type, "labels": len(engine.labels),
                "threshold": policy(engine).threshold}

    @app.get("/intents")
    async def intents() -> list[dict[str, Any]]:
        return [{"name": label.name, "display_name": label.display_name, "out_of_scope": label.out_of_scope}
                for label in backend.engine.manifest.labels]

    return GuardMiddleware(app, config)
