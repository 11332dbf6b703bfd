"""Smoke-test the frozen app: a read-only copy, no network, `--self-test`, size and peak memory.

    python -m scripts.smoke_frozen dist/offline-assistant

Fails (exit 1) when the self-test fails or the peak memory of the app and its engine process together
exceeds 450 MB; start-up times are reported against their targets (window <= 1.5 s, answer <= 5 s).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

PEAK_RSS_BUDGET_MB = 450
SIZE_BUDGET_MB = 700
DEV_PACKAGES = ("pytest", "_pytest", "pluggy", "hypothesis", "schemathesis", "pytestqt", "mypy", "ruff", "transformers")


def contents_problems(dist: Path) -> list[str]:
    """Test and dev packages (modules or metadata) must not ship; Qt's Spanish catalogue must."""
    problems = []
    for path in dist.rglob("*"):
        name = path.name.split("-")[0] if path.name.endswith(".dist-info") else path.name
        if path.is_dir() and name in DEV_PACKAGES:
            problems.append(f"a test or dev package is inside: {path.relative_to(dist)}")
    if not list(dist.rglob("qtbase_es.qm")):
        problems.append("Qt's Spanish catalogue (qtbase_es.qm) is missing: standard buttons would be English")
    return problems


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 2**20


def biggest_parts(root: Path, count: int = 8) -> list[tuple[str, float]]:
    internal = root / "_internal"
    parts = [(p.relative_to(root).as_posix(), folder_mb(p) if p.is_dir() else p.stat().st_size / 2**20)
             for p in [*internal.iterdir(), *(internal / "torch").iterdir(), *(internal / "torch" / "lib").iterdir()]]
    return sorted(parts, key=lambda x: -x[1])[:count]


def read_only_copy(dist: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="frozen-ro-")) / dist.name
    shutil.copytree(dist, target, symlinks=True)
    for path in [target, *target.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return target


def no_network_prefix() -> list[str]:
    """Run in a fresh network namespace (only a down loopback) when the machine allows it."""
    for prefix in (["unshare", "--net"], ["unshare", "--map-root-user", "--net"]):
        if shutil.which("unshare") and subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return []


def run_measured(command: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    proc = psutil.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()) / 2**20)
        except psutil.Error:
            pass  # a process ended between listing and reading: the next sample sees the rest
        time.sleep(0.02)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(command, proc.returncode, out, err), peak


def _writable_then_retry(remove: Callable[[str], object], path: str, _exc: object) -> None:
    """rmtree's error handler for the read-only copy: make the parent folder writable, then retry."""
    os.chmod(Path(path).parent, 0o755)
    remove(path)


def main(argv: list[str]) -> int:
    dist = Path(argv[0] if argv else "dist/offline-assistant").resolve()
    size = folder_mb(dist)
    print(f"size: {size:.0f} MB (budget {SIZE_BUDGET_MB} MB)")
    for name, mb in biggest_parts(dist):
        print(f"  {mb:8.1f} MB  {name}")
    problems = contents_problems(dist)
    for problem in problems:
        print(f"contents: {problem}")
    app = read_only_copy(dist)
    home = Path(tempfile.mkdtemp(prefix="frozen-home-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), PATH="/usr/bin:/bin")
    prefix = no_network_prefix()
    print(f"network: {'disabled (' + ' '.join(prefix) + ')' if prefix else 'NOT disabled (unshare unavailable)'}")
    result, peak = run_measured([*prefix, str(app / "offline-assistant-console"), "--self-test"], env)
    shutil.rmtree(app.parent, onerror=_writable_then_retry)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        print(f"self-test failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}")
        return 1
    report = json.loads(lines[-1])
    print(f"window shown {report['window_shown_s']:.2f} s (target 1.5), first answer {report['first_answer_s']:.2f} s "
          f"(target 5.0), answer p50 {report['answer_ms_p50']} ms, model ready {report['model_ready_s']:.2f} s, "
          f"peak RSS {peak:.0f} MB "
          f"(budget {PEAK_RSS_BUDGET_MB}), event-loop stall {report['max_event_loop_stall_ms']} ms")
    ok = size <= SIZE_BUDGET_MB and peak <= PEAK_RSS_BUDGET_MB and not problems
    print("frozen smoke test: " + ("passed" if ok else "FAILED (size or memory over budget)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
