"""Typed settings of a cluster deployment and the Ray Serve config written from them (no Ray import here).

    plan = DeployPlan(bundle_sha256=bundle_id(Path("resources/model")), replicas=2)
    config = serve_config(plan)          # a dict in Serve's config-file schema; deploy applies it

The ingress token never enters the config: only its sha256 does, so `serve status` and the controller's
stored config do not reveal it.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.api import LOOPBACK_HOSTS, MAX_BODY_BYTES
from core.bundle import MANIFEST
from core.errors import ConfigError

APP_NAME = "offline-assistant"
DEPLOYMENT_NAME = "Classifier"
IMPORT_PATH = "serving.deployment:build_app"
PROXY_LOCATIONS = ("HeadOnly", "EveryNode")
TOKEN_ENV = "OFFLINE_ASSISTANT_SERVE_TOKEN"  # the ingress bearer token, read by `deploy` (never a flag: ps shows argv)
MIN_TOKEN_CHARS = 32


def bundle_id(bundle_dir: Path) -> str:
    """A bundle's identity: the sha256 of its manifest.json, which lists the sha256 of every other file."""
    return hashlib.sha256((bundle_dir / MANIFEST).read_bytes()).hexdigest()


def token_digest(token: str) -> str:
    if len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(f"The ingress token must have at least {MIN_TOKEN_CHARS} characters, found {len(token)}; "
                          "make one with `python -c 'import secrets; print(secrets.token_hex(32))'`.")
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def _is_hex64(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


@dataclass(frozen=True)
class IngressConfig:
    """What every replica's ingress enforces (the proxy in front of it has no such checks)."""

    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS  # Host headers served, without port (DNS-rebinding defence)
    token_sha256: str = ""  # sha256 hex of the bearer token every route but /health needs; "" = no token
    max_body_bytes: int = MAX_BODY_BYTES  # larger bodies get 413 before they are read whole
    read_timeout_s: float = 10.0  # the body must arrive whole within this, else 408
    answer_timeout_s: float = 10.0  # a classification must be answered within this, else 503
    threshold: float | None = None  # None = the bundle's calibrated threshold

    def __post_init__(self) -> None:
        if not self.allowed_hosts or any(not h or "*" in h or "/" in h for h in self.allowed_hosts):
            raise ConfigError(f"allowed hosts must be plain host names or addresses (no '*'), found "
                              f"{list(self.allowed_hosts)!r:.120}.")
        if self.token_sha256 and not _is_hex64(self.token_sha256):
            raise ConfigError("token_sha256 must be a sha256 hex digest (64 lowercase hex characters).")
        if not 1 <= self.max_body_bytes <= 16 << 20:
            raise ConfigError(f"max_body_bytes must be in [1, 16 MB], found {self.max_body_bytes}.")
        if not 0 < self.read_timeout_s <= 300 or not 0 < self.answer_timeout_s <= 300:
            raise ConfigError("read_timeout_s and answer_timeout_s must be in (0, 300] seconds.")
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ConfigError(f"threshold must be between 0 and 1, found {self.threshold}.")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["allowed_hosts"] = list(self.allowed_hosts)
        return data

    @staticmethod
    def from_json(raw: Any) -> IngressConfig:
        if not isinstance(raw, dict):
            raise ConfigError("the ingress settings must be a JSON object.")
        known = {k: v for k, v in raw.items() if k in IngressConfig.__dataclass_fields__}
        if "allowed_hosts" in known:
            known["allowed_hosts"] = tuple(str(h) for h in known["allowed_hosts"])
        try:
            return IngressConfig(**known)
        except TypeError as exc:
            raise ConfigError(f"the ingress settings are malformed ({exc}).") from exc


@dataclass(frozen=True)
class DeployPlan:
    """One deployment of one bundle: what `python -m serving deploy` applies."""

    bundle_sha256: str  # the staged bundle every replica loads (see bundle_id)
    replicas: int = 2  # replicas of the classifier, spread over the nodes
    stage_dir: str = "~/.cache/offline-assistant/serving/bundles"  # on every node: <stage_dir>/<sha256>/
    host: str = "127.0.0.1"  # where each proxy listens; loopback unless the deployer allows remote callers
    port: int = 8000
    proxy_location: str = "EveryNode"  # EveryNode: a proxy per node (behind a load balancer); HeadOnly: one
    replica_cpus: float = 1.0  # Ray CPUs reserved per replica (its torch threads follow)
    torch_threads: int = 1  # torch intra-op threads per replica
    max_batch: int = 32  # @serve.batch: most requests in one forward pass
    batch_wait_ms: float = 3.0  # how long the first request of a batch waits for company
    max_ongoing_requests: int = 64  # per replica; Serve's default (5) would starve the batcher
    proxy_timeout_s: float = 30.0  # Serve's own per-request deadline at the proxy
    ingress: IngressConfig = field(default_factory=IngressConfig)

    def __post_init__(self) -> None:
        if not _is_hex64(self.bundle_sha256):
            raise ConfigError("bundle_sha256 must be the sha256 hex digest of the bundle's manifest.json.")
        if not 1 <= self.replicas <= 256:
            raise ConfigError(f"--replicas must be between 1 and 256, found {self.replicas}.")
        if self.proxy_location not in PROXY_LOCATIONS:
            raise ConfigError(f"proxy location must be one of {PROXY_LOCATIONS}, found {self.proxy_location!r}.")
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"--port must be in [1, 65535], found {self.port}.")
        if self.replica_cpus < 0 or self.torch_threads < 1 or not 1 <= self.max_batch <= 256:
            raise ConfigError("replica_cpus must be >= 0, torch_threads >= 1 and max_batch in [1, 256].")
        if not 0 <= self.batch_wait_ms <= 1000 or not 1 <= self.max_ongoing_requests <= 10_000:
            raise ConfigError("batch_wait_ms must be in [0, 1000] and max_ongoing_requests in [1, 10000].")
        if not 0 < self.proxy_timeout_s <= 600:
            raise ConfigError("proxy_timeout_s must be in (0, 600] seconds.")


def check_exposure(host: str, ingress: IngressConfig, allow_remote: bool) -> None:
    """Serving beyond loopback needs an explicit opt-in and a token: the Host check alone is no authentication."""
    if is_loopback(host):
        return
    if not allow_remote:
        raise ConfigError(f"--host {host!r} would accept requests from other machines; use 127.0.0.1, or pass "
                          "--allow-remote (and put TLS and a load balancer in front, see docs/serving.md).")
    if not ingress.token_sha256:
        raise ConfigError(f"--host {host!r} serves other machines, so callers must present a token: export "
                          f"{TOKEN_ENV} (32+ characters) before deploying.")


def serve_config(plan: DeployPlan) -> dict[str, Any]:
    """The Serve config (the schema of `serve deploy` files). The bundle is in user_config: changing only it
    reconfigures running replicas in place (a hot swap) instead of replacing them."""
    return {
        "proxy_location": plan.proxy_location,
        "http_options": {"host": plan.host, "port": plan.port, "request_timeout_s": plan.proxy_timeout_s,
                         "keep_alive_timeout_s": 5},
        "applications": [{
            "name": APP_NAME,
            "route_prefix": "/",
            "import_path": IMPORT_PATH,
            "args": {"ingress": plan.ingress.to_json(), "stage_dir": plan.stage_dir,
                     "torch_threads": plan.torch_threads, "max_batch": plan.max_batch,
                     "batch_wait_ms": plan.batch_wait_ms},
            "deployments": [{
                "name": DEPLOYMENT_NAME,
                "num_replicas": plan.replicas,
                "max_ongoing_requests": plan.max_ongoing_requests,
                "user_config": {"bundle_sha256": plan.bundle_sha256},
                "ray_actor_options": {"num_cpus": plan.replica_cpus},
            }],
        }],
    }
