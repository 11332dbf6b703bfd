"""The engine in a child process, spoken to in JSON lines (core.wire) over stdin/stdout.

The desktop app keeps torch out of its own process: importing and loading torch holds the GIL for
hundreds of milliseconds, which would freeze the window. `RemoteEngine` is a Scorer like Engine, plus:
- every call has a deadline (load, request); a child that misses it, dies or answers garbage is stopped
  and restarted with the last model that loaded, and the caller gets a typed error saying so; a child that
  fails again before answering anything is restarted after a growing pause (backoff), never left down;
- the child runs isolated (`python -P`, a fixed working folder): a module such as `argparse.py` in the folder
  the app was started in is never imported;
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
# Pauses before restarting a child that failed again without a successful request in between (the last value
# repeats): a model that crashes at every request does not spin the CPU, and a passing fault heals by itself.
RESTART_BACKOFF_S: tuple[float, ...] = (0.0, 1.0, 2.0, 5.0, 10.0, 30.0)
PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the folder holding core/: the children's working folder

# `-P` keeps the working folder and the script's folder off sys.path, and the child's working folder is
# PACKAGE_ROOT, so even an empty PYTHONPATH entry means our own folder, never the user's. PACKAGE_ROOT comes
# first on sys.path, so a source checkout that is not pip-installed runs its own core/, never another installed
# package of that name. Not `-I`: it would also drop the user site-packages, where torch may be installed.
_BOOT = ("import runpy, sys; root, module = sys.argv[1:3]; sys.argv = [module, *sys.argv[3:]]; "
         "sys.path.insert(0, root); runpy.run_module(module, run_name='__main__', alter_sys=True)")


def isolated_command(module: str, args: Sequence[str]) -> list[str]:
    """`python -m module args` that imports nothing from the working folder (run it with cwd=PACKAGE_ROOT)."""
    return [sys.executable, "-P", "-c", _BOOT, str(PACKAGE_ROOT), module, *args]


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
    """The child's command line; the model path is absolute because the child runs in PACKAGE_ROOT."""
    args = ["--model", str(Path(model).resolve()), "--device", device, "--threads", str(threads)]
    if getattr(sys, "frozen", False):  # a frozen app imports only from its own bundle
        return [sys.executable, ENGINE_FLAG, *args]
    return isolated_command("core.engine_process", args)


def _log(path: Path | None) -> logging.Logger:
    """A logger of its own (not registered globally) writing to a rotating file, or discarding when no path."""
    logger = logging.Logger("engine-process")
    if path is None:
        logger.addHandler(logging.NullHandler())
        return logger
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=3,
                                                                        encoding="utf-8")
    except OSError:  # a read-only data folder: the log is optional, the engine is not
        handler = logging.NullHandler()
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
            text=True, encoding="utf-8", errors="replace", bufsize=1, cwd=PACKAGE_ROOT,
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
        command: Sequence[str] | None = None, restart_backoff_s: Sequence[float] = RESTART_BACKOFF_S,
    ) -> None:
        self.model = Path(model)
        self._command = list(command or engine_command(self.model, device, threads))
        self._load_timeout_s = load_timeout_s
        self._request_timeout = request_timeout_s if callable(request_timeout_s) else (lambda: request_timeout_s)
        self._log = _log(log_path)
        self._lock = threading.Lock()
        self._next_id = 0
        self._closing = False
        self._backoff = tuple(restart_backoff_s) or (0.0,)
        self._failures = 0  # failures since the last successful request (0: the child is healthy)
        self._next_start = 0.0  # time.monotonic() before which a down child is not restarted
        self._child: _Child | None = None
        self._loading: _Child | None = None  # a child still loading its model (abort/close stop it too)
        self._info = self._start()

    @property
    def info(self) -> EngineInfo:
        return self._info

    def _start(self) -> EngineInfo:
        child = _Child(self._command, self._log)
        self._loading = child
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
        finally:
            self._loading = None
        if self._closing:  # closed (the window quit) while it loaded: keep no model-sized child nobody will close
            child.kill()
            raise EngineProcessError("The engine was closed while it was loading its model.")
        if hello.info is None:
            child.close()
            raise (hello.error or wire.WireError("EngineProcessError", "the engine failed to load")).to_exception()
        self._child = child
        return hello.info

    def score(self, texts: Sequence[str]) -> list[Scores]:
        with self._lock:
            if self._child is None:
                self._restart_when_due()
            assert self._child is not None
            self._next_id += 1
            request_id = self._next_id
            timeout = self._request_timeout()
            try:
                reply = self._exchange(self._child, wire.ScoreRequest(request_id, tuple(texts)), timeout)
            except EngineProcessError as exc:
                raise self._recover(exc) from exc
            self._failures = 0
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

    def _pause_s(self) -> float:
        return self._backoff[min(self._failures - 1, len(self._backoff) - 1)]

    def _restart_when_due(self) -> None:
        """With the lock held and no child: start one when the backoff pause is over, else say when it will be."""
        if self._closing:
            raise EngineProcessError("The engine process was closed.")
        wait_s = self._next_start - time.monotonic()
        if wait_s > 0:
            raise EngineProcessError(f"The engine process is not running: it failed {self._failures} times in a row "
                                     f"and restarts in {wait_s:.1f} s. Ask again then, or choose another model in "
                                     "Settings.")
        try:
            self._info = self._start()
        except Exception as exc:
            self._failures += 1
            self._next_start = time.monotonic() + self._pause_s()
            self._log.info("restart failed: %s", exc)
            raise EngineProcessError(f"Restarting the engine process failed ({exc}); it is tried again in "
                                     f"{self._pause_s():.0f} s.") from exc

    def _recover(self, exc: EngineProcessError) -> EngineProcessError:
        """Stop the failed child and restart it with the last good model: at once after the first failure, after
        a growing pause (RESTART_BACKOFF_S) when it fails again before any request succeeded. Returns the error
        to raise: EngineRestartedError when the restart worked, else the failure and when it is retried."""
        self._log.info("engine failure: %s", exc)
        child, self._child = self._child, None  # None already when close() ran meanwhile
        if child is not None:
            child.kill()
        if self._closing:
            return exc
        self._failures += 1
        self._next_start = time.monotonic() + self._pause_s()
        if self._pause_s() > 0:
            return type(exc)(f"{exc} It had already been restarted once and failed again ({self._failures} times in "
                             f"a row); it is restarted with the last good model in {self._pause_s():g} s. Ask again "
                             "then, or choose another model in Settings.")
        try:
            self._restart_when_due()
        except EngineProcessError as restart_exc:
            return type(exc)(f"{exc} {restart_exc}")
        return EngineRestartedError(f"{exc} It was restarted with the last good model ({self.model}); ask again.")

    def abort(self) -> None:
        """From any thread: stop the child now (a blocked `score` then returns at once with an error)."""
        self._closing = True
        for child in (self._child, self._loading):
            if child is not None:
                child.kill()

    def close(self) -> None:
        self._closing = True
        child, self._child = self._child, None
        if child is not None:
            child.close()
        loading = self._loading
        if loading is not None:  # a restart in progress on another thread: it sees _closing and gives up
            loading.kill()
        for handler in self._log.handlers:
            handler.close()


if __name__ == "__main__":
    serve(sys.argv[1:])
