"""PyInstaller's own PySide6 run-time hook (pyi_rth_pyside6), skipped in the engine process.

The app's executable is re-run as its engine process (`--engine-process`, core/engine_process.py), which never
imports Qt. PyInstaller's hook imports PySide6.QtCore to write an embedded qt.conf, which loaded QtCore and ICU
(about 31 MB resident, measured: engine process 358 MB frozen vs 327 MB from source) into that process too,
against the app's 450 MB budget for both processes. This file replaces the hook by name (packaging/hooks/
rthooks.dat, found first through the spec's hookspath) and does what it does, Linux/Windows branches only
(macOS .app bundles are not built here), for every process but the engine.
"""


def _pyi_rthook() -> None:
    import os
    import sys

    if len(sys.argv) > 1 and sys.argv[1] == "--engine-process":  # core.engine_process.ENGINE_FLAG
        return
    from _pyi_rth_utils import prepend_path_to_environment_variable
    from _pyi_rth_utils import qt as qt_rth_utils

    qt_rth_utils.ensure_single_qt_bindings_package("PySide6")
    if sys.platform.startswith("win"):
        pyqt_path = os.path.join(sys._MEIPASS, "PySide6")
    else:
        pyqt_path = os.path.join(sys._MEIPASS, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(pyqt_path, "plugins")
    os.environ["QML2_IMPORT_PATH"] = os.path.join(pyqt_path, "qml")
    if sys.platform.startswith("win"):
        prepend_path_to_environment_variable(sys._MEIPASS, "PATH")
    if sys.platform == "darwin":
        prepend_path_to_environment_variable(sys._MEIPASS, "DYLD_LIBRARY_PATH")
    qt_rth_utils.create_embedded_qt_conf("PySide6", pyqt_path)


_pyi_rthook()
del _pyi_rthook
