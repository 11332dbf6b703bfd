"""AssistantPanel: the embeddable assistant widget (input, answer card, clarification, history).

Minimal embedding in another PySide6 application:

    context = build_context()
    controller = EngineController(context)
    panel = AssistantPanel(controller, context)
    panel.error_raised.connect(lambda exc: QMessageBox.warning(None, "Assistant", str(exc)))
    controller.load(context.model_dir, context.device)
"""

from __future__ import annotations

import unicodedata
from html import escape
from itertools import pairwise
from urllib.parse import quote, unquote, urlsplit

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.actions import ActionResult
from core.assistant import Turn
from core.context import AppContext
from core.conversation import band, capabilities
from core.language import resolve_language
from core.prediction import EngineInfo, Prediction, Score
from desktop.render import link_is_safe, result_html
from desktop.worker import EngineController

MAX_CANDIDATES = 3
HISTORY_ROWS = 100  # requests shown in the history list and walked by Up/Down
# The model reads about 128 tokens (roughly 80 words) of a request: a longer one keeps its first and last
# LONG_KEEP words (the question is usually at one end) and the window says it was cut. Within core's 200-word budget.
LONG_WORDS = 80
LONG_KEEP = 40
COMPACT_HEIGHT = 330  # panel height (px) below which the hint and the history heading are left out
PREVIEW_DELAY_MS = 250  # a pause in typing this long asks for a preview of where the request would go
# Keyboard focus is always visible: a highlight-coloured frame on whatever has it (labels draw none of their own).
FOCUS_STYLE = ("QLabel:focus, QListWidget:focus { border: 2px solid palette(highlight); border-radius: 3px; }"
               "QPushButton:focus { border: 2px solid palette(highlight); border-radius: 3px; padding: 4px 10px; }")


def shorten_request(text: str) -> tuple[str, int]:
    """(the request as sent, its word count when it was cut, else 0): the first and last LONG_KEEP words."""
    words = text.split()
    if len(words) <= LONG_WORDS:
        return text, 0
    return " ".join([*words[:LONG_KEEP], "…", *words[-LONG_KEEP:]]), len(words)


def one_line(text: str, limit: int = 70) -> str:
    """A history row stays one line: no line breaks, a long request ends in an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


class ResultKeys(QObject):
    """Up/Down walk the offered choices and the answer's links while one of them has the focus (Tab from the
    input gets there), Enter runs the one with the focus, Esc goes back to the input."""

    def __init__(self, panel: AssistantPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.panel.input.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        if key not in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            return False
        forward = key == Qt.Key.Key_Down
        if isinstance(watched, LinkLabel):
            watched.step(forward)
            return True
        if isinstance(watched, QAbstractButton):
            self.panel.step_choice(watched, forward)
            return True
        return False


class LinkLabel(QLabel):
    """Rich text whose links are reached by Tab (never by a click: a click leaves the focus in the input)."""

    def step(self, forward: bool) -> None:
        self.focusNextPrevChild(forward)  # QLabel moves to its next/previous link (then on to the next widget)
# Band colours chosen to read on light and dark palettes (white text on a saturated chip).
BAND_COLOURS = {"sure": "#1b7f3b", "probably": "#9a6a00", "unsure": "#a12020", "learned": "#2557a7",
                "chosen": "#2557a7"}


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
        """Add `text` as the newest request (an older copy moves up rather than repeating)."""
        if text in self.past:
            self.past.remove(text)
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
    preview_shown = Signal(str)  # the preview line under the input, as shown

    def __init__(self, controller: EngineController, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.context = context
        self.info: EngineInfo | None = None  # model facts from the worker once loaded
        self.turn: Turn | None = None
        self.shown_intent = ""  # the intent whose answer the card shows ("" for clarify, decline, chat)
        self.acknowledged: Prediction | None = None  # the prediction a choice/correction was just made on
        self.acknowledged_from = ""  # where that request went before the choice (its history row returns there on Undo)
        self.from_history = False  # the request on its way was re-asked from the history list
        self.cut_words = 0  # the word count of the last request when it was too long and cut (else 0)
        self.last_result: ActionResult | None = None
        self.last_result_kind = ""  # kind of the result shown (only the help list may run `ask:` links)
        # The status line as (key, values), so that it is re-rendered in the new language on a switch.
        self.status_text: tuple[str, dict[str, str]] = ("loading", {})
        self._build()
        self._connect()
        self.retranslate()
        self.set_status(self.tr("Loading model…"))

    # ----- construction
    def _build(self) -> None:
        self.input = HistoryLineEdit()
        self.input.setMinimumHeight(34)
        self.input.setStyleSheet("font-size: 13pt; padding: 2px 6px")
        self.ask_button = QPushButton()
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.ask_button)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #8a8a8a; font-size: 9pt")
        self.preview = QLabel()  # answers as you type: where the request would go, before Enter
        self.preview.setStyleSheet("color: #8a8a8a")
        self.preview.hide()
        self.welcome = LinkLabel()  # the empty state: what the assistant can do, with clickable examples
        self.welcome.setWordWrap(True)
        self.welcome.setTextFormat(Qt.TextFormat.RichText)  # built from the intents file, every value escaped
        self.card = QFrame()
        self.card.setFrameShape(QFrame.Shape.StyledPanel)
        self.intent_label = QLabel()
        self.intent_label.setStyleSheet("font-size: 12pt; font-weight: bold")
        self.band_label = QLabel()
        self.percent_label = QLabel()
        self.percent_label.setStyleSheet("color: #8a8a8a")
        self.details_button = QToolButton()
        self.details_button.setCheckable(True)
        self.details_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.details_label = QLabel()  # alternatives and timing, on demand
        self.details_label.setStyleSheet("color: #8a8a8a")
        self.details_label.setWordWrap(True)
        self.wrong_button = QToolButton()
        self.wrong_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.wrong_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # The arrow is part of the text: Fusion's menu indicator overlapped the words.
        self.wrong_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.wrong_menu = QMenu(self)
        self.wrong_button.setMenu(self.wrong_menu)
        self.ack_label = QLabel()
        self.ack_label.setWordWrap(True)
        self.undo_button = QPushButton()
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.result_title = QLabel()
        self.result_title.setStyleSheet("font-size: 13pt; font-weight: bold")
        self.result_title.setWordWrap(True)
        self.result_body = LinkLabel()
        self.result_body.setWordWrap(True)
        self.edit_profile_button = QPushButton()
        # Links are clicked with the mouse or reached by Tab; a click never takes the focus from the input.
        for rich in (self.welcome, self.result_body):
            rich.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            rich.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        head = QHBoxLayout()
        head.addWidget(self.intent_label)
        head.addWidget(self.band_label)
        head.addWidget(self.percent_label)
        head.addStretch(1)
        head.addWidget(self.details_button)
        head.addWidget(self.wrong_button)
        ack = QHBoxLayout()
        ack.addWidget(self.ack_label, 1)
        ack.addWidget(self.undo_button)
        card_layout = QVBoxLayout(self.card)
        card_layout.setSpacing(8)
        card_layout.addLayout(head)
        card_layout.addWidget(self.details_label)
        card_layout.addLayout(ack)
        for widget in (self.result_title, self.result_body, self.edit_profile_button):
            card_layout.addWidget(widget)
        self.clarify = QFrame()
        self.clarify.setFrameShape(QFrame.Shape.StyledPanel)
        self.clarify_label = QLabel()
        self.clarify_label.setStyleSheet("font-size: 12pt; font-weight: bold")
        self.clarify_label.setWordWrap(True)
        self.clarify_band = QLabel()  # the same "not sure" chip an answer card shows
        self.clarify_band.setStyleSheet(f"background: {BAND_COLOURS['unsure']}; color: white; "
                                        "border-radius: 4px; padding: 1px 8px")
        self.candidate_buttons = [QPushButton() for _ in range(MAX_CANDIDATES)]
        self.none_button = QPushButton()
        clarify_layout = QVBoxLayout(self.clarify)
        clarify_head = QHBoxLayout()
        clarify_head.addWidget(self.clarify_label, 1)
        clarify_head.addWidget(self.clarify_band, 0, Qt.AlignmentFlag.AlignTop)
        clarify_layout.addLayout(clarify_head)
        buttons = QHBoxLayout()
        for button in [*self.candidate_buttons, self.none_button]:
            buttons.addWidget(button)
        buttons.addStretch(1)
        clarify_layout.addLayout(buttons)
        self.history_label = QLabel()
        self.history_label.setStyleSheet("color: #8a8a8a")
        self.status = QLabel()  # the one status line
        self.status.setStyleSheet("color: #8a8a8a")
        # Text from data (the business name, a bundle's display names, errors) is never read as rich text.
        for label in (self.status, self.intent_label, self.band_label, self.percent_label, self.details_label,
                      self.result_title, self.clarify_label, self.history_label, self.ack_label, self.hint,
                      self.preview, self.clarify_band):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_body.setTextFormat(Qt.TextFormat.RichText)  # built by desktop/render.py, every value escaped
        self.history = QListWidget()
        self.history.setMinimumHeight(60)
        self.history.setWordWrap(False)  # one line per request, elided: never a horizontal scrollbar
        self.history.setUniformItemSizes(True)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.history.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reached by Tab; a click leaves the input focused
        # The answer scrolls inside the window at any size; the history takes the height that is left over.
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.setSpacing(10)
        for part in (self.welcome, self.card, self.clarify):
            results_layout.addWidget(part)
        results_layout.addStretch(1)
        self.results_area = QScrollArea()
        self.results_area.setWidget(results)
        self.results_area.setWidgetResizable(True)
        self.results_area.setFrameShape(QFrame.Shape.NoFrame)
        self.results_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results_area.setMinimumHeight(60)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 8)
        layout.setSpacing(8)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        layout.addWidget(self.preview)
        layout.addWidget(self.results_area, 2)
        layout.addWidget(self.history_label)
        layout.addWidget(self.history, 1)
        layout.addWidget(self.status)
        self.setStyleSheet(FOCUS_STYLE)
        hidden: tuple[QWidget, ...] = (self.card, self.clarify, self.edit_profile_button, self.details_label,
                                       self.ack_label, self.undo_button)
        for hidden_part in hidden:
            hidden_part.hide()
        # Tab from the input reaches the results first (choices, links), then the history, then Ask.
        self.ask_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.edit_profile_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        chain: list[QWidget] = [self.input, *self.candidate_buttons, self.none_button, self.welcome,
                                self.result_body, self.edit_profile_button, self.history, self.ask_button]
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)
        self.result_keys = ResultKeys(self)
        for stop in (*self.candidate_buttons, self.none_button, self.welcome, self.result_body):
            stop.installEventFilter(self.result_keys)
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.reanswer_timer = QTimer(self)
        self.reanswer_timer.setSingleShot(True)
        self.reanswer_timer.setInterval(0)
        self._load_history()

    def _connect(self) -> None:
        worker = self.controller.worker
        worker.loaded.connect(self.on_loaded)
        worker.load_failed.connect(self.on_load_failed)
        worker.result.connect(self.on_result)
        worker.action_result.connect(self.on_action_result)
        worker.failed.connect(self.on_failed)
        worker.forgotten.connect(lambda count: self.show_status("forgotten", count=str(count)))
        worker.history_cleared.connect(lambda: self.show_status("history_cleared"))
        worker.preview.connect(self.on_preview)
        self.input.textEdited.connect(self._schedule_preview)
        self.preview_timer.timeout.connect(self._send_preview)
        self.reanswer_timer.timeout.connect(self._reanswer)
        self.input.returnPressed.connect(self.submit)
        self.ask_button.clicked.connect(self.submit)
        # The input keeps the focus: choices are picked by 1-3 (input empty) or Alt+1-3 (any time), or a click;
        # Tab reaches them (never a click), Up/Down walk them and Enter runs the one with the focus.
        for index, button in enumerate(self.candidate_buttons):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.setAutoDefault(True)
            button.clicked.connect(lambda _=False, i=index: self.choose(i))
        self.none_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.none_button.setAutoDefault(True)
        self.none_button.clicked.connect(self.none_of_these)
        self.input.choice_key.connect(self.choose)
        self.input.escaped.connect(self.dismiss_clarification)
        self.result_body.linkActivated.connect(self.open_link)
        self.welcome.linkActivated.connect(self.open_link)
        self.details_button.toggled.connect(self.details_label.setVisible)
        self.undo_button.clicked.connect(self.undo)
        self.wrong_menu.aboutToShow.connect(self._fill_wrong_menu)  # built when opened: current language
        self.history.itemActivated.connect(self._ask_again)

    # ----- language
    @property
    def language(self) -> str:
        return resolve_language(self.context.settings.language)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text in the current language: the chrome, the answer shown, the history, the status line."""
        self.input.setPlaceholderText(self.tr("Ask something, e.g. “what are your opening hours?”"))
        self.input.setAccessibleName(self.tr("Request"))
        self.ask_button.setText(self.tr("A&sk"))  # Alt+A belongs to the "&Assistant" menu
        self.ask_button.setAccessibleName(self.tr("Ask the assistant"))
        self.hint.setText(self.tr("Enter ask · ↑/↓ earlier requests · Tab answer · Esc clear · Ctrl+, settings · "
                                  "Ctrl+Q quit"))
        self.hint.setToolTip(self.tr("Tab moves to the answer: there ↑/↓ walk the choices and links, Enter runs the "
                                     "one marked and Esc goes back to the input."))
        self.details_button.setText(self.tr("Details"))
        self.wrong_button.setText(self.tr("Not what I meant") + " ▾")
        self.wrong_button.setAccessibleName(self.tr("Correct the intent"))
        self.undo_button.setText(self.tr("Undo"))
        self.clarify_label.setText(self.tr("I'm not sure what you mean. Did you mean…?"))
        self.clarify_band.setText(self.tr("not sure"))
        self.none_button.setText(self.tr("None of these"))
        self.none_button.setAccessibleName(self.tr("None of these intents"))
        self.edit_profile_button.setText(self.tr("Edit profile…"))
        self.history_label.setText(self.tr("Earlier requests (Enter or double-click asks again)"))
        self.history.setAccessibleName(self.tr("History"))
        self._fill_welcome()
        self._reload_history()
        self.set_status(self._status_text(*self.status_text))
        if self.turn:
            acknowledged, intent = self.acknowledged, self.shown_intent
            if acknowledged is not None:  # a choice or correction on show: its card, not the turn's
                self._acknowledge(acknowledged, intent)
            else:
                self.show_turn(self.turn)
            if self.last_result is not None and self.last_result is not self.turn.result:
                self.show_result(self.last_result)
            # The answer itself was written by an action in the old language: ask for it again in the new one
            # (once: a switch brings one LanguageChange per catalogue installed or removed).
            self.reanswer_timer.start()

    def _reanswer(self) -> None:
        if self.turn:
            self.controller.request_reanswer.emit(self.turn.prediction, self.shown_intent, self.turn.kind)

    def display_name(self, intent: str) -> str:
        return self.info.display_name(intent, self.language) if self.info else intent

    def _status_text(self, key: str, values: dict[str, str]) -> str:
        texts = {"loading": self.tr("Loading model…"),
                 "waiting": self.tr("Loading model… your request will run as soon as it is ready"),
                 "ready": self.tr("Ready · {device}"), "no_model": self.tr("No model loaded"),
                 "copied": self.tr("Copied to the clipboard"),
                 "forgotten": self.tr("Forgot {count} learned request(s)"),
                 "history_cleared": self.tr("History cleared"),
                 "cut": self.tr("Your request was long ({words} words): I read its first and last {keep} words"),
                 "no_handler": self.tr("No program here opens “{scheme}” links; the value was copied instead")}
        return texts.get(key, key).format(**values)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status_changed.emit(text)

    def show_status(self, key: str, **values: str) -> None:
        """A status line that is re-rendered when the language changes."""
        self.status_text = (key, values)
        self.set_status(self._status_text(key, values))

    def _ready(self) -> None:
        self.show_status("ready", device=(self.info.device if self.info else "cpu").upper())

    # ----- requests
    def submit(self) -> None:
        self.ask(self.input.text())

    def ask(self, text: str) -> int | None:
        if not text.strip():
            return None
        self.input.remember(text)
        self.input.clear()
        self.preview_timer.stop()
        self.preview.hide()
        sent, words = shorten_request(text)
        request_id = self.controller.submit(sent)
        self.from_history = False
        self.cut_words = words
        if self.info is None:
            self.show_status("waiting")
        return request_id

    def _ask_again(self, item: QListWidgetItem) -> None:
        self.ask(item.data(Qt.ItemDataRole.UserRole))
        self.from_history = True  # its answer moves the row to the top and selects it there
        self.input.setFocus()

    # ----- answers as you type
    def _schedule_preview(self, _text: str) -> None:
        self.preview_timer.start()  # restarted by every key: only a pause in typing asks

    def _send_preview(self) -> None:
        text = self.input.text()
        if not text.strip() or self.info is None:
            self.preview.hide()
            return
        self.controller.preview(shorten_request(text)[0])

    def on_preview(self, preview_id: int, prediction: Prediction) -> None:
        """Where the request being typed would go; an older preview, or one for text since changed, is dropped."""
        if preview_id != self.controller.latest_preview or not self.input.text().strip():
            return
        typed = " ".join(shorten_request(self.input.text())[0].split())  # the engine's cleaning joins spaces
        if " ".join(prediction.text.split()) != unicodedata.normalize("NFC", typed):
            return
        if prediction.needs_clarification:
            text = self.tr("→ not sure: I will ask")
        elif prediction.out_of_scope:
            text = self.tr("→ I can't help with that")
        else:
            text = self.tr("→ {intent} · {band} {percent} · Enter runs it").format(
                intent=self.display_name(prediction.intent),
                band=self._band_word(band(prediction.confidence, prediction.threshold)),
                percent=f"{prediction.confidence:.0%}")
        self.preview.setText(text)
        self.preview.show()
        self.preview_shown.emit(text)

    def choose(self, index: int) -> None:
        if not self.turn or not self.clarify.isVisible():
            return
        offered = self._offered(self.turn)
        if index >= len(offered):
            return
        intent = offered[index].intent
        self.acknowledged_from = self.turn.intent
        self._hide_clarification()
        self._acknowledge(self.turn.prediction, intent)
        self.controller.request_feedback.emit(self.turn.prediction, intent, "clarification")

    def none_of_these(self) -> None:
        if not self.turn:
            return
        self.controller.request_feedback.emit(self.turn.prediction, "", "none")
        self._hide_clarification()
        self.card.show()
        self._set_header("", "")
        self.result_title.setText(self.tr("Sorry, I did not understand. Could you rephrase it?"))
        self.result_title.show()
        self.result_body.clear()
        self.input.setFocus()

    def dismiss_clarification(self) -> None:
        self._hide_clarification()

    def _hide_clarification(self) -> None:
        self.clarify.hide()
        self.input.choices_open = False
        self.input.setFocus()

    def correct(self, prediction: Prediction, intent: str) -> None:
        self.acknowledged_from = self.turn.intent if self.turn else prediction.intent
        self._acknowledge(prediction, intent)
        self.controller.request_feedback.emit(prediction, intent, "correction")

    def _acknowledge(self, prediction: Prediction, intent: str) -> None:
        """The card takes the chosen intent at once and says it was noted (and learned, with history on)."""
        self.acknowledged = prediction
        self.shown_intent = intent
        self.card.show()
        self._set_header(self.display_name(intent), "chosen")
        learning = self.context.settings.history_enabled
        self.ack_label.setText(self.tr("Got it, I'll remember that “{text}” means {intent}.").format(
            text=prediction.text, intent=self.display_name(intent)) if learning else
            self.tr("Got it (history is off, so nothing is remembered)."))
        self.ack_label.show()
        self.undo_button.setVisible(learning)
        self.wrong_button.show()
        if learning:  # history off: no row of this request exists (an older row with the same text is not it)
            self._retarget_history(prediction.text, intent)

    def _retarget_history(self, text: str, intent: str) -> None:
        """The history row of a request shows where it went in the end (the chosen or corrected intent)."""
        for row in range(self.history.count()):
            item = self.history.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == text:
                item.setData(Qt.ItemDataRole.UserRole + 1, intent)
                item.setText(self._history_text(text, intent))
                break

    def undo(self) -> None:
        """Take back the choice or correction: the assistant forgets it, the card says so."""
        if self.acknowledged is None:
            return
        self.controller.request_undo.emit(self.acknowledged)
        self._retarget_history(self.acknowledged.text, self.acknowledged_from)  # the row goes back as well
        self.ack_label.setText(self.tr("Undone: I forgot that."))
        self.undo_button.hide()
        self.acknowledged = None
        self.input.setFocus()

    def open_link(self, href: str) -> None:
        """`ask:` runs a phrase only from the app's own lists (help, empty state); `copy:` copies a shown value;
        content may open http(s), mailto and tel only."""
        if href.startswith("ask:"):
            if self.last_result_kind == "help" or self.sender() is self.welcome:
                self.ask(unquote(href[4:]))
        elif href.startswith("copy:"):
            QGuiApplication.clipboard().setText(unquote(href[5:]))
            self.show_status("copied")
        elif link_is_safe(href) and not QDesktopServices.openUrl(QUrl(href)):
            # No program for tel: (or mailto:) here: say so, and copy the value so the user can still use it.
            scheme, value = urlsplit(href).scheme, unquote(urlsplit(href).path or href)
            QGuiApplication.clipboard().setText(value)
            self.show_status("no_handler", scheme=scheme)
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)  # typing goes on in the input after any click

    # ----- answers from the worker
    def on_loaded(self, info: EngineInfo) -> None:
        self.info = info
        self._ready()
        self._reload_history()
        self._fill_welcome()  # only the intents this bundle knows (a swapped bundle may know more or fewer)
        if self.last_result is not None and self.last_result_kind == "help":
            self.show_result(self.last_result)

    def on_load_failed(self, _model_dir: str, exc: BaseException) -> None:
        if self.info:
            self._ready()
        else:
            self.show_status("no_model")
        self.error_raised.emit(exc)

    def on_result(self, request_id: int, turn: Turn) -> None:
        if self.info and self.cut_words:  # said with the answer, so that the ready line does not replace it
            self.show_status("cut", words=str(self.cut_words), keep=str(LONG_KEEP))
        elif self.info:
            self._ready()
        self._add_history_item(turn.prediction.text, turn.intent)
        self.from_history = False
        if request_id < self.controller.latest_id:
            return  # a newer request is on its way: its answer replaces this one, so do not flash this one
        self.turn = turn
        self.acknowledged = None
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
    def _set_header(self, name: str, band: str, confidence: float | None = None, learned: str = "") -> None:
        self.intent_label.setText(name)
        self.intent_label.setVisible(bool(name))
        key = "learned" if learned else band
        self.band_label.setText(self._band_word(key, learned))
        self.band_label.setStyleSheet(f"background: {BAND_COLOURS.get(key, '#777')}; color: white; "
                                      "border-radius: 4px; padding: 1px 8px")
        self.band_label.setVisible(bool(key))
        self.percent_label.setText(f"{confidence:.0%}" if confidence is not None and not learned else "")
        self.details_button.setVisible(confidence is not None)
        self.details_label.setVisible(confidence is not None and self.details_button.isChecked())
        self.ack_label.hide()
        self.undo_button.hide()

    def _band_word(self, key: str, learned: str = "") -> str:
        words = {"sure": self.tr("sure"), "probably": self.tr("probably"), "unsure": self.tr("not sure"),
                 "learned": self.tr("learned from you on {date}").format(date=learned),
                 "chosen": self.tr("your choice")}
        return words.get(key, "")

    def show_turn(self, turn: Turn) -> None:
        p = turn.prediction
        self.welcome.hide()
        self.card.show()
        self.shown_intent = turn.intent
        if turn.kind == "act":
            self._set_header(self.display_name(p.intent), turn.band, p.confidence, turn.learned)
        else:
            self._set_header("", "")
        alternatives = " · ".join(f"{self.display_name(s.intent)} {s.confidence:.0%}" for s in p.ranking[1:3])
        self.details_label.setText(self.tr("Alternatives: {alternatives}").format(alternatives=alternatives) + "\n"
                                   + self.tr("Answered in {ms:.0f} ms").format(ms=p.latency_ms))
        if turn.result:
            self._hide_clarification()
            self.show_result(turn.result)
        else:
            self.show_clarification(turn)
        # A wrong answer or a wrong refusal can be corrected (and is then learned); small talk cannot.
        self.wrong_button.setVisible(turn.kind in ("act", "decline"))

    def show_clarification(self, turn: Turn) -> None:
        self.card.hide()  # the question replaces the answer: no bar or percentage above "not sure"
        self.last_result_kind = ""
        candidates = self._offered(turn)
        for index, button in enumerate(self.candidate_buttons):
            if index < len(candidates):
                name = self.display_name(candidates[index].intent)
                button.setText(f"&{index + 1}  {name}")
                button.setAccessibleName(name)
                button.show()
            else:
                button.hide()
        self.clarify.show()
        self.input.choices_open = True
        self.input.setFocus()  # typing goes on in the input; 1-3 or Alt+1-3 pick a choice

    def _offered(self, turn: Turn) -> tuple[Score, ...]:
        """The choices shown: never a single one (a question with one answer is no question), so a lone
        plausible intent comes with the model's next in-scope guess."""
        offered = turn.candidates[:MAX_CANDIDATES]
        if len(offered) == 1 and self.info is not None:
            runner_up = next((s for s in turn.prediction.ranking if s.intent != offered[0].intent
                              and s.intent in self.info.in_scope_labels), None)
            if runner_up is not None:
                offered = (*offered, runner_up)
        return offered

    def _words(self) -> dict[str, str]:
        return {"open": self.tr("Open now"), "closed": self.tr("Closed now"), "copy": self.tr("Copy"),
                "call": self.tr("Call"), "mail": self.tr("Write"), "map": self.tr("Map"), "visit": self.tr("Open"),
                "today": self.tr("Today")}

    def show_result(self, result: ActionResult) -> None:
        self.last_result = result
        self.last_result_kind = result.kind
        self.welcome.hide()
        self.card.show()
        self.result_title.setText(result.title)
        # "News" under "News" says nothing: the heading shows only when it adds to the intent's name.
        self.result_title.setVisible(result.title != self.intent_label.text() or self.intent_label.isHidden())
        html = result_html(result, self._words(), self.info.in_scope_labels if self.info else None)
        self.result_body.setText(html)
        self.result_body.setVisible(bool(html))
        self.edit_profile_button.setVisible(result.kind == "profile")

    def _correct_current(self, intent: str) -> None:
        if self.turn:
            self.correct(self.turn.prediction, intent)

    def _fill_wrong_menu(self) -> None:
        """The other intents, in the current language (never the one already shown)."""
        self.wrong_menu.clear()
        for label in self.info.in_scope_labels if self.info else ():
            if label == self.shown_intent:
                continue
            action = self.wrong_menu.addAction(self.display_name(label))
            action.triggered.connect(lambda _=False, intent=label: self._correct_current(intent))

    def _fill_welcome(self) -> None:
        """The empty state: each intent with example requests that run when clicked."""
        heading = self.tr("What can I do for you? Click an example or type your own request.")
        parts = [f"<p style='font-size:12pt'><b>{escape(heading)}</b></p>"]
        known = self.info.in_scope_labels if self.info else ()  # before a model is loaded: none is offered yet
        for entry in capabilities(self.context.dataset, self.language, 3):
            if entry["intent"] not in known:
                continue
            examples = " · ".join(f'<a href="ask:{quote(e)}">{escape(e)}</a>' for e in entry["examples"])
            parts.append(f"<p><b>{escape(entry['name'])}</b> — {escape(entry['description'])}<br>{examples}</p>")
        self.welcome.setText("".join(parts))

    # ----- history
    def _history_text(self, text: str, intent: str) -> str:
        """One row in the current language: the request and where it went (never a raw id)."""
        where = self.display_name(intent) if intent else self.tr("no action")
        return f"{one_line(text)}  —  {where}"

    def _add_history_item(self, text: str, intent: str) -> None:
        if not self.context.settings.history_enabled:
            return
        for row in range(self.history.count()):  # one row per request: an older copy moves to the top
            if self.history.item(row).data(Qt.ItemDataRole.UserRole) == text:
                self.history.takeItem(row)
                break
        item = QListWidgetItem(self._history_text(text, intent))
        item.setData(Qt.ItemDataRole.UserRole, text)
        item.setData(Qt.ItemDataRole.UserRole + 1, intent)
        item.setToolTip(text)
        self.history.insertItem(0, item)
        if self.from_history:  # re-asked from the list: the row it moved to is the one highlighted
            self.history.setCurrentItem(item)
        else:
            self.history.clearSelection()
        while self.history.count() > HISTORY_ROWS:
            self.history.takeItem(self.history.count() - 1)
        self._sync_history_visibility()

    def _sync_history_visibility(self) -> None:
        """No empty box: the history list shows once there is something in it (its heading not when tiny)."""
        self.history_label.setVisible(self.history.count() > 0 and not self.compact)
        self.history.setVisible(self.history.count() > 0)

    @property
    def compact(self) -> bool:
        return self.height() < COMPACT_HEIGHT

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Below COMPACT_HEIGHT the key hint and the history heading make room for the answer and the list."""
        super().resizeEvent(event)
        self.hint.setVisible(not self.compact)
        self.history.setMinimumHeight(36 if self.compact else 60)
        self.results_area.setMinimumHeight(40 if self.compact else 60)
        self._sync_history_visibility()

    def _load_history(self) -> None:
        """Earlier sessions' requests: the list, and Up/Down in the input (oldest first, newest last)."""
        try:
            entries = self.context.storage.history(HISTORY_ROWS * 3)
        except Exception:  # a damaged database was reported at start-up; start with an empty list
            entries = []
        for entry in reversed(entries):
            self._add_history_item(entry.text, entry.action or "")
            self.input.remember(entry.text)
        self._sync_history_visibility()

    def _reload_history(self) -> None:
        for row in range(self.history.count()):
            item = self.history.item(row)
            item.setText(self._history_text(item.data(Qt.ItemDataRole.UserRole),
                                            item.data(Qt.ItemDataRole.UserRole + 1)))

    def step_choice(self, current: QAbstractButton, forward: bool) -> None:
        """Up/Down among the visible choices (and None of these), wrapping around."""
        buttons = [b for b in (*self.candidate_buttons, self.none_button) if b.isVisible()]
        if current in buttons:
            buttons[(buttons.index(current) + (1 if forward else -1)) % len(buttons)].setFocus(
                Qt.FocusReason.TabFocusReason)

    def clear_history_view(self) -> None:
        self.history.clear()
        self.input.past.clear()
        self._sync_history_visibility()
