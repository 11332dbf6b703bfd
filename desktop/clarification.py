"""The clarification: "Did you mean…?" with up to three choices and "None of these", picked by a click, 1-3 /
Alt+1-3 in the input (desktop/history_view.HistoryLineEdit) or Up/Down + Enter once Tab reached them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.assistant import Turn
from core.prediction import EngineInfo, Score
from desktop.style import HEADING_STYLE, band_word, chip_style

MAX_CANDIDATES = 3


def offered_choices(turn: Turn, info: EngineInfo | None) -> tuple[Score, ...]:
    """The choices shown: never a single one (a question with one answer is no question), so a lone
    plausible intent comes with the model's next in-scope guess."""
    offered = turn.candidates[:MAX_CANDIDATES]
    if len(offered) == 1 and info is not None:
        runner_up = next((s for s in turn.prediction.ranking if s.intent != offered[0].intent
                          and s.intent in info.in_scope_labels), None)
        if runner_up is not None:
            offered = (*offered, runner_up)
    return offered


class Clarification(QFrame):
    """The question that replaces the answer card when the model is not sure (hidden until then)."""

    chosen = Signal(int)  # 0-based index of the choice clicked (or run by Enter)
    none_chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.clarify_label = QLabel()
        self.clarify_label.setStyleSheet(HEADING_STYLE)
        self.clarify_label.setWordWrap(True)
        self.clarify_band = QLabel()  # the same "not sure" chip an answer card shows
        self.clarify_band.setStyleSheet(chip_style("unsure"))
        for label in (self.clarify_label, self.clarify_band):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.candidate_buttons = [QPushButton() for _ in range(MAX_CANDIDATES)]
        self.none_button = QPushButton()
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(self.clarify_label, 1)
        head.addWidget(self.clarify_band, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)
        buttons = QHBoxLayout()
        for button in self.buttons:
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        # Tab reaches the choices (never a click: the input keeps the focus); Enter runs the one with the focus.
        for index, button in enumerate(self.candidate_buttons):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.setAutoDefault(True)
            button.clicked.connect(lambda _=False, i=index: self.chosen.emit(i))
        self.none_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.none_button.setAutoDefault(True)
        self.none_button.clicked.connect(lambda _=False: self.none_chosen.emit())
        self.hide()
        self.retranslate()

    @property
    def buttons(self) -> list[QPushButton]:
        """The choices and "None of these", in order."""
        return [*self.candidate_buttons, self.none_button]

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.clarify_label.setText(self.tr("I'm not sure what you mean. Did you mean…?"))
        self.clarify_band.setText(band_word("unsure"))
        self.none_button.setText(self.tr("None of these"))
        self.none_button.setAccessibleName(self.tr("None of these intents"))

    def show_choices(self, names: list[str]) -> None:
        """One button per choice name (&1-&3 as Alt keys), the rest hidden."""
        for index, button in enumerate(self.candidate_buttons):
            if index < len(names):
                button.setText(f"&{index + 1}  {names[index]}")
                button.setAccessibleName(names[index])
                button.show()
            else:
                button.hide()
        self.show()

    def step(self, current: QAbstractButton, forward: bool) -> None:
        """Up/Down among the visible choices (and None of these), wrapping around."""
        buttons = [b for b in self.buttons if b.isVisible()]
        if current in buttons:
            buttons[(buttons.index(current) + (1 if forward else -1)) % len(buttons)].setFocus(
                Qt.FocusReason.TabFocusReason)
