"""One path: the API's /classify applies what the user taught, as the CLI's classify does (issue 26 item 5)."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.api import ApiConfig, create_app
from core.bundle import read_manifest
from core.cli import main
from core.memory import TeachingMemory
from core.paths import default_paths
from core.storage import Storage

TEXT = "what's on at the cinema tonight"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OFFLINE_ASSISTANT_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def client(home: Path, tiny_bundle: Path) -> Iterator[TestClient]:
    with TestClient(create_app(ApiConfig(tiny_bundle)), base_url="http://127.0.0.1") as test_client:
        yield test_client


def _cli_classify(tiny_bundle: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode() + b"\n")))
    assert main(["classify", "--model", str(tiny_bundle)]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_classify_applies_a_taught_request_in_the_api_and_the_cli(
        client: TestClient, tiny_bundle: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = client.post("/classify", json={"text": TEXT}).json()
    labels = [label.name for label in read_manifest(tiny_bundle).labels if not label.out_of_scope]
    taught = next(name for name in labels if name != before["intent"])  # an intent the model did not choose
    storage = Storage(default_paths().database)  # another connection, as the desktop app or `teach` would be
    TeachingMemory(storage).teach(TEXT, taught, labels)
    storage.close()
    api = client.post("/classify", json={"text": TEXT}).json()
    cli = _cli_classify(tiny_bundle, monkeypatch, capsys)
    assert api["intent"] == cli["intent"] == taught
    assert api["learned"] and api["learned"] == cli["learned"]
    assert api["needs_clarification"] is False and cli["needs_clarification"] is False


def test_an_untaught_request_says_so(client: TestClient) -> None:
    body = client.post("/classify", json={"text": "news today"}).json()
    assert body["learned"] == ""
