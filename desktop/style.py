"""The panel's look and its recurring words, each defined once: colours, style sheets, chip and button words.

Colours are chosen to read on the light and on the dark palette alike (desktop/appearance.py): rich text has no
palette(), so the few colours it uses are fixed values. Words are marked for translation here (context
"PanelWords") and translated when asked for, so that a language switch needs no rebuild of this module.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

MUTED = "#8a8a8a"  # a mid grey for hints, percentages and secondary lines
MUTED_STYLE = f"color: {MUTED}"
ERROR_COLOUR = "#c03030"  # an action's error text
# Confidence chips: white text on a saturated colour. "chosen"/"learned": the user's own choice.
BAND_COLOURS = {"sure": "#1b7f3b", "probably": "#9a6a00", "unsure": "#a12020", "learned": "#2557a7",
                "chosen": "#2557a7"}
OPEN_COLOUR, CLOSED_COLOUR = BAND_COLOURS["sure"], BAND_COLOURS["unsure"]  # the business's "open now" badge
CHIP_FALLBACK = "#777777"
# Keyboard focus is always visible: a highlight-coloured frame on whatever has it (labels draw none of their own).
FOCUS_STYLE = ("QLabel:focus, QListWidget:focus { border: 2px solid palette(highlight); border-radius: 3px; }"
               "QPushButton:focus { border: 2px solid palette(highlight); border-radius: 3px; padding: 4px 10px; }")
INPUT_STYLE = "font-size: 13pt; padding: 2px 6px"
HINT_STYLE = f"{MUTED_STYLE}; font-size: 9pt"
HEADING_STYLE = "font-size: 12pt; font-weight: bold"  # the intent's name, the clarification's question
TITLE_STYLE = "font-size: 13pt; font-weight: bold"  # an action result's title
# The arrow is part of the button's text: Fusion's menu indicator overlapped the words.
NO_MENU_INDICATOR = "QToolButton::menu-indicator { image: none; width: 0px; }"

# The chip's words by band key; "learned" takes the date it was learned on.
_BAND_MARKED = {"sure": QT_TRANSLATE_NOOP("PanelWords", "sure"),
                "probably": QT_TRANSLATE_NOOP("PanelWords", "probably"),
                "unsure": QT_TRANSLATE_NOOP("PanelWords", "not sure"),
                "learned": QT_TRANSLATE_NOOP("PanelWords", "learned from you on {date}"),
                "chosen": QT_TRANSLATE_NOOP("PanelWords", "your choice")}
# The words of an answer's buttons and badges (desktop/render.py); the English ones are render's defaults.
_BUTTON_MARKED = {"open": QT_TRANSLATE_NOOP("PanelWords", "Open now"),
                  "closed": QT_TRANSLATE_NOOP("PanelWords", "Closed now"),
                  "copy": QT_TRANSLATE_NOOP("PanelWords", "Copy"),
                  "call": QT_TRANSLATE_NOOP("PanelWords", "Call"),
                  "mail": QT_TRANSLATE_NOOP("PanelWords", "Write"),
                  "map": QT_TRANSLATE_NOOP("PanelWords", "Map"),
                  "visit": QT_TRANSLATE_NOOP("PanelWords", "Open"),
                  "today": QT_TRANSLATE_NOOP("PanelWords", "Today")}
# QT_TRANSLATE_NOOP only marks the literal for lupdate (it returns it unchanged; typed as object).
BAND_WORDS = {key: str(word) for key, word in _BAND_MARKED.items()}
BUTTON_WORDS = {key: str(word) for key, word in _BUTTON_MARKED.items()}


def _translate(text: str) -> str:
    return QCoreApplication.translate("PanelWords", text)


def chip_style(key: str) -> str:
    """The style sheet of a confidence chip for band `key` (grey for an unknown key)."""
    return f"background: {BAND_COLOURS.get(key, CHIP_FALLBACK)}; color: white; border-radius: 4px; padding: 1px 8px"


def band_word(key: str, learned: str = "") -> str:
    """The chip's word for band `key` in the current language ("" for no chip); `learned` is the date."""
    word = BAND_WORDS.get(key)
    return _translate(word).format(date=learned) if word else ""


def button_words() -> dict[str, str]:
    """The answer's button and badge words in the current language, for desktop.render.result_html."""
    return {key: _translate(text) for key, text in BUTTON_WORDS.items()}
