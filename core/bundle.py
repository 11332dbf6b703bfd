"""The self-describing model bundle: manifest.json + model.pt (TorchScript) + tokenizer.json.

The manifest names the labels in output order, the clarification threshold, the temperature already
applied inside the model, the maximum token length, versions and the sha256 of every file. Loading
verifies all of it; nothing here unpickles anything.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import BundleCorruptError, BundleError, BundleMismatchError, BundleNotFoundError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
MODEL_FILE = "model.pt"
TOKENIZER_FILE = "tokenizer.json"
DEVICES = ("cpu", "cuda")  # the device types a bundle may declare
_REQUIRED = ("schema_version", "labels", "threshold", "temperature", "max_length", "files")
MAX_MANIFEST_BYTES = 1 << 20  # a manifest is a few kB
MAX_TOKENIZER_BYTES = 32 << 20  # the multilingual tokenizer is ~3 MB; a 79 MB one took 1 GB to load
MAX_MODEL_BYTES = 1 << 30
MAX_LENGTH_LIMIT = 4096  # tokens; BERT-style backbones stop at 512
MAX_LABELS = 1000
MAX_LEXICON_BYTES = 8 << 20  # core.spelling's bound, checked here before the file is hashed


@dataclass(frozen=True)
class Label:
    name: str  # intent name, e.g. get_news, or out_of_scope
    display_name: dict[str, str]  # language code -> name shown to people
    out_of_scope: bool = False  # True for the explicit "not for me" class


@dataclass(frozen=True)
class Manifest:
    labels: tuple[Label, ...]
    threshold: float  # default clarification threshold (top confidence below it -> ask)
    temperature: float  # already applied inside model.pt; recorded for the report
    max_length: int  # tokens per request the model was exported for
    files: dict[str, str]  # file name -> sha256
    schema_version: int = SCHEMA_VERSION
    base_model: str = ""
    dataset_sha256: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    pad_token: str = ""  # the tokenizer's pad token ("[PAD]", "<pad>"); "" in older bundles: read the tokenizer
    devices: tuple[str, ...] = DEVICES  # where model.pt runs: int8 Linear layers have no CUDA kernel -> ("cpu",)
    quantization: dict[str, str] = field(default_factory=dict)  # e.g. {"embeddings": "int8-per-row", "linear": ...}
    text_prefix: str = ""  # prepended to every request before tokenising ("query: " for E5 backbones)
    # device type -> the graph file that runs there, e.g. {"cpu": "model.pt", "cuda": "model_cuda.pt"}: an int8
    # CPU graph has no CUDA kernels, so a GPU gets its own graph. Empty in older bundles: model.pt everywhere.
    graphs: dict[str, str] = field(default_factory=dict)
    text_form: str = ""  # core.text.model_form applied before the prefix (training did the same); "" = as cleaned
    # The slot layer's outputs in order ("O", "B-topic", "I-topic", ...): the graph then returns (probabilities,
    # per-token slot scores). Empty in bundles without a slot layer: the graph returns probabilities only.
    slot_tags: tuple[str, ...] = ()
    # The lexicon file (core.spelling: a word one typo from a known word is read as that word), listed in `files`.
    # "" in bundles without one: words are read as typed.
    lexicon: str = ""

    def graph_file(self, device_type: str) -> str:
        """The graph file for a device type ("cpu" or "cuda")."""
        return self.graphs.get(device_type, MODEL_FILE)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "labels"}
        data["labels"] = [label.__dict__ for label in self.labels]
        data["devices"] = list(self.devices)
        if not self.graphs:
            del data["graphs"]
        data["slot_tags"] = list(self.slot_tags)
        if not self.slot_tags:
            del data["slot_tags"]
        if not self.lexicon:
            del data["lexicon"]
        return data


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _parse_labels(raw: Any) -> tuple[Label, ...]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_LABELS:
        raise BundleCorruptError(f"manifest 'labels' must be a non-empty list, found {raw!r:.80}.")
    labels = []
    for x in raw:
        names = x.get("display_name") if isinstance(x, dict) else None
        if (not isinstance(x, dict) or not isinstance(x.get("name"), str) or not 0 < len(x["name"]) <= 64
                or not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values())
                or not isinstance(x.get("out_of_scope", False), bool)):
            raise BundleCorruptError(f"manifest label entry {x!r:.80} is malformed; expected a short name, "
                                     "display_name as {language: text} and out_of_scope true/false.")
        labels.append(Label(x["name"], {str(k)[:8]: v[:80] for k, v in names.items()}, x.get("out_of_scope", False)))
    return tuple(labels)


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str) or len(value) > 64:
        raise BundleCorruptError(f"manifest {key!r} must be a short text, found {value!r:.80}; re-export the bundle.")
    return value


def _parse_devices(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(d, str) and d in DEVICES for d in raw):
        raise BundleCorruptError(
            f"manifest 'devices' must be a non-empty list drawn from {list(DEVICES)}, found {raw!r:.80}; "
            "re-export the bundle."
        )
    return tuple(dict.fromkeys(raw))


def _parse_graphs(raw: Any, devices: tuple[str, ...]) -> dict[str, str]:
    if raw is None:
        return {}
    if (not isinstance(raw, dict) or not raw or not all(isinstance(d, str) and d in DEVICES for d in raw)
            or set(raw) != set(devices)):
        raise BundleCorruptError(
            f"manifest 'graphs' must map each of the listed devices {list(devices)} to a graph file, found "
            f"{raw!r:.80}; re-export the bundle."
        )
    return {device: _plain_name(name) for device, name in raw.items()}


def _parse_slot_tags(raw: Any) -> tuple[str, ...]:
    from core.slots import SLOT_NAMES

    if raw is None:
        return ()
    allowed = {"O", *(f"{p}-{name}" for name in SLOT_NAMES for p in ("B", "I"))}
    if (not isinstance(raw, list) or not raw or raw[0] != "O" or len(raw) > len(allowed)
            or not all(isinstance(t, str) and t in allowed for t in raw) or len(set(raw)) != len(raw)):
        raise BundleMismatchError(
            f"manifest 'slot_tags' must be 'O' then distinct B-/I- tags of the slots {list(SLOT_NAMES)}, found "
            f"{raw!r:.120}; the bundle tags slots this engine does not know: update the app or re-export it."
        )
    return tuple(raw)


def _text_form(raw: Any) -> str:
    from core.text import TEXT_FORMS

    if raw not in TEXT_FORMS:
        raise BundleMismatchError(
            f"manifest 'text_form' is {raw!r:.40}, which this engine does not know (it knows {list(TEXT_FORMS)}); "
            "the bundle comes from a newer export: update the app or re-export the bundle."
        )
    return str(raw)


def _lexicon_name(raw: Any) -> str:
    if not isinstance(raw, str):
        raise BundleCorruptError(f"manifest 'lexicon' must be a file name or \"\", found {raw!r:.40}; re-export the "
                                 "bundle.")
    return _plain_name(raw) if raw else ""


def _number(raw: dict[str, Any], key: str) -> float:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BundleCorruptError(f"manifest {key!r} must be a number, found {value!r:.40}; re-export the bundle.")
    return float(value)


def _plain_name(name: Any) -> str:
    """A bundle file name must be a plain name inside the folder: no separators, '..', drive or absolute path."""
    if (not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\\" in name
            or ":" in name or "\x00" in name or len(name) > 128):
        raise BundleCorruptError(
            f"manifest 'files' may only name plain files inside the bundle folder, found {name!r:.80}; "
            "re-export the bundle."
        )
    return name


def _parse_files(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or len(raw) > 32:
        raise BundleCorruptError("manifest 'files' must map file names to sha256 hex digests; re-export the bundle.")
    files = {}
    for name, digest in raw.items():
        if not isinstance(digest, str) or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise BundleCorruptError(f"manifest 'files' has no valid sha256 for {name!r:.80}; re-export the bundle.")
        files[_plain_name(name)] = digest
    return files


def _text_map(raw: Any, key: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BundleCorruptError(f"manifest {key!r} must be an object; re-export the bundle.")
    return {str(k)[:64]: str(v)[:256] for k, v in raw.items()}


def parse_manifest(raw: Any) -> Manifest:
    """Validate every field's type and range; any problem is a BundleError saying what was found."""
    try:
        return _parse_manifest(raw)
    except BundleError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        raise BundleCorruptError(f"manifest.json is malformed ({type(exc).__name__}: {exc}); re-export the "
                                 "bundle.") from exc


def _parse_manifest(raw: Any) -> Manifest:
    if not isinstance(raw, dict):
        raise BundleCorruptError("manifest.json must hold a JSON object; re-export the bundle.")
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise BundleCorruptError(f"manifest.json lacks {missing}; re-export the bundle with scripts/export.py.")
    if raw["schema_version"] != SCHEMA_VERSION:
        raise BundleMismatchError(
            f"Bundle schema version {raw['schema_version']} found, this engine reads version {SCHEMA_VERSION}; "
            "re-export the bundle with this version of scripts/export.py."
        )
    max_length = _number(raw, "max_length")
    if max_length != int(max_length) or not 2 <= max_length <= MAX_LENGTH_LIMIT:
        raise BundleCorruptError(f"manifest 'max_length' must be a whole number in [2, {MAX_LENGTH_LIMIT}], found "
                                 f"{raw['max_length']!r:.40}; re-export the bundle.")
    metrics = raw.get("metrics") or {}
    devices = _parse_devices(raw.get("devices", list(DEVICES)))
    manifest = Manifest(
        labels=_parse_labels(raw["labels"]),
        threshold=_number(raw, "threshold"),
        temperature=_number(raw, "temperature"),
        max_length=int(max_length),
        files=_parse_files(raw["files"]),
        base_model=str(raw.get("base_model", ""))[:256],
        dataset_sha256=str(raw.get("dataset_sha256", ""))[:64],
        metrics=dict(metrics) if isinstance(metrics, dict) else {},
        versions=_text_map(raw.get("versions"), "versions"),
        created_at=str(raw.get("created_at", ""))[:64],
        pad_token=_text(raw.get("pad_token", ""), "pad_token"),
        devices=devices,
        graphs=_parse_graphs(raw.get("graphs"), devices),
        text_form=_text_form(raw.get("text_form", "")),
        quantization=_text_map(raw.get("quantization"), "quantization"),
        text_prefix=_text(raw.get("text_prefix", ""), "text_prefix"),
        slot_tags=_parse_slot_tags(raw.get("slot_tags")),
        lexicon=_lexicon_name(raw.get("lexicon", "")),
    )
    _check_values(manifest)
    return manifest


def _check_values(manifest: Manifest) -> None:
    if not 0.0 < manifest.threshold < 1.0 or manifest.temperature <= 0 or manifest.max_length < 2:
        raise BundleCorruptError(
            "manifest values out of range: expected 0 < threshold < 1, temperature > 0, max_length >= 2; "
            f"found {manifest.threshold}, {manifest.temperature}, {manifest.max_length}."
        )
    names = manifest.label_names
    if len(set(names)) != len(names):
        raise BundleCorruptError(f"manifest labels repeat a name: {list(names)}.")
    lexicon = (manifest.lexicon,) if manifest.lexicon else ()
    if set(lexicon) & {MANIFEST, MODEL_FILE, TOKENIZER_FILE, *manifest.graphs.values()}:
        raise BundleCorruptError(f"manifest 'lexicon' must name a file of its own (lexicon.json), found "
                                 f"{manifest.lexicon!r}, which the bundle uses for something else; re-export it.")
    for required in (MODEL_FILE, TOKENIZER_FILE, *manifest.graphs.values(), *lexicon):
        if required not in manifest.files:
            raise BundleCorruptError(f"manifest 'files' must list {required} with its sha256.")


def read_manifest(bundle_dir: Path) -> Manifest:
    """Read and validate bundle_dir/manifest.json (no checksums; see verify_bundle)."""
    path = bundle_dir / MANIFEST
    if not bundle_dir.is_dir():
        raise BundleNotFoundError(
            f"Model bundle folder {bundle_dir} does not exist; pass --model with a folder made by scripts/export.py."
        )
    if not path.is_file():
        raise BundleNotFoundError(f"{path} is missing: {bundle_dir} is not a model bundle (no manifest.json).")
    if path.is_symlink() or path.stat().st_size > MAX_MANIFEST_BYTES:
        raise BundleCorruptError(f"{path} must be a plain file under {MAX_MANIFEST_BYTES >> 10} kB; re-export it.")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BundleCorruptError(f"{path} is not readable JSON ({exc}); re-export the bundle.") from exc
    return parse_manifest(raw)


def verify_bundle(bundle_dir: Path) -> Manifest:
    """Validate the manifest and the sha256 of every file it lists."""
    manifest = read_manifest(bundle_dir)
    for name, expected in manifest.files.items():
        path = bundle_dir / name
        if path.is_symlink():  # a link could point anywhere on the disk: a bundle holds its own files
            raise BundleCorruptError(f"Bundle file {path} is a symbolic link; copy the real file into the bundle.")
        if not path.is_file():
            raise BundleNotFoundError(f"Bundle file {path} is missing; copy the whole bundle folder again.")
        limit = (MAX_TOKENIZER_BYTES if name == TOKENIZER_FILE else MAX_LEXICON_BYTES if name == manifest.lexicon
                 else MAX_MODEL_BYTES)
        if path.stat().st_size > limit:
            raise BundleCorruptError(f"Bundle file {name} is {path.stat().st_size >> 20} MB, over the "
                                     f"{limit >> 20} MB this engine accepts; re-export the bundle.")
        found = sha256_file(path)
        if found != expected:
            raise BundleCorruptError(
                f"Bundle file {name} is corrupt: sha256 {found[:12]}… found, {expected[:12]}… expected by "
                "manifest.json. Copy the bundle again or re-export it."
            )
    return manifest


def write_manifest(bundle_dir: Path, manifest: Manifest) -> None:
    text = json.dumps(manifest.to_json(), indent=2, ensure_ascii=False, sort_keys=True)
    (bundle_dir / MANIFEST).write_text(text + "\n", encoding="utf-8")
