from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.engine import Engine, EngineConfig
from core.errors import InputTextError
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


COMPANIONS = ["news today", "help me please now", "hola", "qué puedes hacer", "latest headlines please",
              "ayuda", "set an alarm for seven", "x"]
LONG = "please tell me everything about the news and the help you can give me today " * 4


@pytest.mark.parametrize("bundle_fixture", ["tiny_bundle", "tiny_bundle_fp32"])
def test_scores_do_not_depend_on_the_batch(bundle_fixture: str, request: pytest.FixtureRequest) -> None:
    """A request scores the same alone, in a batch of 8, and beside a long request (which used to pad it):
    max confidence difference <= 1e-4 and the same top intent, for every label."""
    engine = Engine(request.getfixturevalue(bundle_fixture))
    alone = {text: engine.score([text])[0] for text in COMPANIONS}
    for batch in (COMPANIONS, [LONG, *COMPANIONS], [*reversed(COMPANIONS), LONG, LONG]):
        for text, scored in zip(batch, engine.score(batch), strict=True):
            if text == LONG:
                continue
            assert scored.top.intent == alone[text].top.intent
            mine = {s.intent: s.confidence for s in scored.ranking}
            theirs = {s.intent: s.confidence for s in alone[text].ranking}
            assert max(abs(mine[k] - theirs[k]) for k in mine) <= 1e-4
            assert scored.slots == alone[text].slots  # the slot layer too (issue 22)


def test_row_quantized_linear_gives_each_row_the_same_output_in_any_batch() -> None:
    """The CPU graph's int8 layer: a row's int8 values depend on that row alone (per-token activation range),
    so companions and padding rows with far larger values leave its output bit for bit unchanged."""
    from scripts.export import RowQuantLinear

    torch.manual_seed(0)
    fp32 = torch.nn.Linear(64, 48)
    layer = RowQuantLinear(fp32)
    row = torch.randn(1, 64)
    companions = torch.cat([torch.randn(5, 64) * 50, torch.zeros(1, 64), -torch.ones(1, 64) * 1e3])
    with torch.inference_mode():
        alone = layer(row)
        for batch in (torch.cat([row, companions]), torch.cat([companions, row])):
            out = layer(batch)
            index = 0 if batch[0].equal(row[0]) else len(batch) - 1
            assert torch.equal(out[index], alone[0])
        assert (alone - fp32(row)).abs().max() < 0.05  # and it is still the same product, to int8 precision


@pytest.mark.parametrize("bundle_fixture", ["tiny_bundle", "tiny_bundle_fp32"])
def test_runs_on_cuda_like_on_cpu(bundle_fixture: str, request: pytest.FixtureRequest) -> None:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    bundle = request.getfixturevalue(bundle_fixture)
    cpu = Engine(bundle, EngineConfig(device="cpu"))
    gpu = Engine(bundle, EngineConfig(device="cuda"))
    assert gpu.device.type == "cuda" and Engine(bundle).device.type == "cuda"  # auto picks the GPU graph
    for text in ["news today", "help me", "x " * 100]:
        a, b = classify(cpu, text), classify(gpu, text)
        assert a.intent == b.intent
        assert a.confidence == pytest.approx(b.confidence, abs=0.02)  # int8 CPU graph vs int8-weight GPU graph
    batch = gpu.score([*COMPANIONS, LONG])
    for text, scored in zip(COMPANIONS, batch, strict=True):
        assert scored.top.confidence == pytest.approx(gpu.score([text])[0].top.confidence, abs=1e-4)


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


def test_case_accents_repeated_letters_and_marks_never_change_the_answer(engine: Engine) -> None:
    """The bundle names its text form (fold-v1): the engine reads every variant as training did."""
    assert engine.manifest.text_form == "fold-v1"
    variants = ["qué puedes hacer", "QUÉ PUEDES HACER", "que puedes hacer", "¿Qué puedes hacer?",
                "quéee puedes hacer!!"]
    # Each alone: the same token ids give the same scores bit for bit on one machine.
    scores = [{s.intent: s.confidence for s in engine.score([v])[0].ranking} for v in variants]
    assert all(other == scores[0] for other in scores[1:])
    # Together they form one batch of identical rows; a CPU's fp32 kernels may round a row by its place in the
    # batch (~1e-7, seen on CI's processor, not on ours), which test_scores_do_not_depend_on_the_batch bounds.
    together = [{s.intent: s.confidence for s in result.ranking} for result in engine.score(variants)]
    assert all(max(abs(row[k] - scores[0][k]) for k in row) <= 1e-6 for row in together)


def test_config_is_validated_and_names_the_bad_value() -> None:
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"'num_threads': -1"):
        EngineConfig(num_threads=-1)
    with pytest.raises(ConfigError, match=r"'load_timeout_s': 0"):
        EngineConfig(load_timeout_s=0)


def test_a_joint_bundle_tags_slots_inside_the_request(engine: Engine) -> None:
    assert engine.manifest.slot_tags[0] == "O" and "B-topic" in engine.manifest.slot_tags
    for text in ["noticias de ciencia hoy", "tech news today", "¿Qué NOTICIAS hay de deportes?", "x"]:
        scores = engine.score([text])[0]
        for slot in scores.slots:  # Scores itself refuses a span outside the text or a value that is not its words
            assert scores.text[slot.start:slot.end] == slot.value and slot.value.strip() == slot.value


def test_a_manifest_that_hides_the_slot_layer_is_refused_at_load(bundle_copy: Path) -> None:
    import json

    from core.errors import BundleMismatchError

    path = bundle_copy / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["slot_tags"]  # the graph still returns (probabilities, slot scores)
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BundleMismatchError, match="expected one tensor"):
        Engine(bundle_copy)
