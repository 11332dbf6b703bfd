"""The folder the app was started in is not code: children never import from it, plugins never load from it;
and an engine child that keeps failing is restarted with a backoff instead of staying down."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

from core.actions import ActionRegistry
from core.engine_process import RemoteEngine
from core.errors import EngineProcessError, EngineRestartedError
from desktop.api_process import api_available, start_api, stop_api
from tests.core.test_actions import services

HOSTILE = "import pathlib; pathlib.Path({marker!r}).write_text('imported from the working folder')\n"


@pytest.fixture
def hostile_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A working folder holding an argparse.py (imported by both children at start) that leaves a marker."""
    folder, marker = tmp_path / "downloads", tmp_path / "marker.txt"
    folder.mkdir()
    (folder / "argparse.py").write_text(HOSTILE.format(marker=str(marker)), encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder, marker


def test_the_engine_child_ignores_modules_in_the_working_folder(tiny_bundle: Path,
                                                                hostile_cwd: tuple[Path, Path]) -> None:
    _, marker = hostile_cwd
    engine = RemoteEngine(tiny_bundle, device="cpu", threads=1)
    try:
        assert engine.score(["news today"])[0].ranking
    finally:
        engine.close()
    assert not marker.exists()


def _listening(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(not api_available(), reason="needs the 'api' extra")
def test_the_api_child_ignores_modules_in_the_working_folder(tiny_bundle: Path,
                                                             hostile_cwd: tuple[Path, Path]) -> None:
    _, marker = hostile_cwd
    port = _free_port()
    process = start_api(tiny_bundle, port)
    try:
        assert _listening(port, time.monotonic() + 90), "the API child did not start"
    finally:
        stop_api(process)
    assert not marker.exists()


def test_plugins_load_only_from_installed_distributions(tmp_path: Path, hostile_cwd: tuple[Path, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder, marker = hostile_cwd
    (folder / "evil_plugin.py").write_text(HOSTILE.format(marker=str(marker)) + "class Evil:\n    pass\n",
                                           encoding="utf-8")
    info = folder / "evil_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-plugin\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[offline_assistant.actions]\nget_news = evil_plugin:Evil\n",
                                           encoding="utf-8")
    monkeypatch.syspath_prepend("")  # what `python -m core route` puts first: the working folder
    registry = ActionRegistry.discover(services(tmp_path))
    assert not marker.exists()
    assert {"get_news", "get_help", "get_profile"} <= set(registry.intents)  # the installed plugins still load
    assert type(registry.get("get_news")).__module__ == "core.actions.news"


def flaky(marker: Path, failing: int) -> list[str]:
    """A fake engine child whose first `failing` starts die at their first request; later ones answer."""
    code = ("import sys; from pathlib import Path; from tests.core.fake_engine_child import main; "
            "m = Path(sys.argv[1]); n = len(list(m.iterdir())); (m / str(n)).touch(); "
            "main('die-on-score' if n < int(sys.argv[2]) else 'ok', None)")
    return [sys.executable, "-c", code, str(marker), str(failing)]


def test_the_engine_child_is_restarted_with_backoff_after_two_kills(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    starts.mkdir()
    engine = RemoteEngine(tmp_path, command=flaky(starts, 2), restart_backoff_s=(0.0, 0.5))
    try:
        with pytest.raises(EngineRestartedError):  # first kill: restarted at once
            engine.score(["news"])
        # second kill before any success: a pause first, and asking during it does not spin a new child
        with pytest.raises(EngineProcessError, match=r"restarted with the last good model in 0\.5 s"):
            engine.score(["news"])
        with pytest.raises(EngineProcessError, match=r"not running: .* restarts in"):
            engine.score(["news"])
        time.sleep(0.6)  # the backoff pause itself: there is no signal to wait on
        assert engine.score(["news today"])[0].ranking  # up again, not down for good
        assert len(list(starts.iterdir())) == 3
    finally:
        engine.close()
