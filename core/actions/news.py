"""get_news: headlines from RSS/Atom feeds (feedparser), those on the topic asked first.

The topic is the request's `topic` slot (core.slots; its words are in resources/locale/<lang>/slots.yaml): a
headline is on it when its categories or title name the topic in whole words. Without a topic, the request's
other words (no fillers: "in", "con", "nuevo" never count) pick headlines; "what's in the news today" names
neither, so it lists the newest.

Network feeds are untrusted: each is fetched (on the worker thread, never the GUI's) with a 5 s deadline for
the whole download, at most 2 MB and 3 redirects, http(s) only; the last good copy is cached and used when a
fetch fails. Feed text loses control and escape characters; links keep only http(s).
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import re
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.actions.base import ActionRequest, ActionResult, ActionServices, Link
from core.i18n import LocaleMessages, tr
from core.slots import content_words, languages, load_locale, locale_of, locale_root, resolve, tag_locale, values
from core.text import fold, strip_escapes

MAX_ITEMS = 8
FETCH_DEADLINE_S = 5.0  # the whole download of one feed, not just each socket read
MAX_FEED_BYTES = 2 << 20
MAX_REDIRECTS = 3
MAX_ENTRIES_PER_FEED = 200
MAX_TITLE_CHARS, MAX_SUMMARY_CHARS = 300, 1000
log = logging.getLogger(__name__)


def clean_feed_text(text: Any, limit: int) -> str:
    """Feed text as plain, bounded text: ANSI sequences, control and bidi-override characters removed."""
    return " ".join(strip_escapes(str(text or "")).split())[:limit]


def safe_link(url: Any) -> str:
    """Only http(s) links from a feed are kept (no javascript:, file:, smb:, data:, or the app's own ask:)."""
    text = str(url or "").strip()
    return text if urlsplit(text).scheme.lower() in ("http", "https") and len(text) <= 2000 else ""


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            return None  # never follow a redirect to file: or another scheme
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_feed(url: str, deadline_s: float = FETCH_DEADLINE_S, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """Download one feed within `deadline_s` and `max_bytes`; raises OSError/ValueError otherwise."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValueError(f"only http(s) feeds are fetched, not {url!r:.80}")
    opener = urllib.request.build_opener(_LimitedRedirects)
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": "offline-assistant"})
    with opener.open(request, timeout=deadline_s) as response:
        chunks, size = [], 0
        while chunk := response.read1(64 << 10):  # read1: what has arrived, so the deadline is checked often
            size += len(chunk)
            if size > max_bytes:
                raise ValueError(f"feed {url!r:.80} is larger than {max_bytes >> 20} MB")
            if time.monotonic() - started > deadline_s:
                raise TimeoutError(f"feed {url!r:.80} took longer than {deadline_s:g} s")
            chunks.append(chunk)
    return b"".join(chunks)


MESSAGES = LocaleMessages("news")  # resources/locale/<lang>/messages.yaml
MAX_OTHER_ITEMS = 3  # headlines off the asked topic, shown apart below the ones on it


def words_of(text: str) -> set[str]:
    return set(re.findall(r"\w+", fold(text)))


def topics_in(text: str, root: Path | None = None) -> set[str]:
    """The canonical topics a feed text names (categories, title), in any language of resources/locale: a
    Spanish feed is read the same under English answers. Whole words only, never fillers."""
    return {value for lang in languages(root) for value in values(tag_locale(text, load_locale(lang, root)), "topic")}


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    published: datetime | None
    summary: str
    source: str
    topics: frozenset[str]
    words: frozenset[str]

    def to_json(self, match: bool) -> dict[str, Any]:
        return {"title": self.title, "link": self.link, "source": self.source, "summary": self.summary,
                "published": self.published.isoformat() if self.published else None, "topic_match": match}


def _item(entry: Any, source: str, root: Path | None = None) -> Item:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        published = datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    except (OverflowError, ValueError, TypeError):
        published = None
    categories = clean_feed_text(" ".join(str(tag.get("term", "")) for tag in entry.get("tags", [])[:20]), 500)
    title = clean_feed_text(entry.get("title", ""), MAX_TITLE_CHARS)
    summary = clean_feed_text(entry.get("summary", ""), MAX_SUMMARY_CHARS)
    return Item(title, safe_link(entry.get("link", "")), published, summary, clean_feed_text(source, 100),
                frozenset(topics_in(categories + " . " + title, root)),
                frozenset(words_of(f"{title} {summary} {categories}")))


def stem(word: str) -> str:
    """A plural's singular, roughly (Spanish and English -s/-es): "criptomonedas" finds "criptomoneda"."""
    if len(word) > 5 and word.endswith("es"):
        return word[:-2]
    return word[:-1] if len(word) > 4 and word.endswith("s") else word


def rank_items(items: list[Item], topics: set[str], words: set[str],
               free: Sequence[frozenset[str]] = ()) -> list[tuple[Item, bool]]:
    """Items with their match, matches first, newest first within. With topics asked, an item matches when it
    is on one of the canonical `topics` or holds every word of one `free` topic (a topic the locale files do not
    list, as the model tagged it: {"coches", "electricos"}; plurals aside); sharing `words` only ranks it
    higher. Without, it matches when it shares one of `words` (the request's content words: no fillers, no slot
    words). Neither: nothing matches, newest first."""
    free_stems = [frozenset(map(stem, f)) for f in free if f]

    def score(item: Item) -> tuple[bool, int]:
        if topics or free_stems:
            stems = {stem(w) for w in item.words}
            on_topic = bool(topics & item.topics) or any(f <= stems for f in free_stems)
        else:
            on_topic = bool(words & item.words)
        return on_topic, len(words & item.words)

    oldest = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(items, key=lambda it: (score(it), it.published or oldest), reverse=True)
    return [(item, score(item)[0]) for item in ranked]


class NewsAction:
    intent = "get_news"

    def __init__(self, services: ActionServices) -> None:
        self.services = services
        self.locales = locale_root(services.resources)

    def sources(self) -> list[str]:
        """The bundled sample feed, plus the configured feeds when the user allowed the network."""
        local = [str(self.services.resources / "sample" / "news_feed.xml")]
        settings = self.services.settings
        return local + list(settings.feeds) if settings.network_feeds else local

    def _cache_file(self, url: str) -> Path | None:
        cache = self.services.cache_dir
        return cache / "feeds" / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".xml") if cache else None

    def read_source(self, source: str) -> bytes | None:
        """The bundled feed from disk; a network feed fetched with limits, else its last good cached copy."""
        if not source.startswith(("http://", "https://")):
            return Path(source).read_bytes()
        cached = self._cache_file(source)
        try:
            data = fetch_feed(source)
        except (OSError, ValueError) as exc:  # timeouts, refusals, too big: use the last good copy if any
            log.warning("feed %s not fetched: %s", source, exc)
            return cached.read_bytes() if cached and cached.is_file() else None
        if cached:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(data)
            except OSError as exc:
                log.warning("feed cache not written: %s", exc)
        return data

    def fetch(self, language: str = "en") -> list[Item]:
        import feedparser  # imported on first use: it is slow to import and start-up does not need it

        items: list[Item] = []
        for source in self.sources():
            data = self.read_source(source)
            if data is None:
                continue
            parsed = feedparser.parse(data)  # bytes: feedparser itself never touches the network here
            name = parsed.feed.get("title", source)
            if not source.startswith(("http://", "https://")):  # the bundled bulletin: fictional, and says so
                name = f"{tr(MESSAGES, 'sample', language)} · {name}"
            items.extend(_item(entry, name, self.locales) for entry in parsed.entries[:MAX_ENTRIES_PER_FEED])
        return items

    def run(self, request: ActionRequest) -> ActionResult:
        """Headlines on the asked topic first; others, if any, follow under "Other headlines", never mixed in."""
        lang = request.language
        slots = resolve(request.text, request.prediction.slots, lang, self.locales)
        asked = values(slots, "topic")
        known = set(asked) & set(locale_of(lang, self.locales).topic_names)
        fillers = frozenset().union(*(load_locale(code, self.locales).fillers for code in languages(self.locales)))
        free = [frozenset(words_of(topic)) - fillers for topic in asked if topic not in known]
        words = content_words(request.text, slots, self.locales)
        ranked = rank_items(self.fetch(lang), known, words, free)
        if not ranked:
            return ActionResult(tr(MESSAGES, "none_title", lang), tr(MESSAGES, "none_body", lang), kind="news")
        topic_names = locale_of(lang, self.locales).topic_names
        names = ", ".join(topic_names.get(topic, topic) for topic in asked)
        if asked or any(match for _, match in ranked):
            on_topic = [item for item, match in ranked if match][:MAX_ITEMS]
            other = [item for item, match in ranked if not match][:MAX_OTHER_ITEMS]
        else:  # a plain "news": the newest, nothing set apart
            on_topic, other = [item for item, _ in ranked][:MAX_ITEMS], []
        if on_topic:
            title = tr(MESSAGES, "title", lang) + (f" · {names}" if names else "")
        else:
            title = tr(MESSAGES, "no_topic", lang, topics=names)
        other_title = tr(MESSAGES, "other", lang)
        lines = [f"• {item.title}" for item in on_topic]
        if other:
            lines += [f"{other_title}:", *(f"• {item.title}" for item in other)]
        shown = [(item, True) for item in on_topic] + [(item, False) for item in other]
        return ActionResult(
            title=title, body="\n".join(lines), kind="news",
            links=tuple(Link(item.title, item.link) for item, _ in shown if item.link),
            fields={"topics": asked, "slots": [s.to_json() for s in slots], "other_title": other_title,
                    "items": [item.to_json(match) for item, match in shown]},
        )
