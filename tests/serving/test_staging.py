"""Bundles staged by content on a node, and the local checks a deploy runs before it touches the cluster."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from core.bundle import MANIFEST, MODEL_FILE, read_manifest, sha256_file, write_manifest
from core.engine import EngineConfig
from core.errors import BundleCorruptError, BundleError, BundleNotFoundError
from serving.config import bundle_id
from serving.staging import load_staged, read_bundle, stage_bundle, staged_path


def test_staged_bundle_loads_and_restaging_keeps_it(tiny_bundle: Path, tmp_path: Path) -> None:
    digest = bundle_id(tiny_bundle)
    folder = stage_bundle(read_bundle(tiny_bundle), tmp_path / "stage", digest)
    assert folder == staged_path(tmp_path / "stage", digest)
    assert stage_bundle(read_bundle(tiny_bundle), tmp_path / "stage", digest) == folder
    assert [p.name for p in (tmp_path / "stage").iterdir()] == [digest]  # no scratch folder left behind
    engine = load_staged(tmp_path / "stage", digest, EngineConfig(num_threads=1))
    assert engine.score(["news today"])[0].ranking


def test_files_that_do_not_match_the_digest_are_refused(tiny_bundle: Path, tmp_path: Path) -> None:
    with pytest.raises(BundleCorruptError, match="does not match"):
        stage_bundle(read_bundle(tiny_bundle), tmp_path / "stage", "f" * 64)
    assert not (tmp_path / "stage" / ("f" * 64)).exists()


def test_a_tampered_staged_bundle_is_refused_at_load(tiny_bundle: Path, tmp_path: Path) -> None:
    digest = bundle_id(tiny_bundle)
    folder = stage_bundle(read_bundle(tiny_bundle), tmp_path / "stage", digest)
    (folder / MODEL_FILE).write_bytes(b"tampered")
    with pytest.raises(BundleCorruptError):
        load_staged(tmp_path / "stage", digest, EngineConfig())


def test_a_bundle_not_staged_on_the_node_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(BundleNotFoundError, match="deploy"):
        load_staged(tmp_path / "stage", "c" * 64, EngineConfig())


def test_local_check_refuses_a_bundle_whose_model_does_not_load(tiny_bundle: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from serving.deploy import check_bundle_locally

    broken = tmp_path / "broken"
    shutil.copytree(tiny_bundle, broken)
    (broken / MODEL_FILE).write_bytes(b"not torchscript")
    manifest = read_manifest(broken)
    write_manifest(broken, replace(manifest, files={**manifest.files, MODEL_FILE: sha256_file(broken / MODEL_FILE)}))
    with pytest.raises(BundleError, match="TorchScript"):
        check_bundle_locally(broken)
    assert set(check_bundle_locally(tiny_bundle)) == {MANIFEST, *read_manifest(tiny_bundle).files}
