"""A model bundle is code: a model.pt with ops the export never writes is refused before any of it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from core.bundle import MODEL_FILE, sha256_file
from core.engine import Engine
from core.errors import BundleCodeError
from core.graph_check import check_archive, check_graph_ops
from tests.security.test_bundle import edit, files_of

ROOT = Path(__file__).resolve().parents[2]
UNTOUCHED = b"\0" * 8


class Writer(torch.nn.Module):
    """Writes 'A' through a shared file mapping, then answers like a model (uniform probabilities)."""

    def __init__(self, path: str, labels: int) -> None:
        super().__init__()
        self.path = path
        self.labels = labels

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        page = torch.from_file(self.path, shared=True, size=8, dtype=torch.uint8)
        page.fill_(65)
        return torch.full((ids.shape[0], self.labels), 1.0 / self.labels) + page.sum() * 0


class HiddenWriter(torch.nn.Module):
    """The same write, in a submodule's branch that only runs on the first request."""

    def __init__(self, path: str, labels: int) -> None:
        super().__init__()
        self.inner = Writer(path, labels)
        self.labels = labels

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if bool(ids.sum() >= 0):
            return self.inner(ids, mask)
        return torch.full((ids.shape[0], self.labels), 1.0 / self.labels)


class Printer(torch.nn.Module):
    def __init__(self, labels: int) -> None:
        super().__init__()
        self.labels = labels

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        print("hello from the bundle")
        return torch.full((ids.shape[0], self.labels), 1.0 / self.labels)


class StateWriter(torch.nn.Module):
    """Its TorchScript __setstate__ runs inside torch.jit.load, before any graph can be looked at."""

    def __init__(self, path: str, labels: int) -> None:
        super().__init__()
        self.path = path
        self.labels = labels

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.full((ids.shape[0], self.labels), 1.0 / self.labels)

    @torch.jit.export
    def __getstate__(self) -> tuple[str, int]:
        return self.path, self.labels

    @torch.jit.export
    def __setstate__(self, state: tuple[str, int]) -> None:
        self.path, self.labels = state
        page = torch.from_file(self.path, shared=True, size=8, dtype=torch.uint8)
        page.fill_(66)
        self.labels = self.labels + int(page.sum()) * 0
        self.training = False


def hostile_bundle(bundle: Path, module: torch.nn.Module) -> Path:
    torch.jit.script(module).save(str(bundle / MODEL_FILE))  # type: ignore[no-untyped-call]
    edit(bundle, files={**files_of(bundle), MODEL_FILE: sha256_file(bundle / MODEL_FILE)},
         quantization={"linear": "fp32"})
    return bundle


def labels_of(bundle: Path) -> int:
    import json

    return len(json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["labels"])


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.bin"
    path.write_bytes(UNTOUCHED)
    return path


@pytest.mark.parametrize("make", [Writer, HiddenWriter])
def test_a_model_that_writes_a_file_is_refused_and_the_file_is_untouched(bundle_copy: Path, victim: Path,
                                                                         make: type[torch.nn.Module]) -> None:
    hostile_bundle(bundle_copy, make(str(victim), labels_of(bundle_copy)))
    with pytest.raises(BundleCodeError, match=r"aten::from_file.*the export never writes; refuse it"):
        Engine(bundle_copy)
    assert victim.read_bytes() == UNTOUCHED


def test_a_setstate_that_writes_is_refused_before_torch_loads_the_file(bundle_copy: Path, victim: Path) -> None:
    hostile_bundle(bundle_copy, StateWriter(str(victim), labels_of(bundle_copy)))
    with pytest.raises(BundleCodeError, match="__setstate__"):
        Engine(bundle_copy)
    assert victim.read_bytes() == UNTOUCHED


def test_printing_is_refused(bundle_copy: Path) -> None:
    hostile_bundle(bundle_copy, Printer(labels_of(bundle_copy)))
    with pytest.raises(BundleCodeError, match="prim::Print"):
        Engine(bundle_copy)


def test_a_script_class_object_is_refused() -> None:
    @torch.jit.script
    class Box:  # a TorchScript class: code the export never writes, whatever its ops
        def __init__(self, scale: float) -> None:
            self.scale = scale

    class Holder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.box = Box(2.0)

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return ids.float() * self.box.scale

    with pytest.raises(BundleCodeError, match=r"class __torch__.*Box"):
        check_graph_ops(torch.jit.script(Holder()))


def test_the_cli_refuses_a_writing_model_with_exit_2(bundle_copy: Path, victim: Path) -> None:
    hostile_bundle(bundle_copy, Writer(str(victim), labels_of(bundle_copy)))
    done = subprocess.run([sys.executable, "-m", "core", "classify", "--model", str(bundle_copy)], input="hola\n",
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "aten::from_file" in done.stderr and "Traceback" not in done.stderr
    assert victim.read_bytes() == UNTOUCHED


def test_a_corrupt_archive_is_a_bundle_code_error(tmp_path: Path) -> None:
    (tmp_path / MODEL_FILE).write_bytes(b"not a zip")
    with pytest.raises(BundleCodeError, match="not a TorchScript archive"):
        check_archive(tmp_path / MODEL_FILE)


def test_what_the_export_writes_passes(tiny_bundle: Path) -> None:
    check_archive(tiny_bundle / MODEL_FILE)
    check_graph_ops(torch.jit.load(str(tiny_bundle / MODEL_FILE)))  # type: ignore[no-untyped-call]
    assert Engine(tiny_bundle).labels  # and the engine still loads it


def test_the_shipped_bundle_passes() -> None:
    shipped = ROOT / "resources" / "model" / MODEL_FILE
    if not shipped.is_file():
        pytest.skip("no shipped bundle in this checkout")
    check_archive(shipped)
    check_graph_ops(torch.jit.load(str(shipped)))  # type: ignore[no-untyped-call]


def test_a_pickle_that_takes_a_global_from_its_memo_behind_decoys_is_refused(tmp_path: Path) -> None:
    """STACK_GLOBAL reads its module and name from the stack: "os"/"system" kept in the memo, then harmless
    "torch"/"FloatStorage" pushed and popped, would pass a check that only looks at the last strings seen."""
    import zipfile

    from core.errors import BundleCodeError
    from core.graph_check import check_archive

    hostile = (b"\x80\x04" + b"\x8c\x02os\x94\x8c\x06system\x94"  # into the memo
               + b"\x8c\x05torch\x8c\x0cFloatStorage00"  # decoys, popped
               + b"h\x00h\x01\x93.")  # BINGET 0, BINGET 1, STACK_GLOBAL
    archive = tmp_path / "model.pt"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("model/data.pkl", hostile)
    with pytest.raises(BundleCodeError, match="refuse it"):
        check_archive(archive)
