"""Compile desktop/i18n/*.ts into .qm with Qt's lrelease (shipped in PySide6).

    python -m desktop.i18n.compile           # compile
    python -m desktop.i18n.compile --update  # refresh the .ts sources from the code (lupdate) first
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def tool(name: str) -> str:
    found = shutil.which(f"pyside6-{name}", path=str(Path(sys.executable).parent)) or shutil.which(f"pyside6-{name}")
    if not found:
        raise SystemExit(f"pyside6-{name} not found: install PySide6 into this environment")
    return found


def main(argv: list[str]) -> int:
    sources = sorted(str(p) for p in (ROOT / "desktop").glob("*.py"))
    for ts in sorted(HERE.glob("*.ts")):
        if "--update" in argv:
            subprocess.run([tool("lupdate"), *sources, "-ts", str(ts)], check=True)
        subprocess.run([tool("lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True,
                       capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
