"""The main window: the assistant panel, a menu, the status bar and remembered geometry."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QSettings, QTranslator
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from core.actions import ActionResult
from core.context import AppContext
from core.errors import AssistantError
from core.language import resolve_language
from core.settings import Settings, save_settings
from desktop.api_process import start_api, stop_api
from desktop.dialogs import ProfileDialog, SettingsDialog, show_error
from desktop.i18n import load_translator
from desktop.panel import AssistantPanel
from desktop.worker import EngineController, EngineFactory


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, controller: EngineController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.controller = controller
        self.translator: QTranslator | None = None
        self.apply_language()
        self.panel = AssistantPanel(controller, context, self)
        self.setCentralWidget(self.panel)
        self.panel.error_raised.connect(self.show_error)
        self.panel.status_changed.connect(lambda text: self.statusBar().showMessage(text))
        self.panel.edit_profile_button.clicked.connect(self.edit_profile)
        self.last_profile: dict[str, str] = {}  # the profile last shown, to prefill the edit form
        self.profile_labels: dict[str, str] = {}
        self.panel.action_shown.connect(self._remember_profile)
        self.icon_path = context.paths.resources / "icons" / "assistant.svg"
        self.setWindowIcon(QIcon(str(self.icon_path)))
        self.api_process: subprocess.Popen[bytes] | None = None
        self._menus()
        self.retranslate()
        self.geometry_store = QSettings(str(context.paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        geometry = self.geometry_store.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(720, 640)

    def _menus(self) -> None:
        self.settings_action = QAction(self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addAction(self.quit_action)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Offline assistant"))
        self.file_menu.setTitle(self.tr("&Assistant"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.quit_action.setText(self.tr("&Quit"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def apply_language(self) -> None:
        """Install the Spanish translator when the resolved language is Spanish (Qt re-translates widgets)."""
        app = QCoreApplication.instance()
        if self.translator is not None:
            app.removeTranslator(self.translator)
            self.translator = None
        if resolve_language(self.context.settings.language) == "es":
            self.translator = load_translator("es")
            if self.translator is not None:
                app.installTranslator(self.translator)

    def show_error(self, exc: BaseException) -> None:
        show_error(self, exc)

    def open_settings(self) -> None:
        info = self.panel.info or {}
        dialog = SettingsDialog(self.context.settings, float(info.get("threshold", 0.7)),
                                bool(info.get("cuda_available", False)), self)
        if dialog.exec():
            if dialog.clear_history_requested:
                self.context.storage.clear_history()
                self.panel.clear_history_view()
            self.apply_settings(dialog.result_settings(self.context.settings))

    def apply_settings(self, new: Settings) -> None:
        """Persist and apply settings; a new model or device reloads the engine without a restart."""
        old = self.context.settings
        try:
            save_settings(self.context.paths.settings_file, new)
        except OSError as exc:
            self.show_error(AssistantError(f"Settings could not be saved to {self.context.paths.settings_file}: {exc}"))
        self.context.settings = new
        if new.language != old.language:
            self.apply_language()
        if new.threshold is not None and new.threshold != old.threshold:
            self.controller.request_threshold.emit(new.threshold)
        if new.api_enabled != old.api_enabled or (new.api_enabled and new.model_dir != old.model_dir):
            self.sync_api()
        if new.model_dir != old.model_dir or new.device != old.device:
            self.panel.set_status(self.tr("Loading model…"))
            self.controller.request_load.emit(str(self.context.model_dir), new.device)

    def sync_api(self) -> None:
        """Start or stop the local API to match the setting."""
        stop_api(self.api_process)
        self.api_process = None
        if self.context.settings.api_enabled:
            try:
                self.api_process = start_api(self.context.model_dir, self.context.settings.api_port)
            except AssistantError as exc:
                self.show_error(exc)

    def _remember_profile(self, result: ActionResult) -> None:
        if result.kind == "profile":
            self.last_profile = dict(result.fields["profile"])
            self.profile_labels = dict(result.fields["labels"])

    def edit_profile(self) -> None:
        dialog = ProfileDialog(self.last_profile, self.profile_labels, self)
        if dialog.exec():
            self.controller.request_profile.emit(dialog.values())
            self.panel.ask(self.tr("show my profile"))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.geometry_store.setValue("geometry", self.saveGeometry())
        self.geometry_store.sync()
        self.hide()  # the window goes at once; the engine process stops behind it
        self.controller.stop()
        stop_api(self.api_process)
        super().closeEvent(event)


def start(context: AppContext, engine_factory: EngineFactory | None = None) -> tuple[MainWindow, EngineController]:
    """Build the controller (its worker thread starts now) and the window; the caller shows it."""
    controller = EngineController(context, engine_factory)
    return MainWindow(context, controller), controller
