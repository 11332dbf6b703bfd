"""Installing a bundle survives a kill at any step, and the gate always runs against the last good bundle."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from core.bundle import MANIFEST
from core.errors import BundleCorruptError, InstallError
from scripts import install
from scripts.install import install_bundle, old_of


def tagged(tiny_bundle: Path, folder: Path, tag: str) -> Path:
    """A copy of the tiny bundle told apart by its manifest's created_at (not covered by the file hashes)."""
    shutil.copytree(tiny_bundle, folder)
    path = folder / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    data["created_at"] = tag
    path.write_text(json.dumps(data), encoding="utf-8")
    return folder


def tag_of(folder: Path) -> str:
    return str(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["created_at"])


class Killed(BaseException):
    """Stands for kill -9 between two steps (BaseException: no `except Exception` may swallow it)."""


def kill_at_second_rename(monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = os.rename, []

    def rename(src: object, dst: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise Killed
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(install, "_exchange", lambda a, b: False)  # the two-rename path (no RENAME_EXCHANGE)
    monkeypatch.setattr(install.os, "rename", rename)


def test_a_kill_between_the_renames_is_recovered_and_the_next_install_is_still_gated(
        tiny_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tagged(tiny_bundle, tmp_path / "model", "good")
    kill_at_second_rename(monkeypatch)
    with pytest.raises(Killed):
        install_bundle(tagged(tiny_bundle, tmp_path / ".model.new", "first"), target, lambda new, cur: True)
    assert not target.exists() and old_of(target).is_dir()  # what the kill -9 left behind
    monkeypatch.undo()

    gated: list[tuple[str, str]] = []

    def refuse_poison(new: Path, current: Path) -> bool:
        gated.append((tag_of(new), tag_of(current)))
        return False

    poisoned = tagged(tiny_bundle, tmp_path / "poisoned", "poisoned")
    assert not install_bundle(poisoned, target, refuse_poison)
    assert gated == [("poisoned", "good")]  # the gate ran, against the recovered last good bundle
    assert tag_of(target) == "good" and poisoned.is_dir()


def test_recovery_alone_restores_the_last_good_bundle(tiny_bundle: Path, tmp_path: Path) -> None:
    target = tmp_path / "model"
    tagged(tiny_bundle, old_of(target), "good")
    assert install.recover(target) and tag_of(target) == "good" and not old_of(target).exists()
    assert install.last_good(target) == target


def test_an_install_that_passes_swaps_atomically_and_keeps_no_backup(tiny_bundle: Path, tmp_path: Path) -> None:
    target = tagged(tiny_bundle, tmp_path / "model", "good")
    assert install_bundle(tagged(tiny_bundle, tmp_path / ".model.new", "newer"), target, lambda new, cur: True)
    assert tag_of(target) == "newer" and not old_of(target).exists() and not (tmp_path / ".model.new").exists()


def test_a_bundle_that_does_not_verify_never_touches_the_target(tiny_bundle: Path, tmp_path: Path) -> None:
    target = tagged(tiny_bundle, tmp_path / "model", "good")
    broken = tagged(tiny_bundle, tmp_path / ".model.new", "broken")
    (broken / "model.pt").write_bytes(b"changed after export")
    with pytest.raises(InstallError, match="does not verify"):
        install_bundle(broken, target, lambda new, cur: True)
    assert tag_of(target) == "good"


def test_train_export_goes_through_the_crash_safe_install(tiny_run: Path, tiny_bundle: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import scripts.train as train_module
    from scripts import feedback

    target = tmp_path / "model"
    tagged(tiny_bundle, old_of(target), "good")  # a previous install was killed between its renames
    seen: list[str] = []
    monkeypatch.setattr(feedback, "regression_gate",
                        lambda new, cur, splits: (seen.append(tag_of(cur)) or False, {}))  # type: ignore[func-returns-value]
    assert not train_module.export_gated(tiny_run, target)
    assert seen == ["good"] and tag_of(target) == "good"


def test_a_bundle_that_fails_verification_once_moved_is_rolled_back(tiny_bundle: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    target = tagged(tiny_bundle, tmp_path / "model", "good")
    real, calls = install.verify_bundle, []

    def fails_after_the_swap(folder: Path) -> object:
        calls.append(folder)
        if len(calls) == 2:  # the first call checks staging; the second, the moved bundle
            raise BundleCorruptError("a byte changed on the way")
        return real(folder)

    monkeypatch.setattr(install, "verify_bundle", fails_after_the_swap)
    with pytest.raises(InstallError, match="put back"):
        install_bundle(tagged(tiny_bundle, tmp_path / ".model.new", "newer"), target, lambda new, cur: True)
    assert tag_of(target) == "good" and not old_of(target).exists()
