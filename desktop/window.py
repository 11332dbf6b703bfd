"""The main window: the assistant panel, a menu, the status bar and remembered geometry."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, QSettings, Qt, QTimer, QTranslator
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QSystemTrayIcon, QWidget

from core.actions import ActionResult
from core.context import AppContext
from core.errors import AssistantError, ConfigError, StorageError
from core.language import resolve_language
from core.prediction import DEFAULT_THRESHOLD, EngineInfo
from core.settings import Settings
from core.storage import TaughtEntry
from desktop.api_process import api_available, start_api, stop_api
from desktop.appearance import apply_appearance
from desktop.dialogs import ProfileDialog, SettingsDialog, show_error
from desktop.global_shortcut import GlobalShortcut, LauncherSettings, ListenerFactory
from desktop.i18n import load_qt_translator, load_translator
from desktop.panel import AssistantPanel
from desktop.watcher import BundleWatcher
from desktop.worker import EngineController, EngineFactory


def _shortcuts(standard: QKeySequence.StandardKey, extra: str) -> list[QKeySequence]:
    """The platform's keys plus `extra`, each once: the same key twice makes Qt refuse both as ambiguous."""
    keys: list[QKeySequence] = []
    for key in [*QKeySequence.keyBindings(standard), QKeySequence(extra)]:
        if not key.isEmpty() and key not in keys:
            keys.append(key)
    return keys


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, controller: EngineController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.controller = controller
        self.translators: list[QTranslator] = []  # the app's catalogue and Qt's own (standard buttons, dialogs)
        self.launcher = LauncherSettings()  # read from window.ini below, once that is open
        self.apply_language()
        self.apply_appearance()
        self.panel = AssistantPanel(controller, context, self)
        self.setCentralWidget(self.panel)
        self.panel.error_raised.connect(self.show_error)
        self.panel.input.installEventFilter(self)  # Esc on an empty input puts the window away, as launchers do
        self.panel.edit_profile_button.clicked.connect(self.edit_profile)
        self.last_profile: dict[str, str] = {}  # the profile last shown, to prefill the edit form
        self.profile_labels: dict[str, str] = {}
        self.panel.action_shown.connect(self._remember_profile)
        # A model or device chosen in Settings is saved only once it has loaded and passed its checks.
        # model folder being loaded -> the (model_dir setting, device) to save once it has loaded
        self.pending_engines: dict[str, tuple[str | None, str]] = {}
        controller.worker.loaded.connect(self._engine_loaded)
        # (confidence, intent) the loaded bundle's weakest intent usually reaches: bounds the threshold slider.
        self.reach: tuple[float, str] | None = None
        controller.worker.reach.connect(lambda confidence, intent: setattr(self, "reach", (confidence, intent)))
        controller.worker.load_failed.connect(self._engine_failed)
        self.icon_path = context.paths.resources / "icons" / "assistant.svg"
        self.setWindowIcon(QIcon(str(self.icon_path)))
        self.api_process: subprocess.Popen[bytes] | None = None
        # A bundle retrained into the model folder is loaded (and checked) by the worker; until it passes,
        # the current model keeps answering, and a bundle that fails is reported and not used.
        self.watcher = BundleWatcher(lambda: Path(self.context.model_dir), self)
        self.watcher.changed.connect(self._bundle_changed)
        controller.worker.load_failed.connect(self.watcher.swap_failed)  # a half-copied bundle is retried
        controller.worker.loaded.connect(self.watcher.swap_loaded)
        self.watcher.start()
        self._menus()
        self.tray = self._tray()
        self.retranslate()
        self.geometry_store = QSettings(str(context.paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        geometry = self.geometry_store.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(720, 640)
        # Launcher behaviour, kept beside the geometry (window.ini): the global shortcut listens only once
        # enable_global_shortcut gives it a listener (the app does; embedding hosts and tests need not).
        self.launcher = self._load_launcher()
        self.global_shortcut = GlobalShortcut(parent=self)
        # Emitted on the listener's thread: queued, so toggling runs on the GUI thread.
        self.global_shortcut.triggered.connect(self.toggle_from_shortcut, Qt.ConnectionType.QueuedConnection)
        self.global_shortcut.failed.connect(self.panel.set_status)

    def _menus(self) -> None:
        self.settings_action = QAction(self)
        # Preferences is Ctrl+, on macOS only (empty on Linux and Windows): add Ctrl+, everywhere.
        self.settings_action.setShortcuts(_shortcuts(QKeySequence.StandardKey.Preferences, "Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action = QAction(self)
        self.quit_action.setShortcuts(_shortcuts(QKeySequence.StandardKey.Quit, "Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addAction(self.quit_action)

    def _tray(self) -> QSystemTrayIcon | None:
        """A tray icon where the desktop has a tray: a click shows or hides the window, its menu quits. (A global
        shortcut to summon the window needs per-platform hooks Qt does not offer; Settings explains how to bind
        the launcher command to a key in the desktop's own keyboard settings: dialogs.shortcut_help.)"""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(QIcon(str(self.icon_path)), self)
        self.tray_menu = QMenu(self)
        self.toggle_action = self.tray_menu.addAction("")
        self.toggle_action.triggered.connect(self.toggle_visible)
        self.tray_menu.addAction(self.quit_action)
        tray.setContextMenu(self.tray_menu)
        tray.activated.connect(
            lambda reason: self.toggle_visible() if reason == QSystemTrayIcon.ActivationReason.Trigger else None)
        tray.show()
        return tray

    def toggle_visible(self) -> None:
        if self.isVisible() and not self.isMinimized():
            self.hide()
        else:
            self.summon()

    def toggle_from_shortcut(self) -> None:
        """The global shortcut: put the window away when it is in front, otherwise bring it forward (a window
        behind others comes to the front rather than hiding)."""
        if self.isVisible() and not self.isMinimized() and self.isActiveWindow():
            self.dismiss()
        else:
            self.summon()

    def enable_global_shortcut(self, factory: ListenerFactory) -> str | None:
        """Listen for the launcher shortcut with listeners from `factory`; None when listening (or switched off),
        else why not (Settings shows it, with how to bind a key in the desktop's own settings)."""
        self.global_shortcut.factory = factory
        return self.global_shortcut.apply(self.launcher)

    def _load_launcher(self) -> LauncherSettings:
        store, default = self.geometry_store, LauncherSettings()
        try:
            return LauncherSettings(
                bool(store.value("launcher/shortcut_enabled", default.shortcut_enabled, type=bool)),
                str(store.value("launcher/shortcut", default.shortcut, type=str)),
                bool(store.value("launcher/hide_on_focus_loss", default.hide_on_focus_loss, type=bool)))
        except ConfigError:  # a combination edited by hand into something unusable: the default, until changed
            return default

    def apply_launcher(self, launcher: LauncherSettings) -> None:
        """Save the launcher settings and listen for the new shortcut (if it changed)."""
        old, self.launcher = self.launcher, launcher
        self.geometry_store.setValue("launcher/shortcut_enabled", launcher.shortcut_enabled)
        self.geometry_store.setValue("launcher/shortcut", launcher.shortcut)
        self.geometry_store.setValue("launcher/hide_on_focus_loss", launcher.hide_on_focus_loss)
        self.geometry_store.sync()
        if (old.shortcut_enabled, old.shortcut) != (launcher.shortcut_enabled, launcher.shortcut):
            problem = self.global_shortcut.apply(launcher) if self.global_shortcut.factory else None
            if problem:
                self.panel.set_status(problem)

    def _hide_if_inactive(self) -> None:
        """Hide on focus loss only when another program took the focus (not our dialog, menu or popup)."""
        if (self.launcher.hide_on_focus_loss and self.isVisible() and not self.isMinimized()
                and QApplication.activeWindow() is None and QApplication.activeModalWidget() is None
                and QApplication.activePopupWidget() is None):
            self.dismiss()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in an empty input with no choices open dismisses the window (Esc with text still clears it, and
        with choices open still closes the clarification: the input handles those)."""
        if (watched is self.panel.input and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape and not event.modifiers()
                and not self.panel.input.text() and not self.panel.input.choices_open):
            self.dismiss()
            return True
        return super().eventFilter(watched, event)

    def dismiss(self) -> None:
        """Hide where a tray icon (or a second start, or a key bound to the command) brings it back; with no
        tray, minimise instead so the window stays reachable from the taskbar."""
        if self.tray is not None:
            self.hide()
        else:
            self.showMinimized()

    def summon(self) -> None:
        """Show, raise and focus the window with the keyboard in the input (the tray, a second start)."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.panel.input.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Offline assistant"))
        if self.tray is not None:
            self.tray.setToolTip(self.tr("Offline assistant"))
            self.toggle_action.setText(self.tr("Show or hide the window"))
        self.file_menu.setTitle(self.tr("&Assistant"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.quit_action.setText(self.tr("&Quit"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif (event.type() == QEvent.Type.ActivationChange and self.launcher.hide_on_focus_loss
              and not self.isActiveWindow()):
            QTimer.singleShot(150, self, self._hide_if_inactive)  # once Qt knows which window (if any) took the focus
        super().changeEvent(event)

    def apply_language(self) -> None:
        """Install the Spanish translator when the resolved language is Spanish (Qt re-translates widgets)."""
        app = QCoreApplication.instance()
        if app is None:
            return
        # The catalogues are children of the application: whichever window installed them (an embedding host
        # may build several), they are replaced, never stacked.
        for old in app.findChildren(QTranslator):
            app.removeTranslator(old)
            old.deleteLater()
        self.translators = []
        language = resolve_language(self.context.settings.language)
        if language == "es":
            for loaded in (load_qt_translator(language), load_translator(language)):
                if loaded is not None:
                    loaded.setParent(app)
                    app.installTranslator(loaded)
                    self.translators.append(loaded)

    def apply_appearance(self) -> None:
        """Light or dark as set (an explicit palette: it applies with no desktop environment too); "system" leaves
        the scheme to the desktop (Fusion follows it where the platform says)."""
        apply_appearance(self.context.settings.appearance)

    def show_error(self, exc: BaseException) -> None:
        show_error(self, exc)

    def open_settings(self) -> None:
        info = self.panel.info
        dialog = SettingsDialog(self.context.settings, info.default_threshold if info else DEFAULT_THRESHOLD,
                                bool(info and info.cuda_available), self, taught=self._taught(),
                                display_name=self.panel.display_name, api_available=api_available(),
                                reach=(self.reach[0], self.panel.display_name(self.reach[1])) if self.reach else None,
                                launcher=self.launcher, shortcut_available=self.global_shortcut.available,
                                shortcut_problem=self.global_shortcut.problem)
        try:
            if dialog.exec():
                self.apply_launcher(dialog.result_launcher())
                # Writes go through the worker, the thread that answers: the next request sees them (never a
                # second TeachingMemory on this thread whose changes the answering one would not notice).
                if dialog.forget_requested:
                    self.controller.request_forget.emit(list(dialog.forget_requested))
                if dialog.clear_history_requested:
                    self.controller.request_clear_history.emit()
                    self.panel.clear_history_view()
                self.apply_settings(dialog.result_settings(self.context.settings))
        finally:
            # A dialog kept as the window's child until exit was destroyed there in whatever order Python's
            # shutdown chose: "QObject: shared QObject was deleted directly" and at times a crash (issue 23, 9).
            dialog.deleteLater()

    def _taught(self) -> list[TaughtEntry]:
        """What was learned, read for the dialog (a read: the writes go through the worker)."""
        try:
            return self.context.storage.taught()
        except StorageError as exc:
            self.show_error(exc)
            return []

    def apply_settings(self, new: Settings) -> None:
        """Apply at once (everything reads the store live) and save; a new model or device is loaded first
        and saved only when it loaded, so a broken bundle never becomes the model of every later start."""
        old = self.context.settings
        engine_changed = (new.model_dir, new.device) != (old.model_dir, old.device)
        try:
            self.context.store.replace(new.updated(model_dir=old.model_dir, device=old.device))
        except OSError as exc:
            self.show_error(AssistantError(
                f"Settings could not be saved to {self.context.paths.settings_file} ({exc}); they apply until "
                "the app closes. Check that the folder is writable."))
        if new.language != old.language:
            self.apply_language()
        if new.appearance != old.appearance:
            self.apply_appearance()
        if engine_changed:
            self.context.store.drop_override("model_dir")  # an explicit choice replaces --model
            self.context.store.drop_override("device")
            model = str(Path(new.model_dir or self.context.paths.default_model))  # the form EngineInfo reports
            self.pending_engines[model] = (new.model_dir, new.device)
            self.panel.set_status(self.tr("Loading model…"))
            self.controller.load(model, new.device)
        if new.api_enabled != old.api_enabled:
            self.sync_api()

    def _engine_loaded(self, info: EngineInfo) -> None:
        self.reach = None  # measured again for this bundle (worker.reach follows)
        pending = self.pending_engines.pop(info.model_dir, None)
        if pending is None:  # the start-up model (or --model): nothing to save
            return
        model_dir, device = pending
        try:
            self.context.store.update(model_dir=model_dir, device=device)
        except OSError as exc:
            self.show_error(AssistantError(f"The model loaded but the choice could not be saved ({exc})."))
        if self.context.settings.api_enabled:
            self.sync_api()  # the API serves the model the window uses

    def _bundle_changed(self, folder: str) -> None:
        self.panel.set_status(self.tr("A new model was found in the model folder; checking it…"))
        self.controller.hot_swap(folder, self.context.device)  # served only if it answers the canaries as before

    def _engine_failed(self, model_dir: str, _exc: BaseException) -> None:
        self.pending_engines.pop(model_dir, None)  # the saved choice stays; the panel reports the error

    def sync_api(self) -> None:
        """Start or stop the local API to match the setting."""
        stop_api(self.api_process)
        self.api_process = None
        if self.context.settings.api_enabled and not api_available():
            return  # e.g. a setting carried over from a source install: the Settings dialog explains it once
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
        try:
            if dialog.exec():
                self.controller.request_profile.emit(dialog.values())
                self.panel.ask(self.tr("show my profile"))
        finally:
            dialog.deleteLater()  # not left to Python's shutdown (see open_settings)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.geometry_store.setValue("geometry", self.saveGeometry())
        self.geometry_store.sync()
        self.hide()  # the window goes at once; the engine process stops behind it
        self.global_shortcut.stop()
        if self.tray is not None:
            self.tray.hide()
        self.controller.stop()
        stop_api(self.api_process)
        super().closeEvent(event)


def start(context: AppContext, engine_factory: EngineFactory | None = None) -> tuple[MainWindow, EngineController]:
    """Build the controller (its worker thread starts now) and the window; see desktop.startup.launch."""
    controller = EngineController(context, engine_factory)
    return MainWindow(context, controller), controller
