"""Command line (a stable contract): classify, route, validate-intents, serve.

    python -m core classify [--model DIR] [--threshold X] [--device D] < requests.txt   # JSON lines out
    python -m core route "¿a qué hora abrís?"
    python -m core teach "¿qué echan en el cine?" get_news     # remembered in the local database
    python -m core forget "¿qué echan en el cine?"
    python -m core taught                                       # what was taught, JSON lines
    python -m core validate-intents resources/intents.yaml [--model resources/model]
    python -m core serve [--host 127.0.0.1] [--port 8765]       # needs the 'api' extra; prints its token
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import (
    AssistantError,
    BundleError,
    BundleTimeoutError,
    ConfigError,
    DatasetError,
    DeviceError,
    InputTextError,
    ModelOutputError,
)
from core.paths import resource_path
from core.text import strip_escapes

if TYPE_CHECKING:  # the engine imports torch: load it only for the commands that classify
    from core.engine import Engine

EXIT_BAD_BUNDLE = 2
EXIT_BROKEN_PIPE = 141  # what a tool killed by SIGPIPE returns (`... | head -1` closed the pipe early)
MAX_LINE_CHARS = 100_000  # a request is cut to 4,000 characters anyway; bound what one line may hold
MAX_ECHO_CHARS = 80  # a request echoed back in a message is cut to this (an argument may hold 128 kB)


def shown(text: str) -> str:
    """`text` as a message may quote it: escapes stripped, cut to MAX_ECHO_CHARS, quoted."""
    clean = strip_escapes(text)
    return repr(clean if len(clean) <= MAX_ECHO_CHARS else clean[:MAX_ECHO_CHARS] + "…")


def emit(line: str) -> None:
    """One line to stdout as UTF-8 whatever the locale (C, POSIX, a strict PYTHONIOENCODING): surrogates that
    came in through argv under a C locale are replaced, so the output is always valid UTF-8."""
    sys.stdout.buffer.write((line + "\n").encode("utf-8", "replace"))
    sys.stdout.buffer.flush()


def _engine(args: argparse.Namespace) -> Engine:
    from core.engine import Engine, EngineConfig

    return Engine(args.model, EngineConfig(device=args.device, load_timeout_s=args.load_timeout))


def cmd_classify(args: argparse.Namespace) -> int:
    from core.assistant import Assistant
    from core.context import build_context
    from core.settings import Overrides
    from core.slots import request_slots

    engine = _engine(args)
    context = build_context(overrides=Overrides(threshold=args.threshold))  # taught requests apply here too
    assistant = Assistant(context, engine)
    try:
        for raw in sys.stdin.buffer:  # bytes, whatever the locale: invalid UTF-8 becomes U+FFFD, never a crash
            text = raw.decode("utf-8", "replace").rstrip("\r\n")[:MAX_LINE_CHARS]
            try:
                prediction, learned = assistant.classify(engine.score([text])[0])
                slots = request_slots(prediction.text, prediction.slots, typed=text)
                payload = {**prediction.to_json(), "learned": learned, "slots": slots}
            except (InputTextError, ModelOutputError) as exc:
                payload = {"text": text, "error": str(exc)}
            emit(json.dumps(payload, ensure_ascii=False, allow_nan=False))
    finally:
        context.close()
    return 0


def cmd_route(args: argparse.Namespace) -> int:
    from core.assistant import Assistant
    from core.context import build_context
    from core.settings import Overrides
    from core.slots import request_slots

    engine = _engine(args)
    context = build_context(overrides=Overrides(threshold=args.threshold))  # this run only, never saved
    try:
        turn = Assistant(context, engine).handle(args.text)
    finally:
        context.close()
    if args.json:
        payload = {**turn.to_json(),
                   "slots": request_slots(turn.prediction.text, turn.prediction.slots, typed=args.text)}
        emit(json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False))
    elif turn.result:
        p = turn.prediction
        if turn.learned:
            head = f"[{p.intent}, learned from you on {turn.learned[:10]}] "
        else:
            head = f"[{p.intent} {p.confidence:.0%} {turn.band}] " if turn.kind == "act" else f"[{turn.kind}] "
        emit(strip_escapes(f"{head}{turn.result.title}\n{turn.result.body}".rstrip()))
    else:
        offers = ", ".join(f"{c.intent} ({c.confidence:.0%})" for c in turn.candidates)
        emit(f"Not sure ({turn.prediction.intent} {turn.prediction.confidence:.0%}). Did you mean: {offers}?")
    return 0


def _labels(model: Path) -> tuple[str, ...]:
    """The bundle's in-scope intents, read from its manifest (fast: the model is not loaded)."""
    from core.bundle import read_manifest

    return tuple(label.name for label in read_manifest(model).labels if not label.out_of_scope)


def cmd_teach(args: argparse.Namespace) -> int:
    from core.context import build_context
    from core.memory import TeachingMemory

    labels = _labels(args.model)
    TeachingMemory.check_intent(args.intent, labels)  # before anything is opened: a typo exits 2
    context = build_context()
    try:
        if not context.settings.history_enabled:
            print("History is off in the settings, so nothing is learned; turn it on to teach.", file=sys.stderr)
            return 1
        if context.storage.read_only_reason:  # an in-memory database: "learned" would be a lie
            print(f"error: nothing was learned: {context.storage.read_only_reason}.", file=sys.stderr)
            return 1
        if not TeachingMemory(context.storage).teach(args.text, args.intent, labels):
            raise ConfigError(f"{shown(args.text)} is too short or too long to teach (at most 300 characters); "
                              "write the request in words.")
    finally:
        context.close()
    emit(f"learned: {shown(args.text)} -> {args.intent}")
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    from core.context import build_context
    from core.memory import TeachingMemory

    context = build_context()
    try:
        if context.storage.read_only_reason:
            print(f"error: nothing can be forgotten: {context.storage.read_only_reason}.", file=sys.stderr)
            return 1
        forgotten = TeachingMemory(context.storage).forget(args.text)
    finally:
        context.close()
    emit(f"forgotten: {shown(args.text)}" if forgotten else f"nothing was taught for {shown(args.text)}")
    return 0


def cmd_taught(_args: argparse.Namespace) -> int:
    from core.context import build_context

    context = build_context()
    try:
        for entry in context.storage.taught():
            emit(json.dumps({"text": entry.text, "intent": entry.intent, "taught": entry.created_at},
                            ensure_ascii=False))
    finally:
        context.close()
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Print core.validate's report: what serves each intent and, with a bundle, whether it matches the file."""
    from core.actions import ActionRegistry, ActionServices
    from core.actions.answer import business_fields
    from core.actions.base import business_file
    from core.bundle import read_manifest
    from core.intents import load_dataset
    from core.settings import Settings, SettingsStore
    from core.validate import validate_intents

    dataset = load_dataset(args.path)
    resources = resource_path()
    services = ActionServices(store=SettingsStore(None, Settings()), resources=resources, storage=None,
                              dataset=dataset)
    registry = ActionRegistry.discover(services)  # the actions the app would run for this file
    manifest = read_manifest(args.model) if args.model is not None else None
    report = validate_intents(dataset, registry, set(business_fields(business_file(resources), "en")), manifest)
    for line in report.lines:
        print(line)
    for note in report.notes:
        print(f"note: {note}")
    for problem in report.problems:
        print(f"problem: {problem}")
    print("OK" if report.ok else f"{len(report.problems)} problem(s)")
    return 0 if report.ok else 1


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from core.api import run_server
    except ImportError as exc:
        raise AssistantError(
            f"The API needs the 'api' extra ({exc.name} is missing): pip install -e '.[api]'."
        ) from exc
    from core.api import TOKEN_ENV, TOKEN_HEADER, check_bind_address, launch_token, write_token_file
    from core.paths import default_paths

    check_bind_address(args.host, args.allow_remote)
    token = launch_token(args.no_token, args.host)
    if token is not None:
        token_file = default_paths().config_dir / "api-token"
        # Only a token made here is written: one chosen by a launcher ($OFFLINE_ASSISTANT_API_TOKEN) is the
        # launcher's to share, and writing it would overwrite the user's own server's token file.
        chosen = bool(os.environ.get(TOKEN_ENV, "").strip())
        where = f" (also in {token_file})" if not chosen and write_token_file(token_file, token) else ""
        print(f"API token for this launch{where}: send it in every request as\n  {TOKEN_HEADER}: {token}",
              file=sys.stderr)
    run_server(args.model, args.host, args.port, args.device, args.threshold, args.load_timeout, token)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, help_text in [("classify", cmd_classify, "classify stdin lines to JSON lines"),
                                  ("route", cmd_route, "classify one request and run its action"),
                                  ("serve", cmd_serve, "serve the local HTTP API")]:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(func=func)
        p.add_argument("--model", type=Path, default=resource_path("model"), help="model bundle folder")
        p.add_argument("--threshold", type=float, help="clarification threshold (default: the bundle's)")
        p.add_argument("--device", default="auto", help="auto, cpu or cuda")
        p.add_argument("--load-timeout", type=float, default=60.0, help="seconds the model may take to load")
    sub.choices["route"].add_argument("text")
    sub.choices["route"].add_argument("--json", action="store_true", help="print the whole turn as JSON")
    sub.choices["serve"].add_argument("--host", default="127.0.0.1", help="bind address (default: loopback only)")
    sub.choices["serve"].add_argument("--port", type=int, default=8765)
    sub.choices["serve"].add_argument("--allow-remote", action="store_true",
                                      help="allow a non-loopback --host (other machines can then reach the API)")
    sub.choices["serve"].add_argument("--no-token", action="store_true",
                                      help="serve without the per-launch token (loopback only; any local process "
                                           "or web page can then use it)")
    teach = sub.add_parser("teach", help="remember that TEXT means INTENT (as a correction in the app does)")
    teach.add_argument("text")
    teach.add_argument("intent")
    teach.add_argument("--model", type=Path, default=resource_path("model"), help="bundle whose intents are valid")
    teach.set_defaults(func=cmd_teach)
    forget = sub.add_parser("forget", help="forget what TEXT was taught")
    forget.add_argument("text")
    forget.set_defaults(func=cmd_forget)
    sub.add_parser("taught", help="list what was taught, newest first (JSON lines)").set_defaults(func=cmd_taught)
    validate = sub.add_parser("validate-intents", help="check an intents YAML file")
    validate.add_argument("path", type=Path, nargs="?", default=resource_path("intents.yaml"))
    validate.add_argument("--model", type=Path, help="also check this bundle's labels and dataset hash against the "
                                                    "file (e.g. resources/model)")
    validate.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # the reader went away (`| head -1`): stop quietly, as a tool killed by SIGPIPE does
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail again
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    except BundleTimeoutError as exc:  # the model's thread still runs and cannot be joined: leave at once
        print(f"error: {exc}", file=sys.stderr)
        sys.stderr.flush()
        os._exit(EXIT_BAD_BUNDLE)
    except (BundleError, DeviceError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_BUNDLE
    except (DatasetError, AssistantError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
