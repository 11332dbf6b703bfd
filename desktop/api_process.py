"""The optional local API, started by the desktop app when the setting is on (off by default)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from core.errors import AssistantError


def api_available() -> bool:
    """The packaged app and installs without the 'api' extra cannot serve the API (the setting is then hidden)."""
    return not getattr(sys, "frozen", False) and importlib.util.find_spec("fastapi") is not None


def start_api(model_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """Run `python -m core serve` on 127.0.0.1 as a child process; raises when this build cannot."""
    if not api_available():
        raise AssistantError(
            "The local API is not part of this build (it needs the 'api' extra). Run the assistant from a source "
            "install with `pip install -e '.[api]'`, or use `python -m core serve`."
        )
    return subprocess.Popen([sys.executable, "-m", "core", "serve", "--model", str(model_dir), "--port", str(port)])


def stop_api(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait(timeout=10)
