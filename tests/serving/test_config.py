"""Deployment settings, the Serve config written from them and the CLI's refusals, without a Ray cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import ConfigError
from serving.cli import EXIT_SETTINGS, main
from serving.config import (
    APP_NAME,
    DEPLOYMENT_NAME,
    TOKEN_ENV,
    DeployPlan,
    IngressConfig,
    bundle_id,
    check_exposure,
    serve_config,
    token_digest,
)

DIGEST = "a" * 64
TOKEN = "s3cret-" + "x" * 40


def test_serve_config_carries_the_bundle_in_user_config_and_never_the_token() -> None:
    plan = DeployPlan(DIGEST, replicas=3, port=8123, proxy_location="HeadOnly",
                      ingress=IngressConfig(token_sha256=token_digest(TOKEN)))
    config = serve_config(plan)
    app = config["applications"][0]
    deployment = app["deployments"][0]
    assert app["name"] == APP_NAME and app["import_path"] == "serving.deployment:build_app"
    assert deployment["name"] == DEPLOYMENT_NAME and deployment["num_replicas"] == 3
    assert deployment["user_config"] == {"bundle_sha256": DIGEST}
    assert config["http_options"]["host"] == "127.0.0.1" and config["http_options"]["port"] == 8123
    assert config["proxy_location"] == "HeadOnly"
    assert TOKEN not in json.dumps(config)
    assert IngressConfig.from_json(app["args"]["ingress"]) == plan.ingress


def test_serve_config_is_valid_for_ray_serve() -> None:
    schema = pytest.importorskip("ray.serve.schema")
    parsed = schema.ServeDeploySchema.model_validate(serve_config(DeployPlan(DIGEST)))
    assert parsed.applications[0].deployments[0].user_config == {"bundle_sha256": DIGEST}
    assert parsed.http_options.host == "127.0.0.1"


def test_a_swap_changes_only_the_user_config() -> None:
    old, new = serve_config(DeployPlan(DIGEST)), serve_config(DeployPlan("b" * 64))
    new["applications"][0]["deployments"][0]["user_config"] = {"bundle_sha256": DIGEST}
    assert old == new  # only user_config differs: Serve reconfigures replicas in place


def test_bundle_id_is_the_manifest_digest(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    assert bundle_id(tmp_path) == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"


@pytest.mark.parametrize("kwargs", [{"bundle_sha256": "nothex"}, {"bundle_sha256": DIGEST, "replicas": 0},
                                    {"bundle_sha256": DIGEST, "proxy_location": "Disabled"},
                                    {"bundle_sha256": DIGEST, "port": 0},
                                    {"bundle_sha256": DIGEST, "max_batch": 0},
                                    {"bundle_sha256": DIGEST, "proxy_timeout_s": 0}])
def test_plan_rejects_bad_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        DeployPlan(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{"allowed_hosts": ()}, {"allowed_hosts": ("*",)}, {"token_sha256": "abc"},
                                    {"max_body_bytes": 0}, {"read_timeout_s": 0}, {"threshold": 1.5}])
def test_ingress_rejects_bad_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        IngressConfig(**kwargs)  # type: ignore[arg-type]


def test_short_token_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        token_digest("short")


def test_exposure_beyond_loopback_needs_opt_in_and_token() -> None:
    check_exposure("127.0.0.1", IngressConfig(), allow_remote=False)
    with pytest.raises(ConfigError, match="allow-remote"):
        check_exposure("0.0.0.0", IngressConfig(), allow_remote=False)
    with pytest.raises(ConfigError, match=TOKEN_ENV):
        check_exposure("0.0.0.0", IngressConfig(), allow_remote=True)
    check_exposure("0.0.0.0", IngressConfig(token_sha256=token_digest(TOKEN)), allow_remote=True)


def test_cli_refuses_remote_host_before_touching_a_cluster(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["deploy", "--bundle", "resources/model", "--host", "0.0.0.0"]) == EXIT_SETTINGS
    assert "--allow-remote" in capsys.readouterr().err
    assert main(["deploy", "--bundle", "resources/model", "--host", "0.0.0.0", "--allow-remote"]) == EXIT_SETTINGS
    assert TOKEN_ENV in capsys.readouterr().err


def test_cli_refuses_a_cluster_without_ray_token_auth(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ray")
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    assert main(["status"]) == EXIT_SETTINGS
    assert "RAY_AUTH_MODE=token" in capsys.readouterr().err
