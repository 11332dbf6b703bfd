"""Shared fixtures: a tiny BERT built in code, trained and exported once per session (seconds, no download)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.paths import HOME_ENV

TINY_DATASET = """
version: 1
intents:
  - name: get_news
    display_name: {es: Noticias, en: News}
    description: {es: Noticias del día., en: Daily news.}
    examples: ["noticias de [hoy](day)", "news [today](day)", latest headlines, "titulares de [deportes](topic)",
               "[tech](topic) news", "noticias de [ciencia](topic)", breaking news, world news]
  - name: get_help
    display_name: {es: Ayuda, en: Help}
    description: {es: Qué puedo hacer., en: What I can do.}
    examples: [ayuda, help me, what can you do, qué puedes hacer, instructions please, necesito ayuda,
               how does this work, help]
out_of_scope:
  examples: [set an alarm, pon música, tell me a joke, qué tiempo hace, hola, buy milk, play a song, weather]
"""
WORDS = ("noticias news latest headlines titulares deportes tech ciencia breaking world ayuda help what can you do "
         "qué puedes hacer instructions please necesito how does this work set an alarm pon música tell joke tiempo "
         "hace hola buy milk play song weather de hoy today me a")


# Fixtures that train the tiny model (tens of seconds on a loaded 2-core machine): a test that uses one, directly or
# through another fixture, is `slow`, so `-m "not slow"` never trains.
TRAINING_FIXTURES = frozenset({"tiny_run", "tiny_bundle", "tiny_bundle_fp32", "bundle_copy"})
# Tests that start `python -m core ...` or a child interpreter and wait on it (5-20 s each under load; the CLI's
# behaviour is tested in-process in tests/core/test_cli.py, these keep the process-level contracts), and tests
# that build and export a model of their own.
SLOW_TESTS = frozenset({
    "test_an_xlmr_style_pad_token_is_exported_and_used",
    "test_classify_reads_any_bytes_and_always_writes_utf8_json",
    "test_the_cli_refuses_a_writing_model_with_exit_2",
    "test_serve_on_every_interface_exits_2_with_a_message",
    "test_the_api_child_ignores_modules_in_the_working_folder",
    "test_the_cli_reports_a_bad_manifest_with_exit_2_and_no_traceback",
    "test_a_model_that_loops_is_refused_within_the_load_timeout",
    "test_the_engine_child_ignores_modules_in_the_working_folder",
    "test_core_imports_neither_qt_nor_transformers",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the training-fixture users, the subprocess tests and the self-training tests `slow` (the fast tier is
    `-m "not slow"`)."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)  # a fixture chosen by parameter (request.getfixturevalue)
        used |= {v for v in (callspec.params.values() if callspec else ()) if isinstance(v, str)}
        if used & TRAINING_FIXTURES or getattr(item, "originalname", item.name) in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own user-data folder: no test reads or writes the real one."""
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    return home


BERT_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
XLMR_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")  # XLM-R's names and order: pad is "<pad>", id 1


def build_tiny_backbone(folder: Path, specials: tuple[str, ...] = BERT_SPECIALS) -> Path:
    """A 2-layer, 32-wide BERT and a WordPiece tokenizer, built from a config in code.

    `specials` is BERT_SPECIALS or XLMR_SPECIALS (vocabulary order), so export and engine are checked with
    either pad token.
    """
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    order = (0, 1, 2, 3, 4) if specials == BERT_SPECIALS else (1, 3, 0, 2, 4)
    pad, unk, cls, sep, mask = (specials[i] for i in order)
    chars = sorted(set("abcdefghijklmnopqrstuvwxyzáéíóúñü0123456789¿?¡!.,'"))
    vocab = [*specials, *chars] + [f"##{c}" for c in chars] + sorted(set(WORDS.split()))
    ids = {t: i for i, t in enumerate(dict.fromkeys(vocab))}
    tok = Tokenizer(models.WordPiece(ids, unk_token=unk))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single=f"{cls} $A {sep}", special_tokens=[(cls, ids[cls]), (sep, ids[sep])]
    )
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token=unk, pad_token=pad, cls_token=cls,
                                   sep_token=sep, mask_token=mask)
    config = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=160, pad_token_id=ids[pad])
    BertModel(config).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train the tiny backbone on the tiny dataset for a few epochs (the real train script)."""
    from scripts.train import TrainConfig, train

    root = tmp_path_factory.mktemp("tiny")
    data = root / "intents.yaml"
    data.write_text(TINY_DATASET, encoding="utf-8")
    backbone = build_tiny_backbone(root / "backbone")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    cfg = TrainConfig(base_model=str(backbone), data=str(data), out=str(root / "run"), epochs=3, batch_size=8,
                      learning_rate=1e-3, max_length=16, patience=3, split_seed=1,
                      outlier_rows=0, public_in_scope_rows=0,
                      lexicon="own",  # the tiny run stays independent of ../shared
                      noise_share=0.25)  # off by default: on here so the copies' path (and its lexicon check) runs
    return train(cfg)


@pytest.fixture(scope="session")
def tiny_bundle(tiny_run: Path) -> Path:
    """The tiny run exported by the real export script."""
    from scripts.export import export_bundle

    out = tiny_run.parent / "bundle"
    export_bundle(tiny_run, out)
    return out


@pytest.fixture(scope="session")
def tiny_bundle_fp32(tiny_run: Path) -> Path:
    """The same run exported with --fp32: device-neutral (CPU or CUDA), no int8 layers."""
    from scripts.export import FP32, ExportOptions, export_bundle

    out = tiny_run.parent / "bundle-fp32"
    export_bundle(tiny_run, out, ExportOptions(linear=FP32))
    return out


@pytest.fixture
def bundle_copy(tiny_bundle: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny bundle a test may damage."""
    import shutil

    target = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, target)
    return target
