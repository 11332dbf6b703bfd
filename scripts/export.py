"""Export a trained run to a self-describing TorchScript bundle.

    python -m scripts.export --run runs/default --out resources/model

Steps: fit temperature scaling on the val split (ECE before/after), trace a tensor-only wrapper
(input_ids, attention_mask) -> probabilities with the temperature inside, freeze it, prove parity with the
eager wrapper on a battery of shapes (max abs difference <= 1e-4 or the export fails), then write
model.pt, tokenizer.json and manifest.json (labels, threshold, temperature, versions, sha256 of each file).

Size: the word-embedding table (a third of MiniLM's weights) is stored as int8 with one fp32 scale per row
and expanded only for the looked-up rows, which keeps the bundle device-neutral and under 60 MB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core.bundle import MODEL_FILE, TOKENIZER_FILE, Label, Manifest, sha256_file, write_manifest
from core.intents import OUT_OF_SCOPE
from core.policy import DEFAULT_THRESHOLD
from scripts.data import Splits

PARITY_TOLERANCE = 1e-4
EXPORT_MAX_LENGTH = 128  # tokens per request at inference (about 90 words; longer input is truncated)


class LogitsModel(nn.Module):
    """(input_ids, attention_mask) -> logits, optionally with an int8 word-embedding table."""

    def __init__(self, model: nn.Module, quantize_embeddings: bool = True) -> None:
        super().__init__()
        self.model = model
        self.quantized = quantize_embeddings
        table = model.get_input_embeddings().weight.detach().float()
        scale = table.abs().amax(dim=1, keepdim=True).clamp_min(1e-8) / 127.0
        self.register_buffer("emb_q", torch.round(table / scale).to(torch.int8) if quantize_embeddings else table)
        self.register_buffer("emb_scale", scale)
        if quantize_embeddings:  # the fp32 table is no longer read: keep a 1-row stub instead of 45 MB
            model.set_input_embeddings(nn.Embedding(1, table.shape[1]))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        embeds = self.emb_q[input_ids].float()
        if self.quantized:
            embeds = embeds * self.emb_scale[input_ids]
        token_types = torch.zeros_like(input_ids)
        # A ready 4D additive mask: transformers returns it as-is, whereas building it from the 2D mask
        # traces `device="cpu"` constants into the graph and would pin the bundle to the CPU.
        blocked = (1.0 - attention_mask[:, None, None, :].to(embeds.dtype)) * torch.finfo(embeds.dtype).min
        out = self.model(inputs_embeds=embeds, attention_mask=blocked, token_type_ids=token_types)
        return out.logits


class ProbabilityModel(nn.Module):
    """The exported graph: calibrated probabilities, temperature applied inside."""

    def __init__(self, logits_model: nn.Module, temperature: float) -> None:
        super().__init__()
        self.logits_model = logits_model
        self.register_buffer("inv_temperature", torch.tensor(1.0 / temperature))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits_model(input_ids, attention_mask) * self.inv_temperature, dim=-1)


def batch_logits(model: nn.Module, tokenizer: Any, texts: list[str], max_length: int) -> torch.Tensor:
    outs = []
    with torch.inference_mode():
        for i in range(0, len(texts), 64):
            enc = tokenizer(texts[i:i + 64], truncation=True, max_length=max_length, padding=True,
                            return_tensors="pt")
            outs.append(model(enc["input_ids"], enc["attention_mask"]).float())
    return torch.cat(outs) if outs else torch.empty(0)


def fit_temperature(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """The temperature minimising negative log-likelihood on held-out rows (Guo et al. 2017)."""
    log_t = torch.zeros(1, requires_grad=True)
    optimiser = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = nn.functional.cross_entropy(logits / log_t.exp(), targets)
        loss.backward()
        return loss

    optimiser.step(closure)
    return float(log_t.detach().exp().clamp(0.05, 20.0))


def expected_calibration_error(probs: torch.Tensor, targets: torch.Tensor, bins: int = 15) -> float:
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == targets).float()
    ece = torch.zeros(())
    edges = torch.linspace(0, 1, bins + 1)
    for low, high in itertools.pairwise(edges.tolist()):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            ece += in_bin.float().mean() * (confidence[in_bin].mean() - correct[in_bin].mean()).abs()
    return float(ece)


def trace_frozen(model: nn.Module, example: tuple[torch.Tensor, torch.Tensor]) -> torch.jit.ScriptModule:
    with warnings.catch_warnings():
        # torch.jit.trace announces that TorchScript is deprecated; the product requires TorchScript
        # (it is the bundle format the engine loads without transformers), so this one warning is muted here.
        warnings.filterwarnings("ignore", message=r".*(TorchScript|torch\.jit).*deprecat", category=DeprecationWarning)
        # TracerWarnings flag Python branches frozen into the graph; the parity battery below is what
        # proves the graph right on every shape, so they are recorded there rather than printed here.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(model, example, check_trace=False)
        frozen = torch.jit.freeze(traced.eval())
    check_device_neutral(frozen)
    return frozen


def check_device_neutral(module: torch.jit.ScriptModule) -> None:
    """Refuse graphs that create tensors on a fixed device: they would fail on the other one."""
    pinned = [line.strip() for line in str(module.graph).splitlines() if 'Constant[value="cpu"]' in line
              or 'Constant[value="cuda' in line]
    if pinned:
        raise RuntimeError(f"The traced graph is pinned to a device ({pinned[0]}); pass such tensors as inputs.")


def _random_batch(batch: int, length: int, vocab: int, padded: bool, gen: torch.Generator) -> tuple[torch.Tensor, ...]:
    low = 1000 if vocab > 2000 else 5  # past BERT's special and unused tokens
    ids = torch.randint(low, vocab, (batch, length), generator=gen)
    lengths = torch.randint(1, length + 1, (batch,), generator=gen) if padded else torch.full((batch,), length)
    lengths[0] = length  # the longest row sets the padded width, as the tokenizer pads to the longest
    mask = (torch.arange(length)[None, :] < lengths[:, None]).long()
    return ids * mask, mask


def parity_battery(max_length: int) -> list[tuple[int, int, bool]]:
    """(batch, length, padded) shapes: batch 1..32, lengths 1..max_length, padded batches."""
    lengths = sorted({1, 2, 7, 16, 33, max_length // 2, max_length})
    return [(b, n, p) for b in (1, 3, 32) for n in lengths for p in (False, True) if not (p and b == 1)]


def check_parity(eager: nn.Module, traced: torch.jit.ScriptModule, vocab: int, max_length: int) -> float:
    """Largest |eager - traced| over the battery; raises when it exceeds PARITY_TOLERANCE."""
    gen, worst = torch.Generator().manual_seed(0), 0.0
    with torch.inference_mode():
        for batch, length, padded in parity_battery(max_length):
            ids, mask = _random_batch(batch, length, vocab, padded, gen)
            diff = float((eager(ids, mask) - traced(ids, mask)).abs().max())
            worst = max(worst, diff)
            if not math.isfinite(diff) or diff > PARITY_TOLERANCE:
                raise RuntimeError(f"Parity failed at batch={batch} length={length} padded={padded}: {diff:.2e}")
    return worst


def _val_tensors(splits: Splits, labels: list[str]) -> tuple[list[str], torch.Tensor]:
    ids = {name: i for i, name in enumerate(labels)}
    rows = [(t, ids[label]) for t, label in splits.val if label in ids]
    return [t for t, _ in rows], torch.tensor([y for _, y in rows])


def _manifest(splits: Splits, labels: list[str], temperature: float, metrics: dict[str, Any], base: str) -> Manifest:
    import tokenizers
    import transformers

    return Manifest(
        labels=tuple(Label(n, splits.display_names.get(n, {"es": n, "en": n}), n == OUT_OF_SCOPE) for n in labels),
        threshold=DEFAULT_THRESHOLD,
        temperature=temperature,
        max_length=EXPORT_MAX_LENGTH,
        files={},
        base_model=base,
        dataset_sha256=splits.dataset_sha256,
        metrics=metrics,
        versions={"torch": torch.__version__, "transformers": transformers.__version__,
                  "tokenizers": tokenizers.__version__},
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def write_bundle(hf_model: nn.Module, tokenizer: Any, out: Path, *, labels: list[str], temperature: float,
                 splits: Splits, metrics: dict[str, Any], base: str, quantize_embeddings: bool = True) -> Manifest:
    """Trace, freeze, prove parity and write model.pt + tokenizer.json + manifest.json to `out`."""
    vocab = hf_model.get_input_embeddings().weight.shape[0]
    eager = ProbabilityModel(LogitsModel(hf_model, quantize_embeddings).eval(), temperature).eval()
    example = _random_batch(2, 16, vocab, True, torch.Generator().manual_seed(1))
    traced = trace_frozen(eager, example)
    metrics = {**metrics, "parity_max_abs_diff": check_parity(eager, traced, vocab, EXPORT_MAX_LENGTH)}
    out.mkdir(parents=True, exist_ok=True)
    traced.save(str(out / MODEL_FILE))
    tokenizer.backend_tokenizer.save(str(out / TOKENIZER_FILE))
    manifest = _manifest(splits, labels, temperature, metrics, base)
    files = {name: sha256_file(out / name) for name in (MODEL_FILE, TOKENIZER_FILE)}
    manifest = Manifest(**{**manifest.__dict__, "files": files})
    write_manifest(out, manifest)
    return manifest


def export_bundle(run: Path, out: Path, quantize_embeddings: bool = True) -> Manifest:
    """Calibrate the run's best model on its val split, then write the bundle."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    summary = json.loads((run / "train_config.json").read_text(encoding="utf-8"))
    splits = Splits.from_json(json.loads((run / "splits.json").read_text(encoding="utf-8")))
    labels: list[str] = summary["labels"]
    tokenizer = AutoTokenizer.from_pretrained(str(run / "model"))
    hf_model = AutoModelForSequenceClassification.from_pretrained(str(run / "model")).eval()
    texts, targets = _val_tensors(splits, labels)
    logits = batch_logits(LogitsModel(hf_model, quantize_embeddings).eval(), tokenizer, texts, EXPORT_MAX_LENGTH)
    temperature = fit_temperature(logits, targets)
    metrics = {
        "val_accuracy": float((logits.argmax(1) == targets).float().mean()),
        "val_ece_before": expected_calibration_error(logits.softmax(1), targets),
        "val_ece_after": expected_calibration_error((logits / temperature).softmax(1), targets),
        "train_seconds": summary.get("train_seconds"),
        "quantized_embeddings": quantize_embeddings,
    }
    hf_model = AutoModelForSequenceClassification.from_pretrained(str(run / "model")).eval()  # unmodified copy
    manifest = write_bundle(hf_model, tokenizer, out, labels=labels, temperature=temperature, splits=splits,
                            metrics=metrics, base=summary["config"]["base_model"],
                            quantize_embeddings=quantize_embeddings)
    print(json.dumps({"bundle": str(out), "temperature": round(temperature, 4), **manifest.metrics}))
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True, help="run folder written by scripts/train.py")
    parser.add_argument("--out", type=Path, required=True, help="bundle folder to write")
    parser.add_argument("--fp32-embeddings", action="store_true", help="keep the embedding table in fp32")
    args = parser.parse_args(argv)
    export_bundle(args.run, args.out, quantize_embeddings=not args.fp32_embeddings)


if __name__ == "__main__":
    main()
