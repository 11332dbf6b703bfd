"""The engine in a child process, spoken to in JSON lines (core.wire) over stdin/stdout.

The desktop app keeps torch out of its own process: importing and loading torch holds the GIL for
hundreds of milliseconds, which would freeze the window. `RemoteEngine` is a Scorer like Engine, plus:
- every call has a deadline (load, request); a child that misses it, dies or answers garbage is stopped
  and restarted once with the last model that loaded, and the caller gets a typed error saying so;
- replies carry the request id and only the awaited one is accepted (a late reply to a timed-out request
  or a stray line from a library is logged and skipped);
- the child's stderr goes to a rotating log file in the user's data folder;
- `close()` returns within about 2 s even when the child hangs (it is killed).

    python -m core.engine_process --model resources/model [--device cpu] [--threads 1]
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from core import wire
from core.errors import EngineProcessError, EngineRestartedError, EngineTimeoutError
from core.prediction import EngineInfo, Scores

ENGINE_FLAG = "--engine-process"  # the frozen app re-runs its own executable with this flag
LOG_BYTES = 1 << 20  # engine.log rotates at 1 MB, keeping 3 old files
CLOSE_GRACE_S = 1.0  # after stdin closes the child exits by itself; past this it is killed


def _protocol_stdout() -> IO[str]:
    """The protocol's own copy of stdout; fd 1 then points at stderr, so a stray print from torch, a plugin or
    a C library can never corrupt the protocol stream."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


def serve(argv: list[str]) -> None:
    """Child side: load the engine, say hello, answer one request per line until stdin closes."""
    parser = argparse.ArgumentParser(prog="engine-process")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args(argv)
    out = _protocol_stdout()
    try:
        from core.engine import Engine, EngineConfig

        engine = Engine(args.model, EngineConfig(device=args.device, num_threads=args.threads))
    except Exception as exc:
        out.write(wire.encode(wire.Hello(None, wire.WireError.of(exc))))
        out.flush()
        return
    out.write(wire.encode(wire.Hello(engine.info)))
    for line in sys.stdin:
        try:
            request = wire.decode_request(line)
        except EngineProcessError as exc:
            print(f"engine process: ignored a malformed request: {exc}", file=sys.stderr)
            continue
        try:
            reply = wire.ScoreReply(request.id, tuple(engine.score(request.texts)))
            text = wire.encode(reply)
        except Exception as exc:
            text = wire.encode(wire.ScoreReply(request.id, (), wire.WireError.of(exc)))
        out.write(text)
    out.flush()
    os._exit(0)  # skip torch's slow interpreter teardown: every reply is already flushed


def engine_command(model: Path, device: str, threads: int) -> list[str]:
    base = [sys.executable, ENGINE_FLAG] if getattr(sys, "frozen", False) else [sys.executable, "-m", __name__]
    return [*base, "--model", str(model), "--device", device, "--threads", str(threads)]


def _log(path: Path | None) -> logging.Logger:
    """A logger of its own (not registered globally) writing to a rotating file, or discarding when no path."""
    logger = logging.Logger("engine-process")
    if path is None:
        logger.addHandler(logging.NullHandler())
        return logger
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    return logger


_EOF = object()  # what the reader thread queues when the child's stdout closes


class _Child:
    """One running engine process with reader threads for its stdout (to a queue) and stderr (to the log)."""

    def __init__(self, command: Sequence[str], log: logging.Logger) -> None:
        self.log = log
        self.lines: queue.Queue[object] = queue.Queue()
        self.proc = subprocess.Popen(
            list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", errors="replace", bufsize=1,
        )
        log.info("engine process %s started: %s", self.proc.pid, " ".join(command))
        self.readers = [threading.Thread(target=self._read_stdout, name="engine-stdout", daemon=True),
                        threading.Thread(target=self._read_stderr, name="engine-stderr", daemon=True)]
        for reader in self.readers:
            reader.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:  # each reader closes its own pipe at EOF (the child exited or was killed)
            for line in self.proc.stdout:
                self.lines.put(line)
        self.lines.put(_EOF)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        with self.proc.stderr:
            for line in self.proc.stderr:
                self.log.info("[engine %s] %s", self.proc.pid, line.rstrip()[:2000])

    def next_line(self, deadline: float, what: str) -> str:
        """The next stdout line before `deadline` (time.monotonic), else EngineTimeoutError; EOF raises."""
        try:
            item = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise EngineTimeoutError(f"The engine process did not {what} in time.") from None
        if item is _EOF:
            code = self.proc.wait()
            raise EngineProcessError(f"The engine process stopped (exit code {code}) while it should {what}.")
        assert isinstance(item, str)
        return item

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(text)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise EngineProcessError("The engine process is gone (its input pipe is closed).") from exc

    def _close_stdin(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:  # the child is gone and the pipe broken: nothing left to flush
            pass

    def _join_readers(self) -> None:
        for reader in self.readers:
            if reader is not threading.current_thread():
                reader.join(0.5)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._close_stdin()

    def close(self, grace_s: float = CLOSE_GRACE_S) -> None:
        self._close_stdin()
        try:
            self.proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.log.info("engine process %s did not exit within %.1f s: killed", self.proc.pid, grace_s)
            self.kill()
        self._join_readers()


class RemoteEngine:
    """Parent side, a Scorer: starts the child and blocks on its answers (call it from a worker thread)."""

    def __init__(
        self, model: Path, device: str = "auto", threads: int = 1, *, load_timeout_s: float = 60.0,
        request_timeout_s: float | Callable[[], float] = 10.0, log_path: Path | None = None,
        command: Sequence[str] | None = None,
    ) -> None:
        self.model = Path(model)
        self._command = list(command or engine_command(self.model, device, threads))
        self._load_timeout_s = load_timeout_s
        self._request_timeout = request_timeout_s if callable(request_timeout_s) else (lambda: request_timeout_s)
        self._log = _log(log_path)
        self._lock = threading.Lock()
        self._next_id = 0
        self._closing = False
        self._restarted_since_success = False
        self._child: _Child | None = None
        self._info = self._start()

    @property
    def info(self) -> EngineInfo:
        return self._info

    def _start(self) -> EngineInfo:
        child = _Child(self._command, self._log)
        deadline = time.monotonic() + self._load_timeout_s
        try:
            while True:
                line = child.next_line(deadline, f"load the model within {self._load_timeout_s:.0f} s")
                try:
                    hello = wire.decode_hello(line)
                    break
                except EngineProcessError as exc:
                    self._log.info("skipped before hello: %s", exc)
        except BaseException:
            child.kill()
            raise
        if hello.info is None:
            child.close()
            raise (hello.error or wire.WireError("EngineProcessError", "the engine failed to load")).to_exception()
        self._child = child
        return hello.info

    def score(self, texts: Sequence[str]) -> list[Scores]:
        with self._lock:
            if self._child is None:
                raise EngineProcessError("The engine process is not running; load a model again in Settings.")
            self._next_id += 1
            request_id = self._next_id
            timeout = self._request_timeout()
            try:
                reply = self._exchange(self._child, wire.ScoreRequest(request_id, tuple(texts)), timeout)
            except EngineProcessError as exc:
                raise self._recover(exc) from exc
            self._restarted_since_success = False
        if reply.error:
            raise reply.error.to_exception()
        if len(reply.scores) != len(texts):
            raise EngineProcessError(f"The engine answered {len(reply.scores)} scores for {len(texts)} requests.")
        return list(reply.scores)

    def _exchange(self, child: _Child, request: wire.ScoreRequest, timeout: float) -> wire.ScoreReply:
        child.send(wire.encode(request))
        deadline = time.monotonic() + timeout
        while True:
            line = child.next_line(deadline, f"answer within {timeout:g} s")
            try:
                reply = wire.decode_reply(line)
            except EngineProcessError as exc:
                self._log.info("skipped a line from the engine: %s", exc)
                continue
            if reply.id == request.id:
                return reply
            self._log.info("skipped a reply to request %s while waiting for %s", reply.id, request.id)

    def _recover(self, exc: EngineProcessError) -> EngineProcessError:
        """Stop the failed child; restart it once with the last good model. Returns the error to raise:
        EngineRestartedError when the restart worked, else the failure with what to do."""
        self._log.info("engine failure: %s", exc)
        child, self._child = self._child, None  # None already when close() ran meanwhile
        if child is not None:
            child.kill()
        if self._closing:
            return exc
        if self._restarted_since_success:
            return type(exc)(f"{exc} It had already been restarted once and failed again; "
                             "choose another model in Settings or restart the app.")
        self._restarted_since_success = True
        try:
            self._info = self._start()
        except Exception as restart_exc:
            self._log.info("restart failed: %s", restart_exc)
            return type(exc)(f"{exc} Restarting it failed too ({restart_exc}); restart the app.")
        return EngineRestartedError(f"{exc} It was restarted with the last good model ({self.model}); ask again.")

    def abort(self) -> None:
        """From any thread: stop the child now (a blocked `score` then returns at once with an error)."""
        self._closing = True
        child = self._child
        if child is not None:
            child.kill()

    def close(self) -> None:
        self._closing = True
        child, self._child = self._child, None
        if child is not None:
            child.close()
        for handler in self._log.handlers:
            handler.close()


if __name__ == "__main__":
    serve(sys.argv[1:])
