from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.bundle import MANIFEST, MODEL_FILE, read_manifest, sha256_file, verify_bundle
from core.engine import Engine
from core.errors import BundleCorruptError, BundleMismatchError, BundleNotFoundError
from core.spelling import read_lexicon


def edit_manifest(bundle: Path, **changes: object) -> None:
    path = bundle / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_missing_folder_and_manifest(tmp_path: Path) -> None:
    with pytest.raises(BundleNotFoundError, match=r"does not exist"):
        verify_bundle(tmp_path / "nowhere")
    with pytest.raises(BundleNotFoundError, match=r"manifest\.json"):
        verify_bundle(tmp_path)


def test_corrupt_model_file_fails_its_checksum(bundle_copy: Path) -> None:
    with (bundle_copy / MODEL_FILE).open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(BundleCorruptError, match=r"model\.pt is corrupt"):
        Engine(bundle_copy)


def test_missing_model_file(bundle_copy: Path) -> None:
    (bundle_copy / MODEL_FILE).unlink()
    with pytest.raises(BundleNotFoundError, match="missing"):
        Engine(bundle_copy)


def test_label_count_mismatch_is_detected(bundle_copy: Path) -> None:
    labels = json.loads((bundle_copy / MANIFEST).read_text(encoding="utf-8"))["labels"]
    edit_manifest(bundle_copy, labels=[*labels, {"name": "extra", "display_name": {"es": "x", "en": "x"}}])
    with pytest.raises(BundleMismatchError, match="outputs"):
        Engine(bundle_copy)


def test_schema_version_and_values_are_checked(bundle_copy: Path) -> None:
    edit_manifest(bundle_copy, schema_version=99)
    with pytest.raises(BundleMismatchError, match="schema version 99"):
        read_manifest(bundle_copy)
    edit_manifest(bundle_copy, schema_version=1, threshold=1.5)
    with pytest.raises(BundleCorruptError, match="out of range"):
        read_manifest(bundle_copy)


def test_unreadable_manifest(bundle_copy: Path) -> None:
    (bundle_copy / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(BundleCorruptError, match="not readable JSON"):
        read_manifest(bundle_copy)


def test_a_non_torchscript_model_with_a_matching_checksum_is_refused(bundle_copy: Path) -> None:
    model = bundle_copy / MODEL_FILE
    model.write_bytes(b"PK\x03\x04 not a real archive")
    data = json.loads((bundle_copy / MANIFEST).read_text(encoding="utf-8"))
    edit_manifest(bundle_copy, files={**data["files"], MODEL_FILE: sha256_file(model)})
    with pytest.raises(BundleCorruptError, match="TorchScript"):
        Engine(bundle_copy)


@pytest.mark.parametrize("devices", [[], ["tpu"], "cpu", [1], None])
def test_devices_must_be_a_list_of_known_device_types(bundle_copy: Path, devices: object) -> None:
    edit_manifest(bundle_copy, devices=devices)
    with pytest.raises(BundleCorruptError, match="devices"):
        read_manifest(bundle_copy)


def test_a_pad_token_missing_from_the_tokenizer_is_a_mismatch(bundle_copy: Path) -> None:
    edit_manifest(bundle_copy, pad_token="<pad>")  # the tiny bundle's WordPiece vocabulary has [PAD]
    with pytest.raises(BundleMismatchError, match="pad token"):
        Engine(bundle_copy)


def test_an_older_bundle_without_pad_token_or_devices_still_loads(bundle_copy: Path) -> None:
    path = bundle_copy / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("pad_token", "devices", "graphs", "text_form", "lexicon"):  # the text form came before lexicons
        data.pop(key, None)
    data["files"].pop("lexicon.json", None)
    path.write_text(json.dumps(data), encoding="utf-8")
    manifest = read_manifest(bundle_copy)
    assert manifest.pad_token == "" and manifest.devices == ("cpu", "cuda") and manifest.text_form == ""
    assert manifest.graph_file("cpu") == manifest.graph_file("cuda") == "model.pt"  # one graph everywhere
    engine = Engine(bundle_copy)
    assert engine.graph_file == "model.pt" and engine.score(["news"])[0].error == ""


def test_graphs_must_name_listed_files_for_the_listed_devices(bundle_copy: Path) -> None:
    edit_manifest(bundle_copy, graphs={"cpu": "model.pt"})  # devices still lists cuda
    with pytest.raises(BundleCorruptError, match="graphs"):
        read_manifest(bundle_copy)
    edit_manifest(bundle_copy, graphs={"cpu": "model.pt", "cuda": "../elsewhere.pt"})
    with pytest.raises(BundleCorruptError, match="plain files"):
        read_manifest(bundle_copy)
    edit_manifest(bundle_copy, graphs={"cpu": "model.pt", "cuda": "model_cuda.pt"}, text_form="shout-v9")
    with pytest.raises(BundleMismatchError, match="text_form"):
        read_manifest(bundle_copy)


def test_the_text_prefix_of_the_manifest_is_prepended_before_tokenising(bundle_copy: Path) -> None:
    plain = Engine(bundle_copy).score(["news news"])[0]
    edit_manifest(bundle_copy, text_prefix="news ")  # E5 bundles carry "query: "; the tiny vocabulary has "news"
    prefixed = Engine(bundle_copy).score(["news"])[0]
    assert prefixed.text == "news"  # the user's text, not the model's input
    assert prefixed.top.confidence == pytest.approx(plain.top.confidence, abs=1e-6)
    assert prefixed.top.intent == plain.top.intent


@pytest.mark.parametrize("prefix", [5, "x" * 65, None])
def test_a_wrongly_typed_text_prefix_is_refused(bundle_copy: Path, prefix: object) -> None:
    edit_manifest(bundle_copy, text_prefix=prefix)
    with pytest.raises(BundleCorruptError, match="text_prefix"):
        read_manifest(bundle_copy)


def test_the_bundles_lexicon_reads_a_typo_as_the_word_meant(bundle_copy: Path) -> None:
    engine = Engine(bundle_copy)
    assert engine.manifest.lexicon == "lexicon.json"  # training wrote it, export copied it in
    # the tiny train split's longest word with its second and third letters swapped ("necesito" -> "nceesito")
    words = read_lexicon(bundle_copy / "lexicon.json", engine.manifest.text_form).words
    word = max(words, key=lambda w: (len(w), w))
    typo = word[0] + word[2] + word[1] + word[3:]
    typed, meant = engine.score([f"{typo} hoy"])[0], engine.score([f"{word} hoy"])[0]  # each alone, as the app does
    assert typed.ranking == meant.ranking  # the model read the same words: the same scores, bit for bit
    assert typed.text == f"{typo} hoy"  # the user's text, not the model's input
    assert all(typed.text[slot.start:slot.end] == slot.value for slot in typed.slots)


def test_a_bundle_without_a_lexicon_reads_words_as_typed(bundle_copy: Path) -> None:
    data = json.loads((bundle_copy / MANIFEST).read_text(encoding="utf-8"))
    del data["lexicon"], data["files"]["lexicon.json"]
    (bundle_copy / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    (bundle_copy / "lexicon.json").unlink()
    engine = Engine(bundle_copy)  # an older bundle
    assert engine.manifest.lexicon == ""
    assert engine.score(["noticais hoy"])[0].ranking != engine.score(["noticias hoy"])[0].ranking


def test_a_lexicon_the_manifest_names_but_does_not_list_is_refused(bundle_copy: Path) -> None:
    data = json.loads((bundle_copy / MANIFEST).read_text(encoding="utf-8"))
    del data["files"]["lexicon.json"]
    (bundle_copy / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BundleCorruptError, match=r"must list lexicon\.json"):
        read_manifest(bundle_copy)


@pytest.mark.parametrize("name", ["model.pt", "tokenizer.json", "manifest.json", 5, None])
def test_the_lexicon_must_be_a_file_of_its_own(bundle_copy: Path, name: object) -> None:
    edit_manifest(bundle_copy, lexicon=name)
    with pytest.raises(BundleCorruptError, match="'lexicon'"):
        read_manifest(bundle_copy)


def test_a_malformed_lexicon_with_a_matching_checksum_is_refused_at_load(bundle_copy: Path) -> None:
    lexicon = bundle_copy / "lexicon.json"
    data = json.loads(lexicon.read_text(encoding="utf-8"))
    data["words"]["../etc"] = 1
    lexicon.write_text(json.dumps(data), encoding="utf-8")
    files = json.loads((bundle_copy / MANIFEST).read_text(encoding="utf-8"))["files"]
    edit_manifest(bundle_copy, files={**files, "lexicon.json": sha256_file(lexicon)})
    with pytest.raises(BundleCorruptError, match="expected a word of 1 to 40 letters"):
        Engine(bundle_copy)
