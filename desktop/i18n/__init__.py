"""Qt translations: desktop/i18n/assistant_<lang>.ts (sources, committed) -> .qm (compiled at setup/build)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QTranslator


def i18n_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)  # PyInstaller keeps the package layout under _MEIPASS
    return Path(frozen_root) / "desktop" / "i18n" if frozen_root else Path(__file__).resolve().parent


def load_translator(language: str) -> QTranslator | None:
    translator = QTranslator()
    return translator if translator.load(str(i18n_dir() / f"assistant_{language}.qm")) else None


def qt_translations_dirs() -> list[Path]:
    """Where Qt's own catalogues are: Qt's configured folder, and the copy the packaged app keeps."""
    dirs = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        dirs.insert(0, Path(frozen_root) / "PySide6" / "Qt" / "translations")
    return dirs


def load_qt_translator(language: str) -> QTranslator | None:
    """Qt's own texts (OK/Cancel/Save, the file dialog, context menus) in `language` (qtbase_<lang>.qm)."""
    for folder in qt_translations_dirs():
        translator = QTranslator()
        if translator.load(f"qtbase_{language}", str(folder)):
            return translator
    return None
