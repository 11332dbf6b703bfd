"""AssistantPanel: the embeddable assistant widget (input, answer card, clarification, history).

Minimal embedding in another PySide6 application:

    context = build_context()
    controller = EngineController(context)
    panel = AssistantPanel(controller, context)
    panel.error_raised.connect(lambda exc: QMessageBox.warning(None, "Assistant", str(exc)))
    controller.load(context.model_dir, context.device)

This module is the wiring: requests out to the worker, answers and previews back, the layout, keys and language.
The parts it wires: desktop/answer_card.py (the answer), desktop/clarification.py ("Did you mean…?"),
desktop/history_view.py (earlier requests and the input that walks them); looks and shared words: desktop/style.py.
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
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.actions import ActionResult
from core.assistant import Turn
from core.context import AppContext
from core.conversation import band, capabilities
from core.language import resolve_language
from core.prediction import EngineInfo, Prediction
from desktop.answer_card import AnswerCard, LinkLabel, link_label
from desktop.clarification import Clarification, offered_choices
from desktop.history_view import HISTORY_ROWS, HistoryLineEdit, HistoryView
from desktop.render import link_is_safe
from desktop.style import FOCUS_STYLE, HINT_STYLE, MUTED_STYLE, band_word
from desktop.worker import EngineController

# The model reads about 128 tokens (roughly 80 words) of a request: a longer one keeps its first and last
# LONG_KEEP words (the question is usually at one end) and the window says it was cut. Within core's 200-word budget.
LONG_WORDS = 80
LONG_KEEP = 40
COMPACT_HEIGHT = 330  # panel height (px) below which the hint and the history heading are left out
PREVIEW_DELAY_MS = 250  # a pause in typing this long asks for a preview of where the request would go


def shorten_request(text: str) -> tuple[str, int]:
    """(the request as sent, its word count when it was cut, else 0): the first and last LONG_KEEP words."""
    words = text.split()
    if len(words) <= LONG_WORDS:
        return text, 0
    return " ".join([*words[:LONG_KEEP], "…", *words[-LONG_KEEP:]]), len(words)


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
        self.ask_button = QPushButton()
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.ask_button)
        self.hint = QLabel()
        self.hint.setStyleSheet(HINT_STYLE)
        self.preview = QLabel()  # answers as you type: where the request would go, before Enter
        self.preview.setStyleSheet(MUTED_STYLE)
        self.preview.hide()
        self.welcome = link_label()  # the empty state: what the assistant can do, with clickable examples
        self.card = AnswerCard()
        self.clarify = Clarification()
        self.history = HistoryView(self.display_name)
        self.history_label = QLabel()
        self.history_label.setStyleSheet(MUTED_STYLE)
        self.status = QLabel()  # the one status line
        self.status.setStyleSheet(MUTED_STYLE)
        # Text from data (the business name, errors) is never read as rich text.
        for label in (self.status, self.history_label, self.hint, self.preview):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self._name_parts()
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
        # Tab from the input reaches the results first (choices, links), then the history, then Ask.
        self.ask_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        chain: list[QWidget] = [self.input, *self.clarify.buttons, self.welcome, self.result_body,
                                self.edit_profile_button, self.history, self.ask_button]
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)
        self.result_keys = ResultKeys(self)
        for stop in (*self.clarify.buttons, self.welcome, self.result_body):
            stop.installEventFilter(self.result_keys)
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.reanswer_timer = QTimer(self)
        self.reanswer_timer.setSingleShot(True)
        self.reanswer_timer.setInterval(0)
        self._load_history()

    def _name_parts(self) -> None:
        """The parts' widgets under their long-standing names (hosts and tests reach them as panel.<name>)."""
        card, clarify = self.card, self.clarify
        self.intent_label, self.band_label, self.percent_label = card.intent_label, card.band_label, card.percent_label
        self.details_button, self.details_label = card.details_button, card.details_label
        self.wrong_button, self.wrong_menu = card.wrong_button, card.wrong_menu
        self.ack_label, self.undo_button = card.ack_label, card.undo_button
        self.result_title, self.result_body = card.result_title, card.result_body
        self.edit_profile_button = card.edit_profile_button
        self.clarify_label, self.clarify_band = clarify.clarify_label, clarify.clarify_band
        self.candidate_buttons, self.none_button = clarify.candidate_buttons, clarify.none_button

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
        self.clarify.chosen.connect(self.choose)
        self.clarify.none_chosen.connect(self.none_of_these)
        self.input.choice_key.connect(self.choose)
        self.input.escaped.connect(self.dismiss_clarification)
        self.result_body.linkActivated.connect(self.open_link)
        self.welcome.linkActivated.connect(self.open_link)
        self.undo_button.clicked.connect(self.undo)
        self.wrong_menu.aboutToShow.connect(self._fill_wrong_menu)  # built when opened: current language
        self.history.asked_again.connect(self._ask_again)

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
        self.card.retranslate()  # before the answer is shown again below (the order of LanguageChange is Qt's)
        self.clarify.retranslate()
        self.history_label.setText(self.tr("Earlier requests (Enter or double-click asks again)"))
        self._fill_welcome()
        self.history.relabel()
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

    def _ask_again(self, text: str) -> None:
        self.ask(text)
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
                band=band_word(band(prediction.confidence, prediction.threshold)),
                percent=f"{prediction.confidence:.0%}")
        self.preview.setText(text)
        self.preview.show()
        self.preview_shown.emit(text)

    # ----- choices and corrections
    def choose(self, index: int) -> None:
        if not self.turn or not self.clarify.isVisible():
            return
        offered = offered_choices(self.turn, self.info)
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
        self.card.not_understood()
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
        learning = self.context.settings.history_enabled
        self.card.acknowledge(prediction, self.display_name(intent), learning)
        if learning:  # history off: no row of this request exists (an older row with the same text is not it)
            self.history.retarget(prediction.text, intent)

    def undo(self) -> None:
        """Take back the choice or correction: the assistant forgets it, the card says so."""
        if self.acknowledged is None:
            return
        self.controller.request_undo.emit(self.acknowledged)
        self.history.retarget(self.acknowledged.text, self.acknowledged_from)  # the row goes back as well
        self.card.undone()
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
        self.history.relabel()
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
    def show_turn(self, turn: Turn) -> None:
        p = turn.prediction
        self.welcome.hide()
        self.card.show()
        self.shown_intent = turn.intent
        if turn.kind == "act":
            self.card.set_header(self.display_name(p.intent), turn.band, p.confidence, turn.learned)
        else:
            self.card.set_header("", "")
        self.card.set_details(" · ".join(f"{self.display_name(s.intent)} {s.confidence:.0%}" for s in p.ranking[1:3]),
                              p.latency_ms)
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
        self.clarify.show_choices([self.display_name(s.intent) for s in offered_choices(turn, self.info)])
        self.input.choices_open = True
        self.input.setFocus()  # typing goes on in the input; 1-3 or Alt+1-3 pick a choice

    def show_result(self, result: ActionResult) -> None:
        self.last_result = result
        self.last_result_kind = result.kind
        self.welcome.hide()
        self.card.show_result(result, self.info.in_scope_labels if self.info else None)

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
    def _add_history_item(self, text: str, intent: str) -> None:
        if not self.context.settings.history_enabled:
            return
        self.history.add(text, intent, select=self.from_history)  # re-asked from the list: its row highlighted
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
        if self.context.settings.history_enabled:
            self.history.load(entries)
        for entry in reversed(entries):
            self.input.remember(entry.text)
        self._sync_history_visibility()

    def step_choice(self, current: QAbstractButton, forward: bool) -> None:
        """Up/Down among the visible choices (and None of these), wrapping around."""
        self.clarify.step(current, forward)

    def clear_history_view(self) -> None:
        self.history.clear()
        self.input.past.clear()
        self._sync_history_visibility()
