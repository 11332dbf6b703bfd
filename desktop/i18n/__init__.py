"""Qt translations: desktop/i18n/assistant_<lang>.ts (sources, committed) -> .qm (compiled at setup/build)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTranslator


def i18n_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)  # PyInstaller keeps the package layout under _MEIPASS
    return Path(frozen_root) / "desktop" / "i18n" if frozen_root else Path(__file__).resolve().parent


def load_translator(language: str) -> QTranslator | None:
    translator = QTranslator()
    return translator if translator.load(str(i18n_dir() / f"assistant_{language}.qm")) else None
