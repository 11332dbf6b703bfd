from __future__ import annotations

from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pytest

from core.actions import ActionRegistry, ActionRequest, ActionResult, ActionServices
from core.actions.business import BusinessAction, Span, is_open, weekly_hours
from core.actions.help import HelpAction
from core.actions.news import NewsAction, rank_items, words_of
from core.actions.profile import ProfileAction
from core.intents import load_dataset
from core.paths import resource_root
from core.settings import Settings
from core.storage import Storage
from tests.core.fakes import FakeClassifier


def services(tmp_path: Path, now: datetime | None = None, **settings: object) -> ActionServices:
    return ActionServices(
        settings=Settings(**settings),  # type: ignore[arg-type]
        resources=resource_root(),
        storage=Storage(tmp_path / "db.sqlite3"),
        dataset=load_dataset(resource_root() / "intents.yaml"),
        now=(lambda: now) if now else datetime.now,
    )


def request(text: str, language: str = "es") -> ActionRequest:
    return ActionRequest(text, FakeClassifier().classify(text), language)


def test_news_puts_the_asked_topic_first(tmp_path: Path) -> None:
    result = NewsAction(services(tmp_path)).run(request("¿qué noticias hay de tecnología?"))
    items = result.fields["items"]
    assert result.kind == "news" and result.fields["topics"] == ["technology"]
    assert len(items) == 8
    matched = [item["topic_match"] for item in items]
    assert matched[:4] == [True] * 4  # four technology items in the sample feed, then the rest
    assert "Open-source AI" in " ".join(i["title"] for i in items[:4])
    assert all(link.url.startswith("https://") for link in result.links)


def test_news_ranking_by_topic_then_date() -> None:
    from core.actions.news import Item

    old = Item("a", "", datetime(2020, 1, 1, tzinfo=UTC), "", "s", frozenset({"sports"}), frozenset({"a"}))
    new = Item("b", "", datetime(2026, 1, 1, tzinfo=UTC), "", "s", frozenset({"science"}), frozenset({"b"}))
    assert [i.title for i, _ in rank_items([new, old], words_of("football news"))] == ["a", "b"]
    assert [i.title for i, _ in rank_items([old, new], words_of("news"))] == ["b", "a"]


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
    assert opened.fields["open_now"] is True and "Open now" in opened.body
    assert closed.fields["open_now"] is False and "Cerrado ahora" in closed.body
    assert closed.fields["week"]["domingo"] == "cerrado"
    assert opened.fields["phone"] and opened.links[0].url.startswith("https://")


def test_span_parsing_and_is_open() -> None:
    assert str(Span.parse("09:00-14:00")) == "09:00–14:00"
    with pytest.raises(ValueError, match="end before"):
        Span.parse("14:00-09:00")
    hours = weekly_hours({"hours": {"mon": ["09:00-10:00"]}})
    assert is_open(hours, datetime(2026, 11, 23, 9, 30))
    assert not is_open(hours, datetime(2026, 11, 23, 10, 0))
    assert not is_open(hours, datetime(2026, 11, 24, 9, 30))


def test_profile_reads_the_stored_profile(tmp_path: Path) -> None:
    svc = services(tmp_path)
    empty = ProfileAction(svc).run(request("mi perfil"))
    assert "Aún no hay datos" in empty.body
    assert svc.storage is not None
    svc.storage.set_profile({"name": "Ana", "email": "ana@example.org"})
    filled = ProfileAction(svc).run(request("my profile", "en"))
    assert "Name: Ana" in filled.body and filled.fields["profile"]["email"] == "ana@example.org"


def test_help_lists_every_intent_with_examples_in_the_users_language(tmp_path: Path) -> None:
    es = HelpAction(services(tmp_path)).run(request("ayuda"))
    en = HelpAction(services(tmp_path)).run(request("help", "en"))
    assert [e["intent"] for e in es.fields["intents"]] == ["get_news", "get_business_information", "get_profile",
                                                           "get_help"]
    assert es.fields["intents"][0]["name"] == "Noticias" and en.fields["intents"][0]["name"] == "News"
    assert all(len(e["examples"]) == 3 for e in es.fields["intents"] + en.fields["intents"])


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
    assert registry.intents == ("echo",)  # the broken plugin is skipped, not fatal
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
