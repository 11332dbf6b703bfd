from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import DatasetError
from core.intents import OUT_OF_SCOPE, load_dataset
from core.language import guess_language
from core.paths import resource_path

VALID = """
version: 1
intents:
  - name: get_news
    display_name: {es: Noticias, en: News}
    description: {es: Noticias., en: News.}
    examples: [noticias, news]
out_of_scope:
  examples: ["yes", "no", "1"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "intents.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_dataset_meets_the_size_and_language_mix() -> None:
    dataset = load_dataset(resource_path("intents.yaml"))
    names = [i.name for i in dataset.intents]
    assert names == ["get_news", "get_business_information", "get_profile", "get_shipping", "get_help"]
    for intent in dataset.intents:
        assert len(intent.examples) >= 100, intent.name
        spanish = sum(guess_language(e) == "es" for e in intent.examples) / len(intent.examples)
        assert 0.35 <= spanish <= 0.65, (intent.name, spanish)
    assert len(dataset.out_of_scope) >= 300
    assert len(dataset.near_miss) >= 150
    near_spanish = sum(guess_language(e) == "es" for e in dataset.near_miss) / len(dataset.near_miss)
    assert 0.35 <= near_spanish <= 0.65, near_spanish


def test_near_misses_are_out_of_scope_rows_and_must_be_unique(tmp_path: Path) -> None:
    text = VALID + '  near_miss: ["horario del banco", "delete my facebook account"]\n'
    dataset = load_dataset(write(tmp_path, text))
    assert dataset.near_miss == ("horario del banco", "delete my facebook account")
    assert ("horario del banco", OUT_OF_SCOPE) in dataset.rows()
    with pytest.raises(DatasetError, match="in both"):
        load_dataset(write(tmp_path, text.replace("horario del banco", "noticias")))


def test_scalars_stay_text(tmp_path: Path) -> None:
    dataset = load_dataset(write(tmp_path, VALID))
    assert dataset.out_of_scope == ("yes", "no", "1")
    assert ("yes", OUT_OF_SCOPE) in dataset.rows()


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda t: t.replace("examples: [noticias, news]", "examples: [noticias, news, News]"), "Duplicate"),
        (lambda t: t.replace('examples: ["yes"', 'examples: ["noticias"'), "in both"),
        (lambda t: t.replace("examples: [noticias, news]", "examples: []"), "non-empty"),
        (lambda t: t.replace("    description:", "    colour: red\n    description:"), "unknown key"),
        (lambda t: t.replace("name: get_news", "name: get news"), "identifier"),
        (lambda t: t.replace("{es: Noticias, en: News}", "{es: Noticias}"), "keys"),
        (lambda t: "intents: []\n", "No intents"),
        (lambda t: t + "  near_miss: []\n", "non-empty"),
        (lambda t: t + "  maybe: [x]\n", "unknown key"),
    ],
)
def test_invalid_datasets_say_what_to_fix(tmp_path: Path, mutation, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatasetError, match=message):
        load_dataset(write(tmp_path, mutation(VALID)))


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="Cannot read"):
        load_dataset(tmp_path / "absent.yaml")
    with pytest.raises(DatasetError, match="YAML"):
        load_dataset(write(tmp_path, "intents: [unclosed"))


def test_slots_are_annotated_inline_and_the_example_trains_as_plain_text() -> None:
    from core.intents import parse_markup

    text, spans = parse_markup("¿[abrís](field) [mañana](day) [a las 6 de la tarde](time)?")
    assert text == "¿abrís mañana a las 6 de la tarde?"
    assert [(text[a:b], name) for a, b, name in spans] == [("abrís", "field"), ("mañana", "day"),
                                                          ("a las 6 de la tarde", "time")]


@pytest.mark.parametrize(("example", "message"), [
    ("noticias de [tecnología](tema)", "expected one of"),
    ("noticias de [tecnología](topic", "unfinished"),
    ("noticias de [ tecnología ](topic)", "no spaces"),
])
def test_a_wrong_annotation_says_what_to_write(example: str, message: str) -> None:
    from core.intents import parse_markup

    with pytest.raises(DatasetError, match=message):
        parse_markup(example)


def test_the_shipped_examples_carry_slots_of_every_kind() -> None:
    spans = load_dataset(resource_path("intents.yaml")).slot_spans()
    names = {name for row in spans.values() for _, _, name in row}
    assert names == {"topic", "day", "time", "part_of_day", "field", "order_ref"}
    for text, row in spans.items():
        assert all(0 <= a < b <= len(text) and text[a:b] == text[a:b].strip() for a, b, _ in row)
