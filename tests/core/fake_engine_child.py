"""A stand-in engine process speaking core.wire, for RemoteEngine's failure tests (no torch: starts in ~0.1 s).

    python -m tests.core.fake_engine_child MODE
MODE: ok | hang-load | hang-score | hang-once (the first child hangs, a restarted one answers; needs a
marker folder as the second argument) | garbage | die-on-score | bad-hello.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from core import wire
from tests.core.fakes import INFO, FakeScorer


def main(mode: str, marker: Path | None) -> None:
    out = sys.stdout
    if mode == "hang-load":
        time.sleep(3600)
    if mode == "bad-hello":
        out.write("not json at all\n")
        out.flush()
        time.sleep(3600)
    print("loading the fake model", file=sys.stderr)  # goes to the engine log
    out.write("a stray line from some library\n")  # garbage before hello: skipped
    out.write(wire.encode(wire.Hello(INFO)))
    out.flush()
    first_child = marker is not None and not (marker / "started").exists()
    if marker is not None:
        (marker / "started").touch()
    scorer = FakeScorer()
    for line in sys.stdin:
        request = wire.decode_request(line)
        if mode == "hang-score" or (mode == "hang-once" and first_child):
            time.sleep(3600)
        if mode == "die-on-score":
            sys.exit(3)
        if mode == "garbage":
            out.write("{\"type\": \"scores\", \"id\": \"x\"}\n")  # malformed
            out.write("\x00\x01 binary junk\n")
            out.write(wire.encode(wire.ScoreReply(request.id - 1, ())))  # a reply to an older request
        out.write(wire.encode(wire.ScoreReply(request.id, tuple(scorer.score(request.texts)))))
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) > 2 else None)
