"""Training + export end to end on a tiny BERT built in code; parity; manifest; calibration helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from core.bundle import MODEL_FILE, TOKENIZER_FILE, verify_bundle
from core.engine import Engine
from scripts import export


def test_export_writes_a_verified_self_describing_bundle(tiny_bundle: Path) -> None:
    manifest = verify_bundle(tiny_bundle)
    assert manifest.label_names == ("get_help", "get_news", "out_of_scope")
    assert [label.out_of_scope for label in manifest.labels] == [False, False, True]
    assert manifest.threshold == pytest.approx(0.70)
    assert manifest.temperature > 0
    assert set(manifest.files) == {MODEL_FILE, TOKENIZER_FILE}
    assert manifest.metrics["parity_max_abs_diff"] <= export.PARITY_TOLERANCE
    assert {"torch", "transformers", "tokenizers"} <= set(manifest.versions)
    assert manifest.dataset_sha256 and manifest.created_at


def test_exported_model_loads_without_transformers_and_matches_labels(tiny_bundle: Path) -> None:
    engine = Engine(tiny_bundle)
    prediction = engine.classify("news today")
    assert prediction.intent in engine.labels
    assert sum(s.confidence for s in prediction.ranking) == pytest.approx(1.0, abs=1e-5)


def test_train_records_splits_and_config(tiny_run: Path) -> None:
    splits = json.loads((tiny_run / "splits.json").read_text(encoding="utf-8"))
    train_texts = {t for t, _ in splits["train"]}
    assert train_texts.isdisjoint({t for t, _ in splits["test"]})
    assert train_texts.isdisjoint({t for t, _ in splits["val"]})
    summary = json.loads((tiny_run / "train_config.json").read_text(encoding="utf-8"))
    assert summary["labels"][-1] == "out_of_scope"


class _Echo(torch.nn.Module):
    """A model whose graph depends on padding, to check that parity sees padded batches."""

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        summed = (ids.float() * mask).sum(dim=1, keepdim=True) / mask.sum(dim=1, keepdim=True)
        return torch.softmax(torch.cat([summed, -summed], dim=1) / 1000.0, dim=1)


def test_parity_passes_for_a_faithful_trace() -> None:
    model = _Echo()
    traced = export.trace_frozen(model, (torch.ones(2, 4, dtype=torch.long), torch.ones(2, 4, dtype=torch.long)))
    assert export.check_parity(model, traced, vocab=5000, max_length=32) <= export.PARITY_TOLERANCE


def test_parity_fails_when_the_trace_froze_a_padding_branch() -> None:
    class PaddingBranch(torch.nn.Module):
        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            shift = 0.0 if bool((mask == 0).any()) else 1.0  # Python branch: the trace keeps the unpadded one
            score = mask.float().sum(dim=1) / 10.0 + shift
            return torch.softmax(torch.stack([score, torch.zeros_like(score)], dim=1), dim=1)

    model = PaddingBranch()
    traced = export.trace_frozen(model, (torch.ones(1, 4, dtype=torch.long), torch.ones(1, 4, dtype=torch.long)))
    with pytest.raises(RuntimeError, match="Parity failed"):
        export.check_parity(model, traced, vocab=5000, max_length=32)


def test_device_pinned_graph_is_refused() -> None:
    class Pinned(torch.nn.Module):
        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return ids.float() + torch.zeros(ids.shape, device="cpu")

    with pytest.raises(RuntimeError, match="pinned"):
        export.trace_frozen(Pinned(), (torch.ones(1, 3, dtype=torch.long), torch.ones(1, 3, dtype=torch.long)))


def test_temperature_scaling_lowers_calibration_error_of_overconfident_logits() -> None:
    gen = torch.Generator().manual_seed(0)
    targets = torch.randint(0, 4, (400,), generator=gen)
    logits = torch.randn(400, 4, generator=gen)
    logits[torch.arange(400), targets] += 1.5  # right about 70 % of the time...
    logits *= 6.0  # ...but nearly always about 100 % sure
    temperature = export.fit_temperature(logits, targets)
    before = export.expected_calibration_error(logits.softmax(1), targets)
    after = export.expected_calibration_error((logits / temperature).softmax(1), targets)
    assert temperature > 2.0
    assert after < before / 2


def test_ece_is_zero_for_perfectly_calibrated_certainty() -> None:
    probs = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    assert export.expected_calibration_error(probs, torch.tensor([0, 1])) == pytest.approx(0.0)
