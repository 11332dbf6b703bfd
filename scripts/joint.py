"""Joint intent + slot model (as in JointBERT, Chen et al. 2019): the sequence classifier's backbone also feeds a
linear layer over each token's vector that tags slots (BIO over core.slots.SLOT_NAMES).

    from scripts.joint import JointModel, slot_tags, token_slot_labels
    model = JointModel(AutoModelForSequenceClassification.from_pretrained(...), len(slot_tags()))
    out = model(input_ids, attention_mask, labels=intents, slot_labels=tags)   # out["loss"], out["slot_logits"]

    python -m scripts.joint runs/default      # refit a finished run's slot layer on its frozen encoder

Training saves the classifier with `save_pretrained` and the slot layer beside it as safetensors
(SLOT_HEAD_FILE): no pickles anywhere. scripts/train.py ends with the refit (refit_slot_head). Export reads
both (scripts/export.py) and traces one graph with two outputs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core.slots import SLOT_NAMES, skip_spaces
from core.spelling import Speller
from core.text import model_form_with_origin

SLOT_HEAD_FILE = "slot_head.safetensors"
IGNORE = -100  # a token the slot loss skips: special tokens, and every token of a row without slot labels
SlotSpan = tuple[int, int, str]


def slot_tags(names: Sequence[str] = SLOT_NAMES) -> list[str]:
    """O, then B-/I- for every slot name: the slot layer's outputs, in order (the manifest records them)."""
    return ["O", *(f"{prefix}-{name}" for name in names for prefix in ("B", "I"))]


def token_slot_labels(offsets: Sequence[tuple[int, int]], special: Sequence[int], prefix_len: int,
                      origin: Sequence[int], spans: Sequence[SlotSpan] | None, tags: Sequence[str],
                      model_text: str = "") -> list[int]:
    """One label per token of `model_text` (prefix + model_form(text)): B-/I-name inside an annotated span, O
    outside, IGNORE for special tokens and for a row without slot labels (`spans` None). `origin` maps each
    model-form character to its index in the text as annotated (core.text.model_form_with_origin). A
    SentencePiece token's offsets include the space before its word ("▁word"): that space is skipped."""
    if spans is None:
        return [IGNORE] * len(offsets)
    index = {tag: i for i, tag in enumerate(tags)}
    labels: list[int] = []
    previous: SlotSpan | None = None
    for (start, end), is_special in zip(offsets, special, strict=True):
        if is_special or end <= start:
            labels.append(IGNORE)
            previous = None
            continue
        start = skip_spaces(model_text, start, end)
        at = start - prefix_len
        span = None
        if 0 <= at < len(origin):
            where = origin[at]
            span = next((s for s in spans if s[0] <= where < s[1]), None)
        if span is None:
            labels.append(index["O"])
        else:
            labels.append(index[("I-" if span == previous else "B-") + span[2]])
        previous = span
    return labels


def encode_rows(tokenizer: Any, texts: Sequence[str], spans: Sequence[Sequence[SlotSpan] | None], max_len: int,
                prefix: str, form: str, tags: Sequence[str], speller: Speller | None = None) -> list[dict[str, Any]]:
    """Token ids, mask and slot labels for each text (as the engine will read it: text form, lexicon, prefix)."""
    forms = [model_form_with_origin(t, form, speller) for t in texts]
    enc = tokenizer([prefix + f for f, _ in forms], truncation=True, max_length=max_len,
                    return_offsets_mapping=True, return_special_tokens_mask=True)
    rows = []
    for i, (_, origin) in enumerate(forms):
        rows.append({"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                     "slot_labels": token_slot_labels(enc["offset_mapping"][i], enc["special_tokens_mask"][i],
                                                      len(prefix), origin, spans[i], tags, prefix + forms[i][0])})
    return rows


class JointModel(nn.Module):
    """A sequence classifier plus a token-level slot layer over its last hidden states."""

    def __init__(self, classifier: nn.Module, num_tags: int, slot_weight: float = 1.0,
                 contrastive_weight: float = 0.0, contrastive_temperature: float = 0.3,
                 contrast_free_label: int | None = None) -> None:
        super().__init__()
        self.classifier = classifier
        config: Any = getattr(classifier, "config")  # noqa: B009  # a transformers config (typed as Module/Tensor)
        hidden = int(config.hidden_size)
        self.slot_dropout = nn.Dropout(float(getattr(config, "hidden_dropout_prob", 0.1)))
        self.slot_head = nn.Linear(hidden, num_tags)
        nn.init.normal_(self.slot_head.weight, std=float(getattr(config, "initializer_range", 0.02)))
        nn.init.zeros_(self.slot_head.bias)
        self.slot_weight = slot_weight
        self.contrastive_weight = contrastive_weight
        self.contrastive_temperature = contrastive_temperature
        self.contrast_free_label = contrast_free_label  # out of scope: a negative for all, no class of its own

    def init_prior(self, counts: Sequence[int]) -> None:
        """Start the slot layer at the tags' frequencies (bias = log share, as RetinaNet's prior): with a random
        start its first gradients (~3.8 for the layer, ~3.0 through the encoder on the shipped data) dwarfed the
        intent's (~2.1), global gradient clipping then cut the intent's steps about fourfold, and intent accuracy
        on val trailed an intent-only run by 35 points after two epochs. With the prior: 0.6 and 0.4."""
        total = sum(counts) + len(counts)
        with torch.no_grad():
            self.slot_head.bias.copy_(torch.tensor([math.log((c + 1) / total) for c in counts]))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor | None = None,
                slot_labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        out = self.classifier(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        slot_logits = self.slot_head(self.slot_dropout(out.hidden_states[-1]))
        result = {"logits": out.logits, "slot_logits": slot_logits}
        if labels is not None:
            loss = nn.functional.cross_entropy(out.logits, labels)
            if slot_labels is not None and bool((slot_labels != IGNORE).any()):
                loss = loss + self.slot_weight * nn.functional.cross_entropy(
                    slot_logits.reshape(-1, slot_logits.shape[-1]), slot_labels.reshape(-1), ignore_index=IGNORE)
            if self.contrastive_weight:
                pooled = self._pooled(out.hidden_states[-1])
                loss = loss + self.contrastive_weight * supervised_contrastive_loss(
                    pooled, labels, self.contrastive_temperature, self.contrast_free_label)
            result["loss"] = loss
        return result

    def _pooled(self, hidden: torch.Tensor) -> torch.Tensor:
        """The sentence vector the intent layer reads: BERT's pooler over [CLS] where the model has one."""
        base = getattr(self.classifier, str(getattr(self.classifier, "base_model_prefix", "")), None)
        pooler = getattr(base, "pooler", None)
        return pooler(hidden) if isinstance(pooler, nn.Module) else hidden[:, 0]

    def save(self, folder: Path) -> None:
        from safetensors.torch import save_file

        getattr(self.classifier, "save_pretrained")(str(folder))  # noqa: B009  # a transformers PreTrainedModel
        save_file({k: v.contiguous() for k, v in self.slot_head.state_dict().items()}, str(folder / SLOT_HEAD_FILE))


def supervised_contrastive_loss(vectors: torch.Tensor, labels: torch.Tensor, temperature: float,
                                free_label: int | None = None) -> torch.Tensor:
    """Supervised contrastive loss (Khosla et al. 2020; with cross-entropy for fine-tuning, Gunel et al. 2021):
    each request is pulled towards the batch's other requests of its intent and pushed from the rest, on the
    unit sphere. Rows of `free_label` (out of scope: many unrelated topics, not one class) are never anchors or
    positives, only negatives. A batch without a positive pair adds 0 (and no gradient)."""
    z = nn.functional.normalize(vectors, dim=-1)
    similarity = z @ z.T / temperature
    eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    similarity = similarity.masked_fill(eye, float("-inf"))  # never one's own positive or negative
    log_prob = similarity - torch.logsumexp(similarity, dim=1, keepdim=True)
    positive = (labels[:, None] == labels[None, :]) & ~eye
    if free_label is not None:
        positive &= (labels != free_label)[:, None]
    anchors = positive.any(dim=1)
    if not bool(anchors.any()):
        return vectors.sum() * 0.0
    per_anchor = -(log_prob.masked_fill(~positive, 0.0).sum(dim=1)[anchors]) / positive.sum(dim=1)[anchors]
    return per_anchor.mean()


def load_slot_head(folder: Path, hidden: int, num_tags: int) -> nn.Linear | None:
    """The trained slot layer of a run's model folder; None for a run trained before slots (intent only)."""
    path = folder / SLOT_HEAD_FILE
    if not path.is_file():
        return None
    from safetensors.torch import load_file

    head = nn.Linear(hidden, num_tags)
    head.load_state_dict(load_file(str(path)))
    return head.eval()


class JointCollator:
    """Pads ids (pad id), mask (0) and slot labels (IGNORE) to the longest row; intent labels as a tensor."""

    def __init__(self, pad_id: int) -> None:
        self.pad_id = pad_id

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        width = max(len(r["input_ids"]) for r in rows)

        def padded(key: str, fill: int) -> torch.Tensor:
            return torch.tensor([r[key] + [fill] * (width - len(r[key])) for r in rows], dtype=torch.long)

        batch = {"input_ids": padded("input_ids", self.pad_id), "attention_mask": padded("attention_mask", 0),
                 "slot_labels": padded("slot_labels", IGNORE)}
        if "labels" in rows[0]:
            batch["labels"] = torch.tensor([r["labels"] for r in rows], dtype=torch.long)
        return batch


def refit_slot_head(run: Path, steps: int = 300, lr: float = 1e-2, seed: int = 13) -> dict[str, float]:
    """Refit the slot layer of a finished run alone, on its frozen encoder (a linear probe; full-batch Adam).

    Joint fine-tuning keeps the slot layer's start small (init_prior) so the intent learns as fast as alone
    (scripts/train.py); at the end that layer is still undertrained (val token accuracy 0.94 on the shipped run,
    day and topic never tagged). Refitting it on the frozen encoder's token vectors costs one forward pass over the
    annotated train rows and seconds of optimisation, and leaves the intent scores exactly as trained. The step
    count with the best val token accuracy is kept (checked every 25). Writes SLOT_HEAD_FILE; returns figures."""
    import json

    from safetensors.torch import save_file
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from scripts.data import Splits

    summary = json.loads((run / "train_config.json").read_text(encoding="utf-8"))
    config, tags = summary["config"], summary["slot_tags"]
    splits = Splits.from_json(json.loads((run / "splits.json").read_text(encoding="utf-8")))
    from scripts.lexicon import run_speller

    speller = run_speller(run, str(config["text_form"]))  # val rows as the engine reads them pick the best step
    tokenizer = AutoTokenizer.from_pretrained(str(run / "model"))
    model = AutoModelForSequenceClassification.from_pretrained(str(run / "model")).eval()

    def features(rows: Sequence[tuple[str, str]]) -> tuple[torch.Tensor, torch.Tensor]:
        texts = list(dict.fromkeys(t for t, _ in rows if t in splits.slot_spans))
        encoded = encode_rows(tokenizer, texts, [splits.slot_spans[t] for t in texts], int(config["max_length"]),
                              str(config["text_prefix"]), str(config["text_form"]), tags, speller)
        xs, ys = [], []
        with torch.inference_mode():
            for item in encoded:
                ids = torch.tensor([item["input_ids"]])
                hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids),
                               output_hidden_states=True).hidden_states[-1][0]
                labels = torch.tensor(item["slot_labels"])
                xs.append(hidden[labels != IGNORE])
                ys.append(labels[labels != IGNORE])
        return torch.cat(xs), torch.cat(ys)

    x_train, y_train = features(splits.train)
    x_val, y_val = features(splits.val)
    torch.manual_seed(seed)
    head = nn.Linear(x_train.shape[1], len(tags))
    optimiser = torch.optim.Adam(head.parameters(), lr=lr, weight_decay=1e-4)
    best: tuple[float, int, dict[str, torch.Tensor]] = (-1.0, 0, {})
    for step in range(1, steps + 1):
        optimiser.zero_grad()
        nn.functional.cross_entropy(head(x_train), y_train).backward()
        optimiser.step()
        if step % 25 == 0 or step == steps:  # the last step is always a candidate: never nothing to save
            with torch.no_grad():
                accuracy = float((head(x_val).argmax(1) == y_val).float().mean())
            if accuracy > best[0]:
                best = (accuracy, step, {k: v.detach().clone().contiguous() for k, v in head.state_dict().items()})
    if not best[2]:  # steps == 0: keep the slot layer as trained
        return {}
    save_file(best[2], str(run / "model" / SLOT_HEAD_FILE))
    return {"slot_refit_val_token_accuracy": round(best[0], 4), "slot_refit_steps": best[1],
            "slot_refit_train_tokens": len(y_train)}


if __name__ == "__main__":  # python -m scripts.joint RUN: refit an existing run's slot layer (see refit_slot_head)
    import json
    import sys

    target = Path(sys.argv[1])
    figures = refit_slot_head(target)
    config_file = target / "train_config.json"
    config_file.write_text(json.dumps({**json.loads(config_file.read_text(encoding="utf-8")), **figures}, indent=2),
                           encoding="utf-8")
    print(figures)
