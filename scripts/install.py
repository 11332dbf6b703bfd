"""Install an exported bundle into a model folder, crash-safe and behind the regression gate.

    python -m scripts.install --staging runs/default/.model.new --target resources/model   # no gate: a copy

(`python -m scripts.train --export DIR` calls install_bundle itself.) The order of the steps is what makes it safe:
1. recover: when a kill left no `target` but `.target.old`, the old bundle is put back first;
2. verify the new bundle (manifest, hashes) before anything is touched;
3. gate: the new bundle against the last good one (the recovered one when `target` was missing);
4. swap: one atomic `renameat2(RENAME_EXCHANGE)` on Linux; elsewhere two renames, where a kill in between
   leaves `.target.old`, which step 1 of the next run (or of `recover`) restores;
5. verify what now is `target`, and only then delete the previous bundle.
A running app watching `target` never sees a half-written bundle.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from core.bundle import MANIFEST, verify_bundle
from core.errors import BundleError, InstallError

Gate = Callable[[Path, Path], bool]  # (new bundle, last good bundle) -> install it?
AT_FDCWD = -100
RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths atomically


def old_of(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def recover(target: Path) -> bool:
    """Put the previous bundle back when an interrupted swap left no `target`; True when it did."""
    old = old_of(target)
    if not target.exists() and (old / MANIFEST).is_file():
        os.rename(old, target)
        print(f"recovered the last good bundle: {old} -> {target} (an earlier install was interrupted)", flush=True)
        return True
    return False


def last_good(target: Path) -> Path | None:
    """The bundle a new one must beat: `target`, or its backup when only that survived."""
    for candidate in (target, old_of(target)):
        if (candidate / MANIFEST).is_file():
            return candidate
    return None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux renameat2); False where the OS or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # no libc by that name, or a glibc older than 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return bool(result == 0)


def _swap(staging: Path, target: Path) -> None:
    """Make `staging` the new `target`; the previous bundle ends up in `.target.old`."""
    old = old_of(target)
    if old.exists():  # a stale backup: `target` is good (recover ran first), so this copy is not the last one
        shutil.rmtree(old)
    if not target.exists():
        os.rename(staging, target)
    elif _exchange(staging, target):
        os.rename(staging, old)  # staging now holds the previous bundle
    else:
        os.rename(target, old)  # a kill right after this leaves `.target.old`: recover() restores it
        os.rename(staging, target)


def install_bundle(staging: Path, target: Path, gate: Gate | None = None, force: bool = False) -> bool:
    """Install `staging` as `target` when it verifies and passes `gate` against the last good bundle (or when
    forced). Returns False when the gate refused it (staging is kept for inspection); raises InstallError when
    the new bundle does not verify. Never deletes the last good bundle before the new one is in place."""
    staging, target = Path(staging), Path(target)
    recover(target)
    try:
        verify_bundle(staging)
    except BundleError as exc:
        raise InstallError(f"The new bundle in {staging} does not verify ({exc}); {target} was left as it is.") from exc
    current = last_good(target)
    if current is not None and gate is not None and not gate(staging, current):
        if not force:
            print(f"The new bundle was refused by the regression gate against {current}; it was not installed "
                  f"(kept in {staging} for inspection; --force installs it anyway).", flush=True)
            return False
        print("The regression gate refused the new bundle; installing it anyway (--force).", flush=True)
    _swap(staging, target)
    try:
        verify_bundle(target)
    except BundleError as exc:  # moved but not intact (a disk error, a concurrent writer): put the last one back
        if old_of(target).exists():
            broken = target.with_name(f".{target.name}.broken")
            shutil.rmtree(broken, ignore_errors=True)
            os.rename(target, broken)
            os.rename(old_of(target), target)
        raise InstallError(f"The installed bundle did not verify ({exc}); the previous bundle was put back in "
                           f"{target}.") from exc
    shutil.rmtree(old_of(target), ignore_errors=True)  # the new bundle is in place and verified
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staging", type=Path, required=True, help="an exported bundle folder")
    parser.add_argument("--target", type=Path, required=True, help="the model folder the app uses")
    args = parser.parse_args(argv)
    try:
        return 0 if install_bundle(args.staging, args.target) else 3
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
