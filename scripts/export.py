"""Export a trained run to a self-describing TorchScript bundle.

    python -m scripts.export --run runs/default --out resources/model          # int8, CPU (the default)
    python -m scripts.export --run runs/default --out runs/gpu-bundle --fp32   # fp32 layers, CPU or CUDA

Steps: fit temperature scaling on the val split (ECE before/after), trace a tensor-only wrapper
(input_ids, attention_mask) -> probabilities with the temperature inside, freeze it, prove parity with the
eager wrapper on a battery of shapes (max abs difference <= 1e-4 or the export fails), then write
model.pt, tokenizer.json and manifest.json (labels, threshold, temperature, pad token, quantization,
devices, versions, sha256 of each file).

Size and speed: the word-embedding table is stored as int8 with one fp32 scale per row and expanded only for
the looked-up rows. By default the backbone's Linear layers are also dynamic-quantized to int8
(`torch.ao.quantization.quantize_dynamic`: int8 weights, activations quantized per call), which makes a
single request several times faster on a CPU. Before saving, the quantized model must agree with the fp32
model on the val split (top-1 agreement >= 98 %, recorded with the largest probability difference in the
manifest), or the export fails. Dynamic-quantized Linear has no CUDA kernel, so such a bundle lists
`devices: ["cpu"]`; `--fp32` keeps fp32 Linear layers and a device-neutral graph for GPUs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
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
MIN_INT8_AGREEMENT = 0.98  # top-1 agreement with fp32 on val below which an int8 export is refused
MAX_FP32_SHARE = 0.25  # share of the Linear weights an int8 export may keep fp32 to reach that agreement
SENSITIVITY_ROWS = 400  # train rows used to rank each group's sensitivity to int8
EXPORT_MAX_LENGTH = 128  # tokens per request at inference (about 90 words; longer input is truncated)


class ExportError(RuntimeError):
    """An export proof failed (parity, int8 agreement): nothing is written."""


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


class FusedSelfAttention(nn.Module):
    """BERT self-attention with the query, key and value products fused into one Linear (d -> 3d).

    Same arithmetic as transformers' BertSelfAttention with SDPA (the parity battery checks it against the
    unfused eager model), but one matrix product instead of three: for a ~10-token request each product is
    dominated by its fixed cost (and, in int8, by quantizing its input), so fusing saves two of them per block.
    """

    def __init__(self, original: nn.Module) -> None:
        super().__init__()
        query, key, value = original.query, original.key, original.value
        self.heads = int(original.num_attention_heads)
        self.head_size = int(original.attention_head_size)
        self.scaling = float(original.scaling)
        self.qkv = nn.Linear(query.in_features, 3 * query.out_features)
        with torch.no_grad():
            self.qkv.weight.copy_(torch.cat([query.weight, key.weight, value.weight]))
            self.qkv.bias.copy_(torch.cat([query.bias, key.bias, value.bias]))

    def forward(self, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None = None,
                **_: Any) -> tuple[torch.Tensor, None]:
        batch, length = hidden_states.shape[0], hidden_states.shape[1]
        qkv = self.qkv(hidden_states).view(batch, length, 3, self.heads, self.head_size).permute(2, 0, 3, 1, 4)
        out = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=attention_mask,
                                                         scale=self.scaling)
        return out.transpose(1, 2).reshape(batch, length, self.heads * self.head_size), None


def fuse_attention(hf_model: nn.Module) -> nn.Module:
    """Swap every BERT-style self-attention (query/key/value Linear layers) for FusedSelfAttention, in place."""
    for block in getattr(getattr(hf_model.base_model, "encoder", None), "layer", []):
        attention = getattr(block, "attention", None)
        original = getattr(attention, "self", None)
        if original is not None and all(hasattr(original, n) for n in ("query", "key", "value", "scaling")):
            attention.self = FusedSelfAttention(original)
    return hf_model


def quantize_linear_layers(hf_model: nn.Module, keep_fp32: tuple[str, ...] = ()) -> nn.Module:
    """Dynamic int8 quantization of the backbone's Linear layers, in place; the classifier head stays fp32.

    Weights get one scale per output channel (per-channel: measurably closer to fp32 than one per tensor on
    the bundled model, at the same speed). Linear layers whose name inside the backbone starts with one of
    `keep_fp32` (e.g. "encoder.layer.0.") stay fp32. The head is one small product per request (no speed to
    gain) and its logits feed the calibration.
    """
    from torch.ao.quantization import per_channel_dynamic_qconfig

    spec = {name: per_channel_dynamic_qconfig for name, module in hf_model.base_model.named_modules()
            if isinstance(module, nn.Linear) and not name.startswith(keep_fp32)}
    with warnings.catch_warnings():
        # torch.ao.quantization announces its deprecation (in favour of torchao, which is not a dependency);
        # the product requires dynamic int8 Linear layers inside TorchScript, which only this API provides, so
        # this one warning, and the matching one about creating quantized tensors, are muted here.
        warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor.*deprecated", category=UserWarning)
        torch.ao.quantization.quantize_dynamic(hf_model.base_model, spec, dtype=torch.qint8, inplace=True)
    return hf_model


def fp32_candidates(hf_model: nn.Module) -> dict[str, int]:
    """Groups of Linear layers that may stay fp32, by name prefix, with their weight count (the cost): each
    block's attention (fused qkv + output), FFN input and FFN output (BERT, RoBERTa and XLM-R name them alike)."""
    blocks = getattr(getattr(hf_model.base_model, "encoder", None), "layer", None)
    if not isinstance(blocks, nn.ModuleList):
        return {}
    linears = {name: m.weight.numel() for name, m in fuse_attention(hf_model).base_model.named_modules()
               if isinstance(m, nn.Linear)}
    groups = [f"encoder.layer.{i}.{part}." for i in range(len(blocks)) for part in ("attention", "intermediate",
                                                                                    "output")]
    return {g: sum(n for name, n in linears.items() if name.startswith(g)) for g in groups}


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
        raise ExportError(f"The traced graph is pinned to a device ({pinned[0]}); pass such tensors as inputs.")


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
                raise ExportError(f"Parity failed at batch={batch} length={length} padded={padded}: {diff:.2e}")
    return worst


def _val_tensors(splits: Splits, labels: list[str]) -> tuple[list[str], torch.Tensor]:
    ids = {name: i for i, name in enumerate(labels)}
    rows = [(t, ids[label]) for t, label in splits.val if label in ids]
    return [t for t, _ in rows], torch.tensor([y for _, y in rows])


@dataclass(frozen=True)
class ExportOptions:
    quantize_embeddings: bool = True  # int8 word-embedding table with a per-row scale (device-neutral)
    quantize_linear: bool = True  # dynamic int8 Linear layers in the backbone (CPU only); False = --fp32
    fp32_layers: tuple[str, ...] = ()  # Linear groups (name prefixes) kept fp32 in an int8 export: choose_fp32_layers

    @property
    def devices(self) -> tuple[str, ...]:
        return ("cpu",) if self.quantize_linear else ("cpu", "cuda")

    @property
    def quantization(self) -> dict[str, str]:
        quantization = {"embeddings": "int8-per-row" if self.quantize_embeddings else "fp32",
                        "linear": "int8-dynamic-per-channel" if self.quantize_linear else "fp32"}
        if self.quantize_linear and self.fp32_layers:
            quantization["fp32_layers"] = ",".join(self.fp32_layers)
        return quantization


def build_eager(hf_model: nn.Module, options: ExportOptions, temperature: float = 1.0) -> ProbabilityModel:
    """The wrapper that is traced. Consumes `hf_model` (its layers are replaced): pass a fresh copy."""
    logits = LogitsModel(fuse_attention(hf_model), options.quantize_embeddings)
    if options.quantize_linear:
        quantize_linear_layers(hf_model, options.fp32_layers)
    return ProbabilityModel(logits.eval(), temperature).eval()


def logits_of(fresh: Callable[[], nn.Module], options: ExportOptions, tokenizer: Any, texts: list[str]) -> torch.Tensor:
    """Val or train logits of the eager wrapper built from a fresh copy of the model with these options."""
    return batch_logits(build_eager(fresh(), options).logits_model, tokenizer, texts, EXPORT_MAX_LENGTH)


def rank_by_sensitivity(fresh: Callable[[], nn.Module], tokenizer: Any, texts: list[str], options: ExportOptions,
                        candidates: Sequence[str]) -> list[str]:
    """Candidate groups ordered by how much keeping each one fp32 brings the int8 model closer to fp32.

    Closeness is the KL divergence of the int8 probabilities from the fp32 ones on `texts` (the train split,
    so the val split stays the judge of agreement). One pass per candidate.
    """
    fp32 = ExportOptions(quantize_embeddings=options.quantize_embeddings, quantize_linear=False)
    reference = logits_of(fresh, fp32, tokenizer, texts)

    def divergence(group: str) -> float:
        variant = replace(options, fp32_layers=(group,))
        logits = logits_of(fresh, variant, tokenizer, texts)
        return float(nn.functional.kl_div(logits.log_softmax(1), reference.log_softmax(1), log_target=True,
                                          reduction="batchmean"))

    return sorted(candidates, key=divergence)


def int8_agreement(reference: torch.Tensor, quantized: torch.Tensor) -> dict[str, float]:
    """Top-1 agreement and the largest |probability difference| between fp32 and quantized probabilities."""
    agree = float((reference.argmax(1) == quantized.argmax(1)).float().mean()) if len(reference) else 1.0
    delta = float((reference - quantized).abs().max()) if len(reference) else 0.0
    return {"int8_top1_agreement": round(agree, 4), "int8_max_abs_prob_diff": round(delta, 4)}


def pad_token_of(tokenizer: Any) -> str:
    """The tokenizer's own pad token ([PAD] for BERT WordPiece, <pad> for XLM-R Unigram)."""
    token = getattr(tokenizer, "pad_token", None)
    if not token:
        raise ExportError("The tokenizer has no pad token; set one (tokenizer.pad_token = ...) before exporting.")
    return str(token)


def _manifest(splits: Splits, labels: list[str], temperature: float, metrics: dict[str, Any], base: str,
              options: ExportOptions, pad_token: str) -> Manifest:
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
        pad_token=pad_token,
        devices=options.devices,
        quantization=options.quantization,
    )


def write_bundle(hf_model: nn.Module, tokenizer: Any, out: Path, *, labels: list[str], temperature: float,
                 splits: Splits, metrics: dict[str, Any], base: str,
                 options: ExportOptions | None = None, text_prefix: str = "") -> Manifest:
    """Trace, freeze, prove parity and write model.pt + tokenizer.json + manifest.json to `out`."""
    options = options or ExportOptions()
    vocab = hf_model.get_input_embeddings().weight.shape[0]
    pad_token = pad_token_of(tokenizer)
    eager = build_eager(hf_model, options, temperature)
    example = _random_batch(2, 16, vocab, True, torch.Generator().manual_seed(1))
    traced = trace_frozen(eager, example)
    metrics = {**metrics, "parity_max_abs_diff": check_parity(eager, traced, vocab, EXPORT_MAX_LENGTH)}
    out.mkdir(parents=True, exist_ok=True)
    traced.save(str(out / MODEL_FILE))
    tokenizer.backend_tokenizer.save(str(out / TOKENIZER_FILE))
    manifest = _manifest(splits, labels, temperature, metrics, base, options, pad_token)
    files = {name: sha256_file(out / name) for name in (MODEL_FILE, TOKENIZER_FILE)}
    manifest = Manifest(**{**manifest.__dict__, "files": files, "text_prefix": text_prefix})
    write_manifest(out, manifest)
    return manifest


def choose_fp32_layers(fresh: Callable[[], nn.Module], tokenizer: Any, train_texts: list[str], val_texts: list[str],
                       reference: torch.Tensor, options: ExportOptions) -> tuple[ExportOptions, torch.Tensor]:
    """Plain int8, or else the fewest fp32 groups (most sensitive first, ranked on train) for which the int8
    model agrees with fp32 (`reference`, val logits) on >= MIN_INT8_AGREEMENT of val, within MAX_FP32_SHARE of
    the Linear weights; raises ExportError when none does. Returns the options and the shipped val logits.
    """
    def agreement_of(variant: ExportOptions) -> tuple[float, torch.Tensor]:
        logits = logits_of(fresh, variant, tokenizer, val_texts)
        return int8_agreement(reference.softmax(1), logits.softmax(1))["int8_top1_agreement"], logits

    if not options.quantize_linear:
        return options, agreement_of(options)[1]
    agree, logits = agreement_of(options)
    print(json.dumps({"int8_fp32_layers": [], "val_top1_agreement": agree}))
    if agree >= MIN_INT8_AGREEMENT:
        return options, logits
    costs = fp32_candidates(fresh())
    sample = train_texts[:: max(1, len(train_texts) // SENSITIVITY_ROWS)]
    ranking = rank_by_sensitivity(fresh, tokenizer, sample, options, list(costs))
    budget, best, kept = MAX_FP32_SHARE * sum(costs.values()), agree, []
    for group in ranking:
        if sum(costs[g] for g in [*kept, group]) > budget:
            break
        kept.append(group)
        variant = replace(options, fp32_layers=tuple(kept))
        agree, logits = agreement_of(variant)
        best = max(best, agree)
        print(json.dumps({"int8_fp32_layers": kept, "val_top1_agreement": agree}))
        if agree >= MIN_INT8_AGREEMENT:
            return variant, logits
    raise ExportError(
        f"The int8 model agrees with fp32 on at most {best:.1%} of the val split (keeping up to "
        f"{MAX_FP32_SHARE:.0%} of the Linear weights fp32), below the {MIN_INT8_AGREEMENT:.0%} required; nothing "
        "was written. Export with --fp32 instead."
    )


def export_bundle(run: Path, out: Path, options: ExportOptions | None = None) -> Manifest:
    """Calibrate the run's best model on its val split, prove int8 agreement, then write the bundle."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    options = options or ExportOptions()
    summary = json.loads((run / "train_config.json").read_text(encoding="utf-8"))
    splits = Splits.from_json(json.loads((run / "splits.json").read_text(encoding="utf-8")))
    labels: list[str] = summary["labels"]
    tokenizer = AutoTokenizer.from_pretrained(str(run / "model"))

    def fresh() -> nn.Module:  # every wrapper consumes its model, so each one loads its own copy
        return AutoModelForSequenceClassification.from_pretrained(str(run / "model")).eval()

    prefix = str(summary["config"].get("text_prefix", ""))  # the form the model was trained on
    texts, targets = _val_tensors(splits, labels)
    texts = [prefix + t for t in texts]
    fp32 = ExportOptions(quantize_embeddings=False, quantize_linear=False)
    reference = logits_of(fresh, fp32, tokenizer, texts)
    train_texts = [prefix + t for t, _ in splits.train]
    options, shipped = choose_fp32_layers(fresh, tokenizer, train_texts, texts, reference, options)
    temperature = fit_temperature(shipped, targets)
    agreement = int8_agreement((reference / temperature).softmax(1), (shipped / temperature).softmax(1))
    metrics: dict[str, Any] = {
        "val_accuracy": float((shipped.argmax(1) == targets).float().mean()),
        "val_accuracy_fp32": float((reference.argmax(1) == targets).float().mean()),
        "val_ece_before": expected_calibration_error(shipped.softmax(1), targets),
        "val_ece_after": expected_calibration_error((shipped / temperature).softmax(1), targets),
        "train_seconds": summary.get("train_seconds"),
        "quantized_embeddings": options.quantize_embeddings,
        **agreement,
    }
    manifest = write_bundle(fresh(), tokenizer, out, labels=labels, temperature=temperature, splits=splits,
                            metrics=metrics, base=summary["config"]["base_model"], options=options, text_prefix=prefix)
    print(json.dumps({"bundle": str(out), "temperature": round(temperature, 4), **manifest.metrics}))
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True, help="run folder written by scripts/train.py")
    parser.add_argument("--out", type=Path, required=True, help="bundle folder to write")
    parser.add_argument("--fp32", action="store_true",
                        help="keep fp32 Linear layers: slower on a CPU, but the graph also runs on CUDA")
    parser.add_argument("--fp32-embeddings", action="store_true", help="keep the embedding table in fp32")
    args = parser.parse_args(argv)
    options = ExportOptions(quantize_embeddings=not args.fp32_embeddings, quantize_linear=not args.fp32)
    try:
        export_bundle(args.run, args.out, options)
    except ExportError as exc:
        raise SystemExit(f"export failed: {exc}") from exc


if __name__ == "__main__":
    main()
