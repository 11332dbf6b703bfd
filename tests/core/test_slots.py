"""The rule-based slot tagger (core/slots.py): whole words, canonical values from resources/locale, offsets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.errors import DatasetError
from core.slots import Slot, content_words, languages, load_locale, tag, tokens
from core.text import fold


def found(text: str, lang: str) -> list[tuple[str, str, str]]:
    """(name, value, the text the slot covers) for each slot: the offsets are checked by slicing."""
    return [(s.name, s.value, text[s.start:s.end]) for s in tag(text, lang)]


def test_languages_are_the_locale_folders() -> None:
    assert languages() == ("en", "es")


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("¿a qué hora cierran mañana?", "es",
     [("field", "hours", "hora"), ("field", "closing", "cierran"), ("day", "+1", "mañana")]),
    ("¿abrís mañana por la mañana?", "es",
     [("field", "opening", "abrís"), ("day", "+1", "mañana"), ("part_of_day", "morning", "por la mañana")]),
    ("open tomorrow at 6pm?", "en", [("field", "hours", "open"), ("day", "+1", "tomorrow"), ("time", "18:00", "6pm")]),
    ("¿Y el SÁBADO?", "es", [("day", "sat", "SÁBADO")]),
    ("qué noticias hay de Tecnología", "es", [("topic", "technology", "Tecnología")]),
    ("news on artificial intelligence", "en", [("topic", "technology", "artificial intelligence")]),
])
def test_slots_carry_canonical_values_and_offsets_into_the_text_as_typed(text: str, lang: str,
                                                                          expected: list[tuple[str, str, str]]) -> None:
    assert found(text, lang) == expected


@pytest.mark.parametrize(("text", "lang", "clock"), [
    ("at 12am", "en", "00:00"), ("at 12 a.m.", "en", "00:00"), ("at 12pm", "en", "12:00"),
    ("¿abrís a las 12 de la noche?", "es", "00:00"), ("a las 10 de la noche", "es", "22:00"),
    ("a las 2 de la madrugada", "es", "02:00"), ("a las 6 de la tarde", "es", "18:00"),
    ("a las 18:30", "es", "18:30"), ("at 9.15", "en", "09:15"), ("a las 18h30", "es", "18:30"),
    ("at midnight", "en", "00:00"), ("al mediodía", "es", "12:00"), ("at 12 at night", "en", "00:00"),
])
def test_times_are_read_with_their_half_of_the_day(text: str, lang: str, clock: str) -> None:
    assert [s.value for s in tag(text, lang) if s.name == "time"] == [clock]


def test_a_bare_number_is_no_time_and_an_order_number_is_an_order_ref() -> None:
    assert found("Calle Mayor 12", "es") == [("field", "address", "Calle")]
    assert found("delivery status of order #7712", "en") == [("order_ref", "7712", "#7712")]
    assert found("¿dónde está mi pedido ab-1234?", "es") == [("field", "address", "dónde"),
                                                            ("order_ref", "AB-1234", "ab-1234")]
    assert found("order number 48213", "en") == [("order_ref", "48213", "48213")]


def test_whole_words_only_never_prefixes() -> None:
    assert found("what is the business called?", "en")[-1] == ("field", "name", "called")  # not "call"
    assert [s for s in tag("calling hours", "en") if s.value == "phone"] == []
    assert found("what's in the news today", "en") == [("day", "+0", "today")]  # no topic in "in"


def test_question_words_name_a_field_only_when_nothing_else_does() -> None:
    assert found("¿dónde puedo ver el horario?", "es") == [("field", "hours", "horario")]
    assert found("¿dónde estáis?", "es") == [("field", "address", "dónde")]


def test_the_other_language_fills_in_where_the_answer_language_finds_nothing() -> None:
    assert found("tech news", "es") == [("topic", "technology", "tech")]
    assert found("noticias de deportes", "en") == [("topic", "sports", "deportes")]


def test_offsets_survive_folding_that_changes_lengths() -> None:
    text = "Straße ﬁn TELÉFONO"  # "ß" folds to "ss" and "ﬁ" to "fi": two characters for one
    assert [(t.word, text[t.start:t.end]) for t in tokens(text)] == [("strasse", "Straße"), ("fin", "ﬁn"),
                                                                    ("telefono", "TELÉFONO")]
    assert tag(text, "es") == [Slot("field", "phone", 10, 18)]


def test_content_words_skip_fillers_and_slots() -> None:
    text = "¿tienen libros de segunda mano hoy?"
    assert content_words(text, tag(text, "es")) == {"segunda", "mano"}  # "libros" is a topic slot, "hoy" a day
    assert content_words("what's in the news today?") == set()
    assert content_words("lo nuevo con la IA") == {"ia"}


def _write_locale(root: Path, lang: str, slots: str) -> None:
    (root / lang).mkdir(parents=True)
    (root / lang / "slots.yaml").write_text(slots, encoding="utf-8")


NAMES = "names:\n  day: [lu, ma, mi, ju, vi, sa, di]\n"


def test_a_language_is_a_folder(tmp_path: Path) -> None:
    _write_locale(tmp_path, "en", "day:\n  '+1': [tomorrow]\n" + NAMES)
    _write_locale(tmp_path, "fr", "day:\n  '+1': [demain]\nfield:\n  closing: [ferme, fermez]\n" + NAMES)
    assert languages(tmp_path) == ("en", "fr")
    slots = tag("vous fermez demain ?", "fr", tmp_path)
    assert [(s.name, s.value) for s in slots] == [("field", "closing"), ("day", "+1")]
    assert load_locale("fr", tmp_path).day_names[0] == "lu"


def test_a_phrase_naming_two_values_is_refused_with_the_place_to_fix(tmp_path: Path) -> None:
    _write_locale(tmp_path, "en", "day:\n  '+1': [tomorrow]\nfield:\n  hours: [tomorrow]\n" + NAMES)
    with pytest.raises(DatasetError, match="names both"):
        load_locale("en", tmp_path)


def test_a_yaml_boolean_is_not_a_phrase(tmp_path: Path) -> None:
    _write_locale(tmp_path, "en", "fillers: [no, on]\n" + NAMES)  # YAML 1.1 reads these as booleans
    with pytest.raises(DatasetError, match="list of words"):
        load_locale("en", tmp_path)


def test_slot_json_is_the_classify_contract() -> None:
    assert Slot("day", "+1", 3, 9).to_json() == {"name": "day", "value": "+1", "start": 3, "end": 9}


# ---- slots tagged by the model (issue 22) -----------------------------------------------------------------------


def test_bio_tags_become_spans_on_the_text_as_typed() -> None:
    from core.slots import decode_tags
    from core.text import model_form_with_origin

    typed = "¿Qué NOTICIAS hay de Cambio Climático?"
    form, origin = model_form_with_origin(typed, "fold-v1")
    model_text = "query: " + form  # SentencePiece-style offsets: "▁word" starts at the space before it
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", model_text)]
    offsets = [(0, 0), *[(max(a - 1, 0), b) for a, b in words], (0, 0)]
    tags = ["O", "B-topic", "I-topic"]
    ids = [0, 0, 0, 0, 0, 0, 1, 2, 0]  # query: que noticias hay de [cambio climatico]
    spans = decode_tags(ids, offsets, model_text, len("query: "), origin, tags)
    assert [(typed[a:b], name) for a, b, name in spans] == [("Cambio Climático", "topic")]


def test_an_inside_tag_alone_opens_a_span_and_another_name_closes_one() -> None:
    from core.slots import decode_tags

    text = "a b c d"
    offsets = [(0, 1), (2, 3), (4, 5), (6, 7)]
    tags = ["O", "B-day", "I-day", "B-time", "I-time"]
    spans = decode_tags([2, 2, 4, 0], offsets, text, 0, list(range(len(text))), tags)
    assert spans == [(0, 3, "day"), (4, 5, "time")]


def test_tagged_spans_take_whole_words_and_drop_unknown_names() -> None:
    from core.slots import whole_words

    text = "noticias de tecnologías, ya"
    assert whole_words(text, [(12, 18, "topic"), (0, 3, "weather")]) == [Slot("topic", "tecnologías", 12, 23)]


def test_the_models_words_get_the_locales_canonical_values() -> None:
    from core.slots import canonical

    text = "¿a qué hora cierran mañana? noticias de criptomonedas, pedido #ab-12"

    def at(name: str, words: str) -> Slot:
        start = text.index(words)
        return Slot(name, words, start, start + len(words))

    found = canonical(text, [at("field", "cierran"), at("day", "mañana"), at("topic", "criptomonedas"),
                             at("order_ref", "#ab-12"), at("day", "noticias")], "es")
    assert [(s.name, s.value) for s in found] == [("field", "closing"), ("day", "+1"), ("topic", "criptomonedas"),
                                                   ("order_ref", "AB-12")]  # "noticias" is no day: dropped


def test_the_rules_answer_only_where_the_model_tagged_nothing() -> None:
    from core.slots import resolve

    text = "what's in the news about bitcoin"
    start = text.index("bitcoin")
    assert resolve(text, (Slot("topic", "bitcoin", start, start + 7),), "en") == [Slot("topic", "bitcoin", start,
                                                                                        start + 7)]
    assert resolve("tech news today", (), "en") == tag("tech news today", "en")  # rules: topic and day


def test_offsets_are_given_on_the_request_as_typed_not_as_cleaned() -> None:
    from core.slots import request_slots
    from core.text import clean_text

    typed = "  ¿a qué hora\tcierran  mañana?"
    cleaned = clean_text(typed).text
    for slot in request_slots(cleaned, None, typed=typed):
        assert fold(typed[slot["start"]:slot["end"]]) in {"hora", "cierran", "manana"}


def test_adjacent_words_tagged_with_one_name_are_one_slot() -> None:
    from core.slots import whole_words

    text = "news from the world cup"
    assert whole_words(text, [(14, 19, "topic"), (20, 23, "topic")]) == [Slot("topic", "world cup", 14, 23)]
    text = "¿a qué hora abrís mañana?"
    found = whole_words(text, [(7, 11, "field"), (12, 17, "field"), (18, 24, "day")])
    assert [(s.name, s.value) for s in found] == [("field", "hora abrís"), ("day", "mañana")]


def test_a_question_word_the_model_tags_names_no_field_beside_a_real_one() -> None:
    from core.slots import canonical

    text = "¿dónde puedo ver el horario?"
    tagged = [Slot("field", "dónde", 1, 6), Slot("field", "horario", 20, 27)]
    assert [(s.name, s.value) for s in canonical(text, tagged, "es")] == [("field", "hours")]
    assert [(s.value) for s in canonical("¿dónde estáis?", [Slot("field", "dónde", 1, 6)], "es")] == ["address"]


def test_a_spanish_request_under_english_answers_keeps_all_its_fields() -> None:
    found = tag("¿a qué hora cierran hoy?", "en")  # the answer language is the user's setting, not the text's
    assert [(s.name, s.value) for s in found] == [("field", "hours"), ("field", "closing"), ("day", "+0")]


@pytest.mark.parametrize("typed", ["  \u212bngstrom: noticias de deportes", "  cafe\u0301\u0308 noticias de deportes",
                                   "  \uf900 noticias de deportes", "noticias\x00 de\t\tdeportes"])
def test_offsets_land_on_the_typed_words_whatever_unicode_form_they_were_typed_in(typed: str) -> None:
    from core.slots import request_slots
    from core.text import clean_text

    slots = request_slots(clean_text(typed).text, None, typed=typed)
    assert [(typed[s["start"]:s["end"]], s["value"]) for s in slots] == [("deportes", "sports")]


def test_the_rules_still_read_what_the_model_left_untagged() -> None:
    from core.slots import resolve

    text = "¿A qué hora abrís mañana por la tarde?"
    start = text.index("mañana")
    found = resolve(text, (Slot("day", "mañana por la tarde", start, start + 19),), "es")
    assert {(s.name, s.value) for s in found} >= {("day", "+1"), ("part_of_day", "afternoon"), ("field", "opening")}
    text = "NOTICIAS DE DEPORTES MAÑANA"
    found = resolve(text, (Slot("topic", "DEPORTES", 12, 20),), "es")
    assert [(s.name, s.value) for s in found] == [("topic", "sports"), ("day", "+1")]
