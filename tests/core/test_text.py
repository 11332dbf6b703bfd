from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InputTextError
from core.text import MAX_CHARS, clean_text, model_form


def test_normalises_unicode_and_whitespace() -> None:
    decomposed = "noticias de tecnologi\u0301a"  # í as i + combining accent
    assert clean_text(f"  {decomposed}\t\n ").text == "noticias de tecnología"


def test_removes_control_and_private_characters_but_keeps_emoji_joiners() -> None:
    assert clean_text("ho\x00la\x07 \ue000mundo").text == "hola mundo"
    family = "👨\u200d👩\u200d👧"
    assert clean_text(family).text == family


def test_empty_or_blank_input_is_a_clear_error() -> None:
    for raw in ("", "   ", "\x00\x01", "\n\t"):
        with pytest.raises(InputTextError, match="empty"):
            clean_text(raw)


def test_long_input_is_cut_to_200_words_and_flagged() -> None:
    cleaned = clean_text("palabra " * 250)
    assert len(cleaned.text.split()) == 200
    assert cleaned.truncated
    assert not clean_text("palabra " * 200).truncated


def test_hard_character_cap_applies_before_anything_else() -> None:
    cleaned = clean_text("x" * (MAX_CHARS * 10))
    assert len(cleaned.text) == MAX_CHARS
    assert cleaned.truncated


def test_unpaired_surrogates_are_dropped() -> None:
    assert clean_text("hola\ud800 mundo").text == "hola mundo"


def test_non_text_is_rejected() -> None:
    with pytest.raises(InputTextError, match="text"):
        clean_text(42)  # type: ignore[arg-type]


@given(st.text())
def test_any_string_gives_clean_text_or_a_clear_error(raw: str) -> None:
    try:
        cleaned = clean_text(raw)
    except InputTextError:
        return
    assert cleaned.text == cleaned.text.strip()
    assert "  " not in cleaned.text
    assert len(cleaned.text.split(" ")) <= 200


@pytest.mark.parametrize(("typed", "read"), [
    ("NOTICIAS DE ÚLTIMA HORA", "noticias de ultima hora"),
    ("¿Qué noticias hay de tecnología?", "que noticias hay de tecnologia"),
    ("AYUDAAA!!", "ayuda"),
    ("¿cuántos años tenés?", "cuantos años tenes"),  # ñ stays: "año" is not "ano"
    ("order 12345, please", "order 12345, please"),  # digits are never collapsed
])
def test_the_model_reads_one_form_whatever_the_case_accents_and_marks(typed: str, read: str) -> None:
    assert model_form(typed, "fold-v1") == read
    assert model_form(typed, "") == typed  # older bundles: as cleaned


def test_an_unknown_text_form_is_refused() -> None:
    with pytest.raises(ValueError, match="text form"):
        model_form("hola", "shout-v9")


@given(st.text(max_size=60))
def test_each_character_the_model_reads_comes_from_the_same_character_typed(raw: str) -> None:
    from core.text import model_form_with_origin

    read, origin = model_form_with_origin(raw, "fold-v1")
    assert read == model_form(raw, "fold-v1") and len(origin) == len(read)
    assert origin == sorted(origin) and all(0 <= i < len(raw) for i in origin)
    for char, i in zip(read, origin, strict=True):  # a folded letter maps back to the letter it folds from
        assert char == " " or char in model_form(raw[i], "fold-v1") or model_form(raw[i], "fold-v1") == raw[i].strip()


def test_a_span_in_the_model_form_maps_back_onto_the_request_as_typed() -> None:
    from core.text import model_form_with_origin

    typed = "¿¿Qué NOTICIAS hay de Tecnologíaaa??"
    read, origin = model_form_with_origin(typed, "fold-v1")
    assert read == "que noticias hay de tecnologia"
    start = read.index("tecnologia")
    # "aaa" is read as its first "a"; core.slots.whole_words then takes the rest of the word
    assert typed[origin[start]:origin[start + len("tecnologia") - 1] + 1] == "Tecnología"
