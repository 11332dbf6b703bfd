"""The words a bundle knows (core.spelling): a request's word one typo from one of them is read as that word.

    python -m scripts.lexicon --run runs/v6                # a run trained before lexicons: write runs/v6/lexicon.json
    python -m scripts.lexicon --run runs/v6 --words own    # only the run's own training rows' words
    python -m scripts.lexicon --run runs/v6 --bundle runs/v6/bundle --install resources/model
        # and the run's bundle with that lexicon added (its graphs untouched) installed behind the regression gate

Training writes the run's lexicon itself (TrainConfig.lexicon); export copies it into the bundle. The words are
those of the run's training rows as written (splits.json `train`: our rows, the public outlier rows and mapped
public rows, never val or test) and, for "public", every request of the public datasets' TRAIN splits (CLINC150,
SNIPS, MTOD es/en): the more real words the lexicon knows, the fewer real words it mistakes for typos.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from core.bundle import sha256_file, verify_bundle, write_manifest
from core.errors import ConfigError
from core.spelling import (
    LEXICON_FILE,
    MIN_LETTERS,
    Speller,
    count_words,
    is_word,
    lexicon_json,
    parse_lexicon,
    read_lexicon,
    vocabulary_words,
)
from core.text import model_form

WORDS = ("own", "public")  # TrainConfig.lexicon's values besides "" (no lexicon)
# Real words never corrected (the lexicon's `known`): wordfreq's words (in the app's languages) used at least this
# often (Zipf scale: 2.5 = about 3 times in 10 million words), besides the tokenizer's whole words. Chosen on the
# words a small lexicon mistook for typos (ablation in reports/ablation/spelling_val.json): «tomo» 4.6, «dices»
# 4.8, «llévame» 2.7, "markets" 4.6 are kept; the typos seen in val and the issue («noticas» 2.5, "acount"
# 1.8, «pefil» 1.4, "shiping" 1.5, "notciias" 0) stay below. wordfreq is the word list the backbone's
# vocabulary was chosen with (scripts/backbone.py): a list of word frequencies, not requests.
KNOWN_ZIPF = 2.5


def run_speller(run: Path, form: str) -> Speller | None:
    """The run's lexicon as the engine will read it, or None for a run without one (trained before lexicons)."""
    path = run / LEXICON_FILE
    return read_lexicon(path, form) if path.is_file() else None


def public_train_texts() -> list[str]:
    """Every request of the public datasets' train splits this checkout has (none when ../shared is absent)."""
    from scripts.shared_data import SOURCES, available, load_public_records

    return [r.text for source in SOURCES if available(source) for r in load_public_records(source, "train")]


def build_lexicon(train_texts: Sequence[str], form: str, words: str) -> dict[str, int]:
    """The lexicon's words and counts: the training rows' words, plus the public train splits' for "public"
    (a printed notice and the rows' words alone when the shared datasets are not in this checkout)."""
    if words not in WORDS:
        raise ConfigError(f"lexicon words must be one of {WORDS}, found {words!r}.")
    texts = list(train_texts)
    if words == "public":
        public = public_train_texts()
        if not public:
            print("Lexicon: the shared public datasets are not in this checkout; only the training rows' words.",
                  flush=True)
        texts += public
    return count_words(texts, form)


def common_words(form: str) -> set[str]:
    """wordfreq's words at or above KNOWN_ZIPF in every language the app speaks (core.slots.languages: es, en; a
    language added by its locale folder joins by itself), in the text form `form`."""
    from wordfreq import available_languages, top_n_list, zipf_frequency

    from core.slots import languages

    out: set[str] = set()
    for language in languages():
        if language not in available_languages():
            print(f"Lexicon: wordfreq has no word list for {language!r}; its real words may be read as typos of "
                  "the training words.", flush=True)
            continue
        for word in top_n_list(language, 1_000_000):  # most frequent first
            if zipf_frequency(word, language) < KNOWN_ZIPF:
                break
            folded = model_form(word, form)
            if is_word(folded):
                out.add(folded)
    return out


def write_lexicon(run: Path, counts: dict[str, int], form: str, vocabulary: Iterable[str] = (),
                  min_letters: int = MIN_LETTERS) -> Path:
    """run/lexicon.json, checked by the engine's own parser before it is written. The real words never to
    correct (`known`): the model tokenizer's whole words (`vocabulary`, its pieces) and common_words."""
    known = vocabulary_words(vocabulary, form) | common_words(form)
    content = lexicon_json(counts, form, min_letters, known)
    parse_lexicon(content, form)
    path = run / LEXICON_FILE
    path.write_text(json.dumps(content, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


def add_to_bundle(bundle: Path, lexicon: Path, out: Path) -> Path:
    """A copy of `bundle` in `out` with `lexicon` added (the manifest lists it with its sha256); the graphs and
    the tokenizer are copied byte for byte. The result is verified as the engine would verify it."""
    if out.resolve() == bundle.resolve():
        raise ConfigError(f"the copy must go to another folder than {bundle}; choose another --out.")
    manifest = verify_bundle(bundle)
    read_lexicon(lexicon, manifest.text_form)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in manifest.files:
        if name != LEXICON_FILE:
            shutil.copyfile(bundle / name, out / name)
    shutil.copyfile(lexicon, out / LEXICON_FILE)
    files = {**{n: d for n, d in manifest.files.items() if n != LEXICON_FILE},
             LEXICON_FILE: sha256_file(out / LEXICON_FILE)}
    # the export's metrics (val accuracy, ECE) were measured before the lexicon: say so beside them
    metrics = {**manifest.metrics, "lexicon_added_after_export": True}
    write_manifest(out, replace(manifest, files=files, lexicon=LEXICON_FILE, metrics=metrics))
    verify_bundle(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True, help="a training run folder (splits.json inside)")
    parser.add_argument("--words", choices=WORDS, default="public")
    parser.add_argument("--bundle", type=Path, help="the run's exported bundle: add the lexicon to a copy of it")
    parser.add_argument("--install", type=Path, metavar="TARGET",
                        help="install that copy into TARGET behind the regression gate (needs --bundle)")
    args = parser.parse_args(argv)
    if args.install and not args.bundle:
        parser.error("--install needs --bundle")
    summary = json.loads((args.run / "train_config.json").read_text(encoding="utf-8"))
    from scripts.train import run_settings

    settings = run_settings(summary)
    if settings["lexicon"]:
        raise SystemExit(f"{args.run} trained with its own lexicon ({settings['lexicon']!r}, {LEXICON_FILE}): its "
                         "noisy copies were chosen with it, so it stays; export the run as it is.")
    if settings["noise_share"]:
        print(f"note: {args.run} trained on noisy copies as typed; the lexicon will read most of those typos as "
              "the word meant, so the model never sees them again.", flush=True)
    form = str(summary["config"].get("text_form", ""))
    splits = json.loads((args.run / "splits.json").read_text(encoding="utf-8"))
    counts = build_lexicon([str(text) for text, _ in splits["train"]], form, args.words)
    from tokenizers import Tokenizer

    vocabulary = Tokenizer.from_file(str(args.run / "model" / "tokenizer.json")).get_vocab()
    path = write_lexicon(args.run, counts, form, vocabulary)
    print(json.dumps({"lexicon": str(path), "words": len(counts), "text_form": form}))
    if not args.bundle:
        return 0
    if not args.install:
        staged = add_to_bundle(args.bundle, path, args.bundle.with_name(f"{args.bundle.name}-lexicon"))
        print(json.dumps({"bundle": str(staged)}))
        return 0
    from scripts.train import install_gated

    staging = args.install.with_name(f".{args.install.name}.new")
    add_to_bundle(args.bundle, path, staging)
    return 0 if install_gated(args.run, staging, args.install) else 3


if __name__ == "__main__":
    raise SystemExit(main())
