"""Bundles on the nodes, addressed by content: <stage_dir>/<sha256 of manifest.json>/ (no Ray here).

    files = read_bundle(Path("resources/model"))          # name -> bytes, after verify_bundle
    stage_bundle(files, Path("~/.cache/..."), digest)      # on each node: write, verify, rename into place
    engine = load_staged(stage_dir, digest, EngineConfig()) # in each replica

A staged folder is only ever created by an atomic rename after it verified, and a replica re-verifies it (the
manifest's digest against its folder name, every file against the manifest) before loading, so a folder
tampered with or half-copied is refused rather than served.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from core.bundle import MANIFEST, verify_bundle
from core.engine import Engine, EngineConfig
from core.errors import BundleCorruptError, BundleNotFoundError
from serving.config import bundle_id


def read_bundle(bundle_dir: Path) -> dict[str, bytes]:
    """The verified bundle's files (manifest.json and every file it lists) as bytes, to ship to the nodes."""
    manifest = verify_bundle(bundle_dir)
    return {name: (bundle_dir / name).read_bytes() for name in (MANIFEST, *manifest.files)}


def _expand(stage_dir: Path) -> Path:
    return Path(os.path.expanduser(str(stage_dir)))


def staged_path(stage_dir: Path, digest: str) -> Path:
    return _expand(stage_dir) / digest


def check_staged(folder: Path, digest: str) -> None:
    """The folder holds the bundle `digest` names, whole: raises a BundleError otherwise."""
    if not (folder / MANIFEST).is_file():
        raise BundleNotFoundError(f"Bundle {digest[:12]}… is not staged on this node ({folder} is missing); run "
                                  "`python -m serving deploy` again so every node gets it.")
    if bundle_id(folder) != digest:
        raise BundleCorruptError(f"The staged bundle {folder} does not match its name (manifest sha256 differs); "
                                 "delete the folder and deploy again.")
    verify_bundle(folder)


def stage_bundle(files: dict[str, bytes], stage_dir: Path, digest: str) -> Path:
    """Write the bundle under stage_dir/digest on this node, verified; already there and whole: kept as is."""
    if hashlib.sha256(files[MANIFEST]).hexdigest() != digest:
        raise BundleCorruptError("The bundle shipped to this node does not match its sha256; deploy again.")
    root = _expand(stage_dir)
    final = root / digest
    if final.is_dir():
        check_staged(final, digest)
        return final
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    scratch = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}-", dir=root))
    try:
        for name, data in files.items():
            (scratch / name).write_bytes(data)
        check_staged(scratch, digest)
        try:
            scratch.rename(final)
        except OSError:  # another stager (a second node on the same disk) won the race: use its copy
            check_staged(final, digest)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return final


def load_staged(stage_dir: Path, digest: str, config: EngineConfig) -> Engine:
    """The engine of a staged bundle, after checking the folder is the bundle its name says."""
    folder = staged_path(stage_dir, digest)
    check_staged(folder, digest)
    return Engine(folder, config)
