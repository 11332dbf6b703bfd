"""Speed: the project's engine against its peers on the same model, inputs and threads, in one fair run.

    python -m scripts.benchmark --run runs/default --json reports/benchmark.json --md reports/benchmark.md \
        --png reports/benchmark.png
    python -m scripts.benchmark --quick            # ≤ 3 minutes: 200 utterances, bundled model, no torch.compile

Peers, all on the same weights (the run's trained model with --run, else the backbone with a fresh head):
- engine: the shipped bundle (TorchScript, int8 embedding table + dynamic-int8 Linear layers, tokenizers);
- engine_fp32: the same run exported with `--fp32` (fp32 Linear layers);
- hf_pipeline: transformers' text-classification pipeline (eager PyTorch);
- hf_eager: the eager model with the HF tokenizer;
- onnxruntime: ONNX Runtime on an fp32 ONNX export of the same model;
- onnxruntime_int8: `onnxruntime.quantization.quantize_dynamic` of that ONNX graph (QInt8 weights);
- torch_compile: the eager model under `torch.compile` (Inductor, dynamic shapes), when it builds here.

Fairness: every peer runs with its library's default threading (no OMP_WAIT_POLICY, ONNX Runtime's default
spinning) and the same intra-op thread count, in one process. Single-query latency is measured in
block-interleaved rounds: each round gives every peer the same block of requests, the peer order rotates
from round to round, and a short pause before each block lets the previous peer's thread pool go idle, so no
spinning pool steals the cores of the next peer and machine noise hits all peers alike. Quantized peers also
report their top-1 agreement with their fp32 twin on the val split. Also: throughput at batch 1/8/64, load
time and peak RSS (each peer loaded in a fresh process), a per-op profile of the engine and the compute floor,
for the bundled model and for a model with prajjwal1/bert-tiny's shapes (random weights).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from core.bundle import read_manifest
from core.engine import Engine
from core.intents import load_dataset
from core.paths import resource_path
from core.text import model_form

PEERS = ("engine", "engine_fp32", "hf_pipeline", "hf_eager", "onnxruntime", "onnxruntime_int8", "torch_compile")
FP32_TWIN = {"engine": "engine_fp32", "onnxruntime_int8": "onnxruntime", "torch_compile": "hf_eager"}
BLOCK_PAUSE_S = 0.3  # longer than any pool's spin-wait (libgomp ~ms, ONNX Runtime's spinning threads)
MAX_LENGTH = 128
Classify = Callable[[list[str]], Any]


@dataclass(frozen=True)
class Artifacts:
    """Everything the peers load, for one model: made once, read by this process and the load-time children."""

    bundle: str  # the engine's bundle (int8)
    bundle_fp32: str  # the same weights exported with --fp32
    hf_dir: str  # HF model folder (weights + tokenizer)
    onnx: str  # fp32 ONNX export
    onnx_int8: str  # its dynamic-int8 quantization
    prefix: str = ""  # the bundle's text prefix ("query: " for E5): every peer sees the same text
    text_form: str = ""  # the bundle's text form (core.text.model_form), applied for every peer alike


def utterances(limit: int) -> list[str]:
    """The intents file's requests plus SNIPS test requests when ../shared is present (mixed lengths)."""
    texts = [t for t, _ in load_dataset(resource_path("intents.yaml")).rows()]
    from scripts.shared_data import source_path

    snips = source_path("snips")
    if snips.exists():
        rows = [json.loads(line) for line in snips.read_text(encoding="utf-8").splitlines()]
        texts += [r["text"] for r in rows if r["split"] == "test"]
    return texts[:limit]


def val_texts(run: Path | None) -> list[str]:
    """The val split the agreement figures use: the run's own, else the intents file's (scripts.data.SPLIT_SEED)."""
    if run is not None:
        return [t for t, _ in json.loads((run / "splits.json").read_text(encoding="utf-8"))["val"]]
    from scripts.data import load_yaml_splits

    return [t for t, _ in load_yaml_splits(resource_path("intents.yaml")).val]


def hf_model_dir(kind: str, run: Path | None, labels: int, work: Path) -> Path:
    """An HF model folder for the peers: the trained run, or the backbone/bert-tiny shapes with a new head."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig

    from scripts.train import resolve_backbone

    if kind == "bundled" and run is not None:
        return run / "model"
    target = work / f"hf-{kind}"
    backbone = resolve_backbone(read_manifest(resource_path("model")).base_model)  # the shipped model's backbone
    tokenizer = AutoTokenizer.from_pretrained(backbone)
    torch.manual_seed(0)
    if kind == "bundled":
        model = AutoModelForSequenceClassification.from_pretrained(backbone, num_labels=labels)
    else:  # prajjwal1/bert-tiny's shapes: 2 layers, 128 wide, 2 heads
        config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=128, num_hidden_layers=2,
                            num_attention_heads=2, intermediate_size=512,
                            num_labels=labels)  # type: ignore[call-arg]  # a PretrainedConfig **kwargs field
        model = AutoModelForSequenceClassification.from_config(config)
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


def export_engine_bundle(hf_dir: Path, out: Path, quantize_linear: bool, prefix: str = "", form: str = "") -> Path:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from scripts.data import Splits
    from scripts.export import FP32, INT8_PER_TOKEN, ExportOptions, write_bundle

    model = AutoModelForSequenceClassification.from_pretrained(hf_dir).eval()
    labels = [f"label_{i}" for i in range(model.config.num_labels)]
    write_bundle({"cpu": model}, AutoTokenizer.from_pretrained(hf_dir), out, labels=labels, temperature=1.0,
                 splits=Splits([], [], [], {}, ""), metrics={}, base=str(hf_dir),
                 options=ExportOptions(linear=INT8_PER_TOKEN if quantize_linear else FP32), text_prefix=prefix,
                 text_form=form)
    return out


def onnx_files(hf_dir: Path, work: Path) -> tuple[Path, Path]:
    """An fp32 ONNX export of the HF model and ONNX Runtime's own dynamic int8 quantization of it."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForSequenceClassification

    path, int8 = work / f"{hf_dir.name}.onnx", work / f"{hf_dir.name}.int8.onnx"
    model = AutoModelForSequenceClassification.from_pretrained(hf_dir).eval()
    ids = torch.ones(2, 8, dtype=torch.long)
    mask = ids.clone()
    mask[1, 5:] = 0  # a padded example, so the exported graph keeps the attention-mask path
    axes = {0: "batch", 1: "length"}
    with warnings.catch_warnings():  # the TorchScript-based ONNX exporter announces its deprecation
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        torch.onnx.export(model, (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], dynamic_axes={"input_ids": axes, "attention_mask": axes,
                                                                 "logits": {0: "batch"}}, dynamo=False)
    quantize_dynamic(str(path), str(int8), weight_type=QuantType.QInt8)
    return path, int8


def make_artifacts(kind: str, run: Path | None, labels: int, work: Path) -> Artifacts:
    hf_dir = hf_model_dir(kind, run, labels, work)
    shipped = kind == "bundled" and run is not None
    manifest = read_manifest(resource_path("model"))
    prefix, form = (manifest.text_prefix, manifest.text_form) if shipped else ("", "")  # the same text for every peer
    bundle = resource_path("model") if shipped else export_engine_bundle(hf_dir, work / f"bundle-{kind}", True)
    fp32 = export_engine_bundle(hf_dir, work / f"bundle-{kind}-fp32", False, prefix, form)
    onnx, onnx_int8 = onnx_files(hf_dir, work)
    return Artifacts(str(bundle), str(fp32), str(hf_dir), str(onnx), str(onnx_int8), prefix, form)


def make_peer(name: str, art: Artifacts, threads: int) -> Classify:
    """Build one peer; each returns its native output (probabilities, logits or predictions) for a list of texts."""
    if name in ("engine", "engine_fp32"):
        engine = Engine(Path(art.bundle if name == "engine" else art.bundle_fp32))
        return lambda texts: engine.score(texts)
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    hf_tokenizer = AutoTokenizer.from_pretrained(art.hf_dir)

    def model_text(text: str) -> str:  # what the engine feeds its graph: the bundle's text form and prefix
        return art.prefix + model_form(text, art.text_form)

    def tokenizer(texts: list[str], **kwargs: Any) -> Any:
        return hf_tokenizer([model_text(t) for t in texts], **kwargs)

    if name.startswith("onnxruntime"):
        import onnxruntime as ort

        options = ort.SessionOptions()  # the library's defaults (spinning included), at the common thread count
        options.intra_op_num_threads = threads
        session = ort.InferenceSession(art.onnx if name == "onnxruntime" else art.onnx_int8, options,
                                       providers=["CPUExecutionProvider"])

        def run_onnx(texts: list[str]) -> Any:
            enc = tokenizer(texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="np")
            return session.run(None, {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]})[0]

        return run_onnx
    model = AutoModelForSequenceClassification.from_pretrained(art.hf_dir).eval()
    if name == "hf_pipeline":
        pipe = pipeline("text-classification", model=model, tokenizer=hf_tokenizer, device=-1, top_k=None)
        return lambda texts: pipe([model_text(t) for t in texts], batch_size=len(texts), truncation=True,
                                  max_length=MAX_LENGTH)
    forward = torch.compile(model, dynamic=True) if name == "torch_compile" else model

    def run_eager(texts: list[str]) -> Any:
        enc = tokenizer(texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
        with torch.inference_mode():
            return forward(**enc).logits.softmax(-1)

    if name == "torch_compile":  # compile now (load time), for short and long padded shapes
        run_eager(["warm up"])
        run_eager(["warm up " * 20, "x"])
    return run_eager


def top1(name: str, output: Any, label2id: dict[str, int]) -> list[int]:
    """Each peer's predicted label index per text, in the HF model's label order."""
    if name.startswith("engine"):
        return [label2id[p.top.intent] for p in output]
    if name == "hf_pipeline":
        return [label2id[scores[0]["label"]] for scores in output]
    return [int(i) for i in torch.as_tensor(output).argmax(-1).tolist()]


def agreement(peers: dict[str, Classify], texts: list[str], label2id: dict[str, int]) -> dict[str, float]:
    """Top-1 agreement of each quantized/compiled peer with its fp32 twin on the same texts."""
    labels = {name: [i for c in range(0, len(texts), 64) for i in top1(name, peers[name](texts[c:c + 64]), label2id)]
              for name in peers}
    return {name: round(sum(a == b for a, b in zip(labels[name], labels[twin], strict=True)) / len(texts), 4)
            for name, twin in FP32_TWIN.items() if name in peers and twin in peers}


def percentiles(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=100)
    return {"p50": round(q[49], 3), "p95": round(q[94], 3), "p99": round(q[98], 3)}


def single_latency(peers: dict[str, Classify], texts: list[str], block: int) -> dict[str, dict[str, float]]:
    """Block-interleaved rounds: every peer gets the same block, in a rotating order, after an idle pause."""
    times: dict[str, list[float]] = {name: [] for name in peers}
    order = list(peers)
    for r, start in enumerate(range(0, len(texts), block)):
        chunk = texts[start:start + block]
        for name in order[r % len(order):] + order[:r % len(order)]:
            time.sleep(BLOCK_PAUSE_S)
            for text in chunk:
                t0 = time.perf_counter()
                peers[name]([text])
                times[name].append((time.perf_counter() - t0) * 1000)
    return {name: percentiles(values) for name, values in times.items()}


def throughput(peers: dict[str, Classify], texts: list[str], batch: int) -> dict[str, float]:
    result = {}
    for name, peer in peers.items():
        time.sleep(BLOCK_PAUSE_S)
        peer(texts[:batch])  # warm the shapes
        start = time.perf_counter()
        for i in range(0, len(texts), batch):
            peer(texts[i:i + batch])
        result[name] = round(len(texts) / (time.perf_counter() - start), 1)
    return result


def load_and_memory(name: str, art: Artifacts, threads: int) -> dict[str, float]:
    """Load one peer in a fresh process: seconds to load and the process's peak RSS after 20 queries.

    Peak RSS is VmHWM of /proc/self/status: getrusage's ru_maxrss survives exec on Linux, so a child
    started from this (large) process would report the parent's peak instead of its own.
    """
    code = (
        "import json, time\nimport torch\n"
        f"torch.set_num_threads({threads})\nfrom scripts.benchmark import Artifacts, make_peer\n"
        f"art = Artifacts(**json.loads({json.dumps(asdict(art))!r}))\n"
        "start = time.perf_counter()\n"
        f"peer = make_peer({name!r}, art, {threads})\n"
        "load = time.perf_counter() - start\n"
        "for _ in range(20): peer(['what are your opening hours'])\n"
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(json.dumps({'load_s': round(load, 3), 'peak_rss_mb': round(int(hwm.split()[1]) / 1024, 1)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def matmul_roofs(threads: int) -> dict[str, float]:
    """What this CPU sustains on large products: fp32 GFLOP/s and dynamic-int8 GOP/s (the compute floors' roofs)."""
    torch.set_num_threads(threads)
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    int8 = torch.ao.nn.quantized.dynamic.Linear(1024, 1024)
    with warnings.catch_warnings():  # quantized-tensor creation announces its deprecation (torch 2.13)
        warnings.filterwarnings("ignore", category=UserWarning)
        int8.set_weight_bias(torch.quantize_per_tensor(b, 0.05, 0, torch.qint8), None)

    def rate(step: Callable[[], Any]) -> float:
        step()
        start, reps = time.perf_counter(), 20
        for _ in range(reps):
            step()
        return 2 * 1024**3 * reps / (time.perf_counter() - start) / 1e9

    return {"fp32_gflops": round(rate(lambda: torch.mm(a, b)), 1), "int8_gops": round(rate(lambda: int8(a)), 1)}


def flops_per_query(hf_dir: Path, tokens: float) -> float:
    from transformers import AutoConfig

    c = AutoConfig.from_pretrained(hf_dir)
    d, layers, inner = c.hidden_size, c.num_hidden_layers, c.intermediate_size
    per_layer = 2 * tokens * (4 * d * d + 2 * d * inner) + 4 * tokens * tokens * d
    return float(layers * per_layer)


def profile_engine(bundle: Path, texts: list[str], top: int = 8) -> list[dict[str, Any]]:
    """Where the engine's time goes: self CPU time per op over single requests (torch profiler)."""
    engine = Engine(bundle)
    for text in texts[:20]:
        engine.score([text])
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for text in texts[:200]:
            engine.score([text])
    events = [e for e in prof.key_averages() if e.self_cpu_time_total > 0]
    total = sum(e.self_cpu_time_total for e in events) or 1.0
    events.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    return [{"op": e.key, "share": round(e.self_cpu_time_total / total, 3), "calls": e.count,
             "us_per_call": round(e.self_cpu_time_total / max(e.count, 1), 1)} for e in events[:top]]


def time_split(bundle: Path, texts: list[str], threads: int) -> dict[str, float]:
    """Where one request's time goes, p50 over `texts` scored one at a time: the tokenizer, the graph, the
    whole Engine.score call, and the same call from the app through the engine child process (the desktop's
    path: a JSON line each way over a pipe)."""
    from core.engine_process import RemoteEngine

    engine = Engine(bundle)
    prefix, form = engine.manifest.text_prefix, engine.manifest.text_form
    tokenizer, model = engine._tokenizer, engine._model  # the engine's own objects, timed apart
    remote = RemoteEngine(bundle, "cpu", threads)

    def tokenize(text: str) -> torch.Tensor:
        return torch.tensor([tokenizer.encode(prefix + model_form(text, form)).ids])

    def graph(ids: torch.Tensor) -> None:
        with torch.inference_mode(), torch.jit.optimized_execution(False):  # type: ignore[attr-defined]
            model(ids, torch.ones_like(ids))

    encoded = [tokenize(text) for text in texts]
    steps: dict[str, Callable[[int], Any]] = {
        "tokenizer": lambda i: tokenize(texts[i]), "graph": lambda i: graph(encoded[i]),
        "engine_score": lambda i: engine.score([texts[i]]), "engine_process": lambda i: remote.score([texts[i]]),
    }
    split: dict[str, float] = {}
    try:
        assert remote.info.labels  # started and loaded before timing
        for name, step in steps.items():  # one pass each, after a warm-up, so no step pays another's wake-up
            for i in range(min(10, len(texts))):
                step(i)
            times = []
            for i in range(len(texts)):
                start = time.perf_counter()
                step(i)
                times.append((time.perf_counter() - start) * 1000)
            split[name] = round(statistics.median(times), 3)
    finally:
        remote.close()
    return split


def build_peers(art: Artifacts, threads: int, quick: bool) -> tuple[dict[str, Classify], dict[str, str]]:
    """Every peer that builds here; the ones that do not (torch.compile without a compiler) are listed with why.

    --quick leaves torch.compile out: compiling takes ~25 s per process, twice (here and for the load figures).
    """
    peers, skipped = {}, {}
    for name in PEERS:
        if quick and name == "torch_compile":
            skipped[name] = "left out by --quick (compiling alone takes ~25 s, twice)"
            continue
        try:
            peers[name] = make_peer(name, art, threads)
        except Exception as exc:  # a peer that cannot build here is reported, not fatal
            skipped[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    return peers, skipped


def bench_model(kind: str, args: argparse.Namespace, work: Path, texts: list[str]) -> dict[str, Any]:
    from transformers import AutoConfig

    labels = len(Engine(resource_path("model")).labels)
    art = make_artifacts(kind, args.run, labels, work)
    peers, skipped = build_peers(art, args.threads, args.quick)
    for peer in peers.values():
        for text in texts[:20]:
            peer([text])  # warm-up
    config = AutoConfig.from_pretrained(art.hf_dir)
    label2id = {str(k): int(v) for k, v in config.label2id.items()}
    label2id |= {f"label_{i}": i for i in range(config.num_labels)}  # the random-head bundles' label names
    agree = agreement(peers, val_texts(args.run if kind == "bundled" else None), label2id)
    latency = single_latency(peers, texts, args.block)
    batches = {str(b): throughput(peers, texts[: (128 if args.quick else 1024)], b) for b in (1, 8, 32, 64)}
    loads = {name: load_and_memory(name, art, args.threads) for name in peers}
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(art.bundle) / "tokenizer.json"))
    tok.no_padding()  # count real tokens, as the engine (which pads to the longest) sees them
    mean_tokens = statistics.mean(len(tok.encode(art.prefix + t).ids) for t in texts)
    flops = flops_per_query(Path(art.hf_dir), mean_tokens)
    return {"model": kind, "trained_weights": kind == "bundled" and args.run is not None,
            "latency_ms": latency, "throughput_per_s": batches, "load": loads, "top1_agreement_with_fp32": agree,
            "skipped": skipped, "profile_engine": profile_engine(Path(art.bundle), texts),
            "engine_time_split_ms": time_split(Path(art.bundle), texts[:100], args.threads),
            "mean_tokens": round(mean_tokens, 1), "gflop_per_query": round(flops / 1e9, 4)}


def ratios(latency: dict[str, dict[str, float]]) -> dict[str, float]:
    e = latency["engine"]["p50"]
    return {f"engine_over_{peer}": round(e / latency[peer]["p50"], 3)
            for peer in ("hf_pipeline", "onnxruntime", "onnxruntime_int8", "engine_fp32") if peer in latency}


TARGETS = {"engine_over_hf_pipeline": 0.2, "engine_over_onnxruntime": 0.45, "engine_over_onnxruntime_int8": 1.0}


def markdown(report: dict[str, Any]) -> str:
    roofs = report["roofs"]
    lines = [f"# Speed benchmark ({report['utterances']} utterances, {report['threads']} threads, one run, "
             f"blocks of {report['block']} interleaved)", "",
             f"CPU roofs: {roofs['fp32_gflops']:.0f} GFLOP/s fp32, {roofs['int8_gops']:.0f} GOP/s dynamic int8 "
             "(1024² products).", ""]
    for m in report["models"]:
        floor32 = m["gflop_per_query"] / roofs["fp32_gflops"] * 1000
        floor8 = m["gflop_per_query"] / roofs["int8_gops"] * 1000
        weights = "trained weights" if m["trained_weights"] else "random head"
        lines += [f"## {m['model']} model ({weights}) — {m['gflop_per_query']:.3f} GFLOP per query "
                  f"({m['mean_tokens']} tokens on average): compute floor {floor8:.2f} ms int8, {floor32:.2f} ms fp32",
                  "", "| peer | p50 ms | p95 ms | p99 ms | batch 1 /s | batch 8 /s | batch 32 /s | batch 64 /s "
                  "| load s | peak RSS MB | top-1 agreement with fp32 (val) |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for peer in m["latency_ms"]:
            lat, ld, tp = m["latency_ms"][peer], m["load"][peer], m["throughput_per_s"]
            agree = m["top1_agreement_with_fp32"].get(peer)
            agree_text = f"{agree:.1%} vs {FP32_TWIN[peer]}" if agree is not None else "(fp32)"
            lines.append(f"| {peer} | {lat['p50']} | {lat['p95']} | {lat['p99']} | {tp['1'][peer]} | {tp['8'][peer]} "
                         f"| {tp['32'][peer]} | {tp['64'][peer]} | {ld['load_s']} | {ld['peak_rss_mb']} "
                         f"| {agree_text} |")
        for peer, why in m["skipped"].items():
            lines.append(f"| {peer} | not built here: {why} | | | | | | | | |")
        r = ratios(m["latency_ms"])
        lines += ["", "Ratios of p50: " + "; ".join(
            f"{k.replace('_over_', ' / ')} = {v:.2f}" + (f" (target ≤ {TARGETS[k]})" if k in TARGETS else "")
            for k, v in r.items()), "",
            "Where one request's time goes (p50 ms, 100 single requests): " + ", ".join(
                f"{k} {v}" for k, v in m["engine_time_split_ms"].items()), "",
            "Engine profile (self CPU time, 200 single requests):", "",
            "| op | share | calls | µs per call |", "|---|---|---|---|"]
        lines += [f"| `{p['op']}` | {p['share']:.1%} | {p['calls']} | {p['us_per_call']} |"
                  for p in m["profile_engine"]]
        lines.append("")
    return "\n".join(lines)


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(report["models"]), figsize=(6 * len(report["models"]), 4), squeeze=False)
    for ax, m in zip(axes[0], report["models"], strict=True):
        names = list(m["latency_ms"])
        p50 = [m["latency_ms"][n]["p50"] for n in names]
        p95 = [m["latency_ms"][n]["p95"] for n in names]
        colors = ["tab:green" if n == "engine" else "tab:gray" for n in names]
        ax.barh(names, p95, color="lightgray", label="p95")
        ax.barh(names, p50, color=colors, label="p50")
        ax.invert_yaxis()
        ax.set_xlabel("ms per single request")
        ax.set_title(f"{m['model']} ({m['mean_tokens']} tokens)")
        ax.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="200 utterances, smaller batches, the bundled model only, no torch.compile (≤ 3 minutes)")
    parser.add_argument("--run", type=Path, help="training run whose HF weights the peers load")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--block", type=int, default=40, help="requests per peer per interleaved round")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--md", type=Path)
    parser.add_argument("--png", type=Path)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    texts = utterances(200 if args.quick else 1600)
    with tempfile.TemporaryDirectory() as tmp:
        kinds = ("bundled",) if args.quick else ("bundled", "bert_tiny_shapes")
        models = [bench_model(kind, args, Path(tmp), texts) for kind in kinds]
    bundled = models[0]["latency_ms"]
    report = {"utterances": len(texts), "threads": args.threads, "block": args.block,
              "roofs": matmul_roofs(args.threads),
              **{f"{peer}_p50_ms": bundled[peer]["p50"] for peer in bundled},
              "ratios": ratios(bundled), "models": models}
    text = markdown(report)
    print(text)
    for path, content in ((args.json, json.dumps(report, indent=2)), (args.md, text)):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    if args.png:
        plot(report, args.png)


if __name__ == "__main__":
    main()
