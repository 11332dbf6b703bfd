"""The optional local API, started by the desktop app when the setting is on (off by default)."""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path

from core.engine_process import PACKAGE_ROOT, isolated_command
from core.errors import AssistantError

# core.api.TOKEN_ENV (not imported: core.api imports FastAPI, which the window never loads); a test checks they
# are the same name.
TOKEN_ENV = "OFFLINE_ASSISTANT_API_TOKEN"


def api_available() -> bool:
    """The packaged app and installs without the 'api' extra cannot serve the API (the setting is then hidden)."""
    return not getattr(sys, "frozen", False) and importlib.util.find_spec("fastapi") is not None


def start_api(model_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """Run `python -m core serve` on 127.0.0.1 as an isolated child process; raises when this build cannot."""
    if not api_available():
        raise AssistantError(
            "The local API is not part of this build (it needs the 'api' extra). Run the assistant from a source "
            "install with `pip install -e '.[api]'`, or use `python -m core serve`."
        )
    # A token of this launch: every client must send it (X-Assistant-Token), so no web page or other user's
    # process can use the API; the server writes it to <config>/api-token (0600) for the user's own programs.
    env = {**os.environ, TOKEN_ENV: secrets.token_urlsafe(32)}
    return subprocess.Popen(api_command(model_dir, port), cwd=PACKAGE_ROOT, env=env)


def api_command(model_dir: Path, port: int) -> list[str]:
    """`python -m core serve`, isolated: nothing is imported from the folder the app was started in (the child
    runs in the package folder, so the model path is made absolute)."""
    return isolated_command("core", ["serve", "--model", str(Path(model_dir).resolve()), "--port", str(port)])


def stop_api(process: subprocess.Popen[bytes] | None, grace_s: float = 5.0) -> None:
    """Stop the API child: terminate, then kill one that does not end within `grace_s` (never raises on quit)."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
