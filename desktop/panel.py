"""AssistantPanel: the embeddable assistant widget (input, answer card, clarification, history).

Minimal embedding in another PySide6 application:

    context = build_context()
    controller = EngineController(context)
    panel = AssistantPanel(controller, context)
    panel.error_raised.connect(lambda exc: QMessageBox.warning(None, "Assistant", str(exc)))
    controller.load(context.model_dir, context.device)
"""

from __future__ import annotations

from urllib.parse import unquote

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.actions import ActionResult
from core.assistant import Turn
from core.context import AppContext
from core.language import resolve_language
from core.prediction import EngineInfo, Prediction
from desktop.render import link_is_safe, result_html
from desktop.worker import EngineController

MAX_CANDIDATES = 3


class HistoryLineEdit(QLineEdit):
    """Enter submits (returnPressed), Up/Down walk earlier requests, Esc clears (and closes a clarification);
    1-3 typed into an empty input while choices are offered pick a choice (otherwise they are just text)."""

    choice_key = Signal(int)  # 0-based index of the choice picked by a digit key
    escaped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.past: list[str] = []
        self._cursor = 0
        self.choices_open = False  # set by the panel while a clarification is shown

    def remember(self, text: str) -> None:
        if not self.past or self.past[-1] != text:
            self.past.append(text)
        self._cursor = len(self.past)

    def _picks_choice(self, event: QKeyEvent) -> bool:
        """Alt+digit always picks; a bare digit only in an empty input (else it is part of the text)."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return modifiers == Qt.KeyboardModifier.AltModifier or (not modifiers and not self.text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Up and self.past:
            self._cursor = max(0, self._cursor - 1)
            self.setText(self.past[self._cursor])
        elif key == Qt.Key.Key_Down and self.past:
            self._cursor = min(len(self.past), self._cursor + 1)
            self.setText(self.past[self._cursor] if self._cursor < len(self.past) else "")
        elif key == Qt.Key.Key_Escape:
            self.clear()
            self.escaped.emit()
        elif self.choices_open and Qt.Key.Key_1 <= key <= Qt.Key.Key_3 and self._picks_choice(event):
            self.choice_key.emit(key - Qt.Key.Key_1)
        else:
            super().keyPressEvent(event)


class AssistantPanel(QWidget):
    error_raised = Signal(object)  # every failure goes here; the host shows it (one place for dialogs)
    answered = Signal(object)  # a Turn was shown
    action_shown = Signal(object)  # an ActionResult was shown (after a turn, choice or correction)
    status_changed = Signal(str)

    def __init__(self, controller: EngineController, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.context = context
        self.info: EngineInfo | None = None  # model facts from the worker once loaded
        self.turn: Turn | None = None
        self.last_result_kind = ""  # kind of the result shown (only the help list may run `ask:` links)
        self._build()
        self._connect()
        self.retranslate()
        self.set_status(self.tr("Loading model…"))

    # ----- construction
    def _build(self) -> None:
        self.status = QLabel()
        self.input = HistoryLineEdit()
        self.ask_button = QPushButton()
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.ask_button)
        self.card = QFrame()
        self.card.setFrameShape(QFrame.Shape.StyledPanel)
        self.intent_label = QLabel()
        self.intent_label.setStyleSheet("font-size: 15pt; font-weight: bold")
        self.confidence_bar = QProgressBar()
        self.confidence_bar.setRange(0, 100)
        self.latency_label = QLabel()
        self.alternatives_label = QLabel()
        self.wrong_button = QToolButton()
        self.wrong_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.wrong_menu = QMenu(self)
        self.wrong_button.setMenu(self.wrong_menu)
        self.result_title = QLabel()
        self.result_title.setStyleSheet("font-weight: bold")
        self.result_body = QLabel()
        self.result_body.setWordWrap(True)
        self.result_body.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.edit_profile_button = QPushButton()
        head = QHBoxLayout()
        head.addWidget(self.intent_label, 1)
        head.addWidget(self.latency_label)
        head.addWidget(self.wrong_button)
        card_layout = QVBoxLayout(self.card)
        card_layout.addLayout(head)
        for widget in (self.confidence_bar, self.alternatives_label, self.result_title, self.result_body,
                       self.edit_profile_button):
            card_layout.addWidget(widget)
        self.clarify = QFrame()
        self.clarify.setFrameShape(QFrame.Shape.StyledPanel)
        self.clarify_label = QLabel()
        self.candidate_buttons = [QPushButton() for _ in range(MAX_CANDIDATES)]
        self.none_button = QPushButton()
        clarify_layout = QVBoxLayout(self.clarify)
        clarify_layout.addWidget(self.clarify_label)
        buttons = QHBoxLayout()
        for button in [*self.candidate_buttons, self.none_button]:
            buttons.addWidget(button)
        clarify_layout.addLayout(buttons)
        self.history_label = QLabel()
        # Text from data (the business name, a bundle's display names, errors) is never read as rich text.
        for label in (self.status, self.intent_label, self.latency_label, self.alternatives_label, self.result_title,
                      self.clarify_label, self.history_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_body.setTextFormat(Qt.TextFormat.RichText)  # built by desktop/render.py, every value escaped
        self.history = QListWidget()
        self.history.setMaximumHeight(160)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(row)
        for part in (self.card, self.clarify, self.history_label, self.history):
            layout.addWidget(part)
        layout.addStretch(1)
        self.card.hide()
        self.clarify.hide()
        self.edit_profile_button.hide()
        self.setTabOrder(self.input, self.ask_button)
        self.setTabOrder(self.ask_button, self.candidate_buttons[0])
        self._load_history()

    def _connect(self) -> None:
        worker = self.controller.worker
        worker.loaded.connect(self.on_loaded)
        worker.load_failed.connect(self.on_load_failed)
        worker.result.connect(self.on_result)
        worker.action_result.connect(self.on_action_result)
        worker.failed.connect(self.on_failed)
        self.input.returnPressed.connect(self.submit)
        self.ask_button.clicked.connect(self.submit)
        # The input keeps the focus: choices are picked by 1-3 (input empty) or Alt+1-3 (any time), or a click.
        for index, button in enumerate(self.candidate_buttons):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, i=index: self.choose(i))
        self.none_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.none_button.clicked.connect(self.none_of_these)
        self.input.choice_key.connect(self.choose)
        self.input.escaped.connect(self.dismiss_clarification)
        self.result_body.linkActivated.connect(self.open_link)
        self.history.itemActivated.connect(lambda item: self.ask(item.data(Qt.ItemDataRole.UserRole)))

    # ----- language
    @property
    def language(self) -> str:
        return resolve_language(self.context.settings.language)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.input.setPlaceholderText(self.tr("Ask something, e.g. “what are your opening hours?”"))
        self.input.setAccessibleName(self.tr("Request"))
        self.ask_button.setText(self.tr("A&sk"))  # Alt+A belongs to the "&Assistant" menu
        self.ask_button.setAccessibleName(self.tr("Ask the assistant"))
        self.confidence_bar.setAccessibleName(self.tr("Confidence"))
        self.wrong_button.setText(self.tr("Not what I meant"))
        self.wrong_button.setAccessibleName(self.tr("Correct the intent"))
        self.clarify_label.setText(self.tr("Did you mean…?"))
        self.none_button.setText(self.tr("None of these"))
        self.none_button.setAccessibleName(self.tr("None of these intents"))
        self.edit_profile_button.setText(self.tr("Edit profile…"))
        self.history_label.setText(self.tr("History (Enter or double-click runs again)"))
        self.history.setAccessibleName(self.tr("History"))
        if self.info:
            self.set_status(self.ready_text())
        if self.turn:
            self.show_turn(self.turn)

    def display_name(self, intent: str) -> str:
        return self.info.display_name(intent, self.language) if self.info else intent

    def ready_text(self) -> str:
        device = (self.info.device if self.info else "cpu").upper()
        return self.tr("Ready · {device}").format(device=device)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status_changed.emit(text)

    # ----- requests
    def submit(self) -> None:
        self.ask(self.input.text())

    def ask(self, text: str) -> int | None:
        if not text.strip():
            return None
        self.input.remember(text)
        self.input.clear()
        request_id = self.controller.submit(text)
        if self.info is None:
            self.set_status(self.tr("Loading model… your request will run as soon as it is ready"))
        return request_id

    def choose(self, index: int) -> None:
        if not self.turn or not self.clarify.isVisible() or index >= len(self.turn.candidates):
            return
        intent = self.turn.candidates[index].intent
        self._hide_clarification()
        self.controller.request_feedback.emit(self.turn.prediction, intent, "clarification")

    def none_of_these(self) -> None:
        if not self.turn:
            return
        self.controller.request_feedback.emit(self.turn.prediction, "", "none")
        self._hide_clarification()
        self.result_title.setText(self.tr("Sorry, I did not understand. Could you rephrase it?"))
        self.result_body.clear()
        self.input.setFocus()

    def dismiss_clarification(self) -> None:
        self._hide_clarification()

    def _hide_clarification(self) -> None:
        self.clarify.hide()
        self.input.choices_open = False
        self.input.setFocus()

    def correct(self, prediction: Prediction, intent: str) -> None:
        self.controller.request_feedback.emit(prediction, intent, "correction")

    def open_link(self, href: str) -> None:
        """`ask:` runs a phrase only from the app's own help list; content may open http(s) and mailto only."""
        if href.startswith("ask:"):
            if self.last_result_kind == "help":
                self.ask(unquote(href[4:]))
        elif link_is_safe(href):
            QDesktopServices.openUrl(QUrl(href))

    # ----- answers from the worker
    def on_loaded(self, info: EngineInfo) -> None:
        self.info = info
        self.set_status(self.ready_text())
        self._fill_wrong_menu()

    def on_load_failed(self, _model_dir: str, exc: BaseException) -> None:
        self.set_status(self.ready_text() if self.info else self.tr("No model loaded"))
        self.error_raised.emit(exc)

    def on_result(self, request_id: int, turn: Turn) -> None:
        if self.info:
            self.set_status(self.ready_text())
        self._add_history_item(turn.prediction.text, turn.prediction.intent, turn.prediction.confidence)
        if request_id < self.controller.latest_id:
            return  # a newer request is on its way: its answer replaces this one, so do not flash this one
        self.turn = turn
        self.show_turn(turn)
        self.answered.emit(turn)
        if turn.result:
            self.action_shown.emit(turn.result)

    def on_action_result(self, result: ActionResult) -> None:
        self.show_result(result)
        self.action_shown.emit(result)

    def on_failed(self, _request_id: int, exc: BaseException) -> None:
        self.error_raised.emit(exc)

    # ----- showing
    def show_turn(self, turn: Turn) -> None:
        p = turn.prediction
        self.card.show()
        name = self.tr("Out of scope") if p.out_of_scope else self.display_name(p.intent)
        self.intent_label.setText(name)
        self.confidence_bar.setValue(round(p.confidence * 100))
        self.confidence_bar.setFormat(f"{p.confidence:.0%}")
        self.latency_label.setText(self.tr("{ms:.0f} ms").format(ms=p.latency_ms))
        alternatives = p.ranking[1:3]
        self.alternatives_label.setText(self.tr("Alternatives: ") + " · ".join(
            f"{self.display_name(s.intent)} {s.confidence:.0%}" for s in alternatives))
        if turn.result:
            self._hide_clarification()
            self.show_result(turn.result)
        else:
            self.show_clarification(turn)
        self.wrong_button.setVisible(turn.result is not None)

    def show_clarification(self, turn: Turn) -> None:
        self.result_title.setText(self.tr("I am not sure what you mean.") if not turn.prediction.out_of_scope else
                                  self.tr("I cannot help with that. Did you mean one of these?"))
        self.result_body.clear()
        self.edit_profile_button.hide()
        for index, button in enumerate(self.candidate_buttons):
            if index < len(turn.candidates):
                c = turn.candidates[index]
                button.setText(f"&{index + 1}  {self.display_name(c.intent)} ({c.confidence:.0%})")
                button.setAccessibleName(self.display_name(c.intent))
                button.show()
            else:
                button.hide()
        self.clarify.show()
        self.input.choices_open = True
        self.input.setFocus()  # typing goes on in the input; 1-3 or Alt+1-3 pick a choice

    def show_result(self, result: ActionResult) -> None:
        self.last_result_kind = result.kind
        self.card.show()
        self.result_title.setText(result.title)
        self.result_body.setText(result_html(result, self.tr("Open now"), self.tr("Closed now")))
        self.edit_profile_button.setVisible(result.kind == "profile")

    def _correct_current(self, intent: str) -> None:
        if self.turn:
            self.correct(self.turn.prediction, intent)

    def _fill_wrong_menu(self) -> None:
        self.wrong_menu.clear()
        for label in self.info.in_scope_labels if self.info else ():
            action = self.wrong_menu.addAction(self.display_name(label))
            action.triggered.connect(lambda _=False, intent=label: self._correct_current(intent))

    def _add_history_item(self, text: str, intent: str, confidence: float) -> None:
        if not self.context.settings.history_enabled:
            return
        item = QListWidgetItem(f"{text}  —  {self.display_name(intent)} {confidence:.0%}")
        item.setData(Qt.ItemDataRole.UserRole, text)
        self.history.insertItem(0, item)

    def _load_history(self) -> None:
        for entry in reversed(self.context.storage.history(100)):
            self._add_history_item(entry.text, entry.intent, entry.confidence)

    def clear_history_view(self) -> None:
        self.history.clear()
