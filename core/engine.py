"""The inference engine: a verified bundle, the `tokenizers` tokenizer and the TorchScript model.

    engine = Engine(Path("resources/model"))
    prediction = engine.classify("¿qué noticias hay de tecnología?")
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from tokenizers import Encoding, Tokenizer

from core.bundle import MODEL_FILE, TOKENIZER_FILE, Manifest, verify_bundle
from core.errors import BundleCorruptError, BundleMismatchError, DeviceError
from core.policy import ClarificationPolicy
from core.prediction import Prediction, Score
from core.text import MAX_CHARS, MAX_WORDS, CleanText, clean_text


@dataclass(frozen=True)
class EngineConfig:
    device: str = "auto"  # "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N"
    num_threads: int = 0  # torch intra-op threads for this process; 0 keeps torch's default
    max_words: int = MAX_WORDS  # requests longer than this are cut and flagged truncated
    max_chars: int = MAX_CHARS  # hard character cap applied before anything else
    warm_up: bool = True  # run one request at load so the first user request is not the slow one

    def __post_init__(self) -> None:
        if self.num_threads < 0 or self.max_words < 1 or self.max_chars < 1:
            raise ValueError("num_threads must be >= 0 and max_words, max_chars >= 1")


def resolve_device(requested: str) -> torch.device:
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(requested)
    except RuntimeError as exc:
        raise DeviceError(f"Unknown device {requested!r}; use auto, cpu or cuda.") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise DeviceError("Device 'cuda' was requested but no CUDA GPU is available; choose auto or cpu.")
    if device.type not in ("cpu", "cuda"):
        raise DeviceError(f"Device {requested!r} is not supported; use auto, cpu or cuda.")
    return device


class Engine:
    """Thread-safe classifier over one verified bundle."""

    def __init__(
        self, bundle_dir: Path, config: EngineConfig | None = None, policy: ClarificationPolicy | None = None
    ) -> None:
        self.config = config or EngineConfig()
        self.bundle_dir = Path(bundle_dir)
        self.manifest: Manifest = verify_bundle(self.bundle_dir)
        self.policy = policy or ClarificationPolicy(threshold=self.manifest.threshold)
        self.device = resolve_device(self.config.device)
        if self.config.num_threads:
            torch.set_num_threads(self.config.num_threads)
        self._lock = threading.Lock()
        self._tokenizer = self._load_tokenizer()
        self._model = self._load_model()
        self._oos = tuple(label.name for label in self.manifest.labels if label.out_of_scope)
        self._check_output_width()

    @property
    def labels(self) -> tuple[str, ...]:
        return self.manifest.label_names

    @property
    def cuda_available(self) -> bool:
        return torch.cuda.is_available()

    @property
    def out_of_scope_labels(self) -> tuple[str, ...]:
        return self._oos

    def with_policy(self, policy: ClarificationPolicy) -> None:
        self.policy = policy

    def _load_tokenizer(self) -> Tokenizer:
        try:
            tokenizer = Tokenizer.from_file(str(self.bundle_dir / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises a bare Exception on bad JSON
            raise BundleCorruptError(f"tokenizer.json cannot be read ({exc}); re-export the bundle.") from exc
        pad_id = tokenizer.token_to_id("[PAD]")
        tokenizer.enable_truncation(self.manifest.max_length)
        tokenizer.enable_padding(pad_id=pad_id or 0, pad_token="[PAD]")
        return tokenizer

    def _load_model(self) -> torch.jit.ScriptModule:
        try:
            # torch.jit.load reads a TorchScript archive (code + tensors); it never unpickles Python objects.
            model: torch.jit.ScriptModule = torch.jit.load(  # type: ignore[no-untyped-call]
                str(self.bundle_dir / MODEL_FILE), map_location=self.device
            )
        except RuntimeError as exc:
            raise BundleCorruptError(f"model.pt is not a loadable TorchScript file ({exc}); re-export it.") from exc
        model.eval()
        return model

    def _check_output_width(self) -> None:
        probe = self._forward([CleanText("hola", False)])[0]
        if probe.shape != (len(self.labels),):
            raise BundleMismatchError(
                f"model.pt outputs {tuple(probe.shape)} scores but manifest.json lists {len(self.labels)} labels; "
                "the files come from different exports: re-export the bundle."
            )
        if self.config.warm_up:  # a second, longer request warms the kernels for padded batches too
            self._forward([CleanText("warm up " * 8, False), CleanText("hola", False)])

    def _run(self, cleaned: Sequence[CleanText]) -> tuple[list[Encoding], torch.Tensor]:
        """Tokenise (padded to the longest) and run the model: encodings and probabilities on the CPU."""
        encodings = self._tokenizer.encode_batch([c.text for c in cleaned])
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long).to(self.device)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long).to(self.device)
        with self._lock, torch.inference_mode():
            probs: torch.Tensor = self._model(ids, mask)
        return encodings, probs.float().cpu()

    def _forward(self, cleaned: Sequence[CleanText]) -> torch.Tensor:
        return self._run(cleaned)[1]

    def clean(self, text: str) -> CleanText:
        """Normalise a request; raises InputTextError for empty or unusable text."""
        return clean_text(text, self.config.max_words, self.config.max_chars)

    def classify(self, text: str) -> Prediction:
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: Sequence[str]) -> list[Prediction]:
        """Classify several requests in one padded batch; any unusable text raises InputTextError."""
        start = time.perf_counter()
        cleaned = [self.clean(t) for t in texts]
        encodings, probs = self._run(cleaned)
        share_ms = (time.perf_counter() - start) * 1000.0 / max(len(texts), 1)
        return [
            self._prediction(c, e, p, share_ms) for c, e, p in zip(cleaned, encodings, probs.tolist(), strict=True)
        ]

    def _prediction(self, cleaned: CleanText, encoding: Encoding, probs: list[float], ms: float) -> Prediction:
        ranking = sorted(zip(self.labels, probs, strict=True), key=lambda pair: pair[1], reverse=True)
        top, confidence = ranking[0]
        out_of_scope = top in self._oos
        return Prediction(
            text=cleaned.text,
            intent=top,
            confidence=confidence,
            ranking=tuple(Score(name, p) for name, p in ranking),
            needs_clarification=self.policy.needs_clarification(ranking, out_of_scope),
            out_of_scope=out_of_scope,
            truncated=cleaned.truncated or bool(encoding.overflowing),
            latency_ms=ms,
        )

    def reclassify(self, prediction: Prediction) -> Prediction:
        """Re-apply the current policy (after a threshold change) without running the model again."""
        ranking = [(s.intent, s.confidence) for s in prediction.ranking]
        ask = self.policy.needs_clarification(ranking, prediction.out_of_scope)
        return replace(prediction, needs_clarification=ask)
