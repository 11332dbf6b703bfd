"""The answer card: the intent, its confidence chip, details, "Not what I meant", the acknowledgement and the
action's result. It shows what the panel hands it; the panel decides (desktop/panel.py does the wiring)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QVBoxLayout, QWidget

from core.actions import ActionResult
from core.prediction import Prediction
from desktop.render import result_html
from desktop.style import (
    HEADING_STYLE,
    MUTED_STYLE,
    NO_MENU_INDICATOR,
    TITLE_STYLE,
    band_word,
    button_words,
    chip_style,
)


class LinkLabel(QLabel):
    """Rich text whose links are reached by Tab (never by a click: a click leaves the focus in the input)."""

    def step(self, forward: bool) -> None:
        self.focusNextPrevChild(forward)  # QLabel moves to its next/previous link (then on to the next widget)


def link_label() -> LinkLabel:
    """A wrapping rich-text label whose links are clicked or reached by Tab (a click never takes the focus)."""
    label = LinkLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)  # the caller builds it with every value escaped
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    return label


class AnswerCard(QFrame):
    """The answer shown for a request (hidden until the first one)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.intent_label = QLabel()
        self.intent_label.setStyleSheet(HEADING_STYLE)
        self.band_label = QLabel()
        self.percent_label = QLabel()
        self.percent_label.setStyleSheet(MUTED_STYLE)
        self.details_button = QToolButton()
        self.details_button.setCheckable(True)
        self.details_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.details_label = QLabel()  # alternatives and timing, on demand
        self.details_label.setStyleSheet(MUTED_STYLE)
        self.details_label.setWordWrap(True)
        self.wrong_button = QToolButton()
        self.wrong_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.wrong_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.wrong_button.setStyleSheet(NO_MENU_INDICATOR)
        self.wrong_menu = QMenu(self)  # filled by the panel when it opens (the intents, in the current language)
        self.wrong_button.setMenu(self.wrong_menu)
        self.ack_label = QLabel()
        self.ack_label.setWordWrap(True)
        self.undo_button = QPushButton()
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.result_title = QLabel()
        self.result_title.setStyleSheet(TITLE_STYLE)
        self.result_title.setWordWrap(True)
        self.result_body = link_label()  # built by desktop/render.py, every value escaped
        self.edit_profile_button = QPushButton()
        self.edit_profile_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        # Text from data (a bundle's display names, a result's title) is never read as rich text.
        for label in (self.intent_label, self.band_label, self.percent_label, self.details_label,
                      self.result_title, self.ack_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        head = QHBoxLayout()
        for chip in (self.intent_label, self.band_label, self.percent_label):
            head.addWidget(chip)
        head.addStretch(1)
        head.addWidget(self.details_button)
        head.addWidget(self.wrong_button)
        ack = QHBoxLayout()
        ack.addWidget(self.ack_label, 1)
        ack.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self.details_label)
        layout.addLayout(ack)
        for widget in (self.result_title, self.result_body, self.edit_profile_button):
            layout.addWidget(widget)
        hidden: tuple[QWidget, ...] = (self, self.edit_profile_button, self.details_label, self.ack_label,
                                       self.undo_button)
        for part in hidden:
            part.hide()
        self.details_button.toggled.connect(self.details_label.setVisible)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """The card's own words (what it shows is re-shown by the panel)."""
        self.details_button.setText(self.tr("Details"))
        self.wrong_button.setText(self.tr("Not what I meant") + " ▾")
        self.wrong_button.setAccessibleName(self.tr("Correct the intent"))
        self.undo_button.setText(self.tr("Undo"))
        self.edit_profile_button.setText(self.tr("Edit profile…"))

    def set_header(self, name: str, band: str, confidence: float | None = None, learned: str = "") -> None:
        """The intent's name and its chip: `band` (or "learned" on `learned`'s date, or "" for none); the
        percentage only for the model's own confidence."""
        self.intent_label.setText(name)
        self.intent_label.setVisible(bool(name))
        key = "learned" if learned else band
        self.band_label.setText(band_word(key, learned))
        self.band_label.setStyleSheet(chip_style(key))
        self.band_label.setVisible(bool(key))
        self.percent_label.setText(f"{confidence:.0%}" if confidence is not None and not learned else "")
        self.details_button.setVisible(confidence is not None)
        self.details_label.setVisible(confidence is not None and self.details_button.isChecked())
        self.ack_label.hide()
        self.undo_button.hide()

    def set_details(self, alternatives: str, latency_ms: float) -> None:
        self.details_label.setText(self.tr("Alternatives: {alternatives}").format(alternatives=alternatives) + "\n"
                                   + self.tr("Answered in {ms:.0f} ms").format(ms=latency_ms))

    def acknowledge(self, prediction: Prediction, name: str, learning: bool) -> None:
        """The card takes the chosen intent (`name`) at once and says it was noted (and learned, when
        `learning`: with history off nothing is remembered, so there is nothing to undo)."""
        self.show()
        self.set_header(name, "chosen")
        self.ack_label.setText(self.tr("Got it, I'll remember that “{text}” means {intent}.").format(
            text=prediction.text, intent=name) if learning else
            self.tr("Got it (history is off, so nothing is remembered)."))
        self.ack_label.show()
        self.undo_button.setVisible(learning)
        self.wrong_button.show()

    def undone(self) -> None:
        self.ack_label.setText(self.tr("Undone: I forgot that."))
        self.undo_button.hide()

    def not_understood(self) -> None:
        """After "None of these": no intent, a request to rephrase."""
        self.show()
        self.set_header("", "")
        self.result_title.setText(self.tr("Sorry, I did not understand. Could you rephrase it?"))
        self.result_title.show()
        self.result_body.clear()

    def show_result(self, result: ActionResult, known: tuple[str, ...] | None) -> None:
        """An action's result; `known` the loaded bundle's intents (a help list offers no other)."""
        self.show()
        self.result_title.setText(result.title)
        # "News" under "News" says nothing: the heading shows only when it adds to the intent's name.
        self.result_title.setVisible(result.title != self.intent_label.text() or self.intent_label.isHidden())
        html = result_html(result, button_words(), known)
        self.result_body.setText(html)
        self.result_body.setVisible(bool(html))
        self.edit_profile_button.setVisible(result.kind == "profile")
