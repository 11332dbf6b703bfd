from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.engine import Engine, EngineConfig, resolve_device
from core.errors import DeviceError, InputTextError
from core.policy import ClarificationPolicy
from core.prediction import Prediction


@pytest.fixture(scope="module")
def engine(tiny_bundle: Path) -> Engine:
    return Engine(tiny_bundle)


def classify(engine: Engine, text: str, threshold: float | None = None) -> Prediction:
    policy = ClarificationPolicy(engine.info.default_threshold if threshold is None else threshold)
    return policy.decide(engine.score([text])[0], engine.info.out_of_scope_labels)


def test_scores_carry_every_label_ranked(engine: Engine) -> None:
    s = engine.score(["news today"])[0]
    assert {x.intent for x in s.ranking} == set(engine.labels)
    assert [x.confidence for x in s.ranking] == sorted((x.confidence for x in s.ranking), reverse=True)
    assert sum(x.confidence for x in s.ranking) == pytest.approx(1.0, abs=1e-4)
    assert s.latency_ms > 0 and not s.error
    p = classify(engine, "news today")
    assert (p.intent, p.confidence) == (s.top.intent, s.top.confidence)
    assert p.needs_clarification == (p.out_of_scope or p.confidence < engine.info.default_threshold)


# int8 (dynamic) layers quantize activations with one scale per call, so a request's scores move slightly with
# the batch it shares (measured ~3e-5 on the tiny model); fp32 layers give the same numbers either way.
@pytest.mark.parametrize(("bundle_fixture", "tolerance"), [("tiny_bundle", 1e-3), ("tiny_bundle_fp32", 1e-5)])
def test_batch_matches_single_requests(bundle_fixture: str, tolerance: float, request: pytest.FixtureRequest) -> None:
    engine = Engine(request.getfixturevalue(bundle_fixture))
    texts = ["news today", "help me please now", "hola"]
    batch = engine.score(texts)
    for text, in_batch in zip(texts, batch, strict=True):
        alone = engine.score([text])[0]
        assert in_batch.top.intent == alone.top.intent
        assert in_batch.top.confidence == pytest.approx(alone.top.confidence, abs=tolerance)


def test_long_requests_are_cut_and_flagged(engine: Engine) -> None:
    assert engine.score(["news " * 300])[0].truncated
    assert engine.score(["word " * 150])[0].truncated  # fewer than 200 words but past the token budget
    assert not engine.score(["news today"])[0].truncated


def test_empty_request_is_an_input_error(engine: Engine) -> None:
    with pytest.raises(InputTextError):
        engine.score(["   "])


def test_policy_threshold_changes_the_decision(engine: Engine) -> None:
    p = classify(engine, "news today", threshold=0.0)
    assert p.needs_clarification == p.out_of_scope
    assert classify(engine, "news today", threshold=1.0).needs_clarification


def test_cuda_request_without_a_gpu_is_a_device_error() -> None:
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(DeviceError, match="no CUDA"):
        resolve_device("cuda")
    with pytest.raises(DeviceError):
        resolve_device("tpu")
    assert resolve_device("auto").type == "cpu"


def test_an_int8_bundle_runs_on_the_cpu_and_names_the_gpu_export(engine: Engine) -> None:
    assert engine.manifest.devices == ("cpu",)
    assert engine.manifest.quantization["linear"] == "int8-dynamic-per-channel"
    assert engine.device.type == "cpu"  # also where CUDA exists: "auto" never picks a device the graph lacks
    assert engine.quantized_engine in torch.backends.quantized.supported_engines
    with pytest.raises(DeviceError, match=r"CPU only.*--fp32"):
        resolve_device("cuda", engine.manifest.devices)
    with pytest.raises(DeviceError, match="CPU only"):
        Engine(engine.bundle_dir, EngineConfig(device="cuda"))
    assert resolve_device("auto", engine.manifest.devices).type == "cpu"


def test_the_int8_bundle_loads_under_qnnpack_the_arm_engine(tiny_bundle: Path) -> None:
    """ARM builds of torch have qnnpack, not x86/fbgemm: the bundle's int8 weights are repacked for it at load."""
    if "qnnpack" not in torch.backends.quantized.supported_engines:
        pytest.skip("this torch build has no qnnpack")
    texts = ["news today", "ayuda", "set an alarm", "qué puedes hacer"]
    expected = [p.top.intent for p in Engine(tiny_bundle).score(texts)]
    previous = torch.backends.quantized.engine
    torch.backends.quantized.engine = "qnnpack"
    try:
        engine = Engine(tiny_bundle)
        assert engine.quantized_engine == "qnnpack"
        assert [p.top.intent for p in engine.score(texts)] == expected
    finally:
        torch.backends.quantized.engine = previous


def test_int8_scores_stay_close_to_fp32(engine: Engine, tiny_bundle_fp32: Path) -> None:
    fp32 = Engine(tiny_bundle_fp32)
    texts = ["news today", "ayuda", "set an alarm", "qué puedes hacer", "latest headlines please"]
    for a, b in zip(engine.score(texts), fp32.score(texts), strict=True):
        assert a.top.intent == b.top.intent
        assert a.top.confidence == pytest.approx(b.top.confidence, abs=0.05)


def test_config_is_validated() -> None:
    with pytest.raises(ValueError):
        EngineConfig(num_threads=-1)


@pytest.mark.gpu
def test_runs_on_cuda_like_on_cpu(tiny_bundle_fp32: Path, tiny_bundle: Path) -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    cpu = Engine(tiny_bundle_fp32, EngineConfig(device="cpu"))
    gpu = Engine(tiny_bundle_fp32, EngineConfig(device="cuda"))
    assert gpu.device.type == "cuda"
    assert Engine(tiny_bundle_fp32).device.type == "cuda"  # auto picks the GPU for a device-neutral bundle
    assert Engine(tiny_bundle).device.type == "cpu"  # ...and the CPU for an int8 one
    with pytest.raises(DeviceError, match="CPU only"):
        Engine(tiny_bundle, EngineConfig(device="cuda"))
    for text in ["news today", "help me", "x " * 100]:
        a, b = classify(cpu, text), classify(gpu, text)
        assert a.intent == b.intent
        assert a.confidence == pytest.approx(b.confidence, abs=1e-4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_text_gives_a_valid_distribution_or_a_clear_error(engine: Engine, text: str) -> None:
    try:
        p = classify(engine, text)
    except InputTextError:
        return
    confidences = [s.confidence for s in p.ranking]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-5)
    assert confidences == sorted(confidences, reverse=True)


def test_concurrent_callers_get_the_same_answers_as_serial_ones(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = ["news today", "ayuda", "help me", "hola", "latest headlines", "qué puedes hacer"] * 5
    serial = [classify(engine, t).confidence for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda t: classify(engine, t).confidence, texts))
    assert parallel == pytest.approx(serial, abs=1e-6)


def test_loading_an_int8_bundle_prints_nothing(tiny_bundle: Path) -> None:
    """torch announces a deprecation from C++ straight to stderr when int8 weights load; the CLI stays clean.

    In a fresh process: the warning is printed once per process, so an earlier load here would hide it.
    """
    import subprocess
    import sys

    code = f"from pathlib import Path\nfrom core.engine import Engine\nEngine(Path({str(tiny_bundle)!r}))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stderr == ""


def test_the_muted_cpp_warning_passes_every_other_line(capfd: pytest.CaptureFixture[str]) -> None:
    import os

    from core.engine import QUANTIZED_TENSOR_DEPRECATION, _muted_cpp_warning

    with _muted_cpp_warning(QUANTIZED_TENSOR_DEPRECATION):
        os.write(2, f"[W] torch.quantize_per_tensor and other {QUANTIZED_TENSOR_DEPRECATION}\n".encode())
        os.write(2, b"a real problem\n")
    assert capfd.readouterr().err == "a real problem\n"
