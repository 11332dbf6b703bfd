"""Start-up: the window first, then the model in the background (torch never loads in this process)."""

from __future__ import annotations

import argparse
import sys
import time

from PySide6.QtWidgets import QMessageBox

from core.errors import AssistantError
from core.settings import DEVICES, Overrides


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="offline-assistant")
    parser.add_argument("--self-test", action="store_true", help="run a fixed battery headless, print JSON, exit")
    parser.add_argument("--model", help="model bundle folder for this run (not saved; default: the settings')")
    parser.add_argument("--device", choices=DEVICES, help="compute device for this run (not saved)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, started: float | None = None) -> int:
    started = started if started is not None else time.perf_counter()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    overrides = Overrides(model_dir=args.model, device=args.device)
    if args.self_test:
        from desktop.self_test import run_self_test

        return run_self_test(started, overrides)
    from core.context import build_context
    from desktop.single_instance import SingleInstance
    from desktop.startup import launch, make_application

    app = make_application()
    try:
        context = build_context(overrides=overrides)
    except AssistantError as exc:
        QMessageBox.critical(None, "Offline assistant", str(exc))
        return 1
    guard = SingleInstance(context.paths.data_dir)
    if not guard.claim():  # one is running: it was asked to come forward
        context.close()
        return 0
    window, _controller = launch(context)
    guard.activated.connect(window.summon)
    from desktop.global_shortcut import pynput_listener

    window.enable_global_shortcut(pynput_listener)  # where it cannot listen, Settings says why and what to do
    for warning in context.store.warnings:  # e.g. a settings field of the wrong kind: it fell back to default
        window.panel.set_status(warning)
    code = app.exec()
    context.close()
    return int(code)
