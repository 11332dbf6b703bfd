"""Check a bundle's CUDA graph on a real GPU: agreement with its CPU graph on val, batch invariance, speed.

    bash scripts/gpu_check.sh [--bundle resources/model] [--run runs/default]     # needs a CUDA GPU

Scores the val split (the run's splits.json, or the intents file's own hash split when no run is given) with
the engine on the CPU graph and on the CUDA graph, one request per call as the app does, and prints one JSON
line: top-1 agreement and the largest confidence difference between the graphs, the largest difference
between a request alone and inside a batch of 32 on the GPU, and p50 latency for batch 1 and batch 32 (after
a warm-up, CUDA synchronised by the engine's copy of the scores back to the host). Exit 0 when agreement is
at least 98 % and the batch difference at most 1e-4; 1 otherwise; 2 when no GPU is present.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def val_texts(run: Path | None) -> list[str]:
    if run is not None:
        rows = json.loads((run / "splits.json").read_text(encoding="utf-8"))["val"]
        return [str(text) for text, _ in rows]
    from scripts.data import SPLIT_SEED, load_yaml_splits

    return [text for text, _ in load_yaml_splits(ROOT / "resources" / "intents.yaml", seed=SPLIT_SEED).val]


def p50_ms(engine: object, batches: list[list[str]]) -> float:
    times = []
    for batch in batches:
        start = time.perf_counter()
        engine.score(batch)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    import torch

    from core.engine import Engine, EngineConfig

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=ROOT / "resources" / "model")
    parser.add_argument("--run", type=Path, default=None, help="training run whose val split to use")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print(json.dumps({"error": "no CUDA GPU is available here; run this on a machine with one"}))
        return 2
    texts = val_texts(args.run)
    cpu = Engine(args.bundle, EngineConfig(device="cpu"))
    gpu = Engine(args.bundle, EngineConfig(device="cuda"))
    on_cpu = [cpu.score([t])[0] for t in texts]
    on_gpu = [gpu.score([t])[0] for t in texts]
    agree = sum(a.top.intent == b.top.intent for a, b in zip(on_cpu, on_gpu, strict=True)) / len(texts)
    graph_diff = max(abs(a.top.confidence - {s.intent: s.confidence for s in b.ranking}[a.top.intent])
                     for a, b in zip(on_cpu, on_gpu, strict=True))
    batches = [texts[i:i + 32] for i in range(0, len(texts) - 31, 32)]
    batch_diff = 0.0
    for batch in batches:
        for alone, inside in zip((gpu.score([t])[0] for t in batch), gpu.score(batch), strict=True):
            mine = {s.intent: s.confidence for s in inside.ranking}
            batch_diff = max(batch_diff, max(abs(s.confidence - mine[s.intent]) for s in alone.ranking))
    p50_ms(gpu, [[t] for t in texts[:50]])  # warm-up: kernels, allocator
    figures = {
        "device": torch.cuda.get_device_name(0), "bundle": str(args.bundle), "graph": gpu.graph_file,
        "val_rows": len(texts), "top1_agreement_cpu_vs_cuda": round(agree, 4),
        "max_confidence_diff_cpu_vs_cuda": round(graph_diff, 5), "max_batch_diff_cuda": batch_diff,
        "p50_ms_batch1_cuda": round(p50_ms(gpu, [[t] for t in texts]), 3),
        "p50_ms_batch32_cuda": round(p50_ms(gpu, batches), 3),
        "p50_ms_batch1_cpu": round(p50_ms(cpu, [[t] for t in texts]), 3),
        "p50_ms_batch32_cpu": round(p50_ms(cpu, batches), 3),
    }
    print(json.dumps(figures))
    return 0 if agree >= 0.98 and batch_diff <= 1e-4 else 1


if __name__ == "__main__":
    raise SystemExit(main())
