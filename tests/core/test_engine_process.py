from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from core import wire
from core.engine import Engine
from core.engine_process import RemoteEngine
from core.errors import (
    BundleNotFoundError,
    EngineProcessError,
    EngineRestartedError,
    EngineTimeoutError,
    InputTextError,
)
from core.prediction import EngineInfo, Score, Scores
from tests.core.fakes import INFO


def fake(mode: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tests.core.fake_engine_child", mode, *extra]


def test_remote_engine_scores_like_the_in_process_engine(tiny_bundle: Path, tmp_path: Path) -> None:
    remote = RemoteEngine(tiny_bundle, device="cpu", threads=1, log_path=tmp_path / "engine.log")
    try:
        local = Engine(tiny_bundle)
        assert remote.info.labels == local.info.labels and remote.info.device == "cpu"
        assert remote.info == local.info
        for text in ("news today", "ayuda"):
            a, b = remote.score([text])[0], local.score([text])[0]
            assert a.top.intent == b.top.intent and a.top.confidence == pytest.approx(b.top.confidence, abs=1e-5)
        with pytest.raises(InputTextError):
            remote.score(["   "])
        assert len(remote.score(["a", "b", "c"])) == 3
    finally:
        remote.close()


def test_a_bad_bundle_is_reported_as_the_same_typed_error(tmp_path: Path) -> None:
    with pytest.raises(BundleNotFoundError, match="does not exist"):
        RemoteEngine(tmp_path / "missing")


def test_a_model_that_never_loads_times_out(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(EngineTimeoutError, match="load the model within 1 s"):
        RemoteEngine(tmp_path, load_timeout_s=1.0, command=fake("hang-load"))
    assert time.monotonic() - started < 5


def test_garbage_before_hello_and_between_replies_is_skipped(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "engine.log"
    engine = RemoteEngine(tmp_path, command=fake("garbage"), log_path=log)
    try:
        assert engine.info == INFO
        for _ in range(3):
            assert engine.score(["news"])[0].top.intent == "get_news"
    finally:
        engine.close()
    text = log.read_text(encoding="utf-8")
    assert "loading the fake model" in text  # the child's stderr reaches the log
    assert "skipped a reply to request" in text and "skipped a line" in text


def test_a_hello_that_is_not_the_protocol_times_out_cleanly(tmp_path: Path) -> None:
    with pytest.raises(EngineTimeoutError):
        RemoteEngine(tmp_path, load_timeout_s=1.0, command=fake("bad-hello"))


def test_a_hung_request_times_out_and_the_engine_is_restarted_once(tmp_path: Path) -> None:
    (tmp_path / "marker").mkdir()
    engine = RemoteEngine(tmp_path, request_timeout_s=0.5, command=fake("hang-once", str(tmp_path / "marker")))
    try:
        started = time.monotonic()
        with pytest.raises(EngineRestartedError, match=r"did not answer within 0.5 s.*restarted"):
            engine.score(["news"])
        assert time.monotonic() - started < 5
        assert engine.score(["news"])[0].top.intent == "get_news"  # the restarted child answers
    finally:
        engine.close()


def test_a_child_that_keeps_hanging_is_not_restarted_forever(tmp_path: Path) -> None:
    engine = RemoteEngine(tmp_path, request_timeout_s=0.3, command=fake("hang-score"))
    try:
        with pytest.raises(EngineRestartedError):
            engine.score(["news"])
        with pytest.raises(EngineTimeoutError, match="already been restarted once"):
            engine.score(["news"])
        with pytest.raises(EngineProcessError, match="not running"):
            engine.score(["news"])
    finally:
        engine.close()


def test_a_child_killed_mid_request_is_restarted(tmp_path: Path) -> None:
    engine = RemoteEngine(tmp_path, command=fake("die-on-score"))
    try:
        with pytest.raises(EngineRestartedError, match="exit code 3"):
            engine.score(["news"])
        assert engine.info == INFO
    finally:
        engine.close()


def test_close_returns_quickly_even_when_the_child_hangs(tmp_path: Path) -> None:
    import threading

    engine = RemoteEngine(tmp_path, request_timeout_s=60, command=fake("hang-score"))
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            engine.score(["news"])
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=ask)
    worker.start()
    time.sleep(0.3)  # let the request reach the hanging child (nothing to wait on: it never answers)
    started = time.monotonic()
    engine.abort()
    engine.close()
    worker.join(5)
    assert time.monotonic() - started < 2.0
    assert not worker.is_alive() and isinstance(errors[0], EngineProcessError)


def test_wire_messages_round_trip_and_reject_wrong_types() -> None:
    scores = Scores("hola", (Score("a", 0.75), Score("b", 0.25)), False, 1.5)
    reply = wire.decode_reply(wire.encode(wire.ScoreReply(7, (scores,))))
    assert reply == wire.ScoreReply(7, (scores,))
    assert wire.decode_hello(wire.encode(wire.Hello(INFO))).info == INFO
    error = wire.decode_reply(wire.encode(wire.ScoreReply(3, (), wire.WireError.of(InputTextError("empty")))))
    assert isinstance(error.error.to_exception(), InputTextError)  # type: ignore[union-attr]
    for line in ('{"protocol": 2, "type": "scores", "id": 1, "scores": []}',
                 '{"protocol": 1, "type": "scores", "id": true, "scores": []}',
                 '{"protocol": 1, "type": "scores", "id": 1, "scores": [{"text": "x", "ranking": '
                 '[{"intent": "a", "confidence": NaN}], "truncated": false, "latency_ms": 1, "error": ""}]}',
                 '[' * 100_000, "not json"):
        with pytest.raises(EngineProcessError):
            wire.decode_reply(line)
    with pytest.raises(EngineProcessError):
        EngineInfo.from_json({**INFO.to_json(), "default_threshold": "0.7"})
    assert wire.WireError("SystemExit", "x").to_exception().__class__ is EngineProcessError  # not any class


def test_closing_while_a_restart_is_loading_stops_that_child(tmp_path: Path) -> None:
    """The window quits while the engine restarts (a load takes seconds): the loading child must not outlive
    the app, and the request waiting on it gets an error at once instead of the load timeout."""
    import threading

    from core.errors import EngineProcessError

    engine = RemoteEngine(tmp_path, load_timeout_s=60, command=fake("ok"))
    engine._command = fake("hang-load")  # the next start never finishes loading
    assert engine._child is not None
    engine._child.kill()
    engine._child = None  # as after a crash: the next request restarts the child
    errors: list[BaseException] = []
    asking = threading.Thread(target=lambda: errors.extend(_raised(lambda: engine.score(["hola"]))))
    asking.start()
    deadline = time.monotonic() + 10
    while engine._loading is None and time.monotonic() < deadline:
        time.sleep(0.01)  # polling: the restart has no signal to wait on
    loading = engine._loading
    assert loading is not None
    started = time.monotonic()
    engine.close()
    asking.join(10)
    assert not asking.is_alive() and time.monotonic() - started < 5
    assert errors and isinstance(errors[0], EngineProcessError)
    assert loading.proc.wait(5) is not None  # the loading child is gone


def _raised(call: object) -> list[BaseException]:
    try:
        call()  # type: ignore[operator]
    except BaseException as exc:
        return [exc]
    return []
