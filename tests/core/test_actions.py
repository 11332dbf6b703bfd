from __future__ import annotations

from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pytest

from core.actions import ActionRegistry, ActionRequest, ActionResult, ActionServices
from core.actions.business import BusinessAction, Span, is_open, next_opening, weekly_hours
from core.actions.help import HelpAction
from core.actions.news import NewsAction, rank_items
from core.actions.profile import ProfileAction
from core.intents import load_dataset
from core.paths import resource_root
from core.settings import Settings, SettingsStore
from core.storage import Storage
from tests.core.fakes import FakeScorer


def services(tmp_path: Path, now: datetime | None = None, **settings: object) -> ActionServices:
    return ActionServices(
        store=SettingsStore(None, Settings(**settings)),  # type: ignore[arg-type]
        resources=resource_root(),
        storage=Storage(tmp_path / "db.sqlite3"),
        dataset=load_dataset(resource_root() / "intents.yaml"),
        now=(lambda: now) if now else datetime.now,
    )


def request(text: str, language: str = "es") -> ActionRequest:
    return ActionRequest(text, FakeScorer().predict(text), language)


def test_news_puts_the_asked_topic_first(tmp_path: Path) -> None:
    result = NewsAction(services(tmp_path)).run(request("¿qué noticias hay de tecnología?"))
    items = result.fields["items"]
    assert result.kind == "news" and result.fields["topics"] == ["technology"]
    matched = [item["topic_match"] for item in items]
    on_topic = matched.count(True)
    assert on_topic >= 4 and matched == [True] * on_topic + [False] * (len(items) - on_topic)  # never mixed
    assert "Open-source AI" in " ".join(i["title"] for i in items[:on_topic])
    assert result.fields["other_title"] == "Otros titulares" and "Otros titulares:" in result.body
    assert all(link.url.startswith("https://") for link in result.links)


def test_news_on_a_topic_without_headlines_says_so_and_shows_others_apart(tmp_path: Path) -> None:
    from dataclasses import replace

    from core.actions import news

    (tmp_path / "sample").mkdir()
    items = "".join(f"<item><title>Final {n} of the league</title><category>sports</category></item>" for n in range(5))
    (tmp_path / "sample" / "news_feed.xml").write_text(f"<rss><channel><title>S</title>{items}</channel></rss>")
    result = NewsAction(replace(services(tmp_path), resources=tmp_path)).run(request("technology news", "en"))
    assert result.title == "No technology headlines right now"
    assert len(result.fields["items"]) == news.MAX_OTHER_ITEMS  # others, apart and few, never padding


def test_news_ranking_by_topic_then_date() -> None:
    from core.actions.news import Item

    old = Item("a", "", datetime(2020, 1, 1, tzinfo=UTC), "", "s", frozenset({"sports"}), frozenset({"a"}))
    new = Item("b", "", datetime(2026, 1, 1, tzinfo=UTC), "", "s", frozenset({"science"}), frozenset({"b"}))
    assert [i.title for i, _ in rank_items([new, old], {"sports"}, set())] == ["a", "b"]
    assert [i.title for i, _ in rank_items([old, new], set(), set())] == ["b", "a"]


def test_news_reads_network_feeds_only_when_enabled(tmp_path: Path) -> None:
    url = "https://example.org/feed.xml"
    assert NewsAction(services(tmp_path, feeds=(url,))).sources()[1:] == []
    assert NewsAction(services(tmp_path, feeds=(url,), network_feeds=True)).sources()[1:] == [url]


def test_business_hours_and_open_now(tmp_path: Path) -> None:
    # Monday 2026-11-23 11:00 in Madrid (10:00 UTC) is inside 10:00-14:00; 15:00 is the lunch break.
    monday_open = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    monday_break = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    opened = BusinessAction(services(tmp_path, now=monday_open)).run(request("are you open now", "en"))
    closed = BusinessAction(services(tmp_path, now=monday_break)).run(request("¿estáis abiertos?"))
    assert opened.fields["open_now"] is True and opened.fields["answer"] == "Yes, open now until 14:00."
    assert closed.fields["open_now"] is False and closed.fields["answer"] == "Ahora está cerrado; abre hoy a las 17:00."
    assert closed.fields["status"] == "Cerrado ahora" and closed.fields["week"]["domingo"] == "cerrado"
    assert opened.fields["phone"] and opened.links[0].url.startswith("https://")


def test_business_answers_the_question_asked(tmp_path: Path) -> None:
    sunday = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # Sunday 11:00 in Madrid: closed all day

    def answer(text: str, lang: str = "en") -> str:
        return str(BusinessAction(services(tmp_path, now=sunday)).run(request(text, lang)).fields["answer"])

    assert answer("are you open tomorrow?") == "Tomorrow: 10:00–14:00, 17:00–20:30."
    assert answer("are you open tomorrow morning?") == "Tomorrow morning: 10:00–14:00."
    assert answer("¿abrís mañana por la tarde?", "es") == "Mañana por la tarde: 17:00–20:30."
    assert answer("open tomorrow at 6pm?") == "Tomorrow at 18:00: open (17:00–20:30)."
    assert answer("¿abrís mañana a las 15:00?", "es") == "Mañana a las 15:00: cerrado."
    assert answer("are you open this evening?") == "This evening: closed."
    assert answer("are you open now?") == "Closed now; opens tomorrow at 10:00."
    assert answer("¿abrís el sábado?", "es") == "El sábado: 10:30–14:30."
    assert answer("¿abrís el domingo?", "es") == "Ahora está cerrado; abre mañana a las 10:00."  # today: now
    assert answer("open on saturday?") == "On Saturday: 10:30–14:30."
    assert answer("what's your phone number?") == "The phone number is +34 910 000 123."
    assert answer("¿cuál es vuestro correo?", "es") == "El correo es hola@aurora.example."
    assert answer("where are you?") == "The address is Calle Mayor 12, 28013 Madrid."
    assert answer("what is your website") == "The website is https://aurora.example."


def test_business_clock_is_the_business_time_zone_even_for_a_naive_clock(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import time as time_module

    monkeypatch.setenv("TZ", "America/New_York")
    time_module.tzset()
    try:
        # 05:30 in New York is 11:30 in Madrid on Monday 2026-11-23: open (a naive clock read as local time)
        naive_new_york = datetime(2026, 11, 23, 5, 30)
        result = BusinessAction(services(tmp_path, now=naive_new_york)).run(request("open now?", "en"))
        assert result.fields["open_now"] is True
    finally:
        monkeypatch.delenv("TZ")
        time_module.tzset()


def test_span_parsing_and_is_open() -> None:
    assert str(Span.parse("09:00-14:00")) == "09:00–14:00"
    with pytest.raises(ValueError, match="same time"):
        Span.parse("14:00-14:00")
    hours = weekly_hours({"hours": {"mon": ["09:00-10:00"]}})
    assert is_open(hours, datetime(2026, 11, 23, 9, 30))
    assert not is_open(hours, datetime(2026, 11, 23, 10, 0))
    assert not is_open(hours, datetime(2026, 11, 24, 9, 30))


def test_overnight_hours_run_past_midnight() -> None:
    hours = weekly_hours({"hours": {"fri": ["22:00-02:00"]}})
    assert Span.parse("22:00-02:00").overnight
    assert is_open(hours, datetime(2026, 11, 27, 23, 0))  # Friday 23:00
    assert is_open(hours, datetime(2026, 11, 28, 1, 30))  # Saturday 01:30, still Friday's night
    assert not is_open(hours, datetime(2026, 11, 28, 2, 0))
    assert not is_open(hours, datetime(2026, 11, 27, 1, 0))  # Friday 01:00: Thursday had no night
    assert next_opening(hours, datetime(2026, 11, 28, 3, 0)) == datetime(2026, 12, 4, 22, 0)


def test_every_message_table_has_both_languages() -> None:
    from core import conversation
    from core.actions import business, help, news, profile, registry
    from core.i18n import missing_translations

    for module in (business, help, news, profile, registry, conversation):
        assert missing_translations(module.MESSAGES) == [], module.__name__


def test_profile_reads_the_stored_profile(tmp_path: Path) -> None:
    svc = services(tmp_path)
    empty = ProfileAction(svc).run(request("mi perfil"))
    assert "Aún no hay datos" in empty.body
    Storage(tmp_path / "db.sqlite3").set_profile({"name": "Ana", "email": "ana@example.org"})  # as the form does
    filled = ProfileAction(svc).run(request("my profile", "en"))
    assert "Name: Ana" in filled.body and filled.fields["profile"]["email"] == "ana@example.org"


@pytest.mark.parametrize(("text", "lang", "title"), [
    ("what is my email address?", "en", "Your email is ana@example.org"),
    ("¿cuál es mi correo?", "es", "Tu correo es ana@example.org"),
    ("¿cómo me llamo?", "es", "Tu nombre es Ana"),
    ("what's my phone number?", "en", "I don't have your phone yet. You can add it in the profile form."),
    ("show my profile", "en", "Your profile"),
])
def test_profile_answers_the_field_asked(tmp_path: Path, text: str, lang: str, title: str) -> None:
    svc = services(tmp_path)
    Storage(tmp_path / "db.sqlite3").set_profile({"name": "Ana", "email": "ana@example.org"})
    assert ProfileAction(svc).run(request(text, lang)).title == title


def test_actions_get_the_profile_read_only_never_the_storage(tmp_path: Path) -> None:
    """A plugin can read the profile but not clear history or forget what was taught (issue 26, item 6)."""
    svc = services(tmp_path)
    Storage(tmp_path / "db.sqlite3").set_profile({"name": "Ana"})
    assert dict(svc.profile) == {"name": "Ana"}
    assert not hasattr(svc.storage, "clear_history") and not hasattr(svc.storage, "set_profile")
    with pytest.raises(TypeError):
        svc.profile["name"] = "Eve"  # type: ignore[index]


def test_help_lists_every_intent_with_examples_in_the_users_language(tmp_path: Path) -> None:
    es = HelpAction(services(tmp_path)).run(request("ayuda"))
    en = HelpAction(services(tmp_path)).run(request("help", "en"))
    assert [e["intent"] for e in es.fields["intents"]] == ["get_news", "get_business_information", "get_profile",
                                                           "get_shipping", "get_help"]
    assert es.fields["intents"][0]["name"] == "Noticias" and en.fields["intents"][0]["name"] == "News"
    assert all(len(e["examples"]) >= 2 for e in es.fields["intents"] + en.fields["intents"])


class EchoAction:
    intent = "echo"

    def __init__(self, services: ActionServices) -> None:
        self.services = services

    def run(self, request: ActionRequest) -> ActionResult:
        return ActionResult(title="echo", body=request.text)


class BrokenAction(EchoAction):
    intent = "broken"

    def run(self, request: ActionRequest) -> ActionResult:
        raise RuntimeError("feed server exploded")


def test_plugins_are_discovered_through_entry_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    group = "test.actions"
    points = [metadata.EntryPoint("echo", "tests.core.test_actions:EchoAction", group),
              metadata.EntryPoint("bad", "tests.core.no_such_module:Nothing", group)]
    monkeypatch.setattr(metadata, "entry_points", lambda group: [p for p in points if p.group == group])
    registry = ActionRegistry.discover(services(tmp_path), group=group)
    assert registry.intents == ("echo", "get_shipping")  # the broken plugin is skipped; the answer intent added
    assert registry.run("echo", request("hola")).body == "hola"


def test_builtin_actions_register_through_the_same_group(tmp_path: Path) -> None:
    registry = ActionRegistry.discover(services(tmp_path))
    assert set(registry.intents) >= {"get_news", "get_business_information", "get_profile", "get_help"}


def test_a_failing_action_becomes_an_error_result(tmp_path: Path) -> None:
    registry = ActionRegistry({"broken": BrokenAction(services(tmp_path))})
    result = registry.run("broken", request("x", "en"))
    assert result.error and result.kind == "error" and "exploded" in result.body
    missing = registry.run("nothing", request("x", "en"))
    assert missing.error and "No action" in missing.body


def test_news_title_names_the_topic_in_the_reply_language(tmp_path: Path) -> None:
    assert NewsAction(services(tmp_path)).run(request("noticias de tecnología")).title == "Noticias · tecnología"
    assert NewsAction(services(tmp_path)).run(request("tech news", "en")).title == "News · technology"


def test_an_intent_with_an_answer_needs_no_plugin(tmp_path: Path) -> None:
    svc = services(tmp_path)
    registry = ActionRegistry.discover(svc)
    assert "get_shipping" in registry.intents  # from intents.yaml's answer, no entry point
    es = registry.run("get_shipping", request("¿cuánto tarda un envío?", "es"))
    en = registry.run("get_shipping", request("how long does shipping take?", "en"))
    assert es.kind == en.kind == "answer" and not es.error
    assert "24–48 horas en Madrid" in es.body and "https://aurora.example" in es.body and "{" not in es.body
    assert "24–48 hours in Madrid" in en.body and en.links[0].url == "https://aurora.example/envios"
    help_intents = [e["intent"] for e in HelpAction(svc).run(request("help", "en")).fields["intents"]]
    assert "get_shipping" in help_intents  # help lists every intent, plugin or not


def test_an_answer_template_with_an_unknown_field_still_answers(tmp_path: Path) -> None:
    from core.actions.answer import render_answer

    assert render_answer("Call {phone} or {nonsense}", {"phone": "123"}) == "Call 123 or —"


def test_validate_intents_reports_intents_nothing_serves(tmp_path: Path) -> None:
    import subprocess
    import sys

    data = (resource_root() / "intents.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "intents.yaml"
    bad.write_text(data.replace("  - name: get_help\n", "  - name: get_weather\n", 1).replace(
        "{shipping_cost}", "{shipping_price}"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "core", "validate-intents", str(bad)], capture_output=True, text=True)
    assert out.returncode == 1
    assert "get_weather has neither an action plugin nor an 'answer'" in out.stdout
    assert "['shipping_price'], which business.toml does not have" in out.stdout
    good = subprocess.run([sys.executable, "-m", "core", "validate-intents"], capture_output=True, text=True)
    assert good.returncode == 0 and "get_shipping: " in good.stdout and "served by answer" in good.stdout


def test_an_answer_link_must_be_http_or_mailto() -> None:
    from core.errors import DatasetError
    from core.intents import parse_dataset

    raw = {"intents": [{"name": "x", "display_name": {"es": "X", "en": "X"}, "description": {"es": "d", "en": "d"},
                        "examples": ["a b c"], "link": "javascript:alert(1)"}], "out_of_scope": {"examples": ["z"]}}
    with pytest.raises(DatasetError, match="http"):
        parse_dataset(raw)


# Issue 22: each misfire a new user met, answered from the request's slots and the locale files.
MONDAY_11 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Madrid: open 10:00–14:00, 17:00–20:30


def business_answer(tmp_path: Path, text: str, lang: str, now: datetime = MONDAY_11) -> str:
    return str(BusinessAction(services(tmp_path, now=now)).run(request(text, lang)).fields["answer"])


def test_news_about_a_topic_lists_only_that_topics_headlines(tmp_path: Path) -> None:
    result = NewsAction(services(tmp_path)).run(request("news about tech", "en"))
    on_topic = [item["title"] for item in result.fields["items"] if item["topic_match"]]
    assert result.title == "News · technology" and len(on_topic) == 5
    for title in ("Marathon record falls in windy conditions", "New bacteria found that digests plastic in seawater",
                  "Inflation eases for a third month in a row"):
        assert title not in on_topic  # they share only fillers ("in") with the request or with tech headlines


@pytest.mark.parametrize(("text", "lang"), [("what's in the news today", "en"), ("noticias con lo nuevo", "es")])
def test_fillers_never_pick_headlines(tmp_path: Path, text: str, lang: str) -> None:
    result = NewsAction(services(tmp_path)).run(request(text, lang))
    assert result.fields["topics"] == [] and result.title in ("News", "Noticias")
    items = result.fields["items"]
    assert len(items) == 8 and all(item["topic_match"] for item in items)  # the newest, none set apart
    assert [item["published"] for item in items] == sorted((item["published"] for item in items), reverse=True)


def test_news_on_a_topic_lists_its_headlines_in_either_language(tmp_path: Path) -> None:
    result = NewsAction(services(tmp_path)).run(request("¿qué hay de elecciones?", "es"))
    assert result.title == "Noticias · política"
    assert {i["title"] for i in result.fields["items"] if i["topic_match"]} == {
        "El Parlamento aprueba la nueva ley de vivienda", "Leaders meet to discuss a climate fund for coastal cities"}


def test_news_on_a_topic_no_headline_is_on_says_so_even_when_fillers_are_shared(tmp_path: Path) -> None:
    from dataclasses import replace

    (tmp_path / "sample").mkdir()
    items = "".join(f"<item><title>Nuevo récord {n} con la selección en la final</title><category>deportes</category>"
                    "</item>" for n in range(5))
    (tmp_path / "sample" / "news_feed.xml").write_text(f"<rss><channel><title>S</title>{items}</channel></rss>")
    svc = replace(services(tmp_path), resources=tmp_path)
    result = NewsAction(svc).run(request("lo nuevo en tecnología con IA", "es"))
    assert result.title == "Ahora no hay titulares de tecnología"
    assert not any(item["topic_match"] for item in result.fields["items"])  # "nuevo", "con", "en" match nothing


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("what services do you offer?", "en", "We offer: New and second-hand books, Special orders, Home delivery, Café, "
                                          "Book launches and reading clubs."),
    ("is there parking near the shop?", "en", "Parking: We have no parking of our own; there is a public car park at "
                                              "Plaza Mayor, a 4-minute walk away."),
    ("¿tienen libros de segunda mano?", "es", "Sí: Libros nuevos y de segunda mano."),
    ("¿puedo pagar con tarjeta?", "es", "Formas de pago: efectivo, tarjeta (débito y crédito), pago con el móvil, "
                                        "Bizum."),
    ("¿hacéis reparaciones?", "es", "Ese dato no está en la ficha del negocio."),  # not known: said, no hours
    ("do you do gift wrapping?", "en", "That detail is not in the business profile."),
])
def test_business_answers_services_parking_and_payment_from_the_profile(tmp_path: Path, text: str, lang: str,
                                                                        expected: str) -> None:
    assert business_answer(tmp_path, text, lang) == expected


def test_business_without_a_field_says_it_does_not_know(tmp_path: Path) -> None:
    (tmp_path / "sample").mkdir()
    text = (resource_root() / "sample" / "business.toml").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith(("parking", "payment"))]
    (tmp_path / "sample" / "business.toml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    from dataclasses import replace

    svc = replace(services(tmp_path, now=MONDAY_11), resources=tmp_path)
    result = BusinessAction(svc).run(request("is there parking near the shop?", "en"))
    assert result.fields["answer"] == "That detail is not in the business profile."


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("¿a qué hora cierran hoy?", "es", "Hoy cierra a las 14:00 y a las 20:30."),
    ("what time do you close?", "en", "Today it closes at 14:00 and 20:30."),
    ("¿cierran el sábado?", "es", "El sábado cierra a las 14:30."),
    ("when do you close on sunday?", "en", "On Sunday: closed. Opens on Monday at 10:00."),
])
def test_business_answers_the_closing_time_when_asked(tmp_path: Path, text: str, lang: str, expected: str) -> None:
    assert business_answer(tmp_path, text, lang) == expected


def test_closing_time_after_the_last_closing_says_it_has_closed(tmp_path: Path) -> None:
    monday_night = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 22:00 in Madrid
    assert business_answer(tmp_path, "¿a qué hora cierran hoy?", "es", monday_night) == \
        "Hoy ya ha cerrado (cerró a las 20:30)."


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("are you open at 12am?", "en", "Today at 00:00: closed."),  # midnight, not noon (open 10:00–14:00)
    ("¿abrís a las 12 de la noche?", "es", "Hoy a las 00:00: cerrado."),
    ("are you open at 12pm?", "en", "Today at 12:00: open (10:00–14:00)."),
    ("¿abrís a las 10 de la noche?", "es", "Hoy a las 22:00: cerrado."),
])
def test_twelve_am_and_twelve_at_night_are_midnight(tmp_path: Path, text: str, lang: str, expected: str) -> None:
    assert business_answer(tmp_path, text, lang) == expected


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("what is the business called?", "en", "The business is called Librería Café Aurora."),  # not "call": phone
    ("¿cómo se llama la tienda?", "es", "El negocio se llama Librería Café Aurora."),
    ("¿dónde puedo ver el horario?", "es", "Sí, abierto ahora hasta las 14:00."),  # "dónde" is no address here
    ("¿dónde estáis?", "es", "La dirección es Calle Mayor 12, 28013 Madrid."),
    ("how can I contact you?", "en", "Phone: +34 910 000 123 · email: hola@aurora.example."),
])
def test_whole_words_choose_the_field(tmp_path: Path, text: str, lang: str, expected: str) -> None:
    assert business_answer(tmp_path, text, lang) == expected


def test_business_card_carries_the_slots_it_answered_from(tmp_path: Path) -> None:
    text = "¿abrís mañana por la tarde?"
    result = BusinessAction(services(tmp_path, now=MONDAY_11)).run(request(text))
    assert [(s["name"], text[s["start"]:s["end"]]) for s in result.fields["slots"]] == [
        ("field", "abrís"), ("day", "mañana"), ("part_of_day", "por la tarde")]
    assert result.fields["asked"] == "hours" and result.fields["field"] == "opening"


def model_request(text: str, tagged: dict[str, str], language: str = "es") -> ActionRequest:
    """A request whose prediction carries slots the model tagged (words -> slot name), as the engine fills them."""
    from dataclasses import replace

    from core.slots import Slot

    slots = tuple(Slot(name, words, text.index(words), text.index(words) + len(words))
                  for words, name in tagged.items())
    return ActionRequest(text, replace(FakeScorer().predict(text), slots=slots), language)


def test_news_on_a_topic_only_the_model_knows_lists_the_headlines_holding_its_words(tmp_path: Path) -> None:
    # "vivienda" (housing) is in no locale topic list; the model tagged it, so the news action filters by its words
    request = model_request("¿qué noticias hay sobre vivienda?", {"vivienda": "topic"})
    result = NewsAction(services(tmp_path)).run(request)
    on_topic = [item["title"] for item in result.fields["items"] if item["topic_match"]]
    assert on_topic == ["El Parlamento aprueba la nueva ley de vivienda"]
    assert result.title == "Noticias · vivienda"


def test_news_on_an_unknown_topic_without_headlines_says_so(tmp_path: Path) -> None:
    result = NewsAction(services(tmp_path)).run(model_request("news about bitcoin", {"bitcoin": "topic"}, "en"))
    assert result.title == "No bitcoin headlines right now"
    assert not any(item["topic_match"] for item in result.fields["items"])


def test_the_business_action_answers_from_the_models_slots_over_the_rules(tmp_path: Path) -> None:
    from core.actions.business import BusinessAction

    now = datetime(2026, 11, 23, 11, 0)  # a Monday
    text = "¿a qué hora lo cerráis el sábado?"
    by_rules = BusinessAction(services(tmp_path, now=now)).run(request(text)).fields["answer"]
    by_model = BusinessAction(services(tmp_path, now=now)).run(
        model_request(text, {"cerráis": "field", "el sábado": "day"})).fields["answer"]
    assert by_model == by_rules  # the same canonical values (closing, Saturday), now from the model's spans
    assert "sábado" in str(by_model).lower()


def test_a_third_language_is_a_folder_for_the_answers_too(tmp_path: Path) -> None:
    import shutil

    from core.i18n import LocaleMessages, missing_translations, tr
    from core.slots import languages, locale_root

    root = tmp_path / "locale"
    shutil.copytree(locale_root(), root)
    shutil.copytree(root / "en", root / "fr")
    path = root / "fr" / "messages.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: News", "title: Actualités"), encoding="utf-8")
    assert languages(root) == ("en", "es", "fr")
    news = LocaleMessages("news", root)
    assert tr(news, "title", "fr") == "Actualités" and tr(news, "title", "es") == "Noticias"
    assert missing_translations(news) == []  # every key of the shipped languages is there in each
