"""The Linux menu entry: install-desktop-entry.sh for a copied folder, and the .deb (packaging/build_deb.sh).

    .venv/bin/python -m pytest tests/packaging -q

Both run on a fake built folder (shell-script executables), so no PyInstaller build is needed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from scripts.smoke_frozen import APP, deb_problems, desktop_entry, entry_problems

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SVG = ROOT / "resources" / "icons" / "assistant.svg"


def fake_build(folder: Path, console: bool = True) -> Path:
    """What scripts/build_app.sh leaves in dist/offline-assistant, with stand-in executables."""
    (folder / "_internal").mkdir(parents=True)
    (folder / "_internal" / "libstandin.so").write_bytes(b"\0")
    for name in [APP, f"{APP}-console"] if console else [APP]:
        (folder / name).write_text("#!/bin/sh\necho stand-in\n", encoding="utf-8")
        (folder / name).chmod(0o755)
    shutil.copy(PACKAGING / "install-desktop-entry.sh", folder)
    shutil.copy(PACKAGING / f"{APP}.desktop", folder)
    shutil.copy(SVG, folder / f"{APP}.svg")
    return folder


def run_installer(folder: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["bash", str(folder / "install-desktop-entry.sh"), *args], env=env, capture_output=True,
                          text=True, timeout=30)


def user_paths(home: Path) -> tuple[Path, Path]:
    data = home / ".local" / "share"
    return data / "applications" / f"{APP}.desktop", data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP}.svg"


def test_the_entry_runs_the_folder_it_was_installed_from_and_uninstall_removes_it(tmp_path: Path) -> None:
    folder = fake_build(tmp_path / "My Apps" / APP)  # a space: Exec must quote the path
    home = tmp_path / "home"
    result = run_installer(folder, home)
    assert result.returncode == 0, result.stderr
    entry, icon = user_paths(home)
    keys = desktop_entry(entry.read_text(encoding="utf-8"))
    assert shlex.split(keys["Exec"]) == [str(folder / APP)]
    assert keys["TryExec"] == str(folder / APP)
    assert keys["Icon"] == APP and icon.read_bytes() == SVG.read_bytes()
    assert entry_problems(keys, lambda p: os.access(p, os.X_OK), "user entry") == []
    if shutil.which("desktop-file-validate"):
        validated = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert validated.returncode == 0, validated.stdout + validated.stderr
    removed = run_installer(folder, home, "--uninstall")
    assert removed.returncode == 0, removed.stderr
    assert not entry.exists() and not icon.exists()


def test_running_it_again_from_a_moved_folder_points_the_entry_at_the_new_place(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = fake_build(tmp_path / "opt" / APP)
    assert run_installer(first, home).returncode == 0
    moved = tmp_path / "Applications" / APP
    moved.parent.mkdir()
    first.rename(moved)
    assert run_installer(moved, home).returncode == 0
    entry, _ = user_paths(home)
    assert shlex.split(desktop_entry(entry.read_text(encoding="utf-8"))["Exec"]) == [str(moved / APP)]


def test_a_folder_without_the_app_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    folder = fake_build(tmp_path / APP)
    (folder / APP).unlink()
    home = tmp_path / "home"
    result = run_installer(folder, home)
    assert result.returncode == 1
    assert f"Expected {folder / APP}" in result.stderr
    assert not any(path.exists() for path in user_paths(home))


def test_a_path_the_entry_cannot_hold_is_refused_with_the_fix(tmp_path: Path) -> None:
    folder = fake_build(tmp_path / "cost$HOME" / APP)
    home = tmp_path / "home"
    result = run_installer(folder, home)
    assert result.returncode == 1
    assert "move the folder" in result.stderr and not user_paths(home)[0].exists()


def test_the_comment_names_all_five_things_in_both_languages_and_a_gap_is_reported() -> None:
    keys = desktop_entry((PACKAGING / f"{APP}.desktop").read_text(encoding="utf-8"))
    keys["Exec"] = "/opt/offline-assistant/offline-assistant"  # the template names the command; see above
    assert entry_problems(keys, lambda _: True, "template") == []
    keys["Comment[es]"] = "Pregunta por noticias, horarios, tu perfil o ayuda"
    keys["Exec"] = "offline-assistant"
    problems = entry_problems(keys, lambda _: True, "template")
    assert len(problems) == 2
    assert "Exec" in problems[0] and "envíos" in problems[1]


needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed (not Debian)")


def build_deb(folder: Path, out: Path) -> Path:
    result = subprocess.run(["bash", str(PACKAGING / "build_deb.sh"), str(folder), str(out)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


@needs_dpkg
def test_the_deb_installs_the_folder_in_opt_with_a_menu_entry_icon_and_command(tmp_path: Path) -> None:
    deb = build_deb(fake_build(tmp_path / APP), tmp_path / "out")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert deb.name.startswith(f"{APP}_{version}_")
    assert deb_problems(deb) == []
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    # The per-user installer is for copied folders only; the package has its own system-wide entry.
    assert "install-desktop-entry.sh" not in listing
    assert f"./usr/bin/{APP} -> /opt/{APP}/{APP}" in listing


@needs_dpkg
def test_the_deb_check_reports_a_missing_executable(tmp_path: Path) -> None:
    deb = build_deb(fake_build(tmp_path / APP, console=False), tmp_path / "out")
    problems = deb_problems(deb)
    assert problems == [f"deb: /opt/{APP}/{APP}-console should be an executable in the package; it is missing "
                        "or not one"]
