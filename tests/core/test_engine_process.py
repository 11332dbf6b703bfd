from __future__ import annotations

from pathlib import Path

import pytest

from core.engine import Engine
from core.engine_process import RemoteEngine
from core.errors import BundleNotFoundError, InputTextError


def test_remote_engine_answers_like_the_in_process_engine(tiny_bundle: Path) -> None:
    remote = RemoteEngine(tiny_bundle, device="cpu", threads=1)
    try:
        local = Engine(tiny_bundle)
        assert remote.labels == local.labels and remote.device == "cpu"
        for text in ("news today", "ayuda"):
            a, b = remote.classify(text), local.classify(text)
            assert a.intent == b.intent and a.confidence == pytest.approx(b.confidence, abs=1e-5)
        with pytest.raises(InputTextError):
            remote.classify("   ")
        remote.set_threshold(1.0)
        assert remote.classify("news today").needs_clarification
    finally:
        remote.close()


def test_remote_engine_reports_a_bad_bundle_as_the_same_typed_error(tmp_path: Path) -> None:
    with pytest.raises(BundleNotFoundError, match="does not exist"):
        RemoteEngine(tmp_path / "missing")
