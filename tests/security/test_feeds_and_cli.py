"""Feeds from the network and the command line's input and output are untrusted and bounded."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.actions import ActionServices
from core.actions.news import NewsAction, clean_feed_text, fetch_feed, safe_link
from core.paths import resource_root
from core.settings import Settings, SettingsStore

ROOT = Path(__file__).resolve().parents[2]
GOOD_FEED = (resource_root() / "sample" / "news_feed.xml").read_bytes()


class FeedHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/stall":
            self.send_response(200)
            self.end_headers()
            for _ in range(40):  # one byte every 0.2 s: each read is quick, the whole never ends in time
                self.wfile.write(b"<")
                self.wfile.flush()
                time.sleep(0.2)
        elif self.path == "/huge":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<rss>" + b"x" * (3 << 20))
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        elif self.path == "/good" and self.server.healthy:  # type: ignore[attr-defined]
            self.send_response(200)
            self.end_headers()
            self.wfile.write(GOOD_FEED)
        else:
            self.send_response(500)
            self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[http.server.ThreadingHTTPServer]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    httpd.healthy = True  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url(server: http.server.ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_a_stalled_feed_gives_up_within_its_deadline(server: http.server.ThreadingHTTPServer) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        fetch_feed(url(server, "/stall"), deadline_s=1.0)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(("path", "error"), [("/huge", ValueError), ("/loop", OSError), ("/to-file", OSError)])
def test_huge_feeds_and_bad_redirects_are_refused(server: http.server.ThreadingHTTPServer, path: str,
                                                  error: type[Exception]) -> None:
    with pytest.raises(error):
        fetch_feed(url(server, path))


def test_the_last_good_copy_is_used_when_a_feed_fails(server: http.server.ThreadingHTTPServer, tmp_path: Path) -> None:
    feed = url(server, "/good")
    store = SettingsStore(None, Settings(network_feeds=True, feeds=(feed,)))
    action = NewsAction(ActionServices(store=store, resources=resource_root(), storage=None, dataset=None,
                                       cache_dir=tmp_path / "cache"))
    assert action.read_source(feed) == GOOD_FEED
    server.healthy = False  # type: ignore[attr-defined]
    assert action.read_source(feed) == GOOD_FEED  # from the cache
    assert action.read_source(url(server, "/never-fetched")) is None


def test_feed_text_and_links_are_cleaned() -> None:
    assert clean_feed_text("\x1b[31mRed\x1b[0m title\x07 \u202eevil", 100) == "Red title evil"
    assert clean_feed_text("x" * 500, 300) == "x" * 300
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "smb://host/share", "data:text/html,x",
                "ask:delete%20everything", "JAVASCRIPT:alert(1)"):
        assert safe_link(bad) == ""
    assert safe_link(" https://example.org/a ") == "https://example.org/a"


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "utf-8"}, {"LC_ALL": "C", "LANG": "C"}])
def test_classify_reads_any_bytes_and_always_writes_utf8_json(tiny_bundle: Path, env: dict[str, str]) -> None:
    import json
    import os

    stdin = b"news \xff\xfe today\n\xc3\x28 invalid\nayuda\n"
    done = subprocess.run([sys.executable, "-m", "core", "classify", "--model", str(tiny_bundle)], input=stdin,
                          cwd=ROOT, capture_output=True, timeout=120, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    lines = done.stdout.decode("utf-8").splitlines()  # strict: raises on invalid UTF-8
    assert len(lines) == 3 and all("intent" in json.loads(line) for line in lines)


def test_validate_intents_on_an_endless_file_stops_quickly() -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "core", "validate-intents", "/dev/zero"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "larger than" in done.stderr and time.monotonic() - started < 30
