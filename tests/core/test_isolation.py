"""core/ must run without Qt and without transformers; the engine must work with no network at all."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from core.actions.registry import builtin_action_modules
from core.assistant import Assistant
from core.context import build_context
from core.engine import Engine


def test_core_imports_neither_qt_nor_transformers() -> None:
    modules = [p.stem for p in Path("core").glob("*.py") if p.stem not in ("__main__", "api")]
    actions = builtin_action_modules(Path("pyproject.toml"))
    code = ("import sys\n" + "".join(f"import core.{m}\n" for m in modules) + f"import {', '.join(actions)}\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'transformers')]\nprint(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_works_with_sockets_disabled(tiny_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    engine = Engine(tiny_bundle)
    context = build_context()
    try:
        turn = Assistant(context, engine).handle("news today")
        result = context.actions.run("get_news", engine_request(turn))
    finally:
        context.close()
    assert not result.error and result.fields["items"]


def engine_request(turn):  # type: ignore[no-untyped-def]
    from core.actions import ActionRequest

    return ActionRequest(turn.prediction.text, turn.prediction, "en")
