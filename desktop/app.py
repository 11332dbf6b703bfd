"""Start-up: the window first, then the model in the background (torch never loads in this process)."""

from __future__ import annotations

import argparse
import sys
import time

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from core.context import build_context
from core.errors import AssistantError
from core.paths import resource_path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="offline-assistant")
    parser.add_argument("--self-test", action="store_true", help="run a fixed battery headless, print JSON, exit")
    parser.add_argument("--model", help="model bundle folder (default: settings, else the bundled model)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, started: float | None = None) -> int:
    started = started if started is not None else time.perf_counter()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        from desktop.self_test import run_self_test

        return run_self_test(started, args.model)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Offline assistant")
    app.setWindowIcon(QIcon(str(resource_path("icons", "assistant.svg"))))
    try:
        context = build_context()
    except AssistantError as exc:  # e.g. an unreadable settings file: say so rather than crash
        QMessageBox.critical(None, "Offline assistant", str(exc))
        return 1
    if args.model:
        context.settings = context.settings.updated(model_dir=args.model)
    from desktop.window import start

    window, controller = start(context)
    window.show()
    controller.request_load.emit(str(context.model_dir), context.settings.device)
    if context.settings.api_enabled:
        window.sync_api()
    code = app.exec()
    context.close()
    return int(code)
