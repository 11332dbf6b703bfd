"""The engine in a child process, spoken to in JSON lines over stdin/stdout.

The desktop app keeps torch out of its own process: importing and loading torch holds the GIL for
hundreds of milliseconds, which would freeze the window. `RemoteEngine` offers Engine's interface.

    python -m core.engine_process --model resources/model [--device cpu] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from core import errors
from core.policy import ClarificationPolicy
from core.prediction import Prediction

ENGINE_FLAG = "--engine-process"  # the frozen app re-runs its own executable with this flag


def _error_json(exc: BaseException) -> dict[str, str]:
    kind = type(exc).__name__ if isinstance(exc, errors.AssistantError) else "AssistantError"
    return {"type": kind, "message": str(exc)}


def _reply(out: IO[str], payload: dict[str, Any]) -> None:
    out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    out.flush()


def serve(argv: list[str]) -> None:
    """Child side: load the engine, announce readiness, answer one request per line until EOF."""
    parser = argparse.ArgumentParser(prog="engine-process")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args(argv)
    out = sys.stdout
    try:
        from core.engine import Engine, EngineConfig

        engine = Engine(args.model, EngineConfig(device=args.device, num_threads=args.threads))
    except Exception as exc:
        _reply(out, {"ready": False, "error": _error_json(exc)})
        return
    manifest = engine.manifest
    _reply(out, {"ready": True, "labels": list(engine.labels), "oos": list(engine.out_of_scope_labels),
                 "device": engine.device.type, "threshold": engine.policy.threshold,
                 "cuda_available": engine.cuda_available,
                 "display_names": {label.name: label.display_name for label in manifest.labels}})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "threshold":
                engine.with_policy(ClarificationPolicy(threshold=float(request["threshold"])))
                _reply(out, {"id": request["id"], "ok": True})
            else:
                _reply(out, {"id": request["id"], "ok": True,
                             "prediction": engine.classify(request["text"]).to_json()})
        except Exception as exc:
            _reply(out, {"id": request["id"], "ok": False, "error": _error_json(exc)})
    out.flush()
    os._exit(0)  # skip torch's slow interpreter teardown: every reply is already flushed


def engine_command(model: Path, device: str, threads: int) -> list[str]:
    base = [sys.executable, ENGINE_FLAG] if getattr(sys, "frozen", False) else [sys.executable, "-m", __name__]
    return [*base, "--model", str(model), "--device", device, "--threads", str(threads)]


def _raise(error: dict[str, str]) -> None:
    kind = getattr(errors, error.get("type", ""), errors.AssistantError)
    if not (isinstance(kind, type) and issubclass(kind, errors.AssistantError)):
        kind = errors.AssistantError
    raise kind(error.get("message", "unknown engine error"))


class RemoteEngine:
    """Parent side: starts the child and blocks on its answers (call it from a worker thread)."""

    def __init__(self, model: Path, device: str = "auto", threads: int = 1) -> None:
        self._lock = threading.Lock()
        self._next_id = 0
        self._proc = subprocess.Popen(
            engine_command(model, device, threads), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, encoding="utf-8", bufsize=1,
        )
        hello = self._read()
        if not hello.get("ready"):
            self.close()
            _raise(hello.get("error", {}))
        self.labels: tuple[str, ...] = tuple(hello["labels"])
        self.out_of_scope_labels: tuple[str, ...] = tuple(hello["oos"])
        self.device: str = hello["device"]
        self.threshold: float = hello["threshold"]
        self.display_names: dict[str, dict[str, str]] = hello["display_names"]
        self.cuda_available: bool = hello["cuda_available"]

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise errors.EngineProcessError(
                f"The engine process stopped (exit code {self._proc.poll()}); restart the app or check the model."
            )
        try:
            payload: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError as exc:
            raise errors.EngineProcessError(f"The engine process answered unreadable output: {line[:80]!r}") from exc
        return payload

    def _call(self, payload: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            assert self._proc.stdin is not None
            self._next_id += 1
            try:
                self._proc.stdin.write(json.dumps({"id": self._next_id, **payload}) + "\n")
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise errors.EngineProcessError("The engine process is gone; restart the app.") from exc
            reply = self._read()
        if not reply.get("ok"):
            _raise(reply.get("error", {}))
        return reply

    def classify(self, text: str) -> Prediction:
        return Prediction.from_json(self._call({"op": "classify", "text": text})["prediction"])

    def set_threshold(self, threshold: float) -> None:
        self._call({"op": "threshold", "threshold": threshold})
        self.threshold = threshold

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()


if __name__ == "__main__":
    serve(sys.argv[1:])
