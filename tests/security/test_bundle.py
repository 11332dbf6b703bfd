"""A model bundle is untrusted: every malformed manifest, foreign file or lying model is a typed error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from core.bundle import MANIFEST, MODEL_FILE, TOKENIZER_FILE, sha256_file, verify_bundle
from core.engine import Engine, EngineConfig
from core.errors import BundleError

ROOT = Path(__file__).resolve().parents[2]


def edit(bundle: Path, **changes: object) -> None:
    path = bundle / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def files_of(bundle: Path) -> dict[str, str]:
    return dict(json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))["files"])


@pytest.mark.parametrize("changes", [
    {"threshold": "abc"}, {"threshold": True}, {"threshold": float("nan")}, {"files": ["model.pt"]},
    {"max_length": 1e30}, {"max_length": 12.5}, {"labels": [{"name": 5, "display_name": {}}]},
    {"labels": "x"}, {"versions": [1, 2]}, {"devices": "cpu"}, {"text_prefix": 7},
    {"labels": [{"name": "a", "display_name": {"en": ["not", "text"]}}]},
])
def test_every_wrongly_typed_manifest_is_a_bundle_error(bundle_copy: Path, changes: dict[str, object]) -> None:
    edit(bundle_copy, **changes)
    with pytest.raises(BundleError):
        verify_bundle(bundle_copy)


def test_deeply_nested_json_is_a_bundle_error(bundle_copy: Path) -> None:
    (bundle_copy / MANIFEST).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(BundleError):
        verify_bundle(bundle_copy)


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "sub/model.pt", "..", "C:model.pt",
                                  "a\\b"])
def test_file_names_outside_the_bundle_are_refused(bundle_copy: Path, name: str) -> None:
    edit(bundle_copy, files={**files_of(bundle_copy), name: "0" * 64})
    with pytest.raises(BundleError, match="plain files"):
        verify_bundle(bundle_copy)


def test_a_symlinked_file_is_refused(bundle_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.json"
    (bundle_copy / TOKENIZER_FILE).rename(outside)
    (bundle_copy / TOKENIZER_FILE).symlink_to(outside)
    with pytest.raises(BundleError, match="symbolic link"):
        verify_bundle(bundle_copy)


def test_an_oversized_tokenizer_is_refused_before_it_is_read(bundle_copy: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import core.bundle

    monkeypatch.setattr(core.bundle, "MAX_TOKENIZER_BYTES", 1000)
    with pytest.raises(BundleError, match="over the"):
        verify_bundle(bundle_copy)


def test_the_cli_reports_a_bad_manifest_with_exit_2_and_no_traceback(bundle_copy: Path) -> None:
    edit(bundle_copy, threshold="abc")
    done = subprocess.run([sys.executable, "-m", "core", "classify", "--model", str(bundle_copy)], input="hola\n",
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "manifest" in done.stderr and "Traceback" not in done.stderr


class Lying(torch.nn.Module):
    """A stand-in model.pt: NaN, out-of-range scores, a width that changes with the batch, or a loop."""

    def __init__(self, mode: int, labels: int) -> None:
        super().__init__()
        self.mode = mode
        self.labels = labels

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch = ids.shape[0]
        if self.mode == 0:
            return torch.full((batch, self.labels), float("nan"))
        if self.mode == 1:
            return torch.full((batch, self.labels), 5.0)
        if self.mode == 2:
            return torch.full((batch, self.labels + batch), 1.0 / (self.labels + batch))
        total = ids.sum()
        while total > -1:  # never ends: ids are non-negative
            total = total + 1
        return torch.zeros(batch, self.labels)


def lying_bundle(bundle: Path, mode: int) -> Path:
    labels = len(json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))["labels"])
    torch.jit.script(Lying(mode, labels)).save(str(bundle / MODEL_FILE))  # type: ignore[no-untyped-call]
    edit(bundle, files={**files_of(bundle), MODEL_FILE: sha256_file(bundle / MODEL_FILE)},
         quantization={"linear": "fp32"}, slot_tags=None)  # an intent-only graph: no slot layer listed
    return bundle


class LyingSlots(torch.nn.Module):
    """A joint graph whose intent scores are fine but whose slot scores are NaN or the wrong width."""

    def __init__(self, labels: int, tags: int, mode: int) -> None:
        super().__init__()
        self.labels, self.tags, self.mode = labels, tags, mode

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        batch, width = ids.shape
        probs = torch.full((batch, self.labels), 1.0 / self.labels)
        if self.mode == 0:
            return probs, torch.full((batch, width, self.tags), float("nan"))
        return probs, torch.zeros(batch, width, self.tags + 1)


@pytest.mark.parametrize("mode", [0, 1])
def test_a_joint_graph_whose_slot_scores_lie_is_refused_at_load(bundle_copy: Path, mode: int) -> None:
    manifest = json.loads((bundle_copy / MANIFEST).read_text(encoding="utf-8"))
    model = LyingSlots(len(manifest["labels"]), len(manifest["slot_tags"]), mode)
    torch.jit.script(model).save(str(bundle_copy / MODEL_FILE))  # type: ignore[no-untyped-call]
    edit(bundle_copy, files={**files_of(bundle_copy), MODEL_FILE: sha256_file(bundle_copy / MODEL_FILE)},
         quantization={"linear": "fp32"})
    with pytest.raises(BundleError, match="slot scores"):
        Engine(bundle_copy)


@pytest.mark.parametrize(("mode", "message"), [(0, "not numbers"), (1, "outside"), (2, "scores for")])
def test_a_model_that_lies_is_refused_at_load(bundle_copy: Path, mode: int, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        Engine(lying_bundle(bundle_copy, mode))


def test_a_model_that_loops_is_refused_within_the_load_timeout(bundle_copy: Path) -> None:
    """Through the CLI, which must also exit (the looping thread cannot be stopped, so it leaves at once)."""
    lying_bundle(bundle_copy, 3)
    done = subprocess.run([sys.executable, "-m", "core", "classify", "--model", str(bundle_copy), "--load-timeout",
                           "1"], input="hola\n", cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "did not answer its load check within 1 s" in done.stderr


def test_a_bad_row_at_call_time_becomes_an_error_row(tiny_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine(tiny_bundle, EngineConfig(warm_up=False))
    real = engine._run

    def nan_for_the_second(cleaned):  # type: ignore[no-untyped-def]
        encodings, probs, slots = real(cleaned)
        probs = probs.clone()  # an inference tensor cannot be edited in place
        probs[1] = float("nan")
        return encodings, probs, slots

    monkeypatch.setattr(engine, "_run", nan_for_the_second)
    good, bad = engine.score(["news today", "ayuda"])
    assert not good.error and good.ranking
    assert bad.error and bad.ranking == ()
