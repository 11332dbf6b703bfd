"""Smoke-test the frozen app: a read-only copy, no network, `--self-test`, size and peak memory.

    python -m scripts.smoke_frozen dist/offline-assistant
    python -m scripts.smoke_frozen dist/offline-assistant --deb dist/offline-assistant_0.3.0_amd64.deb

Fails (exit 1) when the self-test fails or the peak memory of the app and its engine process together
exceeds 450 MB; start-up times are reported against their targets (window <= 1.5 s, answer <= 5 s).
Also checks the desktop integration: the folder's install-desktop-entry.sh writes a menu entry whose Exec is
the folder's executable (and --uninstall removes it), and with --deb the package's control fields, its /opt
tree, /usr/bin link, icon and menu entry; desktop-file-validate runs on both entries when it is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tarfile
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


APP = "offline-assistant"
# What the menu entry's Comment must name, in each language: the five things the assistant does.
COMMENT_TOPICS = {"Comment": ("news", "hours", "shipping", "profile", "help"),
                  "Comment[es]": ("noticias", "horarios", "envíos", "perfil", "ayuda")}
DEB_FIELDS = ("Package", "Version", "Architecture", "Maintainer", "Depends", "Description")


def desktop_entry(text: str) -> dict[str, str]:
    """The keys of a .desktop file's [Desktop Entry] group."""
    keys: dict[str, str] = {}
    group = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
        elif group == "Desktop Entry" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            keys[key.strip()] = value.strip()
    return keys


def entry_problems(keys: dict[str, str], is_executable: Callable[[str], bool], where: str) -> list[str]:
    """Exec must name an existing executable by absolute path; the Comments must name all five topics."""
    problems = []
    exec_args = shlex.split(keys.get("Exec", ""))  # the spec's quoting is a subset of the shell's
    program = exec_args[0] if exec_args else ""
    if not program.startswith("/") or not is_executable(program):
        problems.append(f"{where}: Exec should be the absolute path of the app's executable; found {program!r}")
    for key, topics in COMMENT_TOPICS.items():
        missing = [t for t in topics if t not in keys.get(key, "").lower()]
        if missing:
            problems.append(f"{where}: {key} should mention {', '.join(missing)}; found {keys.get(key)!r}")
    return problems


def validate_desktop_file(path: Path, where: str) -> list[str]:
    """desktop-file-validate's complaints, or none (with a note) where the tool is not installed."""
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        print(f"desktop entry ({where}): desktop-file-validate not installed (apt package desktop-file-utils), "
              "skipped")
        return []
    result = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=30)
    output = (result.stdout + result.stderr).strip()
    print(f"desktop entry ({where}): desktop-file-validate {'passed' if result.returncode == 0 else 'FAILED'}")
    return [f"{where}: desktop-file-validate: {output}"] if result.returncode != 0 else []


def installer_problems(dist: Path) -> list[str]:
    """The folder's install-desktop-entry.sh, run with a scratch HOME: entry, icon, then --uninstall."""
    script = dist / "install-desktop-entry.sh"
    if not script.is_file():
        return [f"the folder has no {script.name} (scripts/build_app.sh copies it from packaging/)"]
    home = Path(tempfile.mkdtemp(prefix="desktop-home-"))
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    try:
        subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True, timeout=30)
        entry = home / ".local/share/applications" / f"{APP}.desktop"
        icon = home / ".local/share/icons/hicolor/scalable/apps" / f"{APP}.svg"
        if not entry.is_file() or not icon.is_file():
            return [f"{script.name} wrote no entry at {entry} or no icon at {icon}"]
        keys = desktop_entry(entry.read_text(encoding="utf-8"))
        problems = entry_problems(keys, lambda p: os.access(p, os.X_OK) and Path(p) == dist / APP, "user entry")
        problems += validate_desktop_file(entry, "user entry")
        subprocess.run(["bash", str(script), "--uninstall"], env=env, check=True, capture_output=True, timeout=30)
        if entry.exists() or icon.exists():
            problems.append(f"{script.name} --uninstall left {entry} or {icon} behind")
        return problems
    except subprocess.CalledProcessError as exc:
        return [f"{script.name} failed (exit {exc.returncode}): {exc.stderr.decode(errors='replace')[-500:]}"]
    finally:
        shutil.rmtree(home)


def deb_members(deb: Path) -> tuple[dict[str, tarfile.TarInfo], dict[str, str]]:
    """The package's files by path (no leading ./) and the text of its .desktop files, in one streamed pass."""
    members: dict[str, tarfile.TarInfo] = {}
    entries: dict[str, str] = {}
    with subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None  # stdout=PIPE
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for info in tar:
                name = info.name.removeprefix("./").rstrip("/")
                members[name] = info
                if name.endswith(".desktop") and info.isfile():
                    data = tar.extractfile(info)
                    entries[name] = data.read().decode("utf-8") if data else ""
    return members, entries


def deb_problems(deb: Path) -> list[str]:
    """Control fields, the /opt tree's executables, the /usr/bin link, the icon and the menu entry's Exec."""
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), *DEB_FIELDS], capture_output=True, text=True, timeout=60,
                            check=True).stdout
    present = {line.split(":", 1)[0] for line in fields.splitlines() if ":" in line and not line.startswith(" ")}
    problems = [f"deb: control field {f} is missing" for f in DEB_FIELDS if f not in present]
    members, entries = deb_members(deb)

    def is_executable(path: str) -> bool:
        info = members.get(path.lstrip("/"))
        if info is not None and info.issym():  # the package's own links, absolute as dpkg installs them
            info = members.get(info.linkname.lstrip("/"))
        return info is not None and info.isfile() and bool(info.mode & 0o111)

    for program in (f"/opt/{APP}/{APP}", f"/opt/{APP}/{APP}-console", f"/usr/bin/{APP}"):
        if not is_executable(program):
            problems.append(f"deb: {program} should be an executable in the package; it is missing or not one")
    if not any(name.startswith(f"opt/{APP}/_internal/") for name in members):
        problems.append(f"deb: /opt/{APP}/_internal (the app's libraries) is missing")
    if not any(name.startswith("usr/share/icons/hicolor/") and name.endswith(f"/apps/{APP}.svg") for name in members):
        problems.append(f"deb: no hicolor icon {APP}.svg")
    entry_name = f"usr/share/applications/{APP}.desktop"
    if entry_name not in entries:
        return [*problems, f"deb: the menu entry /{entry_name} is missing"]
    problems += entry_problems(desktop_entry(entries[entry_name]), is_executable, "deb entry")
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / f"{APP}.desktop"
        copy.write_text(entries[entry_name], encoding="utf-8")
        problems += validate_desktop_file(copy, "deb entry")
    size = deb.stat().st_size / 2**20
    print(f"deb: {deb.name} {size:.0f} MB, {len(members)} entries, Exec /opt/{APP}/{APP}, /usr/bin/{APP} link")
    return problems


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.smoke_frozen", description=__doc__.splitlines()[0])
    parser.add_argument("dist", nargs="?", default=f"dist/{APP}", help="the built folder")
    parser.add_argument("--deb", type=Path, help="also check this .deb (made by scripts/build_app.sh --deb)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    dist = Path(args.dist).resolve()
    size = folder_mb(dist)
    print(f"size: {size:.0f} MB (budget {SIZE_BUDGET_MB} MB)")
    for name, mb in biggest_parts(dist):
        print(f"  {mb:8.1f} MB  {name}")
    problems = contents_problems(dist) + installer_problems(dist)
    if args.deb is not None:
        problems += deb_problems(args.deb)
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
    p50 = report.get("answer_ms_p50")
    p50_text = f"{p50:.1f}" if isinstance(p50, (int, float)) else "n/a"  # None when no answer came back
    print(f"window shown {report['window_shown_s']:.2f} s (target 1.5), first answer {report['first_answer_s']:.2f} s "
          f"(target 5.0), answer p50 {p50_text} ms, model ready {report['model_ready_s']:.2f} s, "
          f"peak RSS {peak:.0f} MB "
          f"(budget {PEAK_RSS_BUDGET_MB}), event-loop stall {report['max_event_loop_stall_ms']} ms")
    ok = size <= SIZE_BUDGET_MB and peak <= PEAK_RSS_BUDGET_MB and not problems
    print("frozen smoke test: " + ("passed" if ok else "FAILED (size or memory over budget, or contents)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
