"""Settings and profile dialogs, and the one place that turns errors into message boxes."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSlider,
    QWidget,
)

from core.errors import BundleError, ConfigError, DeviceError, EngineProcessError, StorageError
from core.settings import DEFAULT_FEEDS, MAX_FEEDS, Settings, feed_problem
from core.storage import PROFILE_FIELDS, TaughtEntry, invalid_profile_fields
from desktop.global_shortcut import LauncherSettings, parse_shortcut
from desktop.style import MUTED_STYLE

MIN_THRESHOLD, MAX_THRESHOLD = 50, 95  # the slider's range in percent before the bundle's reach bounds it


def error_title(exc: BaseException) -> str:
    if isinstance(exc, BundleError):
        return QCoreApplication.translate("Errors", "The model could not be loaded")
    if isinstance(exc, DeviceError):
        return QCoreApplication.translate("Errors", "Device not available")
    if isinstance(exc, EngineProcessError):
        return QCoreApplication.translate("Errors", "The engine stopped")
    if isinstance(exc, ConfigError):
        return QCoreApplication.translate("Errors", "Invalid setting")
    if isinstance(exc, StorageError):
        return QCoreApplication.translate("Errors", "Local data")
    return QCoreApplication.translate("Errors", "Something went wrong")


def error_summary(exc: BaseException) -> str:
    """One line in the window's language saying what it means for the user; the technical message (English,
    quoting paths and files) goes under "Show Details…"."""
    if isinstance(exc, BundleError):
        return QCoreApplication.translate("Errors", "The model bundle could not be used. The model in use (if any) "
                                          "keeps answering; choose another bundle in Settings.")
    if isinstance(exc, DeviceError):
        return QCoreApplication.translate("Errors", "That device is not available here, so that model was not loaded. "
                                          "The model in use (if any) keeps answering; choose Automatic or CPU "
                                          "in Settings.")
    if isinstance(exc, EngineProcessError):
        return QCoreApplication.translate("Errors", "The engine stopped or did not answer in time. Ask again; if it "
                                          "happens again, restart the assistant.")
    if isinstance(exc, ConfigError):
        return QCoreApplication.translate("Errors", "A setting has a value that cannot be used.")
    if isinstance(exc, StorageError):
        return QCoreApplication.translate("Errors", "Your local data could not be read or saved. Answers still "
                                          "work; check the free space and the data folder's permissions.")
    return QCoreApplication.translate("Errors", "The assistant keeps running; the details say what happened.")


def show_error(parent: QWidget, exc: BaseException) -> None:
    """The only place errors become dialogs; the app keeps running afterwards. The message is plain text: it may
    quote a manifest, a path or a feed, which must never be rendered as HTML or offer links."""
    box = QMessageBox(QMessageBox.Icon.Warning, error_title(exc), error_summary(exc), QMessageBox.StandardButton.Ok,
                      parent)
    box.setInformativeText(str(exc)[:2000])  # what was expected, what was found, how to fix it
    box.setTextFormat(Qt.TextFormat.PlainText)
    for label in box.findChildren(QLabel):  # the informative text too: it may quote a manifest or a feed
        label.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def shortcut_help(platform: str, session: str, problem: str | None = None) -> str:
    """Why the app sets no global shortcut here (`problem`, desktop.global_shortcut's reason, when it tried) and
    how to get one from the desktop itself: a second start of `offline-assistant` brings the open window
    forward, so a key bound to that command summons it (on Wayland the only way)."""
    if problem:
        why = problem
    elif platform == "wayland" or session == "wayland":
        why = QCoreApplication.translate("Shortcut", "Wayland does not let an application set a global shortcut.")
    else:
        why = QCoreApplication.translate("Shortcut", "This build cannot set a global shortcut itself.")
    how = QCoreApplication.translate(
        "Shortcut", "To summon the assistant with a key (for example Ctrl+Alt+Space), bind the command "
        "offline-assistant to it in your desktop's settings: GNOME: Settings → Keyboard → View and Customise "
        "Shortcuts → Custom Shortcuts; KDE: System Settings → Shortcuts → Add Command. Starting it again brings "
        "the open window forward; Esc on an empty input hides it.")
    return f"{why} {how}"


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, model_threshold: float, cuda_available: bool, parent: QWidget,
                 taught: Sequence[TaughtEntry] = (), display_name: Callable[[str], str] = str,
                 api_available: bool = True, reach: tuple[float, str] | None = None,
                 launcher: LauncherSettings | None = None, shortcut_available: bool = False,
                 shortcut_problem: str | None = None) -> None:
        """`model_threshold`: the bundle's calibrated threshold (used while the setting names none); `reach`:
        (confidence, intent display name) the weakest intent's example requests usually get, bounding the slider.
        `launcher`: the global shortcut and focus settings; `shortcut_available`: whether this platform and
        build can listen for a shortcut; `shortcut_problem`: why the last start failed, if it did."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.model_dir = settings.model_dir
        self.clear_history_requested = False
        self.model_threshold = model_threshold
        self.threshold_touched = False  # OK without moving the slider keeps "the bundle's value" (None) as it is
        self.threshold_cleared = False  # "Use the bundle's value" was pressed last
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        # Above what the model usually reaches, every request of some intent would ask: the slider stops there.
        top = MAX_THRESHOLD if reach is None else min(MAX_THRESHOLD, max(round(model_threshold * 100),
                                                                          int(reach[0] * 100)))
        self.threshold.setRange(MIN_THRESHOLD, top)
        self.threshold.setValue(round((settings.threshold or model_threshold) * 100))
        self.threshold.setAccessibleName(self.tr("Clarification threshold"))
        self.threshold_value = QLabel()
        self.threshold_note = QLabel()
        self.threshold_note.setWordWrap(True)
        self.threshold_note.setTextFormat(Qt.TextFormat.PlainText)
        self.threshold_note.setStyleSheet(MUTED_STYLE)
        note = self.tr("The bundle's calibrated value is {value}%.").format(value=round(model_threshold * 100))
        if reach is not None:
            note += " " + self.tr("The slider stops at {top}%: above it, requests for “{intent}” would nearly "
                                  "always ask.").format(top=top, intent=reach[1])
        self.threshold_note.setText(note)
        self.threshold.valueChanged.connect(self._threshold_moved)
        self.threshold_default = QPushButton(self.tr("Use the bundle's value"))
        self.threshold_default.clicked.connect(self._use_bundle_threshold)
        self._show_threshold(settings.threshold)
        self.device = QComboBox()
        for value, text in (("auto", self.tr("Automatic")), ("cpu", "CPU"), ("cuda", self.tr("GPU (CUDA)"))):
            self.device.addItem(text, value)
        self.device.model().item(2).setEnabled(cuda_available)  # type: ignore[attr-defined]
        self.device.setCurrentIndex(max(0, self.device.findData(settings.device)))
        self.language = QComboBox()
        for value, text in (("system", self.tr("System")), ("es", "Español"), ("en", "English")):
            self.language.addItem(text, value)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.appearance = QComboBox()
        for value, text in (("system", self.tr("Like the system")), ("light", self.tr("Light")),
                            ("dark", self.tr("Dark"))):
            self.appearance.addItem(text, value)
        self.appearance.setCurrentIndex(max(0, self.appearance.findData(settings.appearance)))
        self.history = QCheckBox(self.tr("Keep a history of requests"))
        self.history.setChecked(settings.history_enabled)
        self.clear_button = QPushButton(self.tr("Clear history"))
        self.clear_button.clicked.connect(self._clear_history)
        self.network = QCheckBox(self.tr("Fetch news feeds over the network"))
        self.network.setChecked(settings.network_feeds)
        self._build_feeds(settings.feeds)
        self.shortcut_note = QLabel(shortcut_help(QGuiApplication.platformName(),
                                                  os.environ.get("XDG_SESSION_TYPE", "").lower(), shortcut_problem))
        self.shortcut_note.setWordWrap(True)
        self.shortcut_note.setTextFormat(Qt.TextFormat.PlainText)
        self._build_launcher(launcher or LauncherSettings(), shortcut_available and not shortcut_problem)
        self.api = QCheckBox(self.tr("Serve the local API on 127.0.0.1 (for other programs)"))
        self.api.setChecked(settings.api_enabled and api_available)
        if not api_available:  # said here, once, instead of an error at every start
            self.api.setEnabled(False)
            self.api.setText(self.tr("Local API: not part of this build (run from a source install to use it)"))
        # What the user taught by choosing or correcting; removals apply when the dialog is accepted.
        self.forget_requested: list[str] = []
        self.taught = QListWidget()
        self.taught.setAccessibleName(self.tr("What I have learned"))
        self.taught.setMaximumHeight(120)
        self.taught.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.taught.setWordWrap(True)
        for entry in taught:
            item = QListWidgetItem(self.tr("“{text}” → {intent} ({date})").format(
                text=entry.text, intent=display_name(entry.intent), date=entry.created_at[:10]))
            item.setData(Qt.ItemDataRole.UserRole, entry.text)
            self.taught.addItem(item)
        self.taught_empty = QLabel(self.tr("Nothing yet: choices and corrections you make are learned here."))
        self.taught_empty.setVisible(not taught)
        self.taught.setVisible(bool(taught))
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(self._remove_taught)
        forget_all = QPushButton(self.tr("Clear all"))
        forget_all.clicked.connect(self._clear_taught)
        remove.setEnabled(bool(taught))
        forget_all.setEnabled(bool(taught))
        self.model_label = QLabel(settings.model_dir or self.tr("Bundled model"))
        choose = QPushButton(self.tr("Load another model bundle…"))
        choose.clicked.connect(self._choose_model)
        bundled = QPushButton(self.tr("Use the bundled model"))
        bundled.clicked.connect(self._use_bundled)
        form = QFormLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.threshold, 1)
        row.addWidget(self.threshold_value)
        row.addWidget(self.threshold_default)
        form.addRow(self.tr("Ask to clarify below"), row)
        form.addRow(self.threshold_note)
        form.addRow(self.tr("Device"), self.device)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Appearance"), self.appearance)
        history_row = QHBoxLayout()
        history_row.addWidget(self.history)
        history_row.addWidget(self.clear_button)
        form.addRow(history_row)
        form.addRow(self.network)
        form.addRow(self.tr("News feeds"), self.feed_list)
        feed_row = QHBoxLayout()
        feed_row.addWidget(self.feed_input, 1)
        feed_row.addWidget(self.feed_add)
        feed_row.addWidget(self.feed_remove)
        form.addRow(feed_row)
        suggested_row = QHBoxLayout()
        suggested_row.addWidget(self.feed_suggested, 1)
        suggested_row.addWidget(self.feed_add_suggested)
        form.addRow(self.tr("Suggested"), suggested_row)
        form.addRow(self.feed_message)
        form.addRow(self.api)
        shortcut_row = QHBoxLayout()
        shortcut_row.addWidget(self.shortcut_enabled)
        shortcut_row.addWidget(self.shortcut_input, 1)
        form.addRow(self.tr("Global shortcut"), shortcut_row)
        form.addRow(self.shortcut_message)
        form.addRow(self.shortcut_note)
        form.addRow(self.hide_on_focus_loss)
        form.addRow(QLabel(self.tr("What I have learned")))
        form.addRow(self.taught_empty)
        form.addRow(self.taught)
        taught_row = QHBoxLayout()
        taught_row.addWidget(remove)
        taught_row.addWidget(forget_all)
        taught_row.addStretch(1)
        form.addRow(taught_row)
        form.addRow(self.tr("Model"), self.model_label)
        model_row = QHBoxLayout()
        model_row.addWidget(choose)
        model_row.addWidget(bundled)
        form.addRow(model_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _build_launcher(self, launcher: LauncherSettings, available: bool) -> None:
        """The global shortcut (a key combination typed as text, checked on OK) and "hide when focus is lost".
        Where no shortcut can be listened for, the key is shown disabled and the note says how to bind one."""
        self.shortcut_enabled = QCheckBox(self.tr("Show or hide the window with"))
        self.shortcut_enabled.setChecked(launcher.shortcut_enabled and available)
        self.shortcut_enabled.setEnabled(available)
        self.shortcut_input = QLineEdit(launcher.shortcut)
        self.shortcut_input.setAccessibleName(self.tr("Global shortcut"))
        self.shortcut_input.setPlaceholderText("Ctrl+Alt+Space")
        self.shortcut_input.setEnabled(available)
        self.shortcut_message = QLabel()
        self.shortcut_message.setWordWrap(True)
        self.shortcut_message.setTextFormat(Qt.TextFormat.PlainText)  # it quotes what the user typed
        self.shortcut_message.hide()
        if available:
            self.shortcut_note.setText(self.tr("Pressed in any program, it shows the window or hides it again."))
        self.launcher = launcher
        self.hide_on_focus_loss = QCheckBox(self.tr("Hide the window when another program takes the focus"))
        self.hide_on_focus_loss.setChecked(launcher.hide_on_focus_loss)

    def shortcut_error(self) -> str | None:
        """Why the typed shortcut cannot be used (in the current language), or None."""
        if not self.shortcut_input.isEnabled():
            return None
        try:
            parse_shortcut(self.shortcut_input.text())
        except ConfigError as exc:
            return str(exc)
        return None

    def accept(self) -> None:
        """OK keeps the dialog open while the shortcut cannot be used, saying why under it."""
        problem = self.shortcut_error()
        if problem is not None:
            self.shortcut_message.setText(problem)
            self.shortcut_message.show()
            self.shortcut_input.setFocus()
            return
        super().accept()

    def result_launcher(self) -> LauncherSettings:
        """The launcher settings as chosen (the shortcut in its canonical form); call after accept()."""
        if not self.shortcut_input.isEnabled():  # nothing could be changed here: what was set stays
            return LauncherSettings(self.launcher.shortcut_enabled, self.launcher.shortcut,
                                    self.hide_on_focus_loss.isChecked())
        return LauncherSettings(self.shortcut_enabled.isChecked(), parse_shortcut(self.shortcut_input.text()).display,
                                self.hide_on_focus_loss.isChecked())

    def _build_feeds(self, feeds: Sequence[str]) -> None:
        """The feed list with Add/Remove, the suggested feeds of both languages, and a line saying why an
        address was refused (checked here with the same rules Settings applies on construction)."""
        self.feed_list = QListWidget()
        self.feed_list.setAccessibleName(self.tr("News feeds"))
        self.feed_list.setMaximumHeight(100)
        self.feed_list.addItems(list(feeds))
        self.feed_input = QLineEdit()
        self.feed_input.setPlaceholderText("https://example.org/rss.xml")
        self.feed_input.setAccessibleName(self.tr("Feed address"))
        self.feed_input.installEventFilter(self)  # Enter adds the feed instead of closing the dialog
        self.feed_add = QPushButton(self.tr("Add feed"))
        self.feed_add.clicked.connect(lambda: self.add_feed(self.feed_input.text().strip()))
        self.feed_remove = QPushButton(self.tr("Remove feed"))
        self.feed_remove.clicked.connect(self._remove_feed)
        self.feed_suggested = QComboBox()
        self.feed_suggested.setAccessibleName(self.tr("Suggested feeds"))
        for lang, name in (("es", "Español"), ("en", "English")):
            for url in DEFAULT_FEEDS[lang]:
                self.feed_suggested.addItem(f"{name} · {url}", url)
        self.feed_add_suggested = QPushButton(self.tr("Add suggested feed"))
        self.feed_add_suggested.clicked.connect(lambda: self.add_feed(str(self.feed_suggested.currentData())))
        self.feed_message = QLabel()
        self.feed_message.setWordWrap(True)
        self.feed_message.setTextFormat(Qt.TextFormat.PlainText)  # it may quote what the user typed

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.feed_input and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.add_feed(self.feed_input.text().strip())
            return True
        return super().eventFilter(watched, event)

    def feeds(self) -> tuple[str, ...]:
        return tuple(self.feed_list.item(i).text() for i in range(self.feed_list.count()))

    def add_feed(self, url: str) -> bool:
        """Add `url` when Settings would accept it; otherwise say why on the line under the list."""
        problems = {
            "length": self.tr("Type a feed address (at most 2000 characters)."),
            "spaces": self.tr("A feed address cannot contain spaces."),
            "scheme": self.tr("Only http:// and https:// addresses can be news feeds."),
            "host": self.tr("The address needs a host name, as in https://example.org/rss.xml."),
        }
        problem = feed_problem(url)
        if problem is not None:
            message = problems[problem]
        elif url in self.feeds():
            message = self.tr("That feed is already in the list.")
        elif self.feed_list.count() >= MAX_FEEDS:
            message = self.tr("At most {count} feeds: remove one first.").format(count=MAX_FEEDS)
        else:
            self.feed_list.addItem(url)
            self.feed_input.clear()
            self.feed_message.setText(self.tr("Added. News reads it once fetching over the network is on.")
                                      if not self.network.isChecked() else self.tr("Added."))
            return True
        self.feed_message.setText(message)
        return False

    def _remove_feed(self) -> None:
        row = self.feed_list.currentRow()
        if row >= 0:
            self.feed_list.takeItem(row)
            self.feed_message.clear()

    def _remove_taught(self) -> None:
        item = self.taught.currentItem()
        if item is not None:
            self.forget_requested.append(item.data(Qt.ItemDataRole.UserRole))
            self.taught.takeItem(self.taught.row(item))

    def _clear_taught(self) -> None:
        while self.taught.count():
            self.forget_requested.append(self.taught.takeItem(0).data(Qt.ItemDataRole.UserRole))

    def _clear_history(self) -> None:
        self.clear_history_requested = True
        self.clear_button.setEnabled(False)  # said at once; done when OK is pressed
        self.clear_button.setText(self.tr("History is cleared on OK"))

    def _threshold_moved(self, _value: int) -> None:
        self.threshold_touched, self.threshold_cleared = True, False
        self._show_threshold(self.threshold.value() / 100)

    def _show_threshold(self, value: float | None) -> None:
        percent = f"{self.threshold.value()}%"
        self.threshold_value.setText(percent if value is not None else self.tr("{value} (bundle)").format(
            value=percent))
        self.threshold_default.setEnabled(value is not None)

    def _use_bundle_threshold(self) -> None:
        self.threshold.blockSignals(True)
        self.threshold.setValue(round(self.model_threshold * 100))
        self.threshold.blockSignals(False)
        self.threshold_touched = True
        self._show_threshold(None)
        self.threshold_cleared = True

    def _choose_model(self) -> None:
        dialog = QFileDialog(self, self.tr("Choose a model bundle folder"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        # Qt's Spanish catalogue leaves these two labels of its own dialog in English ("Look in:", "Files of type:")
        dialog.setLabelText(QFileDialog.DialogLabel.LookIn, self.tr("Look in:"))
        dialog.setLabelText(QFileDialog.DialogLabel.FileType, self.tr("Files of type:"))
        folder = dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else ""
        if folder:
            self.model_dir = folder
            self.model_label.setText(folder)

    def _use_bundled(self) -> None:
        self.model_dir = None
        self.model_label.setText(self.tr("Bundled model"))

    def result_settings(self, current: Settings) -> Settings:
        threshold = current.threshold
        if self.threshold_touched:
            threshold = None if self.threshold_cleared else self.threshold.value() / 100
        return current.updated(
            threshold=threshold, device=self.device.currentData(),
            language=self.language.currentData(), appearance=self.appearance.currentData(),
            history_enabled=self.history.isChecked(),
            network_feeds=self.network.isChecked(), feeds=self.feeds(), api_enabled=self.api.isChecked(),
            model_dir=self.model_dir,
        )


class ProfileDialog(QDialog):
    def __init__(self, values: dict[str, str], labels: dict[str, str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit profile"))
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        for name in PROFILE_FIELDS:
            edit = QLineEdit(values.get(name, ""))
            edit.setAccessibleName(labels.get(name, name))
            self.fields[name] = edit
            form.addRow(labels.get(name, name), edit)
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet("color: #a12020")
        form.addRow(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for edit in self.fields.values():
            edit.textChanged.connect(self._validate)
        self._validate()

    def _validate(self) -> None:
        """Save stays disabled while the email or phone is not plausible; the line under the form says why."""
        invalid = invalid_profile_fields(self.values())
        messages = {"email": self.tr("The email should look like name@example.org."),
                    "phone": self.tr("The phone number should have at least 7 digits.")}
        self.problem.setText(" ".join(messages.get(f, "") for f in invalid).strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not invalid)

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.fields.items()}
