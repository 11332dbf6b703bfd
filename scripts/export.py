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
import shutil
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
from core.spelling import LEXICON_FILE, Speller, read_lexicon
from core.text import model_form
from scripts.data import Splits
from scripts.joint import SLOT_HEAD_FILE, load_slot_head
from scripts.lexicon import run_speller

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
        # The joint model's slot layer (scripts/joint.py), attached to the classifier by export_bundle: the graph
        # then also returns each token's slot scores. It stays fp32 (a 384 x 13 product per token).
        self.slot_head: nn.Module | None = getattr(model, "slot_head", None)
        if quantize_embeddings:  # the fp32 table is no longer read: keep a 1-row stub instead of 45 MB
            model.set_input_embeddings(nn.Embedding(1, table.shape[1]))

    def forward(self, input_ids: torch.Tensor,
                attention_mask: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        embeds = self.emb_q[input_ids].float()
        if self.quantized:
            embeds = embeds * self.emb_scale[input_ids]
        token_types = torch.zeros_like(input_ids)
        # A ready 4D additive mask: transformers returns it as-is, whereas building it from the 2D mask
        # traces `device="cpu"` constants into the graph and would pin the bundle to the CPU.
        blocked = (1.0 - attention_mask[:, None, None, :].to(embeds.dtype)) * torch.finfo(embeds.dtype).min
        out = self.model(inputs_embeds=embeds, attention_mask=blocked, token_type_ids=token_types,
                         output_hidden_states=self.slot_head is not None)
        logits: torch.Tensor = out.logits
        if self.slot_head is None:
            return logits
        return logits, self.slot_head(out.hidden_states[-1])


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


class RowQuantLinear(nn.Module):
    """int8 Linear whose activations are quantized per row (per token), so a request's scores never depend on
    the batch it shares or on padding.

    torch's dynamic int8 Linear (`quantized::linear_dynamic`, the fastest int8 product torch ships for a CPU)
    quantizes its input with ONE scale for the whole input tensor, taken from that tensor's min and max: a
    long companion request or a padding row changed another request's scale, and with it its confidence (by
    up to 0.39 on the shipped bundle). Here every row is first mapped to [0, 1] exactly: (x - min) / (max - min)
    gives 0.0 at the row's minimum and exactly 1.0 at its maximum (a finite number divided by itself), so the
    tensor-wide range the kernel sees is [0, 1] for every batch, its scale is fixed, and each row's int8 values
    depend on that row alone. The integer product is exact; the affine map is undone afterwards:
        W x + b = span * (W unit) + min * (W 1) + b.
    The fp32 weight row sums (W 1) keep the shift exact; only `unit` is quantized, with the row's own range
    (finer than one range per batch: per-token activation scales are also more accurate).
    """

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight = linear.weight.detach().float()
        bare = nn.Linear(linear.in_features, linear.out_features, bias=False)
        with torch.no_grad():
            bare.weight.copy_(weight)
        self.product = _dynamic_int8(bare)
        bias = linear.bias.detach().float() if linear.bias is not None else torch.zeros(linear.out_features)
        self.register_buffer("bias", bias)
        self.register_buffer("row_sums", weight.sum(dim=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # amax and amin apart: 2.4-3.5x faster than one aminmax call on these shapes (7.4 vs 3.1 us at 12x384).
        low, high = x.amin(dim=-1, keepdim=True), x.amax(dim=-1, keepdim=True)
        span = (high - low).clamp_min(1e-12)  # a constant row maps to zeros, which quantize exactly
        unit = (x - low) / span  # a true division: the row's maximum becomes exactly 1.0
        return torch.addcmul(torch.addcmul(self.bias, low, self.row_sums), span, self.product(unit))


class WeightInt8Linear(nn.Module):
    """The CUDA graph's Linear: int8 weights (one scale per output channel) expanded to fp32 on every call.

    torch has no CUDA kernel for dynamic int8 Linear; a GPU expands 20 M int8 weights to fp32 in well under a
    millisecond, so storing them as int8 keeps both graphs inside the bundle's size budget, and fp32 arithmetic
    keeps the CUDA graph's scores independent of the batch (no fp16 rounding that varies with cuBLAS's choice
    of kernel per batch shape). The export proves this graph against fp32 on the CPU (same arithmetic)."""

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight = linear.weight.detach().float()
        scale = weight.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / 127.0
        self.register_buffer("weight_q", torch.round(weight / scale).clamp(-127, 127).to(torch.int8))
        self.register_buffer("scale", scale)
        bias = linear.bias.detach().float() if linear.bias is not None else torch.zeros(linear.out_features)
        self.register_buffer("bias", bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x, self.weight_q.to(x.dtype) * self.scale.to(x.dtype), self.bias.to(x.dtype))


def _dynamic_int8(linear: nn.Linear) -> nn.Module:
    """torch's dynamic int8 Linear with per-channel weight scales, from an fp32 Linear."""
    from torch.ao.quantization import per_channel_dynamic_qconfig

    with warnings.catch_warnings():
        # torch.ao.quantization announces its deprecation (in favour of torchao, which is not a dependency);
        # the product requires int8 Linear layers inside TorchScript, which only this API provides, so this one
        # warning, and the matching one about creating quantized tensors, are muted here.
        warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor.*deprecated", category=UserWarning)
        wrapped = torch.ao.quantization.quantize_dynamic(
            nn.Sequential(linear), {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
    quantized: nn.Module = wrapped[0]
    return quantized


def replace_linear_layers(hf_model: nn.Module, make: Callable[[nn.Linear], nn.Module],
                          keep_fp32: tuple[str, ...] = ()) -> nn.Module:
    """Swap the backbone's Linear layers for `make(layer)`, in place; the classifier head stays fp32.

    Linear layers whose name inside the backbone starts with one of `keep_fp32` (e.g. "encoder.layer.0.") stay
    fp32. The head is one small product per request (no speed to gain) and its logits feed the calibration.
    """
    base = hf_model.base_model
    targets = [(name, m) for name, m in base.named_modules() if isinstance(m, nn.Linear)
               and not name.startswith(keep_fp32)]
    for name, module in targets:
        parent_name, _, child = name.rpartition(".")
        parent = base.get_submodule(parent_name) if parent_name else base
        setattr(parent, child, make(module))
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

    def forward(self, input_ids: torch.Tensor,
                attention_mask: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        out = self.logits_model(input_ids, attention_mask)
        if isinstance(out, tuple):  # joint model: calibrated probabilities and the raw per-token slot scores
            return torch.softmax(out[0] * self.inv_temperature, dim=-1), out[1]
        return torch.softmax(out * self.inv_temperature, dim=-1)


def batch_logits(model: nn.Module, tokenizer: Any, texts: list[str], max_length: int) -> torch.Tensor:
    return batch_outputs(model, tokenizer, texts, max_length)[0]


def batch_outputs(model: nn.Module, tokenizer: Any, texts: list[str],
                  max_length: int) -> tuple[torch.Tensor, list[list[int]]]:
    """Intent logits, and each row's best slot tag per real token (empty lists for a model without slots)."""
    outs: list[torch.Tensor] = []
    tags: list[list[int]] = []
    with torch.inference_mode():
        for i in range(0, len(texts), 64):
            enc = tokenizer(texts[i:i + 64], truncation=True, max_length=max_length, padding=True,
                            return_tensors="pt")
            out = model(enc["input_ids"], enc["attention_mask"])
            logits, slots = out if isinstance(out, tuple) else (out, None)
            outs.append(logits.float())
            for row, mask in enumerate(enc["attention_mask"]):
                tags.append(slots[row][mask.bool()].argmax(-1).tolist() if slots is not None else [])
    return (torch.cat(outs) if outs else torch.empty(0)), tags


def slot_agreement(reference: Sequence[Sequence[int]], other: Sequence[Sequence[int]]) -> float:
    """Share of tokens whose best slot tag is the same in both (1.0 when there are no slot outputs)."""
    pairs = [(a, b) for ref, got in zip(reference, other, strict=True) for a, b in zip(ref, got, strict=True)]
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else 1.0


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
    temperature = float(log_t.detach().exp().clamp(0.05, 20.0))
    # LBFGS can diverge on extreme logits (NaN); an uncalibrated bundle beats a failed export.
    return temperature if math.isfinite(temperature) else 1.0


def expected_calibration_error(probs: torch.Tensor, targets: torch.Tensor, bins: int = 15) -> float:
    confidence, predicted = probs.max(dim=1)
    return calibration_gap(confidence, (predicted == targets).float(), bins)


def calibration_gap(confidence: torch.Tensor, correct: torch.Tensor, bins: int = 15) -> float:
    """ECE of top answers: |confidence - accuracy| per equal-width bin, weighted by the bin's share of rows."""
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
        warnings.simplefilter("ignore", torch.jit.TracerWarning)  # type: ignore[attr-defined]  # not in torch.jit.__all__
        traced = torch.jit.trace(model, example, check_trace=False)
        frozen: torch.jit.ScriptModule = torch.jit.freeze(traced.eval())
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
            expected, got = eager(ids, mask), traced(ids, mask)
            pairs = zip(expected, got, strict=True) if isinstance(expected, tuple) else [(expected, got)]
            diff = max(float((a - b).abs().max()) for a, b in pairs)
            worst = max(worst, diff)
            if not math.isfinite(diff) or diff > PARITY_TOLERANCE:
                raise ExportError(f"Parity failed at batch={batch} length={length} padded={padded}: {diff:.2e}")
    return worst


def _val_tensors(splits: Splits, labels: list[str]) -> tuple[list[str], torch.Tensor]:
    ids = {name: i for i, name in enumerate(labels)}
    rows = [(t, ids[label]) for t, label in splits.val if label in ids]
    return [t for t, _ in rows], torch.tensor([y for _, y in rows])


INT8_PER_TOKEN = "int8-per-token"  # CPU graph: int8 weights per channel, activations quantized per token
INT8_WEIGHTS = "int8-weights"  # CUDA graph: int8 weights per channel expanded to fp32 per call, fp32 arithmetic
FP32 = "fp32"
LINEAR_KINDS = (INT8_PER_TOKEN, INT8_WEIGHTS, FP32)
CUDA_MODEL_FILE = "model_cuda.pt"


@dataclass(frozen=True)
class ExportOptions:
    quantize_embeddings: bool = True  # int8 word-embedding table with a per-row scale (device-neutral)
    linear: str = INT8_PER_TOKEN  # the backbone's Linear layers: one of LINEAR_KINDS (--fp32 sets "fp32")
    fp32_layers: tuple[str, ...] = ()  # Linear groups (name prefixes) kept fp32 in the int8 graph: choose_cpu_graph
    cuda_graph: bool = True  # also write model_cuda.pt (int8 weights, fp32 arithmetic) when model.pt is int8

    def __post_init__(self) -> None:
        if self.linear not in LINEAR_KINDS:
            raise ValueError(f"ExportOptions.linear must be one of {LINEAR_KINDS}, found {self.linear!r}")

    @property
    def quantize_linear(self) -> bool:
        return self.linear != FP32

    @property
    def quantization(self) -> dict[str, str]:
        quantization = {"embeddings": "int8-per-row" if self.quantize_embeddings else "fp32", "linear": self.linear}
        if self.quantize_linear and self.fp32_layers:
            quantization["fp32_layers"] = ",".join(self.fp32_layers)
        return quantization


def build_eager(hf_model: nn.Module, options: ExportOptions, temperature: float = 1.0) -> ProbabilityModel:
    """The wrapper that is traced. Consumes `hf_model` (its layers are replaced): pass a fresh copy."""
    logits = LogitsModel(fuse_attention(hf_model), options.quantize_embeddings)
    if options.linear == INT8_PER_TOKEN:
        replace_linear_layers(hf_model, RowQuantLinear, options.fp32_layers)
    elif options.linear == INT8_WEIGHTS:
        replace_linear_layers(hf_model, WeightInt8Linear)
    return ProbabilityModel(logits.eval(), temperature).eval()


def logits_of(fresh: Callable[[], nn.Module], options: ExportOptions, tokenizer: Any, texts: list[str]) -> torch.Tensor:
    """Val or train logits of the eager wrapper built from a fresh copy of the model with these options."""
    return outputs_of(fresh, options, tokenizer, texts)[0]


def outputs_of(fresh: Callable[[], nn.Module], options: ExportOptions, tokenizer: Any,
               texts: list[str]) -> tuple[torch.Tensor, list[list[int]]]:
    """logits_of with each row's slot tags (scripts.export.batch_outputs)."""
    return batch_outputs(build_eager(fresh(), options).logits_model, tokenizer, texts, EXPORT_MAX_LENGTH)


def rank_by_sensitivity(fresh: Callable[[], nn.Module], tokenizer: Any, texts: list[str], options: ExportOptions,
                        candidates: Sequence[str]) -> list[str]:
    """Candidate groups ordered by how much keeping each one fp32 brings the int8 model closer to fp32.

    Closeness is the KL divergence of the int8 probabilities from the fp32 ones on `texts` (the train split,
    so the val split stays the judge of agreement). One pass per candidate.
    """
    fp32 = ExportOptions(quantize_embeddings=options.quantize_embeddings, linear=FP32)
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
              options: ExportOptions, pad_token: str, graphs: dict[str, str]) -> Manifest:
    import tokenizers
    import transformers

    quantization = dict(options.quantization)
    if graphs.get("cuda") == CUDA_MODEL_FILE:
        quantization["cuda_linear"] = INT8_WEIGHTS
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
        devices=tuple(graphs),
        graphs=graphs,
        quantization=quantization,
    )


def trace_graph(model: nn.Module, example: tuple[torch.Tensor, torch.Tensor], *,
                freeze: bool) -> torch.jit.ScriptModule:
    """Trace (and for the CPU graph freeze) the wrapper; check it is device-neutral and uses only allowed ops."""
    if freeze:
        traced = trace_frozen(model, example)
    else:
        # The CUDA graph is not frozen: freezing would fold "int8 weights -> fp32" into fp32 constants and
        # store every weight four times larger. Its buffers move to the GPU with torch.jit.load(map_location).
        with warnings.catch_warnings():
            # Same narrow mute as in trace_frozen: TorchScript's deprecation notice, and TracerWarnings that the
            # parity battery answers for.
            warnings.filterwarnings("ignore", message=r".*(TorchScript|torch\.jit).*deprecat",
                                    category=DeprecationWarning)
            warnings.simplefilter("ignore", torch.jit.TracerWarning)  # type: ignore[attr-defined]  # not in torch.jit.__all__
            # _store_inputs=False: no example inputs pickled into the archive (the engine's archive check
            # allows tensors and the model's own types only).
            traced = torch.jit.trace(model, example, check_trace=False, _store_inputs=False).eval()
        check_device_neutral(traced)
    from core.graph_check import check_graph_ops  # the engine's own allowlist: never write what it would refuse

    check_graph_ops(traced)
    return traced


def write_bundle(hf_models: dict[str, nn.Module], tokenizer: Any, out: Path, *, labels: list[str], temperature: float,
                 splits: Splits, metrics: dict[str, Any], base: str,
                 options: ExportOptions | None = None, text_prefix: str = "", text_form: str = "",
                 slot_tags: tuple[str, ...] = (), lexicon: Path | None = None) -> Manifest:
    """Trace, prove parity and write the graphs + tokenizer.json + manifest.json to `out`.

    `hf_models` maps each graph to write ("cpu", optionally "cuda") to a fresh copy of the fine-tuned model.
    The CPU graph is model.pt with `options`; the CUDA graph is model_cuda.pt with int8 weights and fp32
    arithmetic. An fp32 model.pt is device-neutral and serves both devices itself. `lexicon` (the run's
    lexicon.json, core.spelling) is copied in beside them.
    """
    options = options or ExportOptions()
    cpu_model = hf_models["cpu"]
    vocab = cpu_model.get_input_embeddings().weight.shape[0]
    pad_token = pad_token_of(tokenizer)
    example = _random_batch(2, 16, vocab, True, torch.Generator().manual_seed(1))
    plan = {"cpu": (MODEL_FILE, options, cpu_model)}
    if options.quantize_linear and "cuda" in hf_models:
        cuda_options = replace(options, linear=INT8_WEIGHTS, fp32_layers=())
        plan["cuda"] = (CUDA_MODEL_FILE, cuda_options, hf_models["cuda"])
    out.mkdir(parents=True, exist_ok=True)
    parity: dict[str, float] = {}
    for device, (name, graph_options, model) in plan.items():
        eager = build_eager(model, graph_options, temperature)
        traced = trace_graph(eager, example, freeze=device == "cpu")
        parity[device] = check_parity(eager, traced, vocab, EXPORT_MAX_LENGTH)
        traced.save(str(out / name))
    graphs = {device: name for device, (name, _, _) in plan.items()}
    if not options.quantize_linear:
        graphs["cuda"] = MODEL_FILE  # fp32 Linear layers and a device-neutral graph: the same file serves a GPU
    metrics = {**metrics, "parity_max_abs_diff": max(parity.values()),
               **{f"parity_max_abs_diff_{device}": diff for device, diff in parity.items()}}
    tokenizer.backend_tokenizer.save(str(out / TOKENIZER_FILE))
    extra: tuple[str, ...] = ()
    if lexicon is not None:
        read_lexicon(lexicon, text_form)  # the engine's own checks, before the bundle is written
        shutil.copyfile(lexicon, out / LEXICON_FILE)
        extra = (LEXICON_FILE,)
    manifest = _manifest(splits, labels, temperature, metrics, base, options, pad_token, graphs)
    files = {name: sha256_file(out / name) for name in (*dict.fromkeys(graphs.values()), TOKENIZER_FILE, *extra)}
    manifest = Manifest(**{**manifest.__dict__, "files": files, "text_prefix": text_prefix, "text_form": text_form,
                           "slot_tags": slot_tags, "lexicon": LEXICON_FILE if extra else ""})
    write_manifest(out, manifest)
    return manifest


@dataclass(frozen=True)
class GraphChoice:
    """What the export settled on for one graph, with the evidence."""

    options: ExportOptions
    logits: torch.Tensor  # proof rows' logits of the chosen graph (val rows first)
    agreement: float  # top-1 agreement with fp32 on the proof rows
    tried: tuple[str, ...]  # each variant tried, with its agreement, for the report
    slot_agreement: float = 1.0  # share of the proof rows' tokens tagged as fp32 tags them

    @property
    def worst(self) -> float:
        """The lower of the two agreements: what MIN_INT8_AGREEMENT is held against."""
        return min(self.agreement, self.slot_agreement)

    def line(self, device: str, rows: int) -> str:
        kind = self.options.linear
        what = {INT8_PER_TOKEN: "int8 (per-token activations, per-channel weights)",
                INT8_WEIGHTS: "int8 weights with fp32 arithmetic", FP32: "fp32"}[kind]
        if self.options.fp32_layers:
            what += f", {len(self.options.fp32_layers)} group(s) kept fp32: {','.join(self.options.fp32_layers)}"
        slots = f" and on {self.slot_agreement:.2%} of their tokens' slot tags" if self.slot_agreement < 1.0 else ""
        return f"{device} graph: {what}; agrees with fp32 on {self.agreement:.1%} of {rows} val+train rows{slots}"


def measure(fresh: Callable[[], nn.Module], tokenizer: Any, variant: ExportOptions, proof_texts: list[str],
            reference: torch.Tensor, reference_tags: Sequence[Sequence[int]] = ()) -> GraphChoice:
    """One variant proven on the proof rows: top-1 agreement with fp32 (`reference`) and, with a slot layer, the
    share of tokens tagged as fp32 tags them (`reference_tags`)."""
    logits, tags = outputs_of(fresh, variant, tokenizer, proof_texts)
    agree = int8_agreement(reference.softmax(1), logits.softmax(1))["int8_top1_agreement"]
    slots = slot_agreement(reference_tags, tags) if reference_tags else 1.0
    tried = f"{variant.linear}+{len(variant.fp32_layers)} fp32 group(s): {agree:.2%}"
    return GraphChoice(variant, logits, agree, (tried + (f", slot tags {slots:.2%}" if reference_tags else ""),),
                       slots)


def choose_cpu_graph(fresh: Callable[[], nn.Module], tokenizer: Any, sample_texts: list[str],
                     proof_texts: list[str], reference: torch.Tensor, options: ExportOptions,
                     reference_tags: Sequence[Sequence[int]] = ()) -> GraphChoice:
    """Never fails: plain int8; else the fewest fp32 groups (most sensitive first, ranked on `sample_texts`) for
    which int8 agrees with fp32 (`reference`, the proof rows' fp32 logits) on >= MIN_INT8_AGREEMENT of
    `proof_texts`, within MAX_FP32_SHARE of the Linear weights; else the fp32 graph (agreement 100 %).
    With a slot layer, its tags must agree with fp32's (`reference_tags`) on as large a share of the tokens too."""
    if not options.quantize_linear:
        return GraphChoice(options, reference, 1.0, ())
    tried: list[str] = []

    def attempt(variant: ExportOptions) -> GraphChoice | None:
        """The variant's proof (with every attempt so far in its `tried`) when it is close enough, else None."""
        choice = measure(fresh, tokenizer, variant, proof_texts, reference, reference_tags)
        tried.extend(choice.tried)
        return replace(choice, tried=tuple(tried)) if choice.worst >= MIN_INT8_AGREEMENT else None

    found = attempt(options)
    if found:
        return found
    costs = fp32_candidates(fresh())
    ranking = rank_by_sensitivity(fresh, tokenizer, sample_texts, options, list(costs))
    budget, kept = MAX_FP32_SHARE * sum(costs.values()), list[str]()
    for group in ranking:
        if sum(costs[g] for g in [*kept, group]) > budget:
            break
        kept.append(group)
        found = attempt(replace(options, fp32_layers=tuple(kept)))
        if found:
            return found
    # No int8 variant within budget is close enough to fp32: ship the fp32 graph (slower, but the answers are
    # the trained model's own), rather than fail a deployer's retrain after all its training time.
    return GraphChoice(replace(options, linear=FP32, fp32_layers=()), reference, 1.0, tuple(tried))


def choose_cuda_graph(fresh: Callable[[], nn.Module], tokenizer: Any, proof_texts: list[str],
                      reference: torch.Tensor, cpu: ExportOptions,
                      reference_tags: Sequence[Sequence[int]] = ()) -> GraphChoice | None:
    """The CUDA graph (int8 weights, fp32 arithmetic) when it agrees with fp32 on the proof rows; None when the
    CPU graph is fp32 (device-neutral: it serves the GPU itself) or when it does not agree (CPU only)."""
    if not cpu.quantize_linear or not cpu.cuda_graph:
        return None
    variant = ExportOptions(quantize_embeddings=cpu.quantize_embeddings, linear=INT8_WEIGHTS)
    choice = measure(fresh, tokenizer, variant, proof_texts, reference, reference_tags)
    return choice if choice.worst >= MIN_INT8_AGREEMENT else None


def proof_rows(splits: Splits, labels: list[str], prefix: str, form: str,
               speller: Speller | None = None) -> tuple[list[str], int]:
    """The rows every quantized graph is proven on: all of val, then train (deduplicated), as the model reads
    them (text form, the run's lexicon and prefix). Returns the texts and how many of them are val rows (they
    come first)."""
    val_texts = [t for t, label in splits.val if label in labels]
    train_texts = list(dict.fromkeys(t for t, label in splits.train if label in labels))
    known = set(val_texts)
    rows = val_texts + [t for t in train_texts if t not in known]
    return [prefix + model_form(t, form, speller) for t in rows], len(val_texts)


def export_bundle(run: Path, out: Path, options: ExportOptions | None = None) -> Manifest:
    """Calibrate the run's best model on its val split, choose and prove each graph, then write the bundle.
    Always writes a bundle: a graph that cannot be proven int8 falls back (see choose_cpu_graph)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    options = options or ExportOptions()
    summary = json.loads((run / "train_config.json").read_text(encoding="utf-8"))
    splits = Splits.from_json(json.loads((run / "splits.json").read_text(encoding="utf-8")))
    labels: list[str] = summary["labels"]
    tokenizer = AutoTokenizer.from_pretrained(str(run / "model"))

    tags: list[str] = summary.get("slot_tags") or []  # absent for runs trained before slots (intent only)

    def fresh() -> nn.Module:  # every wrapper consumes its model, so each one loads its own copy
        model: nn.Module = AutoModelForSequenceClassification.from_pretrained(str(run / "model")).eval()
        head = load_slot_head(run / "model", int(model.config.hidden_size), len(tags)) if tags else None
        if head is not None:
            model.slot_head = head  # read by LogitsModel: the graph returns slot scores too
        return model

    prefix = str(summary["config"].get("text_prefix", ""))  # the form the model was trained on
    form = str(summary["config"].get("text_form", ""))
    _, targets = _val_tensors(splits, labels)
    speller = run_speller(run, form)  # None for runs before lexicons
    if speller is None and summary["config"].get("lexicon"):
        raise ExportError(f"{run} trained with a lexicon but {run / LEXICON_FILE} is missing; copy the whole run "
                          "folder or retrain.")
    lexicon = run / LEXICON_FILE if speller else None
    texts, n_val = proof_rows(splits, labels, prefix, form, speller)
    fp32 = ExportOptions(quantize_embeddings=False, linear=FP32)
    reference, reference_tags = outputs_of(fresh, fp32, tokenizer, texts)
    if not any(reference_tags):
        reference_tags = []
    sample = texts[n_val:][:: max(1, (len(texts) - n_val) // SENSITIVITY_ROWS)] or texts
    cpu = choose_cpu_graph(fresh, tokenizer, sample, texts, reference, options, reference_tags)
    cuda = choose_cuda_graph(fresh, tokenizer, texts, reference, cpu.options, reference_tags)
    print("export: " + cpu.line("CPU", len(texts)), flush=True)
    if cuda is not None:
        print("export: " + cuda.line("CUDA", len(texts)), flush=True)
    elif cpu.options.quantize_linear:
        print("export: no CUDA graph (int8 weights did not agree with fp32 closely enough): CPU only", flush=True)
    shipped = cpu.logits[:n_val]
    temperature = fit_temperature(shipped, targets)
    agreement = int8_agreement((reference[:n_val] / temperature).softmax(1), (shipped / temperature).softmax(1))
    metrics: dict[str, Any] = {
        "val_accuracy": float((shipped.argmax(1) == targets).float().mean()),
        "val_accuracy_fp32": float((reference[:n_val].argmax(1) == targets).float().mean()),
        "val_ece_before": expected_calibration_error(shipped.softmax(1), targets),
        "val_ece_after": expected_calibration_error((shipped / temperature).softmax(1), targets),
        "train_seconds": summary.get("train_seconds"),
        "quantized_embeddings": options.quantize_embeddings,
        **agreement,
        "agreement_rows": len(texts),
        "cpu_graph_top1_agreement": round(cpu.agreement, 4),
        "cpu_graph_slot_tag_agreement": round(cpu.slot_agreement, 4),
        "cpu_graph_tried": list(cpu.tried),
    }
    models = {"cpu": fresh()}
    if cuda is not None:
        metrics["cuda_graph_top1_agreement"] = round(cuda.agreement, 4)
        models["cuda"] = fresh()
    manifest = write_bundle(models, tokenizer, out, labels=labels, temperature=temperature, splits=splits,
                            metrics=metrics, base=summary["config"]["base_model"], options=cpu.options,
                            text_prefix=prefix, text_form=form,
                            slot_tags=tuple(tags) if (run / "model" / SLOT_HEAD_FILE).is_file() else (),
                            lexicon=lexicon)
    print(json.dumps({"bundle": str(out), "temperature": round(temperature, 4), **manifest.metrics}))
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True, help="run folder written by scripts/train.py")
    parser.add_argument("--out", type=Path, required=True, help="bundle folder to write")
    parser.add_argument("--fp32", action="store_true",
                        help="keep fp32 Linear layers: slower on a CPU; one device-neutral graph for CPU and CUDA")
    parser.add_argument("--fp32-embeddings", action="store_true", help="keep the embedding table in fp32")
    parser.add_argument("--no-cuda-graph", action="store_true", help="write the CPU graph only (smaller bundle)")
    args = parser.parse_args(argv)
    options = ExportOptions(quantize_embeddings=not args.fp32_embeddings, linear=FP32 if args.fp32 else INT8_PER_TOKEN,
                            cuda_graph=not args.no_cuda_graph)
    try:
        export_bundle(args.run, args.out, options)
    except ExportError as exc:
        raise SystemExit(f"export failed: {exc}") from exc


if __name__ == "__main__":
    main()
