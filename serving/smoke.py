"""End-to-end check on a local Ray cluster (a head and one worker node, every process on 127.0.0.1 only).

    python -m serving smoke [--bundle resources/model] [--compare-core 20]

Deploys the bundle with 2 replicas through the same code as `python -m serving deploy`, sends requests
through the ingress, compares 50 of them with `python -m core classify` (same intents, confidences within
1e-4), hot-swaps to a re-saved copy of the bundle under light load, tries a broken bundle (it must be
refused and the previous one keep serving on both replicas), checks the ingress protections and that no
Ray process listens on or talks to an address other than loopback. Prints one JSON line; `ok` says whether
every check held. Every Ray process it starts is stopped before it returns, whatever happened.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import yaml

from core.bundle import MODEL_FILE, read_manifest, sha256_file, write_manifest
from core.errors import BundleError
from core.paths import HOME_ENV
from serving.config import DeployPlan, IngressConfig, token_digest

LOOPBACK = "127.0.0.1"
PARITY_TOLERANCE = 1e-4
CLIENTS = 8  # concurrent clients: enough to fill batches on 2 replicas
RAY_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",  # no usage report to Ray's servers (no traffic off this machine)
    # Ray swaps 127.0.0.1 for the machine's routable address when it resolves a cluster address (even one given
    # as 127.0.0.1); this switch (read when ray is imported) keeps every address on loopback. `ray start` then
    # refuses worker nodes, which is why the smoke starts them with ray.cluster_utils instead.
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    # All traffic enters through the head's proxy here; Serve would prefer the head's own replica while it keeps
    # up, so the worker node's replica would hardly be used. On a real cluster (a proxy per node) keep the default.
    "RAY_SERVE_PROXY_PREFER_LOCAL_NODE_ROUTING": "0",
}
# Serve replicas start their inter-deployment gRPC server on [::]:0, hard-coded in Ray 2.60 (replica.py): it
# cannot be bound to loopback. Reported apart; docs/serving.md says to firewall it or turn on RAY_USE_TLS.
KNOWN_WILDCARD = "ray::ServeReplica"


@dataclass(frozen=True)
class SmokeOptions:
    bundle: Path = Path("resources/model")  # the bundle deployed first
    requests: int = 200  # requests sent through the ingress after the first deploy
    parity: int = 50  # of those, compared with `python -m core classify`
    compare_core_s: float = 0.0  # > 0: requests/s and p50/p99 against `python -m core serve`, rounds of this long
    swap_load_s: float = 4.0  # light load kept up after the swap's deploy returned


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    bundle: str
    node: str
    ms: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def request_texts(limit: int) -> list[str]:
    """Requests of every intent, round robin, from resources/intents.yaml (help phrases and examples)."""
    data = yaml.safe_load(Path("resources/intents.yaml").read_text(encoding="utf-8"))
    pools = [list(intent.get("examples") or []) for intent in data.get("intents") or []]
    pools.append(list((data.get("out_of_scope") or {}).get("examples") or []))
    texts: list[str] = []
    while len(texts) < limit and any(pools):
        for pool in pools:
            if pool and len(texts) < limit:
                texts.append(str(pool.pop(0)))
    return texts


def post(client: httpx.Client, text: str) -> Reply:
    start = time.perf_counter()
    try:
        response = client.post("/classify", json={"text": text})
    except httpx.HTTPError as exc:
        return Reply(0, str(exc)[:200], "", "", (time.perf_counter() - start) * 1000)
    ms = (time.perf_counter() - start) * 1000
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
    return Reply(response.status_code, body, response.headers.get("x-bundle-sha256", ""),
                 response.headers.get("x-served-by", ""), ms)


def send_all(client: httpx.Client, texts: list[str]) -> list[Reply]:
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(lambda text: post(client, text), texts))


def core_classify(bundle: Path, texts: list[str], home: Path) -> list[dict[str, Any]]:
    """`python -m core classify` on the texts (a fresh user folder: nothing taught), one JSON object each."""
    env = {**os.environ, HOME_ENV: str(home)}
    done = subprocess.run([sys.executable, "-m", "core", "classify", "--model", str(bundle), "--device", "cpu"],
                          input="\n".join(texts) + "\n", capture_output=True, text=True, env=env, timeout=300,
                          check=True)
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def parity(replies: list[Reply], reference: list[dict[str, Any]]) -> tuple[int, float, int]:
    """(mismatches, largest confidence difference, other intents): a mismatch is another intent or a
    confidence difference over 1e-4."""
    mismatches, worst, flips = 0, 0.0, 0
    for reply, ref in zip(replies, reference, strict=True):
        if reply.status != 200 or "intent" not in ref:
            mismatches += 1
            continue
        diff = abs(float(reply.body["confidence"]) - float(ref["confidence"]))
        worst = max(worst, diff)
        flips += reply.body["intent"] != ref["intent"]
        if reply.body["intent"] != ref["intent"] or diff > PARITY_TOLERANCE:
            mismatches += 1
    return mismatches, worst, flips


def resaved_copy(bundle: Path, folder: Path) -> Path:
    """The same model re-saved: files copied, the manifest rewritten with a new created_at (a new digest)."""
    shutil.copytree(bundle, folder)
    manifest = read_manifest(folder)
    write_manifest(folder, replace(manifest, created_at=f"resaved-{time.time():.0f}"))
    return folder


def broken_copy(bundle: Path, folder: Path) -> Path:
    """A bundle whose checksums are right but whose model.pt is not TorchScript: only a load finds it."""
    shutil.copytree(bundle, folder)
    (folder / MODEL_FILE).write_bytes(b"not a torchscript archive" * 1000)
    manifest = read_manifest(folder)
    write_manifest(folder, replace(manifest, files={**manifest.files, MODEL_FILE: sha256_file(folder / MODEL_FILE)}))
    return folder


def protections(base_url: str, token: str) -> dict[str, bool]:
    """Each protection of the ingress answers as core.api's would."""
    auth = {"authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return {
            "no_token_401": client.post("/classify", json={"text": "hola"}).status_code == 401,
            "bad_host_400": client.post("/classify", json={"text": "hola"},
                                        headers={**auth, "host": "evil.example"}).status_code == 400,
            "big_body_413": client.post("/classify", content=b"x" * ((1 << 20) + 1),
                                        headers={**auth, "content-type": "application/json"}).status_code == 413,
            "blank_text_422": client.post("/classify", json={"text": "   "}, headers=auth).status_code == 422,
            "health_public_200": client.get("/health").status_code == 200,
            "intents_200": client.get("/intents", headers=auth).status_code == 200,
        }


def network_audit() -> dict[str, Any]:
    """Sockets of every process this smoke started (the Ray nodes and their workers): listening or connected
    anywhere but loopback is a failure."""
    import psutil

    listeners = 0
    outside: list[str] = []
    known: list[str] = []
    for proc in psutil.Process().children(recursive=True):
        try:
            connections = proc.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        for conn in connections:
            local_ok = conn.laddr and conn.laddr.ip in (LOOPBACK, "::1", "::ffff:127.0.0.1")
            remote = conn.raddr.ip if conn.raddr else ""
            if conn.status == psutil.CONN_LISTEN:
                listeners += 1
                if not local_ok:
                    where = f"{proc.name()} listens on {conn.laddr.ip}:{conn.laddr.port}"
                    (known if proc.name().startswith(KNOWN_WILDCARD) else outside).append(where)
            elif remote and remote not in (LOOPBACK, "::1", "::ffff:127.0.0.1"):
                outside.append(f"{proc.name()} connected to {remote}")
    return {"listeners": listeners, "outside_loopback": outside[:10], "replica_grpc_wildcard": known[:10]}


class LightLoad:
    """One client sending requests back to back on a thread until stopped: the traffic of a hot swap."""

    def __init__(self, client: httpx.Client, texts: list[str]) -> None:
        self.client, self.texts = client, texts
        self.replies: list[Reply] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="swap-load", daemon=True)

    def _run(self) -> None:
        i = 0
        while not self._stop.is_set():
            self.replies.append(post(self.client, self.texts[i % len(self.texts)]))
            i += 1

    def __enter__(self) -> LightLoad:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(60)


def closed_loop(client: httpx.Client, texts: list[str], seconds: float) -> dict[str, float]:
    """CLIENTS clients back to back for `seconds`: requests/s, p50 and p99 latency, errors."""
    stop = time.monotonic() + seconds
    replies: list[Reply] = []

    def worker(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            replies.append(post(client, texts[i % len(texts)]))
            i += CLIENTS

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ok = sorted(r.ms for r in replies if r.status == 200)
    elapsed = time.monotonic() - start
    return {"rps": round(len(ok) / elapsed, 1), "p50_ms": round(ok[len(ok) // 2], 1) if ok else -1,
            "p99_ms": round(ok[int(len(ok) * 0.99)], 1) if ok else -1, "errors": len(replies) - len(ok)}


def compare_with_core(ray_client: httpx.Client, bundle: Path, texts: list[str], seconds: float,
                      home: Path) -> dict[str, Any]:
    """Interleaved rounds (core, ray, core, ray, core, ray) on loopback; the median round of each."""
    port = free_port()
    token = secrets.token_hex(32)
    env = {**os.environ, HOME_ENV: str(home), "OFFLINE_ASSISTANT_API_TOKEN": token}  # core serve's launch token
    server = subprocess.Popen([sys.executable, "-m", "core", "serve", "--host", LOOPBACK, "--port", str(port),
                               "--model", str(bundle)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=f"http://{LOOPBACK}:{port}", timeout=30,
                          headers={"x-assistant-token": token}) as core_client:
            _wait(lambda: core_client.get("/health").status_code == 200, 120)
            rounds: dict[str, list[dict[str, float]]] = {"core_serve": [], "ray_serve": []}
            for _ in range(3):
                rounds["core_serve"].append(closed_loop(core_client, texts, seconds))
                rounds["ray_serve"].append(closed_loop(ray_client, texts, seconds))
    finally:
        server.terminate()
        server.wait(30)

    def median(runs: list[dict[str, float]]) -> dict[str, float]:
        return {key: statistics.median(run[key] for run in runs) for key in runs[0]}

    result: dict[str, Any] = {name: median(runs) for name, runs in rounds.items()}
    result["ratio_rps"] = round(result["ray_serve"]["rps"] / max(result["core_serve"]["rps"], 1e-9), 2)
    result["clients"], result["round_s"] = CLIENTS, seconds
    return result


def _wait(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"not ready within {timeout_s:g} s")


def _prepare_ray_environment() -> None:
    """Loopback only and token authentication for every Ray process this smoke starts (they inherit the
    environment); the token is made here and lives only in this process tree (nothing written to ~/.ray)."""
    if "ray" in sys.modules:
        raise RuntimeError("the smoke must set Ray's environment before ray is imported; run it in a fresh process")
    os.environ.update(RAY_ENV)
    os.environ["RAY_AUTH_MODE"] = "token"
    os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    os.environ.pop("RAY_AUTH_TOKEN_PATH", None)
    from ray._raylet import AuthenticationTokenLoader, Config  # type: ignore[attr-defined]

    Config.initialize("")  # this process read its config at import: make it see token mode too
    AuthenticationTokenLoader.instance().reset_cache()


def wrong_token_refused(address: str) -> bool:
    """A driver with another token cannot join the cluster (Ray's token authentication is really on)."""
    env = {**os.environ, "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    code = f"import ray; ray.init(address={address!r}, log_to_driver=False); print('joined')"
    try:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        return True  # it never got in
    return done.returncode != 0 and "joined" not in done.stdout


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt("terminated")  # so a `timeout` or a CI cancel still stops the cluster below


def run_smoke(options: SmokeOptions) -> dict[str, Any]:
    _prepare_ray_environment()
    signal.signal(signal.SIGTERM, _interrupt)
    import ray
    from ray import serve
    from ray.cluster_utils import Cluster

    from serving.deploy import DeployOptions, cluster_status, deploy_bundle

    report: dict[str, Any] = {"requests": 0, "errors": -1, "nodes": 0, "parity_mismatches": -1,
                              "swap_errors": -1, "broken_refused": False, "ok": False}
    work = Path(tempfile.mkdtemp(prefix="oa-smoke-"))
    started = time.monotonic()
    cluster = None
    try:
        node_args: dict[str, Any] = {"node_ip_address": LOOPBACK, "num_cpus": 1, "include_dashboard": False}
        cluster = Cluster(initialize_head=True, head_node_args=node_args)
        cluster.add_node(**node_args)
        ray.init(address=cluster.address, log_to_driver=False, logging_level=logging.WARNING)
        cluster.wait_for_nodes()
        report["node_addresses"] = sorted({str(n["NodeManagerAddress"]) for n in ray.nodes()})  # type: ignore[no-untyped-call]
        report["gcs_address"] = cluster.address
        report["cluster_ready_s"] = round(time.monotonic() - started, 1)
        report["ray_wrong_token_refused"] = wrong_token_refused(cluster.address)

        token = secrets.token_hex(32)
        port = free_port()
        plan = DeployPlan(bundle_sha256="0" * 64, replicas=2, stage_dir=str(work / "stage"), host=LOOPBACK,
                          port=port, proxy_location="HeadOnly", ingress=IngressConfig(token_sha256=token_digest(token)))
        first = deploy_bundle(options.bundle, DeployOptions(plan))
        report["deploy_s"] = round(first.seconds, 1)
        report["nodes_staged"] = first.nodes_staged
        base_url = f"http://{LOOPBACK}:{port}"
        client = httpx.Client(base_url=base_url, headers={"authorization": f"Bearer {token}"}, timeout=60,
                              limits=httpx.Limits(max_connections=CLIENTS))
        _wait(lambda: client.get("/health").status_code == 200, 60)

        texts = request_texts(options.requests)
        replies = send_all(client, texts)
        report["requests"] = len(replies)
        report["errors"] = sum(1 for r in replies if r.status != 200 or r.bundle != first.bundle_sha256)
        report["nodes"] = len({r.node for r in replies if r.status == 200})
        ok_ms = sorted(r.ms for r in replies if r.status == 200)
        report["p50_ms_8_clients"] = round(ok_ms[len(ok_ms) // 2], 1) if ok_ms else -1

        reference = core_classify(options.bundle, texts[: options.parity], work / "home")
        report["parity_checked"] = len(reference)
        report["parity_mismatches"], worst, report["parity_intent_flips"] = parity(replies[: options.parity], reference)
        report["parity_max_diff"] = round(worst, 6)

        report["protections"] = protections(base_url, token)

        resaved = resaved_copy(options.bundle, work / "resaved")
        with LightLoad(client, texts) as load:
            second = deploy_bundle(resaved, DeployOptions(plan))
            time.sleep(options.swap_load_s)
        after = [r for r in load.replies[-20:] if r.status == 200]
        report["swap_requests"] = len(load.replies)
        report["swap_errors"] = sum(1 for r in load.replies if r.status != 200)
        report["swap_s"] = round(second.seconds, 1)
        report["swap_serving_new"] = bool(after) and all(r.bundle == second.bundle_sha256 for r in after)

        broken = broken_copy(options.bundle, work / "broken")
        try:
            deploy_bundle(broken, DeployOptions(plan))
        except BundleError as exc:
            report["broken_refused"] = True
            report["broken_reason"] = str(exc)[:160]
        still = send_all(client, texts[:40])
        status = cluster_status()
        report["after_broken"] = {
            "errors": sum(1 for r in still if r.status != 200 or r.bundle != second.bundle_sha256),
            "nodes": len({r.node for r in still if r.status == 200}),
            "replicas_running": status["running"],
            "bundle_is_previous": status["bundle_sha256"] == second.bundle_sha256,
        }
        if options.compare_core_s > 0:
            report["compare"] = compare_with_core(client, options.bundle, texts, options.compare_core_s, work / "home")
        client.close()
        report["network"] = network_audit()
        after_broken = report["after_broken"]
        report["ok"] = bool(
            report["requests"] == options.requests and report["errors"] == 0 and report["nodes"] == 2
            and report["parity_mismatches"] == 0 and report["parity_checked"] == options.parity
            and all(report["protections"].values()) and report["swap_errors"] == 0 and report["swap_serving_new"]
            and report["broken_refused"] and after_broken["errors"] == 0 and after_broken["nodes"] == 2
            and after_broken["replicas_running"] == 2 and after_broken["bundle_is_previous"]
            and report["ray_wrong_token_refused"] and not report["network"]["outside_loopback"]
            and report["node_addresses"] == [LOOPBACK] and str(report["gcs_address"]).startswith(LOOPBACK + ":")
        )
    except (Exception, KeyboardInterrupt) as exc:  # the report says what broke; the cluster is stopped below
        report["failure"] = f"{type(exc).__name__}: {str(exc)[:400]}"
    finally:
        for stop in (serve.shutdown, ray.shutdown, *((cluster.shutdown,) if cluster else ())):
            try:
                stop()
            except Exception as exc:  # keep stopping the rest
                report.setdefault("shutdown_errors", []).append(f"{type(exc).__name__}: {str(exc)[:120]}")
        report["leftover_processes"] = _leftovers()
        shutil.rmtree(work, ignore_errors=True)
        report["total_s"] = round(time.monotonic() - started, 1)
    return report


def _leftovers() -> int:
    """Processes this smoke started that outlived the shutdown: ended here, by their own pid, and counted."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    _gone, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    return len(children)
