"""What the user taught: light variants match, other requests never do; the CLI path is the app's path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.assistant import Assistant
from core.context import build_context
from core.memory import TeachingMemory, similarity, teach_key
from core.settings import Settings
from core.storage import Storage
from tests.core.fakes import FakeScorer

TAUGHT = "what's on at the cinema tonight?"
KNOWN = ("get_news", "get_help")


@pytest.fixture
def memory(tmp_path: Path) -> TeachingMemory:
    return TeachingMemory(Storage(tmp_path / "db.sqlite3"))


def test_keys_ignore_case_accents_punctuation_and_fillers() -> None:
    assert teach_key("¿Qué echan en el CINE, por favor?") == teach_key("que echan en cine") == "que echan en cine"
    assert teach_key("hola") == ""  # nothing left to teach


@pytest.mark.parametrize("variant", [
    "What's on at the cinema tonight", "whats on at the cinema tonight!!", "WHAT'S ON AT THE CINEMA TONIGHT?",
    "please, what's on at the cinema tonight?", "what's on at the cinemas tonight?", "tonight what's on at the cinema",
])
def test_light_variants_match(memory: TeachingMemory, variant: str) -> None:
    memory.teach(TAUGHT, "get_news", KNOWN)
    match = memory.match(variant)
    assert match is not None and match.entry.intent == "get_news"


@pytest.mark.parametrize("other", ["what's on at the theatre tomorrow?", "cinema", "what's the weather tonight?",
                                   "what are your opening hours?", "show my profile"])
def test_other_requests_do_not_match(memory: TeachingMemory, other: str) -> None:
    memory.teach(TAUGHT, "get_news", KNOWN)
    assert memory.match(other) is None


def test_forget_and_replace(memory: TeachingMemory) -> None:
    memory.teach(TAUGHT, "get_news", KNOWN)
    memory.teach("What's on at the cinema tonight", "get_help", KNOWN)  # same key: replaced, not duplicated
    assert [(e.intent) for e in memory.entries()] == ["get_help"]
    assert memory.forget("WHATS ON AT THE CINEMA TONIGHT") and memory.match(TAUGHT) is None
    assert not memory.forget(TAUGHT)


def test_similarity_is_symmetric_and_bounded() -> None:
    a, b = teach_key("opening hours tomorrow"), teach_key("tomorrow opening hours")
    assert similarity(a, b) == similarity(b, a) == 1.0
    assert 0.0 <= similarity(a, teach_key("news")) < 0.3


def test_the_assistant_routes_a_taught_request_and_says_so() -> None:
    context = build_context()
    try:
        assistant = Assistant(context, FakeScorer())
        turn = assistant.handle("play a song")
        assert turn.kind == "decline"
        assistant.correct(turn.prediction, "get_news")
        taught = assistant.handle("Play a song!")
        assert taught.kind == "act" and taught.prediction.intent == "get_news" and taught.learned
        assert assistant.handle("play a video").kind == "decline"  # nothing else changes
        assistant.undo(turn.prediction)
        assert assistant.handle("play a song").kind == "decline" and context.storage.feedback() == []
    finally:
        context.close()


def test_history_off_means_nothing_is_learned() -> None:
    context = build_context()
    try:
        context.store.replace(Settings(history_enabled=False), save=False)
        assistant = Assistant(context, FakeScorer())
        assistant.correct(assistant.handle("play a song").prediction, "get_news")
        assert context.storage.taught() == [] and assistant.handle("play a song").kind == "decline"
    finally:
        context.close()


def test_teaching_imports_no_training_stack() -> None:
    """The packaged app has no transformers: teaching and matching must not need it."""
    code = ("import sys; from core.memory import TeachingMemory; from core.assistant import Assistant; "
            "print('transformers' in sys.modules or 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, env=os.environ)


@pytest.mark.slow
def test_cli_teach_forget_and_classify_use_the_apps_database() -> None:
    assert run_cli("teach", "x y z", "get_weather").returncode == 2
    taught = run_cli("teach", TAUGHT, "get_news")
    assert taught.returncode == 0, taught.stderr
    context = build_context()  # the same OFFLINE_ASSISTANT_HOME the app uses
    try:
        assert [e.intent for e in context.storage.taught()] == ["get_news"]
    finally:
        context.close()
    classified = subprocess.run([sys.executable, "-m", "core", "classify"], input="Whats on at the cinema tonight\n",
                                capture_output=True, text=True, check=True)
    assert '"intent": "get_news"' in classified.stdout and '"learned": "20' in classified.stdout
    assert run_cli("forget", TAUGHT).returncode == 0
    classified = subprocess.run([sys.executable, "-m", "core", "classify"], input=TAUGHT + "\n",
                                capture_output=True, text=True, check=True)
    assert '"learned": ""' in classified.stdout
