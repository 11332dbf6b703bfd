from __future__ import annotations

import pytest

from core.assistant import Assistant
from core.context import AppContext, build_context
from core.settings import Settings
from tests.core.fakes import FakeClassifier


@pytest.fixture
def context() -> AppContext:
    ctx = build_context()
    yield ctx
    ctx.close()


def test_confident_request_runs_its_action_and_is_remembered(context: AppContext) -> None:
    turn = Assistant(context, FakeClassifier()).handle("noticias de tecnología")
    assert turn.result is not None and turn.result.kind == "news" and turn.candidates == ()
    assert [(h.intent, h.action) for h in context.storage.history()] == [("get_news", "get_news")]


def test_unsure_request_offers_candidates_and_runs_nothing(context: AppContext) -> None:
    assistant = Assistant(context, FakeClassifier())
    turn = assistant.handle("maybe something")
    assert turn.result is None
    assert [c.intent for c in turn.candidates] == ["get_news", "get_help", "get_profile"]
    chosen = assistant.choose(turn.prediction, "get_help")
    assert chosen.kind == "help"
    assistant.none_of_these(turn.prediction)
    assert [(f.chosen, f.kind) for f in context.storage.feedback()] == [("get_help", "clarification"),
                                                                         (None, "none")]


def test_out_of_scope_is_never_routed(context: AppContext) -> None:
    turn = Assistant(context, FakeClassifier(threshold=0.0)).handle("play a song")
    assert turn.result is None and turn.prediction.out_of_scope
    assert "out_of_scope" not in [c.intent for c in turn.candidates]


def test_correction_is_recorded(context: AppContext) -> None:
    assistant = Assistant(context, FakeClassifier())
    turn = assistant.handle("news")
    result = assistant.correct(turn.prediction, "get_profile")
    assert result.kind == "profile"
    assert context.storage.feedback()[0].kind == "correction"


def test_history_off_records_nothing(context: AppContext) -> None:
    context.settings = Settings(history_enabled=False)
    Assistant(context, FakeClassifier()).handle("news")
    assert context.storage.history() == []


def test_reply_language_follows_setting_or_the_request(context: AppContext) -> None:
    assistant = Assistant(context, FakeClassifier())
    assert assistant.language_for("¿qué noticias hay?") == "es"
    assert assistant.language_for("what news is there") == "en"
    context.settings = Settings(language="es")
    assert assistant.language_for("what news is there") == "es"
