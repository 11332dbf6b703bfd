"""The end-to-end smoke on a local 2-node Ray cluster bound to 127.0.0.1 (minutes; ~3 GB while it runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_smoke_on_a_local_two_node_cluster() -> None:
    pytest.importorskip("ray.serve")
    if not (ROOT / "resources" / "model" / "manifest.json").is_file():
        pytest.skip("the shipped bundle resources/model is not present")
    # A fresh process: the smoke sets Ray's environment (loopback only, token auth) before ray is imported.
    done = subprocess.run([sys.executable, "-m", "serving", "smoke"], cwd=ROOT, capture_output=True, text=True,
                          timeout=1500)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["leftover_processes"] == 0, report
    assert report["ok"] and done.returncode == 0, report
    assert report["requests"] == 200 and report["errors"] == 0 and report["nodes"] == 2
    assert report["parity_mismatches"] == 0 and report["swap_errors"] == 0 and report["broken_refused"]
