"""core.spelling: a word one typo from a known word is read as that word; real words and ties are left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import BundleCorruptError
from core.spelling import Speller, count_words, lexicon_json, parse_lexicon, read_lexicon, vocabulary_words
from core.text import model_form, model_form_with_origin

WORDS = {"noticias": 9, "news": 8, "perfil": 5, "help": 6, "account": 4, "hours": 3, "house": 3, "email": 2,
         "horario": 2, "hoy": 5}
SPELLER = Speller(WORDS, known=frozenset({"complaint", "cosa"}))


@pytest.mark.parametrize(("typed", "meant"), [
    ("notciias", "noticias"),  # two letters swapped
    ("noticas", "noticias"),  # a letter left out
    ("acount", "account"),
    ("perfli", "perfil"),  # the last two swapped
    ("nesw", "news"),
    ("hepl", "help"),
    ("emial", "email"),
    ("noticiass", "noticias"),  # a letter typed twice
    ("horarip", "horario"),  # a neighbouring key
    ("orario", "horario"),  # the first letter too
    ("bnews", "news"),
])
def test_one_typo_is_read_as_the_word_meant(typed: str, meant: str) -> None:
    assert SPELLER.word(typed) == meant


@pytest.mark.parametrize("typed", [
    "noticias",  # known
    "complaint", "cosa",  # real words the training data lacks: never "corrected" into a neighbour
    "hoy", "nws",  # under four letters: too many real words one edit from them
    "houes",  # one edit from both "hours" and "house", equally frequent: a coin toss is not a correction
    "ntcias",  # two edits away
    "zzzz",
])
def test_words_that_are_known_short_tied_or_far_stay_as_typed(typed: str) -> None:
    assert SPELLER.word(typed) == typed


def test_the_most_frequent_neighbour_wins() -> None:
    assert Speller({"cast": 5, "case": 2}).word("casx") == "cast"


def test_a_word_longer_than_any_known_one_is_left_as_typed_at_once() -> None:
    import time

    pasted = "ab" * 2000  # fits the request budget; every edit of it is 4,000 letters long
    started = time.perf_counter()
    assert SPELLER.word(pasted) == pasted and SPELLER.word("noticiasx") == "noticias"
    assert time.perf_counter() - started < 0.5  # without the bound: ~300,000 candidates, seconds and a GB


def test_a_shorter_correction_still_spans_the_whole_typed_word() -> None:
    read, origin = model_form_with_origin("las noticiass", "", SPELLER)
    assert read == "las noticias" and origin[-1] == len("las noticiass") - 1


def test_digits_order_numbers_and_punctuation_are_never_touched() -> None:
    read, _ = SPELLER.correct_with_origin("order 12345, notciias!", list(range(22)))
    assert read == "order 12345, noticias!"


def test_the_model_form_reads_typos_as_meant_and_maps_back_onto_the_typed_words() -> None:
    typed = "¿Qué NOTCIIAS hay HOY?"
    read, origin = model_form_with_origin(typed, "fold-v1", SPELLER)
    assert read == "que noticias hay hoy" and len(origin) == len(read)
    start = read.index("noticias")
    assert typed[origin[start]:origin[start + len("noticias") - 1] + 1] == "NOTCIIAS"
    # a word made one letter longer maps its extra letter onto the typed word's last one
    read, origin = model_form_with_origin("acount", "", SPELLER)
    assert read == "account" and origin == [0, 1, 2, 3, 4, 5, 5]


@given(st.text(max_size=60))
def test_any_text_keeps_an_origin_inside_the_typed_text(raw: str) -> None:
    read, origin = model_form_with_origin(raw, "fold-v1", SPELLER)
    assert len(origin) == len(read) and origin == sorted(origin) and all(0 <= i < len(raw) for i in origin)


def test_without_a_speller_the_model_form_is_unchanged() -> None:
    assert model_form("pon las notciias", "fold-v1") == "pon las notciias"
    assert model_form("pon las notciias", "fold-v1", SPELLER) == "pon las noticias"


def test_count_words_reads_the_text_form() -> None:
    assert count_words(["Noticias de HOY", "¿noticias?"], "fold-v1") == {"noticias": 2, "de": 1, "hoy": 1}


def test_vocabulary_words_are_the_whole_words_of_either_tokenizer_kind() -> None:
    assert vocabulary_words(["\u2581Formas", "\u2581de", "ias", "\u25811234", "<pad>"], "fold-v1") == {"formas", "de"}
    assert vocabulary_words(["[PAD]", "news", "##ias", "día", "2024"], "fold-v1") == {"news", "dia"}


def test_a_lexicon_round_trips_through_its_file(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(lexicon_json(WORDS, "fold-v1", known=["cosa"])), encoding="utf-8")
    speller = read_lexicon(path, "fold-v1")
    assert dict(speller.words) == WORDS and speller.known == {"cosa"} and speller.word("notciias") == "noticias"


@pytest.mark.parametrize("change", [
    {"schema": 2}, {"text_form": ""}, {"min_letters": 1}, {"min_letters": True}, {"min_letters": "4"},
    {"words": {}}, {"words": []}, {"words": {"ok": 0}}, {"words": {"ok": 1.5}}, {"words": {"ok": True}},
    {"words": {"two words": 1}}, {"words": {"n0ticias": 1}}, {"words": {"x" * 41: 1}},
    {"known": "cosa"}, {"known": [5]}, {"known": ["a b"]}, {"known": ["½"]}, {"known": [""]},
])
def test_every_malformed_lexicon_is_a_bundle_error(change: dict[str, object]) -> None:
    with pytest.raises(BundleCorruptError, match=r"lexicon\.json"):
        parse_lexicon({**lexicon_json(WORDS, "fold-v1"), **change}, "fold-v1")


def test_an_oversized_or_linked_lexicon_is_refused_before_it_is_read(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import core.spelling

    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(lexicon_json(WORDS, "fold-v1")), encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(path)
    with pytest.raises(BundleCorruptError, match="plain file"):
        read_lexicon(link, "fold-v1")
    monkeypatch.setattr(core.spelling, "MAX_LEXICON_BYTES", 100)
    with pytest.raises(BundleCorruptError, match="plain file"):
        read_lexicon(path, "fold-v1")
    monkeypatch.setattr(core.spelling, "MAX_LEXICON_BYTES", 1 << 20)
    with pytest.raises(BundleCorruptError, match="changed after the bundle was verified"):
        read_lexicon(path, "fold-v1", sha256="0" * 64)
    path.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(core.spelling, "MAX_LEXICON_BYTES", 1 << 20)
    with pytest.raises(BundleCorruptError, match="readable JSON"):
        read_lexicon(path, "fold-v1")
