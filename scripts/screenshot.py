"""Save a screenshot of the main window answering a real request with the bundled model.

    QT_QPA_PLATFORM=offscreen python -m scripts.screenshot --out docs/screenshot.png [--text "..."] [--lang es]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.png"))
    parser.add_argument("--text", default="¿qué noticias hay de tecnología?")
    parser.add_argument("--lang", default="es", choices=("es", "en"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["OFFLINE_ASSISTANT_HOME"] = tempfile.mkdtemp(prefix="assistant-shot-")
    from core.context import build_context
    from core.settings import Settings
    from desktop.startup import launch, make_application
    from desktop.window import MainWindow
    from desktop.worker import EngineController

    app = make_application()
    context = build_context(settings=Settings(language=args.lang, device="cpu"), save=False)

    def connect(window: MainWindow, _controller: EngineController) -> None:
        window.resize(760, 720)
        window.panel.answered.connect(lambda _turn: app.quit())
        window.panel.error_raised.connect(lambda exc: (print(exc, file=sys.stderr), app.exit(1)))

    window, _controller = launch(context, before_load=connect)
    window.panel.ask(args.text)
    code = app.exec()
    app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    window.close()
    context.close()
    print(args.out)
    return code


if __name__ == "__main__":
    sys.exit(main())
