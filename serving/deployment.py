"""The Ray Serve deployment: one core.engine.Engine per replica, requests batched with @serve.batch.

Built by Serve from the config `python -m serving deploy` applies (import path serving.deployment:build_app).
The bundle is the deployment's user_config: a new one is loaded beside the serving engine inside
`reconfigure` and swapped in only once it loaded and passed its checks, so a hot swap drops no request.
Stateless: no user database, no teaching, no actions.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import ray
from ray import serve
from ray.serve import Application
from starlette.types import ASGIApp

from core.engine import Engine, EngineConfig
from core.errors import ConfigError
from core.prediction import Scores
from serving.config import IngressConfig
from serving.ingress import create_ingress_app
from serving.staging import load_staged


@serve.deployment(max_ongoing_requests=64)
@serve.ingress()
class Classifier:
    def __init__(self, ingress: dict[str, Any], stage_dir: str, torch_threads: int = 1, max_batch: int = 32,
                 batch_wait_ms: float = 3.0) -> None:
        self.ingress = IngressConfig.from_json(ingress)
        self.stage_dir = Path(stage_dir)
        self.engine_config = EngineConfig(num_threads=torch_threads)
        self._engine: Engine | None = None
        self._bundle = ""
        self._node = ray.get_runtime_context().get_node_id()
        self._score_batch.set_max_batch_size(max_batch)  # type: ignore[attr-defined]
        self._score_batch.set_batch_wait_timeout_s(batch_wait_ms / 1000)  # type: ignore[attr-defined]

    def __serve_build_asgi_app__(self) -> ASGIApp:
        return create_ingress_app(self, self.ingress)

    async def reconfigure(self, user_config: dict[str, Any]) -> None:
        """Load the bundle user_config names (beside the one serving) and swap it in once it passed."""
        digest = user_config.get("bundle_sha256") if isinstance(user_config, dict) else None
        if not isinstance(digest, str):
            raise ConfigError("user_config must name the bundle as {'bundle_sha256': <manifest sha256>}.")
        if digest == self._bundle:
            return
        engine = await asyncio.to_thread(load_staged, self.stage_dir, digest, self.engine_config)
        self._engine, self._bundle = engine, digest  # one assignment each: requests see old or new, never neither

    @property
    def engine(self) -> Engine:
        if self._engine is None:  # Serve calls reconfigure before routing traffic: this is a bug, not a state
            raise ConfigError("The replica has no bundle loaded yet.")
        return self._engine

    @property
    def bundle_sha256(self) -> str:
        return self._bundle

    @property
    def served_by(self) -> str:
        return self._node

    async def score(self, text: str) -> Scores:
        scores: Scores = await self._score_batch(text)
        return scores

    @serve.batch(max_batch_size=32, batch_wait_timeout_s=0.003)
    async def _score_batch(self, texts: list[str]) -> list[Scores]:
        # The batch scored by the engine (equal-length groups, never padded: a request's scores are its own),
        # off the event loop so the replica keeps accepting requests.
        return await asyncio.to_thread(self.engine.score, texts)

    def check_health(self) -> None:
        """Serve's periodic health check: a replica without an engine is not healthy."""
        if self._engine is None:
            raise ConfigError("The replica has no bundle loaded.")


def build_app(args: dict[str, Any]) -> Application:
    """Serve's application builder (the config's import_path): `args` is the config's application args."""
    # serve.deployment turns the class into a Deployment (with .bind); mypy only sees the class.
    app: Application = Classifier.bind(  # type: ignore[attr-defined]
        args["ingress"], args["stage_dir"], int(args.get("torch_threads", 1)),
        int(args.get("max_batch", 32)), float(args.get("batch_wait_ms", 3.0)))
    return app
