"""Command line of the cluster deployment (needs the `serve` extra).

    export RAY_AUTH_MODE=token RAY_AUTH_TOKEN=...          # the cluster's token (or ~/.ray/auth_token)
    export OFFLINE_ASSISTANT_SERVE_TOKEN=...                # callers' bearer token (needed beyond loopback)
    python -m serving deploy --bundle resources/model --replicas 2 [--address HEAD:6379] [--host 0.0.0.0
        --allow-remote --allowed-host assistant.intranet.example]
    python -m serving status [--address HEAD:6379]
    python -m serving stop [--address HEAD:6379]
    python -m serving smoke [--bundle resources/model]     # local head + worker on 127.0.0.1; JSON line last

Exit codes: 0 done; 1 a setting is wrong; 2 the bundle was refused (nothing changed); 3 the new bundle did not
come up and the previous one is serving again; for smoke, 1 when any of its checks failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from core.api import LOOPBACK_HOSTS
from core.errors import BundleError, ConfigError
from serving.config import TOKEN_ENV, DeployPlan, IngressConfig, check_exposure, token_digest

EXIT_SETTINGS, EXIT_BUNDLE_REFUSED, EXIT_ROLLED_BACK = 1, 2, 3
PLACEHOLDER_DIGEST = "0" * 64  # replaced by the bundle's digest once it has been checked


def _plan(args: argparse.Namespace) -> DeployPlan:
    token = os.environ.get(TOKEN_ENV, "")
    ingress = IngressConfig(allowed_hosts=tuple(args.allowed_host or LOOPBACK_HOSTS),
                            token_sha256=token_digest(token) if token else "", threshold=args.threshold)
    check_exposure(args.host, ingress, args.allow_remote)
    return DeployPlan(bundle_sha256=PLACEHOLDER_DIGEST, replicas=args.replicas, stage_dir=args.stage_dir,
                      host=args.host, port=args.port, proxy_location=args.proxy_location,
                      replica_cpus=args.replica_cpus, torch_threads=args.torch_threads, ingress=ingress)


def cmd_deploy(args: argparse.Namespace) -> int:
    from serving.deploy import DeployError, DeployOptions, connect, deploy_bundle

    plan = _plan(args)  # settings first: a typo must not cost a cluster round trip
    connect(args.address)
    try:
        outcome = deploy_bundle(args.bundle, DeployOptions(plan, timeout_s=args.timeout, config_out=args.config_out))
    except BundleError as exc:
        print(f"Bundle refused, the serving bundle is unchanged: {exc}", file=sys.stderr)
        return EXIT_BUNDLE_REFUSED
    except DeployError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ROLLED_BACK
    print(json.dumps({"bundle_sha256": outcome.bundle_sha256, "nodes_staged": outcome.nodes_staged,
                      "replicas": plan.replicas, "http": f"{plan.host}:{plan.port}",
                      "seconds": round(outcome.seconds, 1)}))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from serving.deploy import cluster_status, connect

    connect(args.address)
    print(json.dumps(cluster_status()))
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    from serving.deploy import connect, stop_serving

    connect(args.address)
    stop_serving()
    print("Serve stopped: no proxy listens any more; the Ray cluster keeps running (`ray stop` on each node).")
    return 0


def cmd_smoke(args: argparse.Namespace) -> int:
    from serving.smoke import SmokeOptions, run_smoke

    report = run_smoke(SmokeOptions(bundle=args.bundle, requests=args.requests, parity=args.parity,
                                    compare_core_s=args.compare_core))
    print(json.dumps(report), flush=True)
    return 0 if report["ok"] else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m serving", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    deploy = commands.add_parser("deploy", help="check, stage and serve a bundle (hot swap when one is serving)")
    deploy.add_argument("--bundle", type=Path, required=True)
    deploy.add_argument("--replicas", type=int, default=2)
    deploy.add_argument("--address", help="the head's GCS address host:port (default: the local cluster)")
    deploy.add_argument("--host", default="127.0.0.1", help="where each proxy listens (default loopback)")
    deploy.add_argument("--port", type=int, default=8000)
    deploy.add_argument("--allow-remote", action="store_true", help="needed for a --host other than loopback")
    deploy.add_argument("--allowed-host", action="append", help="a Host header to serve (repeat); default loopback")
    deploy.add_argument("--proxy-location", choices=("EveryNode", "HeadOnly"), default="EveryNode")
    deploy.add_argument("--stage-dir", default=DeployPlan.stage_dir, help="bundle cache on every node")
    deploy.add_argument("--replica-cpus", type=float, default=1.0)
    deploy.add_argument("--torch-threads", type=int, default=1)
    deploy.add_argument("--threshold", type=float, default=None)
    deploy.add_argument("--timeout", type=float, default=300.0, help="seconds for the replicas to settle")
    deploy.add_argument("--config-out", type=Path, help="also write the applied Serve config here (JSON)")
    deploy.set_defaults(func=cmd_deploy)

    for name, func, text in (("status", cmd_status, "what is served where (JSON)"),
                             ("stop", cmd_stop, "remove the application and Serve's proxies")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--address", help="the head's GCS address host:port (default: the local cluster)")
        sub.set_defaults(func=func)

    smoke = commands.add_parser("smoke", help="end-to-end check on a local 2-node cluster bound to 127.0.0.1")
    smoke.add_argument("--bundle", type=Path, default=Path("resources/model"))
    smoke.add_argument("--requests", type=int, default=200)
    smoke.add_argument("--parity", type=int, default=50)
    smoke.add_argument("--compare-core", type=float, default=0.0, metavar="SECONDS",
                       help="also measure requests/s against `python -m core serve` (interleaved rounds)")
    smoke.set_defaults(func=cmd_smoke)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_SETTINGS
    except BundleError as exc:
        print(f"Bundle refused, the serving bundle is unchanged: {exc}", file=sys.stderr)
        return EXIT_BUNDLE_REFUSED
    return code
