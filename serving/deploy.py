"""Deploy, inspect and stop the classifier on a Ray cluster (what `python -m serving deploy|status|stop` run).

    connect("10.0.0.5:6379")                   # needs RAY_AUTH_MODE=token and the cluster's token
    outcome = deploy_bundle(Path("resources/model"), DeployOptions(replicas=2))
    print(cluster_status())

Order of a deploy, so that a bad bundle never replaces a serving one: (1) verify and load the bundle here,
with the engine's own load check; (2) stage it on every alive node, each node verifying its copy; (3) apply
the Serve config; (4) wait until every replica runs the new bundle, else re-apply the previous bundle.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

import ray
from ray import serve
from ray.serve.schema import ServeDeploySchema
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from core.engine import Engine, EngineConfig
from core.errors import AssistantError, BundleError, ConfigError
from serving.config import APP_NAME, DEPLOYMENT_NAME, DeployPlan, bundle_id, serve_config
from serving.staging import read_bundle, stage_bundle

AUTH_MODE_ENV = "RAY_AUTH_MODE"
POLL_S = 0.5


class DeployError(AssistantError):
    """The new bundle did not come up on every replica; the previous one was put back."""


@dataclass(frozen=True)
class DeployOptions:
    plan: DeployPlan  # everything but the bundle digest is taken from here (the digest is computed)
    timeout_s: float = 300.0  # replicas must run the new bundle within this, else the old one is put back
    config_out: Path | None = None  # where to write the applied Serve config (JSON); None: not written


@dataclass
class DeployOutcome:
    bundle_sha256: str
    nodes_staged: int
    seconds: float
    rolled_back: bool = False
    config: dict[str, Any] = field(default_factory=dict)


def require_ray_auth() -> None:
    """Refuse to talk to a cluster without Ray's token authentication (anyone reaching it could run code)."""
    if os.environ.get(AUTH_MODE_ENV, "").lower() != "token":
        raise ConfigError(f"Ray token authentication is off: export {AUTH_MODE_ENV}=token and the cluster's token "
                          "(RAY_AUTH_TOKEN, or the file ~/.ray/auth_token) on every node and here; see "
                          "docs/serving.md.")


def connect(address: str | None) -> None:
    """Join the cluster at `address` (host:port of the head's GCS; None: the cluster started on this machine)."""
    require_ray_auth()
    if not ray.is_initialized():
        ray.init(address=address or "auto", log_to_driver=False, logging_level=logging.WARNING)


def check_bundle_locally(bundle_dir: Path) -> dict[str, bytes]:
    """The bundle's files, after the checks the replicas will run: manifest and sha256 of every file, then a
    full engine load with its output checks on three batch shapes. Raises a BundleError on any problem."""
    files = read_bundle(bundle_dir)
    Engine(bundle_dir, EngineConfig(device="cpu", num_threads=1)).close()
    return files


@ray.remote(num_cpus=0, max_retries=0)
def _stage_remote(files: dict[str, bytes], stage_dir: str, digest: str) -> str:
    stage_bundle(files, Path(stage_dir), digest)
    return str(ray.get_runtime_context().get_node_id())


def stage_everywhere(files: dict[str, bytes], stage_dir: str, digest: str) -> int:
    """Stage the bundle on every alive node (each verifies its copy); raises BundleError if any node fails."""
    nodes = [node["NodeID"] for node in ray.nodes() if node.get("Alive")]  # type: ignore[no-untyped-call]
    files_ref = ray.put(files)
    refs = [_stage_remote.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False))
            .remote(files_ref, stage_dir, digest) for node in nodes]
    try:
        staged = ray.get(refs, timeout=600)
    except ray.exceptions.RayError as exc:
        raise BundleError(f"Staging the bundle on the nodes failed ({str(exc)[:300]}); nothing was changed.") from exc
    return len(set(staged))


def _client() -> Any:
    """Serve's controller client (Serve has no public call for applying a multi-application config)."""
    from ray.serve.context import _get_global_client

    client = _get_global_client()
    if client is None:
        raise ray.serve.exceptions.RayServeException("Serve is not running on this cluster.")
    return client


def _details() -> dict[str, Any]:
    try:
        details: dict[str, Any] = _client().get_serve_details()
    except ray.serve.exceptions.RayServeException:  # Serve is not running on this cluster
        return {}
    return details


def _app(details: dict[str, Any]) -> dict[str, Any]:
    app: dict[str, Any] = (details.get("applications") or {}).get(APP_NAME) or {}
    return app


def serving_bundle(details: dict[str, Any]) -> str:
    """The bundle digest the running application was deployed with ("" when none)."""
    config = _app(details).get("deployed_app_config") or {}
    for deployment in config.get("deployments") or []:
        if deployment.get("name") == DEPLOYMENT_NAME:
            return str((deployment.get("user_config") or {}).get("bundle_sha256", ""))
    return ""


def _name(value: Any) -> str:
    """A status as its plain name: Serve's statuses are str Enums, whose str() is 'ApplicationStatus.RUNNING'."""
    return str(value.value) if isinstance(value, Enum) else str(value or "")


def _settled(details: dict[str, Any], replicas: int) -> tuple[bool, str]:
    """(every replica runs the applied config, why not); a failed deployment is reported at once."""
    app = _app(details)
    deployment = (app.get("deployments") or {}).get(DEPLOYMENT_NAME) or {}
    status, message = _name(deployment.get("status")), str(deployment.get("message", ""))
    if _name(app.get("status")) == "DEPLOY_FAILED" or status in ("DEPLOY_FAILED", "UNHEALTHY"):
        raise DeployError(f"the deployment failed: {(message or app.get('message', ''))[:400]}")
    running = [r for r in deployment.get("replicas") or [] if _name(r.get("state")) == "RUNNING"]
    done = _name(app.get("status")) == "RUNNING" and status == "HEALTHY" and len(running) == replicas
    return done, f"app {_name(app.get('status'))}, deployment {status}, {len(running)}/{replicas} replicas running"


def apply(config: dict[str, Any], replicas: int, timeout_s: float) -> None:
    """Apply a Serve config and wait until every replica runs it; raises DeployError otherwise."""
    schema = ServeDeploySchema.model_validate(config)
    serve.start(proxy_location=config["proxy_location"], http_options=config["http_options"])
    _client().deploy_apps(schema)
    deadline = time.monotonic() + timeout_s
    why = "not started"
    while time.monotonic() < deadline:
        done, why = _settled(_details(), replicas)
        if done:
            return
        time.sleep(POLL_S)
    raise DeployError(f"the replicas did not settle within {timeout_s:g} s ({why})")


def deploy_bundle(bundle_dir: Path, options: DeployOptions) -> DeployOutcome:
    """Check, stage and serve the bundle; the serving bundle stays if any step fails (see the module doc)."""
    start = time.monotonic()
    files = check_bundle_locally(bundle_dir)  # raises before the cluster is touched
    digest = bundle_id(bundle_dir)
    plan = replace(options.plan, bundle_sha256=digest)
    nodes = stage_everywhere(files, plan.stage_dir, digest)
    previous = serving_bundle(_details())
    config = serve_config(plan)
    if options.config_out:
        options.config_out.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    try:
        apply(config, plan.replicas, options.timeout_s)
    except DeployError as failure:
        if not previous or previous == digest:
            raise
        apply(serve_config(replace(plan, bundle_sha256=previous)), plan.replicas, options.timeout_s)
        raise DeployError(f"Bundle {digest[:12]}… did not come up ({failure}); bundle {previous[:12]}… is serving "
                          "again.") from failure
    return DeployOutcome(digest, nodes, time.monotonic() - start, config=config)


def cluster_status() -> dict[str, Any]:
    """What is served where: application and deployment status, bundle, replicas per node, HTTP address."""
    details = _details()
    app = _app(details)
    deployment = (app.get("deployments") or {}).get(DEPLOYMENT_NAME) or {}
    replicas = [{"node_id": r.get("node_id"), "node_ip": r.get("node_ip"), "state": _name(r.get("state"))}
                for r in deployment.get("replicas") or []]
    http = details.get("http_options") or {}
    return {"app": APP_NAME, "status": _name(app.get("status", "NOT_STARTED")),
            "deployment": _name(deployment.get("status")), "message": str(deployment.get("message", ""))[:400],
            "bundle_sha256": serving_bundle(details), "replicas": replicas,
            "running": sum(1 for r in replicas if r["state"] == "RUNNING"),
            "http": {"host": http.get("host"), "port": http.get("port")},
            "proxy_location": _name(details.get("proxy_location"))}


def stop_serving() -> None:
    """Remove the application and Serve's proxies and controller (the Ray cluster itself keeps running)."""
    serve.shutdown()  # type: ignore[no-untyped-call]
