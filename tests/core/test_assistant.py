from __future__ import annotations

import pytest

from core.assistant import Assistant
from core.context import AppContext, build_context
from core.settings import Settings
from tests.core.fakes import FakeScorer


@pytest.fixture
def context() -> AppContext:
    ctx = build_context()
    yield ctx
    ctx.close()


def test_confident_request_runs_its_action_and_is_remembered(context: AppContext) -> None:
    turn = Assistant(context, FakeScorer()).handle("noticias de tecnología")
    assert turn.result is not None and turn.result.kind == "news" and turn.candidates == ()
    assert [(h.intent, h.action) for h in context.storage.history()] == [("get_news", "get_news")]


def test_unsure_request_offers_candidates_and_runs_nothing(context: AppContext) -> None:
    assistant = Assistant(context, FakeScorer())
    turn = assistant.handle("maybe something")
    assert turn.result is None
    # only plausible choices: get_profile at 10 % is not offered
    assert turn.kind == "clarify" and turn.band == "unsure"
    assert [c.intent for c in turn.candidates] == ["get_news", "get_help"]
    chosen = assistant.choose(turn.prediction, "get_help")
    assert chosen.kind == "help"
    assistant.none_of_these(turn.prediction)
    assert [(f.chosen, f.kind) for f in context.storage.feedback()] == [("get_help", "clarification"),
                                                                         (None, "none")]


def test_out_of_scope_is_never_routed_and_the_reply_lists_what_it_can_do(context: AppContext) -> None:
    turn = Assistant(context, FakeScorer(threshold=0.5)).handle("play a song")
    assert turn.kind == "decline" and turn.prediction.out_of_scope and turn.intent == ""
    assert turn.candidates == ()  # no 2 % "choices" under a confident out-of-scope
    assert turn.result is not None and turn.result.title == "I can't help with that"
    assert [e["intent"] for e in turn.result.fields["intents"]] == [i.name for i in context.dataset.intents]
    assert [(h.intent, h.action) for h in context.storage.history()] == [("out_of_scope", None)]


@pytest.mark.parametrize(("text", "lang", "title"), [
    ("hola", "es", "¡Hola!"), ("¡Hola, buenos días!", "es", "¡Hola!"), ("muchas gracias", "es", "¡De nada!"),
    ("hi there", "en", "Hello!"), ("thanks a lot!", "en", "You're welcome!"), ("bye", "en", "Goodbye!"),
])
def test_greetings_and_thanks_are_answered_in_the_users_language(context: AppContext, text: str, lang: str,
                                                                 title: str) -> None:
    context.store.replace(Settings(language=lang), save=False)
    turn = Assistant(context, FakeScorer()).handle(text)
    assert turn.kind == "chat" and turn.result is not None and turn.result.title.startswith(title)


@pytest.mark.parametrize(("text", "window", "title"), [
    ("muchas gracias", "en", "¡De nada!"), ("thanks a lot!", "es", "You're welcome!"), ("adiós", "en", "¡Hasta"),
])
def test_small_talk_is_answered_in_the_requests_language_where_its_words_say_which(
        context: AppContext, text: str, window: str, title: str) -> None:
    context.store.replace(Settings(language=window), save=False)
    turn = Assistant(context, FakeScorer()).handle(text)
    assert turn.kind == "chat" and turn.result is not None and turn.result.title.startswith(title)


@pytest.mark.parametrize("text", ["hola, ¿qué noticias hay?", "hi, show my profile", "ok", "thanksgiving news"])
def test_a_greeting_with_a_request_is_a_request(context: AppContext, text: str) -> None:
    assert Assistant(context, FakeScorer()).handle(text).kind != "chat"


def test_bands_name_how_sure_the_assistant_is(context: AppContext) -> None:
    assistant = Assistant(context, FakeScorer())
    assert assistant.handle("news").band == "sure"  # 95 %
    context.store.replace(Settings(threshold=0.5), save=False)
    assert assistant.handle("maybe").band == "probably"  # 50 %, acted on at a 50 % threshold


def test_correction_is_recorded(context: AppContext) -> None:
    assistant = Assistant(context, FakeScorer())
    turn = assistant.handle("news")
    result = assistant.correct(turn.prediction, "get_profile")
    assert result.kind == "profile"
    assert context.storage.feedback()[0].kind == "correction"


def test_history_off_records_nothing(context: AppContext) -> None:
    context.store.replace(Settings(history_enabled=False), save=False)
    Assistant(context, FakeScorer()).handle("news")
    assert context.storage.history() == []


def test_one_language_decision_system_means_the_system_locale(context: AppContext,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assistant = Assistant(context, FakeScorer())
    monkeypatch.setenv("LC_ALL", "es_ES.UTF-8")
    assert assistant.language == "es"
    assert assistant.handle("help me").result.title == "Esto es lo que puedo hacer"  # type: ignore[union-attr]
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert assistant.language == "en"
    context.store.replace(Settings(language="es"), save=False)
    assert assistant.language == "es"


def test_threshold_is_read_live_from_the_settings(context: AppContext) -> None:
    assistant = Assistant(context, FakeScorer())
    assert assistant.handle("maybe").result is None  # 50 % < the bundle's 70 %
    context.store.replace(Settings(threshold=0.5), save=False)
    assert assistant.handle("maybe").result is not None


def test_history_off_stores_no_feedback_either(context: AppContext) -> None:
    context.store.replace(Settings(history_enabled=False), save=False)
    assistant = Assistant(context, FakeScorer())
    turn = assistant.handle("maybe")
    assistant.choose(turn.prediction, "get_help")
    assistant.none_of_these(turn.prediction)
    assert context.storage.feedback() == [] and context.storage.history() == []


def test_a_broken_model_row_is_an_error_never_an_intent(context: AppContext) -> None:
    from core.errors import ModelOutputError
    from core.prediction import Scores

    assistant = Assistant(context, FakeScorer())
    with pytest.raises(ModelOutputError, match="NaN"):
        assistant.turn_for(Scores("x", (), error="The model returned NaN"))
