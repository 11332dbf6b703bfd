from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from core.bundle import MODEL_FILE


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "core", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, check=False)


def test_classify_writes_one_json_line_per_input_line_and_survives_bad_lines(tiny_bundle: Path) -> None:
    proc = run_cli("classify", "--model", str(tiny_bundle), "--threshold", "0.6", stdin="news today\n\n   \nayuda\n")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[1] == {"text": "", "error": rows[1]["error"]} and "empty" in rows[1]["error"]
    for row in (rows[0], rows[3]):
        assert {"text", "intent", "confidence", "ranking", "needs_clarification", "truncated"} <= set(row)
        assert abs(sum(r["confidence"] for r in row["ranking"]) - 1) < 1e-4
        assert row["needs_clarification"] == (row["confidence"] < 0.6 or row["intent"] == "out_of_scope")


def test_missing_or_corrupt_bundle_exits_2_with_a_message(tmp_path: Path, bundle_copy: Path) -> None:
    missing = run_cli("classify", "--model", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    (bundle_copy / MODEL_FILE).write_bytes(b"broken")
    corrupt = run_cli("classify", "--model", str(bundle_copy), stdin="hola\n")
    assert corrupt.returncode == 2 and "corrupt" in corrupt.stderr and corrupt.stdout == ""


def test_route_runs_the_action_or_offers_choices(tiny_bundle: Path) -> None:
    acted = run_cli("route", "--model", str(tiny_bundle), "--threshold", "0.0", "--json", "news today")
    turn = json.loads(acted.stdout)
    assert acted.returncode == 0
    assert (turn["result"] is None) == (turn["prediction"]["intent"] == "out_of_scope")
    unsure = run_cli("route", "--model", str(tiny_bundle), "--threshold", "1.0", "news today")
    assert unsure.returncode == 0 and ("Did you mean" in unsure.stdout)


def test_validate_intents() -> None:
    proc = run_cli("validate-intents")
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK")
