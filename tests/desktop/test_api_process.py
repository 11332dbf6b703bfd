"""The desktop's API child: a token per launch, and a quit that never raises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop import api_process


def test_the_token_variable_is_the_one_the_server_reads() -> None:
    pytest.importorskip("fastapi")
    from core.api import TOKEN_ENV

    assert api_process.TOKEN_ENV == TOKEN_ENV


def test_each_launch_passes_a_fresh_token_to_the_child(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    launched: list[dict[str, str]] = []
    monkeypatch.setattr(api_process, "api_available", lambda: True)
    monkeypatch.setattr(api_process.subprocess, "Popen",
                        lambda command, cwd, env: launched.append(env) or "proc")  # type: ignore[func-returns-value]
    api_process.start_api(tmp_path, 9000)
    api_process.start_api(tmp_path, 9000)
    tokens = [env[api_process.TOKEN_ENV] for env in launched]
    assert len(tokens[0]) >= 32 and tokens[0] != tokens[1]


def test_stopping_a_child_that_ignores_terminate_kills_it_instead_of_raising() -> None:
    stubborn = subprocess.Popen([sys.executable, "-c",
                                 "import signal, sys, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                 "print('ready', flush=True)\ntime.sleep(60)"], stdout=subprocess.PIPE)
    assert stubborn.stdout is not None and stubborn.stdout.readline().strip() == b"ready"
    try:
        api_process.stop_api(stubborn, grace_s=0.5)  # type: ignore[arg-type]
        assert stubborn.poll() is not None
    finally:
        stubborn.stdout.close()
