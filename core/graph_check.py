"""A model bundle is code: refuse a TorchScript archive that does anything the export never writes.

TorchScript is a program. A `model.pt` whose graph calls `torch.from_file(path, shared=True)` and fills the
tensor writes any file the user can write, and it does so during the engine's load check (the first forward
pass). The hashes in manifest.json only prove the file is the one the manifest names, not that the export
wrote it. So, before anything of the model runs:

1. `check_archive(path)`, before torch.jit.load: the archive's pickles may name only tensor storages and the
   quantized packed-params classes, and its code may not define `__setstate__` (torch.jit.load *runs* a
   TorchScript `__setstate__` while loading, before any graph can be inspected).
2. `check_graph_ops(module)`, right after torch.jit.load and before any forward: every method of the module
   and of every submodule, its graph and its inlined graph, with every block inside prim::If / prim::Loop,
   may use only the ops in ALLOWED_OPS and values of the module's own types or ALLOWED_CLASSES.

The export runs check_graph_ops on its own output, so an op added there without updating the list fails at
export time, not in a user's app.
"""

from __future__ import annotations

import ast
import pickletools
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from core.errors import BundleCodeError

# Every op kind the export emits. Derived by walking resources/model/model.pt and the tiny test bundles
# (int8 and --fp32) of tests/conftest.py, plus the ops of the lead's next export (int8 with per-row activation
# scaling: aminmax/sub/div/clamp_min/addcmul; model_cuda.pt: fp32 BERT ops on CUDA) and the plain math and shape
# ops of a BERT encoder. Nothing here reads or writes files, prints, calls Python or opens other code.
ALLOWED_OPS: frozenset[str] = frozenset({
    # control flow and values (blocks inside If/Loop are walked too)
    "prim::Constant", "prim::If", "prim::Loop", "prim::ListConstruct", "prim::ListUnpack", "prim::TupleConstruct",
    "prim::TupleUnpack", "prim::TupleIndex", "prim::DictConstruct", "prim::NumToTensor", "prim::GetAttr",
    "prim::unchecked_cast", "prim::Uninitialized", "prim::RaiseException", "prim::dtype", "prim::device",
    "prim::shape", "prim::min", "prim::max", "prim::abs", "prim::layout", "prim::is_cuda",
    "aten::__getitem__", "aten::__is__", "aten::__isnot__", "aten::__not__", "aten::len", "aten::size",
    "aten::dim", "aten::numel", "aten::Int", "aten::Float", "aten::Bool", "aten::ScalarImplicit",
    "aten::IntImplicit", "aten::FloatImplicit", "aten::item", "aten::is_floating_point", "aten::device",
    # arithmetic and activations
    "aten::add", "aten::add_", "aten::sub", "aten::sub_", "aten::rsub", "aten::mul", "aten::mul_", "aten::div",
    "aten::div_", "aten::neg", "aten::pow", "aten::sqrt", "aten::rsqrt", "aten::exp", "aten::log", "aten::abs",
    "aten::floor", "aten::ceil", "aten::round", "aten::floor_divide", "aten::remainder", "aten::reciprocal",
    "aten::addcmul", "aten::clamp", "aten::clamp_min", "aten::clamp_max", "aten::tanh", "aten::erf",
    "aten::gelu", "aten::relu", "aten::sigmoid", "aten::softmax", "aten::log_softmax", "aten::_softmax",
    "aten::dropout", "aten::layer_norm", "aten::native_layer_norm", "aten::scaled_dot_product_attention",
    # reductions and comparisons
    "aten::sum", "aten::mean", "aten::amax", "aten::amin", "aten::aminmax", "aten::max", "aten::min",
    "aten::argmax", "aten::cumsum", "aten::eq", "aten::ne", "aten::lt", "aten::le", "aten::gt", "aten::ge",
    "aten::where", "aten::masked_fill", "aten::masked_fill_", "aten::logical_not", "aten::logical_and",
    "aten::bitwise_not", "aten::__and__", "aten::__or__", "aten::any", "aten::all",
    # matrix products and lookups
    "aten::linear", "aten::matmul", "aten::mm", "aten::bmm", "aten::addmm", "aten::baddbmm", "aten::einsum",
    "aten::embedding", "aten::index", "aten::index_select", "aten::gather",
    # shapes, dtypes and devices
    "aten::view", "aten::reshape", "aten::_unsafe_view", "aten::permute", "aten::transpose", "aten::t",
    "aten::contiguous", "aten::unsqueeze", "aten::squeeze", "aten::expand", "aten::expand_as", "aten::flatten",
    "aten::select", "aten::slice", "aten::narrow", "aten::cat", "aten::stack", "aten::split", "aten::chunk",
    "aten::to", "aten::type_as", "aten::detach", "aten::clone", "aten::zeros", "aten::zeros_like", "aten::ones",
    "aten::ones_like", "aten::full", "aten::full_like", "aten::new_zeros", "aten::new_ones", "aten::arange",
    "aten::scalar_tensor", "aten::tril", "aten::triu", "aten::dequantize",
    # int8 (dynamic quantization): the packed weights live in LinearPackedParamsBase / EmbeddingPackedParamsBase
    "quantized::linear_dynamic", "quantized::linear_dynamic_fp16", "quantized::embedding_byte",
    "quantized::embedding_4bit",
})

# Custom classes a graph may hold: only torch's quantized packed weights. Any other torch.classes object (or a
# TorchScript class that is not one of the module's own modules) is refused.
ALLOWED_CLASSES: frozenset[str] = frozenset({
    "__torch__.torch.classes.quantized.LinearPackedParamsBase",
    "__torch__.torch.classes.quantized.EmbeddingPackedParamsBase",
})

# What the archive's pickles may name (module, name): tensor storages and rebuild helpers, quantization
# schemes, and TorchScript types (`__torch__.*`, checked after load against ALLOWED_CLASSES and the modules).
PICKLE_GLOBALS_ALLOWED_MODULES = ("torch", "torch._utils", "collections")
PICKLE_GLOBAL_NAMES = frozenset({"OrderedDict", "per_channel_affine", "per_tensor_affine",
                                 "per_channel_affine_float_qparams"})
MAX_PICKLE_BYTES = 16 << 20  # the shipped bundle's largest pickle (constants) is a few MB at most
MAX_CODE_BYTES = 8 << 20  # the code of a BERT export is ~15 KB; a huge code file is not an export
REFUSE = "this bundle contains code the export never writes; refuse it"


def _refuse(found: str) -> BundleCodeError:
    return BundleCodeError(f"model.pt {found}: {REFUSE}. Re-export the bundle with `python -m scripts.export` "
                           "or choose another model.")


_MEMO_WRITES = {"MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT"}  # store the top of the stack; push nothing
_STRING_PUSHES = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING", "BINSTRING",
                  "SHORT_BINSTRING"}


def _pickle_globals(data: bytes) -> Iterator[tuple[str, str]]:
    """(module, name) of every GLOBAL / INST / STACK_GLOBAL of a pickle, without unpickling it.

    STACK_GLOBAL takes its module and name from the stack, which a hostile pickle can fill from the memo or
    behind popped decoys; so both must be pushed as literal strings right before it (memo writes aside), as
    every pickler writes them. Anything else is reported as ("?", "?"), which no allowlist accepts."""
    recent: list[str | None] = []  # what the last stack-changing opcodes pushed: a literal string or None
    for opcode, arg, _ in pickletools.genops(data):
        name = opcode.name
        if name in ("GLOBAL", "INST") and isinstance(arg, str):
            module, _, attr = arg.partition(" ")
            yield module, attr
        elif name == "STACK_GLOBAL":
            pair = recent[-2:]
            yield (pair[0], pair[1]) if len(pair) == 2 and None not in pair else ("?", "?")  # type: ignore[misc]
        if name in _MEMO_WRITES:
            continue
        recent = [*recent[-1:], arg if name in _STRING_PUSHES and isinstance(arg, str) else None]


def _global_allowed(module: str, name: str) -> bool:
    if module.startswith("__torch__.torch.classes."):
        return f"{module}.{name}" in ALLOWED_CLASSES
    if module == "__torch__" or module.startswith("__torch__."):
        return True  # TorchScript module types: their methods are walked after load
    if module in ("torch", "torch._utils"):
        return name.endswith("Storage") or name.startswith("_rebuild_") or name in PICKLE_GLOBAL_NAMES
    return module == "collections" and name == "OrderedDict"


def check_archive(path: Path) -> None:
    """Before torch.jit.load: refuse pickled globals other than storages and known classes, and any
    TorchScript `__setstate__` (it would run while loading). Raises BundleCodeError."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename
                if name.endswith(".pkl") and not name.endswith(".debug_pkl"):
                    if info.file_size > MAX_PICKLE_BYTES:  # read whole below: a zip bomb must not get that far
                        raise _refuse(f"has a pickle {name!r} of {info.file_size} bytes")
                    try:
                        found = list(_pickle_globals(archive.read(info)))
                    except Exception as exc:  # pickletools raises ValueError and others on a malformed stream
                        raise _refuse(f"has an unreadable pickle {name!r} ({exc})") from exc
                    for module, attr in found:
                        if not _global_allowed(module, attr):
                            raise _refuse(f"names the object {module}.{attr} in {name!r}")
                elif name.endswith(".py") and "/code/" in f"/{name}":
                    if info.file_size > MAX_CODE_BYTES:
                        raise _refuse(f"has a code file {name!r} of {info.file_size} bytes")
                    _check_code(name, archive.read(info))
    except zipfile.BadZipFile as exc:
        raise BundleCodeError(f"model.pt is not a TorchScript archive ({exc}); re-export it.") from exc


def _check_code(name: str, source: bytes) -> None:
    try:
        tree = ast.parse(source.decode("utf-8"), filename=name)
    except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _refuse(f"has code that does not parse ({name}: {exc})") from exc
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "__setstate__":
            raise _refuse(f"defines __setstate__ in {name} (it would run while the file loads)")


def _blocks_nodes(block: Any) -> Iterator[Any]:
    """Every node of a graph or block, descending into the blocks of prim::If / prim::Loop."""
    for node in block.nodes():
        yield node
        for inner in node.blocks():
            yield from _blocks_nodes(inner)


def _modules(module: Any) -> Iterator[tuple[str, Any]]:
    """(dotted name, script module) for the module and every submodule, recursively, each once."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("", module)]
    while stack:
        name, current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield name, current
        stack.extend((f"{name}.{child}" if name else child, sub) for child, sub in current.named_children())


def _graphs(module: Any) -> Iterator[tuple[str, Any]]:
    """(where, graph) of every method and hook of a script module: as written and fully inlined."""
    import torch

    c = module._c
    functions: list[tuple[str, Any]] = [(method, c._get_method(method)) for method in c._method_names()]
    for getter in ("_get_forward_hooks", "_get_forward_pre_hooks"):
        functions += [(f"hook {i}", hook) for i, hook in enumerate(getattr(c, getter, lambda: [])())]
    for where, function in functions:
        graph = function.graph
        yield where, graph
        inlined = graph.copy()
        torch._C._jit_pass_inline(inlined)
        yield f"{where} (inlined)", inlined


def _class_names(values: Iterable[Any]) -> Iterator[str]:
    import torch

    for value in values:
        kind = value.type()
        if isinstance(kind, torch.ClassType | torch.InterfaceType):
            yield kind.qualified_name() if isinstance(kind, torch.ClassType) else kind.annotation_str
        for inner in kind.containedTypes() if hasattr(kind, "containedTypes") else ():
            if isinstance(inner, torch.ClassType):
                yield inner.qualified_name()


def check_graph_ops(module: Any) -> None:
    """Refuse a loaded TorchScript module whose graphs use an op outside ALLOWED_OPS or hold an object of a
    class that is neither one of its own modules nor in ALLOWED_CLASSES. Runs no part of the model."""
    modules = list(_modules(module))
    own_types = {sub._c._type().qualified_name() for _, sub in modules}
    for name, sub in modules:
        for where, graph in _graphs(sub):
            place = f"{name or 'the model'}, {where}"
            inlined = where.endswith("(inlined)")
            for node in _blocks_nodes(graph):
                kind = node.kind()
                # Calls are checked where they were inlined; one that inlining could not resolve is unknown code.
                call = kind in ("prim::CallMethod", "prim::CallFunction")
                if kind not in ALLOWED_OPS and not (call and not inlined):
                    raise _refuse(f"uses the op {kind} ({place})")
                for cls in _class_names([*node.inputs(), *node.outputs()]):
                    if cls not in own_types and cls not in ALLOWED_CLASSES:
                        raise _refuse(f"uses an object of class {cls} ({place})")
