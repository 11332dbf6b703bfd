"""The one start-up sequence, shared by the app, its self-test and the screenshot script.

    app = make_application()
    context = build_context(overrides=Overrides(model_dir=...))
    window, controller = launch(context)          # window shown, model loading in the background
    app.exec()
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from core.context import AppContext
from core.errors import StorageError
from core.paths import resource_path
from desktop.window import MainWindow, start
from desktop.worker import EngineController, EngineFactory

APP_NAME = "Offline assistant"


def make_application() -> QApplication:
    existing = QCoreApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    # Fusion draws the same clean widgets everywhere and follows the light/dark colour scheme (Qt >= 6.5).
    app.setStyle("Fusion")
    app.setWindowIcon(QIcon(str(resource_path("icons", "assistant.svg"))))
    return app


def launch(
    context: AppContext,
    engine_factory: EngineFactory | None = None,
    before_load: Callable[[MainWindow, EngineController], None] | None = None,
) -> tuple[MainWindow, EngineController]:
    """Show the window first, then load the model in the background (requests typed meanwhile wait for it).
    `before_load` lets a caller connect to the window's signals before anything can arrive."""
    window, controller = start(context, engine_factory)
    window.show()
    if before_load:
        before_load(window, controller)
    controller.load(context.model_dir, context.device)
    if context.settings.api_enabled:
        window.sync_api()
    storage = context.storage
    if storage.recovered_from is not None:
        window.show_error(StorageError(
            f"The local database was damaged and could not be read. It was kept as {storage.recovered_from} and a "
            "new, empty one was created: your history and profile start afresh."))
    elif storage.read_only_reason:
        window.show_error(StorageError(
            f"Nothing can be saved this session: {storage.read_only_reason}. The assistant works, but history, "
            "feedback and profile changes last only until it closes. Check the folder's permissions and free space."))
    return window, controller
