"""The inference engine: a verified bundle, the `tokenizers` tokenizer and the TorchScript model.

    engine = Engine(Path("resources/model"))
    scores = engine.score(["¿qué noticias hay de tecnología?"])[0]   # every label's probability
    prediction = ClarificationPolicy(engine.info.default_threshold).decide(scores, engine.info.out_of_scope_labels)

The engine only scores; deciding (act, clarify, decline) is ClarificationPolicy.decide's job.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from tokenizers import Encoding, Tokenizer

from core.bundle import TOKENIZER_FILE, Manifest, verify_bundle
from core.errors import (
    BundleCorruptError,
    BundleMismatchError,
    BundleTimeoutError,
    ConfigError,
    DeviceError,
    ModelOutputError,
)
from core.prediction import EngineInfo, Score, Scores, check_ranking
from core.slots import Slot, decode_tags, whole_words
from core.spelling import read_lexicon
from core.text import MAX_CHARS, MAX_WORDS, CleanText, clean_text, model_form_with_origin


@dataclass(frozen=True)
class EngineConfig:
    device: str = "auto"  # "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N"
    num_threads: int = 0  # torch intra-op threads for this process; 0 keeps torch's default
    max_words: int = MAX_WORDS  # requests longer than this are cut and flagged truncated
    max_chars: int = MAX_CHARS  # hard character cap applied before anything else
    warm_up: bool = True  # run one request at load so the first user request is not the slow one
    load_timeout_s: float = 60.0  # the load check must finish within this (a graph that loops is refused)

    def __post_init__(self) -> None:
        bad = {name: value for name, value, ok in (
            ("num_threads", self.num_threads, self.num_threads >= 0),
            ("max_words", self.max_words, self.max_words >= 1), ("max_chars", self.max_chars, self.max_chars >= 1),
            ("load_timeout_s", self.load_timeout_s, self.load_timeout_s > 0)) if not ok}
        if bad:
            raise ConfigError(f"EngineConfig expects num_threads >= 0, max_words and max_chars >= 1 and "
                              f"load_timeout_s > 0; found {bad}.")


GPU_EXPORT_HINT = "python -m scripts.export --run RUN --out DIR"  # writes a CUDA graph beside the CPU one
PAD_FALLBACKS = ("[PAD]", "<pad>")  # BERT WordPiece, XLM-R/SentencePiece: for bundles that do not name theirs


def resolve_device(requested: str, supported: Sequence[str] = ("cpu", "cuda")) -> torch.device:
    """The device to run on. `supported` is what the bundle has a graph for (its manifest's `graphs`)."""
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() and "cuda" in supported else "cpu")
    try:
        device = torch.device(requested)
    except RuntimeError as exc:
        raise DeviceError(f"Unknown device {requested!r}; use auto, cpu or cuda.") from exc
    if device.type not in ("cpu", "cuda"):
        raise DeviceError(f"Device {requested!r} is not supported; use auto, cpu or cuda.")
    if device.type == "cuda" and "cuda" not in supported:
        raise DeviceError(
            "This model bundle has no graph for CUDA (an older or CPU-only export), so it runs on the CPU only. "
            f"Choose auto or cpu, or export a bundle with a CUDA graph from the training run: `{GPU_EXPORT_HINT}`."
        )
    if device.type == "cuda" and not torch.cuda.is_available():
        raise DeviceError("Device 'cuda' was requested but no CUDA GPU is available; choose auto or cpu.")
    return device


def select_quantized_engine() -> str:
    """Pick the kernel library for int8 layers: x86/fbgemm on Intel/AMD, qnnpack on ARM (torch repacks the
    bundle's int8 weights for it at load). Returns the engine in use ("none" when torch has none)."""
    supported = torch.backends.quantized.supported_engines
    current = torch.backends.quantized.engine
    if current not in supported or current == "none":
        current = next((name for name in ("x86", "fbgemm", "qnnpack") if name in supported), "none")
        if current != "none":
            torch.backends.quantized.engine = current
    if current == "qnnpack":
        # The bundle's int8 layers were quantized with reduce_range (needed by x86 kernels); qnnpack uses the
        # full range instead, which is harmless, and says so on every request's first call. Muted by message.
        warnings.filterwarnings("ignore", message="Currently, qnnpack incorrectly ignores reduce_range",
                                category=UserWarning)
    return current


# Loading int8 layers re-creates their quantized weights, and torch 2.13 announces (from C++, straight to the
# process's stderr, once) that creating quantized tensors is deprecated. The product requires these layers
# (see scripts/export.py), so that one line is dropped; anything else written meanwhile is passed on.
QUANTIZED_TENSOR_DEPRECATION = "quantized tensor creation functions that produce tensors"


@contextlib.contextmanager
def _muted_cpp_warning(fragment: str) -> Iterator[None]:
    """Capture file descriptor 2 for the block; re-emit every captured line that does not contain `fragment`."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable stderr (a windowed app): nothing to keep clean
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = [line for line in capture.read().splitlines(keepends=True) if fragment.encode() not in line]
            if kept:
                os.write(2, b"".join(kept))


class Engine:
    """Thread-safe scorer over one verified bundle (implements core.prediction.Scorer)."""

    def __init__(self, bundle_dir: Path, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        self.bundle_dir = Path(bundle_dir)
        self.manifest: Manifest = verify_bundle(self.bundle_dir)
        self.device = resolve_device(self.config.device, self.manifest.devices)
        self.graph_file = self.manifest.graph_file(self.device.type)
        int8_cpu = self.device.type == "cpu" and self.manifest.quantization.get("linear", "fp32") != "fp32"
        # The kernel library must be chosen before torch.jit.load re-creates the int8 weights.
        self.quantized_engine = select_quantized_engine() if int8_cpu else "none"
        if self.config.num_threads:
            torch.set_num_threads(self.config.num_threads)
        self._lock = threading.Lock()
        # The model first: the tokenizer's allocations then reuse the memory jit.load frees after reading the
        # archive, which keeps the engine process's peak about 15 MB lower than the other order.
        self._model = self._load_model()
        self._tokenizer = self._load_tokenizer()
        # A word one typo from a known word is read as that word (core.spelling); None: words as typed.
        lexicon = self.manifest.lexicon
        self._speller = (read_lexicon(self.bundle_dir / lexicon, self.manifest.text_form,
                                      self.manifest.files[lexicon]) if lexicon else None)
        self.info = EngineInfo(
            labels=self.manifest.label_names,
            out_of_scope_labels=tuple(label.name for label in self.manifest.labels if label.out_of_scope),
            display_names={label.name: dict(label.display_name) for label in self.manifest.labels},
            default_threshold=self.manifest.threshold, device=self.device.type,
            cuda_available=torch.cuda.is_available(), model_dir=str(self.bundle_dir),
        )
        self._check_outputs_in_time()

    @property
    def labels(self) -> tuple[str, ...]:
        return self.info.labels

    def close(self) -> None:
        """Nothing to release in-process (the Scorer protocol's close matters for the child process)."""

    def _load_tokenizer(self) -> Tokenizer:
        try:
            tokenizer = Tokenizer.from_file(str(self.bundle_dir / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises a bare Exception on bad JSON
            raise BundleCorruptError(f"tokenizer.json cannot be read ({exc}); re-export the bundle.") from exc
        # The pad token is no longer used (nothing is padded), but a manifest naming one the tokenizer lacks
        # still means the files come from different exports.
        self._pad_token(tokenizer)
        tokenizer.enable_truncation(self.manifest.max_length)
        tokenizer.no_padding()  # requests run in groups of equal length, never padded (see _run)
        return tokenizer

    def _pad_token(self, tokenizer: Tokenizer) -> str:
        """The manifest's pad token; for older bundles the tokenizer's padding setting or a known name."""
        if self.manifest.pad_token:
            if tokenizer.token_to_id(self.manifest.pad_token) is None:
                raise BundleMismatchError(
                    f"manifest.json names pad token {self.manifest.pad_token!r}, which tokenizer.json does not "
                    "contain; the files come from different exports: re-export the bundle."
                )
            return self.manifest.pad_token
        candidates = (str((tokenizer.padding or {}).get("pad_token", "")), *PAD_FALLBACKS)
        for token in candidates:
            if token and tokenizer.token_to_id(token) is not None:
                return token
        raise BundleCorruptError(f"tokenizer.json has no pad token (tried {candidates}); re-export the bundle.")

    def _load_model(self) -> torch.jit.ScriptModule:
        from core.graph_check import check_archive, check_graph_ops  # a bundle is code: refuse foreign ops

        check_archive(self.bundle_dir / self.graph_file)  # before load: a TorchScript __setstate__ runs in it
        try:
            # torch.jit.load reads a TorchScript archive (code + tensors); it never unpickles Python objects.
            with _muted_cpp_warning(QUANTIZED_TENSOR_DEPRECATION):
                model: torch.jit.ScriptModule = torch.jit.load(  # type: ignore[no-untyped-call]
                    str(self.bundle_dir / self.graph_file), map_location=self.device
                )
        except RuntimeError as exc:
            raise BundleCorruptError(
                f"{self.graph_file} is not a loadable TorchScript file ({exc}); re-export the bundle."
            ) from exc
        check_graph_ops(model)  # before any forward pass (the load check below runs the graph)
        model.eval()
        return model

    # Batches of several shapes: a graph whose output width or validity changes with the batch is caught here.
    PROBES: tuple[tuple[str, ...], ...] = (("hola",), ("warm up " * 8, "hola"), ("news", "¿qué hora es?", "a " * 40))

    def _check_outputs_in_time(self) -> None:
        """Run the load check on a helper thread and give up after load_timeout_s: a graph that never returns
        must not hang the CLI or the API (the thread is abandoned; torch runs it without the GIL)."""
        failure: list[BaseException] = []

        def check() -> None:
            try:
                self._check_outputs()
            except BaseException as exc:
                failure.append(exc)

        thread = threading.Thread(target=check, name="bundle-load-check", daemon=True)
        thread.start()
        thread.join(self.config.load_timeout_s)
        if thread.is_alive():
            raise BundleTimeoutError(
                f"model.pt did not answer its load check within {self.config.load_timeout_s:g} s (does the graph "
                "loop?); re-export the bundle or choose another one."
            )
        if failure:
            raise failure[0]

    def _check_outputs(self) -> None:
        for probe in self.PROBES if self.config.warm_up else self.PROBES[:1]:
            try:
                probs = self._forward([CleanText(text, False) for text in probe])
            except ModelOutputError as exc:
                raise BundleMismatchError(str(exc)) from exc
            for row in probs.tolist():
                try:
                    check_ranking(self._ranking(row))
                except ModelOutputError as exc:
                    raise BundleCorruptError(f"{self.graph_file} fails its load check: {exc}") from exc

    def _run(self, cleaned: Sequence[CleanText]) -> tuple[list[Encoding], torch.Tensor, list[tuple[Slot, ...]]]:
        """Tokenise and run the model: encodings, probabilities on the CPU (one row per request) and each
        request's tagged slots (none for a bundle without a slot layer).

        Requests run in groups of equal token length, never padded: a request's scores are then the same alone,
        in any batch and beside any companion (bit for bit up to the fp32 classifier head, ~1e-7). Padding is
        what broke that: the attention's fp32 sums over a longer padded row round differently by ~1e-7, and
        the next int8 layer can round such a value to the neighbouring step, which grew to 0.03 in the
        confidence. Rows of one length batch as before (API micro-batches of similar requests)."""
        prefix = self.manifest.text_prefix  # the text form the model was trained on (e.g. E5's "query: ")
        # case, accents, repeated letters and one-letter typos as training saw them (core.text, core.spelling),
        # with each character's origin so the slot layer's spans map back onto the request
        forms = [model_form_with_origin(c.text, self.manifest.text_form, self._speller) for c in cleaned]
        model_texts = [prefix + form for form, _ in forms]
        encodings = self._tokenizer.encode_batch(model_texts)
        groups: dict[int, list[int]] = {}
        for index, encoding in enumerate(encodings):
            groups.setdefault(len(encoding.ids), []).append(index)
        probs = torch.empty((len(encodings), len(self.manifest.labels)), dtype=torch.float32)
        tagged: list[tuple[Slot, ...]] = [()] * len(encodings)
        # The profiling executor's graph specialisation is off: on these frozen graphs it bought no speed
        # (interleaved A/B: 9.66 vs 9.52 and 7.31 vs 7.67 ms) but cost ~100 ms on the first call and ~6 MB.
        # torch.jit re-exports optimized_execution without listing it in __all__, hence the ignore.
        with self._lock, torch.inference_mode(), torch.jit.optimized_execution(False):  # type: ignore[attr-defined]
            for rows in groups.values():
                ids = torch.tensor([encodings[i].ids for i in rows], dtype=torch.long).to(self.device)
                out, slot_ids = self._outputs(self._model(ids, torch.ones_like(ids)), len(rows), ids.shape[1])
                if out.shape != (len(rows), probs.shape[1]):
                    raise ModelOutputError(
                        f"model.pt outputs {tuple(out.shape)} scores for {len(rows)} requests but manifest.json "
                        f"lists {probs.shape[1]} labels; the files come from different exports: re-export the bundle."
                    )
                probs[rows] = out.float().cpu()
                if slot_ids is None:
                    continue
                for k, i in enumerate(rows):
                    spans = decode_tags(slot_ids[k], encodings[i].offsets, model_texts[i], len(prefix), forms[i][1],
                                        self.manifest.slot_tags)
                    tagged[i] = tuple(whole_words(cleaned[i].text, spans))
        return encodings, probs, tagged

    def _outputs(self, out: object, rows: int, width: int) -> tuple[torch.Tensor, list[list[int]] | None]:
        """The graph's probabilities and, for a bundle with a slot layer, each token's best slot tag."""
        tags = self.manifest.slot_tags
        if not tags:
            if not isinstance(out, torch.Tensor):
                raise ModelOutputError(f"{self.graph_file} returns {type(out).__name__}, expected one tensor of "
                                       "probabilities (manifest.json lists no slot tags); re-export the bundle.")
            return out, None
        if not (isinstance(out, tuple) and len(out) == 2 and all(isinstance(t, torch.Tensor) for t in out)):
            raise ModelOutputError(f"{self.graph_file} returns {type(out).__name__}, expected (probabilities, slot "
                                   "scores) as manifest.json lists slot tags; re-export the bundle.")
        probs, slot_scores = out
        if slot_scores.shape != (rows, width, len(tags)) or not bool(torch.isfinite(slot_scores).all()):
            raise ModelOutputError(f"{self.graph_file} outputs slot scores of shape {tuple(slot_scores.shape)} (or "
                                   f"not numbers) for {rows} requests of {width} tokens and {len(tags)} tags; "
                                   "re-export the bundle.")
        ids: list[list[int]] = slot_scores.argmax(-1).cpu().tolist()
        return probs, ids

    def _forward(self, cleaned: Sequence[CleanText]) -> torch.Tensor:
        return self._run(cleaned)[1]

    def clean(self, text: str) -> CleanText:
        """Normalise a request; raises InputTextError for empty or unusable text."""
        return clean_text(text, self.config.max_words, self.config.max_chars)

    def score(self, texts: Sequence[str]) -> list[Scores]:
        """Score several requests (batched by token length: a row's scores never depend on the others).
        Unusable text raises InputTextError; a row the model got
        wrong (NaN, outside [0, 1], not summing to 1) comes back with `error` set instead of a ranking."""
        start = time.perf_counter()
        cleaned = [self.clean(t) for t in texts]
        encodings, probs, tagged = self._run(cleaned)
        share_ms = (time.perf_counter() - start) * 1000.0 / max(len(texts), 1)
        return [self._scores(c, e, p, share_ms, s)
                for c, e, p, s in zip(cleaned, encodings, probs.tolist(), tagged, strict=True)]

    def _ranking(self, probs: list[float]) -> tuple[Score, ...]:
        """Every label with its probability, most likely first."""
        return tuple(sorted((Score(name, p) for name, p in zip(self.labels, probs, strict=True)),
                            key=lambda s: s.confidence, reverse=True))

    def _scores(self, cleaned: CleanText, encoding: Encoding, probs: list[float], ms: float,
                slots: tuple[Slot, ...] = ()) -> Scores:
        ranking = self._ranking(probs)
        truncated = cleaned.truncated or bool(encoding.overflowing)
        try:
            return Scores(cleaned.text, ranking, truncated, ms, slots=slots)
        except ModelOutputError as exc:
            return Scores(cleaned.text, (), truncated, ms, error=str(exc))
