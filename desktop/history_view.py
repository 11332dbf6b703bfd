"""Earlier requests: the history list under the answer (one line per request, where it went in the end) and
the input that walks them with Up/Down."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

from core.storage import HistoryEntry
from desktop.style import INPUT_STYLE

HISTORY_ROWS = 100  # requests shown in the history list and walked by Up/Down
TEXT_ROLE = Qt.ItemDataRole.UserRole  # a row's request, as typed
INTENT_ROLE = Qt.ItemDataRole.UserRole + 1  # where it went ("" for nowhere)


def one_line(text: str, limit: int = 70) -> str:
    """A history row stays one line: no line breaks, a long request ends in an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


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
        self.setMinimumHeight(34)
        self.setStyleSheet(INPUT_STYLE)

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


class HistoryView(QListWidget):
    """One row per request, newest first, in the current language: the request and where it went (never a raw
    id). `name_of` gives an intent's display name in the current language."""

    asked_again = Signal(str)  # a row was activated (Enter or double-click): its request

    def __init__(self, name_of: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_of = name_of
        self.setMinimumHeight(60)
        self.setWordWrap(False)  # one line per request, elided: never a horizontal scrollbar
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reached by Tab; a click leaves the input focused
        self.itemActivated.connect(lambda item: self.asked_again.emit(item.data(TEXT_ROLE)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.setAccessibleName(self.tr("History"))
        super().changeEvent(event)

    def row_text(self, text: str, intent: str) -> str:
        where = self.name_of(intent) if intent else self.tr("no action")
        return f"{one_line(text)}  —  {where}"

    def add(self, text: str, intent: str, select: bool) -> None:
        """`text` as the newest row (an older copy moves to the top), selected when it was re-asked from here."""
        for row in range(self.count()):
            if self.item(row).data(TEXT_ROLE) == text:
                self.takeItem(row)
                break
        item = QListWidgetItem(self.row_text(text, intent))
        item.setData(TEXT_ROLE, text)
        item.setData(INTENT_ROLE, intent)
        item.setToolTip(text)
        self.insertItem(0, item)
        if select:
            self.setCurrentItem(item)
        else:
            self.clearSelection()
        while self.count() > HISTORY_ROWS:
            self.takeItem(self.count() - 1)

    def retarget(self, text: str, intent: str) -> None:
        """The row of request `text` shows where it went in the end (the chosen or corrected intent)."""
        for row in range(self.count()):
            item = self.item(row)
            if item.data(TEXT_ROLE) == text:
                item.setData(INTENT_ROLE, intent)
                item.setText(self.row_text(text, intent))
                break

    def relabel(self) -> None:
        """Every row again in the current language (or with a newly loaded bundle's names)."""
        self.setAccessibleName(self.tr("History"))
        for row in range(self.count()):
            item = self.item(row)
            item.setText(self.row_text(item.data(TEXT_ROLE), item.data(INTENT_ROLE)))

    def load(self, entries: Sequence[HistoryEntry]) -> None:
        """Earlier sessions' requests, given newest first (as storage returns them)."""
        for entry in reversed(entries):
            self.add(entry.text, entry.action or "", select=False)
